"""Terminal tables and JSON text for `ghplan eval realpages` (the data comes from realpages_run)."""
from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table


def to_json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _recall_table(title: str, first: str, rows: dict[str, dict[str, Any]], overall: dict[str, Any],
                  cleaning_key: str, cleaning_label: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col, just in ((first, "left"), ("snippets", "right"), ("review found", "right"), ("recall", "right"),
                      ("scored", "right"), (cleaning_label, "right"), ("recall", "right")):
        t.add_column(col, justify=just)

    def add(name: str, r: dict[str, Any], style: str = "") -> None:
        t.add_row(name, str(r["snippets"]), str(r["review_found"]), _pct(r["review_recall"]),
                  str(r["cleaning_scored"]), str(r[cleaning_key]), _pct(r["cleaning_recall"]), style=style)
    for name, r in sorted(rows.items(), key=lambda kv: -kv[1]["snippets"]):
        add(name, r)
    add("overall", overall, "bold")
    return t


def _confusion(title: str, acc: dict[str, Any]) -> Table:
    labels = sorted(set(acc["confusion"]) | {p for row in acc["confusion"].values() for p in row})
    t = Table(title=f"{title}: {acc['correct']}/{acc['total']} = {_pct(acc['accuracy'])}  (rows: label, columns: corpus inspect)",
              title_justify="left")
    t.add_column("label \\ got")
    for lab in labels:
        t.add_column(lab[:10], justify="right")
    for lab in sorted(acc["confusion"]):
        row = acc["confusion"][lab]
        t.add_row(lab, *[(f"[bold]{row.get(p, 0)}[/bold]" if p == lab else str(row.get(p, 0) or "·"))
                         for p in labels])
    return t


def _ids(ids: list[str], most: int = 8) -> str:
    return ", ".join(ids[:most]) + (f" … (+{len(ids) - most})" if len(ids) > most else "")


def _summary(data: dict[str, Any]) -> Table:
    t = Table(title=f"realpages: {data['pages']} pages from {data['pages_file']}, plan year {data['year']}",
              title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("of", justify="right")
    b, s = data["boilerplate"]["overall"], data["stale"]["overall"]
    rows = [
        ("boilerplate found by review", _pct(b["review_recall"]), f"{b['review_found']}/{b['snippets']}"),
        ("boilerplate removed by cleaning", _pct(b["cleaning_recall"]), f"{b['cleaning_removed']}/{b['cleaning_scored']}"),
        ("stale found by review", _pct(s["review_recall"]), f"{s['review_found']}/{s['snippets']}"),
        ("stale reported by cleaning", _pct(s["cleaning_recall"]), f"{s['cleaning_reported']}/{s['cleaning_scored']}"),
        ("headings kept", _pct(data["headings"]["recall"]), f"{data['headings']['kept']}/{data['headings']['total']}"),
        ("headings kept, literal key (rot kept)", _pct(data["headings"].get("literal_recall")),
         f"{data['headings'].get('literal_kept', '—')}/{data['headings']['total']}"),
        ("content kept (characters)", _pct(data["content"]["share"]), f"{data['content']['kept']}/{data['content']['chars']}"),
        ("org type accuracy", _pct(data["org_type"]["accuracy"]), f"{data['org_type']['correct']}/{data['org_type']['total']}"),
        ("doc kind accuracy", _pct(data["doc_kind"]["accuracy"]), f"{data['doc_kind']['correct']}/{data['doc_kind']['total']}"),
        ("pages rejected (content, no document)", str(data["rejected"]["count"]), _ids(data["rejected"]["ids"])),
        ("all-boilerplate pages yielding documents", str(len(data["all_boilerplate"]["yielding_documents"])),
         f"of {len(data['all_boilerplate']['pages'])}" + (f": {_ids(data['all_boilerplate']['pages'])}"
                                                            if data["all_boilerplate"]["pages"] else "")),
        ("pages with a crash", str(len({e['id'] for e in data["errors"]})), ""),
    ]
    for r in rows:
        t.add_row(*r)
    return t


def _misses(title: str, misses: dict[str, list[dict[str, Any]]]) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("family")
    t.add_column("page")
    t.add_column("cleaning", justify="center")
    t.add_column("snippet (missed by review)", overflow="fold")
    for fam, rows in misses.items():
        for r in rows:
            text = " ".join(r["text"].split())
            mark = {True: "✓", False: "✗", None: "—"}[r["cleaning"]]
            t.add_row(fam, r["id"], mark, text[:60] + ("…" if len(text) > 60 else ""))
    return t


def print_terminal(data: dict[str, Any], out: Console, *, misses: bool = True) -> None:
    out.print(_summary(data))
    out.print(_recall_table("boilerplate by category (review found / cleaning removed)", "category",
                            data["boilerplate"]["by_category"], data["boilerplate"]["overall"],
                            "cleaning_removed", "removed"))
    out.print(_recall_table("stale references by family (review found / cleaning reported)", "family",
                            data["stale"]["by_family"], data["stale"]["overall"],
                            "cleaning_reported", "reported"))
    out.print(_confusion("org type", data["org_type"]))
    out.print(_confusion("doc kind", data["doc_kind"]))
    if misses:
        out.print(_misses("worst boilerplate misses per category", data["worst_misses"]["boilerplate"]))
        out.print(_misses("worst stale misses per family", data["worst_misses"]["stale"]))
    _print_crashes(data["errors"], out)


def _print_crashes(errors: list[dict[str, Any]], out: Console) -> None:
    """One line per distinct error, with how many pages hit it and the first few ids."""
    by_error: dict[str, list[str]] = {}
    for e in errors:
        by_error.setdefault(e["error"], []).append(e["id"])
    for error, ids in by_error.items():
        more = f" … (+{len(ids) - 5})" if len(ids) > 5 else ""
        out.print(f"[red]crash[/red] on {len(ids)} page(s) ({', '.join(ids[:5])}{more}): {error}",
                  highlight=False)
