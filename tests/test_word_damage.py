"""Word damage by shape (issue 12): spun words, characters cut by a deletion, enumerators glued to
heading markers, page numbers and line breaks inside a sentence, 范文 labels on titles. Each shape
has a text written for this test that must fire and a near miss of the same look that must not;
cleaning repairs where the right word is certain and only drops the mark otherwise.

The texts are invented; none is copied from a real page or the dev set.
"""
from __future__ import annotations

import pytest

from ghplan.corpus.clean import clean_text
from ghplan.corpus.rules.engine import default_catalogue


def _hits(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in default_catalogue().scan(text):
        out.setdefault(f.rule, []).append(text[f.start:f.end])
    return out


def _clean(text: str) -> str:
    return clean_text(text, default_catalogue())[0]


# (rule, text, matched text or None for "must not fire")
CASES = [
    # a writing site's 范文 label glued to a title, never a union's own word
    ("GH-PROMO-TITLE-FANWEN", "某社区工会2027年工作要点范文\n一、总体要求", "范文"),
    ("GH-PROMO-TITLE-FANWEN", "医院工会半年工作总结范例", "范例"),
    ("GH-PROMO-TITLE-FANWEN", "组织教职工学习师德范文和先进事迹。", None),
    ("GH-PROMO-TITLE-FANWEN", "征集优秀工作计划范文大全", None),           # the collection rule's
    # …计划精编 / (通用) hold no 篇: the count-title rule is tried there too
    ("GH-COMP-COUNT-TITLE", "卫生院2027年工会工作计划精编一、强化思想引领", "精编"),
    ("GH-COMP-COUNT-TITLE", "公司工会年度工作要点(通用)\n一、目标", "(通用)"),
    ("GH-COMP-COUNT-TITLE", "编印《职工读本》精编本二百册。", None),
    # an enumerator glued onto a heading marker
    ("GH-STRAY-ENUMERATOR-ON-MARKER", "加强阵地建设。二是(三)深化民主管理", "二是"),
    ("GH-STRAY-ENUMERATOR-ON-MARKER", "五是4、做好帮扶救助", "五是"),
    ("GH-STRAY-ENUMERATOR-ON-MARKER", "一是(1)组织开展劳动竞赛", "一是"),
    ("GH-STRAY-ENUMERATOR-ON-MARKER", "一是加强思想引领;二是深化民主管理。", None),
    ("GH-STRAY-ENUMERATOR-ON-MARKER", "重点是(一)所列三项任务。", None),
    # a two-character word cut by a deletion
    ("GH-CENSOR-CUT-KEN", "上级工会对我们的做法给予了高度肯。", "肯"),
    ("GH-CENSOR-CUT-KEN", "这一做法得到了区总工会的首肯。", None),
    ("GH-CENSOR-CUT-KEN", "职工肯干事、能干事。", None),
    ("GH-CENSOR-CUT-LINGDAO", "在校党委的坚强领下,工会各项工作稳步推进。", "领下"),
    ("GH-CENSOR-CUT-LINGDAO", "在工会主席带领下,分会完成了任务。", None),
    ("GH-CENSOR-CUT-LINGDAO", "在党建引领下,推进职工之家建设。", None),
    ("GH-SPIN-FUGONGXI", "工会副工席分管女职工工作。", "副工席"),
    # a name deleted after a verb that must take an object
    ("GH-CENSOR-VERB-BEFORE-DUN", "组织劳模前往、红色教育基地参观学习", "前往、"),
    ("GH-CENSOR-VERB-BEFORE-DUN", "授予张、等十名同志先进个人称号", "张、等"),
    ("GH-CENSOR-VERB-BEFORE-DUN", "组织会员参观、学习、交流。", None),
    ("GH-CENSOR-VERB-BEFORE-DUN", "做好先进集体和个人的评选、表彰、奖励工作。", None),
    ("GH-CENSOR-VERB-BEFORE-DUN", "组织党员参观、瞻仰、学习革命旧址。", None),
    # synonym spinning: 开展 for 发展, 奉献 for 贡献, 全力 for 积极, 前述 for 实际
    ("GH-SPIN-KAIZHAN-FAZHAN", "为企业开展作出新的贡献。", "开展"),
    ("GH-SPIN-KAIZHAN-FAZHAN", "全年新开展工会会员三百人。", "开展"),
    ("GH-SPIN-KAIZHAN-FAZHAN", "开展会员120人的目标如期完成。", "开展"),
    ("GH-SPIN-KAIZHAN-FAZHAN", "开展会员评家活动,开展职工培训。", None),
    ("GH-SPIN-FENGXIAN-GONGXIAN", "为全镇经济建设作出了重要的奉献。", "奉献"),
    ("GH-SPIN-FENGXIAN-GONGXIAN", "弘扬爱岗敬业、无私奉献的精神。", None),
    ("GH-SPIN-QUANLI-ZUOYONG", "充分发挥工会组织的全力作用。", "全力作用"),
    ("GH-SPIN-QUANLI-ZUOYONG", "全力做好职工服务工作。", None),
    ("GH-SPIN-QIANSHU-SHIJI", "各分会结合岗位前述,开展技能比武。", "前述"),
    ("GH-SPIN-QIANSHU-SHIJI", "按照前述工作安排推进落实。", None),
    # a mainland word rewritten by a script converter; a converter's closing quote
    ("GH-MOJI-TW-TERM", "全域性的工作部署要抓实抓细。", "全域性"),
    ("GH-MOJI-TW-TERM", "发展全域旅游,组织职工疗休养。", None),
    ("GH-STRAY-ODD-QUOTE", "围绕“建家强会〞的目标", "〞"),
    # two group quantifiers stacked by a spinner
    ("GH-STRAY-QUANTIFIER-STACK", "组织广大全体人员参加健步走。", "广大全体人员"),
    ("GH-STRAY-QUANTIFIER-STACK", "号召广大职工广大会员积极参与。", "广大职工广大"),
    ("GH-STRAY-QUANTIFIER-STACK", "团结动员广大职工和全体会员。", None),
    # extraction artifacts: a page number between a sentence's halves, a line break in a quoted name
    ("GH-META-PAGE-NUMBER-LINE", "为职工办实事是工会工作的\n12\n出发点和落脚点。", "12"),
    ("GH-META-PAGE-NUMBER-LINE", "一、工作目标\n1、新建职工书屋两个。", None),
    ("GH-META-PAGE-NUMBER-LINE", "本季度参加人数\n120人次\n创历年新高", None),   # a figure with its unit
    ("GH-STRAY-QUOTE-LINE-BREAK", "开设“职工\n讲堂”栏目", "职工\n讲堂"),
    ("GH-STRAY-QUOTE-LINE-BREAK", "开设“职工讲堂”栏目。\n“劳模工作室”每月活动一次。", None),
    # a line wrapped where no line can end: after 各/每/的…, or before a one-character list fragment
    ("GH-STRAY-MIDWORD-LINE-BREAK", "督促每\n个分会按时上报", "每\n个"),
    ("GH-STRAY-MIDWORD-LINE-BREAK", "开展演讲、朗诵、歌咏比\n\n  赛、书画展等活动", "比\n\n  赛"),
    ("GH-STRAY-MIDWORD-LINE-BREAK", "三、工作目的\n凝聚职工力量。", None),
    ("GH-STRAY-MIDWORD-LINE-BREAK", "(二)全员参与\n组织全体会员参加。", None),
    ("GH-STRAY-MIDWORD-LINE-BREAK", "主要任务\n一、强化引领", None),
    # a name deleted: a destination before sightseeing, the people before 相继患病, 维权 from the motto
    ("GH-CENSOR-DESTINATION-DROPPED", "五月组织退休职工赴县进行踏青。", "赴县"),
    ("GH-CENSOR-DESTINATION-DROPPED", "派代表到市参加表彰大会。", None),
    ("GH-CENSOR-SUBJECT-DROPPED", "帮扶工作扎实。年内相继住院,工会逐一探望。", "年内相继"),
    ("GH-CENSOR-SUBJECT-DROPPED", "两位老会员年内相继住院,工会逐一探望。", None),
    ("GH-CENSOR-UNION-MOTTO-HOLE", "坚持组织起来、切实的方针不动摇", "组织起来、切实"),
    ("GH-CENSOR-UNION-MOTTO-HOLE", "坚持组织起来、切实维权的方针不动摇", None),
    # a spun 组织 after 工会/职工
    ("GH-SPIN-MINJIAN-ZUZHI", "指导职工民间组织开展活动", "民间组织"),
    ("GH-SPIN-MINJIAN-ZUZHI", "联系辖区社会团体和民间组织。", None),
    ("GH-SPIN-ZUZHI-JIGOU", "荣获“模范职工之家组织机构”称号", "机构"),
    ("GH-SPIN-ZUZHI-JIGOU", "调整工会组织机构,选举新一届委员。", None),
    # a word qualified by itself through 性
    ("GH-STRAY-DOUBLED-WORD-ADJ", "做好经常性帮扶经常工作", "经常性帮扶经常"),
    ("GH-STRAY-DOUBLED-WORD-ADJ", "组织群众性体育活动,服务群众。", None),
    # half-width junk inside a word; a ~ range between numerals is not junk
    ("GH-STRAY-SYMBOL-IN-WORD", "建好会员@之家", "@"),
    ("GH-STRAY-SYMBOL-IN-WORD", "利用二~三年时间建成书屋。", None),
    # a punctuation mark doubled between two words (a run of three is someone's ellipsis, not this)
    ("GH-STRAY-DOUBLED-PUNCT", "组织书法、、摄影比赛", "、、"),
    ("GH-STRAY-DOUBLED-PUNCT", "组织书法、摄影比赛,丰富生活。", None),
]


@pytest.mark.parametrize("rule,text,matched", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shape_fires_and_near_miss_does_not(rule, text, matched):
    got = _hits(text).get(rule, [])
    if matched is None:
        assert not got, f"{rule} fired on a near miss: {got}"
    else:
        assert matched in got, f"{rule} did not match {matched!r} (got {got})"


@pytest.mark.parametrize("damaged,repaired", [
    ("上级工会对我们的做法表示充分肯。", "充分肯定。"),
    ("在局党委的正确领下,工会工作有序开展。", "正确领导下"),
    ("为经济社会开展作出积极贡献。", "为经济社会发展作出"),
    ("发挥女职工的全力作用。", "积极作用"),
    ("全域性的部署要落实。", "全局性"),
    ("副工席由专职干部担任。", "副主席由"),
])
def test_cleaning_repairs_a_certain_word_and_keeps_its_sentence(damaged, repaired):
    assert repaired in _clean(damaged)


def test_cleaning_drops_only_the_label_the_enumerator_and_the_page_number():
    out = _clean("某镇总工会2027年工作计划范文\n开展职工技能比武。三是(二)做好帮扶救助工作\n"
                 "让职工群众在工会的服务中得到\n7\n实实在在的实惠。")
    assert "范文" not in out and "某镇总工会2027年工作计划" in out
    assert "三是" not in out and "(二)做好帮扶救助工作" in out.replace("（", "(").replace("）", ")")
    assert "\n7\n" not in out and "实实在在的实惠" in out


def test_a_deleted_name_is_reported_and_its_sentence_kept():
    text = "组织退休职工前往、纪念馆参观学习。"
    assert "GH-CENSOR-VERB-BEFORE-DUN" in _hits(text)
    assert "纪念馆参观学习" in _clean(text)          # nothing to put back: a person restores the name


# known spun pairs (each rule names the original word) and one-character holes; near misses are the
# real words the spun form resembles
SPUN = [
    ("GH-SPIN-CHONGPEI", "要充沛发挥劳模的示范作用。", "充沛发挥", "充分发挥"),
    ("GH-SPIN-SHOUYAO-JIANGHUA", "传达总书记关于工人阶级的首要论述。", "首要", "重要论述"),
    ("GH-SPIN-JIANNAN-ZHIGONG", "建立艰难职工档案。", "艰难", "困难职工"),
    ("GH-SPIN-LAOZUO-JINGSAI", "围绕重点工程组织劳作竞赛。", "劳作竞赛", "劳动竞赛"),
    ("GH-SPIN-BUTING", "不停完善职工服务体系。", "不停", "不断完善"),
    ("GH-SPIN-XIXIN-GUANCHE", "仔细落实厂务公开制度。", "仔细", "认真落实"),
    ("GH-SPIN-ZHIGONG-DAZHONG", "倾听职工大众的呼声。", "大众", "职工群众"),
    ("GH-SPIN-YIQI-TONGSHI", "完成了帮扶任务。一起,健全了会员档案。", "一起", "同时,健全"),
    ("GH-SPIN-JINGLI-JINGSHEN", "认真传达职代会会议精力。", "精力", "会议精神"),
    ("GH-SPIN-TIAOHE-HEXIE", "推动构建调和劳动关系。", "调和", "和谐劳动关系"),
    ("GH-SPIN-LAOZUO-MOFAN", "宣传劳作模范的先进事迹。", "劳作模范", "劳动模范"),
    ("GH-SPIN-MINZHU-BANLI", "深化厂务公开和民主办理。", "民主办理", "民主管理"),
    ("GH-SPIN-BENZHI-SUZHI", "着力提升职工本质,建设高素质队伍。", "本质", "职工素质"),
    ("GH-SPIN-JINBU-TIGAO", "不断进步服务水平。", "进步", "提高服务水平"),
]


@pytest.mark.parametrize("rule,text,matched,repaired", SPUN, ids=[s[0] for s in SPUN])
def test_a_known_spun_pair_is_found_and_repaired(rule, text, matched, repaired):
    assert matched in _hits(text).get(rule, [])
    assert repaired in _clean(text)


@pytest.mark.parametrize("text", [
    "职工精力充沛,干劲十足。", "把安全放在首要位置。", "克服艰难险阻,完成任务。",
    "机器不停运转,职工坚守岗位。", "细心照料患病职工。", "丰富人民大众的文化生活。",
    "职工一起,共同完成任务。", "集中精力做好帮扶。", "调和矛盾,化解纠纷。", "把握工会组织的本质属性。",
    "职工技能取得新进步。", "全年取得了长足进步,水平明显提高。",
])
def test_the_real_words_a_spun_form_resembles_stay_silent(text):
    assert not {r for r in _hits(text) if r.startswith("GH-SPIN-")}


@pytest.mark.parametrize("rule,text,fires", [
    ("GH-MOJI-QMARK-BEFORE-STOP", "充分发挥工会组织作?。", True),
    ("GH-MOJI-QMARK-BEFORE-STOP", "工会经费怎么用?请看以下说明。", False),
    ("GH-PH-SOME-YEAR", "自某年起开展送温暖活动。", True),
    ("GH-PH-SOME-YEAR", "组织某年级教师开展教研活动。", False),
    ("GH-PH-SOME-YEAR", "学习《某某年度职工培训方案》。", False),
    ("GH-PROMO-VISIT-SITE", "更多精彩范文请访问本站首页", True),
    ("GH-PROMO-VISIT-SITE", "组织职工访问劳模,学习先进事迹。", False),
])
def test_holes_and_promotion_shapes(rule, text, fires):
    assert (rule in _hits(text)) is fires
