"""corpus/numerals.py: the one implementation of Chinese numerals (headings, numbering, dated)."""
from __future__ import annotations

import pytest

from ghplan.corpus.numerals import to_cn, to_int


def test_round_trip_for_every_heading_number():
    for n in range(100):
        assert to_int(to_cn(n)) == n


@pytest.mark.parametrize("cn, n", [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23),
                                   ("九十九", 99), ("两", 2), ("〇", 0), ("零", 0)])
def test_small_numerals(cn, n):
    assert to_int(cn) == n


@pytest.mark.parametrize("cn, n", [("一百", 100), ("一百零五", 105), ("一百〇五", 105), ("一百一十", 110),
                                   ("一百二十五", 125), ("百", 100), ("两百", 200)])
def test_hundreds(cn, n):
    assert to_int(cn) == n


def test_arabic_and_full_width_digits():
    assert to_int("12") == 12
    assert to_int("１２") == 12
    assert to_int(" 7 ") == 7


@pytest.mark.parametrize("junk", ["", "  ", "abc", "一二", "十十", "二十三四", "百百", "x百", "三x"])
def test_unreadable_input_is_zero(junk):
    assert to_int(junk) == 0


def test_to_cn_spells_heading_numbers():
    assert [to_cn(n) for n in (0, 1, 9, 10, 11, 20, 23, 99)] == ["零", "一", "九", "十", "十一", "二十", "二十三", "九十九"]
    with pytest.raises(ValueError):
        to_cn(100)
    with pytest.raises(ValueError):
        to_cn(-1)
