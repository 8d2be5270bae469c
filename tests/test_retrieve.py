"""Hybrid retrieval: BM25 on character n-grams, rank fusion, MMR, filters, type fallback, API, CLI."""
from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index.fusion import mmr, rrf
from ghplan.writer.index.lexical import BM25, tokens
from ghplan.writer.index.retrieve import Retriever, RetrievalError, default_query, fallback_table, retrieve


@pytest.fixture(scope="module")
def retriever(mini_index):
    loc, _ = mini_index
    return Retriever(loc, DEFAULT_EMBED_MODEL)


def test_tokens_are_char_unigrams_and_bigrams():
    assert tokens("教代会，ABC 2024") == ["教", "代", "会", "教代", "代会", "abc", "2024"]
    assert tokens("（一）职工") == ["一", "职", "工", "职工"]     # width-normalised, punctuation gone


def test_bm25_prefers_rare_exact_terms():
    docs = [tokens(t) for t in ("组织职工开展文体活动", "组织新就业形态劳动者入会", "职工职工职工活动")]
    bm = BM25(docs)
    s = bm.scores(tokens("新就业形态"))
    assert max(s, key=s.get) == 1 and set(s) == {1}
    s = bm.scores(tokens("职工活动"), allowed={0, 2})
    assert set(s) <= {0, 2}


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert max(fused, key=fused.get) == "b"
    assert fused["d"] == pytest.approx(1 / 62)


def test_mmr_skips_near_copies():
    v = {"a": np.array([1.0, 0, 0]), "a2": np.array([0.999, 0.0447, 0]), "b": np.array([0, 1.0, 0])}
    v = {k: x / np.linalg.norm(x) for k, x in v.items()}
    rel = {"a": 1.0, "a2": 0.99, "b": 0.5}
    assert mmr(["a", "a2", "b"], rel, v, 2) == ["a", "b"]
    assert mmr(["a", "a2", "b"], rel, v, 3) == ["a", "b", "a2"]    # copies only when nothing else is left


def test_fallback_table_is_complete_data_with_reasons():
    table, penalty = fallback_table()
    assert table["hospital"].order[:3] == ("government", "enterprise", "school")
    for t in ("school", "hospital", "enterprise", "township", "federation", "government", "women"):
        assert table[t].order and t not in table[t].order and len(table[t].reason) > 20
    assert 0 < penalty < 1


def test_filters_by_type_and_role(retriever):
    res = retriever.search("召开代表大会 公开 民主管理", "enterprise", None, k=3)
    assert not res.fell_back and len(res.hits) == 3
    assert all(h.org_type == "enterprise" and not h.fallback for h in res.hits)
    assert "厂务公开" in res.hits[0].text
    res = retriever.search("工作目标", "school", "goals", k=1)
    assert [(h.org_type, h.role) for h in res.hits] == [("school", "goals")]


def test_the_answer_is_the_right_section(retriever):
    res = retriever.search("快递员外卖骑手入会", "township", k=1)
    assert "新就业形态劳动者" in res.hits[0].text
    res = retriever.search("女职工孕期哺乳期保护", None, None, k=1)    # no filters at all
    assert res.hits[0].org_type == "women"


def test_stale_and_summary_chunks_are_never_served(retriever, mini_chunks):
    stale = next(c for c in mini_chunks if c.stale)
    summary = next(c for c in mini_chunks if not c.plan)
    for target in (stale, summary):
        res = retriever.search(target.text, None, None, k=10)      # asking for its very words
        assert target.id not in {h.id for h in res.hits}
    # for a year in which 十三五 was current, the stale chunk is fine again
    res = retriever.search(stale.text, "enterprise", "tasks", k=10, year=2018)
    assert stale.id in {h.id for h in res.hits}


def _in_stated_order(used, org_type):
    order = list(fallback_table()[0][org_type].order)
    return used and used == [t for t in order if t in used]


def test_hospital_falls_back_in_the_stated_order(retriever):
    res = retriever.search("医务人员 院务公开 工作目标", "hospital", "goals", k=3)
    assert _in_stated_order(res.fallback_types, "hospital")
    assert "order: government, enterprise, school" in res.fallback_reason
    assert "事业单位" in res.fallback_reason and res.fallback_reason.startswith("only 0 goals sections")
    assert len(res.hits) == 3 and all(h.fallback for h in res.hits)
    assert {h.org_type for h in res.hits} == set(res.fallback_types)
    assert all(h.role == "goals" for h in res.hits)


def test_nearer_stand_ins_rank_first(retriever):
    # an even-handed query: the nearest stand-in (government) must lead
    res = retriever.search("工作目标", "hospital", "goals", k=3)
    assert res.hits[0].org_type == "government"


def test_few_own_plans_fall_back_only_when_needed(retriever):
    # the women's committee has four servable chunks in the mini corpus
    assert not retriever.search("三八节 女职工", "women", None, k=4).fell_back
    res = retriever.search("三八节 女职工", "women", None, k=6)
    assert _in_stated_order(res.fallback_types, "women")
    own = [h for h in res.hits if not h.fallback]
    assert len(own) == 4 and not res.hits[0].fallback
    assert {h.org_type for h in res.hits} - {"women"} == set(res.fallback_types)


def test_results_are_diverse(retriever):
    res = retriever.search("工会", None, None, k=6)
    assert len({h.id for h in res.hits}) == 6
    assert len({h.doc_id for h in res.hits}) >= 3


def test_modes_differ_and_hybrid_fuses(retriever):
    q = "金秋助学"
    lex = retriever.search(q, None, "tasks", k=3, mode="lexical").hits
    dense = retriever.search(q, None, "tasks", k=3, mode="dense").hits
    hyb = retriever.search(q, None, "tasks", k=3).hits
    assert "金秋助学" in lex[0].text
    assert all(h.lexical_rank == 0 for h in dense) and all(h.dense_rank == 0 for h in lex)
    assert any(h.dense_rank and h.lexical_rank for h in hyb)


def test_bad_input(retriever):
    with pytest.raises(RetrievalError, match="empty query"):
        retriever.search("   ")
    with pytest.raises(RetrievalError, match="unknown type"):
        retriever.search("教代会", "hospitl")
    with pytest.raises(RetrievalError, match="unknown role"):
        retriever.search("教代会", role="target")


def test_retrieve_api_takes_a_type_or_a_profile(mini_index):
    from ghplan.writer.config import Settings

    loc, _ = mini_index
    settings = Settings(store_dir=loc.path)
    hits = retrieve("school", "goals", k=1, settings=settings)
    assert len(hits) == 1 and hits[0].org_type == "school" and hits[0].role == "goals"

    class Profile:      # the draft layer's Profile has .type, .year and .priorities
        type = "hospital"
        year = 2027
        priorities = ["关心一线医务人员身心健康"]
    hits = retrieve(Profile(), "tasks", k=3, settings=settings)
    assert hits and all(h.fallback and h.org_type in ("government", "enterprise", "school") for h in hits)
    assert default_query("hospital", "goals").startswith("医院工会")


def test_cli_search_json_shape(mini_index):
    from ghplan.writer.cli import app

    loc, _ = mini_index
    r = CliRunner().invoke(app, ["search", "新就业形态劳动者", "--type", "township", "-k", "2",
                                 "--store", str(loc.path), "--json"])
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"query", "type", "role", "fallback_types", "results"}
    assert out["type"] == "township" and out["role"] is None and out["fallback_types"] == []
    assert len(out["results"]) == 2
    for hit in out["results"]:
        # the documented key list; "origin" added by issue 13 (the mini corpus is all seeds)
        assert set(hit) == {"id", "text", "source", "type", "role", "heading", "score", "origin"}
        assert hit["type"] == "township" and hit["source"] == "mini/town-c.txt"
        assert hit["origin"] == "seed"
    r = CliRunner().invoke(app, ["search", "医务人员", "--type", "hospital", "--store", str(loc.path)])
    assert r.exit_code == 0 and r.stdout.startswith("note: only 0")
    assert "(fallback)" in r.stdout


def test_eval_query_set_is_well_formed():
    from ghplan.corpus.model import ORG_TYPES, ROLES
    from ghplan.eval.retrieval import load_queries

    qs = load_queries()
    assert {q.type for q in qs} == set(ORG_TYPES)          # every type, hospital included
    assert all(q.role is None or q.role in ROLES for q in qs)
    assert all(q.text.strip() and q.expect for q in qs)


def test_eval_scores_a_retriever(retriever):
    from ghplan.eval.retrieval import Query, evaluate, summarise

    qs = [Query("township", None, "快递员外卖骑手入会", ("新就业形态",)),
          Query("hospital", "goals", "医院工会工作目标", ("工作目标",))]
    s = summarise(evaluate(retriever, qs, k=3, modes=("dense", "hybrid")))
    assert s["filtered"]["hybrid"]["type_precision"] == 1.0      # township: four own chunks ≥ k
    assert s["filtered"]["hybrid"]["fallback_ok"] == 1.0         # hospital: stated stand-ins only
    assert s["filtered"]["hybrid"]["hit_rate"] == 1.0


def test_later_plan_year_rejudges_staleness(tmp_path, embedder):
    """An index built for 2026 asked for a 2031 plan: 十五五 (2026-30) is stale by then."""
    from ghplan.corpus.model import Document, Section
    from ghplan.writer.index.chunk import chunk_documents, stale_fn_for
    from ghplan.writer.index.store import Location, build_index

    def plan(doc_id, body):
        sec = Section(heading="主要工作", level=1, role="tasks", plan=True, text=body, path=["主要工作"])
        return Document(title=doc_id, org_type="enterprise", doc_kind="plan", text=body, sections=[sec],
                        source=f"{doc_id}.txt", doc_id=doc_id)
    docs = [plan("fyp", "围绕十五五规划开局之年，组织职工开展劳动竞赛和技能比武，助力企业高质量发展。"),
            plan("plain", "组织职工开展劳动竞赛和技能比武，选树劳模工匠，推动产业工人队伍建设改革。")]
    loc = Location("local", path=tmp_path / "years")
    build_index(chunk_documents(docs, stale_fn_for(2026)), loc, lambda: embedder, DEFAULT_EMBED_MODEL, year=2026)
    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    assert {h.doc_id for h in r.search("劳动竞赛", "enterprise", "tasks", k=2, year=2026).hits} == {"fyp", "plain"}
    assert {h.doc_id for h in r.search("劳动竞赛", "enterprise", "tasks", k=2, year=2031).hits} == {"plain"}
