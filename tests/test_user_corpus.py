"""The user's own plans as the corpus (issue 13): a folder of the user's plans is read
recursively, each file reported used or skipped; its documents are marked origin "user" beside
the bundled seeds ("seed"); retrieval serves the organisation's own plans first, then the type's;
`index status` counts by origin; a draft's --json marks the user's references; the copy check
never counts the user's own plans; an index from before origins still works.

Fast: the index is built with a stand-in embedder (8-dim vectors hashed from the text), never
the real model.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.stand_in import StandIn
from typer.testing import CliRunner

from ghplan.writer.config import DEFAULT_EMBED_MODEL

YEAR = 2027
OWN = "青松县中医院工会"
OTHER = "白云区妇幼保健院工会"

# The user's own plans, written for these tests (no dated political references, so nothing in
# them is stale for 2027).
QINGSONG_2025 = """青松县中医院工会2025年工作计划

医院工会围绕医院中心工作，团结全院医务人员，把关心职工、服务职工落到实处。特制定本计划。

一、指导思想
坚持党建带工建，围绕医院中医药特色发展和改善患者就医体验，依法履行工会维护职工合法权益、竭诚服务职工群众的基本职责，团结带领全院医务人员爱岗敬业、建功立业。

二、工作目标
全年召开职代会一次，院务公开事项按时公开；职工入会率保持百分之百；组织中医药技能比武两次；职工之家建设达到县级示范标准；困难职工帮扶做到应帮尽帮。

三、主要工作
（一）推进院务公开和民主管理。按时召开职工代表大会，审议医院年度工作报告和涉及职工切身利益的制度，职工代表提案件件有回复，院务公开栏每月更新一次。
（二）开展中医药技能比武。围绕针灸推拿、中药调剂、护理操作等岗位，组织青年医师和护士开展岗位练兵和技能比武，评选岗位能手，推荐优秀选手参加县级比赛。
（三）关心医务人员身心健康。为一线医护人员安排健康体检和心理疏导讲座，夜班较多的科室设立职工休息室，组织职工参加八段锦、太极拳等健身活动。

四、保障措施
工会委员分片联系科室，每季度听取一次职工意见；工会经费专款专用，接受经费审查委员会审查；重要活动报院党委同意后实施。

青松县中医院工会委员会
2024年12月
"""

QINGSONG_2026 = """青松县中医院工会2026年工作计划

一、指导思想
医院工会以职工为中心，紧扣医院建设三级中医医院的目标，把维护医务人员权益同推动医院发展结合起来，在服务患者、服务职工中体现工会作为。

二、工作目标
职代会提案办结率达到百分之九十五以上；新建职工书屋一处；全年开展送温暖、金秋助学活动两次；护士节、医师节表彰先进集体和个人；职工满意度测评达到九十分以上。

三、主要工作
（一）做实医师节和护士节活动。在护士节开展护理技能展示和优秀护士评选，在医师节举办名老中医经验分享会，表彰扎根临床一线的医务人员，营造尊医重卫的院内氛围。
（二）建设职工书屋和中医药文化角。在住院楼设立职工书屋，配置中医典籍和业务书刊，每月举办一次读书分享，请老药工讲解中药炮制技艺，传承中医药文化。
（三）做好困难职工帮扶和送温暖。建立困难职工档案，节日走访慰问困难职工和退休老职工，开展金秋助学，帮助职工子女完成学业，落实职工医疗互助。

四、保障措施
院工会每月召开一次委员会议研究工作，每项任务明确责任委员和完成时间；加强与医院各职能科室协作，确保各项工作按期完成。

青松县中医院工会委员会
2025年12月
"""

BAIYUN = """白云区妇幼保健院工会2026年工作计划

一、指导思想
保健院工会围绕妇女儿童健康服务，团结全院职工立足岗位、优质服务，推动保健院高质量发展，切实维护职工合法权益。

二、工作目标
职代会每年召开一次，院务公开事项按时公开；全院医务人员健康体检覆盖率百分之百；开展母婴保健服务技能竞赛一次；建成职工休息室两处。

三、主要工作
（一）开展母婴保健服务技能竞赛。组织产科、儿保科、妇保科医护人员开展新生儿复苏、母乳喂养指导等项目的岗位练兵，选拔优秀选手参加区级竞赛。
（二）推进院务公开和民主管理。按时召开职工代表大会，审议保健院年度工作和绩效分配方案，在门诊楼和住院楼设立院务公开栏，医务人员的意见建议件件有回复。
（三）丰富职工文化生活。组织职工开展春季健步走、羽毛球比赛和亲子活动，成立合唱队和读书会，增强职工归属感。

四、保障措施
工会委员会明确分工，按季度检查工作进度；经费使用公开透明，接受职工监督。

白云区妇幼保健院工会
2025年12月
"""

SCHOOL = """金穗实验学校工会2026年工作计划

一、指导思想
学校工会围绕立德树人根本任务，团结全体教职工，推进民主治校，关心教职工成长，为办好人民满意的学校贡献力量。

二、工作目标
召开教代会两次，校务公开事项及时公开；开展青年教师教学基本功比赛；建设教工之家活动室；教职工满意度明显提升。

三、主要工作
（一）办好教代会推进校务公开。凡涉及教职工切身利益的重大事项提交教代会审议，教代会提案逐件落实，校务公开栏定期更新。
（二）促进青年教师成长。开展青年教师教学基本功比赛和师徒结对活动，组织骨干教师上示范课，帮助青年教师站稳讲台。
（三）关心教职工身心健康。组织教职工健康体检，开展趣味运动会和读书沙龙，走访慰问生病住院和家庭困难的教职工。

四、保障措施
学校工会委员会分工负责，工会经费专款专用，重要活动报学校党支部同意后实施。

金穗实验学校工会委员会
2025年12月
"""


# ---------------------------------------------------------------------- fixtures



def _docx_bytes(text: str) -> bytes | None:
    """A Word file holding `text` (one paragraph per line), or None without python-docx."""
    try:
        import docx
    except ImportError:
        return None
    import io

    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _has_reader() -> bool:
    try:
        from ghplan.corpus.read import read_document  # noqa: F401
    except ImportError:
        return False
    return True


def write_folder(root: Path) -> Path:
    """The user's folder: plans at two depths, a Word file when it can be read, and files that
    must be skipped (an empty one, a spreadsheet, a legacy .doc, a Word lock file)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "2025").mkdir()
    (root / "白云区妇幼保健院2026.md").write_text(BAIYUN, "utf-8")
    (root / "金穗学校.txt").write_bytes(SCHOOL.encode("gb18030"))        # GBK is ordinary input
    for sub, name, text in (("2025", "青松县中医院2025年计划", QINGSONG_2025), ("", "青松县中医院2026年计划", QINGSONG_2026)):
        data = _docx_bytes(text) if _has_reader() else None          # the organisation's own: Word files
        if data:
            (root / sub / f"{name}.docx").write_bytes(data)
        else:
            (root / sub / f"{name}.txt").write_text(text, "utf-8")
    (root / "空白.txt").write_text("", "utf-8")
    (root / "统计表.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    (root / "旧计划.doc").write_bytes(b"\xd0\xcf\x11\xe0 legacy")
    (root / "~$松县中医院2026年计划.docx").write_bytes(b"lock")
    return root


@pytest.fixture(scope="module", autouse=True)
def _no_libreoffice():
    """The fake .doc is refused at once instead of going through LibreOffice."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GHPLAN_SOFFICE", "none")
        yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_folder(tmp_path_factory.mktemp("user") / "我的计划")


@pytest.fixture(scope="module")
def built(folder):
    from ghplan.writer.index.chunk import load_corpus
    return load_corpus(folder, YEAR)


@pytest.fixture(scope="module")
def index(tmp_path_factory, built):
    """The user's folder beside the seeds, built with stand-in vectors: (Location, chunks)."""
    from ghplan.writer.index.chunk import chunk_documents, stale_fn_for
    from ghplan.writer.index.store import Location, build_index

    chunks = chunk_documents(built.documents, stale_fn_for(YEAR))
    loc = Location("local", path=tmp_path_factory.mktemp("user-index"))
    build_index(chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=YEAR, corpus="user")
    return loc, chunks


def _retriever(loc):
    from ghplan.writer.index.retrieve import Retriever

    r = Retriever(loc, DEFAULT_EMBED_MODEL)
    r._emb = StandIn()           # the stand-in answers queries too (no model load, no dim check)
    return r


# ---------------------------------------------------------------------- reading the folder

def test_every_file_is_reported_used_or_skipped_with_a_reason(folder, built):
    files = {Path(f.path).name: f for f in built.files if f.origin == "user"}
    used = {n for n, f in files.items() if f.used}
    assert {"白云区妇幼保健院2026.md", "金穗学校.txt"} <= used
    word = {n for n in used if n.startswith("青松县中医院")}
    assert len(word) == 2
    if _has_reader():
        assert word == {"青松县中医院2025年计划.docx", "青松县中医院2026年计划.docx"}
        assert {files[n].format for n in word} == {"docx"}
    assert all(files[n].documents == 1 and files[n].reason for n in used)
    why = {n: f.reason for n, f in files.items() if not f.used}
    assert set(why) == {"空白.txt", "统计表.xlsx", "旧计划.doc", "~$松县中医院2026年计划.docx"}
    assert "empty" in why["空白.txt"]
    assert "unsupported" in why["统计表.xlsx"] and ".xlsx" in why["统计表.xlsx"]
    assert ".docx" in why["旧计划.doc"] and "lock" in why["~$松县中医院2026年计划.docx"]
    # the seeds are read beside the user's folder
    assert any(f.origin == "seed" and f.used for f in built.files)


def test_user_documents_are_labelled_and_marked_user_beside_the_seeds(built):
    user = [d for d in built.documents if d.origin == "user"]
    seeds = [d for d in built.documents if d.origin == "seed"]
    assert len(user) == 4 and seeds
    by_org = {d.org: d for d in user}
    assert set(by_org) >= {OWN, OTHER}                  # from the title line
    assert by_org[OTHER].org_type == "hospital" and by_org[OWN].org_type == "hospital"
    assert "金穗实验学校工会" in by_org and by_org["金穗实验学校工会"].org_type == "school"


def test_the_organisation_is_read_from_the_signature_when_the_title_does_not_name_it():
    from ghplan.corpus.org import document_org, same_org

    body = QINGSONG_2025.split("\n", 1)[1]              # no title line
    assert document_org("", body) == "青松县中医院工会委员会"
    assert same_org(OWN, "青松县中医院工会委员会") and same_org("县中医院工会", "县中医院工会委员会")
    assert not same_org(OWN, OTHER) and not same_org("医院工会", OWN)   # too short to match a part


def test_chunks_carry_origin_and_org_metadata(index):
    _, chunks = index
    user = [c for c in chunks if c.origin == "user"]
    assert user and all(c.metadata()["origin"] == "user" for c in user)
    assert {c.metadata()["org"] for c in user} >= {OWN, OTHER}
    assert all(c.metadata()["origin"] == "seed" for c in chunks if c not in user)


def test_a_folder_with_nothing_usable_is_one_clear_error(tmp_path):
    from ghplan.writer.errors import GhplanError
    from ghplan.writer.index.chunk import load_corpus

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "空白.txt").write_text("", "utf-8")
    (bad / "a.xlsx").write_bytes(b"x")
    with pytest.raises(GhplanError, match=r"yielded no chunks.*a\.xlsx: unsupported.*空白\.txt: the file is empty"):
        load_corpus(bad, YEAR)


# ---------------------------------------------------------------------- retrieval

def test_the_organisations_own_plans_are_served_first(index):
    loc, chunks = index
    r = _retriever(loc)
    own_tasks = [c for c in chunks if c.origin == "user" and c.org.startswith("青松县中医院") and c.role == "tasks"
                 and c.plan and not c.stale]
    assert own_tasks
    res = r.search("困难职工帮扶 技能比武", "hospital", "tasks", k=8, year=YEAR, org=OWN)
    hits = res.hits
    n_own = min(len(own_tasks), 8)
    assert [h.own for h in hits[:n_own]] == [True] * n_own, [(h.org, h.origin) for h in hits]
    assert all(h.origin == "user" and h.org.startswith("青松县中医院") for h in hits[:n_own])
    assert not any(h.own for h in hits[n_own:])
    # then the user's other plans of the type (the other hospital), before any seed
    rest = hits[n_own:]
    users = [h for h in rest if h.origin == "user"]
    assert users and all(h.org == OTHER for h in users)
    assert rest[:len(users)] == users
    assert all(h.to_json()["origin"] in ("user", "seed") for h in hits)


def test_another_organisation_gets_its_own_plans_first(index):
    loc, _ = index
    res = _retriever(loc).search("院务公开 技能竞赛", "hospital", "tasks", k=4, year=YEAR, org=OTHER)
    assert res.hits[0].own and res.hits[0].org == OTHER
    assert not any(h.org.startswith("青松县中医院") and h.own for h in res.hits)


def test_own_plans_are_served_even_when_read_as_another_type(index):
    """The organisation's plan wins over the type label (a hospital plan read as government)."""
    loc, _ = index
    r = _retriever(loc)
    res = r.search("职工书屋 送温暖", "school", "tasks", k=3, year=YEAR, org=OWN)
    assert res.hits and res.hits[0].own and res.hits[0].org_type == "hospital"
    assert not res.hits[0].fallback and "hospital" not in res.fallback_types


def test_without_an_organisation_the_users_plans_of_the_type_lead(index):
    loc, _ = index
    res = _retriever(loc).search("教代会 校务公开", "school", "tasks", k=5, year=YEAR)
    assert res.hits[0].origin == "user" and res.hits[0].org == "金穗实验学校工会"
    assert not any(h.own for h in res.hits)


def test_retrieve_takes_the_org_from_the_profile(index):
    from ghplan.writer.draft.profile import minimal_profile
    from ghplan.writer.index import retrieve as rmod

    loc, _ = index
    r = _retriever(loc)
    hits = r.search("x", "hospital", "tasks", k=3, year=YEAR, org=rmod._profile_org(minimal_profile(OWN, "hospital")))
    assert hits.hits[0].own


# ---------------------------------------------------------------------- status, draft --json

def test_index_status_counts_by_origin(index):
    from ghplan.writer.index.store import index_status

    loc, chunks = index
    st = index_status(loc).to_json()
    n_user = sum(1 for c in chunks if c.origin == "user")
    assert st["by_origin"] == {"seed": len(chunks) - n_user, "user": n_user} and n_user > 0


def test_draft_json_marks_the_users_references(index):
    from ghplan.writer.draft.backends.offline import OfflineBackend
    from ghplan.writer.draft.pipeline import draft
    from ghplan.writer.draft.profile import minimal_profile

    loc, _ = index
    r = _retriever(loc)

    def retriever(profile, role, k, query=None, year=None, settings=None):
        from ghplan.writer.index.retrieve import _profile_org, _profile_type, default_query
        org_type, _, topics = _profile_type(profile)
        q = query if query is not None else default_query(org_type, role, topics)
        return r.search(q, org_type, role, k, year=year, org=_profile_org(profile)).hits

    res = draft(minimal_profile(OWN, "hospital"), backend=OfflineBackend(), year=YEAR, retriever=retriever)
    refs = res.to_json()["retrieved"]
    assert refs and all(x["origin"] in ("user", "seed") for x in refs)
    mine = [x for x in refs if x["origin"] == "user"]
    assert mine and all(Path(x["source"]).name.startswith("青松县中医院") for x in mine[:1])
    assert {"id", "source", "type", "role", "score"} <= set(refs[0])      # the contract's fields stay


# ---------------------------------------------------------------------- copy check

def test_the_copy_check_never_counts_the_users_own_plans(built):
    from ghplan.writer.review.copycheck import CopyIndex
    from ghplan.writer.review.reviewer import review_text

    copy_index = CopyIndex.from_documents(built.documents)
    assert len(copy_index) == sum(1 for d in built.documents if d.origin == "seed")
    assert all(s.source.replace("\\", "/").count("/seeds/") for s in copy_index.sources)
    # carrying last year's own plan forward: no copying finding
    carried = QINGSONG_2025.replace("2025年", "2027年")
    found = review_text(carried, year=YEAR, corpus_index=copy_index, org_type="hospital").findings
    assert not [f for f in found if f.rule == "GH-COPY-RUN"]
    # a seed passage copied verbatim is still caught
    seed = max((d for d in built.documents if d.origin == "seed"), key=lambda d: len(d.text))
    copied = carried + "\n" + seed.text[:400]
    found = review_text(copied, year=YEAR, corpus_index=copy_index, org_type="hospital").findings
    assert [f for f in found if f.rule == "GH-COPY-RUN"]


def test_the_default_copy_index_holds_only_seeds():
    from ghplan.writer.review.copycheck import default_index

    assert all("/seeds/" in s.source.replace("\\", "/") for s in default_index().sources)


# ---------------------------------------------------------------------- an index from before origins

def test_an_index_built_before_origins_still_works(tmp_path, index):
    """Chunks without origin/org metadata and a collection without by_origin: read as seeds,
    no rebuild needed."""
    from ghplan.writer.index.store import (PREFIX, _set_active, active_name, connect, index_status,
                                           open_index)

    loc, _ = index
    import shutil
    from ghplan.writer.index.store import Location

    old = Location("local", path=tmp_path / "old")
    shutil.copytree(loc.path, old.path)
    client = connect(old)
    col, _ = open_index(old, client=client)
    got = col.get(include=["embeddings", "documents", "metadatas"])
    meta = {k: v for k, v in (col.metadata or {}).items() if k not in ("by_origin", "seeds")}
    legacy = client.create_collection(f"{PREFIX}legacy", embedding_function=None, metadata=meta,
                                      configuration={"hnsw": {"space": "cosine"}})
    metas = [{k: v for k, v in m.items() if k not in ("origin", "org")} for m in got["metadatas"]]
    legacy.add(ids=got["ids"], embeddings=np.asarray(got["embeddings"], dtype="float32"),
               documents=got["documents"], metadatas=metas)
    _set_active(client, legacy.name)
    client.delete_collection(col.name)
    assert active_name(client) == legacy.name

    st = index_status(old).to_json()
    assert st["by_origin"] == {"seed": len(got["ids"])}
    r = _retriever(old)
    res = r.search("困难职工帮扶", "hospital", "tasks", k=3, year=YEAR, org=OWN)
    assert res.hits and all(h.origin == "seed" and not h.own for h in res.hits)
    assert all(h.to_json()["origin"] == "seed" for h in res.hits)


# ---------------------------------------------------------------------- the CLI

@pytest.fixture
def standin_model(monkeypatch):
    """`ghplan index build` in-process with the stand-in instead of the model."""
    import ghplan.writer.index.embed as embed

    monkeypatch.setattr(embed, "get_embedder", lambda name=None: StandIn())
    monkeypatch.setattr(embed, "resolve_model_path", lambda name: name)


def _run(args):
    from ghplan.writer.cli import app

    result = CliRunner().invoke(app, args)
    assert "Traceback" not in (result.stdout + result.stderr)
    return result


def test_cli_index_build_reports_files_and_status_counts_by_origin(tmp_path, standin_model):
    folder = write_folder(tmp_path / "plans")
    store = str(tmp_path / "idx")
    r = _run(["index", "build", "--corpus", str(folder), "--store", store, "--year", str(YEAR), "--json"])
    assert r.exit_code == 0, r.stderr
    rep = json.loads(r.stdout)
    files = {Path(f["path"]).name: f for f in rep["files"] if f["origin"] == "user"}
    assert files["空白.txt"]["used"] is False and "empty" in files["空白.txt"]["reason"]
    assert files["统计表.xlsx"]["used"] is False and "unsupported" in files["统计表.xlsx"]["reason"]
    assert files["白云区妇幼保健院2026.md"]["used"] is True
    assert set(rep["files"][0]) >= {"path", "used", "reason"}
    assert rep["by_origin"]["user"] > 0 and rep["by_origin"]["seed"] > 0 and rep["seeds"] is True
    assert rep["chunks"] == sum(rep["by_origin"].values())

    text = _run(["index", "build", "--corpus", str(folder), "--store", store, "--year", str(YEAR)])
    assert text.exit_code == 0, text.stderr
    assert "skipped" in text.stdout and "空白.txt" in text.stdout and "the file is empty" in text.stdout

    st = _run(["index", "status", "--store", store, "--json"])
    assert st.exit_code == 0
    s = json.loads(st.stdout)
    assert s["by_origin"] == rep["by_origin"] and s["stale"] is False
    plain = _run(["index", "status", "--store", store])
    assert "by origin: seed" in plain.stdout and "user" in plain.stdout

    only = _run(["index", "build", "--corpus", str(folder), "--no-seeds", "--store", store, "--year", str(YEAR), "--json"])
    assert only.exit_code == 0, only.stderr
    rep2 = json.loads(only.stdout)
    assert set(rep2["by_origin"]) == {"user"} and rep2["seeds"] is False
    s2 = json.loads(_run(["index", "status", "--store", store, "--json"]).stdout)
    assert s2["stale"] is False and s2["seeds"] is False


def test_cli_nothing_usable_is_one_line(tmp_path, standin_model):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "空白.txt").write_text("", "utf-8")
    store = tmp_path / "idx"
    r = _run(["index", "build", "--corpus", str(bad), "--store", str(store)])
    assert r.exit_code == 1
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("ghplan: error: ") and "empty" in lines[0]
    assert not store.exists()
    c = _run(["corpus", "build", "--source", str(bad)])
    assert c.exit_code == 2 and "the file is empty" in c.stderr


def test_cli_corpus_build_marks_origin_in_the_jsonl(tmp_path):
    folder = write_folder(tmp_path / "plans")
    out = tmp_path / "c.jsonl"
    r = _run(["corpus", "build", "--source", str(folder), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["by_origin"]["user"] == 4 and rep["by_origin"]["seed"] > 0
    assert any(not f["used"] for f in rep["files"])
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert {x["origin"] for x in rows} == {"user", "seed"}
    assert {x["org"] for x in rows if x["origin"] == "user"} >= {OWN, OTHER}
