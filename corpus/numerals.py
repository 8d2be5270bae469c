"""Chinese numerals, both ways: the one implementation every heading, outline and dated check uses.

    to_int("二十三") == 23; to_int("一百零五") == 105; to_int("１２") == 12
    to_cn(23) == "二十三"
"""
from __future__ import annotations

DIGITS = "零一二三四五六七八九"
_VALUE = {c: i for i, c in enumerate(DIGITS)} | {"〇": 0, "两": 2}


def _below_hundred(s: str) -> int | None:
    if "十" in s:
        tens, _, units = s.partition("十")
        if tens and tens not in _VALUE or units and units not in _VALUE:
            return None
        return (_VALUE[tens] if tens else 1) * 10 + (_VALUE[units] if units else 0)
    if len(s) == 1 and s in _VALUE:
        return _VALUE[s]
    return None


def to_int(s: str) -> int:
    """A Chinese numeral up to 999 (十, 二十三, 一百零五), or ASCII/full-width digits; 0 if unreadable."""
    s = s.strip()
    if not s:
        return 0
    if s.isdigit():
        return int(s)                      # int() accepts full-width digits too
    hundreds = 0
    if "百" in s:
        head, _, s = s.partition("百")
        if head and head not in _VALUE:
            return 0
        hundreds = (_VALUE[head] if head else 1) * 100
        s = s.lstrip("零〇")
        if not s:
            return hundreds
        if len(s) == 1 and s in _VALUE:    # 一百零五
            return hundreds + _VALUE[s]
    rest = _below_hundred(s)
    return 0 if rest is None else hundreds + rest


def to_cn(n: int) -> str:
    """0..99 as a Chinese numeral (十一, 二十, 二十三), as headings and list items are numbered."""
    if not 0 <= n <= 99:
        raise ValueError(f"no Chinese heading numeral for {n}")
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")
