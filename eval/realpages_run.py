"""The edges of `ghplan eval realpages`: read the labelled pages, run corpus inspect and review on
each, hand the results to the pure scorer (eval/realpages.py).

Review runs with the plan year given (default 2027), the organisation type inferred from the
text (as a user would run it) and the copy check off (it measures copying from the bundled
corpus, not rot). A crash in cleaning or review on one page is recorded on that page and the
measure goes on: the rules change under it while others work.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from ghplan.eval.realpages import LabelledPage, Observed, PageScore, score_page, summarise
from ghplan.writer.errors import UsageError

REQUIRED = ("id", "text", "org_type", "doc_kind")
DEVSET = Path("..") / "shared" / "devset" / "pages.jsonl"    # relative to the repository root


def repo_root() -> Path:
    """The repository this module runs from (eval/ sits at its top)."""
    return Path(__file__).resolve().parents[1]


def default_pages(root: Path | None = None) -> Path:
    """The dev set beside the repository, or a UsageError saying to pass --pages."""
    path = ((root or repo_root()) / DEVSET).resolve()
    if not path.is_file():
        raise UsageError(f"no labelled pages at {path}; pass --pages PATH")
    return path


def load_pages(path: Path) -> list[LabelledPage]:
    """One JSON object per line with at least id, text, org_type, doc_kind (UsageError otherwise)."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    pages = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{n}: not JSON ({exc.msg})") from None
        missing = [k for k in REQUIRED if not isinstance(rec, dict) or k not in rec]
        if missing:
            raise UsageError(f"{path}:{n}: record without {', '.join(missing)}")
        pages.append(LabelledPage.from_record(rec))
    if not pages:
        raise UsageError(f"{path}: no records")
    return pages


def observe(page: LabelledPage, year: int) -> Observed:
    """Run corpus inspect and review on one page's raw text."""
    obs = Observed()
    try:   # imports inside: a module broken mid-edit is a measured failure too
        from ghplan.corpus.pipeline import inspect_text

        res = inspect_text(page.text, source=page.id, year=year)
        obs.documents = [d.text for d in res.documents]
        obs.org_type, obs.doc_kind = res.org_type, res.doc_kind
        obs.stale = [(s.text, s.start, s.end) for s in res.stale]
    except Exception as exc:  # noqa: BLE001 - one page's crash is a measured failure, not the end
        obs.inspect_error = f"{type(exc).__name__}: {exc}"
    try:
        from ghplan.writer.review.reviewer import review_text

        rev = review_text(page.text, year=year, copy=False, file=page.id)
        obs.findings = [(f.start, f.end, f.category) for f in rev.findings]
    except Exception as exc:  # noqa: BLE001
        obs.review_error = f"{type(exc).__name__}: {exc}"
    return obs


def score_pages(pages: Iterable[LabelledPage], year: int,
                progress: Callable[[str, int, int], None] | None = None) -> list[PageScore]:
    pages = list(pages)
    out = []
    for i, page in enumerate(pages):
        out.append(score_page(page, observe(page, year)))
        if progress is not None:
            progress(page.id, i + 1, len(pages))
    return out


def run_realpages(path: Path, year: int = 2027, *, worst: int = 5,
                  progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Load, observe, score: the `--json` object (see README, `ghplan eval realpages`)."""
    t0 = time.perf_counter()
    scores = score_pages(load_pages(path), year, progress)
    data = {"pages_file": str(path), "year": year}
    data.update(summarise(scores, worst=worst))
    data["seconds"] = round(time.perf_counter() - t0, 2)
    return data
