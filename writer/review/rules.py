"""Every rule review can report: the shared catalogue (boilerplate, placeholders, stale
references) plus the review families that are not text patterns (writer/data/review.toml).

One registry, so `ghplan rules`, config validation and severity overrides all see the same ids.
"""
from __future__ import annotations

from functools import lru_cache
from ghplan.corpus.cache import bundled, load_toml
from ghplan.corpus.rules.engine import default_catalogue, parse_rules
from ghplan.corpus.rules.messages import Template, templates
from ghplan.corpus.rules.model import Rule


@lru_cache(maxsize=1)
def review_data() -> dict:
    """writer/data/review.toml as a dict (read once, kept parsed on disk: corpus/cache.py; works
    from a non-editable install)."""
    return load_toml("review.toml", bundled("ghplan.writer").joinpath("data/review.toml").read_text("utf-8"))


@lru_cache(maxsize=1)
def review_rules() -> dict[str, Rule]:
    return {r.id: r for r in parse_rules(review_data())}


@lru_cache(maxsize=1)
def messages() -> dict[str, Template]:
    """review.toml [messages]: the review families' message templates, English and Chinese."""
    return templates(review_data().get("messages", {}))


def say(key: str, zh_values: dict | None = None, **values: object) -> tuple[str, str]:
    """(English, Chinese) message from the template `key`."""
    return messages()[key].render(zh_values, **values)


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    """Rule id -> Rule, catalogue first; ids are unique across both files."""
    rules = {r.id: r for r in default_catalogue().rules}
    clash = set(rules) & set(review_rules())
    if clash:
        raise ValueError(f"rule ids defined twice: {sorted(clash)}")
    rules.update(review_rules())
    return rules


def rule(rule_id: str) -> Rule:
    return all_rules()[rule_id]
