"""Synthetic plan chunks for the index benchmarks: sentences recombined from fragments written for
this file (no corpus text), with the metadata a real chunk carries, so a build or a search at 1k,
10k or 100k chunks runs the library's own code paths.

    from synthetic import chunks
    cs = chunks(10_000)            # deterministic for a given n and seed
"""
from __future__ import annotations

import hashlib
import random

TYPES = ("school", "hospital", "enterprise", "township", "federation", "government", "women")
ROLES = ("guiding", "goals", "tasks", "tasks", "tasks", "safeguards", "schedule", "closing")

SUBJECTS = ("各基层工会", "工会委员会", "女职工委员会", "经费审查委员会", "各分会小组", "工会干部",
            "全体会员", "职工代表", "青年职工", "一线班组")
ACTIONS = ("认真组织开展", "持续深化", "扎实推进", "进一步规范", "积极探索", "定期梳理", "统筹安排",
           "广泛动员参与", "及时总结推广", "切实抓好")
OBJECTS = ("职工技能比武活动", "困难职工走访慰问", "厂务公开和民主管理", "职工书屋建设", "劳动保护监督检查",
           "会员实名制信息核对", "职工健康体检安排", "集体协商要约工作", "心理疏导服务", "职工文体兴趣小组",
           "新入职人员入会登记", "户外劳动者服务站点", "工会经费收支公开", "职工合理化建议征集",
           "夏季送清凉活动", "法律援助咨询", "先进典型宣传", "职工子女托管服务")
ENDS = ("，确保各项任务落到实处。", "，做到有计划、有检查、有总结。", "，不断增强职工的获得感。",
        "，形成长效工作机制。", "，每季度通报一次进展。", "，年底前完成全面评估。")
HEADINGS = ("一、指导思想", "二、工作目标", "三、主要任务", "（一）加强组织建设", "（二）维护职工权益",
            "（三）丰富文化生活", "四、保障措施", "五、时间安排")


def sentence(rnd: random.Random) -> str:
    return rnd.choice(SUBJECTS) + rnd.choice(ACTIONS) + rnd.choice(OBJECTS) + rnd.choice(ENDS)


def chunks(n: int, seed: int = 7, sentences: tuple[int, int] = (3, 8)) -> list:
    """`n` Chunk objects of 3–8 synthetic sentences (~100–300 characters), types and roles
    spread over the seven types and the roles as a corpus spreads them."""
    from ghplan.writer.index.chunk import Chunk

    rnd = random.Random(seed)
    out = []
    for i in range(n):
        heading = rnd.choice(HEADINGS)
        text = heading + "\n" + "".join(sentence(rnd) for _ in range(rnd.randint(*sentences)))
        typ, role = TYPES[i % len(TYPES)], rnd.choice(ROLES)
        cid = hashlib.sha256(f"{i}\n{text}".encode()).hexdigest()[:32]
        title = f"合成第{i // 20}号{typ}工会工作计划"
        out.append(Chunk(id=cid, text=text, embed_text=f"{title} > {heading}\n{text}", heading=heading,
                         heading_path=(title, heading), doc_id=f"doc{i // 20}", source=f"synthetic/{i // 20}",
                         title=title, org_type=typ, doc_kind="plan", role=role, plan=True,
                         stale=False, position=i % 20))
    return out
