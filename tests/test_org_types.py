"""One resolver for organisation type names (writer/org_types.py, data in writer/data/type_names.toml)."""
from __future__ import annotations

import pytest

from ghplan.corpus.model import ORG_TYPES
from ghplan.writer.draft.profile import ProfileError, minimal_profile, profile_from_dict
from ghplan.writer.errors import UsageError
from ghplan.writer.org_types import _table, aliases, chinese_names, resolve_type
from ghplan.writer.review.orgcheck import type_names


@pytest.mark.parametrize("name, want", [
    ("hospital", "hospital"), ("Hospital", "hospital"), (" 医院 ", "hospital"), ("卫生院", "hospital"),
    ("学校", "school"), ("小学", "school"), ("中学", "school"), ("高校", "school"),
    ("企业", "enterprise"), ("公司", "enterprise"),
    ("乡镇", "township"), ("街道", "township"),
    ("县总工会", "federation"), ("市总工会", "federation"), ("总工会", "federation"),
    ("机关", "government"), ("事业单位", "government"), ("机关工会", "government"),
    ("女工委", "women"), ("女职工委员会", "women"),
    ("医院工会", "hospital"), ("公司工会", "enterprise"),     # "… 工会" names the same type's union
])
def test_names_resolve(name, want):
    assert resolve_type(name) == want


@pytest.mark.parametrize("bad", ["银行", "hospitals", "工会", "", "other"])
def test_unknown_names_list_the_valid_ones_in_both_languages(bad):
    with pytest.raises(UsageError) as info:
        resolve_type(bad)
    line = str(info.value)
    assert "\n" not in line
    for t, zh in chinese_names().items():
        assert t in line and zh in line


def test_other_only_where_asked():
    assert resolve_type("other", allow_other=True) == "other"


def test_every_alias_has_a_reason_and_one_type():
    seen: dict[str, str] = {}
    for t in ORG_TYPES:
        for name, reason in _table()[t]["aliases"].items():
            assert isinstance(reason, str) and reason.strip(), (t, name)
            assert name not in seen, f"{name} is under both {seen.get(name)} and {t}"
            seen[name] = t
        assert _table()[t]["name"] in _table()[t]["aliases"], t   # its own name resolves
    assert set(aliases().values()) == set(ORG_TYPES)


def test_the_chinese_names_are_the_vocabulary_names():
    # review messages name types by vocab.toml's names: the resolver must show the same ones
    assert chinese_names() == {t: type_names()[t] for t in ORG_TYPES}


def test_profiles_take_chinese_type_names():
    assert minimal_profile("某县人民医院工会", "卫生院").type == "hospital"
    assert profile_from_dict({"org": "某县总工会", "type": "县总工会"}).type == "federation"
    with pytest.raises(ProfileError, match="医院"):
        profile_from_dict({"org": "某单位工会", "type": "银行"})
    with pytest.raises(ProfileError, match="required"):
        profile_from_dict({"org": "某单位工会"})
