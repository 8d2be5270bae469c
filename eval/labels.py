"""Labelled reviewer fixtures: inline span labels, and findings matched against them.

A fixture text marks every problem in place (`⟦stale:十七大⟧`); `parse_labels` turns it into the
plain text and exact spans, `match_findings` scores a review's findings against them per rule
category (recall and precision). Pure functions; eval/stages/reviewer.py reads the files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

LABEL = re.compile(r"⟦(?P<cat>[a-z_]+(?:\+[a-z_]+)*)(?:/(?P<rule>[A-Z0-9-]+))?:(?P<text>[^⟦⟧]*)⟧")


@dataclass(frozen=True)
class Label:
    category: str                 # the problem's category: its recall is counted here
    start: int
    end: int
    text: str
    rule: str = ""
    also: tuple[str, ...] = ()    # other categories a finding on this span may rightly have


def parse_labels(marked: str) -> tuple[str, list[Label]]:
    """A fixture text with inline labels → (plain text, labels with exact spans in it).

    `⟦stale:十七大⟧` marks 十七大 as a stale reference; `⟦structure/GH-STRUCT-SUMMARY:现将…⟧`
    also names the rule; `⟦promotion+download:…喜欢就复制下载支持吧!⟧` is a promotion blurb that is
    rightly reported as a download prompt too (recall counts under the first category, a finding
    of any listed category on the span is correct). The labels' spans are offsets into the
    returned plain text, exactly."""
    out: list[str] = []
    labels: list[Label] = []
    pos = 0
    length = 0
    for m in LABEL.finditer(marked):
        chunk = marked[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        body = m.group("text")
        cats = m.group("cat").split("+")
        labels.append(Label(cats[0], length, length + len(body), body, m.group("rule") or "",
                            tuple(cats[1:])))
        out.append(body)
        length += len(body)
        pos = m.end()
    out.append(marked[pos:])
    text = "".join(out)
    if "⟦" in text or "⟧" in text:
        raise ValueError("unbalanced label brackets ⟦ ⟧ in a reviewer fixture")
    return text, labels


@dataclass
class Tally:
    labels: int = 0          # labelled problems
    found: int = 0           # labelled problems some finding of the category overlaps (recall)
    findings: int = 0        # findings reported in the category
    correct: int = 0         # findings that overlap a label of their category (precision)
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)

    def recall(self) -> float | None:
        return self.found / self.labels if self.labels else None

    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None

    def add(self, other: "Tally") -> None:
        self.labels += other.labels
        self.found += other.found
        self.findings += other.findings
        self.correct += other.correct
        self.missed += other.missed
        self.false += other.false


def _overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def judge_spans(labels: Sequence[Label], doc_labels: Sequence[Mapping[str, str]],
                findings: Sequence[Mapping[str, Any]],
                severities: Sequence[str] = ("error", "warning")) -> tuple[list[bool], list[bool], list[bool | None]]:
    """(label found?, document label found?, finding correct? — None for a finding whose severity
    is not judged).

    A finding hits a label when both are of one category and their spans overlap (a label may
    name its rule; then the rule must match too; for precision, a label's `also` categories
    count as its own). A zero-width finding (a missing section) matches a document-level label
    of its category."""
    def hits(f: Mapping[str, Any], lab: Label, any_category: bool = False) -> bool:
        cats = (lab.category, *lab.also) if any_category else (lab.category,)
        return (f["category"] in cats and (not lab.rule or f["rule"] == lab.rule)
                and _overlaps(f["start"], max(f["end"], f["start"] + 1), lab.start, lab.end))

    def doc_hit(f: Mapping[str, Any], d: Mapping[str, str]) -> bool:
        return f["category"] == d["category"] and (not d.get("rule") or f["rule"] == d["rule"])

    judged = [f for f in findings if f.get("severity") in severities]
    found = [any(hits(f, lab) for f in judged) for lab in labels]
    doc_found = [any(doc_hit(f, d) for f in judged if f["start"] == f["end"]) for d in doc_labels]
    ok: list[bool | None] = []
    for f in findings:
        if f.get("severity") not in severities:
            ok.append(None)
        elif f["start"] == f["end"]:
            ok.append(any(doc_hit(f, d) for d in doc_labels))
        else:
            ok.append(any(hits(f, lab, any_category=True) for lab in labels))
    return found, doc_found, ok


def match_findings(labels: Sequence[Label], doc_labels: Sequence[Mapping[str, str]],
                   findings: Sequence[Mapping[str, Any]], fixture_id: str = "",
                   severities: Sequence[str] = ("error", "warning")) -> dict[str, Tally]:
    """Per category: labelled spans found (recall) and findings that hit a label (precision);
    see `judge_spans` for what counts as a hit. Findings below `severities` are ignored."""
    found, doc_found, ok = judge_spans(labels, doc_labels, findings, severities)
    tallies: dict[str, Tally] = {}

    def t(cat: str) -> Tally:
        return tallies.setdefault(cat, Tally())

    for lab, hit in zip(labels, found):
        t(lab.category).labels += 1
        if hit:
            t(lab.category).found += 1
        else:
            t(lab.category).missed.append(f"{fixture_id}: “{lab.text}” at {lab.start}")
    for d, hit in zip(doc_labels, doc_found):
        t(d["category"]).labels += 1
        if hit:
            t(d["category"]).found += 1
        else:
            t(d["category"]).missed.append(f"{fixture_id}: document-level {d.get('rule') or d['category']}")
    for f, good in zip(findings, ok):
        if good is None:
            continue
        tl = t(f["category"])
        tl.findings += 1
        if good:
            tl.correct += 1
        else:
            tl.false.append(f"{fixture_id}: {f['rule']} “{str(f.get('text', ''))[:24]}” at {f['start']}")
    return tallies
