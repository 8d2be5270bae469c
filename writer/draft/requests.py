"""What the pipeline asks a model for: one typed request per call, rendered to chat messages
from prompts/.

Every backend receives the same request objects. A real model reads `messages()`; the offline
backend composes from the typed fields; the mock backend scripts by `kind` (and can match words
in the rendered prompt). Nothing travels in an untyped dict.

    OutlineRequest   the plan's headings and task topics
    SectionRequest   one section's body (the opening paragraph included)
    RepairRequest    the whole plan again, with the reviewer's findings corrected
    RewriteRequest   one paragraph of last year's plan, rewritten for the plan year (refresh)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from ghplan.corpus.rules.model import Finding
    from ghplan.writer.draft.facts import YearFacts
    from ghplan.writer.draft.outline import Outline, Topic
    from ghplan.writer.draft.profile import Profile
    from ghplan.writer.draft.retrieval import Ref

Message = dict[str, str]          # {"role": "system"|"user"|"assistant", "content": str}


@dataclass(frozen=True)
class Brief:
    """Who the plan is for and which year it speaks for: shared by every request of one draft."""
    profile: "Profile"
    year: int
    facts: "YearFacts"

    @property
    def org(self) -> str:
        return self.profile.org

    @property
    def type(self) -> str:
        return self.profile.type


@dataclass(frozen=True)
class OutlineRequest:
    brief: Brief
    roles: tuple[str, ...]                 # level-1 sections in order, required ones included
    suggested: tuple["Topic", ...]         # the catalogue's topics for this type, best first
    references: tuple["Ref", ...]          # retrieved task sections of similar plans
    topic_count: int
    tasks_budget: int
    kind: str = field(default="outline", init=False)

    def messages(self) -> list[Message]:
        from ghplan.writer.draft import prompting
        return prompting.outline_messages(self)


@dataclass(frozen=True)
class SectionRequest:
    brief: Brief
    role: str                              # opening | guiding | goals | tasks | safeguards | schedule
    heading: str                           # the numbered heading line, or the topic title
    where: str                             # where in the plan the section sits, in words
    budget: int                            # target length in characters
    outline: "Outline"
    references: tuple["Ref", ...] = ()
    written: tuple[tuple[str, str], ...] = ()   # (heading, gist) of the sections already written
    topic: str = ""                        # for a task topic: its title without numbering
    attempt: int = 1                       # 2 when retrying an answer that was cut off

    @property
    def kind(self) -> str:
        return "opening" if self.role == "opening" else "section"

    def messages(self) -> list[Message]:
        from ghplan.writer.draft import prompting
        return prompting.section_messages(self)


@dataclass(frozen=True)
class RepairRequest:
    brief: Brief
    text: str
    findings: tuple["Finding", ...]        # error findings on `text`, offsets into it
    round: int
    kind: str = field(default="repair", init=False)

    def messages(self) -> list[Message]:
        from ghplan.writer.draft import prompting
        return prompting.repair_messages(self)


@dataclass(frozen=True)
class RewriteRequest:
    """`ghplan refresh`: one paragraph that needs more than a mechanical change, with what is
    wrong in it for the plan year and the facts it must keep."""
    brief: Brief
    paragraph: str                         # the paragraph after the certain changes
    findings: tuple["Finding", ...]        # what is still wrong in it, offsets into `paragraph`
    keep: tuple[str, ...]                  # the organisation's own facts in it, kept verbatim
    title: str = ""                        # the plan's title line, for context
    kind: str = field(default="rewrite", init=False)

    def messages(self) -> list[Message]:
        from ghplan.writer.draft import prompting
        return prompting.rewrite_messages(self)


Request = Union[OutlineRequest, SectionRequest, RepairRequest, RewriteRequest]
KINDS = ("outline", "opening", "section", "repair", "rewrite")
