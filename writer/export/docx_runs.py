"""Run surgery for tracked changes: splitting Word runs at a character offset so an edit covers
whole runs, and lifting a span out of another author's tracked insertion. Pure functions over the
lxml tree that writer/export/tracked.py edits.
"""
from __future__ import annotations

import copy

from lxml import etree

from ghplan.corpus.word import W_NS, DocxBlock, block_pieces

W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
CHAR_TAGS = {f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen"}   # a run's characters
TRACK_CONTAINERS = {f"{W}ins", f"{W}moveTo"}                                 # tracked insertions

def _local_children(run) -> list:
    return [c for c in run if c.tag in CHAR_TAGS]


def split_at(block: DocxBlock, offset: int) -> None:
    """Make `offset` (into the block's text) fall between two runs."""
    pieces = block_pieces(block, W)
    for pc in pieces:
        if pc.kind == "t" and pc.start < offset < pc.end:
            t = pc.elem
            k = offset - pc.start
            t2 = etree.Element(f"{W}t")
            t2.text = t.text[k:]
            t2.set(XML_SPACE, "preserve")
            t.text = t.text[:k]
            t.set(XML_SPACE, "preserve")
            t.addnext(t2)
            _split_run_before(t2)
            return
        if pc.kind != "num" and pc.start == offset:
            _split_run_before(pc.elem)
            return


def _split_run_before(child) -> None:
    """Move `child` and what follows it in its run into a new run (same properties) after it."""
    run = child.getparent()
    before = [c for c in run if c is not child and c.tag in CHAR_TAGS and _precedes(c, child)]
    if not before:
        return
    new = etree.Element(f"{W}r")
    for k, v in run.attrib.items():
        new.set(k, v)
    rpr = run.find(f"{W}rPr")
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    moving = []
    node = child
    while node is not None:
        moving.append(node)
        node = node.getnext()
    for node in moving:
        new.append(node)
    run.addnext(new)


def _precedes(a, b) -> bool:
    node = a.getnext()
    while node is not None:
        if node is b:
            return True
        node = node.getnext()
    return False


def runs_in(block: DocxBlock, start: int, end: int) -> list:
    out: list = []
    for pc in block_pieces(block, W):
        if pc.kind != "num" and pc.start >= start and pc.end <= end:
            run = pc.elem.getparent()
            if not out or out[-1] is not run:
                out.append(run)
    return out


def top(el, p=None):
    """The ancestor of `el` that is a child of a w:p (where comment marks may go)."""
    node = el
    while node.getparent() is not None and node.getparent().tag != f"{W}p":
        node = node.getparent()
    return node


def lift_out_of_tracking(anchor, new_id=None):
    """An element after which a new w:ins may go: never inside another w:ins/w:moveTo (split
    there: the second half keeps the author and date under an id of its own)."""
    parent = anchor.getparent()
    if parent is None or parent.tag not in TRACK_CONTAINERS:
        return anchor
    following = []
    node = anchor.getnext()
    while node is not None:
        following.append(node)
        node = node.getnext()
    if following:
        rest = etree.Element(parent.tag, dict(parent.attrib))
        if new_id is not None:
            rest.set(f"{W}id", new_id())
        for node in following:
            rest.append(node)
        parent.addnext(rest)
    return lift_out_of_tracking(parent, new_id)
