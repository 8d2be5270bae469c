"""What every eval stage shares: the `Check` verdict, n-gram text metrics and numeric floors.

A check never raises for a failed assertion: it returns `Check(status="fail", reason=...)`,
with a reason a person can act on and, where there is a number, a `score`. Each stage module
(eval/stages/) gathers its inputs (drafts, reviews, prompts, retrieval results) and keeps its
own assertions in a `CHECKS` registry; `judge` runs a case's checks through one. Nothing here
touches the disk, a model or the index.

Text metrics are character based: Chinese has no spaces to split on, so overlap and similarity
are measured on character n-grams of the text with its whitespace removed, never on
whitespace tokens.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from ghplan.eval.spec import CheckSpec

PASS, FAIL, WARN, SKIP, ERROR = "pass", "fail", "warn", "skip", "error"
STATUSES = (PASS, FAIL, WARN, SKIP, ERROR)


@dataclass
class Check:
    name: str
    status: str                 # pass | fail | warn (a failed optional check) | skip | error
    reason: str
    score: float | None = None
    required: bool = True

    @property
    def failed(self) -> bool:
        """A failure that counts against the run (required and failed, or an error)."""
        return self.status in (FAIL, ERROR)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "required": self.required,
                "score": None if self.score is None else round(float(self.score), 4),
                "reason": self.reason}


def verdict(name: str, ok: bool, reason: str, score: float | None = None,
            required: bool = True) -> Check:
    """pass when ok; otherwise fail (required) or warn (optional)."""
    status = PASS if ok else (FAIL if required else WARN)
    return Check(name, status, reason, score, required)


def skipped(name: str, reason: str, required: bool = True) -> Check:
    return Check(name, SKIP, f"skipped: {reason}", None, required)


def errored(name: str, reason: str) -> Check:
    return Check(name, ERROR, reason, None, True)


def optional(check: Check) -> Check:
    """The same check, not counted against the run (a fail becomes a warn)."""
    status = WARN if check.status == FAIL else check.status
    return Check(check.name, status, check.reason, check.score, False)


# ---------------------------------------------------------------- character n-grams
_WS = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def compact(text: str) -> str:
    """The text without whitespace (a reflowed copy is still a copy)."""
    return _WS.sub("", text)


def char_ngrams(text: str, n: int) -> Counter:
    """Character n-grams of the whitespace-free text (a multiset)."""
    t = compact(text)
    return Counter(t[i:i + n] for i in range(len(t) - n + 1))


def ngram_set(texts: Iterable[str], n: int) -> set[str]:
    out: set[str] = set()
    for t in texts:
        out.update(char_ngrams(t, n))
    return out


def ngram_overlap(text: str, reference: set[str], n: int) -> float:
    """Share of the text's character n-grams (by occurrence) that occur in `reference`."""
    grams = char_ngrams(text, n)
    total = sum(grams.values())
    if not total:
        return 0.0
    return sum(c for g, c in grams.items() if g in reference) / total


def ngram_jaccard(a: str, b: str, n: int = 5) -> float:
    """Jaccard similarity of the two texts' character n-gram sets."""
    sa, sb = set(char_ngrams(a, n)), set(char_ngrams(b, n))
    if not sa and not sb:
        return 1.0
    return len(sa & sb) / len(sa | sb)


def cjk_length(text: str) -> int:
    """Length of the text without whitespace: what a person counts as 字数."""
    return len(compact(text))


def estimate_tokens(text: str) -> int:
    """A conservative token estimate: 1.5 per CJK character (BPE vocabularies often split them),
    one per 3 other characters."""
    cjk = len(_CJK.findall(text))
    return math.ceil(cjk * 1.5 + (len(text) - cjk) / 3)


# ---------------------------------------------------------------- generic floors
def at_least(name: str, value: float | None, floor: float, what: str, *, required: bool = True,
             detail: str = "") -> Check:
    if value is None:
        return skipped(name, f"no {what} to measure{': ' + detail if detail else ''}", required)
    ok = value >= floor - 1e-9
    rel = "≥" if ok else "<"
    return verdict(name, ok, f"{what} {value:.3f} {rel} {floor:g}{' — ' + detail if detail else ''}",
                   value, required)


def at_most(name: str, value: float | None, ceiling: float, what: str, *, required: bool = True,
            detail: str = "") -> Check:
    if value is None:
        return skipped(name, f"no {what} to measure", required)
    ok = value <= ceiling + 1e-9
    rel = "≤" if ok else ">"
    return verdict(name, ok, f"{what} {value:.3f} {rel} {ceiling:g}{' — ' + detail if detail else ''}",
                   value, required)




# ---------------------------------------------------------------- running a registry
CheckFn = Callable[[Any, Mapping[str, Any]], Check]


def judge(specs: Sequence["CheckSpec"], registry: Mapping[str, CheckFn], subject: Any) -> list[Check]:
    """Run a case's checks, in the suite's order, each looked up by name in its stage's
    registry (load_suite has already rejected names the registry lacks)."""
    out = []
    for spec in specs:
        chk = registry[spec.name](subject, spec.params)
        out.append(chk if spec.required else optional(chk))
    return out
