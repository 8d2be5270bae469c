"""numbering's shortcuts held to their plain readings: the open lists kept per level in a list
(deeper ones closed only after a deeper heading), no skip-level walk when no heading steps more
than one level deeper than the one before it, punctuation read only for the suspects."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ghplan.corpus.numerals import to_cn
from ghplan.writer.review import numbering
from ghplan.writer.review.reviewer import plan_headings


def plain_sequence(headings):
    """numbering._sequence as first written: dicts of the open lists, every deeper one closed."""
    issues, fixes, prev, count = [], [], {}, {}
    for h in headings:
        level = numbering._CHECKED[h.style]
        for deeper in [k for k in prev if k > level]:
            del prev[deeper]
            count.pop(deeper, None)
        p, c = prev.get(level, 0), count.get(level, 0)
        if h.number == 1 and p >= 1 and h.number != p:
            if level == 1:
                issues.append(numbering.Renumber(h, p + 1, "order"))
            prev[level], count[level] = 1, 1
            continue
        if h.number == p:
            issues.append(numbering.Renumber(h, p + 1, "repeat"))
        elif h.number > p + 1:
            issues.append(numbering.Renumber(h, p + 1, "gap"))
        elif h.number < p:
            issues.append(numbering.Renumber(h, p + 1, "order"))
        if h.number != c + 1:
            fixes.append(numbering.Renumber(h, c + 1, "renumber"))
        prev[level], count[level] = h.number, c + 1
    return issues, fixes


def plain_skips(headings):
    """Where a heading is more than one level below its parent (the stack walk, every heading)."""
    stack, out = [], []
    for h in headings:
        level = numbering._CHECKED[h.style]
        while stack and stack[-1] >= level:
            stack.pop()
        if stack and level - stack[-1] > 1:
            out.append(h.start)
        stack.append(level)
    return out


MARKERS = {1: ["{cn}、", "{cn}.", "{cn}，"], 2: ["（{cn}）", "（{cn}）、", "({cn}),"], 3: ["{n}.", "{n}、", "{n}．."],
           4: ["（{n}）"]}


@st.composite
def numbered(draw):
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        level = draw(st.integers(1, 4))
        n = draw(st.integers(1, 6))
        marker = draw(st.sampled_from(MARKERS[level])).format(cn=to_cn(n), n=n)
        lines.append(marker + draw(st.sampled_from(["加强职工培训", "开展劳动竞赛", "工作目标"])))
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None)
@given(numbered())
def test_numbering_equals_its_plain_reading(text):
    hs = numbering.checked(plan_headings(text))
    assert numbering._sequence(hs) == plain_sequence(hs)
    skipped = plain_skips(hs)
    found = numbering._skip_level_findings(text, hs)
    assert bool(found) == bool(skipped) and {f.start for f in found} <= set(skipped)
    punct = [f for f in numbering.check(text, hs) if f.rule in ("GH-NUM-PUNCT", "GH-NUM-STRAY-DOT")]
    plain = [(h.start, h.marker[-1:]) for h in hs
             if h.style == "cn-dun" and h.marker[-1] != "、" or h.style == "cn-paren" and h.marker[-1] in "、，,"]
    assert [(f.start, f.text[-1:]) for f in punct if f.rule == "GH-NUM-PUNCT"] == plain
    strays = [h.start + len(h.marker) for h in hs if text[h.start + len(h.marker):][:1] in (".", "．")]
    assert [f.start for f in punct if f.rule == "GH-NUM-STRAY-DOT"] == strays


def test_a_skip_below_a_skipped_parent_is_counted():
    text = "一、目标\n1. 学习\n2. 培训\n（1）细则\n3. 竞赛\n"      # 一、 straight to 1., three times
    found = numbering._skip_level_findings(text, numbering.checked(plan_headings(text)))
    assert [f.rule for f in found] == ["GH-NUM-SKIP-LEVEL"] and "3" in found[0].message
