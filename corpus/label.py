"""Label a document from its body, never its title: org type and section roles (its kind: doc_kind.py).

Content farms put any title on any page (a "hospital" page holding a township's, a school's
and a forestry work area's plans), so every label here is read off the words of the body.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from ghplan.corpus.lexicon import roles_data
from ghplan.corpus.model import Heading
from ghplan.corpus.rules import prefilter
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


@lru_cache(maxsize=16)
def _counter(phrases: tuple[str, ...]):
    """(automaton of the distinct normalised phrases, the phrase index each stands for): as in
    `_automaton`, a phrase normalised like an earlier one takes its place, and "" is left out."""
    import ahocorasick_rs

    keys: dict[str, int] = {}
    for i, p in enumerate(phrases):
        if key := normalise(p).text:
            keys[key] = i
    return (ahocorasick_rs.AhoCorasick(list(keys)) if keys else None), tuple(keys.values())


def phrase_counts(body: str, phrases: tuple[str, ...]) -> list[int]:
    """How often each phrase occurs in (normalised) `body`, in one pass; overlaps count. Every
    hit comes back in one call and is counted in C (a Python step per hit over a megabyte of
    union text, where the cue words come every few characters, was ~10 ms)."""
    counts = [0] * len(phrases)
    if phrases and body:
        automaton, owner = _counter(phrases)
        if automaton is not None:
            hits = automaton.find_matches_as_indexes(body, overlapping=True)
            for j, n in Counter(map(itemgetter(0), hits)).items():
                counts[owner[j]] = n
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
# Speed: the guard (a whole line of 2-54 characters without 。，,；;, read possessively) is what the
# rest implies; it turns a paragraph line away at its first 。 or 54th character instead of
# backtracking over the 40 before a genre word. `_blank_titles` finds the lines by prefilter.finditer.
_TITLE_LINE = re.compile(r"^(?=[^。，,；;\n]{2,54}+$)"
                         r"[^。，,；;！!？?\n]{0,40}(?:计划|总结|要点|安排|规划|报告|范文|打算|方案|思路)[^。，,；;\n]{0,12}$",
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


def _blank_titles(body: str) -> str:
    """`_TITLE_LINE.sub(_blank, body)`: `re` would try the pattern at every character; the
    prefilter jumps from line break to line break (the pattern never matches empty)."""
    out, done = [], 0
    for m in prefilter.finditer(_TITLE_LINE, body):
        s, e = m.span()
        out += (body[done:s], " " * (e - s))
        done = e
    out.append(body[done:])
    return "".join(out)


def _without_superiors(body: str) -> str:
    return _mask_superiors(_blank_titles(body))


def org_scores(text: str) -> dict[str, float]:
    """Weighted cue counts per type (the label-only "other" included).

    Cues in the opening count twice: a plan names its own union first (今年我局工会…), and the
    unions it merely mentions (上级 市总工会, a school it visits) come later.
    """
    cues, owners = _cue_table()
    body = _without_superiors(_normalised(text))
    scores = {t: 0.0 for t in _all_vocabularies()}
    counts = phrase_counts(body, cues), phrase_counts(body[:OPENING], cues)
    for part in counts:
        for n, (t, w) in zip(part, owners):
            scores[t] += w * n
    _bureau_is_a_company(body, scores, counts)
    return scores


@lru_cache(maxsize=1)
def _bureaus() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(state-enterprise bureau names, the 局 words that then speak of a company), from vocab.toml."""
    soe = load_toml("vocab.toml").get("enterprise", {})
    gov = _all_vocabularies().get("government")
    words = tuple(w for w in soe.get("bureau_words", ()) if gov is not None and w in gov.cues)
    return tuple(soe.get("bureaus", ())), words


def _bureau_is_a_company(body: str, scores: dict[str, float], counts: tuple[list[int], list[int]]) -> None:
    """A body naming a state enterprise that kept the name 局 (工程局, 供电局): its 我局, 局工会 and
    局党委 speak of that company, so their weight moves from government to enterprise. `counts`:
    the cue counts of the body and of its opening, where those 局 words were counted already."""
    names, _ = _bureaus()
    if "government" not in scores or not _names_any(body, names):
        return
    moved = 0.0
    for part in counts:
        moved += sum(weight * part[i] for weight, i in _bureau_cues())
    scores["government"] -= moved
    scores["enterprise"] = scores.get("enterprise", 0.0) + moved


def _names_any(body: str, names: tuple[str, ...]) -> bool:
    """`any(n in body for n in names)`; names all ending in one character (…局) are looked for
    only where that character stands (a few hundred 局 a megabyte, not a full search per name)."""
    last = {n[-1:] for n in names}
    if len(last) != 1 or "" in last:
        return any(n in body for n in names)
    mark = last.pop()
    i = body.find(mark)
    while i >= 0:
        if body.endswith(names, 0, i + 1):
            return True
        i = body.find(mark, i + 1)
    return False


@lru_cache(maxsize=1)
def _bureau_cues() -> tuple[tuple[float, int], ...]:
    """(government weight, index into the cue counts) per 局 word, as `phrase_counts` of the words
    alone would count them: the counts of a normalised cue sit at one index of the cue table
    (`_counter`), and of words normalised alike only the last one counts."""
    _, words = _bureaus()
    cues, _ = _cue_table()
    where = {normalise(cues[i]).text: i for i in _counter(cues)[1]}
    last = {k: j for j, w in enumerate(words) if (k := normalise(w).text)}
    gov = _all_vocabularies()["government"].cues if words else {}
    return tuple((gov[w], where[k]) for j, w in enumerate(words) if (k := normalise(w).text) and last[k] == j)


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
        level = h.level
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = stack[-1][1] if stack and stack[-1][1] != "other" else None
        if parent and level > 1:
            role = parent       # items under 保障措施 are safeguards, whatever they say (their words unread)
        else:
            own = heading_role(h.title, level)
            role = parent if parent and own is None else own or ("tasks" if level <= 3 else "other")
        out.append(role)
        stack.append((level, role))
    return out
