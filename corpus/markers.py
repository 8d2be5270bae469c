"""Line-level shapes of a plan's text: heading markers and the signature date.

corpus/headings.py finds headings anywhere, inline ones included; these simpler patterns are for
text that is already one line per heading (a model's outline, a draft, an export). One place for
them, so a new marker style is taught once.
"""
from __future__ import annotations

import re

CN = "[一二三四五六七八九十]{1,3}"           # a heading numeral: 一 … 九十九
LP, RP = "[(（]", "[)）]"
LEVEL1 = rf"{CN}[、.．]"                     # 一、
LEVEL2 = rf"{LP}{CN}{RP}"                   # （一）
LEVEL3 = r"\d{1,2}[.、．](?!\d)"            # 1. or 1、 (never 2027.5)
LEVEL4 = rf"{LP}\d{{1,2}}{RP}"              # （1）

# A level-1 or level-2 marker at the start of a line (leading spaces allowed).
TOP_MARKER = re.compile(rf"^[ \t\u3000]*(?:{LEVEL1}|{LEVEL2})")
# Any of the four GB/T 9704 levels at the start of a line.
ANY_MARKER = re.compile(rf"^[ \t\u3000]*(?:{LEVEL1}|{LEVEL2}|{LEVEL3}|{LEVEL4})")

# The signature date closing a plan: 2027年1月5日, 二〇二七年一月, 2027年12月.
DATE_LINE = re.compile(r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,2}月"
                       r"(?:[\d一二三四五六七八九十]{1,3}日)?\s*$")

_DECORATION = re.compile(r"^[\s#>*\-+]*")
_NOISE = re.compile(r"[\s*#。.:：、，,]")


def strip_marker(line: str) -> str:
    """The heading's words: Markdown decoration and a level-1/2 marker removed from the front."""
    rest = _DECORATION.sub("", line)
    return TOP_MARKER.sub("", rest, count=1).strip()


def heading_words(line: str) -> str:
    """A heading reduced for comparison: no marker, spaces, Markdown or punctuation."""
    return _NOISE.sub("", strip_marker(line))
