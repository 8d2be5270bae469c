"""The structural checks' fast paths give what the straightforward readings give.

Each fast path that replaced a plain per-line or per-sentence loop is held here to that plain
reading (kept beside it as the reference), on generated texts dense in the words that matter
and on the review fixtures.
"""
from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings, strategies as st

from ghplan.corpus import label
from ghplan.corpus.lexicon import cue_field, cue_words

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_TEXTS = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt"))]


def _pieces(*lists: tuple[str, ...]) -> list[str]:
    """Words that matter, the characters they are made of, and sentence breaks."""
    words = [w for words in lists for w in words]
    filler = ["工会", "开展活动", "职工之家", "组织"] * 6      # sentences holding none of them
    return words + sorted({c for w in words for c in w}) + list("。！？!?；;\n，、 ") * 3 + filler


def _texts(pieces: list[str]):
    return st.lists(st.sampled_from(pieces), max_size=80).map("".join)


TENSE = _pieces(cue_words("looking_back"), cue_words("looking_forward"),
                cue_field("looking_back", "not_in"), cue_field("looking_forward", "not_in"))


@settings(max_examples=300, deadline=None)
@given(_texts(TENSE))
def test_tense_flags_whole_text_equals_sentence_by_sentence(text):
    assert label._tense_flags(text) == label._tense_flags_by_sentence(text)


def test_tense_flags_on_fixtures():
    for text in FIXTURE_TEXTS + ["\n".join(FIXTURE_TEXTS)]:
        body = label._normalised(text)
        flags = label._tense_flags(body)
        assert flags == label._tense_flags_by_sentence(body)
    assert any(flags[0]) and any(flags[1])          # both kinds of sentence occur in the fixtures
