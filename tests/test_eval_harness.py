"""The eval harness end to end (in-process, one seeds index shared by the module): the default
suite passes, and breaking any stage makes it fail with a message that names the stage."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ghplan.writer.cli.common import exit_code

from ghplan.eval import checks as C
from ghplan.eval.harness import SuiteError, load_fixtures, load_mock, load_suite, run_suite
from ghplan.writer.config import Settings

EVAL = Path(__file__).resolve().parents[1] / "eval"


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory, embedder):
    """The bundled seeds embedded once for this module (the real model, a real chromadb)."""
    from ghplan.writer.index.chunk import corpus_chunks
    from ghplan.writer.config import DEFAULT_EMBED_MODEL
    from ghplan.writer.index.store import Location, build_index

    loc = Location("local", path=tmp_path_factory.mktemp("eval-seeds-index"))
    build_index(corpus_chunks(None, 2027), loc, lambda: embedder, DEFAULT_EMBED_MODEL, year=2027)
    return loc


@pytest.fixture(scope="module")
def suite():
    return load_suite()


@pytest.fixture(scope="module")
def full_report(suite, seeds_index):
    return run_suite(suite, settings=Settings(), index_location=seeds_index)


def failing(report) -> dict[str, list[str]]:
    return {c.id: [k.name for k in c.checks if k.failed] for c in report.cases if c.status in (C.FAIL, C.ERROR)}


# ---------------------------------------------------------------- the default suite
def test_default_suite_passes_every_stage(full_report):
    r = full_report
    assert r.exit_code() == 0, r.failure_message()
    totals = r.stage_totals()
    assert set(totals) == {"retrieval", "prompts", "drafting", "adversarial", "reviewer"}
    assert totals["drafting"]["cases"] == 28          # 7 types × 3 years offline + 7 mock replays
    assert totals["adversarial"]["cases"] == len(list((EVAL / "mocks").glob("*.toml")))
    assert totals["retrieval"]["checks_skip"] <= 3    # type precision n/a for types without plans
    # no check that needs the index was skipped: the index was there
    assert not [k for c in r.cases if c.stage in ("prompts", "drafting") for k in c.checks if k.status == C.SKIP]
    rev = r.metrics["reviewer"]["per_category"]
    assert rev["all"]["recall"] >= 0.95 and rev["all"]["precision"] >= 0.9
    assert r.metrics["retrieval"]["all"]["type_precision"] >= 0.9


def test_every_adversarial_model_is_caught_by_name(full_report):
    adv = {c.id: c for c in full_report.cases if c.stage == "adversarial"}
    for name in ("verbatim_seed", "stale_2012", "chatter_placeholders", "markdown_chatbot",
                 "school_for_hospital", "summary_not_plan", "truncated", "timeout", "malformed"):
        case = adv[f"adversarial/{name}"]
        caught = next(k for k in case.checks if k.name == "caught")
        assert caught.status == C.PASS, (name, caught.reason)
    # a failing model fails the draft command cleanly: exit 3, one line
    cli = next(k for k in adv["adversarial/timeout"].checks if k.name == "cli_fails_cleanly")
    assert cli.status == C.PASS and "exit 3" in cli.reason


def test_hospital_falls_back_and_still_speaks_hospital(full_report):
    case = next(c for c in full_report.cases if c.id == "drafting/mock/hospital/2027")
    by = {k.name: k for k in case.checks}
    assert by["fallback"].status == C.PASS and "fell back" in by["fallback"].reason
    assert by["vocabulary"].status == C.PASS
    assert {s["type"] for s in case.artifacts["sources"]} <= {"government", "enterprise", "school"}


# ---------------------------------------------------------------- breaking a stage
def test_disabling_the_stale_rule_fails_reviewer_and_adversarial(suite):
    broken = Settings(review_disable=["stale"])
    rev = run_suite(suite, settings=broken, filter="reviewer")
    assert rev.exit_code() == 100
    assert "stage reviewer" in rev.failure_message()
    assert failing(rev) == {"reviewer/stale": ["recall"], "reviewer/all": ["recall"]}
    adv = run_suite(suite, settings=broken, filter="adversarial/stale_2012")
    assert adv.exit_code() == 100 and "stage adversarial" in adv.failure_message()
    caught = next(k for k in adv.cases[0].checks if k.name == "caught")
    assert "SLIPPED THROUGH" in caught.reason and "no stale finding" in caught.reason


def test_retrieval_that_ignores_the_org_type_fails_retrieval(suite, seeds_index, monkeypatch):
    from ghplan.writer.index.retrieve import Retriever

    monkeypatch.setattr(Retriever, "plan_types", lambda self, org_type, role, k, year: (None, 0))
    r = run_suite(suite, settings=Settings(), filter="retrieval", index_location=seeds_index)
    assert r.exit_code() == 100
    assert r.failed_stages() == ["retrieval"] and "stage retrieval" in r.failure_message()
    # (a school query's own words still find school plans; other types' do not)
    for t in ("enterprise", "township", "federation", "government", "women"):
        assert "type_precision" in failing(r)[f"retrieval/{t}/2027"]
    assert "fallback" in failing(r)["retrieval/hospital/2027"]
    assert set(failing(r)["retrieval/all"]) == {"type_precision", "fallback"}


def test_prompts_with_another_years_facts_fail_prompts(suite, seeds_index, monkeypatch):
    from ghplan.writer.draft import pipeline as d

    real = d.system_prompt
    monkeypatch.setattr(d, "system_prompt", lambda profile, year, facts: real(profile, year, d.plan_facts(2019)))
    r = run_suite(suite, settings=Settings(), filter="prompts/hospital/2027", index_location=seeds_index)
    assert r.exit_code() == 100 and "stage prompts" in r.failure_message()
    assert set(failing(r)["prompts/hospital/2027"]) == {"facts", "current"}


def test_drafts_without_the_year_in_the_title_fail_drafting(suite, seeds_index, monkeypatch):
    from ghplan.writer.draft import pipeline as d

    monkeypatch.setattr(d, "plan_title", lambda profile, year: f"{d.union_name(profile.org)}工作计划")
    r = run_suite(suite, settings=Settings(), filter="drafting/offline/school/2026", index_location=seeds_index)
    assert r.exit_code() == 100 and "stage drafting" in r.failure_message()
    assert "org_year" in failing(r)["drafting/offline/school/2026"]


def _suite_file(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "suite.toml"
    p.write_text(body, "utf-8")
    return p


def test_a_bad_model_that_slips_through_fails_the_suite(tmp_path):
    """The meta-test: an 'adversarial' model that is in fact clean is not caught, so the suite fails."""
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.draft.profile import example_profile

    clean = draft(example_profile("enterprise"), backend=OfflineBackend(), year=2027, retrieve=False).text
    mock = tmp_path / "pretend_stale.toml"
    mock.write_text('plan = """\n' + clean + '\n"""\n[eval]\ntype = "enterprise"\nyear = 2027\n'
                    '[eval.expect]\nfail = ["no_errors"]\ncategories = ["stale"]\n', "utf-8")
    suite = load_suite(_suite_file(tmp_path, f'[[case]]\nstage = "adversarial"\nmock = "{mock}"\n'))
    r = run_suite(suite, settings=Settings())
    assert r.exit_code() == 100 and "stage adversarial" in r.failure_message()
    caught = next(k for k in r.cases[0].checks if k.name == "caught")
    assert caught.status == C.FAIL and "SLIPPED THROUGH" in caught.reason
    assert "no_errors passed" in caught.reason and "no stale finding" in caught.reason


def test_a_model_expected_to_fail_that_works_slips_through(tmp_path):
    mock = tmp_path / "not_really_timing_out.toml"
    mock.write_text('[eval]\ntype = "school"\nyear = 2027\n[eval.expect]\nerror = "timed out"\n'
                    '[[responses]]\nstage = "outline"\ntext = "一、指导思想\\n二、工作目标\\n三、主要工作\\n四、保障措施"\n'
                    '[[responses]]\nrepeat = true\ntext = "认真做好各项工作，确保取得实效。"\n', "utf-8")
    suite = load_suite(_suite_file(tmp_path, f'[[case]]\nstage = "adversarial"\nmock = "{mock}"\n'))
    r = run_suite(suite, settings=Settings())
    assert r.exit_code() == 100
    by = {k.name: k for k in r.cases[0].checks}
    assert "did not fail" in by["caught"].reason and by["cli_fails_cleanly"].status == C.FAIL


def test_a_crash_in_a_case_is_an_error_exit_1(suite, monkeypatch):
    from ghplan.writer.review import reviewer

    def boom(*a, **kw):
        raise RuntimeError("reviewer exploded")
    monkeypatch.setattr(reviewer, "review_text", boom)
    r = run_suite(suite, settings=Settings(), filter="reviewer")
    assert r.exit_code() == 1 and r.cases[0].status == C.ERROR
    assert "reviewer exploded" in r.cases[0].error and "stage reviewer" in r.failure_message()
    assert r.exit_code(fail_code=7) == 1


def test_retrieval_is_skipped_not_failed_without_the_embedding_model(suite, monkeypatch):
    monkeypatch.setenv("GHPLAN_EMBED_MODEL", "/nonexistent/embedding-model")
    r = run_suite(suite, settings=Settings(embed_model="/nonexistent/embedding-model"),
                  filter="retrieval/school")
    assert r.exit_code() == 0
    checks = r.cases[0].checks
    assert checks and all(k.status == C.SKIP and "skipped: no index" in k.reason for k in checks)
    assert any("no index" in n for n in r.notes)


# ---------------------------------------------------------------- suite files
@pytest.mark.parametrize("body, words", [
    ("[[case]]\nstage = \"drafting\"\ntype = \"school\"\nyear = 2027\nchecks = [\"spelling\"]\n", "unknown drafting check"),
    ("[[case]]\nstage = \"tasting\"\n", "'stage' must be one of"),
    ("[[case]]\nstage = \"drafting\"\ntype = \"hospitl\"\nyear = 2027\n", "unknown org type"),
    ("[[case]]\nstage = \"drafting\"\ntype = \"school\"\n", "needs a type and a year"),
    ("[[case]]\nstage = \"adversarial\"\nmocks = \"nowhere/*.toml\"\n", "no mock files match"),
    ("[suite]\nname = \"x\"\n", "no [[case]]"),
    ("[[case]\n", "bad TOML"),
])
def test_bad_suites_are_one_line_errors(tmp_path, body, words):
    with pytest.raises(SuiteError) as e:
        load_suite(_suite_file(tmp_path, body))
    assert words in str(e.value) and exit_code(e.value) == 1 and "\n" not in str(e.value)


def test_default_suite_expands_types_and_years(suite):
    ids = [c.id for c in suite.cases]
    assert "drafting/offline/hospital/2028" in ids and "prompts/hospital/2026" in ids
    assert "retrieval/all" in ids and "adversarial/verbatim_seed" in ids


# ---------------------------------------------------------------- the eval's own data
def _mock_texts(data: dict) -> list[str]:
    return [data.get("plan", ""), data.get("repair", "")] + [r.get("text", "") for r in data.get("responses", [])]


def test_mocks_and_fixtures_are_written_for_the_project_not_copied_from_seeds():
    from ghplan.writer.review.copycheck import default_index

    index = default_index()
    for path in sorted((EVAL / "mocks").glob("*.toml")):
        data = load_mock(path)
        for text in _mock_texts(data):
            n, src = index.longest(text)
            assert n < 25, (path.name, n, src)
    seed_mock = tomllib.loads((EVAL / "mocks" / "verbatim_seed.toml").read_text("utf-8"))
    assert "plan" not in seed_mock and "responses" not in seed_mock and seed_mock["eval"]["seed"]
    for fx in load_fixtures(EVAL / "fixtures" / "reviewer"):
        n, src = index.longest(fx.text)
        assert n < 25, (fx.id, n, src)


def test_fixture_labels_have_exact_spans():
    fixtures = load_fixtures(EVAL / "fixtures" / "reviewer")
    assert len(fixtures) >= 15
    cats = set()
    for fx in fixtures:
        for lab in fx.labels:
            assert fx.text[lab.start:lab.end] == lab.text and "⟦" not in fx.text
            cats.add(lab.category)
        cats.update(d["category"] for d in fx.doc_labels)
    assert {"stale", "placeholder", "chatter", "promotion", "watermark", "metadata", "related",
            "compilation", "download", "chatbot", "markdown", "mojibake", "censor", "stray",
            "numbering", "organisation", "structure"} <= cats
