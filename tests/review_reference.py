"""Straightforward readings of review checks that now take fast paths, kept as references
(tests/test_review_fastpath.py and tests/test_rot_fastpath.py hold each fast path to its reference)."""
from __future__ import annotations

import bisect
import re

from ghplan.writer.review.broken import (_bigrams, _cut_off, _finding, _is_heading_line, _key, _lines, _prose,
                                         _SENTENCE, cjk_length, cues)
from ghplan.writer.review.rules import say


def _line_numbers(text: str):
    """offset -> 1-based line number, by bisection over the line starts (broken's before it
    counted line breaks from the nearest offset asked about)."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return lambda offset: bisect.bisect_right(starts, offset)


def truncated(text: str):
    """broken.truncated before the per-line flags were listed once."""
    lines = _lines(text)
    if len(lines) < 2:
        return []
    terminal = tuple(cues().get("terminal", ()))
    judged: dict[str, tuple[bool, bool]] = {}
    for a, b in lines:
        raw = text[a:b]
        if raw not in judged:
            judged[raw] = _is_heading_line(raw), _prose(raw)
    heading = [judged[text[a:b]][0] for a, b in lines]
    prose = [(a, b) for (a, b), h in zip(lines[1:], heading[1:]) if judged[text[a:b]][1] and not h]
    closed = {a: text[a:b].endswith(terminal) for a, b in prose}
    n_closed = sum(closed.values())
    share = float(cues().get("closed_share", 0.8))
    out = []
    for i, (s, e) in enumerate(lines[1:], start=1):
        nxt = text[lines[i + 1][0]:lines[i + 1][1]] if i + 1 < len(lines) else None
        if nxt is not None and not (heading[i + 1] and judged[text[s:e]][1]):
            continue
        own = s in closed
        n_others = len(closed) - own
        habit = n_others > 0 and n_closed - (own and closed[s]) >= share * n_others
        if _cut_off(text, text[s:e], habit if nxt is None else habit and judged[text[s:e]][1]):
            tail = max(s, e - 12)
            out.append(_finding("GH-STRUCT-TRUNCATED", text, tail, e, say("broken_truncated", tail=text[tail:e])))
    return out


def repeats(text: str):
    """broken.repeats before sentences inside repeated lines were skipped line by line."""
    minimum = int(cues().get("repeat_min_chars", 16))
    line_of = _line_numbers(text)
    out, lines_seen, said = [], {}, {}
    repeated_starts: list[int] = []
    repeated_ends: list[int] = []
    for a, b in _lines(text):
        raw = text[a:b]
        key = _key(raw)
        if cjk_length(key) >= minimum and not _is_heading_line(raw):
            if key in lines_seen:
                repeated_starts.append(a)
                repeated_ends.append(b)
                out.append(_finding("GH-STRUCT-REPEAT", text, a, b,
                                    say("broken_repeat", line=line_of(lines_seen[key]))))
            else:
                lines_seen[key] = a
    for m in _SENTENCE.finditer(text):
        raw = m.group()
        key = _key(raw)
        s = m.start() + len(raw) - len(raw.lstrip())
        i = bisect.bisect_right(repeated_starts, s) - 1
        if cjk_length(key) < minimum or _is_heading_line(raw.strip()) or (i >= 0 and s < repeated_ends[i]):
            continue
        said.setdefault(key, []).append(s)
        if len(said[key]) > 1:
            rule = "GH-STRUCT-REPEAT" if len(said[key]) > 2 else "GH-STRUCT-REPEAT-SENTENCE"
            out.append(_finding(rule, text, s, m.end(), say("broken_repeat", line=line_of(said[key][0]))))
    return out


def same_topics(text: str, headings):
    """broken.same_topics before each pair of titles was compared once."""
    out = []
    limit = float(cues().get("same_topic_overlap", 0.6))
    siblings: dict = {}
    for h in headings:
        for level in [lv for lv in siblings if lv > h.level]:
            del siblings[level]
        if h.level not in (2, 3):
            continue
        gb = _bigrams(h.title) if cjk_length(h.title) >= 4 else None
        if gb is None:
            continue
        same = next((a for a, ga in siblings.get(h.level, ())
                     if ga and gb and len(ga & gb) / len(ga | gb) >= limit), None)
        if same is not None:
            out.append(_finding("GH-STRUCT-SAME-TOPIC", text, h.start, h.end,
                                say("broken_same_topic", first=same.title, second=h.title)))
        siblings.setdefault(h.level, []).append((h, gb))
    return out


def find_headings(text: str):
    """corpus.headings.find_headings before the deeper-level counts were closed only when open."""
    from ghplan.corpus.headings import _at_line_start, _candidates, _title_span
    from ghplan.corpus.model import Heading

    found: list = []
    last: dict = {}
    last_pos: dict = {}
    for s, body_start, level, style, num, strict in _candidates(text):
        if not strict:
            prev = last.get((level, style), 0)
            seen = last_pos.get((level, style), -1)
            restarted = num == 1 and any(h.level < level and h.start > seen for h in found[-3:])
            if not (prev and num == prev + 1) and not restarted:
                continue
        if style in ("cn-dun", "arabic-dot", "arabic-dun", "ordinal") and \
                (body_start >= len(text) or text[body_start] == "\n"):
            continue
        end = _title_span(text, body_start, _at_line_start(text, s))
        title = text[body_start:end].strip().rstrip("。:：.")
        if style not in ("md", "month") and not title:
            continue
        found.append(Heading(level=level, marker=text[s:body_start].strip(), number=num,
                             style=style, title=title, start=s, end=end))
        last_pos[(level, style)] = s
        if num:
            for key in [k for k in last if k[0] > level]:
                del last[key]
            last[(level, style)] = num
    for i in range(len(found) - 1):
        nxt = found[i + 1].start
        if found[i].end > nxt:
            h = found[i]
            found[i] = Heading(h.level, h.marker, h.number, h.style,
                               text[h.start + len(h.marker):nxt].strip().rstrip("。:：."), h.start, nxt)
    return found


def too_short(text: str, length_target: int | None):
    """broken.too_short before it counted growing prefixes: every CJK character counted."""
    n = cjk_length(text)
    share = float(cues().get("target_min_share", 0.5))
    if length_target and n < share * length_target:
        return [_finding("GH-STRUCT-TOO-SHORT", text, 0, 0,
                         say("broken_short_target", chars=n, target=length_target))]
    floor = int(cues().get("floor_chars", 300))
    if not length_target and n < floor:
        return [_finding("GH-STRUCT-TOO-SHORT", text, 0, 0, say("broken_short_floor", chars=n, floor=floor))]
    return []


def superseded(findings):
    """reviewer._superseded before the replaced rules were tabled once."""
    from ghplan.writer.review.rules import review_rules

    rules = review_rules()
    spans: dict = {}
    for f in findings:
        for gone in rules[f.rule].extra.get("supersedes", ()) if f.rule in rules else ():
            spans.setdefault((f.start, f.end), set()).add(gone)
    seen: set = set()
    out = []
    for f in findings:
        key = (f.rule, f.start, f.end)
        if f.rule in spans.get((f.start, f.end), ()) or key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def phrase_counts(body: str, phrases: tuple[str, ...]) -> list[int]:
    """label.phrase_counts before it counted in C: pyahocorasick's walk, a Python step per hit."""
    from ghplan.corpus.label import _automaton

    counts = [0] * len(phrases)
    if phrases and body:
        for _, i in _automaton(phrases).iter(body):
            counts[i] += 1
    return counts


def drop_nested(hits):
    """engine._drop_nested before it kept the earliest open end (every hit filtered the open list)."""
    from ghplan.corpus.rules.engine import _yielders_last

    keep, active = [], []
    for h in _yielders_last(hits):
        active = [o for o in active if o.end > h.start]
        yields = h.rule.extra.get("yields_to", ())
        if not any(o.end >= h.end and (o.rule.id in yields or (
                o.rule.category == h.rule.category and (o.end - o.start) > (h.end - h.start)))
                for o in active):
            keep.append(h)
        active.append(h)
    return keep


def empty_sections(text, headings):
    """broken.empty_sections before a section's words were counted only up to the limit."""
    from ghplan.writer.review.broken import _CLAUSE

    out = []
    minimum = int(cues().get("empty_max_chars", 6))
    for i, h in enumerate(headings):
        if h.level not in (1, 2) or h.style == "md":
            continue
        nxt = headings[i + 1] if i + 1 < len(headings) else None
        if nxt is not None and (nxt.level > h.level or nxt.level == 0):
            continue
        end = nxt.start if nxt is not None else len(text)
        if text[h.end:h.end + 1] in ("；", ";"):
            continue
        own = h.title if _CLAUSE.search(h.title) and cjk_length(h.title) > 20 else ""
        if cjk_length(text[h.end:end]) + cjk_length(own) < minimum:
            out.append(_finding("GH-STRUCT-EMPTY-SECTION", text, h.start, h.end,
                                say("broken_empty", heading=text[h.start:h.end].strip())))
    return out


def lookback(text: str):
    """broken.lookback before its time cues were found over the whole text: a search per sentence."""
    from ghplan.corpus import doc_kind
    from ghplan.writer.review.broken import _any_of

    if doc_kind.infer_doc_kind(text) != "plan":
        return []
    when, done = tuple(cues().get("lookback_when", ())), tuple(cues().get("lookback_done", ()))
    any_when = _any_of(when)
    out = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if any_when is None or not any_when.search(sentence):
            continue
        cue = next((w for w in when if w in sentence), None)
        if cue and any(d in sentence for d in done) and not _is_heading_line(sentence.strip()):
            s = m.start() + len(sentence) - len(sentence.lstrip())
            out.append(_finding("GH-STRUCT-LOOKBACK", text, s, m.end(), say("broken_lookback", cue=cue)))
    return out


def _children(headings, i):
    """Headings directly under headings[i] (the next deeper level before a sibling or parent)."""
    h, out, child_level = headings[i], [], None
    for j in range(i + 1, len(headings)):
        nxt = headings[j]
        if nxt.level <= h.level or nxt.level == 0:
            break
        child_level = child_level or nxt.level
        if nxt.level == child_level:
            out.append(nxt)
    return out


def single_items(text, headings):
    """broken.single_items before each heading's end came from one stack pass: every parent's
    subtree walked by `_children`."""
    out = []
    for i, h in enumerate(headings):
        if h.level == 0 or h.style == "md":
            continue
        kids = _children(headings, i)
        if len(kids) == 1 and kids[0].level >= 2:
            k = kids[0]
            out.append(_finding("GH-STRUCT-SINGLE-ITEM", text, k.start, k.end,
                                say("broken_single", marker=k.marker, parent=h.marker + h.title[:12])))
    return out


def title_span(text: str, start: int, line_start: bool) -> int:
    """corpus.headings._title_span before its stop-character search lost the `|$` alternative."""
    import re

    from ghplan.corpus.headings import _MAX_TITLE, _inline_title_end
    cap = start + 2 * _MAX_TITLE + 2
    nl = text.find("\n", start, cap)
    line_end = nl if nl >= 0 else min(len(text), cap)
    m = re.search(r"[。！!？?；;：:\n“\"]|$", text[:min(len(text), start + _MAX_TITLE + 1)][start:])
    end = start + m.start() if m else min(line_end, start + _MAX_TITLE)
    if line_start and line_end - start <= _MAX_TITLE + 10 and end > line_end:
        end = line_end
    if end < len(text) and text[end] in "。:：" and (end + 1 == line_end):
        end += 1
    end = min(end, line_end)
    if not line_start or line_end - start > 2 * _MAX_TITLE:
        end = _inline_title_end(text, start, end)
    return end
