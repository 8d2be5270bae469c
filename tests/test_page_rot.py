"""Page rot on real scraped pages, family by family: each shape with a text written for this test
that must fire, and a near miss (real plan language of the same look) that must not.

The texts are invented; none is copied from a real page or the dev set.
"""
from __future__ import annotations

import pytest

from ghplan.corpus.pipeline import inspect_text
from ghplan.corpus.rules.engine import default_catalogue


def _rules(text: str) -> set[str]:
    return {f.rule for f in default_catalogue().scan(text)}


# (family, text, rule, fires)
CASES = [
    # compilation markers in every form
    ("compilation", "街道工会年度工作计划 篇3\n一、指导思想", "GH-COMP-PIAN-AFTER-TITLE", True),
    ("compilation", "某校工会工作总结篇二\n今年以来", "GH-COMP-PIAN-AFTER-TITLE", True),
    ("compilation", "全年共撰写调研文章三篇,编印简报十二期。", "GH-COMP-PIAN-AFTER-TITLE", False),
    ("compilation", "村级妇联工作规划三\n围绕中心工作", "GH-COMP-ORDINAL-TITLE", True),
    ("compilation", "一、围绕年度工作计划,抓好落实。\n二、加强宣传", "GH-COMP-ORDINAL-TITLE", False),
    ("compilation", "在工会代表会议上的讲话第 3 篇 同志们", "GH-COMP-DI-PIAN", True),
    ("compilation", "社区工会工作计划(精选9篇),供参考", "GH-COMP-COUNT-TITLE", True),
    ("compilation", "街道工会工作总结最新5篇", "GH-COMP-COUNT-TITLE", True),
    ("compilation", "全年在省级刊物发表论文3篇。", "GH-COMP-COUNT-TITLE", False),
    # labelled page metadata
    ("metadata", "标题\n时间:2021-05-06 08:09:10 工作计划 我要投稿\n正文", "GH-META-FIELDS", True),
    ("metadata", "标题\n作者:某某   浏览量:3321\n正文", "GH-META-FIELDS", True),
    ("metadata", "活动时间:三月上旬,地点:职工之家。", "GH-META-FIELDS", False),
    ("metadata", "页眉\n2022-11-02 10:11:12 心得体会\n正文", "GH-META-STAMP", True),
    ("metadata", "计划于2027年3月5日召开职代会。", "GH-META-STAMP", False),
    ("metadata", "  • 约 12页\n", "GH-META-BULLET-STAT", True),
    ("metadata", "  • 组织职工参加健步走\n", "GH-META-BULLET-STAT", False),
    ("metadata", "第3页共10页", "GH-META-PAGE-COUNTER", True),
    ("metadata", "上文\n2/10\n下文", "GH-META-PAGE-COUNTER", True),
    ("metadata", "完成全年目标的2/3以上。", "GH-META-PAGE-COUNTER", False),
    ("metadata", "会场一角(资料图)", "GH-META-SOURCE-TAG", True),
    ("metadata", "送温暖活动圆满结束。(区总工会办公室)", "GH-META-SOURCE-TAG", True),
    ("metadata", "(一)加强组织建设", "GH-META-SOURCE-TAG", False),
    ("metadata", "职工书屋揭牌.jpg", "GH-META-FILE-NAME", True),
    ("metadata", "某县日报讯 (记者 王某)", "GH-META-NEWS-CREDIT", True),
    ("metadata", "认真落实记者节慰问安排。", "GH-META-NEWS-CREDIT", False),
    ("metadata", "某页\n2019年4月1日星期三\n正文", "GH-META-DATE-LINE", True),
    ("metadata", "2027年3月8日前完成三八节慰问。", "GH-META-DATE-LINE", False),
    # site chrome
    ("site", "微信扫一扫 手机版 投诉建议", "GH-PROMO-CHROME", True),
    ("site", "某区总工会欢迎您! | 今天是:", "GH-PROMO-WELCOME", True),
    ("site", "您现在的位置:首页 - 工会动态", "GH-PROMO-WELCOME", True),
    ("site", "热烈欢迎新会员加入工会大家庭。", "GH-PROMO-WELCOME", False),
    ("site", "某某网 > 公文 > 计划 > 工会计划", "GH-PROMO-BREADCRUMB", True),
    ("site", "产值增长率 > 5%,利润率 > 3%", "GH-PROMO-BREADCRUMB", False),
    ("site", "地址:某市某路8号 电话:0000-7654321", "GH-PROMO-CONTACT", True),
    ("site", "公布维权热线电话,方便职工咨询。", "GH-PROMO-CONTACT", False),
    ("site", "分享 收藏 举报", "GH-PROMO-CHROME-LINE", True),
    ("site", "开展经验分享交流会", "GH-PROMO-CHROME-LINE", False),
    ("site", "已阅读3页,还剩2页未读", "GH-DL-PLATFORM", True),
    ("site", "此处隐藏:2000字,全部文档内容请下载后查看", "GH-DL-PLATFORM", True),
    ("site", "[此文共3200字]", "GH-DL-PLATFORM", True),
    ("site", "组织职工阅读经典文档资料。", "GH-DL-PLATFORM", False),
    ("site", "某某文秘网站:", "GH-PROMO-SITE-WORD", True),
    ("site", "推进网上工会建设。", "GH-PROMO-SITE-WORD", False),
    # editor chatter, auto-summaries, filler
    ("chatter", "摘要:本文介绍了某厂工会的年度安排,包括帮扶等方面。", "GH-CHAT-SUMMARY", True),
    ("chatter", "工作摘要报送区总工会。", "GH-CHAT-SUMMARY", False),
    ("chatter", "工会是一个致力于维护会员权益的群众组织。", "GH-CHAT-ENCYCLOPEDIA", True),
    ("chatter", "工会是职工的娘家,要当好娘家人。", "GH-CHAT-ENCYCLOPEDIA", False),
    ("chatter", "希望能帮助到您!", "GH-CHAT-HELP-YOU", True),
    ("chatter", "希望广大会员踊跃参加。", "GH-CHAT-HELP-YOU", False),
    ("chatter", "你会写街道工会工作计划吗?", "GH-CHAT-HOW-TO-WRITE", True),
    ("chatter", "光阴荏苒,时间的脚步从不停歇,又到了写计划的时候。", "GH-CHAT-TIME-FILLER", True),
    ("chatter", "合理安排职工休息时间。", "GH-CHAT-TIME-FILLER", False),
    ("related", "街道工会工作计划范文", "GH-REL-TEASER-TITLE", False),
    ("related", "街道工会工作计划某校工会工作计划", "GH-REL-TEASER-TITLE", True),
    # Traditional script and mojibake
    ("mojibake", "社區(qū)工會(huì)", "GH-MOJI-PINYIN", True),
    ("mojibake", "工會(工人組織)章程", "GH-MOJI-PINYIN", False),
    ("mojibake", "加強ㄐ┳建設", "GH-MOJI-GBK-DEBRIS", True),
    ("mojibake", "效果很好?!", "GH-MOJI-QMARKS", True),
    ("mojibake", "是否达到预期？！", "GH-MOJI-QMARKS", False),
    ("mojibake", "职工之家(home)", "GH-MOJI-ENGLISH-GLOSS", True),
    ("mojibake", "职工之家(APP)", "GH-MOJI-ENGLISH-GLOSS", False),
    # censor and deletion damage
    ("censor", "开展“”主题教育", "GH-CENSOR-EMPTY-QUOTE", True),
    ("censor", "收获‘’的喜悦", "GH-CENSOR-EMPTY-QUOTE", True),
    ("censor", "开展“职工书屋”建设", "GH-CENSOR-EMPTY-QUOTE", False),
    ("censor", "认真学习党的精神", "GH-CENSOR-NUMBER-GONE", True),
    ("censor", "召开第次全委会", "GH-CENSOR-NUMBER-GONE", True),
    ("censor", "认真学习党的二十大精神", "GH-CENSOR-NUMBER-GONE", False),
    ("censor", "召开第三次全委会", "GH-CENSOR-NUMBER-GONE", False),
    ("censor", "帮扶困难职工***户", "GH-CENSOR-MASK", True),
    ("censor", "表现优秀^v^", "GH-CENSOR-MASK", True),
    ("placeholder", "*月12日召开会议", "GH-PH-STAR-DATE", True),
    ("placeholder", "党的xx大", "GH-PH-CONGRESS", True),
    # synonym spinning
    ("spinning", "调动会员的用心性", "GH-SPIN-YONGXINXING", True),
    ("spinning", "用心做好每一件事", "GH-SPIN-YONGXINXING", False),
    ("spinning", "指导下层工会", "GH-SPIN-XIACENG", True),
    ("spinning", "团结广阔教职工", "GH-SPIN-GUANGKUO", True),
    ("spinning", "开拓广阔市场", "GH-SPIN-GUANGKUO", False),
    ("spinning", "来访者络绎不绝", "GH-SPIN-BUJUE", False),
    ("spinning", "不绝完善制度", "GH-SPIN-BUJUE", True),
    ("spinning", "开展健步走运动。", "GH-SPIN-YUNDONG", False),
    ("stray", "区总工会工会干部", "GH-STRAY-DOUBLED-WORD", False),
    ("stray", "基层党组织组织开展活动", "GH-STRAY-DOUBLED-WORD", False),
    ("stray", "全县工会工会积极分子", "GH-STRAY-DOUBLED-WORD", True),
    ("stray", "正文\n2 0 2 6\n工作计划", "GH-STRAY-SPACED-DIGITS", True),
    # chatbot leftovers in web pages
    ("chatbot", "本计划旨在提升服务职工水平,促进工会工作发展。", "GH-BOT-AIM", True),
    ("chatbot", "目标旨在提升职工满意度。", "GH-BOT-AIM", False),
    ("chatbot", "以下是某厂工会的年度工作计划。", "GH-BOT-HERE-IS", True),
    ("chatbot", "以下几项工作要重点抓好。", "GH-BOT-HERE-IS", False),
    ("chatbot", "## 三、保障措施", "GH-MD-HEADING", True),
    # narrower holes: a masked number or name loses its mark, not its sentence
    ("placeholder", "全年举办职工讲座**场,服务*.**万人次。", "GH-PH-MASKED-NUMBER", True),
    ("placeholder", "慰问资金共计8*万元。", "GH-PH-MASKED-NUMBER", True),
    ("placeholder", "扎实开展厂务公开、*管理。", "GH-PH-MASKED-NUMBER", False),
    ("placeholder", "经研究,由**同志兼任经审委员会主任。", "GH-PH-MASKED-NAME", True),
    ("placeholder", "根据*总〔2026〕12号文件精神,", "GH-PH-MASKED-NAME", True),
    ("placeholder", "**加强困难职工帮扶**", "GH-PH-MASKED-NAME", False),
    ("censor", "912日上午,工会召开委员会议。", "GH-CENSOR-DATE-HOLE", True),
    ("censor", "52午,举行职工健步走启动仪式。", "GH-CENSOR-DATE-HOLE", True),
    ("censor", "9月12日上午,工会召开委员会议。", "GH-CENSOR-DATE-HOLE", False),
    ("censor", "活动持续120日,中午休息。", "GH-CENSOR-DATE-HOLE", False),
    ("censor", "学习贯彻中国工会大精神", "GH-CENSOR-NUMBER-GONE", True),
    ("censor", "学习贯彻中国工会十八大精神", "GH-CENSOR-NUMBER-GONE", False),
    # site chrome and injections, more shapes
    ("related", "当前位置:首页\n【推荐街道工会工作要点】街道工会要点\n正文", "GH-REL-BRACKET-LINK", True),
    ("related", "【三月】召开职代会,审议集体合同草案。", "GH-REL-BRACKET-LINK", False),
    ("site", "导语:本站为你精选了六篇工会总结范文,欢迎参考。", "GH-PROMO-PICKED-FOR-YOU", True),
    ("site", "如需获取更多写作素材,请联系我们。", "GH-PROMO-PICKED-FOR-YOU", True),
    ("site", "工会为你整理了全年活动安排,请各部门对照落实。", "GH-PROMO-PICKED-FOR-YOU", False),
    ("site", "标题\n首页新闻中心工会风采党建园地\n正文", "GH-PROMO-HOME-NAV", True),
    ("site", "首页设置职工服务专栏,方便会员查询。", "GH-PROMO-HOME-NAV", False),
    ("site", "正文完\n职工学堂App—随时学习技能\n", "GH-PROMO-APP-AD", True),
    ("site", "推广“职工之家”APP,线上办理入会。", "GH-PROMO-APP-AD", False),
    ("site", "工会风采News\n某公司工会召开会议", "GH-PROMO-ENGLISH-NAV", True),
    ("site", "Culture\n某公司工会召开会议", "GH-PROMO-ENGLISH-NAV", True),
    ("site", "组织职工学习Office办公软件。", "GH-PROMO-ENGLISH-NAV", False),
    ("site", "认真落实《某某博彩网站职工培训计划》。", "GH-PROMO-SEO-GAMBLING", True),
    ("site", "组织职工观看文艺演出,丰富业余生活。", "GH-PROMO-SEO-GAMBLING", False),
    ("site", "统筹好整体与健保局部的关系。", "GH-PROMO-SEO-TW-TERM", True),
    ("site", "做好女职工保健保护工作。", "GH-PROMO-SEO-TW-TERM", False),
    ("stray", "全年发放救助金2、315万元。", "GH-STRAY-DUN-THOUSANDS", True),
    ("stray", "做好第1、2季度的帮扶工作。", "GH-STRAY-DUN-THOUSANDS", False),
    # Traditional conversion damage, seen through `original` (patterns read Simplified text)
    ("mojibake", "推動企業持續髮展。", "GH-MOJI-CONVERSION-CHAR", True),
    ("mojibake", "加強乾部隊伍建設。", "GH-MOJI-CONVERSION-CHAR", True),
    ("mojibake", "推動企業持續發展,加強幹部隊伍建設。", "GH-MOJI-CONVERSION-CHAR", False),
    ("mojibake", "组织职工理髮义诊活动。", "GH-MOJI-CONVERSION-CHAR", False),
    ("mojibake", "凝聚L(lì)量,推进工作。", "GH-MOJI-PINYIN", True),
    ("mojibake", "参加Word(wén)培训", "GH-MOJI-PINYIN", False),
]


@pytest.mark.parametrize("family,text,rule,fires", CASES, ids=[f"{c[0]}-{c[2]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_family_shape_and_near_miss(family, text, rule, fires):
    assert (rule in _rules(text)) is fires, (text, sorted(_rules(text)))


PAGE = """某镇工会工作计划(精选3篇)
时间:2026-02-03 09:10:11 工作计划 我要投稿
首页 > 工作计划 > 工会工作计划
某镇工会工作计划 篇1
一、指導(dǎo)思想
以習(xí)近平新时代中国特色社会主义思想为指导,团结动员全镇职工建功立业,推动镇域经济高质量发展,维护职工合法权益,竭诚服务职工群众。
二、主要任务
(一)深化民主管理。推进非公企业建会,扎实开展厂务公开,切实维护农民工和新就业形态劳动者的合法权益,办好职工服务驿站。
某镇工会工作计划 篇2
一、工作目标
全年新建基层工会十个,发展会员五百人,职工服务驿站覆盖全部村社区,困难职工帮扶做到应帮尽帮,职工满意度持续提升,工会干部培训实现全覆盖。
分享 收藏 举报
"""


def test_a_compilation_page_is_split_and_cleaned():
    page = inspect_text(PAGE, source="page.txt", year=2027)
    assert len(page.documents) == 2
    text = "\n".join(d.text for d in page.documents)
    for rot in ("篇1", "篇2", "我要投稿", "首页 >", "(dǎo)", "(xí)", "精选3篇", "举报"):
        assert rot not in text, rot
    assert "指導思想" in text and "習近平" in text          # pinyin gone, the character kept
    assert "某镇工会工作计划" in page.documents[0].text     # the page title leads the first piece
    assert page.documents[0].org_type == "township"
    for r in page.removed:
        if r.start >= 0:
            assert PAGE[r.start:r.end] == r.text


def test_an_all_boilerplate_page_yields_no_document():
    chrome = ("某某文库 > 工作计划 > 工会计划\n时间:2025-03-04 12:13:14 作者:某某\n已阅读3页,还剩2页未读\n"
              "文档简介\n精选优质文档-倾情为你奉上\n下载本文档\n分享 收藏 举报\n微信扫一扫 手机版 投诉建议\n第1页共3页\n")
    assert inspect_text(chrome, year=2027).documents == []


def test_a_related_list_near_the_top_takes_its_line_not_the_page():
    text = ("相关推荐\n某厂工会工作计划\n一、指导思想\n" + "坚持以职工为中心,围绕企业中心工作,团结动员职工建功立业,维护职工合法权益。" * 3
            + "\n二、主要任务\n" + "深化厂务公开,开展劳动竞赛,做好困难职工帮扶。" * 3)
    doc = inspect_text(text, year=2027).documents[0]
    assert "相关推荐" not in doc.text and "主要任务" in doc.text


def test_repairs_keep_the_sentence():
    text = ("二、主要任务\n" + "全县工会工会积极分子要带头,团结广阔职工,指导下层工会完善制度,调动会员的用心性。"
            + "组织开展职工技能竞赛和文体活动,丰富职工业余生活,增强企业凝聚力。" * 2)
    doc = inspect_text(text, year=2027).documents[0]
    assert "全县工会积极分子" in doc.text and "广大职工" in doc.text and "基层工会" in doc.text
    assert "积极性" in doc.text


def test_a_placeholder_loses_only_its_mark():
    text = ("一、指导思想\n认真学习贯彻党的xx大精神,围绕xx中心工作,团结动员职工建功立业,"
            "推动单位高质量发展,为完成全年目标任务贡献工会力量。" * 2)
    doc = inspect_text(text, year=2027).documents[0]
    assert "xx" not in doc.text and "党的大精神" in doc.text and "围绕中心工作" in doc.text


def test_a_timestamp_line_with_an_empty_count_keeps_the_next_line():
    text = ("某公司工会召开全委会\n发布时间:2026-03-29 阅读量:\n3月26日,公司工会召开全委扩大会议,"
            "部署全年工会工作,各分会主席参加会议。\n会议要求各分会围绕中心工作,扎实推进各项任务落实。")
    doc = inspect_text(text, year=2027).documents[0]
    assert "阅读量" not in doc.text and "3月26日,公司工会召开全委扩大会议" in doc.text


def test_a_masked_number_or_name_loses_only_its_mark():
    text = ("一、主要工作\n全年举办职工讲座**场,服务职工*.**万人次,职工满意度明显提升。"
            "经研究,由**同志兼任工会主席,**同志兼任经审主任,依照*总〔2026〕3号文件执行。"
            + "组织开展劳动竞赛和技能比武,丰富职工业余文化生活。" * 2)
    doc = inspect_text(text, year=2027).documents[0]
    assert "*" not in doc.text
    assert "全年举办职工讲座场" in doc.text and "同志兼任工会主席" in doc.text and "〔2026〕3号文件执行" in doc.text


def test_a_union_congress_hole_keeps_the_union_name():
    text = ("一、指导思想\n认真学习贯彻全总xx大精神和中国工会大精神,团结动员广大职工建功立业,"
            "推动单位高质量发展,为完成全年目标任务贡献工会力量。" * 2)
    doc = inspect_text(text, year=2027).documents[0]
    assert "xx" not in doc.text and "全总" in doc.text and "中国工会精神" in doc.text


def test_site_text_glued_to_a_run_in_heading_leaves_the_heading():
    text = ("单位工会年度计划。工会要团结职工,服务大局,推动发展,维护权益,建设职工之家。二、工作目标本计划旨在通过一系列"
            "可执行的步骤,推动工会各项工作。全年发展会员五十人,新建职工书屋一个,开展技能培训四期,帮扶困难职工全覆盖。")
    doc = inspect_text(text, year=2027).documents[0]
    assert "二、工作目标" in doc.text and "旨在" not in doc.text


def test_an_injected_keyword_goes_and_its_sentence_stays():
    text = ("二、主要任务\n组织学习《某某百家乐平台年度劳动竞赛方案》,统筹好整体与健保局部的关系,扎实推进各项工作。"
            + "开展职工技能竞赛和文体活动,丰富职工业余生活,增强企业凝聚力。" * 2)
    doc = inspect_text(text, year=2027).documents[0]
    assert "百家乐" not in doc.text and "健保" not in doc.text
    assert "年度劳动竞赛方案" in doc.text and "局部的关系,扎实推进各项工作" in doc.text


def test_a_date_placeholder_is_not_a_censored_word():
    """X月X日 is a template's date, reported by the placeholder rules; 依法维x is a masked word."""
    from ghplan.writer.review.reviewer import review_text

    text = "某校工会2027年工作计划\n一、时间安排\n于X月X日召开教代会，依法维x教职工权益。\n"
    found = [(f.rule, f.text) for f in review_text(text, year=2027, copy=False).findings]
    assert [t for r, t in found if r == "GH-CENSOR-X"] == ["x"]
    assert any(t == "X月X日" for r, t in found if r.startswith("GH-GEN-PH"))


def test_a_teasers_dots_are_not_reported_twice():
    text = "标题\n正文。\n本会年度工作总结范文...\n"
    rules = [f.rule for f in default_catalogue().scan(text)]
    assert "GH-REL-TEASER" in rules and "GH-STRAY-TRAILING-DOTS" not in rules
