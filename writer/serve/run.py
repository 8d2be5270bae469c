"""Running the app: the bind check, then uvicorn until Ctrl-C."""
from __future__ import annotations

import ipaddress
from pathlib import Path

from ghplan.writer.errors import UsageError
from ghplan.writer.localize import localize
from ghplan.writer.messages import say

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Beyond this machine only with a token: anyone on the network could otherwise use it."""
    if not is_loopback(host) and not token:
        raise UsageError(say("error.serve.token", host=host))


def check_port(host: str, port: int) -> None:
    """A port that is taken (or an address this machine does not have) is one line before the
    warm-up, not uvicorn's log line after it."""
    import socket

    if not 0 < port < 65536:
        raise UsageError(say("error.serve.port", port=port))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)    # as uvicorn binds
        try:
            s.bind((host.strip("[]"), port))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise UsageError(say("error.serve.listen", {"reason": localize(reason, "zh")},
                                 host=host, port=port, reason=reason)) from None


def page_url(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"#token={token}" if token else "")


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, token: str | None = None,
          store: Path | None = None, announce=print) -> None:
    """Warm the state, print where the page is, serve until Ctrl-C (uvicorn stops cleanly)."""
    import uvicorn

    from ghplan.writer.serve.app import LOCAL_NAMES, create_app
    from ghplan.writer.serve.state import make_state

    check_bind(host, token)
    check_port(host, port)
    # without a token, the loopback server answers only requests addressed to this machine
    hosts = LOCAL_NAMES | {host.lower(), f"[{host.lower()}]"} if not token else frozenset()
    app = create_app(make_state(token=token, store=store), allowed_hosts=hosts)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            server_header=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    url = page_url(host, port, token)
    _announce_when_started(server, announce, url)
    server.run()


def _announce_when_started(server, announce, url: str) -> None:
    """Print the address once the socket is listening (a port in use fails before this)."""
    startup = server.startup

    async def started(sockets=None) -> None:
        await startup(sockets=sockets)
        if server.started:
            announce(f"ghplan 服务已启动: {url}")
            announce(f"ghplan serve: listening on {url} (Ctrl-C stops)")
    server.startup = started
