"""--fix and --annotate on a Word file: the certain fixes as tracked changes, findings as comments.

The text is what corpus/read.py reads from the document (tracked changes accepted, Word's numbers
rendered); each certain fix (writer/review/fix.py's `certain_edits`, the same fixes as on text) is
cut per paragraph and written with writer/export/tracked.py as a w:del/w:ins by "ghplan" with a
comment: the rule id, what is wrong (Chinese, as the cadre reads it), and for a replacement what
replaced it and why. Rounds repeat while certain fixes remain (a deletion can uncover a hit), and a
round that would leave more errors than it found is not applied; a broken heading sequence is
renumbered in a round of its own (Word's automatic numbers are Word's: never touched).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Sequence

from ghplan.corpus.read import ReadResult, read_bytes_as
from ghplan.corpus.rules.model import Finding
from ghplan.writer.export.tracked import Edit, annotated_docx, apply_tracked, block_edits
from ghplan.writer.review import numbering
from ghplan.writer.review.fix import _SEQUENCE_RULES, certain_edits
from ghplan.writer.review.rules import all_rules

__all__ = ["DocxFix", "fix_docx", "annotate_docx", "comment_for"]


@dataclass(frozen=True)
class DocxFix:
    data: bytes                 # the .docx with tracked changes and comments
    read: ReadResult            # the document as read with every change accepted
    applied: tuple[Edit, ...]   # the tracked changes made (one Edit per paragraph touched)
    fixes: int                  # findings acted on
    skipped: tuple[Edit, ...]   # fixes that could not be placed (on Word's own numbers, overlaps)
    review: object              # the review of the accepted text (ReviewResult)


def _reason(rule_id: str) -> str:
    rule = all_rules().get(rule_id)
    return getattr(rule, "message_zh", "") or getattr(rule, "reason", "") if rule else ""


def comment_for(f: Finding, new: str | None = None) -> str:
    """What a comment on a finding says: rule id, what is wrong, and what replaced it and why."""
    head = f"ghplan {f.rule}（{f.severity}）"
    what = f.message_zh or f.message
    lines = [f"{head}：{what}"]
    if new is not None:
        if new:
            lines.append(f"已将“{f.text}”改为“{new}”。")
            why = _reason(f.rule)
            if why and why not in what:
                lines.append(f"原因：{why}")
        else:
            lines.append("已删除（接受修订即删除，拒绝即保留）。")
    if f.message and f.message != what:
        lines.append(f.message)
    return "\n".join(lines)


def _round_edits(read: ReadResult, findings: list[Finding]) -> tuple[list[Edit], int]:
    """Per-paragraph edits for one round: the certain fixes, overlaps resolved as apply_edits does."""
    pairs = sorted(certain_edits(read.text, findings), key=lambda p: (p[1].start, -p[1].end))
    out: list[Edit] = []
    pos = 0
    acted = 0
    for f, e in pairs:
        if e.end <= pos:
            acted += 1                      # inside a deletion already made: done by it
            continue
        if e.start < pos:
            continue                        # a repair overlapped by a deletion: the deletion wins
        new = e.replacement
        out += block_edits(read, e.start, e.end, new, f.rule, comment_for(f, new))
        acted += 1
        pos = e.end
    if not out:
        sequence = [f for f in findings if f.fixable and f.rule in _SEQUENCE_RULES]
        if sequence:
            for s, e, new in numbering.renumber_edits(read.text):
                f = next((x for x in sequence if x.start <= s < max(x.end, s + 1)), sequence[0])
                why = f"ghplan {f.rule}：标题序号“{read.text[s:e]}”不连续，已改为“{new}”。"
                out += block_edits(read, s, e, new, f.rule, why)
            acted += len(sequence) if out else 0
    return out, acted


def fix_docx(original: bytes, name: str, review: Callable[[str], object], *, rounds: int = 3,
             when: datetime | None = None, author: str = "ghplan") -> DocxFix:
    """The certain fixes of `review`'s findings as tracked changes in `original` (a .docx).

    `review(text)` reviews a text (same type and year each time) and returns a ReviewResult."""
    when = when or datetime.now(timezone.utc).replace(microsecond=0)
    data = original
    read = read_bytes_as(data, name)
    result = review(read.text)
    applied: list[Edit] = []
    skipped: list[Edit] = []
    fixes = 0
    for _ in range(rounds):
        if not any(f.fixable for f in result.findings):
            break
        edits, acted = _round_edits(read, list(result.findings))
        if not edits:
            break
        done = apply_tracked(data, edits, author=author, when=when)
        if not done.applied:
            skipped += done.skipped
            break
        new_read = read_bytes_as(done.data, name)
        again = review(new_read.text)
        if again.errors > result.errors:
            break                        # a round never leaves more errors than it started with
        data, read, result = done.data, new_read, again
        applied += done.applied
        skipped += done.skipped
        fixes += acted
    return DocxFix(data, read, tuple(applied), fixes, tuple(skipped), result)


def annotate_docx(original: bytes, read: ReadResult, findings: Sequence[Finding], *,
                  when: datetime | None = None, author: str = "ghplan") -> bytes:
    """A copy of `original` with a comment on each finding's span (offsets into `read.text`)."""
    notes: list[Edit] = []
    for f in findings:
        pieces = block_edits(read, f.start, min(f.end, len(read.text)), "", f.rule, "")
        text = comment_for(f)
        if f.suggestion:
            text += f"\n建议改为“{f.suggestion}”。"
        if pieces:
            first = pieces[0]
            end = min(first.end, len(read.blocks[first.paragraph - 1].text))
            notes.append(Edit(first.paragraph, first.start, end, "", f.rule, text))
    return annotated_docx(original, notes, author=author, when=when)

