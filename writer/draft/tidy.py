"""A model's answer trimmed to plan text: no code fences, no repeated heading, no sign-off."""
from __future__ import annotations

import re

from ghplan.corpus.markers import DATE_LINE, LEVEL2, LEVEL3, heading_words

_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
_ITEM_LEAD = re.compile(rf"^(?:{LEVEL3}|{LEVEL2})([^。；\n]{{2,40}})", re.MULTILINE)   # a numbered item's lead


def tidy_body(text: str, heading: str = "") -> str:
    """A section's text, trimmed: no code fences, no repeated heading, no blank runs."""
    text = _FENCE.sub("", text.replace("\r\n", "\n")).strip()
    lines = [ln.strip() for ln in text.split("\n")]
    if lines and heading and heading_words(lines[0]) == heading_words(heading):
        lines = lines[1:]
    return "\n".join(ln for ln in lines if ln)


def strip_sign_off(body: str, signer: str) -> str:
    """A section that ends with the sign-off (the union's name, a date): the pipeline adds it once."""
    lines = body.split("\n")
    while lines and (lines[-1] == signer or DATE_LINE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines)


def tidy_plan(text: str) -> str:
    text = _FENCE.sub("", text.replace("\r\n", "\n")).strip()
    return "\n".join(ln.strip() for ln in text.split("\n") if ln.strip())


def gist(body: str, limit: int = 60) -> str:
    """What a written section is about, in a line: its item leads, else its first sentence."""
    leads = [m.group(1) for m in _ITEM_LEAD.finditer(body)]
    text = "；".join(leads) if leads else re.split(r"[。；\n]", body.strip(), maxsplit=1)[0]
    return text[:limit] + ("……" if len(text) > limit else "")
