"""writer/copycheck.py: longest verbatim runs shared with corpus documents."""
from __future__ import annotations

import time

from ghplan.corpus.model import Document
from ghplan.writer.config import Settings
from ghplan.writer.review.copycheck import CopyIndex, compact, default_index
from ghplan.writer.review.reviewer import review_text

DOC_A = ("河畔纺织厂工会把夜班女工的通勤安全当作头等大事，联系公交公司开通凌晨专线，在厂门口增设照明和"
         "值守岗亭，并为家住偏远村组的职工协调拼车补贴，让每一位下夜班的姐妹都能平平安安回到家中。")
DOC_B = ("山城邮政分公司工会在投递旺季为揽投员配备防暑药品和电动车充电柜，推行错峰投递和弹性排班，"
         "每个投递站都设置饮水点与休息角，遇到暴雨大风天气及时暂停户外作业，保障一线揽投员的身体健康。")


def index(**kw) -> CopyIndex:
    docs = [Document(title="河畔纺织厂计划", org_type="enterprise", doc_kind="plan", text=DOC_A,
                     source="mini/a.txt", doc_id="a#1"),
            Document(title="山城邮政计划", org_type="enterprise", doc_kind="plan", text=DOC_B,
                     source="mini/b.txt", doc_id="b#1")]
    return CopyIndex.from_documents(docs, **kw)


def test_a_long_copied_run_is_an_error_naming_its_source():
    copied = DOC_B[10:90]
    text = "今年我们计划：" + copied + "。此外还要加强培训。"
    found = index().check(text, 50)
    assert len(found) == 1
    f = found[0]
    assert f.rule == "GH-COPY-RUN" and f.severity == "error"
    assert text[f.start:f.end] == f.text == copied
    assert "山城邮政计划" in f.message and "b#1" in f.message and "80 characters" in f.message


def test_runs_below_the_threshold_are_not_reported_and_the_threshold_is_configurable():
    text = "开头一句话。" + DOC_A[5:45] + "。结尾一句话。"
    assert index().check(text, 50) == []
    assert [len(f.text) for f in index().check(text, 30)] == [40]
    assert index().check(text, 0) == []


def test_reflowed_and_full_width_copies_are_still_copies():
    piece = DOC_A[:70]
    reflowed = piece[:30] + "\n\n" + piece[30:]
    f = index().check("前言。" + reflowed, 50)
    assert len(f) == 1 and f[0].text == reflowed
    wide = piece.replace("，", ",")          # ASCII commas normalise to the same text
    assert len(index().check(wide, 50)) == 1


def test_the_longest_run_is_reported_once_even_when_probed_many_times():
    text = DOC_A + DOC_B
    found = index().check(text, 50)
    assert [f.text for f in found] == [DOC_A, DOC_B]
    length, source = index().longest("无关的开头。" + DOC_B[3:80])
    assert length == 77 and source.doc_id == "b#1"


def test_compact_maps_positions_back():
    c = compact("甲乙 丙\n\n丁")
    assert c.text == "甲乙丙丁"
    assert [c.to_norm(i) for i in range(4)] == [0, 1, 3, 6]


def test_review_uses_the_threshold_from_settings():
    text = "甲单位2027年工作计划\n" + DOC_B[:60] + "。\n"
    on = review_text(text, org_type="enterprise", year=2027, corpus_index=index())
    off = review_text(text, org_type="enterprise", year=2027, corpus_index=index(),
                      settings=Settings(copy_threshold=100))
    assert "GH-COPY-RUN" in {f.rule for f in on.findings}
    assert "GH-COPY-RUN" not in {f.rule for f in off.findings}


def test_default_index_is_the_bundled_corpus_and_probing_is_fast():
    idx = default_index()
    assert len(idx) >= 5 and default_index() is idx          # built once per process
    big = ("职工之家建设持续推进，" + "甲乙丙丁戊己庚辛壬癸" * 3) * 4000      # ~170k characters, nothing copied
    t = time.perf_counter()
    assert idx.check(big, 50) == []
    assert time.perf_counter() - t < 2.0
