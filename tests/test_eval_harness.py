"""The eval harness end to end (in-process, one seeds index shared by the module): the default
suite passes, and breaking any stage makes it fail with a message that names the stage."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ghplan.writer.cli.common import exit_code

from ghplan.eval import checks as C
from ghplan.eval.harness import run_suite
from ghplan.eval.spec import SuiteError
from ghplan.eval.stages.adversarial import load_mock
from ghplan.eval.stages.reviewer import load_fixtures
from ghplan.eval.suite import load_suite
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
    # type precision is n/a only where the seeds hold fewer than k servable plans of the type:
    # no hospital plan at all, and the seeds' township plan is a 2012 one whose 和谐X / 创先争优
    # sections are stale for 2027 (the others are small); every other type is measured
    skipped = {(c.id, k.name) for c in r.cases if c.stage == "retrieval" for k in c.checks
               if k.status == C.SKIP}
    assert skipped == {(f"retrieval/{t}/2027", "type_precision")
                       for t in ("hospital", "township", "federation", "women")}
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
    import dataclasses

    from ghplan.writer.draft import prompting
    from ghplan.writer.draft.facts import year_facts

    real = prompting.system_prompt
    monkeypatch.setattr(prompting, "system_prompt",
                        lambda brief: real(dataclasses.replace(brief, facts=year_facts(2019))))
    r = run_suite(suite, settings=Settings(), filter="prompts/hospital/2027", index_location=seeds_index)
    assert r.exit_code() == 100 and "stage prompts" in r.failure_message()
    assert set(failing(r)["prompts/hospital/2027"]) == {"facts", "current"}


def test_drafts_without_the_year_in_the_title_fail_drafting(suite, seeds_index, monkeypatch):
    from ghplan.writer.draft import pipeline, prompting

    def no_year(profile, year):
        return f"{prompting.union_name(profile.org)}工作计划"
    for module in (pipeline, prompting):       # the plan's own title, and the one prompts name
        monkeypatch.setattr(module, "plan_title", no_year)
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


@pytest.mark.parametrize("stage, case", [
    ("retrieval", 'year = 2027\n'),
    ("prompts", 'type = "school"\nyear = 2027\n'),
    ("drafting", 'type = "school"\nyear = 2027\n'),
    ("adversarial", 'mock = "mocks/timeout.toml"\n'),
    ("reviewer", ''),
])
def test_an_unknown_check_is_a_suite_error_naming_stage_and_check_before_anything_runs(tmp_path, stage, case):
    """Loading the suite fails, so no case can run with a check that silently does nothing."""
    from ghplan.eval import stages

    body = f'[[case]]\nstage = "{stage}"\n{case}checks = ["{next(iter(stages.CHECKS[stage]))}", "spelling"]\n'
    with pytest.raises(SuiteError) as e:
        load_suite(_suite_file(tmp_path, body))
    assert f"unknown {stage} check 'spelling'" in str(e.value) and "\n" not in str(e.value)
    assert exit_code(e.value) == 1


def test_suite_validation_reads_each_stages_registry(tmp_path, monkeypatch):
    """A check added to a stage's CHECKS is known to suites at once; one missing from it is not."""
    from ghplan.eval import stages
    from ghplan.eval.stages import reviewer

    body = '[[case]]\nstage = "reviewer"\nchecks = ["recall", "f1"]\n'
    with pytest.raises(SuiteError, match="unknown reviewer check 'f1'; known: recall, precision"):
        load_suite(_suite_file(tmp_path, body))
    monkeypatch.setitem(stages.CHECKS, "reviewer", {**reviewer.CHECKS, "f1": lambda s, p: C.verdict("f1", True, "ok")})
    assert [c.name for c in load_suite(_suite_file(tmp_path, body)).cases[0].checks] == ["recall", "f1"]
    # [checks] parameters are validated against every stage's registry too
    with pytest.raises(SuiteError, match=r"\[checks\]: no stage has a check 'recal'"):
        load_suite(_suite_file(tmp_path, '[checks]\nrecal = { floor = 0.5 }\n[[case]]\nstage = "reviewer"\n'))


def test_every_stage_has_a_runner_and_a_registry_of_named_checks():
    from ghplan.eval import stages
    from ghplan.eval.spec import STAGES

    assert tuple(stages.RUNNERS) == tuple(stages.CHECKS) == STAGES
    for stage in STAGES:
        assert stages.CHECKS[stage] and all(callable(fn) for fn in stages.CHECKS[stage].values())
        assert set(stages.DEFAULTS[stage]) <= set(stages.CHECKS[stage])



def test_the_default_suite_documents_each_stages_checks():
    from ghplan.eval import stages

    text = (EVAL / "suites" / "default.toml").read_text("utf-8")
    for stage in ("retrieval", "prompts", "drafting"):
        line = next(ln for ln in text.splitlines() if ln.startswith(f"#   {stage} "))
        assert line.split()[2:] == list(stages.CHECKS[stage]), stage

# ---------------------------------------------------------------- the CLI's failure contract
def test_the_adversarial_stage_judges_the_cli_through_an_injected_runner(suite):
    calls = []

    def fake(args, env):
        calls.append((args, env))
        return 3, "ghplan: error: model request timed out after 60s\n"
    r = run_suite(suite, settings=Settings(), filter="adversarial/timeout", run_cli=fake)
    assert r.exit_code() == 0, r.failure_message()
    (args, env), = calls
    assert args[:1] == ["draft"] and args[args.index("--backend") + 1] == "mock" and "--no-retrieve" in args
    assert args[args.index("--mock-script") + 1].endswith("timeout.toml")
    assert env == {"OPENAI_API_KEY": "", "GHPLAN_MOCK_SCRIPT": ""}
    cli = next(k for k in r.cases[0].checks if k.name == "cli_fails_cleanly")
    assert cli.status == C.PASS and "exit 3" in cli.reason

    def crashing(args, env):
        return 1, "Traceback (most recent call last):\n  boom\n"
    bad = run_suite(suite, settings=Settings(), filter="adversarial/timeout", run_cli=crashing)
    assert bad.exit_code() == 100 and "stage adversarial" in bad.failure_message()
    cli = next(k for k in bad.cases[0].checks if k.name == "cli_fails_cleanly")
    assert cli.status == C.FAIL and "exit 1, expected 3" in cli.reason and "traceback" in cli.reason


def test_without_a_runner_the_console_script_runs_in_a_child_process(suite, monkeypatch):
    from ghplan.eval.stages import adversarial

    seen = []
    real = adversarial.run_cli_subprocess

    def spy(args, env):
        seen.append(args)
        return real(args, env)
    monkeypatch.setattr(adversarial, "run_cli_subprocess", spy)
    r = run_suite(suite, settings=Settings(), filter="adversarial/timeout")
    assert r.exit_code() == 0, r.failure_message()
    assert len(seen) == 1
    assert r.cases[0].artifacts["cli"]["exit"] == 3
    assert r.cases[0].artifacts["cli"]["stderr"].startswith("ghplan: error:")


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
