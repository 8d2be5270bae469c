"""Start-up cost of the CLI: what a small `ghplan review` does before and besides reviewing.

The light coercion (writer/cli/coercion.py) must give typer's own values and errors; a review
process must not import pydantic (typer's adapters) nor anything else it does not use."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
import typer
from typer.testing import CliRunner

from ghplan.writer.cli import coercion

FIXTURES = Path(__file__).parent / "fixtures"

probe = typer.Typer(add_completion=False)


@probe.command()
def show(
    names: list[str] = typer.Argument(...),
    word: str = typer.Option("plain", "--word"),
    maybe: Optional[str] = typer.Option(None, "--maybe"),
    count: int = typer.Option(3, "--count"),
    ratio: Optional[float] = typer.Option(None, "--ratio"),
    ranged: int = typer.Option(5, "--ranged", min=1, max=9),
    flag: bool = typer.Option(False, "--flag"),
    tri: Optional[bool] = typer.Option(None, "--tri/--no-tri"),
    where: Optional[Path] = typer.Option(None, "--where"),
) -> None:
    typer.echo(repr((names, word, maybe, count, ratio, ranged, flag, tri, where)))


CASES = [
    ["a", "b"],
    ["a", "--word", "中文", "--maybe", "", "--flag", "--tri"],
    ["a", "--count", "12", "--ratio", "0.5", "--ranged", "7", "--no-tri", "--where", "x/y.txt"],
    ["a", "--count", "abc"],            # typer's own error message
    ["a", "--ratio", "half"],
    ["a", "--ranged", "12"],            # out of range: typer's check
    [],                                 # missing argument
]


def _outcomes(runner: CliRunner) -> list[tuple[int, str]]:
    out = []
    for args in CASES:
        r = runner.invoke(probe, args)
        out.append((r.exit_code, r.output))
    return out


def test_light_coercion_gives_typers_values_and_errors(monkeypatch):
    from typer import core

    assert getattr(core.build_runtime_param, "ghplan_light", False), "the CLI installs it on import"
    light = _outcomes(CliRunner())
    monkeypatch.setattr(core, "build_runtime_param", core.build_runtime_param.original)
    assert _outcomes(CliRunner()) == light
    assert "('a', 'b')" not in light[0][1] and "['a', 'b']" in light[0][1]     # a list, as typer gives


def test_identity_is_exact_types_only():
    assert coercion._identity(str, "x") and coercion._identity(list[str], ("x", "y"))
    assert not coercion._identity(int, True)           # a bool is no int for typer's int adapter
    assert not coercion._identity(int, "3")
    assert not coercion._identity(list[int], ["1"])
    assert not coercion._identity(Path, "p")


def _imports_after_review(args: list[str]) -> set[str]:
    code = ("import sys\nfrom ghplan.writer.cli import invoke\n"
            f"invoke({args!r})\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return set(p.stderr.split())


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_small_review_imports_only_what_it_uses(fmt):
    mods = _imports_after_review(["review", "--format", fmt, str(FIXTURES / "clean_school.txt")])
    assert "ghplan.writer.review.reviewer" in mods                  # it did review
    heavy = {"pydantic", "torch", "chromadb", "sklearn", "scipy", "openai", "numpy"}
    assert not heavy & mods, heavy & mods
