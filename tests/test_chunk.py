"""Chunking: heading paths, size bounds, sentence ends, content-hash ids, metadata for filters."""
from __future__ import annotations

import re

from ghplan.corpus.model import Document, Section
from ghplan.writer.index.chunk import (MAX_CHARS, NEVER, StaleRef, chunk_document, chunk_documents,
                          corpus_fingerprint, pack_sentences, split_sentences)


def _doc(sections, kind="plan", doc_id="d1", org_type="school", duplicate_of=""):
    secs = [Section(heading=h, level=len(p), role=r, plan=pl, text=t, path=list(p))
            for h, r, pl, t, p in sections]
    return Document(title="t", org_type=org_type, doc_kind=kind, text="", sections=secs,
                    source="s.txt", doc_id=doc_id, duplicate_of=duplicate_of)


def test_sentence_split_keeps_full_width_stops_and_closing_quotes():
    text = "开展“送温暖”活动。组织职工参加“五一”劳动竞赛！是否继续？继续做好帮扶；最后一句没有句号"
    got = split_sentences(text)
    assert got == ["开展“送温暖”活动。", "组织职工参加“五一”劳动竞赛！", "是否继续？", "继续做好帮扶；",
                   "最后一句没有句号"]
    assert split_sentences("他说：“要团结。”然后散会。") == ["他说：“要团结。”", "然后散会。"]


def test_pack_sentences_bounds_and_loses_nothing():
    sents = [f"第{i}项工作要认真落实到位。" * (1 + i % 3) for i in range(40)]
    pieces = pack_sentences(sents, 100)
    assert "".join(pieces) == "".join(sents)
    assert all(len(p) <= 100 for p in pieces)
    # no sentence is cut when every sentence fits: each piece ends at a full stop
    assert all(p.endswith("。") for p in pieces)
    # a sentence longer than the budget is cut hard rather than overflowing the model
    assert pack_sentences(["长" * 250], 100) == ["长" * 100, "长" * 100, "长" * 50]


def test_long_section_split_at_sentence_ends_with_heading_path():
    body = "".join(f"第{i}条，组织教职工参加师德师风学习并撰写心得体会。" for i in range(40))
    doc = _doc([("主要工作", "tasks", True, "", ("主要工作",)),
                ("加强师德建设", "tasks", True, body, ("主要工作", "加强师德建设"))])
    chunks = chunk_document(doc)
    assert len(chunks) >= 3
    for c in chunks:
        assert len(c.text) <= MAX_CHARS + len("主要工作\n加强师德建设\n")
        assert c.text.endswith("。")
        assert c.heading_path[0] == "主要工作"
        assert "加强师德建设" in c.embed_text      # every slice knows where it came from
    # the body is all there, once, in order
    bodies = "".join(c.text.replace("主要工作\n", "").replace("加强师德建设\n", "") for c in chunks)
    assert bodies == body


def test_small_items_merge_under_their_parent_but_never_across_sections_or_roles():
    doc = _doc([
        ("工作目标", "goals", True, "教职工入会率达到百分之百，创建市级模范教工之家。", ("工作目标",)),
        ("主要工作", "tasks", True, "", ("主要工作",)),
        ("加强教代会建设", "tasks", True, "定期召开教代会。", ("主要工作", "加强教代会建设")),
        ("推进校务公开", "tasks", True, "办好校务公开栏。", ("主要工作", "推进校务公开")),
        ("保障措施", "safeguards", True, "加强组织领导，落实工作经费，确保各项工作落到实处。", ("保障措施",)),
    ])
    chunks = chunk_document(doc, min_chars=80)
    roles = [c.role for c in chunks]
    assert roles == ["goals", "tasks", "safeguards"]
    tasks = chunks[1]
    assert "定期召开教代会。" in tasks.text and "办好校务公开栏。" in tasks.text
    assert tasks.heading_path == ("主要工作",)        # the common parent of the merged items
    assert "入会率" not in tasks.text and "组织领导" not in tasks.text


def test_bare_heading_chunks_are_dropped():
    doc = _doc([("积极开展工会创建", "tasks", True, "", ("积极开展工会创建",)),
                ("保障措施", "safeguards", True, "加强组织领导，落实工作经费，确保各项工作落到实处。" * 3, ("保障措施",))])
    chunks = chunk_document(doc)
    assert [c.role for c in chunks] == ["safeguards"]


def test_ids_are_content_hashes(mini_docs, mini_stale_fn):
    a = chunk_documents(mini_docs(), mini_stale_fn)
    b = chunk_documents(mini_docs(), mini_stale_fn)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert all(re.fullmatch(r"[0-9a-f]{32}", c.id) for c in a)
    # change one section: exactly the chunks holding it get new ids
    docs = mini_docs()
    docs[0].sections[1].text = docs[0].sections[1].text.replace("两次", "三次")
    c = chunk_documents(docs, mini_stale_fn)
    changed = {x.id for x in c} ^ {x.id for x in a}
    assert len(changed) == 2        # one id gone, one new
    assert corpus_fingerprint(a) == corpus_fingerprint(b) != corpus_fingerprint(c)


def test_metadata_is_flat_and_filterable(mini_chunks, mini_docs):
    for c in mini_chunks:
        m = c.metadata()
        assert all(isinstance(v, (str, int, float, bool)) for v in m.values())
        for key in ("doc_id", "source", "org_type", "doc_kind", "role", "heading_path", "plan",
                    "stale", "duplicate_group", "current_until"):
            assert key in m
    by_doc = {c.doc_id for c in mini_chunks}
    assert "school-a-copy" not in by_doc          # near-duplicate skipped ...
    assert all(c.duplicate_group == c.doc_id for c in mini_chunks)
    with_dups = chunk_documents(mini_docs(), include_duplicates=True)
    # ... unless asked for, and then grouped with the copy it duplicates
    assert any(c.doc_id == "school-a-copy" and c.duplicate_group == "school-a" for c in with_dups)


def test_summary_material_is_never_plan_and_stale_is_flagged(mini_chunks):
    summary = [c for c in mini_chunks if c.doc_id == "sum-h"]
    assert summary and not any(c.plan for c in summary)
    # even a section marked plan in a summary document is not plan material
    doc = _doc([("工作目标", "goals", True, "完成了教代会换届，取得了一定成绩。" * 4, ("工作目标",))], kind="summary")
    assert not chunk_document(doc)[0].plan
    stale = [c for c in mini_chunks if c.stale]
    assert [c.doc_id for c in stale] == ["old-g"]
    assert stale[0].stale_refs == ("十三五",) and stale[0].current_until == 2020
    fresh = [c for c in mini_chunks if not c.stale]
    assert all(c.current_until == NEVER for c in fresh)


def test_stale_reference_without_end_year_bars_every_year():
    doc = _doc([("指导思想", "guiding", True, "以科学发展观为指导，团结带领全体职工建功立业。" * 3, ("指导思想",))])
    [c] = chunk_document(doc, stale_fn=lambda t: [StaleRef("科学发展观", until=0)])
    assert c.stale and c.current_until == 0


def test_seed_corpus_chunks_are_bounded_and_clean():
    """The real pipeline on the bundled seeds: every chunk within bounds, labelled, not empty."""
    from ghplan.writer.index.chunk import corpus_chunks

    chunks = corpus_chunks(year=2026)
    assert len(chunks) > 50
    assert {c.org_type for c in chunks if c.plan and not c.stale} >= {"school", "enterprise", "township", "government", "women"}
    assert "hospital" not in {c.org_type for c in chunks}     # the seeds hold no hospital plan
    for c in chunks:
        body = c.text.split("\n", 1)[-1]
        assert 0 < len(body) <= MAX_CHARS
        assert c.role in ("guiding", "goals", "tasks", "safeguards", "schedule", "closing", "other")
    assert any(c.stale for c in chunks)                  # the seeds carry 十二五, 科学发展观 ...
