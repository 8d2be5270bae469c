"""A fake OpenAI-compatible chat server on 127.0.0.1 for backend tests (no outside network).

Each request takes the next scripted reply (the last one repeats); `requests` records what came in.
A reply is a dict: status, body (dict or raw str), headers, delay (seconds), sse (list of delta
strings: stream them as server-sent events), finish (the stream's finish_reason, default "stop";
None sends none), usage. A `responder` computes the reply instead:
`responder(body)`, or `responder(body, headers)` (header names lower-cased) to route on them.

`plan_writer(plan)` is a responder that plays a model writing a given plan. It routes by the
request kind the OpenAI backend sends in the `X-Ghplan-Request` header (outline, opening,
section, repair, rewrite), never by the prompt's wording, so editing a template cannot break it.
A rewrite (refresh's one paragraph) is answered from `rewrites`: the first answer whose key
occurs in the request's user message (the paragraph is in it, whatever the template says).
"""
from __future__ import annotations

import inspect
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


def completion(text: str, usage: dict | None = None, model: str = "fake-model") -> dict:
    return {"id": "cmpl-1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": "stop"}],
            "usage": usage or {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}}


REQUEST_HEADER = "x-ghplan-request"         # the backend's X-Ghplan-Request, as the server sees it
KINDS = ("outline", "opening", "section", "repair", "rewrite")


def plan_writer(plan: str, *, chunk: int = 40,
                rewrites: dict[str, str] | None = None) -> Callable[[dict, dict], dict]:
    """A fake model that writes `plan`: the outline request gets its headings, the opening
    request its opening paragraph, the section requests the bodies of its sections in plan order
    (the pipeline writes top-down; the outline request starts over), a repair request the plan,
    a rewrite request the answer in `rewrites` whose key its user message contains.

    A chat request without a known X-Ghplan-Request kind, or a rewrite no key matches, gets HTTP
    400 saying so, so the command fails (exit 3) and the test says why."""
    from ghplan.writer.draft.backends.mock import split_plan

    _title, opening, sections = split_plan(plan)
    headings = "\n".join(h for h, _ in sections)
    bodies = [b for _, b in sections if b.strip()]      # a heading with sub-sections is not asked for
    state = {"next": 0}

    def respond(body: dict, headers: dict) -> dict:
        kind = headers.get(REQUEST_HEADER, "")
        if kind not in KINDS:
            return {"status": 400, "body": {"error": {"message": f"no X-Ghplan-Request kind: {kind!r}"}}}
        user = body["messages"][-1]["content"]
        if kind == "rewrite":
            answer = next((a for key, a in (rewrites or {}).items() if key in user), None)
            if answer is None:
                return {"status": 400, "body": {"error": {"message": "no rewrite scripted for this paragraph"}}}
            text = answer
        elif kind == "outline":
            state["next"] = 0
            text = headings
        elif kind == "opening":
            text = opening
        elif kind == "repair":
            text = plan
        else:
            i = state["next"]
            state["next"] += 1
            text = bodies[i] if i < len(bodies) else "加强组织领导，确保落实。"
        usage = {"prompt_tokens": len(user), "completion_tokens": len(text),
                 "total_tokens": len(user) + len(text)}
        if body.get("stream"):
            return {"sse": [text[i:i + chunk] for i in range(0, len(text), chunk)], "usage": usage}
        return {"body": completion(text, usage)}
    return respond


def _takes_headers(responder: Callable[..., dict]) -> bool:
    try:
        return len(inspect.signature(responder).parameters) >= 2
    except (TypeError, ValueError):
        return False


class FakeOpenAI:
    def __init__(self, replies: list[dict] | None = None,
                 responder: Callable[[dict], dict] | None = None):
        self.replies = list(replies or [])
        self.responder = responder
        self._with_headers = responder is not None and _takes_headers(responder)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with fake._lock:
                    fake.requests.append({"path": self.path, "headers": headers, "body": body})
                    if fake.responder is not None:
                        reply = fake.responder(body, headers) if fake._with_headers else fake.responder(body)
                    else:
                        reply = fake.replies.pop(0) if len(fake.replies) > 1 else fake.replies[0]
                if reply.get("delay"):
                    time.sleep(reply["delay"])
                status = reply.get("status", 200)
                if reply.get("sse") is not None and status == 200:
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    self.end_headers()
                    for i, delta in enumerate(reply["sse"]):
                        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0,
                                 "model": "fake-model",
                                 "choices": [{"index": 0, "delta": {"content": delta},
                                              "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                        self.wfile.flush()
                    finish = reply.get("finish", "stop")     # None: the stream never says why it ended
                    final = {"id": "c", "object": "chat.completion.chunk", "created": 0,
                             "model": "fake-model",
                             "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
                    if finish is not None:
                        self.wfile.write(f"data: {json.dumps(final)}\n\n".encode())
                    usage = {"id": "c", "object": "chat.completion.chunk", "created": 0,
                             "model": "fake-model", "choices": [],
                             "usage": reply.get("usage", {"prompt_tokens": 5, "completion_tokens": 3,
                                                          "total_tokens": 8})}
                    self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                    return
                payload = reply.get("body", {})
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                for k, v in reply.get("headers", {}).items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # shutdown() waits for the serve loop to notice: poll often, or every `with` costs 0.5 s
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
