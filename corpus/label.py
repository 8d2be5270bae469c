"""Label a document from its body, never its title: org type, doc kind, section roles.

Content farms put any title on any page (a "hospital" page holding a township's, a school's
and a forestry work area's plans), so every label here is read off the words of the body.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ghplan.corpus.lexicon import cue_field, cue_words, roles_data
from ghplan.corpus.model import Heading
from ghplan.corpus.rules.engine import load_toml
from ghplan.corpus.rules.normalize import Normalised, normalise


@dataclass(frozen=True)
class Vocab:
    org_type: str
    cues: dict[str, int]
    belongs: tuple[str, ...]
    betray: tuple[str, ...]
    name: str = ""       # the Chinese name shown to users (学校, 医院 …)


@lru_cache(maxsize=1)
def _all_vocabularies() -> dict[str, Vocab]:
    """Every cue table in vocab.toml, including label-only ones ("other": youth league …)."""
    data = load_toml("vocab.toml")
    return {t: Vocab(t, dict(v.get("cues", {})), tuple(v.get("belongs", ())), tuple(v.get("betray", ())),
                     str(v.get("name", t)))
            for t, v in data.items() if isinstance(v, dict) and "cues" in v}


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, Vocab]:
    """vocab.toml, read once: the one loader for labelling, review, retrieval and drafting.

    Only the organisation types a plan can have; label-only tables (the "other" cues) are left out.
    """
    data = load_toml("vocab.toml")
    return {t: v for t, v in _all_vocabularies().items() if not data[t].get("label_only")}


def _roles() -> dict:
    return roles_data()


@lru_cache(maxsize=8)
def normalised(text: str) -> Normalised:
    """`normalise(text)`, remembered: labelling asks several questions of one text, and a review
    matches the text it has just labelled (writer/review/reviewer.py takes it from here)."""
    return normalise(text)


def _normalised(text: str) -> str:
    return normalised(text).text


@lru_cache(maxsize=16)
def _automaton(phrases: tuple[str, ...]):
    import ahocorasick

    a = ahocorasick.Automaton()
    for i, p in enumerate(phrases):
        a.add_word(normalise(p).text, i)
    a.make_automaton()
    return a


def phrase_counts(body: str, phrases: tuple[str, ...]) -> list[int]:
    """How often each phrase occurs in (normalised) `body`, in one pass; overlaps count."""
    counts = [0] * len(phrases)
    if phrases and body:
        for _, i in _automaton(phrases).iter(body):
            counts[i] += 1
    return counts


@lru_cache(maxsize=1)
def _cue_table() -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    cues, owners = [], []
    for t, v in _all_vocabularies().items():
        for cue, w in v.cues.items():
            cues.append(cue)
            owners.append((t, w))
    return tuple(cues), tuple(owners)


SHORT_BODY = 200   # a page whose cleaned documents are shorter than this is labelled from all its text
OPENING = 200      # characters at the start of a body that usually name the writer (我镇总工会…)


# "在局党委和县总工会的正确领导下": a clause that names the union's superiors, not the union itself.
# "按照区总工会的工作部署": the same superiors, as the source of the year's deployment. "市总工会领导
# 到某局调研": a visiting federation, named before the verb; the visited union is the page's subject
# (a plan's own cadres going out, 镇工会干部深入企业调研, are not masked).
_LED = (r"在[^。；;，,：:]{0,40}?(?:领导|指导|关心|支持|帮助)下|上级[^。；;，,]{0,12}"
        r"|按照[^。；;，,：:]{0,24}?的(?:工作)?(?:部署|要求|安排)")
_VISITING = (r"[^。；;，,：:\n]{0,20}?总工会[^。；;，,：:\n]{0,20}?(?:到|赴|莅临|深入)"
             r"(?=[^。；;，,：:\n]{2,24}?(?:调研|视察|检查指导|考察))")
_SUPERIORS = re.compile(_LED + "|" + _VISITING)
# Speed: the visiting alternative may start anywhere, so `re` tries it at every character (~40 ms
# a MB). No match, nor its lookahead, crosses 。；;，, and that alternative needs 总工会 and then a
# visit verb in one clause (`_VISIT`, which `re` finds by its literal 总工会): only the clauses
# holding that go through the whole pattern, the rest through the literal-led part (which `re`
# skips through by its first characters). Keep all three true when editing the patterns.
_LED_ONLY = re.compile(_LED)
_VISIT = re.compile(r"总工会[^。；;，,：:\n]{0,20}?(?:到|赴|莅临|深入)")
_CLAUSE_END = re.compile(r"[。；;，,]")


# A short line with no sentence punctuation that names a document genre is a title (repeated
# titles, related-article links): content farms put any title on any page, so it is not body.
_TITLE_LINE = re.compile(r"^[^。，,；;！!？?\n]{0,40}(?:计划|总结|要点|安排|规划|报告|范文|打算|方案|思路)[^。，,；;\n]{0,12}$",
                         re.M)


def _blank(m: re.Match) -> str:
    return " " * len(m.group())


def _mask_superiors(body: str) -> str:
    """`_SUPERIORS.sub(_blank, body)`, clause by clause where a visit is named (see `_LED_ONLY`)."""
    out, done = [], 0
    for v in _VISIT.finditer(body):
        if v.start() < done:
            continue                                   # its clause went through already
        start = max(done, max(body.rfind(c, done, v.start()) for c in "。；;，,") + 1)
        end = m.end() if (m := _CLAUSE_END.search(body, v.end())) else len(body)
        out.append(_LED_ONLY.sub(_blank, body[done:start]))
        out.append(_SUPERIORS.sub(_blank, body[start:end]))
        done = end
    out.append(_LED_ONLY.sub(_blank, body[done:]))
    return "".join(out)


def _without_superiors(body: str) -> str:
    return _mask_superiors(_TITLE_LINE.sub(_blank, body))


def org_scores(text: str) -> dict[str, float]:
    """Weighted cue counts per type (the label-only "other" included).

    Cues in the opening count twice: a plan names its own union first (今年我局工会…), and the
    unions it merely mentions (上级 市总工会, a school it visits) come later.
    """
    cues, owners = _cue_table()
    body = _without_superiors(_normalised(text))
    scores = {t: 0.0 for t in _all_vocabularies()}
    for n, (t, w) in zip(phrase_counts(body, cues), owners):
        scores[t] += w * n
    for n, (t, w) in zip(phrase_counts(body[:OPENING], cues), owners):
        scores[t] += w * n
    _bureau_is_a_company(body, scores)
    return scores


@lru_cache(maxsize=1)
def _bureaus() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(state-enterprise bureau names, the 局 words that then speak of a company), from vocab.toml."""
    soe = load_toml("vocab.toml").get("enterprise", {})
    gov = _all_vocabularies().get("government")
    words = tuple(w for w in soe.get("bureau_words", ()) if gov is not None and w in gov.cues)
    return tuple(soe.get("bureaus", ())), words


def _bureau_is_a_company(body: str, scores: dict[str, float]) -> None:
    """A body naming a state enterprise that kept the name 局 (工程局, 供电局): its 我局, 局工会 and
    局党委 speak of that company, so their weight moves from government to enterprise."""
    names, words = _bureaus()
    if "government" not in scores or not any(b in body for b in names):
        return
    gov = _all_vocabularies()["government"].cues
    moved = sum(gov[w] * n for w, n in zip(words, phrase_counts(body, words)))
    moved += sum(gov[w] * n for w, n in zip(words, phrase_counts(body[:OPENING], words)))
    scores["government"] -= moved
    scores["enterprise"] = scores.get("enterprise", 0.0) + moved


def infer_org_type(text: str, min_score: float = 4.0) -> str:
    """The org type whose cue words weigh most in the body; "other" when nothing stands out.

    A women's committee plan also speaks of its host organisation (a school's 女教职工), so
    "women" wins when women-worker cues are a strong share of the whole.
    """
    scores = org_scores(text)
    if not scores:
        return "other"
    best = max(scores, key=lambda t: scores[t])
    if scores[best] < min_score:
        return "other"
    women = scores.get("women", 0.0)
    if best != "women" and women >= 0.6 * scores[best] and women >= 12:
        return "women"
    return best


def kind_scores(text: str) -> tuple[int, int]:
    kinds = _roles()["kinds"]
    body = _normalised(text)
    return sum(phrase_counts(body, tuple(kinds["summary"]))), sum(phrase_counts(body, tuple(kinds["plan"])))


def plan_part_start(text: str) -> int:
    """Offset where the plan part of a mixed document begins (下半年工作打算 …), or -1."""
    body = _normalised(text)
    best = -1
    for phrase in _roles()["kinds"]["plan_part"]:
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
    cut = min((i for i in (body.find(p) for p in _roles()["kinds"]["plan_part"]) if i > 0), default=-1)
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


@lru_cache(maxsize=1)
def _role_words() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(heading words, the role of each, task verbs), words normalised once."""
    roles = _roles()["roles"]
    words, owners = [], []
    for role, spec in roles.items():
        for w in spec["words"]:
            words.append(normalise(w).text)
            owners.append(role)
    verbs = tuple(normalise(v).text for v in roles["tasks"].get("verbs", ()))
    return tuple(words), tuple(owners), verbs


@lru_cache(maxsize=4096)
def heading_role(title: str, level: int) -> str | None:
    """The role a heading's words name, or None when they name none."""
    words, owners, verbs = _role_words()
    head = normalise(title[:16]).text
    # the longest matching heading word decides: 工作思路和措施 is tasks, not 工作思路 (guiding)
    best, best_len = None, 0
    for _, i in _automaton(words).iter(head):
        if len(words[i]) > best_len:
            best, best_len = owners[i], len(words[i])
    if best:
        return best
    if level <= 1 and head.startswith(verbs):
        return "tasks"
    return None


def section_roles(headings: list[Heading]) -> list[str]:
    """Role per heading: its own words, else its parent's role, else tasks (topics under 主要工作)."""
    out: list[str] = []
    stack: list[tuple[int, str]] = []
    for h in headings:
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        own = heading_role(h.title, h.level)
        parent = stack[-1][1] if stack else None
        if parent and parent != "other" and (own is None or h.level > 1):
            role = parent                       # items under 保障措施 are safeguards, whatever they say
        else:
            role = own or ("tasks" if h.level <= 3 else "other")
        out.append(role)
        stack.append((h.level, role))
    return out
