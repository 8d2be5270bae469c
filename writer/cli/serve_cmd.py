"""`ghplan serve`: the local page and JSON API (writer/serve/); this shell only parses options.

Exit codes: 0 stopped with Ctrl-C; 2 bad options (a non-local --host without --token, a bad
port or config). Nothing heavy is imported until the command runs.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ghplan.writer.cli.common import fail_on, safe_lang
from ghplan.writer.errors import GhplanError
from ghplan.writer.messages import text


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but this machine needs --token."),
    port: int = typer.Option(8765, "--port", help="Port to listen on."),
    token: Optional[str] = typer.Option(None, "--token", envvar="GHPLAN_TOKEN",
                                        help="Require Authorization: Bearer TOKEN on /api/* (the page gets it from #token=…)."),
    store: Optional[Path] = typer.Option(None, "--store", help="Index folder (default: the configured store)."),
) -> None:
    """Start the local web page (Chinese) and JSON API: 起草, 审校, 更新去年计划.

    The server keeps no uploads; text leaves the machine only when an OpenAI-compatible model
    endpoint is configured. Ctrl-C stops it.
    """
    from ghplan.writer.serve.run import serve as run_server

    try:
        run_server(host, port, token=token, store=store, announce=lambda line: typer.echo(line))
    except GhplanError as exc:
        fail_on(exc)
    except KeyboardInterrupt:
        pass
    typer.echo(text("cli.serve_stopped", safe_lang()), err=True)


def register(app: typer.Typer) -> None:
    """Add `serve` to the ghplan app."""
    app.command("serve")(serve)
