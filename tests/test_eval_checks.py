"""The eval's assertions (eval/checks.py, eval/labels.py and each stage's own in eval/stages/):
each passes on good input and fails, with a reason, on bad."""
from __future__ import annotations

import pytest

from ghplan.eval import checks as C
from ghplan.eval import labels as L
from ghplan.eval.stages import adversarial as A
from ghplan.eval.stages import drafting as D
from ghplan.eval.stages import prompts as P


# ---------------------------------------------------------------- character n-grams
def test_ngrams_are_characters_and_ignore_whitespace():
    assert set(C.char_ngrams("工会 工作", 2)) == {"工会", "会工", "工作"}
    # a reflowed copy is the same text: whitespace never splits Chinese into "words"
    assert C.ngram_jaccard("加强职工之家建设", "加强职工\n之家 建设", 3) == 1.0
    assert C.ngram_overlap("加强职工之家建设", C.ngram_set(["职工之家"], 4), 4) == pytest.approx(1 / 5)
    assert C.cjk_length("一、指导思想\n 以……为指导") == 12


def test_estimate_tokens_counts_cjk_heavier():
    assert C.estimate_tokens("工会" * 100) == 300
    assert C.estimate_tokens("abc" * 100) == 100


# ---------------------------------------------------------------- labels and matching
def test_parse_labels_exact_spans():
    text, labels = L.parse_labels("学习党的⟦stale:十七大⟧精神，⟦chatter+promotion:小编推荐⟧。")
    assert text == "学习党的十七大精神，小编推荐。"
    assert [(lab.category, text[lab.start:lab.end], lab.also) for lab in labels] == [
        ("stale", "十七大", ()), ("chatter", "小编推荐", ("promotion",))]
    with pytest.raises(ValueError):
        L.parse_labels("⟦stale:十七大")


def _f(cat, start, end, rule="R", severity="error"):
    return {"category": cat, "start": start, "end": end, "rule": rule, "severity": severity, "text": ""}


def test_match_findings_counts_hits_misses_and_false_positives():
    text, labels = L.parse_labels("⟦stale:十七大⟧和⟦stale:十二五⟧，⟦chatter+download:复制下载⟧")
    findings = [_f("stale", 0, 3), _f("organisation", 4, 7), _f("download", 9, 13),
                _f("markdown", 0, 1, severity="info")]          # infos are not judged
    t = L.match_findings(labels, [{"category": "structure", "rule": "GH-X"}],
                         findings + [_f("structure", 0, 0, "GH-X")])
    assert (t["stale"].labels, t["stale"].found, t["stale"].recall()) == (2, 1, 0.5)
    assert t["organisation"].precision() == 0.0 and t["organisation"].false
    assert t["chatter"].recall() == 0.0            # the label's own category was not reported ...
    assert t["download"].precision() == 1.0        # ... but a download finding on it is right
    assert t["structure"].recall() == 1.0 and t["structure"].precision() == 1.0
    assert "markdown" not in t


# ---------------------------------------------------------------- drafts
def test_required_roles_and_no_errors():
    assert D.required_roles({"guiding": True, "goals": True, "tasks": True, "safeguards": True}).status == C.PASS
    bad = D.required_roles({"guiding": True, "goals": False, "tasks": True, "safeguards": False})
    assert bad.status == C.FAIL and "goals, safeguards" in bad.reason
    review = {"findings": [{"severity": "error", "rule": "GH-STALE-PARTY-17", "line": 3, "col": 5, "text": "十七大"}],
              "summary": {}}
    assert D.no_errors(review).status == C.FAIL and "GH-STALE-PARTY-17" in D.no_errors(review).reason
    assert D.no_errors({"findings": [{"severity": "warning"}], "summary": {"warnings": 1}}).status == C.PASS


def test_no_copy_threshold():
    assert D.no_copy(49, "“x”", 50).status == C.PASS
    assert D.no_copy(50, "“x”", 50).status == C.FAIL


def test_org_and_year():
    text = "某厂工会2027年工作计划\n正文。\n某厂工会\n2027年1月5日"
    assert D.org_and_year(text, "某厂工会", 2027, closing=True).status == C.PASS
    assert D.org_and_year(text, "某厂工会", 2028, closing=False).status == C.FAIL
    assert "sign-off" in D.org_and_year("某厂工会2027年工作计划\n正文。", "某厂工会", 2027, True).reason


def test_length_and_vocabulary():
    assert D.length_within("字" * 1000, 1000).status == C.PASS
    assert D.length_within("字" * 500, 1000).status == C.FAIL
    assert D.speaks_type("医务人员和职代会、院务公开", "医院", ["医务人员", "职代会", "院务公开"], 3).status == C.PASS
    assert D.speaks_type("教职工", "医院", ["医务人员", "职代会", "院务公开"], 2).status == C.FAIL


def test_complete_sentences_catches_a_cut_off_plan():
    good = "某厂工会2027年工作计划\n一、指导思想\n坚持以职工为中心。\n（一）加强学习\n1.开展学习。具体安排如下。\n某厂工会\n2027年1月5日"
    assert D.complete_sentences(good, "某厂工会").status == C.PASS
    cut = good.replace("具体安排如下。", "组织职工进行")
    assert D.complete_sentences(cut, "某厂工会").status == C.FAIL


def test_sections_filled():
    from ghplan.corpus.headings import find_headings

    text = "标题\n一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导，团结职工。\n二、工作目标\n三、主要工作\n（一）加强学习\n组织职工开展理论学习，每季度不少于一次。"
    chk = D.sections_filled(text, find_headings(text), 10)
    assert chk.status == C.FAIL and "工作目标" in chk.reason


def test_fallback_types():
    assert D.fallback_types("hospital", ["government", "school"], ["government", "enterprise", "school"], False).status == C.PASS
    assert D.fallback_types("hospital", ["women"], ["government", "enterprise", "school"], False).status == C.FAIL
    assert D.fallback_types("school", [], ["government"], True).status == C.SKIP


# ---------------------------------------------------------------- prompts
def test_prompt_checks():
    sys_ok = "以习近平新时代中国特色社会主义思想为指导；党的二十大；十五五。参考材料不得照抄。"
    req = [[{"role": "system", "content": sys_ok}, {"role": "user", "content": "参考1：加强 职工之家建设。不得照抄。"}]]
    assert P.prompt_facts(sys_ok, {"party": "党的二十大", "fyp": "十五五"}).status == C.PASS
    assert P.prompt_facts(sys_ok, {"party": "党的二十一大"}).status == C.FAIL
    assert P.prompt_references(req, ["加强\n职工之家建设"]).status == C.PASS
    assert P.prompt_references(req, ["开展劳动竞赛"]).status == C.FAIL
    assert P.prompt_anti_copy(req, ["不得照抄"]).status == C.PASS
    bare = [[{"role": "system", "content": sys_ok}, {"role": "user", "content": "参考1：加强职工之家建设。"}]]
    assert P.prompt_anti_copy(bare, ["不得照抄"]).status == C.FAIL
    assert P.prompt_budget(req, [{"max_tokens": 100}], 200).status == C.PASS
    assert P.prompt_budget(req, [{"max_tokens": 1000}], 200).status == C.FAIL
    assert P.prompt_current(["十七大"]).status == C.FAIL


# ---------------------------------------------------------------- adversarial meta-checks
def test_caught_passes_only_when_every_expected_failure_is_seen():
    failed = C.Check("no_errors", C.WARN, "3 errors", required=False)
    review = {"findings": [{"category": "stale", "severity": "error", "rule": "GH-STALE-PARTY-17"}]}
    assert A.caught({"fail": ["no_errors"], "categories": ["stale"]}, [failed], review).status == C.PASS
    clean = C.Check("no_errors", C.PASS, "0 errors", required=False)
    slipped = A.caught({"fail": ["no_errors"], "categories": ["stale"]}, [clean], {"findings": []})
    assert slipped.status == C.FAIL and "SLIPPED THROUGH" in slipped.reason
    assert A.caught({"error": "timed out"}, [], None, "model request timed out after 60s").status == C.PASS
    assert A.caught({"error": "timed out"}, [], None, "").status == C.FAIL
    assert A.caught({}, [], None).status == C.ERROR


def test_failed_cleanly():
    assert A.failed_cleanly(3, "ghplan: error: model request timed out\n").status == C.PASS
    assert A.failed_cleanly(1, "Traceback (most recent call last):\n  boom\n").status == C.FAIL
