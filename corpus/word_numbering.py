"""Word's paragraph styles (styles.xml) and automatic numbering (numbering.xml), rendered as
Word shows it: 一、, （一）, 1., ①, 甲, … The reader (corpus/word.py) uses them so that a heading
Word numbers reads like one typed by hand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from ghplan.corpus.numerals import to_cn

def xml_val(parent, tag: str, w: str) -> str | None:
    if parent is None:
        return None
    el = parent.find(tag)
    return None if el is None else el.get(f"{w}val")


class Styles:
    """Paragraph styles: basedOn chains, outline levels, heading names, numbering by style."""

    def __init__(self, root, w: str) -> None:
        self.w = w
        self.by_id: dict[str, Any] = {}
        self.default: str | None = None
        if root is None:
            return
        for s in root.findall(f"{w}style"):
            if s.get(f"{w}type") == "paragraph":
                sid = s.get(f"{w}styleId")
                self.by_id[sid] = s
                if s.get(f"{w}default") in ("1", "true"):
                    self.default = sid

    def chain(self, style_id: str | None) -> Iterator[Any]:
        seen: set[str] = set()
        sid = style_id or self.default
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            s = self.by_id[sid]
            yield s
            sid = xml_val(s, f"{self.w}basedOn", self.w)

    def is_heading(self, ppr, style_id: str | None) -> bool:
        w = self.w
        if ppr is not None and ppr.find(f"{w}outlineLvl") is not None:
            return (xml_val(ppr, f"{w}outlineLvl", w) or "9") != "9"
        for s in self.chain(style_id):
            name = (xml_val(s, f"{w}name", w) or "").lower()
            if name.startswith(("heading", "标题")) or name == "title":
                return True
            spr = s.find(f"{w}pPr")
            if spr is not None and spr.find(f"{w}outlineLvl") is not None:
                return (xml_val(spr, f"{w}outlineLvl", w) or "9") != "9"
        return bool(style_id) and style_id.lower().startswith(("heading", "title"))

    def numpr(self, style_id: str | None) -> tuple[str | None, str | None]:
        """(numId, ilvl) a style gives a paragraph, if any."""
        w = self.w
        for s in self.chain(style_id):
            spr = s.find(f"{w}pPr")
            npr = spr.find(f"{w}numPr") if spr is not None else None
            if npr is not None:
                return xml_val(npr, f"{w}numId", w), xml_val(npr, f"{w}ilvl", w)
        return None, None


_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _roman(n: int) -> str:
    vals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: a..z, aa..zz, …
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _cn(n: int) -> str:
    if 0 <= n <= 99:
        return to_cn(n)
    if n < 1000:
        h, rest = divmod(n, 100)
        if not rest:
            return to_cn(h) + "百"
        return to_cn(h) + "百" + ("零" + to_cn(rest) if rest < 10 else
                                 ("一" + to_cn(rest) if rest < 20 else to_cn(rest)))
    return str(n)


def format_number(n: int, fmt: str) -> str:
    """A counter as Word shows it in the number format `fmt` (ST_NumberFormat)."""
    if fmt in ("decimal", "decimalZero") or not fmt:
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting", "japaneseLegal"):
        return _cn(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "koreanDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified",):
        return "".join(_LEGAL[int(d)] for d in str(n)) if n >= 10 else _LEGAL[n]
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese", "ideographEnclosedCircle"):
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalHalfWidth":
        return str(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suff: str = "tab"
    legal: bool = False
    restart: int | None = None


class Numbering:
    """numbering.xml: the counters Word keeps while it lays the document out."""

    def __init__(self, root, w: str) -> None:
        self.w = w
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if root is None:
            return
        for an in root.findall(f"{w}abstractNum"):
            self.abstract[an.get(f"{w}abstractNumId")] = {
                int(lvl.get(f"{w}ilvl", "0")): self._level(lvl) for lvl in an.findall(f"{w}lvl")}
        for n in root.findall(f"{w}num"):
            aid = xml_val(n, f"{w}abstractNumId", w)
            starts: dict[int, int] = {}
            lvls: dict[int, _Level] = {}
            for ov in n.findall(f"{w}lvlOverride"):
                ilvl = int(ov.get(f"{w}ilvl", "0"))
                so = xml_val(ov, f"{w}startOverride", w)
                if so is not None and so.lstrip("-").isdigit():
                    starts[ilvl] = int(so)
                lvl = ov.find(f"{w}lvl")
                if lvl is not None:
                    lvls[ilvl] = self._level(lvl)
            self.nums[n.get(f"{w}numId")] = (aid or "", starts, lvls)

    def _level(self, lvl) -> _Level:
        w = self.w
        start = xml_val(lvl, f"{w}start", w)
        restart = xml_val(lvl, f"{w}lvlRestart", w)
        legal = lvl.find(f"{w}isLgl")
        return _Level(start=int(start) if start and start.lstrip("-").isdigit() else 1,
                      fmt=xml_val(lvl, f"{w}numFmt", w) or "decimal",
                      text=xml_val(lvl, f"{w}lvlText", w) or "",
                      suff=xml_val(lvl, f"{w}suff", w) or "tab",
                      legal=legal is not None and legal.get(f"{w}val") not in ("0", "false"),
                      restart=int(restart) if restart and restart.isdigit() else None)

    def prefix(self, ppr, style_id: str | None, st: Styles) -> str:
        w = self.w
        npr = ppr.find(f"{w}numPr") if ppr is not None else None
        num_id = xml_val(npr, f"{w}numId", w) if npr is not None else None
        ilvl_s = xml_val(npr, f"{w}ilvl", w) if npr is not None else None
        if num_id is None:
            num_id, style_ilvl = st.numpr(style_id)
            ilvl_s = ilvl_s or style_ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        aid, starts, overrides = self.nums[num_id]
        levels = self.abstract.get(aid, {})
        ilvl = int(ilvl_s) if ilvl_s and ilvl_s.isdigit() else 0
        level = overrides.get(ilvl) or levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:          # a new list instance with its own start values
            self.started.add(num_id)
            for lv, value in starts.items():
                counters[lv] = value - 1
                for deeper in [k for k in counters if k > lv]:
                    del counters[deeper]

        def start_of(lv: int) -> int:
            if lv in starts:
                return starts[lv]
            ld = overrides.get(lv) or levels.get(lv)
            return ld.start if ld else 1

        counters[ilvl] = counters.get(ilvl, start_of(ilvl) - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            ld = overrides.get(deeper) or levels.get(deeper)
            if ld is None or ld.restart is None or ld.restart > ilvl:
                del counters[deeper]
        if level.fmt == "bullet":
            return ""                            # a bullet is no number; plans number by hand

        def sub(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            ld = overrides.get(lv) or levels.get(lv) or _Level()
            value = counters.get(lv, start_of(lv))
            return format_number(value, "decimal" if level.legal and lv != ilvl else ld.fmt)

        text = re.sub(r"%([1-9])", sub, level.text)
        if not text:
            return ""
        return text + (" " if level.suff == "space" else "")
