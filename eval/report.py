"""Render an eval report: a terminal table (rich), JSON, and one self-contained HTML file.

The HTML file has no network assets at all (no fonts, scripts, styles or images fetched from
anywhere): styles are inline, the CJK font is whatever the reader's system has. It shows the
totals per stage, the reviewer's precision and recall per category, and for every case its
checks, the draft with its findings highlighted in place, the retrieved sources, and for the
reviewer fixtures the labelled spans against what the reviewer found.
"""
from __future__ import annotations

import html
import json
from typing import Any, Iterable

from ghplan.eval.checks import ERROR, FAIL, PASS, SKIP, WARN

STYLE = {PASS: "green", FAIL: "bold red", WARN: "yellow", SKIP: "dim", ERROR: "bold magenta"}
MARK = {PASS: "✓", FAIL: "✗", WARN: "!", SKIP: "–", ERROR: "E"}


# ============================================================================ terminal
def _score(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.3f}"
    return str(int(v)) if isinstance(v, (int, float)) else str(v)


def print_terminal(data: dict[str, Any], console: Any, only_failures: bool = False) -> None:
    """`data` is EvalReport.to_json(). One table per stage (case × check), then the totals."""
    from rich.table import Table
    from rich.text import Text

    stages: dict[str, list[dict]] = {}
    for case in data["cases"]:
        stages.setdefault(case["stage"], []).append(case)
    for stage, cases in stages.items():
        t = Table(title=f"{stage}", title_justify="left", show_lines=False, expand=True,
                  header_style="bold")
        t.add_column("case", no_wrap=True, overflow="fold", ratio=3)
        t.add_column("check", no_wrap=True)
        t.add_column("", no_wrap=True)
        t.add_column("score", justify="right", no_wrap=True)
        t.add_column("reason", ratio=7, overflow="fold")
        for case in cases:
            rows = case["checks"]
            if only_failures:
                rows = [c for c in rows if c["status"] in (FAIL, ERROR)]
                if not rows:
                    continue
            for i, c in enumerate(rows):
                name = c["name"] + ("" if c["required"] else " (opt)")
                t.add_row(case["id"] if i == 0 else "", name,
                          Text(MARK[c["status"]] + " " + c["status"], style=STYLE[c["status"]]),
                          _score(c["score"]), c["reason"])
            if case.get("error"):
                t.add_row("", "error", Text("E error", style=STYLE[ERROR]), "", case["error"])
        if t.row_count:
            console.print(t)
    _print_metrics(data, console)
    tot = Table(title="totals per stage", title_justify="left", header_style="bold")
    for col in ("stage", "cases", "passed", "failed", "skipped", "errors", "checks", "✓", "✗",
                "! opt", "– skip"):
        tot.add_column(col, justify="right" if col != "stage" else "left")
    for stage, s in data["stages"].items():
        failed = s["cases_fail"] + s["cases_error"]
        tot.add_row(stage, str(s["cases"]), str(s["cases_pass"]),
                    Text(str(s["cases_fail"]), style="bold red" if s["cases_fail"] else ""),
                    str(s["cases_skip"]),
                    Text(str(s["cases_error"]), style="bold magenta" if s["cases_error"] else ""),
                    str(s["checks"]), str(s["checks_pass"]),
                    Text(str(s["checks_fail"] + s["checks_error"]), style="bold red" if failed else ""),
                    str(s["checks_warn"]), str(s["checks_skip"]))
    console.print(tot)
    for note in data.get("notes", []):
        console.print(f"[dim]note: {note}[/dim]")


def _print_metrics(data: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    rev = data.get("metrics", {}).get("reviewer")
    if rev:
        t = Table(title=f"reviewer precision / recall per category ({rev['fixtures']} labelled fixtures)",
                  title_justify="left", header_style="bold")
        for col in ("category", "labels", "found", "recall", "findings", "correct", "precision"):
            t.add_column(col, justify="right" if col != "category" else "left")
        for cat, m in rev["per_category"].items():
            t.add_row(cat, str(m["labels"]), str(m["found"]), _pct(m["recall"]), str(m["findings"]),
                      str(m["correct"]), _pct(m["precision"]))
        console.print(t)
    ret = data.get("metrics", {}).get("retrieval")
    if ret:
        t = Table(title="retrieval (hybrid, filtered by type and role, with fallback)",
                  title_justify="left", header_style="bold")
        for col in ("types", "queries", "k", "type P@k", "hit@k", "MRR", "fell back"):
            t.add_column(col, justify="right" if col != "types" else "left")
        for typ, m in ret.items():
            t.add_row(typ, str(m["queries"]), str(m["k"]), _pct(m["type_precision"]), _pct(m["hit_rate"]),
                      _pct(m["mrr"]), str(m["fell_back"]))
        console.print(t)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3f}"


# ============================================================================ JSON
def to_json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# ============================================================================ HTML
CSS = """
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --skip:#6e7781; --err:#8250df; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
       "WenQuanYi Micro Hei",system-ui,sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header .meta { color: #c9d1d9; font-size: 13px; }
main { padding: 18px 28px 60px; max-width: 1280px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; background: #fff; font-size: 13px; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eaeef2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px; font-weight: 600;
         color: #fff; min-width: 44px; text-align: center; }
.b-pass { background: var(--ok); } .b-fail { background: var(--bad); } .b-warn { background: var(--warn); }
.b-skip { background: var(--skip); } .b-error { background: var(--err); }
.verdict { font-size: 15px; padding: 3px 14px; margin-left: 10px; }
details.case { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.case > summary { cursor: pointer; padding: 7px 10px; list-style: none; }
details.case > summary::-webkit-details-marker { display: none; }
details.case[open] > summary { border-bottom: 1px solid var(--line); }
.case-body { padding: 8px 12px 12px; }
.cid { font-family: ui-monospace,SFMono-Regular,Menlo,monospace; font-size: 13px; margin: 0 8px; }
.desc { color: #57606a; font-size: 12px; }
.doc { white-space: pre-wrap; line-height: 1.75; font-size: 14px; background: #fff; border: 1px solid var(--line);
       padding: 10px 14px; max-height: 560px; overflow: auto; }
mark { border-radius: 2px; padding: 0 1px; }
mark.sev-error { background: #ffd7d5; border-bottom: 2px solid var(--bad); }
mark.sev-warning { background: #fff1b8; border-bottom: 2px solid var(--warn); }
mark.sev-info { background: #ddf4ff; border-bottom: 2px solid #0969da; }
mark.f-ok { background: #d2f5d6; border-bottom: 2px solid var(--ok); }
mark.f-false { background: #ffd7d5; border-bottom: 2px solid var(--bad); }
mark.lab-missed { background: #ffe2b3; border-bottom: 2px dashed #bc4c00; }
mark.lab-found { background: #d2f5d6; }
sup.fn { color: #57606a; font-size: 10px; margin-left: 1px; }
.cols { display: grid; grid-template-columns: minmax(0,3fr) minmax(0,2fr); gap: 14px; }
.sources li { margin-bottom: 8px; font-size: 13px; }
.src-text { color: #57606a; display: block; margin-top: 2px; }
.tag { display: inline-block; font-size: 11px; border: 1px solid var(--line); border-radius: 8px; padding: 0 6px;
       margin-right: 4px; background: #f6f8fa; }
.tag.fb { border-color: var(--warn); color: var(--warn); }
.legend { font-size: 12px; color: #57606a; margin: 4px 0; }
.bar { display: inline-block; height: 8px; background: var(--ok); vertical-align: middle; }
.bar.low { background: var(--bad); }
pre.small { white-space: pre-wrap; font-size: 12px; background: #f6f8fa; border: 1px solid var(--line);
            padding: 8px; max-height: 320px; overflow: auto; }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _badge(status: str, extra: str = "") -> str:
    return f'<span class="badge b-{status} {extra}">{_e(status)}</span>'


SEV_RANK = {"error": 0, "warning": 1, "info": 2}


def highlight(text: str, spans: Iterable[tuple[int, int, str, str, int]]) -> str:
    """Text with [start, end) spans wrapped in <mark class=cls title=…>; overlapping spans are
    split at every boundary and each piece takes the class of its first (highest-priority) span.
    A span is (start, end, cls, title, number); numbers are shown as superscripts at span ends."""
    spans = [s for s in spans if 0 <= s[0] < s[1] <= len(text)]
    if not spans:
        return _e(text)
    cuts = sorted({0, len(text), *[s[0] for s in spans], *[s[1] for s in spans]})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        cover = [s for s in spans if s[0] <= a and b <= s[1]]
        piece = _e(text[a:b])
        if cover:
            title = " | ".join(dict.fromkeys(s[3] for s in cover))
            out.append(f'<mark class="{cover[0][2]}" title="{_e(title)}">{piece}</mark>')
        else:
            out.append(piece)
        ends = [s[4] for s in spans if s[1] == b and s[4]]
        if ends:
            out.append("".join(f'<sup class="fn">{n}</sup>' for n in sorted(set(ends))))
    return "".join(out)


def _checks_table(checks: list[dict]) -> str:
    rows = "".join(
        f"<tr><td>{_e(c['name'])}{'' if c['required'] else ' <span class=desc>(optional)</span>'}</td>"
        f"<td>{_badge(c['status'])}</td><td class=num>{_e(_score(c['score']))}</td><td>{_e(c['reason'])}</td></tr>"
        for c in checks)
    return f"<table><tr><th>check</th><th>status</th><th>score</th><th>reason</th></tr>{rows}</table>"


def _findings_list(findings: list[dict]) -> str:
    if not findings:
        return "<p class=desc>No findings.</p>"
    rows = "".join(
        f"<tr><td class=num>{i}</td><td>{f.get('line', '')}:{f.get('col', '')}</td>"
        f"<td>{_e(f['severity'])}</td><td>{_e(f['rule'])}</td><td>{_e(f['category'])}</td>"
        f"<td>{_e(f.get('text', ''))}</td><td>{_e(f['message'])}"
        f"{(' → ' + _e(f['suggestion'])) if f.get('suggestion') else ''}</td></tr>"
        for i, f in enumerate(findings, 1))
    return ("<table><tr><th>#</th><th>line:col</th><th>severity</th><th>rule</th><th>category</th>"
            f"<th>text</th><th>message → suggestion</th></tr>{rows}</table>")


def _draft_html(a: dict[str, Any]) -> str:
    d = a["draft"]
    findings = a.get("findings", [])
    spans = []
    for i, f in enumerate(findings, 1):
        if f["end"] > f["start"]:
            spans.append((f["start"], f["end"], f"sev-{f['severity']}",
                          f"{i}. {f['rule']}: {f['message']}", i))
    spans.sort(key=lambda s: (SEV_RANK.get(s[2][4:], 9), s[0]))
    doc_level = [f"{i}. {f['rule']}: {f['message']}" for i, f in enumerate(findings, 1) if f["end"] == f["start"]]
    s = a.get("summary", {})
    notes = "".join(f"<li>{_e(n)}</li>" for n in d.get("notes", []))
    head = (f"<p class=desc>{_e(d['backend'])} ({_e(d['model'])}) · {_e(d['type'])} · {d['year']} · "
            f"{len(d['text'])} characters (target {d.get('target_length', '?')}) · "
            f"{d['rounds']} repair round(s) · review: {s.get('errors', 0)} errors, "
            f"{s.get('warnings', 0)} warnings</p>")
    legend = ("<p class=legend><mark class=sev-error>error</mark> <mark class=sev-warning>warning</mark> "
              "findings are highlighted in place (hover for the rule and message; numbers refer to "
              "the findings table).</p>")
    doc_html = ("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in doc_level) + "</ul>") if doc_level else ""
    sources = _sources_html(a.get("sources", []))
    return (f"{head}{('<ul class=desc>' + notes + '</ul>') if notes else ''}<div class=cols><div>"
            f"<h4>Draft</h4>{legend}{doc_html}<div class=doc>{highlight(d['text'], spans)}</div>"
            f"<h4>Findings</h4>{_findings_list(findings)}</div><div><h4>Retrieved sources</h4>{sources}"
            f"</div></div>")


def _sources_html(sources: list[dict]) -> str:
    if not sources:
        return "<p class=desc>No references were retrieved for this draft.</p>"
    items = []
    for i, r in enumerate(sources, 1):
        fb = '<span class="tag fb">fallback</span>' if r.get("fallback") else ""
        items.append(
            f"<li><span class=tag>{_e(r.get('type', ''))}</span><span class=tag>{_e(r.get('role', ''))}</span>{fb}"
            f"<b>{_e(r.get('heading', '') or '(no heading)')}</b> <span class=desc>score {r.get('score', 0):.4f} · "
            f"{_e(r.get('source', ''))} · {_e(str(r.get('id', ''))[:12])}</span>"
            f"<span class=src-text>{_e(str(r.get('text', ''))[:300])}</span></li>")
    return "<ol class=sources>" + "".join(items) + "</ol>"


def _queries_html(queries: list[dict]) -> str:
    out = []
    for q in queries:
        rows = "".join(
            f"<li><span class=tag>{_e(r['type'])}</span><span class=tag>{_e(r['role'])}</span>"
            f"<b>{_e(r['heading'] or '')}</b> <span class=desc>{r['score']:.4f} · {_e(r['source'])}</span>"
            f"<span class=src-text>{_e(r['text'][:160])}</span></li>" for r in q["results"])
        fb = f" · fell back to {_e(', '.join(q['fallback_types']))}" if q.get("fallback_types") else ""
        out.append(f"<details><summary>“{_e(q['text'])}” <span class=desc>{_e(q['type'])}/"
                   f"{_e(q['role'] or '*')} · expect {_e('、'.join(q['expect']))}{fb}</span></summary>"
                   f"<ol class=sources>{rows}</ol></details>")
    return "".join(out)


def _fixture_html(fx: dict[str, Any]) -> str:
    spans = []
    for i, f in enumerate(fx["findings"], 1):
        if f["end"] > f["start"] and f.get("correct") is not None:
            cls = "f-ok" if f["correct"] else "f-false"
            verdict = "correct" if f["correct"] else "FALSE POSITIVE"
            spans.append((f["start"], f["end"], cls, f"{i}. {verdict}: {f['rule']} ({f['category']}): {f['message']}", i))
    for lab in fx["labels"]:
        cls = "lab-found" if lab["found"] else "lab-missed"
        spans.append((lab["start"], lab["end"], cls,
                      f"label {lab['category']}{'+' + '+'.join(lab['also']) if lab.get('also') else ''}: "
                      f"{'found' if lab['found'] else 'MISSED'}", 0))
    prio = {"f-false": 0, "lab-missed": 1, "f-ok": 2, "lab-found": 3}
    spans.sort(key=lambda s: (prio[s[2]], s[0]))
    docs = "".join(f"<li>{_badge(PASS if d['found'] else FAIL)} document-level {_e(d['category'])} "
                   f"{_e(d.get('rule', ''))}</li>" for d in fx["doc_labels"])
    bad = fx["missed"] + fx["false"]
    return (f"<details class=case {'open' if bad else ''}><summary>{_badge(PASS if not bad else FAIL)}"
            f"<span class=cid>{_e(fx['id'])}</span><span class=desc>{_e(fx['file'])} · {_e(fx['type'])} · "
            f"{fx['year']} · {len(fx['labels']) + len(fx['doc_labels'])} labels · {len(fx['findings'])} findings · "
            f"{fx['missed']} missed · {fx['false']} false</span></summary><div class=case-body>"
            f"{('<p class=desc>' + _e(fx['note']) + '</p>') if fx.get('note') else ''}"
            f"{('<ul>' + docs + '</ul>') if docs else ''}<div class=doc>{highlight(fx['text'], spans)}</div>"
            f"{_findings_list(fx['findings'])}</div></details>")


def _case_html(c: dict[str, Any]) -> str:
    a = c.get("artifacts", {})
    body = [_checks_table(c["checks"])]
    if c.get("error"):
        body.append(f"<p><b>error:</b> {_e(c['error'])}</p>")
    if a.get("error"):
        body.append(f"<p><b>the draft failed:</b> {_e(a['error'])}</p>")
    if a.get("cli"):
        body.append(f"<p><b>ghplan draft</b> exit {a['cli']['exit']}: <code>{_e(a['cli']['stderr'])}</code></p>")
    if a.get("draft"):
        body.append(_draft_html(a))
    elif a.get("sources"):
        body.append("<h4>Retrieved sources</h4>" + _sources_html(a["sources"]))
    if a.get("prompts"):
        p = a["prompts"]
        body.append(f"<details><summary>System prompt ({p['requests']} requests, largest ≈{p['tokens_max']} "
                    f"tokens)</summary><pre class=small>{_e(p['system'])}</pre>"
                    f"<p class=desc>first request:</p><pre class=small>{_e(p['first_user'])}</pre></details>")
    if a.get("queries"):
        body.append("<h4>Queries and what was served</h4>" + _queries_html(a["queries"]))
    if a.get("fixtures"):
        body.append("<h4>Labelled fixtures</h4><p class=legend><mark class=f-ok>finding on a label</mark> "
                    "<mark class=f-false>false positive</mark> <mark class=lab-missed>missed label</mark> "
                    "<mark class=lab-found>label found</mark></p>"
                    + "".join(_fixture_html(fx) for fx in a["fixtures"]))
    elif a.get("missed") or a.get("false"):
        body.append("<ul>" + "".join(f"<li>missed: {_e(x)}</li>" for x in a.get("missed", []))
                    + "".join(f"<li>false positive: {_e(x)}</li>" for x in a.get("false", [])) + "</ul>")
    # failures open; so are caught adversarial drafts: the highlighted rot is the point of them
    open_ = "open" if c["status"] in (FAIL, ERROR) or (c["stage"] == "adversarial" and a.get("draft")) else ""
    n = len(c["checks"])
    failed = sum(1 for k in c["checks"] if k["status"] in (FAIL, ERROR))
    return (f"<details class=case id=\"{_e(c['id'])}\" {open_}><summary>{_badge(c['status'])}"
            f"<span class=cid>{_e(c['id'])}</span><span class=desc>{n} checks"
            f"{f', {failed} failed' if failed else ''} · {c['seconds']:.2f}s · {_e(c.get('description', ''))}"
            f"</span></summary><div class=case-body>{''.join(body)}</div></details>")


def _totals_html(data: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><a href=\"#stage-{_e(s)}\">{_e(s)}</a></td><td class=num>{t['cases']}</td>"
        f"<td class=num>{t['cases_pass']}</td><td class=num>{t['cases_fail']}</td><td class=num>{t['cases_skip']}</td>"
        f"<td class=num>{t['cases_error']}</td><td class=num>{t['checks']}</td><td class=num>{t['checks_pass']}</td>"
        f"<td class=num>{t['checks_fail'] + t['checks_error']}</td><td class=num>{t['checks_warn']}</td>"
        f"<td class=num>{t['checks_skip']}</td></tr>" for s, t in data["stages"].items())
    return ("<table><tr><th>stage</th><th>cases</th><th>passed</th><th>failed</th><th>skipped</th><th>errors</th>"
            "<th>checks</th><th>✓</th><th>✗ required</th><th>! optional</th><th>– skipped</th></tr>"
            f"{rows}</table>")


def _metrics_html(data: dict[str, Any]) -> str:
    out = []
    rev = data.get("metrics", {}).get("reviewer")
    if rev:
        rows = []
        for cat, m in rev["per_category"].items():
            def cell(v: float | None) -> str:
                if v is None:
                    return "<td class=num>n/a</td>"
                low = " low" if v < 0.9 else ""
                return f"<td class=num>{v:.3f} <span class=\"bar{low}\" style=\"width:{int(v * 60)}px\"></span></td>"
            rows.append(f"<tr><td>{_e(cat)}</td><td class=num>{m['labels']}</td><td class=num>{m['found']}</td>"
                        f"{cell(m['recall'])}<td class=num>{m['findings']}</td><td class=num>{m['correct']}</td>"
                        f"{cell(m['precision'])}</tr>")
        out.append(f"<h2>Reviewer precision and recall ({rev['fixtures']} labelled fixtures)</h2><table>"
                   "<tr><th>category</th><th>labels</th><th>found</th><th>recall</th><th>findings</th>"
                   f"<th>correct</th><th>precision</th></tr>{''.join(rows)}</table>")
    ret = data.get("metrics", {}).get("retrieval")
    if ret:
        rows = "".join(f"<tr><td>{_e(t)}</td><td class=num>{m['queries']}</td><td class=num>{_pct(m['type_precision'])}</td>"
                       f"<td class=num>{_pct(m['hit_rate'])}</td><td class=num>{_pct(m['mrr'])}</td>"
                       f"<td class=num>{m['fell_back']}</td></tr>" for t, m in ret.items())
        out.append("<h2>Retrieval (hybrid, type and role filter, fallback)</h2><table><tr><th>types</th>"
                   "<th>queries</th><th>type P@k</th><th>hit@k</th><th>MRR</th><th>fell back</th></tr>"
                   f"{rows}</table>")
    return "".join(out)


def render_html(data: dict[str, Any], generated: str = "") -> str:
    verdict = PASS if data["exit_code"] == 0 else (ERROR if data["exit_code"] == 1 else FAIL)
    tot = data["totals"]
    stages: dict[str, list[dict]] = {}
    for c in data["cases"]:
        stages.setdefault(c["stage"], []).append(c)
    sections = "".join(
        f"<h2 id=\"stage-{_e(s)}\">{_e(s)} <span class=desc>{len(cs)} cases</span></h2>"
        + "".join(_case_html(c) for c in cs) for s, cs in stages.items())
    notes = "".join(f"<li>{_e(n)}</li>" for n in data.get("notes", []))
    failure = f"<p><b>{_e(data['failure'])}</b></p>" if data.get("failure") else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ghplan eval · {_e(data['suite'])}</title>
<style>{CSS}</style></head>
<body><header><h1>ghplan eval · {_e(data['suite'])} {_badge(verdict, 'verdict')}</h1>
<div class="meta">{tot['cases']} cases · {tot['checks']} checks · {tot['pass']} passed · {tot['required_failed']} required failed ·
{tot['warn']} optional warnings · {tot['skip']} skipped · {data['seconds']:.1f}s · backend {_e(data['backend'])}
{(' · filter ' + _e(data['filter'])) if data.get('filter') else ''} · exit {data['exit_code']}
{(' · ' + _e(generated)) if generated else ''}</div></header>
<main>{failure}<h2>Totals per stage</h2>{_totals_html(data)}{_metrics_html(data)}
{('<ul class=desc>' + notes + '</ul>') if notes else ''}{sections}</main></body></html>
"""
