"""The house's layering: which way imports go, and one name for every module.

    ghplan (public API) ─► writer/cli ─► writer/{draft,review,index,export} ─► writer/{errors,io,config} ─► corpus
                                         eval ─► writer (never writer/cli)

The CLI is a thin shell: nothing below it may import it, and importing the library must not load
typer. corpus/ is the ground floor and imports nothing from writer/ or eval/.
"""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("ghplan", "writer", "corpus", "eval", "prompts")


def _modules() -> dict[str, Path]:
    """Every source module by its installed dotted name."""
    out: dict[str, Path] = {}
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts if top == "ghplan" else ["ghplan", *parts])
            out[name] = path
    return out


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports, wherever in the file (lazy imports count)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


MODULES = _modules()


def _offenders(where: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(f"{name} imports {imp}"
                  for name, path in MODULES.items() if name.startswith(where)
                  for imp in _imports(path) if imp.startswith(forbidden))


def test_the_scan_sees_the_whole_library():
    # a scan that found nothing would pass every layering check below
    assert {"ghplan", "ghplan.writer.cli", "ghplan.writer.errors", "ghplan.corpus.rules.engine",
            "ghplan.eval.harness", "ghplan.prompts"} <= set(MODULES)
    assert "ghplan.writer.cli.common" in _imports(MODULES["ghplan.writer.cli.draft_cmd"])


def test_no_module_outside_the_cli_imports_it():
    outside = {n: p for n, p in MODULES.items()
               if not n.startswith("ghplan.writer.cli") and n != "ghplan"}
    bad = sorted(f"{n} imports {i}" for n, p in outside.items() for i in _imports(p)
                 if i.startswith("ghplan.writer.cli"))
    assert not bad, bad


def test_corpus_is_the_ground_floor():
    assert not _offenders("ghplan.corpus", ("ghplan.writer", "ghplan.eval", "ghplan.prompts"))


def test_every_import_uses_the_installed_name():
    old = ("writer", "corpus", "eval", "prompts")
    bad = sorted(f"{n} imports {i}" for n, p in MODULES.items() for i in _imports(p)
                 if i.split(".")[0] in old)
    assert not bad, bad


@pytest.mark.parametrize("module", ["ghplan", "ghplan.writer.review.reviewer", "ghplan.writer.draft.pipeline",
                                    "ghplan.writer.index.retrieve", "ghplan.eval.harness",
                                    "ghplan.writer.export"])
def test_importing_the_library_does_not_load_typer_or_the_cli(module, tmp_path):
    code = (f"import sys, json, {module}\n"
            "print(json.dumps(sorted(m for m in sys.modules if m == 'typer' or m.startswith('ghplan.writer.cli')"
            " or m.split('.')[0] in ('writer', 'corpus', 'eval', 'prompts'))))")
    # from a directory that is not the checkout: the installed package, as a user imports it
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


def test_the_public_api_is_small_and_typed():
    import ghplan

    assert {"draft", "review", "search", "GhplanError"} <= set(ghplan.__all__)
    for name in ("draft", "review", "search"):
        fn = getattr(ghplan, name)
        assert fn.__doc__ and fn.__annotations__.get("return"), name


def test_no_source_module_over_500_lines():
    """A module that outgrows 500 lines holds more than one job: split it by job."""
    long = {name: n for name, path in MODULES.items()
            if (n := path.read_text("utf-8").count("\n")) > 500}
    assert not long, long
