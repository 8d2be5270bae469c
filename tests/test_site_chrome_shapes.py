"""Site chrome, filler and chatbot asides by shape (issue 12): page counters in brackets, page
totals, copyright disclaimers, image lines and captions, keyword lines, genre menus, a chat
model's (注:…根据实际情况调整), time-passing openers, the definition of a union, a 第N篇: line and
year-named campaigns. Each shape fires on a text written for this test; a near miss of the same
look (real plan language) does not. The texts are invented."""
from __future__ import annotations

import pytest

from ghplan.corpus.clean import clean_text
from ghplan.corpus.rules.engine import default_catalogue


def _hits(text: str) -> set[str]:
    return {f.rule for f in default_catalogue().scan(text)}


CASES = [
    ("GH-META-COUNT-PAREN", "正文\n浏览(856) 点赞(3)\n下文", True),
    ("GH-META-COUNT-PAREN", "全年开展读书分享(共12期)活动。", False),
    ("GH-META-PAGES-TOTAL", "页脚 全文共5页 当前第1页", True),
    ("GH-META-PAGES-TOTAL", "编印的职工手册共40页,发放到班组。", False),
    ("GH-PROMO-DISCLAIMER", "说明:本文由用户上传,仅供学习交流,若有侵权请告知删除。", True),
    ("GH-PROMO-DISCLAIMER", "开展知识产权保护宣传,依法维护职工合法权益。", False),
    ("GH-META-IMAGE-LINE", "会议现场\n配图\n会上,主席作了讲话。", True),
    ("GH-META-IMAGE-LINE", "组织职工摄影比赛,评选优秀图片作品。", False),
    ("GH-META-IMAGE-CAPTION", "活动取得圆满成功。(图为参赛职工合影)", True),
    ("GH-META-IMAGE-CAPTION", "绘制职工服务站点分布图,方便职工查找。", False),
    ("GH-META-KEYWORDS", "正文结束\n标签:女职工 维权 三八节\n", True),
    ("GH-META-KEYWORDS", "为困难职工建档立卡,做到关键信息准确。", False),
    ("GH-PROMO-GENRE-NAV", "述职报告 | 心得体会 | 工作总结\n", True),
    ("GH-PROMO-GENRE-NAV", "一、指导思想\n坚持服务职工,围绕中心,服务大局。", False),
    ("GH-BOT-NOTE-ADJUST", "召开会员代表大会。(注:会议时间请结合单位实际情况确定)", True),
    ("GH-BOT-NOTE-ADJUST", "落实带薪休假制度(注:含探亲假)。", False),
    ("GH-CHAT-FILLER-TIME", "光阴似箭,一年的时光即将过去。", True),
    ("GH-CHAT-FILLER-TIME", "转眼间完成了全年目标任务的九成。", False),
    ("GH-CHAT-ENCYCLOPEDIA-LAW", "工会是职工自愿结合的工人阶级的群众组织,是党联系职工群众的桥梁。", True),
    ("GH-CHAT-ENCYCLOPEDIA-LAW", "让职工感到工会是可信赖的娘家人。", False),
    ("GH-COMP-DI-PIAN", "前文结束。\n第2篇:街道工会年度工作计划\n一、指导思想", True),
    ("GH-COMP-DI-PIAN", "第2篇:职工读书心得选登\n", False),
    ("GH-COMP-PIAN", "前文\n〖篇3〗\n正文", True),
    ("GH-COMP-PIAN", "前文\n「篇二」\n正文", True),
    ("GH-COMP-PIAN", "篇五:社区工会年度工作计划\n一、目标", True),
    ("GH-COMP-PIAN", "[附件2]职工名册", False),
    ("GH-PROMO-HOME-NAV-SPACED", "返回首页 · 党建工作 · 工会动态 · 职工之家\n正文", True),
    ("GH-PROMO-HOME-NAV-SPACED", "在首页 开设 职工 心声 栏目,收集职工意见。", False),
    ("GH-META-BYLINE-FIELDS", "正文完\n撰稿:某某 审校:某某\n", True),
    ("GH-META-BYLINE-FIELDS", "出处:某某公文网\n", True),
    ("GH-META-BYLINE-FIELDS", "由工会办公室负责编辑会刊,审核后印发。", False),
    ("GH-PROMO-PAGE-TOOLS", "标题\n【字号:大 中 小】【打印】【关闭】\n正文", True),
    ("GH-PROMO-PAGE-TOOLS", "分享到: 朋友圈 微博\n", True),
    ("GH-PROMO-PAGE-TOOLS", "组织职工分享到先进单位学习的体会。", False),
    ("GH-PROMO-ACCOUNT-LINE", "网友评论\n", True),
    ("GH-PROMO-ACCOUNT-LINE", "微信公众号:某某写作\n", True),
    ("GH-PROMO-ACCOUNT-LINE", "通过工会微信公众号发布活动通知。", False),
    ("GH-DL-EDITABLE", "工会工作计划(Word版,可编辑)", True),
    ("GH-DL-EDITABLE", "编辑会刊四期,及时报道工会工作。", False),
    ("GH-REL-LIST", "正文结束。\n您可能感兴趣的文章:\n某某计划", True),
    ("GH-REL-LIST", "了解职工可能感兴趣的培训项目。", False),
    ("GH-META-KEYWORDS", "TAG标签:工会计划\n", True),
    ("GH-PROMO-DISCLAIMER", "声明:本文观点仅代表作者本人,与本站无关。", True),
    ("GH-BOT-ADDRESSES-USER", "这是按照您的需求拟定的年度要点。", True),
    ("GH-BOT-ADDRESSES-USER", "工会将认真听取职工的意见和建议。", False),
    ("GH-BOT-PLAN-META", "这个方案包括组织建设、维权服务和文体活动三个部分。", True),
    ("GH-BOT-PLAN-META", "本计划自印发之日起执行。", False),
    ("GH-BOT-SUMMARY-LABEL", "小结:总之,工会工作将更上一层楼。", True),
    ("GH-BOT-SUMMARY-LABEL", "七、总结表彰\n年底召开总结表彰会。", False),
]


@pytest.mark.parametrize("rule,text,fires", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shape_fires_and_near_miss_does_not(rule, text, fires):
    assert (rule in _hits(text)) is fires


def test_year_named_campaigns_of_more_shapes_are_checked():
    from ghplan.corpus.rules import dated
    got = {f.rule for f in dated.check("深入开展“安全生产年”活动,推进“质量效益年”工作。", 2027)}
    assert "GH-STALE-YEAR-CAMPAIGN" in got
    assert "GH-STALE-YEAR-CAMPAIGN" not in {f.rule for f in dated.check("抓好全年安全生产工作。", 2027)}


def test_cleaning_drops_the_chrome_and_keeps_the_plan():
    page = ("2027年街道工会工作要点\n阅读(120) 评论(0)\n关键词:工会;工作要点\n"
            "时光荏苒,转眼间一年又过去了。\n一、深化建会入会\n在辖区商务楼宇组建联合工会。(图为楼宇工会揭牌)\n"
            "温馨提示:本文由网友上传,如有侵权请联系删除。")
    out = clean_text(page, default_catalogue())[0]
    for gone in ("阅读(120)", "关键词", "时光荏苒", "图为", "侵权"):
        assert gone not in out.replace("（", "(").replace("）", ")").replace("：", ":")
    assert "在辖区商务楼宇组建联合工会" in out and "一、深化建会入会" in out


def _own_clean_plans() -> dict[str, str]:
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    plans = {p.name: p.read_text("utf-8") for p in (root / "tests" / "fixtures").glob("clean_*.txt")}
    for name in ("clean", "generated_clean"):
        data = tomllib.loads((root / "eval" / "fixtures" / "reviewer" / f"{name}.toml").read_text("utf-8"))
        plans.update({fx["id"]: fx["text"] for fx in data["fixture"]})
    return plans


_CHROME_HEAD = ("当前位置:首页 > 计划总结 > 工会计划\n发布时间:2026-10-12 08:30:41 浏览次数:1893 我要投稿\n"
                "下面是小编为大家整理的工会工作计划(精选2篇),希望对大家有所帮助。\n工会工作计划 篇1\n")
_CHROME_TAIL = "\n工会工作计划 篇2\n时光荏苒,转眼间一年又过去了。\n相关推荐:\n学校工会工作计划\n"


@pytest.mark.parametrize("name", sorted(_own_clean_plans()))
def test_a_clean_plan_wrapped_in_site_chrome_comes_out_whole(name):
    import re

    from ghplan.corpus.pipeline import inspect_text

    plan = _own_clean_plans()[name].strip()
    res = inspect_text(_CHROME_HEAD + plan + _CHROME_TAIL, source=name, year=2027)
    squash = lambda s: re.sub(r"\s+", "", s)          # noqa: E731 - compare without layout
    cleaned = squash("".join(d.text for d in res.documents))
    lost = [line for line in plan.splitlines() if squash(line) and squash(line) not in cleaned]
    assert not lost, f"cleaning lost lines of a clean plan: {lost[:3]}"
    for chrome in ("当前位置", "浏览次数", "小编", "篇1", "相关推荐", "时光荏苒"):
        assert chrome not in cleaned


def test_a_related_list_near_the_top_loses_its_links_and_keeps_the_own_title():
    page = ("相关推荐:\n幼儿园工会学期工作计划\n街道工会工作总结范文\n某镇总工会2027年工作要点\n"
            "一、工作目标\n全镇新建基层工会十家,发展会员五百人,建成户外劳动者服务站点两个。\n"
            "二、主要任务\n推进非公企业建会,组织快递员、外卖骑手集中入会,开展送温暖和金秋助学活动。\n"
            "三、保障措施\n镇总工会加强指导考核,落实工作经费,确保各项任务按期完成。")
    out = clean_text(page, default_catalogue())[0]
    assert "幼儿园工会学期工作计划" not in out and "街道工会工作总结" not in out
    assert out.startswith("某镇总工会2027年工作要点")
