"""Every command's --help shows its options' help as written: rich reads `[word]` as markup and
drops it unless escaped (`\\[openai] timeout` rendered as "else  timeout")."""
from __future__ import annotations

import re

import typer
from typer.testing import CliRunner

from ghplan.writer.cli import app


def _commands(cmd, path: tuple[str, ...] = ()):
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():  # typer's groups are not click's
        yield from _commands(sub, path + (name,))


def test_bracketed_words_in_option_help_reach_the_screen():
    root = typer.main.get_command(app)
    checked = 0
    for path, cmd in _commands(root):
        wanted = [w.replace("\\[", "[") for p in cmd.params
                  for w in re.findall(r"\\?\[[a-z_.]+\]", getattr(p, "help", None) or "")]
        if not wanted:
            continue
        shown = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "400"}, terminal_width=400).output
        for w in wanted:
            assert w.lstrip("\\") in shown, (path, w)
            checked += 1
    assert checked >= 2          # draft's and refresh's --timeout at least
