"""The kind of a document, read off its body: plan, summary, or mixed (a review and then a plan).

Read as a careful reader does, sentence by sentence (does it look back or ahead?), with the
openings, results headings and meeting reports that settle the harder pages; see
`infer_doc_kind`. The cue words live in corpus/rules/roles.toml ([kinds] and [cues.*]).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from ghplan.corpus.label import normalised
from ghplan.corpus.lexicon import cue_field, cue_words, roles_data
from ghplan.corpus.rules.normalize import normalise


def _normalised(text: str) -> str:
    return normalised(text).text


def _kinds() -> dict:
    return roles_data()["kinds"]


def plan_part_start(text: str) -> int:
    """Offset where the plan part of a mixed document begins (下半年工作打算 …), or -1."""
    body = _normalised(text)
    best = -1
    for phrase in _kinds()["plan_part"]:
        i = body.find(phrase)
        if i > 0 and (best < 0 or i < best):
            best = i
    # only a plan part in the latter half of a document turns a summary into a mixed one
    return best if best > len(body) * 0.3 else -1


_SENTENCE = re.compile(r"[。！？!?；;\n]+")
MIN_SENTENCE = 6          # shorter pieces are headings and list debris
# Shares of sentences (measured on real pages: plans keep looking-back sentences under ~0.15,
# summaries over it; a mixed document's latter half is at least 0.4 forward-looking).
PLAN_MAX_BACK = 0.15
SUMMARY_MAX_FORWARD = 0.1
MIXED_MIN_FORWARD_TAIL = 0.4
OPENING_CHARS = 300       # where a summary says 现将…总结如下 and a mixed document announces its parts
NEWS_LEDE = 120           # where a news report puts its date and event
NEWS_MIN_CUES = 2         # different meeting-report words (a dated lede counts as one) that make a text news


def _masked(sentence: str, exceptions: tuple[str, ...]) -> str:
    for w in exceptions:
        if w in sentence:
            sentence = sentence.replace(w, " " * len(w))
    return sentence


def _sentences(body: str) -> list[str]:
    return [s for s in _SENTENCE.split(body) if len(s) >= MIN_SENTENCE]


@lru_cache(maxsize=8)
def _any_of(words: tuple[str, ...]) -> re.Pattern | None:
    """One alternation for `any(w in s for w in words)` (None for no words: nothing matches)."""
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


def _contains_any(s: str, words: tuple[str, ...]) -> bool:
    rx = _any_of(words)
    return rx is not None and rx.search(s) is not None


def _tense_flags(body: str) -> tuple[list[bool], list[bool]]:
    """Per sentence: does it look back (了, 取得, 一年来 …), does it (and not back) look forward (将, 要 …)?

    Words that merely contain a cue (为了, 重要, 计划生育) are masked first ([cues.*] not_in).
    Masked and searched over the whole text at once (a word that holds no sentence break never
    straddles two sentences, so each sentence is masked exactly as on its own); only word lists
    holding a break are read sentence by sentence (`_tense_flags_by_sentence`, the reference).
    """
    lists = (cue_words("looking_back"), cue_words("looking_forward"),
             cue_field("looking_back", "not_in"), cue_field("looking_forward", "not_in"))
    if any(not w or _SENTENCE.search(w) for words in lists for w in words):
        return _tense_flags_by_sentence(body)
    back_words, fwd_words, back_not, fwd_not = lists
    spans = [m.span() for m in _PIECE.finditer(body) if m.end() - m.start() >= MIN_SENTENCE]
    back_at = _sentences_holding(_masked(body, back_not), back_words, spans)
    fwd_at = _sentences_holding(_masked(body, fwd_not), fwd_words, spans)
    back = [i in back_at for i in range(len(spans))]
    return back, [not b and i in fwd_at for i, b in enumerate(back)]


_PIECE = re.compile(r"[^。！？!?；;\n]+")      # what `_SENTENCE.split` leaves between breaks


def _sentences_holding(text: str, words: tuple[str, ...], spans: list[tuple[int, int]]) -> set[int]:
    """Indices of the `spans` (sentences, in order) holding one of `words`: one search per
    sentence with a hit, each resuming after that sentence (a hit in it settles it)."""
    rx = _any_of(words)
    found: set[int] = set()
    if rx is None or not spans:
        return found
    starts = [s for s, _ in spans]
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        i = bisect.bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < spans[i][1]:
            found.add(i)
        if i + 1 >= len(spans):
            break
        pos = starts[i + 1]
    return found


def _tense_flags_by_sentence(body: str) -> tuple[list[bool], list[bool]]:
    """`_tense_flags` one sentence at a time: the plain reading, for any word lists."""
    back_words, fwd_words = cue_words("looking_back"), cue_words("looking_forward")
    back_not, fwd_not = cue_field("looking_back", "not_in"), cue_field("looking_forward", "not_in")
    back, fwd = [], []
    for s in _sentences(body):
        masked = _masked(s, back_not)
        b = _contains_any(masked, back_words)
        back.append(b)
        if not b:
            masked = _masked(s, fwd_not)
        fwd.append(not b and _contains_any(masked, fwd_words))
    return back, fwd


def tense_profile(text: str) -> tuple[float, float, float, float]:
    """Shares of sentences looking back and looking forward, overall and in the latter half.

    Returns (back, forward, forward in the first half, forward in the second half).
    """
    back, fwd = _tense_flags(_normalised(text))
    n = len(back)
    if not n:
        return 0.0, 0.0, 0.0, 0.0
    half = n // 2
    return (sum(back) / n, sum(fwd) / n, sum(fwd[:half]) / max(1, half), sum(fwd[half:]) / max(1, n - half))


def _plan_follows(body: str) -> bool:
    """A short review up front (上半年…取得了…现将下半年工作打算如下) and a plan after it."""
    cut = min((i for i in (body.find(p) for p in _kinds()["plan_part"]) if i > 0), default=-1)
    return cut > 0 and tense_profile(body[cut:])[0] < PLAN_MAX_BACK and len(body) - cut > 2 * cut


_CLAUSE = re.compile(r"[。！？!?；;\n]")


def is_news(body: str) -> bool:
    """A report of a meeting, visit or inspection: what a meeting said (会议强调, 会上), who chaired
    it, a dated lede (3月5日，…召开). A plan schedules meetings; it never reports one."""
    hits = sum(1 for w in cue_words("meeting_news") if w in body)
    if _has_lede(body[:NEWS_LEDE]):
        hits += 1 + sum(1 for w in cue_field("meeting_news", "weak") if w in body)
    return hits >= NEWS_MIN_CUES


_DAY = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})?月(?:\d{1,2}|[一二三四五六七八九十]{1,3})?[日号]")


def _has_lede(opening: str) -> bool:
    """A date (3月5日, 近日) and an event (召开, 举行, 莅临 …) in one sentence of the opening."""
    dates = [m.start() for m in _DAY.finditer(opening)]
    dates += [i for i in (opening.find(d) for d in cue_field("news_lede", "dates")) if i >= 0]
    for i in dates:
        sentence = re.split(r"[。！？!?；;\n]", opening[i:], maxsplit=1)[0]
        if any(w in sentence for w in cue_words("news_lede")):
            return True
    return False


def _near(body: str, words: tuple[str, ...], objects: tuple[str, ...], reach: int = 25) -> bool:
    """Some word with one of `objects` within `reach` characters before or after it, in one sentence."""
    for w in words:
        for m in re.finditer(re.escape(w), body):
            after = _CLAUSE.split(body[m.end():m.end() + reach], 1)[0]
            before = _CLAUSE.split(body[max(0, m.start() - reach):m.start()])[-1]
            if any(o in after or o in before for o in objects):
                return True
    return False


def news_acts(body: str) -> tuple[bool, bool]:
    """(does the news review past work, does it deploy work ahead)."""
    reviews = _near(body, cue_words("review_act"), cue_field("review_act", "objects"))
    deploys = any(w in body for w in cue_words("deploy_act"))
    return reviews, deploys


_HEADING_MARK = r"(?:^|[\n。；;:：])\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|【)\s*"


@lru_cache(maxsize=1)
def _results_heading() -> re.Pattern:
    words = "|".join(re.escape(normalise(w).text) for w in cue_words("results_heading"))
    return re.compile(_HEADING_MARK + r"[^。，,\n]{0,10}?(?:" + words + ")")


@lru_cache(maxsize=1)
def _results_words() -> re.Pattern:
    return re.compile("|".join(re.escape(normalise(w).text) for w in cue_words("results_heading")))


def has_results_heading(body: str) -> bool:
    """A results heading (一、工作概况, 存在的问题) in normalised `body`. Every match ends in one of
    the words, so a body holding none is answered by one literal search (a plan's usual case:
    the whole pattern tries its markers after every line break, ~10 ms a MB)."""
    return _results_words().search(body) is not None and _results_heading().search(body) is not None


def announces_plan_part(body: str) -> bool:
    """The opening names both parts: …总结暨工作计划, …完成的主要工作以及下半年的工作安排如下."""
    opening = body[:OPENING_CHARS]
    review, plan = cue_field("announces_plan_part", "review"), cue_words("announces_plan_part")
    joins, never = cue_field("announces_plan_part", "joins"), cue_field("announces_plan_part", "not_in")
    for clause in re.split(r"[。！？!?；;]", opening):
        if any(w in clause for w in never):
            continue
        r = min((i for i in (clause.find(w) for w in review) if i >= 0), default=-1)
        if r < 0:
            continue
        p = min((i for i in (clause.find(w, r + 1) for w in plan) if i > r), default=-1)
        if p > r and any(j in clause[r:p] for j in joins):
            return True
    return False


def infer_doc_kind(text: str) -> str:
    """The document kind of `text` (see `_infer_doc_kind`). Remembered for the last few texts:
    a review asks it twice of one text (structure.py and broken.py), and it reads every sentence."""
    return _doc_kind_memo(text)


@lru_cache(maxsize=2)
def _doc_kind_memo(text: str) -> str:
    return _infer_doc_kind(text)


def _infer_doc_kind(text: str) -> str:
    """plan, summary, or mixed (a review followed by plans, or a meeting that reviews and deploys).

    Read as a careful reader does:
    - news of a meeting or visit is judged by what the meeting did: reviewed past work and deployed
      the next (mixed), only deployed (plan), only reviewed (summary); its reporting past tense
      (召开了, 主持了) says nothing about the document's kind;
    - otherwise sentence by sentence: a plan has almost no looking-back sentences (one recap
      sentence in an opening that then looks forward is still a plan); a summary opens as one
      (现将…总结如下) or has results headings (一、工作概况, 存在的问题); a mixed document announces both
      parts in its opening, names its plan part (下半年工作打算 …), or turns forward in its latter half.
    """
    body = _normalised(text)
    back_flags, fwd_flags = _tense_flags(body)
    n = len(back_flags)
    back_n, fwd_n = sum(back_flags), sum(fwd_flags)
    back, fwd = (back_n / n, fwd_n / n) if n else (0.0, 0.0)
    half = n // 2
    fwd_first = sum(fwd_flags[:half]) / max(1, half)
    fwd_second = sum(fwd_flags[half:]) / max(1, n - half)
    said_summary = any(p in body[:OPENING_CHARS] for p in cue_field("summary_opening", "declares"))
    if not said_summary and is_news(body):
        reviews, deploys = news_acts(body)
        if reviews and deploys:
            return "mixed"
        if deploys:
            return "plan"
        if reviews:
            return "summary"
    opens_as_summary = (any(p in body[:OPENING_CHARS] for p in cue_words("summary_opening"))
                        or has_results_heading(body))
    # one looking-back sentence early on (去年我校工会被评为…) and then a text that looks ahead
    recap_only = back_n <= 1 and fwd_n >= 2 and True not in back_flags[max(1, n // 3):]
    if (back < PLAN_MAX_BACK or recap_only) and not opens_as_summary:
        return "plan"
    if plan_part_start(text) > 0 or _plan_follows(body) or announces_plan_part(body):
        return "mixed"
    if fwd < SUMMARY_MAX_FORWARD or said_summary:
        return "summary"      # 现将…总结如下 with no plan part named: its present-tense resolve is still review
    if fwd_second >= MIXED_MIN_FORWARD_TAIL and fwd_second >= fwd_first:
        return "mixed"
    return "summary"
