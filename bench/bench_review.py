"""Review throughput with the corpus copy check on, and the cost of building the copy index.

    python bench/bench_review.py [--mb 5] [--docs 1500]

Synthetic plan text: the clean plans in tests/fixtures with a 300-character cut of a raw seed
page pasted into one plan in five (so boilerplate, stale references and copied runs occur at a
realistic rate). Throughput is UTF-8 megabytes of input per second, two ways: one large text,
and many plan-sized texts reviewed one after another (the per-document overheads included).
A per-stage breakdown on the large text shows where the time goes.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def plans(n_bytes: int, seed: int = 1) -> list[str]:
    fixtures = [p.read_text("utf-8") for p in sorted((ROOT / "tests" / "fixtures").glob("clean_*.txt"))]
    seeds = [p.read_text("utf-8") for p in sorted((ROOT / "corpus" / "seeds").glob("*.txt"))]
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < n_bytes:
        text = rng.choice(fixtures)
        if rng.random() < 0.2:
            page = rng.choice(seeds)
            i = rng.randrange(len(page) - 300)
            cut = text.index("四、保障措施")
            text = text[:cut] + page[i:i + 300] + "\n\n" + text[cut:]
        out.append(text)
        size += len(text.encode("utf-8"))
    return out


def timed(fn):
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=5.0, help="size of the large synthetic text")
    ap.add_argument("--docs", type=int, default=1500, help="plan-sized documents for the second run")
    args = ap.parse_args()

    t_import, _ = timed(lambda: __import__("ghplan.writer.review.reviewer"))
    from ghplan.corpus.pipeline import build_corpus
    from ghplan.writer.review.copycheck import CopyIndex, default_index
    from ghplan.writer.review.reviewer import review_text

    # ---- copy index: the bundled corpus through the pipeline, then the k-gram index
    t_corpus, build = timed(lambda: build_corpus())
    t_index, index = timed(lambda: CopyIndex.from_documents(build.documents))
    chars = sum(len(t) for t in index.texts)
    print(f"copy index: corpus pipeline {t_corpus:.3f} s ({len(build.documents)} documents), "
          f"k-gram index {t_index * 1000:.1f} ms ({chars} characters, {len(index.grams)} grams)")
    default_index()   # warm the per-process default the reviewer uses

    # ---- one large text
    big = "\n".join(plans(int(args.mb * 1e6)))
    mb = len(big.encode("utf-8")) / 1e6
    review_text(big[:20000], year=2027, org_type="school")          # warm caches and compiled rules
    t_big, result = timed(lambda: review_text(big, year=2027, org_type="school"))
    print(f"review, one text:   {mb:.2f} MB in {t_big:.2f} s = {mb / t_big:.2f} MB/s "
          f"({len(result.findings)} findings, copy check on)")

    # ---- many plan-sized texts
    rng_docs = plans(int(args.docs * 6000), seed=2)[:args.docs]
    mb_docs = sum(len(d.encode("utf-8")) for d in rng_docs) / 1e6
    t_docs, _ = timed(lambda: [review_text(d, year=2027) for d in rng_docs])
    print(f"review, {len(rng_docs)} plans: {mb_docs:.2f} MB in {t_docs:.2f} s = {mb_docs / t_docs:.2f} MB/s "
          f"({t_docs / len(rng_docs) * 1000:.1f} ms per plan, type inferred, copy check on)")

    # ---- where the time goes (large text)
    from ghplan.corpus import label
    from ghplan.corpus.headings import find_headings
    from ghplan.corpus.rules import dated
    from ghplan.corpus.rules.engine import default_catalogue
    from ghplan.corpus.rules.normalize import normalise
    from ghplan.writer.review import numbering, orgcheck

    t, norm = timed(lambda: normalise(big))
    stages = [("normalise", t)]
    t, hits = timed(lambda: default_catalogue().match(norm.text))
    stages.append(("rule match (engine)", t))
    stages.append(("stale (dated.py)", timed(lambda: dated.check(big, 2027, norm, hits))[0]))
    t, hs = timed(lambda: find_headings(big))
    stages.append(("headings", t))
    stages.append(("section roles", timed(lambda: label.section_roles(hs))[0]))
    stages.append(("doc kind", timed(lambda: label.infer_doc_kind(big))[0]))
    stages.append(("numbering", timed(lambda: numbering.check(big, hs))[0]))
    stages.append(("organisation", timed(lambda: orgcheck.check(big, "hospital", norm))[0]))
    stages.append(("copy check", timed(lambda: default_index().check(big, 50, norm))[0]))
    print("stages (large text): " + ", ".join(f"{name} {mb / s:.1f} MB/s" for name, s in stages))
    print(f"import of writer.review.reviewer: {t_import * 1000:.0f} ms")


if __name__ == "__main__":
    main()
