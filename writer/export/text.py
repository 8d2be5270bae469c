"""A plan's lines as typed paragraphs (title, headings, body, sign-off), and the plain exports.

`classify` is what every format starts from: .md and .txt write its paragraphs back as text,
the .docx layout (gbt9704.py) gives each kind its font and indent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ghplan.corpus import markers

# heading levels at a line start (corpus/markers.py's fragments); only 一、 for level 1, and level 3
# without markers.LEVEL3's (?!\d), as export has always read them
_H1 = re.compile(rf"^{markers.CN}、")
_H2 = re.compile(rf"^{markers.LEVEL2}")
_H3 = re.compile(r"^\d{1,2}[.、．]")
_H4 = re.compile(rf"^{markers.LEVEL4}")
_DATE = markers.DATE_LINE


@dataclass(frozen=True)
class Para:
    kind: str      # title | body | h1 | h2 | h3 | h4 | sign
    text: str


def classify(text: str) -> list[Para]:
    """The plan's lines as typed paragraphs: title first, the sign-off (落款) last."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines:
        return []
    paras = [Para("title", lines[0])]
    body = lines[1:]
    sign: list[str] = []
    if body and _DATE.match(body[-1]):
        sign = [body.pop()]
        if body and len(body[-1]) <= 40 and not re.search(r"[。；;：:]", body[-1]) \
                and not (_H1.match(body[-1]) or _H2.match(body[-1]) or _H3.match(body[-1])):
            sign.insert(0, body.pop())
    for ln in body:
        kind = ("h1" if _H1.match(ln) else "h2" if _H2.match(ln) else "h4" if _H4.match(ln)
                else "h3" if _H3.match(ln) else "body")
        paras.append(Para(kind, ln))
    paras.extend(Para("sign", s) for s in sign)
    return paras


def to_markdown(text: str) -> str:
    """Paragraphs separated by blank lines: renders as Markdown, reviews like the plain text
    (no heading or emphasis marks, which are rot in a printed plan)."""
    return "\n\n".join(p.text for p in classify(text)) + "\n"


def to_txt(text: str) -> str:
    return "\n".join(p.text for p in classify(text)) + "\n"
