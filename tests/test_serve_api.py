"""`ghplan serve`'s JSON API through an HTTP client (Starlette's TestClient, in process).

The app runs over a small index built here with the stand-in embedder (tests/stand_in.py: no
model load), the model API key set to a sentinel that must never come back in any response, and
a model endpoint on a closed local port (no network). Slow tests start real uvicorn servers.
"""
from __future__ import annotations

import io
import json
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli_helpers import GHPLAN, ghplan_inprocess
from tests.docx_fixtures import plan_docx
from tests.servers import free_port
from tests.stand_in import StandIn

YEAR = 2027
SENTINEL = "sk-SENTINEL-never-in-a-response-7f3a"
FIXTURES = Path(__file__).parent / "fixtures"
# a short hospital plan with rot the review flags and certain fixes exist for (a stale 十九大,
# a heading gap), and words of my own
PLAN = ("某市第一人民医院工会2027年工作计划\n一、指导思想\n坚持以习近平新时代中国特色社会主义思想为指导，"
        "深入贯彻党的十九大精神，团结全院医护职工。\n三、主要任务\n（一）关心一线医务人员身心健康，"
        "开展送清凉、送温暖活动。\n（二）办好职工之家，丰富职工文化生活。\n")


@pytest.fixture(scope="module")
def index_loc(tmp_path_factory):
    """A small index of the clean fixture plans, embedded by the stand-in."""
    from ghplan.writer.config import DEFAULT_EMBED_MODEL
    from ghplan.writer.index.chunk import chunk_documents, load_corpus, stale_fn_for
    from ghplan.writer.index.store import Location, build_index

    pages = tmp_path_factory.mktemp("serve-pages")
    for f in FIXTURES.glob("clean_*.txt"):
        shutil.copy(f, pages / f.name)
    chunks = chunk_documents(load_corpus(pages, YEAR, seeds=False).documents, stale_fn_for(YEAR))
    loc = Location("local", path=tmp_path_factory.mktemp("serve-index"))
    build_index(chunks, loc, StandIn, DEFAULT_EMBED_MODEL, year=YEAR, corpus="user", query_model=False)
    return loc, len(chunks)


def _settings(store: Path):
    """Settings whose own store is elsewhere: the server's --store must win, for drafts too."""
    from ghplan.writer.config import Settings

    return Settings(store_dir=store.parent / "not-the-index", openai_api_key=SENTINEL,
                    openai_base_url=f"http://127.0.0.1:{free_port()}/v1", openai_timeout=2.0)


@pytest.fixture(scope="module")
def stand_in_queries():
    """Queries embed with the stand-in too (the index's vectors are its)."""
    from ghplan.writer.index import embed

    mp = pytest.MonkeyPatch()
    mp.setattr(embed, "get_query_embedder", lambda *a, **k: StandIn())
    yield
    mp.undo()


def make_app(index_loc, token: str | None = None):
    from ghplan.writer.serve import create_app
    from ghplan.writer.serve.state import make_state

    loc, _ = index_loc
    return create_app(make_state(token=token, store=loc.path, settings=_settings(loc.path)))


@pytest.fixture(scope="module")
def client(index_loc, stand_in_queries):
    with TestClient(make_app(index_loc)) as c:
        yield c


def _no_secrets(response) -> None:
    body = response.content.decode("utf-8", "replace")
    assert SENTINEL not in body and "Traceback" not in body and 'File "' not in body


def _docx_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode("utf-8")


# ---------------------------------------------------------------------- meta
def test_health_says_backend_and_index(client, index_loc):
    r = client.get("/api/health")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["backend"] == "openai"          # a key is configured
    assert h["index"]["exists"] is True and h["index"]["chunks"] == index_loc[1]
    _no_secrets(r)


def test_types_and_rules_match_the_cli(client):
    from ghplan.writer.org_types import chinese_names

    types = client.get("/api/types").json()
    assert {"id": "hospital", "zh": "医院"} in types
    assert [t["id"] for t in types] == list(chinese_names())
    cli = ghplan_inprocess(["rules", "--json"])
    assert cli.code == 0
    assert client.get("/api/rules").json() == json.loads(cli.out)


def test_openapi_served_and_cdn_docs_off(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/health", "/api/types", "/api/rules", "/api/review", "/api/fix", "/api/draft",
            "/api/refresh", "/api/search", "/api/export"} <= set(paths)
    review = paths["/api/review"]["post"]["requestBody"]["content"]       # bodies are described
    assert set(review) == {"application/json", "multipart/form-data"}
    assert paths["/api/draft"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == ["org", "type"]
    for path in ("/docs", "/redoc"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"]


# ---------------------------------------------------------------------- review
def test_review_json_is_the_cli_review_plus_the_text(client, tmp_path):
    r = client.post("/api/review", json={"text": PLAN, "type": "医院", "year": YEAR})
    assert r.status_code == 200
    got = r.json()
    assert got["text"] == PLAN and got["findings"]
    for f in got["findings"]:
        assert got["text"][f["start"]:f["end"]] == f["text"]
        assert f["severity"] in ("error", "warning", "info") and isinstance(f["fixable"], bool)
    stale = next(f for f in got["findings"] if f["text"] == "十九大")
    assert stale["fixable"] and stale["suggestion"] == "二十大" and "过时" in stale["message"]   # Chinese
    path = tmp_path / "plan.txt"
    path.write_text(PLAN, "utf-8")
    cli = ghplan_inprocess(["--lang", "zh", "review", str(path), "--type", "hospital", "--year", str(YEAR),
                            "--format", "json"])
    assert cli.out, cli.err
    want = json.loads(cli.out)
    strip = lambda d: {k: v for k, v in d.items() if k not in ("file", "text", "findings")}   # noqa: E731
    assert strip(got) == strip(want)
    assert [{k: v for k, v in f.items() if k != "fixable"} for f in got["findings"]] == want["findings"]


def test_review_in_english_on_request(client):
    en = client.post("/api/review", json={"text": PLAN, "year": YEAR, "lang": "en"}).json()
    stale = next(f for f in en["findings"] if f["text"] == "十九大")
    assert "out of date" in stale["message"] and en["lang"] == "en"


def test_docx_upload_review_has_paragraphs(client):
    data = plan_docx(2025)
    r = client.post("/api/review", data={"year": str(YEAR), "type": "hospital"},
                    files={"file": ("计划.docx", data, "application/octet-stream")})
    assert r.status_code == 200
    got = r.json()
    assert got["findings"] and all(isinstance(f["paragraph"], int) and f["paragraph"] >= 1 for f in got["findings"])
    for f in got["findings"]:
        assert got["text"][f["start"]:f["end"]] == f["text"]
    assert any("十四五" in f["text"] and f["paragraph"] == 2 for f in got["findings"])


# ---------------------------------------------------------------------- fix
def test_fix_text_applies_certain_fixes_and_reviews_the_result(client):
    r = client.post("/api/fix", json={"text": PLAN, "type": "hospital", "year": YEAR})
    assert r.status_code == 200
    got = r.json()
    assert "二十大" in got["text"] and "十九大" not in got["text"] and "二、主要任务" in got["text"]
    assert {a["rule"] for a in got["applied"]} >= {"GH-STALE-PARTY-19", "GH-NUM-GAP"}
    assert got["review"]["year"] == YEAR and not any(f["text"] == "十九大" for f in got["review"]["findings"])


def test_fix_only_the_rules_asked_for(client):
    got = client.post("/api/fix", json={"text": PLAN, "type": "hospital", "year": YEAR,
                                        "rules": ["GH-NUM-GAP"]}).json()
    assert "二、主要任务" in got["text"] and "十九大" in got["text"]
    assert {a["rule"] for a in got["applied"]} == {"GH-NUM-GAP"}


def test_fix_docx_returns_a_docx_with_tracked_changes(client):
    from docx import Document

    r = client.post("/api/fix", data={"year": str(YEAR), "type": "医院"},
                    files={"file": ("计划.docx", plan_docx(2025), "application/octet-stream")})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert r.headers["content-disposition"].startswith("attachment")
    Document(io.BytesIO(r.content))                  # opens
    xml = _docx_xml(r.content)
    assert "<w:ins " in xml and "<w:del " in xml and "十五五" in xml
    _no_secrets(r)


# ---------------------------------------------------------------------- refresh, export, search, draft
def test_refresh_json_and_docx(client):
    old = (FIXTURES / "refresh" / "hospital_2025.txt").read_bytes()
    r = client.post("/api/refresh", data={"year": str(YEAR), "backend": "offline"}, files={"file": ("hospital_2025.txt", old, "text/plain")})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["year"] == YEAR and got["changes"] and got["old_text"] == old.decode("utf-8").replace("\r\n", "\n")
    for c in got["changes"]:
        assert c["before"] in got["old_text"] and c["after"] in got["new_text"]
    assert {"left_for_person", "survival", "review"} <= set(got)
    d = client.post("/api/refresh", data={"year": str(YEAR), "format": "docx", "backend": "offline"},
                    files={"file": ("2025.docx", plan_docx(2025), "application/octet-stream")})
    assert d.status_code == 200 and d.headers["content-disposition"].startswith("attachment")
    xml = _docx_xml(d.content)
    assert "<w:ins " in xml and "<w:del " in xml


def test_export_docx_and_md(client):
    from docx import Document

    d = client.post("/api/export", json={"text": PLAN, "format": "docx", "title": "计划"})
    assert d.status_code == 200 and d.headers["content-disposition"].startswith("attachment")
    paras = [p.text for p in Document(io.BytesIO(d.content)).paragraphs]
    assert any("团结全院医护职工" in p for p in paras)
    m = client.post("/api/export", json={"text": PLAN, "format": "md"})
    assert m.status_code == 200 and "团结全院医护职工" in m.content.decode("utf-8")


def test_search_is_the_cli_search(client, index_loc):
    from ghplan.writer.index.retrieve import search

    r = client.post("/api/search", json={"query": "职工之家建设", "type": "医院", "k": 3})
    assert r.status_code == 200
    got = r.json()
    want = search("职工之家建设", "hospital", None, 3, location=index_loc[0]).to_json()
    assert got == want and len(got["results"]) == 3


def _draft_body(**kw):
    return {"org": "某市第一人民医院工会", "type": "医院", "year": YEAR, "backend": "offline",
            "profile": {"member_count": 1260, "priorities": ["关心一线医务人员身心健康"]}, **kw}


def test_draft_json_with_retrieval(client):
    r = client.post("/api/draft", json=_draft_body())
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["type"] == "hospital" and got["year"] == YEAR and got["backend"] == "offline"
    assert got["text"].startswith("某市第一人民医院工会") and got["retrieved"]
    assert {"review", "usage", "rounds", "seconds"} <= set(got)


def _events(raw: str) -> list[tuple[str, dict]]:
    out = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_draft_streams_stages_sections_and_the_result(client):
    with client.stream("POST", "/api/draft", json=_draft_body(), headers={"Accept": "text/event-stream"}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _events(r.read().decode("utf-8"))
    kinds = [k for k, _ in events]
    assert kinds[-1] == "result" and "section" in kinds
    stages = [d["stage"] for k, d in events if k == "stage"]
    assert stages[0] == "outline" and "review" in stages and stages[-1] == "done"
    result = events[-1][1]
    sections = [d for k, d in events if k == "section"]
    assert [s["index"] for s in sections] == list(range(1, len(sections) + 1))
    kept = [s["text"] in result["text"] for s in sections]
    assert all(kept) if result["rounds"] == 0 else ("repair" in stages and sum(kept) >= len(kept) // 2)


def test_draft_stream_ends_with_an_error_event_when_the_model_is_down(client):
    body = _draft_body(backend="openai")
    with client.stream("POST", "/api/draft", json=body, headers={"Accept": "text/event-stream"}) as r:
        raw = r.read().decode("utf-8")
    kind, data = _events(raw)[-1]
    assert kind == "error" and data["error"] and data["error_en"]
    assert SENTINEL not in raw and "Traceback" not in raw
    plain = client.post("/api/draft", json=body)
    assert plain.status_code == 502 and plain.json()["error"].startswith("模型服务出错")
    _no_secrets(plain)


# ---------------------------------------------------------------------- bad input, limits, auth
@pytest.mark.parametrize("path, kw", [
    ("/api/review", {"files": {"file": ("x.docx", b"PK\x03\x04 not really a zip", "application/octet-stream")}}),
    ("/api/review", {"files": {"file": ("x.exe", b"MZ\x90\x00", "application/octet-stream")}}),
    ("/api/review", {"files": {"file": ("x.pdf", b"%PDF-1.4 garbage", "application/pdf")}}),
    ("/api/review", {"files": {"file": ("x.txt", b"", "text/plain")}}),
    ("/api/review", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("/api/review", {"content": b"text", "headers": {"content-type": "text/plain"}}),
    ("/api/review", {"json": {"text": PLAN, "type": "银行"}}),
    ("/api/review", {"json": {"text": PLAN, "year": "明年"}}),
    ("/api/review", {"json": {"text": 42}}),
    ("/api/review", {"json": {"text": PLAN, "lang": "fr"}}),
    ("/api/refresh", {"files": {"file": ("a.txt", PLAN.encode(), "text/plain")}}),          # no year
    ("/api/refresh", {"data": {"year": "1999"}, "files": {"file": ("a.txt", PLAN.encode(), "text/plain")}}),
    ("/api/draft", {"json": {"org": "某厂工会"}}),
    ("/api/draft", {"json": {"org": "某厂工会", "type": "企业", "backend": "gpt"}}),
    ("/api/draft", {"json": {"org": "某厂工会", "type": "企业", "profile": {"colour": "红"}}}),
    ("/api/search", {"json": {"query": "职工", "role": "nope"}}),
    ("/api/search", {"json": {"query": "职工", "k": 0}}),
    ("/api/export", {"json": {"text": PLAN, "format": "pdf"}}),
    ("/api/nothing", {"json": {}}),
])
def test_bad_input_is_a_4xx_with_a_chinese_error(client, path, kw):
    r = client.post(path, **kw)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"error", "error_en"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]), body
    _no_secrets(r)


@pytest.mark.parametrize("path, body, status, zh, en", [
    ("/api/search", {"query": "职工", "role": "nope"}, 422, "不认识的段落角色“nope”", "unknown role 'nope'"),
    ("/api/search", {"query": "  "}, 422, "检索内容为空", "empty query"),
    ("/api/draft", {"org": "某厂工会", "type": "企业", "year": YEAR, "backend": "openai"}, 502,
     "无法连接模型服务", "cannot reach the model endpoint"),
])
def test_a_library_failure_is_chinese_after_the_sentence_too(client, path, body, status, zh, en):
    """The library's English line is read back (writer/localize.py): the Chinese `error` says it
    in Chinese after its sentence, the English one stays as the library wrote it."""
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    error, error_en = r.json()["error"], r.json()["error_en"]
    assert zh in error.split("：", 1)[1] and en not in error, error
    assert error_en.startswith(en), error_en
    _no_secrets(r)


@pytest.mark.parametrize("profile, zh, en", [
    ({"colour": "红"}, "未知字段：colour", "unknown key(s) colour"),
    ({"member_count": "很多"}, "“member_count”应为整数", "'member_count' must be a whole number"),
    ({"events": [{"month": 13, "name": "劳动技能竞赛"}]}, "“events[1].month”应在 1 到 12 之间，实际为 13",
     "'events[1].month' must be between 1 and 12, got 13"),
    ({"events": [{"name": ""}]}, "第 1 项活动（events）：name 不能为空", "event 1: 'name' must be a non-empty string"),
    ({"tone": "响亮"}, "“tone”应为 standard, concise, detailed 之一，实际为“响亮”", "'tone' must be one of"),
    ({"sections": ["前言"]}, "未知的部分（sections）：前言", "unknown section role(s) 前言"),
    ({"departments": 3}, "“departments”应为字符串列表", "'departments' must be a list of strings"),
])
def test_a_bad_profile_field_is_named_in_the_chinese_error_too(client, profile, zh, en):
    r = client.post("/api/draft", json=_draft_body(profile=profile))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"].startswith("单位档案字段有误：") and zh in body["error"], body
    assert body["error_en"].startswith(en), body


def test_body_over_20_mb_is_413(client):
    big = b"x" * (20 * 1024 * 1024 + 1)
    r = client.post("/api/review", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413 and "20 MB" in r.json()["error"]

    def chunks():                        # no Content-Length: counted as it streams
        for _ in range(21):
            yield b"y" * (1024 * 1024)
    s = client.post("/api/review", content=chunks(), headers={"content-type": "application/json"})
    assert s.status_code == 413 and s.json()["error_en"]


def test_token_guards_the_api_but_not_the_page(index_loc, stand_in_queries):
    with TestClient(make_app(index_loc, token="s3cret")) as c:
        assert c.get("/api/health").status_code == 401
        bad = c.post("/api/review", json={"text": PLAN}, headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401 and bad.json()["error"]
        ok = c.post("/api/review", json={"text": PLAN}, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/").status_code == 200 and "<html" in c.get("/").text.lower()


def test_a_local_server_refuses_requests_addressed_elsewhere(index_loc, stand_in_queries):
    """DNS rebinding: a page at evil.example resolved to 127.0.0.1 sends Host: evil.example."""
    from ghplan.writer.serve import create_app
    from ghplan.writer.serve.app import LOCAL_NAMES
    from ghplan.writer.serve.state import make_state

    loc, _ = index_loc
    app = create_app(make_state(store=loc.path, settings=_settings(loc.path)), allowed_hosts=LOCAL_NAMES)
    with TestClient(app, base_url="http://127.0.0.1:8765") as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/health", headers={"Host": "localhost:8765"}).status_code == 200
        r = c.post("/api/review", json={"text": PLAN}, headers={"Host": "evil.example:8765"})
        assert r.status_code == 403 and r.json()["error"]


def test_bind_check():
    from ghplan.writer.errors import UsageError
    from ghplan.writer.serve.run import check_bind, page_url

    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", "t")
    with pytest.raises(UsageError, match="--token"):
        check_bind("0.0.0.0", None)
    assert page_url("127.0.0.1", 8765, "abc") == "http://127.0.0.1:8765/#token=abc"


def test_a_taken_port_is_one_line_before_any_work():
    from ghplan.writer.errors import UsageError
    from ghplan.writer.serve.run import check_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"127.0.0.1:{port}"):
            check_port("127.0.0.1", port)
    with pytest.raises(UsageError, match="--port"):
        check_port("127.0.0.1", 70000)


# ---------------------------------------------------------------------- slow: real servers
class _Server:
    """The app on a real uvicorn in a thread of this process."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


@pytest.mark.slow
def test_20_reviews_and_5_drafts_at_once_all_correct(index_loc, stand_in_queries):
    import httpx
    from concurrent.futures import ThreadPoolExecutor

    from ghplan.writer.review.reviewer import review_text

    texts = [PLAN.replace("全院医护职工", f"全院第{i}科室职工") for i in range(20)]
    want = [[(f.rule, f.start, f.end) for f in review_text(t, org_type="hospital", year=YEAR).findings]
            for t in texts]
    with _Server(make_app(index_loc)) as base, httpx.Client(base_url=base, timeout=120) as http:
        solo = http.post("/api/draft", json=_draft_body()).json()["text"]

        def review(i):
            got = http.post("/api/review", json={"text": texts[i], "type": "hospital", "year": YEAR}).json()
            return [(f["rule"], f["start"], f["end"]) for f in got["findings"]]

        def draft(_):
            return http.post("/api/draft", json=_draft_body()).json()["text"]

        with ThreadPoolExecutor(25) as pool:
            drafts = [pool.submit(draft, i) for i in range(5)]
            reviews = [pool.submit(review, i) for i in range(20)]
            assert [f.result() for f in reviews] == want
            assert [f.result() for f in drafts] == [solo] * 5


@pytest.mark.slow
def test_a_slow_model_does_not_block_reviews(index_loc, stand_in_queries, monkeypatch):
    import httpx
    from tests.fake_openai import FakeOpenAI

    with FakeOpenAI([{"delay": 6, "body": {"error": {"message": "slow"}}, "status": 400}]) as fake:
        settings = _settings(index_loc[0].path)
        settings.openai_base_url, settings.openai_timeout = fake.base_url, 20.0
        from ghplan.writer.serve import create_app
        from ghplan.writer.serve.state import make_state

        app = create_app(make_state(store=index_loc[0].path, settings=settings))
        with _Server(app) as base, httpx.Client(base_url=base, timeout=60) as http:
            box = {}
            waiting = threading.Thread(target=lambda: box.update(r=http.post("/api/draft", json=_draft_body(backend="openai"))))
            waiting.start()
            deadline = time.monotonic() + 5
            while not fake.requests and time.monotonic() < deadline:     # the draft is waiting on the model
                time.sleep(0.05)
            assert fake.requests
            t0 = time.monotonic()
            r = http.post("/api/review", json={"text": PLAN, "year": YEAR})
            took = time.monotonic() - t0
            assert r.status_code == 200 and r.json()["findings"]
            assert waiting.is_alive(), "the review answered only after the draft gave up"
            assert took < 5
            waiting.join(60)
            assert box["r"].status_code == 502 and SENTINEL not in box["r"].text


def _wait_worker_freed(state, what: str, seconds: float = 5) -> None:
    """Waits until no request holds a model worker slot; fails naming `what` when one still does."""
    deadline = time.monotonic() + seconds
    while state._model_slots.borrowed_tokens and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state._model_slots.borrowed_tokens == 0, f"{what} still holds its worker"


# a model outline of my own for the disconnect test: four sections, two task topics
_OUTLINE = "一、指导思想\n二、工作目标\n三、主要工作\n（一）关爱一线医护职工\n（二）建好职工之家\n四、保障措施"


@pytest.mark.slow
@pytest.mark.parametrize("streamed", [True, False])
def test_a_draft_stops_when_its_client_goes_away(index_loc, stand_in_queries, streamed):
    """Disconnect after the first event (streamed), or give up waiting after 1.5 s (one JSON
    answer): the model call in flight may finish, then no further request reaches the (slow)
    model and the draft's worker slot is free again."""
    import httpx
    from tests.fake_openai import FakeOpenAI, completion

    def slow_model(body, headers):
        kind = headers.get("x-ghplan-request", "")
        text = _OUTLINE if kind == "outline" else "结合本院实际，细化分工，按期完成各项任务。"
        return {"delay": 1.0, **({"sse": [text]} if body.get("stream") else {"body": completion(text)})}

    with FakeOpenAI(responder=slow_model) as fake:
        settings = _settings(index_loc[0].path)
        settings.openai_base_url, settings.openai_timeout = fake.base_url, 20.0
        from ghplan.writer.serve import create_app
        from ghplan.writer.serve.state import make_state

        state = make_state(store=index_loc[0].path, settings=settings)
        with _Server(create_app(state)) as base:
            if streamed:
                with httpx.Client(base_url=base, timeout=30) as http:
                    with http.stream("POST", "/api/draft", json=_draft_body(backend="openai"),
                                     headers={"Accept": "text/event-stream"}) as r:
                        assert next(r.iter_lines()).startswith("event: ")     # the first event, then away
            else:
                with httpx.Client(base_url=base, timeout=1.5) as http, pytest.raises(httpx.ReadTimeout):
                    http.post("/api/draft", json=_draft_body(backend="openai"))
            _wait_worker_freed(state, "the draft")
            asked = len(fake.requests)
            time.sleep(2.5)                  # a draft still running would ask again within ~1 s
            assert len(fake.requests) == asked and asked <= 2, fake.requests


@pytest.mark.slow
def test_a_refresh_stops_when_its_client_goes_away(index_loc, stand_in_queries):
    """A refresh with a model asks it once per paragraph rules cannot fix (three in this plan),
    each up to the endpoint's timeout. A client that gives up after 1.5 s, during the second
    (slow) request, stops it: no third request, and the worker slot is free again."""
    import httpx
    from tests.fake_openai import FakeOpenAI, completion

    old = (FIXTURES / "refresh" / "water_2025.txt").read_bytes()

    def slow_model(body, headers):
        text = "全年完成各项任务，职工满意度稳步提高。"
        return {"delay": 1.0, **({"sse": [text]} if body.get("stream") else {"body": completion(text)})}

    form = {"data": {"year": "2027", "backend": "openai"},
            "files": {"file": ("water_2025.txt", old, "text/plain")}}
    with FakeOpenAI(responder=slow_model) as fake:
        settings = _settings(index_loc[0].path)
        settings.openai_base_url, settings.openai_timeout = fake.base_url, 20.0
        from ghplan.writer.serve import create_app
        from ghplan.writer.serve.state import make_state

        state = make_state(store=index_loc[0].path, settings=settings)
        with _Server(create_app(state)) as base:
            with httpx.Client(base_url=base, timeout=1.5) as http, pytest.raises(httpx.ReadTimeout):
                http.post("/api/refresh", **form)
            _wait_worker_freed(state, "the refresh")
            asked = len(fake.requests)
            time.sleep(1.5)                  # a refresh still running would ask again within ~1 s
            assert len(fake.requests) == asked and 1 <= asked <= 2, fake.requests
            # the same refresh, waited for, asks for each of its three paragraphs
            with httpx.Client(base_url=base, timeout=30) as http:
                done = http.post("/api/refresh", **form)
            assert done.status_code == 200 and len(fake.requests) - asked == 3, done.text


@pytest.mark.slow
def test_serve_command_starts_answers_and_refuses_an_open_bind(tmp_path):
    from tests.shared_index import clean_env

    env = clean_env(tmp_path)
    refused = subprocess.run([GHPLAN, "serve", "--host", "0.0.0.0"], capture_output=True, text=True,
                             env=env, timeout=60)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert [line for line in refused.stderr.splitlines() if line.strip()] == [refused.stderr.strip()]
    assert "--token" in refused.stderr
    port = free_port()
    p = subprocess.Popen([GHPLAN, "serve", "--port", str(port), "--store", str(tmp_path / "none")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = p.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first and "服务已启动" in first
        import httpx

        h = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()
        assert h["status"] == "ok" and h["index"]["exists"] is False
    finally:
        p.send_signal(2)                                      # Ctrl-C
        out, err = p.communicate(timeout=20)
    assert p.returncode == 0 and "Traceback" not in err
