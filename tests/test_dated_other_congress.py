"""A congress ordinal named by another body (全国妇女十三大, 共青团十九大) is not the Party's congress."""
from __future__ import annotations

from ghplan.corpus.rules import dated


def stale(text: str, year: int = 2027) -> dict[str, str]:
    out = {}
    for f in dated.check(text, year):
        assert text[f.start:f.end] == f.text
        out[f.rule] = f.text
    return out


def test_a_womens_congress_ordinal_is_not_the_partys():
    assert stale("妇委会将组织女职工学习贯彻全国妇女十三大精神，开展巾帼建功竞赛。") == {}
    assert stale("深入学习党的二十大和全国妇女十三大精神，做好女职工维权工作。") == {}
    assert stale("认真落实县妇联第十二次妇代会部署，关爱留守儿童。") == {}


def test_another_bodys_name_further_away_does_not_hide_a_party_congress():
    # 妇女 is the audience here, not the congress's owner: 十九大 is still the Party's
    assert "GH-STALE-PARTY-19" in stale("组织妇女学习十九大精神，增强政治认同。")
    assert stale("贯彻党的十三大精神，推进妇女工作。") == {"GH-STALE-PARTY-13": "十三大"}


def test_the_party_and_union_readings_are_unchanged():
    found = stale("学习贯彻党的十九大和中国工会十七大精神。")
    assert found == {"GH-STALE-PARTY-19": "十九大", "GH-STALE-UNION-17": "十七大"}
