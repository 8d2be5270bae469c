"""The one loader for the domain word lists in corpus/rules/roles.toml.

Section-role words, summary and plan cues, and the [cues.*] lists the heading finder and the
pipeline use live in data, each with the reason it exists; Python reads them only from here.
"""
from __future__ import annotations

from functools import lru_cache

from ghplan.corpus.rules.engine import load_toml


@lru_cache(maxsize=1)
def roles_data() -> dict:
    """roles.toml as a dict, read once."""
    return load_toml("roles.toml")


def kinds() -> dict:
    """[kinds]: the cues that tell a plan (looks forward) from a summary (looks back)."""
    return roles_data()["kinds"]


@lru_cache(maxsize=16)
def cue_words(name: str) -> tuple[str, ...]:
    """The words of [cues.<name>] in the order listed; KeyError for an unknown list."""
    return tuple(roles_data()["cues"][name]["words"])


@lru_cache(maxsize=32)
def cue_field(name: str, field: str) -> tuple[str, ...]:
    """Another list of [cues.<name>] (its `not_in` exceptions, …); empty when the list has none."""
    return tuple(roles_data()["cues"][name].get(field, ()))


def summary_phrases() -> tuple[str, ...]:
    """Looking-back phrases ([kinds] summary), shared by the labeller and review."""
    return tuple(kinds().get("summary", ()))


def role_words() -> dict[str, tuple[str, ...]]:
    """[roles.<role>] words: the headings each section role goes by, in the order listed."""
    return {role: tuple(entry.get("words", ())) for role, entry in roles_data().get("roles", {}).items()}
