"""copycheck.compact's path for text whose only whitespace is line breaks (str.split, runs merged
by a dict) held to the run-by-run reading, blank lines and a leading or trailing break included."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from ghplan.writer.review import copycheck


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["\n", "\n\n", "工会", "职工", "a", "。"]), max_size=40).map("".join))
def test_compact_of_line_breaks_only_equals_run_by_run(text):
    assert copycheck._OTHER_SPACE.search(text) is None
    fast = copycheck.compact(text)
    assert fast == copycheck.compact_by_run(text)
    assert all(fast.text[i] == text[fast.to_norm(i)] for i in range(len(fast.text)))


def test_a_space_takes_the_split_by_runs():
    assert copycheck.compact("工会 职工\n\n组织") == copycheck.compact_by_run("工会 职工\n\n组织")
