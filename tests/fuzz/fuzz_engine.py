"""Coverage-guided fuzzing (atheris / libFuzzer) of the text engine: decoding, the rules engine,
the heading parser, the compilation splitter, cleaning, `corpus inspect` and `review --fix`.

README
------
atheris is optional (not a dependency of ghplan): `pip install atheris` (binary wheels for
CPython on Linux x86-64; elsewhere pip builds it, which needs clang/libFuzzer).

    python tests/fuzz/fuzz_engine.py                         # 60 s (GHPLAN_FUZZ_SECONDS)
    GHPLAN_FUZZ_SECONDS=1800 python tests/fuzz/fuzz_engine.py tests/fuzz/corpus
    python tests/fuzz/fuzz_engine.py -max_total_time=600 -max_len=8192    # any libFuzzer flag

A directory argument is libFuzzer's corpus: inputs that reached new code are saved there and
reused next time (start it with a few seed pages: cp corpus/seeds/*.txt tests/fuzz/corpus/).
Without one, the run starts from the bundled seed pages and clean fixtures (in memory).
A failing input is written to ./crash-<sha1>; replay it with
`python tests/fuzz/fuzz_engine.py crash-<sha1>`. CI runs it for a few seconds through
tests/fuzz/test_fuzz_engine.py, skipped when atheris is not installed.

What one input goes through (any exception or broken invariant is a crash):
- the bytes are decoded as a page is (UTF-8, else GB18030; NUL bytes, PDFs, ZIPs refused with
  a DecodeError, the only exception allowed), and also read as Unicode code points directly;
- engine scan: every finding's `text == input[start:end]`, offsets in range, sorted by start;
- headings: in range, ordered; splitter: segments disjoint, ordered, in range;
- cleaning: idempotent (cleaning clean text changes nothing);
- inspect: never raises, removals with offsets point into the page;
- review: findings exact, sorted, in range, with 1-based line/col; the `--fix` loop never leaves
  more errors than it found, and its result reviews with exact offsets too.

What it found (and what was fixed; see the hardening notes of issue 8):
- `review --fix` removed the `## ` of a Markdown heading whose line has no 公文 number
  ("## 工作目标"): the line stopped being a heading, its section was lost and the fixed plan
  had more errors than the draft (writer/review.py: such a mark is no longer "fixable").
- cleaning was not idempotent when tidying exposed a hit ('、""' → '""' → ''):
  corpus/clean.py now re-scans after a tidy that changed the text.
- `review --fix` on a copied 范文 whose first section was deleted renumbered 二、三、… to
  一、二、…: every heading then differed from the source, one copied run split into many, and
  the fixed plan had more errors (copy runs) than the draft. writer/fix.py: a fix round that
  leaves more errors is retried without renumbering, else not applied.
- not found by fuzzing but by bench/bench_linearity.py: cleaning a big page and finding
  headings on a one-line page were quadratic (corpus/clean.py, corpus/headings.py).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import atheris  # noqa: E402  (optional: tests/fuzz/test_fuzz_engine.py skips without it)

with atheris.instrument_imports(include=["ghplan"]):
    from ghplan.corpus.clean import clean_text
    from ghplan.corpus.decode import DecodeError, decode_bytes
    from ghplan.corpus.headings import find_headings
    from ghplan.corpus.pipeline import inspect_text
    from ghplan.corpus.rules.engine import default_catalogue
    from ghplan.corpus.split import split_page
    from ghplan.writer.review.fix import fix_until_stable
    from ghplan.writer.review.reviewer import review_text

TYPES = (None, "school", "hospital", "enterprise", "township", "federation", "government", "women")
MAX_CHARS = 6000       # keeps one input well under a second


def check_text(text: str, org_type: str | None, year: int) -> None:
    cat = default_catalogue()
    findings = cat.scan(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for f in findings:
        assert 0 <= f.start <= f.end <= len(text), f
        assert text[f.start:f.end] == f.text, f

    hs = find_headings(text)
    assert [h.start for h in hs] == sorted(h.start for h in hs)
    for h in hs:
        assert 0 <= h.start <= h.end <= len(text), h

    segs = split_page(text, findings)
    for s in segs:
        assert 0 <= s.start <= s.end <= len(text), s
    for a, b in zip(segs, segs[1:]):
        assert a.end <= b.start or a.end <= b.title_start, (a, b)

    once, _ = clean_text(text, cat)
    twice, _ = clean_text(once, cat)
    assert twice == once, (text, once, twice)

    page = inspect_text(text, year=year)
    for r in page.removed:
        if r.start >= 0:
            assert text[r.start:r.end] == r.text, r

    first = review_text(text, org_type=org_type, year=year, copy=True)
    obj = first.to_json()
    assert [f["start"] for f in obj["findings"]] == sorted(f["start"] for f in obj["findings"])
    for f in obj["findings"]:
        assert 0 <= f["start"] <= f["end"] <= len(text), f
        assert text[f["start"]:f["end"]] == f["text"], f
        assert f["line"] >= 1 and f["col"] >= 1, f

    def again(t: str):
        return review_text(t, org_type=first.org_type, year=first.year, copy=True)

    fixed, _, final = fix_until_stable(text, again)
    assert final.errors <= first.errors, (
        text, fixed, [f.rule for f in first.findings if f.severity == "error"],
        [f.rule for f in final.findings if f.severity == "error"])
    for f in final.findings:
        assert fixed[f.start:f.end] == f.text, f


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    # three header bytes pick the type, the year and how the rest is read; the rest is the page
    if len(data) < 3:
        return
    org_type = TYPES[data[0] % len(TYPES)]
    year = 2006 + data[1] % 25
    as_unicode = bool(data[2] & 1)
    rest = data[3:]
    if as_unicode:
        text = atheris.FuzzedDataProvider(rest).ConsumeUnicodeNoSurrogates(MAX_CHARS)
    else:
        try:
            text = decode_bytes(rest[: MAX_CHARS * 4], "fuzz").text
        except DecodeError as exc:      # the one exception a page may raise: one clear line
            assert "\n" not in str(exc)
            return
    check_text(text[:MAX_CHARS], org_type, year)


def _seed_inputs() -> list[bytes]:
    """Real pages as starting points (header: inferred type, 2027, read as bytes)."""
    pages = sorted((ROOT / "corpus" / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "fixtures").glob("*.txt"))
    return [b"\x00\x15\x00" + p.read_text("utf-8")[:MAX_CHARS].encode("utf-8") for p in pages]


def main(argv: list[str]) -> None:
    args = list(argv)
    if not any(a.startswith("-max_total_time") for a in args[1:]):
        args.append(f"-max_total_time={int(os.environ.get('GHPLAN_FUZZ_SECONDS', '60'))}")
    if not any(a.startswith("-max_len") for a in args[1:]):
        args.append(f"-max_len={MAX_CHARS * 3}")
    if not any(a.startswith("-rss_limit_mb") for a in args[1:]):
        args.append("-rss_limit_mb=4096")     # torch-free, but the catalogue and opencc are sizeable
    inputs = [a for a in args[1:] if not a.startswith("-")]
    if not inputs:
        # no corpus dir and no crash file to replay: start from real pages, in a temp corpus
        import tempfile

        seeds = Path(tempfile.mkdtemp(prefix="ghplan-fuzz-"))
        for i, seed in enumerate(_seed_inputs()):
            (seeds / f"seed-{i:02d}").write_bytes(seed)
        args.append(str(seeds))
    atheris.Setup(args, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
