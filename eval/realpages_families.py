"""Families for the realpages measure: which kind of rot a labelled snippet is, read from its shape.

The dev set labels snippets without a category, so the measure sorts each one into a family by
the first pattern here that matches it (normalised: NFKC, no whitespace). These are measuring
heuristics, written from the labelling rules' own family names, not from any page's text; a
snippet no pattern fits is `other`. Order matters: the first match wins.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CN = "〇零一二三四五六七八九十百两"

# (family, pattern) for boilerplate snippets
BOILERPLATE_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("artifact", re.compile(r"\S\n+\s*\S|第\d+页共\d+页|PAGE|^\d+/\d+$|^[\d\s/]+$")),
    ("mojibake", re.compile(r"\S[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]|[?？�]|[ㄅ-ㄩ]")),
    ("chatter", re.compile(r"小编|时间过得|转眼|不知不觉|光阴似箭|白驹过隙")),
    ("compilation", re.compile(rf"篇[\d{_CN}]+|第[\d{_CN}]+篇|[\d{_CN}]+篇|精选|合集|汇编|范文|"
                               rf"(计划|要点|总结|安排|规划|打算)[\d{_CN}]+$")),
    ("markdown", re.compile(r"^#+|^\*\*|\*\*$|^[-*]\s|\|.*\|")),
    ("chatbot", re.compile(r"以下是|旨在|范本|可根据|如需|希望(对|能)?.{0,6}(帮助|参考)")),
    ("metadata", re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|\d{1,2}:\d{2}|作者|来源|发布|浏览|阅读|点击|"
                            r"投稿|编辑|责任|字号|时间[:：]|日期[:：]|栏目|人气|记者|报道|通讯员|[^\s]讯")),
    ("site", re.compile(r"网|扫一扫|手机|首页|当前位置|位置[:：]|投诉|欢迎|登录|注册|下载|VIP|vip|文档|页数|"
                        r"收藏|分享|复制|举报|评论|会员|客服|二维码|微信|公众号|隐藏|此文共|大小[:：]|格式[:：]|ID[:：]|"
                        r"千字|页|预览|导读|版权|图片|资料图|\.(jpg|png|gif)|ICP|地址[:：]|电话|•|>|»|›")),
    ("related", re.compile(r"相关|推荐|热门|猜你|更多|上一篇|下一篇|\.\.\.|…")),
    ("chatter", re.compile(r"小编|大家|整理|下面|一起来|看看|时间过得|转眼|日子|不知不觉|光阴|岁月|飞逝|"
                           r"希望|帮助|参考|什么样")),
    ("placeholder", re.compile(r"[xX×]{2,}|20[xX×_]{2}|_|某|[xX×]{1,3}(大|届|年|月|日|人|名|个)")),
    ("censor", re.compile(r"\*|\^v\^|“”|‘’|''|\"\"|[\u4e00-\u9fff][xX][\u4e00-\u9fff]?|[\u4e00-\u9fff]_")),
    ("word-damage", re.compile(r"^[\u4e00-\u9fff“”‘’、,。]{1,8}$")),   # spinning, conversion damage, holes
)

# (family, pattern) for stale snippets
STALE_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("anniversary", re.compile(rf"第[\d{_CN}]+(个|届)?.{{0,6}}节|第[\d{_CN}]+个|周年|之年")),
    ("year", re.compile(rf"^\d{{4}}年?$|^[{_CN}]{{4}}年?$|\d{{4}}(年|\D)|[{_CN}]{{4}}年")),
    ("union-congress", re.compile(rf"全总|妇女.{{0,3}}大|工会.{{0,4}}[\d{_CN}]+.{{0,2}}大|工会.{{0,14}}(全会|全委|全体会议)")),
    ("five-year-plan", re.compile(r"十[一二三四]?五|[一二三四五六七]五普法")),
    ("party-congress", re.compile(r"十[六七八九]大|二十大|[十二]+[一二三四五六七八九]?届.{0,3}全会|.届.{0,3}中?会|全会|全委|执行委员会|党的.{0,3}大")),
    ("slogan", re.compile(r"和谐|科学发展观|荣辱|又好又快|三个代表|小康|三个文明|保增长")),
    ("obsolete", re.compile(r"疫情|新冠|非典|抗非|复工复产|抗疫|计划生育|计生|计育|下岗|婚姻法|博客|个人网页|新农村")),
    ("campaign", re.compile(r"教育|学习|创先争优|两学一做|三严三实|活动|先教|管理年|.年$")),
)


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def shape(text: str) -> str:
    """What the patterns read: NFKC, Traditional converted to Simplified, outer whitespace
    stripped (inner line breaks kept: a mid-word break is an artifact)."""
    return _t2s().convert(unicodedata.normalize("NFKC", text)).strip()


def family(text: str, table: tuple[tuple[str, re.Pattern[str]], ...]) -> str:
    """The first family in `table` whose pattern occurs in `shape(text)`, else `other`."""
    raw = shape(text)
    flat = re.sub(r"\s+", "", raw)
    for name, pattern in table:
        if pattern.search(flat) or pattern.search(raw):
            return name
    return "other"


def boilerplate_family(text: str) -> str:
    return family(text, BOILERPLATE_FAMILIES)


_PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]")


def stale_family(text: str) -> str:
    return family(_PINYIN.sub("", text), STALE_FAMILIES)   # 科學(xué)發(fā)展觀 reads as 科学发展观
