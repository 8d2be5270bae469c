"""Render review results: text (grouped and coloured on a terminal), JSON Lines, SARIF 2.1.0.

Text lines read like a compiler's, so editors can jump to them:
    plan.txt:12:5  error  GH-STALE-PARTY-17  党的十七大 (2007) is out of date for a 2027 plan; cite 党的二十大.
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from typing import Iterable

from ghplan.corpus.rules.model import Rule
from ghplan.writer import __version__
from ghplan.writer.lang import pick
from ghplan.writer.review.reviewer import LineIndex, ReviewResult
from ghplan.writer.review.rules import all_rules

# the order families are shown in within a file
FAMILY_ORDER = ("structure", "boilerplate", "stale", "organisation", "numbering", "copy")
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# The words of the text report in Chinese (a result's `lang` is "zh"); English is the code's own.
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
QUOTES = {"en": ("“", "”"), "zh": ("「", "」")}


@dataclass
class Extra:
    """What the CLI adds around a result: notes (type inferred, encoding) and fixes applied."""
    notes: list[str] = field(default_factory=list)
    fixed: int = -1          # -1: --fix not used
    written: str = ""


def family(category: str) -> str:
    """Catalogue categories (promotion, chatter, placeholder, ...) show as one boilerplate family."""
    return category if category in FAMILY_ORDER else "boilerplate"


def _family_rank(category: str) -> int:
    return FAMILY_ORDER.index(family(category))


_DECLARED_BY = {"type": "--type", "org": "--org", "profile": "the profile", "title": "the title"}


_DECLARED_BY_ZH = {"type": "--type", "org": "--org", "profile": "画像文件", "title": "标题"}
_YEAR_ZH = {"given": "", "title": "（取自标题）", "default": "（标题无年份：按明年）"}


def header_zh(r: ReviewResult) -> str:
    """The header line in Chinese: type (and where it came from), plan year, how the file was read."""
    from ghplan.writer.org_types import chinese_names

    names = chinese_names()
    t = names.get(r.org_type, r.org_type)
    declared_by = _DECLARED_BY_ZH.get(r.declared_from or "", "")
    if declared_by and r.declared_type == r.org_type:
        t += f"（由 {declared_by} 指明）"
    elif r.org_type_inferred:
        t += "（从正文推断，可用 --type 指定）"
    if r.body_type not in (r.org_type, "other"):
        t += f"，正文读作{names.get(r.body_type, r.body_type)}"
    enc = f"，读自 {r.encoding.upper()}（行 = 段落）" if r.encoding in ("docx", "pdf") else (
        f"，按 {r.encoding.upper()} 解码" if r.encoding not in ("utf-8", "utf-8-sig") else "")
    return f"{r.file}：类型 {t}，计划年度 {r.year}{_YEAR_ZH[r.year_source]}{enc}"


def header(r: ReviewResult) -> str:
    """One line saying how the file was read: type, year, and where each came from."""
    if getattr(r, "lang", "en") == "zh":
        return header_zh(r)
    t = f"{r.org_type} (inferred from the text; --type sets it)" if r.org_type_inferred else r.org_type
    declared_by = _DECLARED_BY.get(r.declared_from or "", "")
    if declared_by and r.declared_type == r.org_type:
        how = "inferred from the text: named by the title; --type sets it" if r.org_type_inferred \
            else f"declared by {declared_by}"
        t = f"{r.org_type} ({how})"
        if r.body_type not in (r.org_type, "other"):
            t += f", body reads as {r.body_type}"
    y = {"given": "", "title": " (from the title)", "default": " (no year in the title: next year)"}[r.year_source]
    if r.encoding in ("docx", "pdf"):
        enc = f", read from {r.encoding.upper()} (line = paragraph)"
    else:
        enc = f", decoded as {r.encoding.upper()}" if r.encoding not in ("utf-8", "utf-8-sig") else ""
    return f"{r.file}: type {t}, plan year {r.year}{y}{enc}"


def _shown(text: str, width: int = 24, lang: str = "en") -> str:
    """The matched text, quoted on one line (shortened in the middle when long), before the message."""
    one = " ".join(text.split())
    if not one:
        return ""
    if len(one) > width:
        one = one[:width // 2] + "…" + one[-(width // 2 - 1):]
    left, right = QUOTES.get(lang, QUOTES["en"])
    return f"{left}{one}{right}  "


def _message(f, lang: str) -> str:
    """The finding's message in `lang`, with what --fix would do."""
    if lang != "zh":
        msg = f.message
        if f.suggestion:
            return msg + f" → {f.suggestion}" + (" (--fix)" if f.fixable else "")
        return msg + (" (--fix deletes it)" if f.fixable else "")
    msg = pick(lang, f.message, f.message_zh)
    if f.suggestion:
        return msg + f" → {f.suggestion}" + ("（--fix 可改）" if f.fixable else "")
    return msg + ("（--fix 可删）" if f.fixable else "")


def finding_lines(r: ReviewResult) -> list[tuple[str, str, str]]:
    """(family, severity, line) per finding, grouped by family, in position order within one."""
    idx = LineIndex(r.text)
    rows = []
    for f in sorted(r.findings, key=lambda f: (_family_rank(f.category), f.start, f.rule)):
        line, col = idx.line_col(f.start)
        read = getattr(r, "read", None)
        if read is not None and read.format != "text" and read.blocks:
            line = read.paragraph_at(f.start)           # a Word/PDF file: the paragraph, and the column in it
            col = f.start - read.starts[line - 1] + 1
        lang = getattr(r, "lang", "en")
        sev = SEVERITY_ZH.get(f.severity, f.severity) if lang == "zh" else f.severity
        rows.append((family(f.category), f.severity,
                     f"{r.file}:{line}:{col}  {sev}  {f.rule}  {_shown(f.text, lang=lang)}{_message(f, lang)}"))
    return rows


def summary_line(results: Iterable[ReviewResult], fixed: int = -1, lang: str | None = None) -> str:
    """The last line of the report, in `lang` (default the first result's)."""
    results = list(results)
    totals = {"errors": 0, "warnings": 0, "infos": 0}
    for r in results:
        for k, v in r.counts().items():
            totals[k] += v
    lang = lang or (getattr(results[0], "lang", "en") if results else "en")
    if lang == "zh":
        line = (f"{len(results)} 个文件：{totals['errors']} 个错误，{totals['warnings']} 个警告，"
                f"{totals['infos']} 个提示")
        return f"已修正 {fixed} 处；留待人工：" + line if fixed >= 0 else line
    files = f"{len(results)} file" + ("s" if len(results) != 1 else "")
    line = f"{totals['errors']} errors, {totals['warnings']} warnings, {totals['infos']} infos in {files}"
    if fixed >= 0:
        line = f"fixed {fixed}; left for a person: " + line
    return line


# What rich rewrites in a plain report (control codes dropped, tabs expanded): a line holding one
# goes through rich; any other line rich would print as it is, so the plain report skips it.
_RICH_ONLY = re.compile("[\x00-\x1f\x7f-\x9f]")


def _fixed_line(r: ReviewResult, x: Extra) -> str:
    if r.lang == "zh":
        return f"{r.file}：已修正 {x.fixed} 处" + (f"，已写入 {x.written}" if x.written else "")
    return f"{r.file}: fixed {x.fixed} problems" + (f", wrote {x.written}" if x.written else "")


def _plain_lines(results: list[ReviewResult], extras: list[Extra]) -> list[str]:
    """The uncoloured text report, one string per line."""
    lines: list[str] = []
    fixed_total = -1
    for r, x in zip(results, extras):
        lines.append(header(r))
        lines.extend(x.notes)
        if x.fixed >= 0:
            fixed_total = max(fixed_total, 0) + x.fixed
            lines.append(_fixed_line(r, x))
        lines.extend(line for _, _, line in finding_lines(r))
    if results:
        lines.append(summary_line(results, fixed_total))
    return lines


def render_text(results: list[ReviewResult], extras: list[Extra] | None = None, color: bool = False,
                file=None) -> None:
    """Print the text report; with colour, files get a rule and families a heading. Without
    colour the lines are written as they are (what rich prints for them; importing rich was
    ~20 ms of a short `ghplan review`), unless one holds a character rich would rewrite."""
    extras = extras or [Extra() for _ in results]
    if not color:
        lines = _plain_lines(results, extras)
        if not any(_RICH_ONLY.search(line) for line in lines):
            out = file or sys.stdout
            out.write("".join(line + "\n" for line in lines))
            out.flush()
            return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=file, force_terminal=color, no_color=not color, highlight=False,
                      soft_wrap=True, emoji=False, markup=False)
    if not color:
        for line in lines:
            console.print(line)
        return
    fixed_total = -1
    for r, x in zip(results, extras):
        console.rule(Text(r.file, style="bold"), align="left")
        console.print(Text(header(r), style="dim"))
        for note in x.notes:
            console.print(Text(note, style="dim"))
        if x.fixed >= 0:
            fixed_total = max(fixed_total, 0) + x.fixed
            console.print(_fixed_line(r, x))
        current = None
        for fam, sev, line in finding_lines(r):
            if fam != current:
                console.print(Text(f"  {fam}", style="bold underline"))
                current = fam
            console.print(Text(line, style=_STYLE.get(sev, "")))
    if not results:
        return
    summary = summary_line(results, fixed_total)
    errors = sum(r.errors for r in results)
    console.print(Text(summary, style="bold red" if errors else "bold green"))


def render_json(results: list[ReviewResult], file=None) -> None:
    """JSON Lines: one object per reviewed file (the contract in writer/review.py)."""
    import sys

    out = file or sys.stdout
    for r in results:
        out.write(json.dumps(r.to_json(), ensure_ascii=False) + "\n")


def _sarif_rule(rule: Rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.id.removeprefix("GH-").replace("-", " ").title().replace(" ", ""),
        "shortDescription": {"text": rule.reason.split(";")[0][:200]},
        "fullDescription": {"text": rule.reason},
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(rule.severity, "warning")},
        "properties": {"category": rule.category, **({"example": rule.example} if rule.example else {})},
    }


def _add_paragraph(res: dict, r: ReviewResult, start: int) -> None:
    """A Word or PDF file: where the finding is in the document, as the JSON's `paragraph` (in
    the result's properties) and a logical location an editor can show (paragraph N)."""
    read = getattr(r, "read", None)
    if read is None or read.format == "text" or not read.blocks:
        return
    n = read.paragraph_at(start)
    res["properties"]["paragraph"] = n
    res["locations"][0]["logicalLocations"] = [
        {"name": f"paragraph {n}", "fullyQualifiedName": f"{r.file}#paragraph-{n}", "kind": "element"}]


def sarif(results: list[ReviewResult]) -> dict:
    """One SARIF 2.1.0 log, one run, results across all files."""
    rules = all_rules()
    used = sorted({f.rule for r in results for f in r.findings})
    index = {rid: i for i, rid in enumerate(used)}
    out = []
    for r in results:
        idx = LineIndex(r.text)
        for f in r.findings:
            sl, sc = idx.line_col(f.start)
            el, ec = idx.line_col(f.end)
            res = {
                "ruleId": f.rule, "ruleIndex": index[f.rule],
                "level": _SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": pick(getattr(r, "lang", "en"), f.message, f.message_zh)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": r.file},
                    "region": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec,
                               "charOffset": f.start, "charLength": f.end - f.start,
                               "snippet": {"text": f.text}},
                }}],
                "properties": {"category": f.category},
            }
            _add_paragraph(res, r, f.start)
            if f.fixable:
                res["fixes"] = [{
                    "description": {"text": f"replace with {f.suggestion!r}" if f.suggestion else "delete"},
                    "artifactChanges": [{"artifactLocation": {"uri": r.file}, "replacements": [{
                        "deletedRegion": {"charOffset": f.start, "charLength": f.end - f.start},
                        "insertedContent": {"text": f.suggestion}}]}],
                }]
            out.append(res)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ghplan", "version": __version__, "semanticVersion": __version__,
                "rules": [_sarif_rule(rules[rid]) for rid in used],
            }},
            "columnKind": "unicodeCodePoints",
            "artifacts": [{"location": {"uri": r.file}, "encoding": r.encoding} for r in results],
            "results": out,
        }],
    }


def render_sarif(results: list[ReviewResult], file=None) -> None:
    import sys

    (file or sys.stdout).write(json.dumps(sarif(results), ensure_ascii=False, indent=2) + "\n")


def rules_table(rules: Iterable[Rule]) -> list[dict]:
    """`ghplan rules --json`: one entry per rule (reason_zh: an added field, the Chinese message)."""
    return [{"id": r.id, "category": r.category, "severity": r.severity, "reason": r.reason,
             "example": r.example, "reason_zh": r.message_zh} for r in rules]
