"""A fake OpenAI-compatible chat server on 127.0.0.1 for backend tests (no outside network).

Each request takes the next scripted reply (the last one repeats); `requests` records what came in.
A reply is a dict: status, body (dict or raw str), headers, delay (seconds), sse (list of delta
strings: stream them as server-sent events), usage.
"""
from __future__ import annotations

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


class FakeOpenAI:
    def __init__(self, replies: list[dict] | None = None,
                 responder: Callable[[dict], dict] | None = None):
        self.replies = list(replies or [])
        self.responder = responder
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
                with fake._lock:
                    fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                    if fake.responder is not None:
                        reply = fake.responder(body)
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
                    final = {"id": "c", "object": "chat.completion.chunk", "created": 0,
                             "model": "fake-model",
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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
