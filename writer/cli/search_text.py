"""`ghplan search`'s text output in the chosen language: the notes (a stand-in type filled in,
fewer results than asked), one line per hit and its snippet. `--json` is unchanged."""
from __future__ import annotations

from typing import Any

from ghplan.writer.messages import label, text, type_name, type_names

SNIPPET = 160


def _what(role: str | None, lang: str, en_tail: str) -> str:
    """The role as the English names it ("tasks sections of ") or the Chinese (主要任务)."""
    if not role:
        return ""
    return label("role", role, lang) if lang == "zh" else f"{role}{en_tail}"


def fallback_note(res: Any, lang: str) -> str:
    """Why the results include stand-in types (writer/data/fallback.toml)."""
    from ghplan.writer.index.retrieve import fallback_table

    fb = fallback_table()[0][res.type]
    if lang != "zh":     # the library's own English sentence, reason included
        return res.fallback_reason
    return text("search.fallback", lang, type=type_name(res.type, lang), what=_what(res.role, lang, ""),
                have=res.available, used=type_names(res.fallback_types, lang),
                order=type_names(fb.order, lang), reason=fb.reason)


def short_note(res: Any, lang: str) -> str:
    """Fewer servable chunks than asked for, even with every stand-in."""
    if lang != "zh":
        return res.short_note
    from ghplan.writer.index.retrieve import fallback_table

    fb = fallback_table()[0].get(res.type)
    stand_ins = text("search.stand_ins", lang, types=type_names(fb.order, lang)) if fb is not None else ""
    return text("search.short", lang, {"stand_ins": stand_ins}, k=res.k, found=len(res.hits),
                what=_what(res.role, lang, " "), type=type_name(res.type, lang), stand_ins="")


def lines(res: Any, lang: str) -> list[str]:
    """Every line `ghplan search` prints for `res` without --json."""
    out: list[str] = []
    if res.fell_back:
        out.append(f"{text('search.note', lang)}{fallback_note(res, lang)}")
    if res.short_note:
        out.append(f"{text('search.note', lang)}{short_note(res, lang)}")
    if not res.hits:
        out.append(text("search.no_results", lang))
    for n, h in enumerate(res.hits, start=1):
        flag = text("search.fallback_flag", lang) if h.fallback else ""
        out.append(text("search.hit", lang, n=n, type=type_name(h.org_type, lang),
                        role=label("role", h.role, lang), flag=flag,
                        heading=h.heading_path or h.heading, source=h.source, score=f"{h.score:.4f}"))
        snippet = h.text.replace("\n", " ")
        out.append(f"   {snippet[:SNIPPET]}{'…' if len(snippet) > SNIPPET else ''}")
    return out
