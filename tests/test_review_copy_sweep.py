"""writer/review/copycheck.py drop_contained: the sort-and-sweep containment filter keeps exactly
the runs the old pairwise filter kept, in the same order (a property test against the old one)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ghplan.writer.review.copycheck import Run, drop_contained


def old_filter(found: list[Run]) -> list[Run]:
    """The filter before the sweep, verbatim: quadratic in the number of kept runs."""
    found = sorted(found, key=lambda r: (-r.length, r.start))
    kept: list[Run] = []
    for r in found:
        if not any(o.start <= r.start and r.end <= o.end for o in kept):
            kept.append(r)
    return kept


@st.composite
def runs(draw) -> list[Run]:
    span = draw(st.integers(1, 60))     # small spans: nesting, equal spans and equal starts are common
    out = []
    for _ in range(draw(st.integers(0, 40))):
        s = draw(st.integers(0, span))
        e = draw(st.integers(s + 1, span + 1))
        out.append(Run(s, e, draw(st.integers(0, 3)), draw(st.integers(0, 5))))
    return out


@settings(max_examples=600, deadline=None)
@given(runs())
def test_the_sweep_keeps_what_the_pairwise_filter_kept(found):
    assert drop_contained(list(found)) == old_filter(list(found))


def test_equal_spans_keep_the_first_found_and_nested_runs_go():
    a, b = Run(0, 10, 0, 0), Run(0, 10, 1, 5)
    inner, other = Run(2, 8, 2, 0), Run(9, 20, 3, 0)
    assert drop_contained([a, b, inner, other]) == [other, a]
    assert drop_contained([b, a]) == [b]


def test_the_copy_index_is_cached_on_disk_and_the_cache_equals_a_fresh_build(tmp_path, monkeypatch):
    from ghplan.writer.review import copycheck

    monkeypatch.setenv("GHPLAN_CACHE_DIR", str(tmp_path))
    copycheck.default_index.cache_clear()
    try:
        built = copycheck.default_index()                 # no cache yet: built, then written
        files = list(tmp_path.glob("copy-index-*.marshal"))
        assert len(files) == 1 and copycheck.corpus_key() in files[0].name
        copycheck.default_index.cache_clear()
        loaded = copycheck.default_index()                # read back
        fresh = copycheck.build_default_index()
        assert loaded is not built and loaded.state() == fresh.state() == built.state()
        text = "".join(fresh.texts)[100:400] + "自己写的一句话。" + "".join(fresh.texts)[900:1100]
        assert loaded.check(text, 50) == fresh.check(text, 50) != []
        # a damaged or foreign cache file is rebuilt, never trusted
        files[0].write_bytes(b"not a copy index")
        copycheck.default_index.cache_clear()
        assert copycheck.default_index().state() == fresh.state()
    finally:
        copycheck.default_index.cache_clear()


def test_the_cache_key_changes_with_the_facts_file(tmp_path, monkeypatch):
    from ghplan.writer.review.copycheck import corpus_key

    monkeypatch.setenv("GHPLAN_FACTS", str(tmp_path / "facts.toml"))
    before = corpus_key()
    (tmp_path / "facts.toml").write_text("# facts\n", "utf-8")
    assert corpus_key() != before


def test_the_lazily_compiled_catalogues_hold_only_patterns_that_compile():
    """The bundled catalogues compile a rule's regex on first use: every one must compile."""
    from ghplan.corpus.rules.engine import default_catalogue
    from ghplan.writer.review import generated

    for cat in (default_catalogue(), generated.catalogue()):
        cat.compile_all()
        assert len(cat._compiled) == sum(1 for r in cat.rules if r.pattern)
