"""Label a document from its body, never its title: org type, doc kind, section roles.

Content farms put any title on any page (a "hospital" page holding a township's, a school's
and a forestry work area's plans), so every label here is read off the words of the body.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ghplan.corpus.lexicon import cue_words, roles_data
from ghplan.corpus.model import Heading
from ghplan.corpus.rules.engine import load_toml
from ghplan.corpus.rules.normalize import normalise


@dataclass(frozen=True)
class Vocab:
    org_type: str
    cues: dict[str, int]
    belongs: tuple[str, ...]
    betray: tuple[str, ...]
    name: str = ""       # the Chinese name shown to users (学校, 医院 …)


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, Vocab]:
    """vocab.toml, read once: the one loader for labelling, review, retrieval and drafting."""
    data = load_toml("vocab.toml")
    return {t: Vocab(t, dict(v.get("cues", {})), tuple(v.get("belongs", ())), tuple(v.get("betray", ())),
                     str(v.get("name", t)))
            for t, v in data.items() if isinstance(v, dict)}


def _roles() -> dict:
    return roles_data()


@lru_cache(maxsize=8)
def _normalised(text: str) -> str:
    """Labelling asks several questions of one text; normalise it once."""
    return normalise(text).text


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
    for t, v in vocabularies().items():
        for cue, w in v.cues.items():
            cues.append(cue)
            owners.append((t, w))
    return tuple(cues), tuple(owners)


def org_scores(text: str) -> dict[str, float]:
    cues, owners = _cue_table()
    scores = {t: 0.0 for t in vocabularies()}
    for n, (t, w) in zip(phrase_counts(_normalised(text), cues), owners):
        scores[t] += w * n
    return scores


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


def infer_doc_kind(text: str) -> str:
    """plan, summary, or mixed (a summary that ends with plans for the rest of the year)."""
    kinds = _roles()["kinds"]
    body = _normalised(text)
    summary, plan = kind_scores(text)
    cut = plan_part_start(text)
    looking_back_part = body[:cut] if cut > 0 else body
    past = 1000 * looking_back_part.count(kinds["past_marker"]) / max(1, len(looking_back_part))
    opens_as_summary = any(p in body[:300] for p in cue_words("summary_opening"))
    looks_back = opens_as_summary or past >= kinds["past_per_thousand"] or summary > plan * 2 + 4
    if looks_back:
        return "mixed" if plan_part_start(text) > 0 else "summary"
    return "plan"


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
