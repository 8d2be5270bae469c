"""The engine's fast paths give what the straightforward ones give.

- `prefilter.search` (jump between the characters a match can start with) equals `rx.search`
  for every bundled rule pattern, on generated texts and on the review fixtures;
- `Catalogue.match` (windows merged while the literals stream, prefiltered verification)
  equals a plain reference: every trigger spot collected, windows merged after, each window
  searched with `rx.search`.
"""
from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import ahocorasick
from hypothesis import given, settings, strategies as st

from ghplan.corpus import label
from ghplan.corpus.rules import prefilter
from ghplan.corpus.rules.engine import _WINDOW, Catalogue, Match, _char_windows, default_catalogue
from ghplan.corpus.rules.normalize import normalise
from ghplan.writer.review.generated import catalogue as review_catalogue

FIXTURES = Path(__file__).parent / "fixtures"


def _starts(pattern: str) -> set[str] | None:
    """Which characters of a probe set the start class admits."""
    cls = prefilter.start_class(pattern)
    return None if cls is None else {c for c in PROBE if re.fullmatch(cls, c)}


PROBE = "第党大次届精神工会年 \t\n（(图X0129０一，。a、"


def test_start_class_of_hand_written_patterns():
    assert _starts(r"(?<![\d一二])第(?=次|届)|党的(?=精神)") == set("第党")
    assert _starts(r"(?:(?<=^)|(?<=[。;]))[ \t]*[（(]图") == set(" \t（(")
    assert _starts(r"^[ \t]*X{1,3}年") == set(" \tX")
    assert _starts(r"(?<=计划)[ \t]*\d{1,2}篇") == set(" \t0129０")     # [ \t] as given, \d as Unicode digits
    assert _starts(r"\s*第") == set(" \t\n第")
    # may start anywhere, or match empty: no bound
    assert _starts(r"[^。]+。") is None
    assert _starts(r"[\u4e00-\u9fff]\.") is None
    assert _starts(r"\w+") is None
    assert _starts(r"(?=年)") is None
    assert _starts(r"a*") is None
    assert _starts(r"(?i)ab") is None


def _patterns() -> list[re.Pattern]:
    rules = list(default_catalogue().rules) + list(review_catalogue().rules)
    return [re.compile(r.pattern, re.MULTILINE) for r in rules
            if r.pattern and prefilter.start_class(r.pattern, re.MULTILINE)]


PATTERNS = _patterns()
# what the bundled patterns start with and what sits around them in a plan: the literal
# characters of every bounded pattern
ALPHABET = "".join(sorted({c for rx in PATTERNS for c in rx.pattern if not c.isascii() or c in "0123 \n()*_.Xx"}
                          | set("工会年第届次大精神，。、\n 1203（）()*X_图计划")))


def test_most_bundled_patterns_are_bounded():
    assert len(PATTERNS) > 40


def _every_search(rx, starts, text):
    out, pos = [], 0
    while pos <= len(text):
        m = prefilter.search(rx, starts, text, pos, len(text)) if starts is not False \
            else rx.search(text, pos, len(text))
        if m is None:
            break
        out.append(m.span())
        pos = m.start() + 1
    return out


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120), st.integers(0, 200), st.integers(0, 200))
def test_prefiltered_search_equals_search(text, pos, end):
    for rx in PATTERNS:
        starts = prefilter.starts_regex(rx.pattern, re.MULTILINE)
        got = prefilter.search(rx, starts, text, pos, end)
        want = rx.search(text, pos, end)
        assert (got and (got.span(), got.group())) == (want and (want.span(), want.group())), rx.pattern


def test_prefiltered_search_equals_search_on_plans():
    text = normalise("\n".join(p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt")))).text
    for rx in PATTERNS:
        starts = prefilter.starts_regex(rx.pattern, re.MULTILINE)
        assert _every_search(rx, starts, text) == _every_search(rx, False, text), rx.pattern


def test_dense_start_characters_fall_back_to_the_plain_search():
    rx = re.compile(r"(?<=。)第(?=届)")
    starts = prefilter.starts_regex(rx.pattern)
    text = "第" * 500 + "。第届"
    assert prefilter.search(rx, starts, text, 0, len(text)).start() == 501


def _reference_match(cat: Catalogue, norm: str) -> list[Match]:
    """The engine's first version: one automaton of every word and trigger, spots collected,
    windows merged after, `rx.search` in each."""
    table: dict[str, list[tuple[str, object]]] = {}
    for r in cat.rules:
        for w in r.words:
            table.setdefault(w, []).append(("word", r))
        for t in r.extra.get("triggers", ()) if r.pattern else ():
            table.setdefault(normalise(t).text, []).append(("trigger", r))
    automaton = ahocorasick.Automaton()
    for w, entries in table.items():
        automaton.add_word(w, (len(w), entries))
    automaton.make_automaton()
    hits, triggered = [], {}
    for end_idx, (length, entries) in automaton.iter(norm):
        start = end_idx - length + 1
        for kind, r in entries:
            if kind == "word":
                hits.append(Match(r, start, end_idx + 1))
            else:
                triggered.setdefault(r.id, []).append((start, end_idx + 1))
    n = len(norm)
    for rid, spots in triggered.items():
        rule = cat.by_id[rid]
        rx = re.compile(rule.pattern, re.MULTILINE)
        windows: list[list[int]] = []
        for s, e in spots:
            ws, we = max(0, s - _WINDOW), min(n, e + _WINDOW)
            if windows and ws <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], we)
            else:
                windows.append([ws, we])
        reach = -1
        for ws, we in windows:
            pos = max(ws, reach)
            while pos < we:
                m = rx.search(norm, pos, we)
                if m is None:
                    break
                if m.end() == m.start():
                    pos = m.end() + 1
                    continue
                if "$" in rule.pattern and m.end() == we < n and norm[we] != "\n":
                    pos = m.start() + 1
                    continue
                if m.end() > reach:
                    hits.append(Match(rule, m.start(), m.end()))
                    reach = m.end()
                pos = m.start() + 1
    if cat._regex is not None:                       # the untriggered rules' alternation, unchanged
        reach_of: dict[str, int] = {}
        for m in cat._regex.finditer(norm):
            name = next(g for g, v in m.groupdict().items() if v is not None and g in cat._groups) \
                if m.lastgroup not in cat._groups else m.lastgroup
            start, end = m.span(name)
            if end > start and end > reach_of.get(name, -1):
                reach_of[name] = end
                hits.append(Match(cat._groups[name], start, end))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), h.rule.id))
    return hits


def test_catalogue_match_equals_the_reference():
    seeds = Path(__file__).parent.parent / "corpus" / "seeds"
    texts = [p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt")) + sorted(seeds.glob("*.txt"))]
    for scan_min in (prefilter.SCAN_MIN, 0):                # short texts search plainly; or always scan
        with mock.patch.object(prefilter, "SCAN_MIN", scan_min):
            for cat in (default_catalogue(), review_catalogue()):
                for text in texts + ["".join(texts).replace("\n", "")]:
                    norm = normalise(text).text
                    assert cat.match(norm) == _reference_match(cat, norm)


def _spot_merge(spots: list[tuple[int, int]], n: int) -> list[list[int]]:
    windows: list[list[int]] = []
    for s, e in spots:
        ws, we = max(0, s - _WINDOW), min(n, e + _WINDOW)
        if windows and ws <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], we)
        else:
            windows.append([ws, we])
    return windows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3 * _WINDOW), st.sampled_from("、.\n")), max_size=25),
       st.integers(0, 3 * _WINDOW))
def test_single_character_windows_equal_the_spot_merge(parts, tail):
    text = "".join("字" * gap + c for gap, c in parts) + "字" * tail
    for chars in ("、", ".、", "\n.、"):
        spots = [(i, i + 1) for i, c in enumerate(text) if c in chars]
        assert _char_windows(text, chars) == _spot_merge(spots, len(text))


def test_single_character_windows_at_the_merge_boundary():
    for gap in (2 * _WINDOW - 1, 2 * _WINDOW, 2 * _WINDOW + 1, 2 * _WINDOW + 2):
        for lead, tail in ((0, 0), (5, 3), (_WINDOW + 7, _WINDOW + 9)):
            text = "字" * lead + "、" + "字" * gap + "、" + "字" * tail
            spots = [(i, i + 1) for i, c in enumerate(text) if c == "、"]
            assert _char_windows(text, "、") == _spot_merge(spots, len(text)), (gap, lead, tail)


# what the superiors pattern is made of: its literals, the clause ends, a line break, filler
SUPERIOR_ALPHABET = "在领导下上级按照的工作部署要求安排到赴莅临深入调研视察检查指导考察市总会局。；;，,：:\n 甲乙"


def _mask_plain(body: str) -> str:
    return label._SUPERIORS.sub(lambda m: " " * len(m.group()), body)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=SUPERIOR_ALPHABET, max_size=160))
def test_superiors_masked_clause_by_clause_as_in_one_pass(body):
    assert label._mask_superiors(body) == _mask_plain(body)


def test_superiors_masked_clause_by_clause_as_in_one_pass_on_plans():
    seeds = Path(__file__).parent.parent / "corpus" / "seeds"
    for p in sorted(FIXTURES.rglob("*.txt")) + sorted(seeds.glob("*.txt")):
        body = normalise(p.read_text("utf-8")).text
        assert label._mask_superiors(body) == _mask_plain(body), p.name
    visit = "区总工会领导到我局调研，在县总工会的正确领导下，按照市总工会的工作部署，上级工会莅临指导考察。"
    assert label._mask_superiors(visit) == _mask_plain(visit) != visit


def test_review_pauses_the_cycle_collector_only_while_it_runs():
    import gc

    from ghplan.writer.review.reviewer import ReviewError, review_text

    text = (FIXTURES / "clean_school.txt").read_text("utf-8")
    assert gc.isenabled()
    review_text(text, year=2027, copy=False)
    assert gc.isenabled()
    try:
        review_text(text, year=1800, copy=False)           # bad input: raises, collector back on
    except ReviewError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        review_text(text, year=2027, copy=False)
        assert not gc.isenabled()                           # a caller's choice is left alone
    finally:
        gc.enable()


def test_scanned_postings_equal_the_gram_table():
    from ghplan.writer.review.copycheck import CopyIndex

    docs = [p.read_text("utf-8") for p in sorted(FIXTURES.glob("clean_*.txt"))]
    docs.append("工会工作计划" * 40)                      # one gram in many places: past the cap
    index = CopyIndex(docs, [("d", "t", "s")] * len(docs), k=6, max_postings=5)
    probes = {t[i:i + 6] for t in index.texts for i in range(0, len(t) - 5, 3)} | {"不在其中的话语"[:6]}
    assert any(len(index.grams[g]) > 5 for g in probes if g in index.grams)
    for g in probes:
        assert index._scan_postings(g) == index.grams.get(g, [])


def test_a_short_review_leaves_the_cached_gram_table_unread(tmp_path, monkeypatch):
    from ghplan.writer.review import copycheck

    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    copycheck.default_index.cache_clear()
    try:
        fresh = copycheck.default_index()                  # built and written
        copycheck.default_index.cache_clear()
        loaded = copycheck.default_index()                 # read back: the gram table still a blob
        corpus = "".join(fresh.texts)
        short = corpus[100:400] + "自己写的一句话。" + corpus[900:1100]
        assert loaded.check(short, 50) == fresh.check(short, 50) != []
        assert loaded._grams is None
        long = (short + "另写一段自己的话，和范文无关。") * 40
        assert loaded.check(long, 50) == fresh.check(long, 50)
        assert loaded._grams is not None and loaded.state() == fresh.state()
    finally:
        copycheck.default_index.cache_clear()


def test_bundled_toml_parsed_once_and_every_caller_gets_its_own_copy():
    import tomllib
    from importlib import resources

    from ghplan.corpus.rules.engine import load_toml

    for name in ("dated.toml", "boilerplate.toml", "vocab.toml", "roles.toml"):
        text = resources.files("ghplan.corpus.rules").joinpath(name).read_text("utf-8")
        first = load_toml(name)
        assert first == tomllib.loads(text)
        first.clear()                                     # a caller changing its copy
        assert load_toml(name) == tomllib.loads(text)     # changes no one else's


def _lines_by_strip(text: str) -> list[tuple[int, int]]:
    """broken._lines as first written: every line stripped in Python."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group()
        lead = len(line) - len(line.lstrip())
        if line.strip():
            out.append((m.start() + lead, m.start() + lead + len(line.strip())))
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="工会 \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000。a", max_size=80))
def test_stripped_lines_in_one_regex_pass_equal_strip(text):
    from ghplan.writer.review.broken import _lines

    assert _lines(text) == _lines_by_strip(text)


def test_parsed_toml_kept_on_disk_and_never_trusted_when_damaged(tmp_path, monkeypatch):
    import tomllib

    from ghplan.corpus import cache

    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    cache.toml_blob.cache_clear()
    try:
        text = 'title = "计划"\n[[rule]]\nid = "X-1"\nwords = ["工会", "职工"]\n'
        assert cache.load_toml("mine.toml", text) == tomllib.loads(text)
        (first,) = tmp_path.glob("toml-mine-*.marshal")
        cache.toml_blob.cache_clear()                       # a new process: read from the file
        assert cache.load_toml("mine.toml", text) == tomllib.loads(text)
        first.write_bytes(first.read_bytes()[:-3] + b"xyz")  # damaged: parsed again, rewritten
        cache.toml_blob.cache_clear()
        assert cache.load_toml("mine.toml", text) == tomllib.loads(text)
        changed = text + "more = 1\n"                        # another text: its own file, the old one gone
        assert cache.load_toml("mine.toml", changed) == tomllib.loads(changed)
        (second,) = tmp_path.glob("toml-mine-*.marshal")
        assert second != first
        dated = "when = 2027-01-01\n"                        # a TOML date: not marshal-able, parsed
        assert cache.load_toml("dates.toml", dated) == tomllib.loads(dated)
    finally:
        cache.toml_blob.cache_clear()


def test_prefiltered_finditer_equals_finditer():
    from ghplan.corpus.rules import dated_years

    seeds = Path(__file__).parent.parent / "corpus" / "seeds"
    texts = [normalise(p.read_text("utf-8")).text for p in sorted(FIXTURES.rglob("*.txt")) + sorted(seeds.glob("*.txt"))]
    texts.append("2019年至2021年，二〇二四年是关键之年，今年是攻坚年。1998—2003年" * 3)
    patterns = [dated_years._PHRASE, dated_years._RANGE, dated_years._ANY_YEAR, re.compile(r"[^。]+")] + PATTERNS
    with mock.patch.object(prefilter, "SCAN_MIN", 0):      # the scan even on short texts
        for rx in patterns:
            for text in texts:
                assert [m.span() for m in prefilter.finditer(rx, text)] == [m.span() for m in rx.finditer(text)], rx.pattern


def test_before_class_of_hand_written_patterns():
    def before(pattern):
        got = prefilter.before_class(pattern, re.MULTILINE)
        return None if got is None else ({c for c in PROBE if re.fullmatch(got[0], c)}, got[1])

    assert before(r"(?:(?<=^)|(?<=[。;]))[ \t]*[（(]图") == (set("\n。"), True)
    assert before(r"^[ \t]*X{1,3}年") == ({"\n"}, True)
    assert before(r"(?!x)(?<=精神)\d") == ({"神"}, False)
    assert before(r"(?<![\d])(?<=[第次])\d") == (set("第次"), False)
    # may start after anything: a consuming alternative, a wide or negated class, a bare lookahead
    assert before(r"(?<=。)第|党") is None
    assert before(r"(?<=[\u4e00-\u9fff])\.") is None
    assert before(r"(?<=[^。])第") is None
    assert before(r"(?=年)第") is None
    assert before(r"(?i)(?<=a)b") is None


# every bundled rule pattern, bounded or not: the finder must agree with a plain search for all
ALL_PATTERNS = [re.compile(r.pattern, re.MULTILINE) for r in
                list(default_catalogue().rules) + list(review_catalogue().rules) if r.pattern]


def _plain_starts(rx, text, pos, end):
    return [s for s in range(pos, end + 1) if rx.match(text, s, end) is not None]


def test_most_bundled_patterns_get_a_scan():
    finders = [prefilter.finder(rx) for rx in ALL_PATTERNS]
    assert sum(f.scan is not None for f in finders) > 50
    assert sum(f.after for f in finders) > 10           # the line-start and after-punctuation shape


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120), st.integers(0, 130), st.integers(0, 130))
def test_finder_starts_equal_every_plain_match_position(text, pos, end):
    end = min(end, len(text))
    for rx in ALL_PATTERNS:
        got = list(prefilter.finder(rx).starts(text, pos, end))
        assert got == _plain_starts(rx, text, pos, end), rx.pattern


def test_finder_starts_equal_every_plain_match_position_on_plans():
    seeds = Path(__file__).parent.parent / "corpus" / "seeds"
    text = normalise("\n".join(p.read_text("utf-8") for p in sorted(FIXTURES.rglob("*.txt"))
                               + sorted(seeds.glob("*.txt")))).text[:40000]
    for rx in ALL_PATTERNS:
        find = prefilter.finder(rx)
        for pos, end in ((0, len(text)), (1, 30000), (17, 9000)):
            assert list(find.starts(text, pos, end)) == _plain_starts(rx, text, pos, end), rx.pattern


def test_finder_keeps_back_references_and_position_zero():
    rx = re.compile(r"(?<=^)(工会|职工)\1", re.MULTILINE)
    find = prefilter.finder(rx)
    assert find.after and find.bos
    text = "工会工会\n职工职工。职工职工"
    assert list(find.starts(text, 0, len(text))) == [0, 5]
    assert list(find.starts(text, 1, len(text))) == [5]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=12), st.integers(-2, 70))
def test_covered_equals_any_span_holding_the_position(spans, pos):
    from ghplan.corpus.rules.dated_years import covered

    assert covered(spans)(pos) == any(s <= pos < e for s, e in spans)


def test_no_half_fixes_by_bisection_equals_every_phrase_tried():
    from ghplan.corpus.rules import dated
    from ghplan.corpus.rules.dated_years import phrase_hits

    text = "2025年是“十四五”规划的收官之年，也是关键之年。今年是攻坚年。" * 3 + "2019年至2021年。今年为收官之年"
    phrases = [span for _, span in phrase_hits(normalise(text).text, 2027)]
    assert len(phrases) > 3
    rule = dated.table().rule("GH-STALE-YEAR")
    # spans inside, equal to, straddling and outside every phrase
    spans = {(s + a, e - b) for s, e in phrases for a in (0, 1, 2) for b in (0, 1, 2)}
    spans |= {(s - 1, s + 2) for s, _ in phrases} | {(e - 1, e + 1) for _, e in phrases} | {(0, len(text))}
    hits = [dated.Hit(rule, s, e, "error", "", "x", True, "") for s, e in sorted(spans) if 0 <= s < e]

    def plain(h):
        return any(s <= h.start and h.end <= e and (h.start, h.end) != (s, e) for s, e in phrases)
    got = dated._no_half_fixes(hits, phrases)
    assert [g.fixable for g in got] == [not plain(h) for h in hits]
    assert any(not g.fixable for g in got) and any(g.fixable for g in got)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="党的二十一九八大胜利召开之年一的2019年至—2021年度是今年关键。\n ", max_size=120))
def test_prefiltered_finditer_equals_finditer_on_year_shapes(text):
    from ghplan.corpus.rules import dated_years
    from ghplan.corpus.rules.dated_table import table

    shape = re.compile(table().rule("GH-STALE-EVENT-YEAR").extra["shape"])
    with mock.patch.object(prefilter, "SCAN_MIN", 0):
        for rx in (dated_years._PHRASE, dated_years._RANGE, dated_years._ANY_YEAR, shape):
            assert [m.span() for m in prefilter.finditer(rx, text)] == [m.span() for m in rx.finditer(text)], rx.pattern


def test_width_map_never_maps_to_a_mapped_character():
    from ghplan.corpus.rules.normalize import _compat

    _, mapping, _ = _compat()
    assert len(mapping) > 500
    assert not [k for k, v in mapping.items() if any(ch in mapping for ch in v)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="，：（）；！？０１９ＡＺａ…‥①㈠　﹐︰｡工会年 \n,.", max_size=80))
def test_width_flattening_by_replace_equals_one_sub(text):
    from ghplan.corpus.rules.normalize import _compat, _flatten

    rx, mapping, _ = _compat()
    assert _flatten(text, rx, mapping) == rx.sub(lambda m: mapping[m.group()], text)


def test_long_texts_normalised_once_and_alike():
    from ghplan.corpus.rules import normalize

    text = "（一）工会…年度工作，計劃：" * 600
    normalize._normalise_long.cache_clear()
    first = normalise(text)
    assert normalise(text[:-1] + text[-1]) is first          # an equal string: the memo's answer
    assert first == normalize._normalise(text)               # and what normalising afresh gives
    assert normalise(text[:100]) == normalize._normalise(text[:100])


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="工会作计划干部发展二十大届次全会\n12０、", max_size=100))
def test_literal_hits_come_in_the_order_pyahocorasick_gave(text):
    """The literal pass merges windows spot by spot, so the hits' order is part of the result:
    by end, and at one end the longest first, as pyahocorasick's iter gave them."""
    import ahocorasick_rs

    words = ["工会", "会", "全会", "二十大", "十大", "大", "二十届", "届", "工作", "作计划", "计划", "干部", "发展",
             "发", "\n1", "12", "2", "、", "会工"]
    old = ahocorasick.Automaton()
    for i, w in enumerate(words):
        old.add_word(w, i)
    old.make_automaton()
    want = [(i, end + 1 - len(words[i]), end + 1) for end, i in old.iter(text)]
    assert ahocorasick_rs.AhoCorasick(words).find_matches_as_indexes(text, overlapping=True) == want


def test_span_without_expansions_equals_the_mapped_origins():
    for text in ("", "工会，計劃（一）", "（一）工会…年", "ab\n"):
        norm = normalise(text)
        n = len(norm.text)
        for s in range(n + 1):
            for e in range(n + 1):
                o_s = norm.origin(s)
                want = (o_s, max(norm.origin(e - 1) + 1 if e > s else o_s, o_s))
                assert norm.span(s, e) == want, (text, s, e)


@settings(max_examples=120, deadline=None)
@given(st.text(alphabet="Ab工会\n \t12345678();{}\"'<>/x", max_size=90))
def test_line_start_alternation_equals_trying_every_position(text):
    cat = default_catalogue()
    cat._regex_scan = cat._build_regex_scan()          # (else built on the first long text)
    assert cat._regex_scan is not None                 # the bundled untriggered rules all start a line
    def seen(matches):
        return [(m.lastgroup, {g: m.span(g) for g in cat._groups}) for m in matches]
    assert seen(cat._regex_matches(text)) == seen(cat._regex.finditer(text))


def test_second_class_of_hand_written_patterns():
    assert prefilter.second_class(r"[\u4e00-\u9fff][ \t]*\n") == "[\\\t\\\n\\ ]"   # re.escape'd tab, break, space
    assert prefilter.second_class(r"(?:前往|赴)、|(?<=表彰)\w、") == "[、往]"
    assert prefilter.second_class(r"[\u4e00-\u9fff]+、") is None          # first item wider than one
    assert prefilter.second_class(r"[\u4e00-\u9fff]\w?") is None          # the rest may be empty


def test_finder_scans_for_the_second_character_when_nothing_else_bounds():
    rx = re.compile(r"(?:[各每]|(?<!参)与)[ \t]*\n[\u4e00-\u9fff]|[\u4e00-\u9fff]\n(?=、)", re.MULTILINE)
    find = prefilter.finder(rx)
    assert find.second and find.scan is not None
    text = "推动各\n项制度。参与\n活动。比\n、赛与 \n会"
    assert list(find.starts(text, 0, len(text))) == _plain_starts(rx, text, 0, len(text)) == [2, 14, 18]
    assert list(find.starts(text, 3, len(text))) == [14, 18]
    assert list(find.starts(text, 0, 20)) == [2, 14]
