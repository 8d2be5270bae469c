"""The pipeline with scripted models: prompts carry the year facts and the type's vocabulary,
retrieval feeds them (and degrades gracefully), repair rounds fix what review finds."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from ghplan.writer.errors import BackendError, GhplanError, UsageError
from ghplan import prompts
from ghplan.corpus.rules.engine import load_toml
from ghplan.writer.draft.backends.mock import MockBackend
from ghplan.writer.draft.backends.offline import OfflineBackend

from ghplan.writer.draft.pipeline import draft
from ghplan.writer.draft.facts import year_facts
from ghplan.writer.draft.profile import example_profile, minimal_profile

BOILER = "以下是小编整理的工会工作计划，希望对大家有所帮助。"


@dataclass
class FakeHit:
    id: str
    text: str
    source: str
    org_type: str
    role: str
    heading: str = ""
    score: float = 0.5
    fallback: bool = False


def clean_plan(profile, year):
    return draft(profile, backend=OfflineBackend(), year=year, retrieve=False).text


def rot(text: str) -> str:
    """What a copied plan carries: a stale five-year plan, an old congress, site chatter."""
    lines = text.split("\n")
    lines[1] = BOILER + lines[1]
    out = "\n".join(lines).replace("十五五", "十四五")
    return out.replace("中国工会十八大精神", "中国工会十七大精神")


# ---------------------------------------------------------------------- prompts
@pytest.mark.parametrize("year", [2026, 2028])
def test_prompts_carry_year_facts_vocabulary_and_the_anti_copy_rule(year):
    p = example_profile("hospital")
    mock = MockBackend.from_plan(clean_plan(p, year))
    draft(p, backend=mock, year=year, retrieve=False)
    f = year_facts(year)
    system = mock.calls[0]["request"].messages()[0]["content"]
    assert f.party_congress_name in system and f.union_congress_name in system
    assert f.five_year_plan_name in system and f.guiding in system
    for plenum in f.plenums:
        assert plenum in system
    if year == 2028:
        assert "党的二十一大" in system and "二十届三中全会" not in system
    vocab = load_toml("vocab.toml")["hospital"]
    for w in vocab["belongs"] + vocab["betray"]:
        assert w in system
    assert "绝不照抄" in system and "不用 Markdown" in system
    assert str(p.member_count) in system and p.priorities[0] in system
    stages = [c["kind"] for c in mock.calls]
    assert stages[0] == "outline" and stages.count("section") >= 6 and "opening" in stages
    # every request carries the same system prompt (one source of facts)
    assert all(c["request"].messages()[0]["content"] == system for c in mock.calls)


def test_prompt_templates_hard_code_no_dated_fact():
    for name in prompts.NAMES:
        raw = prompts.load(name)
        for word in ("十九大", "二十大", "十八大", "十四五", "十五五", "中全会", "习近平", "2026", "2027"):
            assert word not in raw, (name, word)


def test_render_is_strict():
    with pytest.raises(KeyError):
        prompts.render("repair", title="x")
    assert "count" in prompts.fields("repair")


def test_section_prompts_get_the_retrieved_references_as_learn_not_copy():
    hits = {
        "tasks": [FakeHit("t1", "组织职工开展新就业形态劳动者集中入会行动，建设户外劳动者服务站点。", "seed-a",
                          "township", "tasks", "主要工作")],
        "guiding": [FakeHit("g1", "坚持以职工为中心的工作导向，团结动员广大职工建功立业。", "seed-b",
                            "township", "guiding", "指导思想")],
    }

    def retriever(profile, role, k, query=None, year=None, settings=None):
        return hits.get(role, [])

    p = minimal_profile("某镇总工会", "township")
    mock = MockBackend.from_plan(clean_plan(p, 2027))
    r = draft(p, backend=mock, year=2027, retriever=retriever)
    outline_user = mock.calls[0]["request"].messages()[1]["content"]
    assert "新就业形态劳动者集中入会行动" in outline_user and "不得照抄" in outline_user
    guiding_call = next(c for c in mock.calls if getattr(c["request"], "role", "") == "guiding")
    assert "以职工为中心的工作导向" in guiding_call["request"].messages()[1]["content"]
    assert {x.id for x in r.retrieved} == {"t1", "g1"}
    js = r.to_json()
    # the documented key list; "origin" added by issue 13 (a hit without one is a bundled seed)
    assert js["retrieved"][0].keys() == {"id", "source", "type", "role", "score", "origin"}
    assert js["retrieved"][0]["origin"] == "seed"


def test_stale_and_duplicate_references_are_never_served():
    stale = FakeHit("s1", "深入开展建功“十三五”劳动竞赛，以科学发展观为指导。", "old", "enterprise", "tasks")
    dup_a = FakeHit("d1", "开展岗位练兵和技能比武，选树劳模工匠。", "a", "enterprise", "tasks")
    dup_b = FakeHit("d2", "开展岗位练兵和技能比武，选树劳模工匠。", "b", "enterprise", "tasks")

    def retriever(profile, role, k, query=None, year=None, settings=None):
        return [stale, dup_a, dup_b] if role == "tasks" else []

    r = draft(minimal_profile("某厂工会", "enterprise"), backend=OfflineBackend(), year=2027,
              retriever=retriever)
    assert [x.id for x in r.retrieved] == ["d1"]


def test_no_index_is_skipped_with_a_note():
    from ghplan.writer.index.store import NoIndexError

    def retriever(*a, **k):
        raise NoIndexError("no index yet at /x: run ghplan index build")

    r = draft(minimal_profile("某厂工会", "enterprise"), backend=OfflineBackend(), year=2027,
              retriever=retriever)
    assert r.errors == 0 and r.retrieved == []
    assert any("retrieval skipped" in n and "ghplan index build" in n for n in r.notes)


def test_offline_orders_topics_by_what_retrieval_surfaces():
    def retriever_for(words):
        def retriever(profile, role, k, query=None, year=None, settings=None):
            if role != "tasks" or query:
                return []
            return [FakeHit(f"h{i}", w * 3, "s", "township", "tasks") for i, w in enumerate(words)]
        return retriever

    p = minimal_profile("某镇总工会", "township")
    a = draft(p, backend=OfflineBackend(), year=2027, retriever=retriever_for(["快递外卖骑手网约车新就业形态"]))
    b = draft(p, backend=OfflineBackend(), year=2027, retriever=retriever_for(["帮扶困难送温暖慰问助学"]))
    ta = [t.key or t.title for t in a.outline.topics]
    tb = [t.title for t in b.outline.topics]
    assert "新就业形态" in a.outline.topics[1].title
    assert b.outline.topics[1].title != a.outline.topics[1].title
    assert a.errors == 0 and b.errors == 0 and ta


# ---------------------------------------------------------------------- hospital fallback
def test_hospital_with_fallback_references_still_speaks_hospital(mini_index):
    """Real retrieval over the mini index (no hospital plans): refs come from stand-in types that
    use school words; the hospital draft must not pick them up."""
    from ghplan.writer.index.retrieve import retrieve

    loc, _ = mini_index

    def retriever(profile, role, k, query=None, year=None, settings=None):
        return retrieve(profile, role, k, query=query, year=year, location=loc)

    r = draft(example_profile("hospital"), backend=OfflineBackend(), year=2027, retriever=retriever)
    assert r.retrieved and all(x.type != "hospital" for x in r.retrieved)
    assert any("references also from" in n for n in r.notes)
    assert r.errors == 0
    for w in ("教职工", "教代会", "校务公开", "师德"):
        assert w not in r.text
    assert "医务人员" in r.text and "院务公开" in r.text


# ---------------------------------------------------------------------- repair
def test_stale_references_and_boilerplate_trigger_a_repair_that_fixes_them():
    p = example_profile("enterprise")
    good = clean_plan(p, 2027)
    mock = MockBackend.from_plan(rot(good), repair=good)
    r = draft(p, backend=mock, year=2027, retrieve=False)
    repair_calls = [c for c in mock.calls if c["kind"] == "repair"]
    assert len(repair_calls) == 1 and r.rounds == 1
    prompt = repair_calls[0]["request"].messages()[1]["content"]
    assert "十四五" in prompt and "小编" in prompt          # the findings went back to the model
    assert "GH-STALE" in prompt
    assert r.errors == 0 and "十四五" not in r.text and "小编" not in r.text
    assert r.text == good


def test_a_school_plan_for_a_hospital_is_caught_and_repaired():
    hosp = example_profile("hospital")
    good = clean_plan(hosp, 2027)
    school_words = good.replace("医务人员", "教职工").replace("院务公开", "校务公开")
    mock = MockBackend.from_plan(school_words, repair=good)
    r = draft(hosp, backend=mock, year=2027, retrieve=False)
    assert r.rounds == 1 and r.errors == 0 and "教职工" not in r.text


def test_a_stubborn_model_uses_every_round_and_reports_what_is_left():
    p = minimal_profile("某厂工会", "enterprise")
    bad = rot(clean_plan(p, 2027))
    mock = MockBackend.from_plan(bad)                 # repair returns the same bad plan
    r = draft(p, backend=mock, year=2027, retrieve=False, repair_rounds=2)
    assert r.rounds == 2 and r.errors > 0
    assert any("remain after 2 repair round" in n for n in r.notes)
    assert sum(c["kind"] == "repair" for c in mock.calls) == 2


def test_zero_rounds_means_no_repair():
    p = minimal_profile("某厂工会", "enterprise")
    mock = MockBackend.from_plan(rot(clean_plan(p, 2027)))
    r = draft(p, backend=mock, year=2027, retrieve=False, repair_rounds=0)
    assert r.rounds == 0 and r.errors > 0
    assert not any(c["kind"] == "repair" for c in mock.calls)


def test_offline_repair_removes_what_it_cannot_rewrite():
    """The offline backend as a repairer: a bad sentence goes, the plan stays a plan."""
    from ghplan.writer.draft.backends.offline import repair_text
    from ghplan.writer.review.reviewer import review_text

    p = minimal_profile("某厂工会", "enterprise")
    good = clean_plan(p, 2027)
    lines = good.split("\n")
    lines[1] = BOILER + lines[1]
    bad = "\n".join(lines)
    findings = review_text(bad, org_type="enterprise", year=2027).findings
    assert any(f.severity == "error" for f in findings)
    fixed = repair_text(bad, findings)
    assert "小编" not in fixed
    assert review_text(fixed, org_type="enterprise", year=2027).to_json()["summary"]["errors"] == 0


# ---------------------------------------------------------------------- failures
def test_timeout_and_malformed_outline_fail_cleanly():
    p = minimal_profile("某厂工会", "enterprise")
    with pytest.raises(GhplanError) as err:
        draft(p, backend=MockBackend([{"stage": "outline", "error": "timeout"}]), year=2027, retrieve=False)
    assert isinstance(err.value, BackendError) and "timed out" in str(err.value)
    with pytest.raises(GhplanError) as err:
        draft(p, backend=MockBackend([{"stage": "outline", "text": "好的，我来帮你写！"}]), year=2027,
              retrieve=False)
    assert isinstance(err.value, BackendError) and "malformed outline" in str(err.value)


def test_outline_missing_roles_is_completed():
    p = minimal_profile("某厂工会", "enterprise")
    script = [{"stage": "outline", "text": "一、加强思想引领\n二、深化劳动竞赛\n三、做好困难帮扶"},
              {"stage": "opening", "text": "为做好今年工作，制定本计划。"},
              {"stage": "section", "text": "认真做好各项工作。", "repeat": True}]
    r = draft(p, backend=MockBackend(script), year=2027, retrieve=False, repair_rounds=0)
    heads = [ln for ln in r.text.splitlines() if ln[:2] in ("一、", "二、", "三、", "四、", "五、")]
    assert [h[2:] for h in heads] == ["指导思想", "工作目标", "主要工作", "保障措施", "时间安排"]
    assert [t.title for t in r.outline.topics] == ["加强思想引领", "深化劳动竞赛", "做好困难帮扶"]


def test_year_outside_the_table_is_a_usage_error():
    with pytest.raises(GhplanError) as err:
        year_facts(1999)
    assert isinstance(err.value, UsageError)


def test_streaming_delivers_the_plan_as_it_is_written():
    p = minimal_profile("某厂工会", "enterprise")
    seen: list[str] = []
    r = draft(p, backend=OfflineBackend(), year=2027, retrieve=False, on_delta=seen.append)
    streamed = "".join(seen)
    assert len(seen) > 20
    assert [ln for ln in streamed.splitlines() if ln] == r.text.splitlines()


def test_on_event_reports_stages_and_every_section_without_changing_the_draft():
    from ghplan.writer.draft.pipeline import DraftEvent

    p = minimal_profile("某厂工会", "enterprise")
    events: list[DraftEvent] = []
    heard = draft(p, backend=OfflineBackend(), year=2027, retrieve=False, on_event=events.append)
    quiet = draft(p, backend=OfflineBackend(), year=2027, retrieve=False)
    assert heard.text == quiet.text
    stages = [e.stage for e in events if e.kind == "stage"]
    assert stages[0] == "facts" and "outline" in stages and "review" in stages
    sections = [e for e in events if e.kind == "section"]
    assert [e.index for e in sections] == list(range(1, len(sections) + 1)) and len(sections) >= 5
    for e in sections:                       # each section's body is in the plan as written
        assert e.text and e.text in heard.text
    assert events[-1].kind == "done"
