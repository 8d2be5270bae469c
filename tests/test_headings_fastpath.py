"""corpus/headings.py's class-led marker pattern (`_MARKS`, which find_headings scans with) held to
the lookahead-led one (`_markers()`, what `_candidates` and the reference loop read): the same hits,
styles and numerals, character by character (digits, decimals, dates, brackets, months, ##)."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ghplan.corpus import headings

CHARS = list("一二三四五六七八九十0123456789#（()）、，,．.：:月份第 \t\n工a１２") + ["十一", "12", "3月", "1.3月", "49、", "50."]


def hits(pattern, text: str, first_in: bool) -> list[tuple]:
    out = []
    for m in pattern.finditer(text):
        group = "cn_dun" if m.lastgroup == "cn_sep" else m.lastgroup
        start = m.start()
        if group == "md":
            value = m.end("md") - start
        elif first_in and group in headings._FIRST_IN:
            value = text[start:m.end(group)]
        else:
            value = m.group(group)
        out.append((m.span(), group, value))
    return out


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(CHARS), max_size=16).map("".join))
def test_class_led_markers_equal_the_lookahead_led_ones(text):
    assert hits(headings._MARKS, text, True) == hits(headings._markers(), text, False)


def test_class_led_markers_on_fixtures():
    from pathlib import Path

    for path in sorted((Path(__file__).parent / "fixtures").rglob("*.txt")):
        text = path.read_text("utf-8")
        assert hits(headings._MARKS, text, True) == hits(headings._markers(), text, False)
