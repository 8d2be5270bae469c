"""GET /api/health, /api/types, /api/rules and POST /api/search: what the page and an integrator
ask before any work, and the index search."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ghplan.writer import __version__
from ghplan.writer.serve import inputs, schemas
from ghplan.writer.serve.errors import api_error

router = APIRouter(prefix="/api")


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    """Alive, which backend drafts by default, and the index (whether there is one, how big)."""
    state = request.app.state.ghplan
    index = await run_in_threadpool(state.index_json)
    return {"status": "ok", "version": __version__, "backend": state.backend, "index": index}


@router.get("/types")
async def types() -> list[dict[str, str]]:
    """Organisation types for the page's select: id and Chinese name."""
    from ghplan.writer.org_types import chinese_names

    return [{"id": t, "zh": zh} for t, zh in chinese_names().items()]


@router.get("/rules")
async def rules() -> list[dict[str, Any]]:
    """The same array as `ghplan rules --json`."""
    from ghplan.writer.review.report import rules_table
    from ghplan.writer.review.rules import all_rules

    return rules_table(all_rules().values())


@router.post("/search", openapi_extra=schemas.SEARCH)
async def search(request: Request) -> dict[str, Any]:
    """JSON {"query", "type"?, "role"?, "k"?} → the `ghplan search --json` object."""
    body = await inputs.read_body(request, text_field=None)
    f = body.fields
    query = inputs.text_field(f, "query", required=True)
    org_type = inputs.org_type(f.get("type"))
    role = inputs.text_field(f, "role")
    k = _k(f.get("k", 5))
    state = request.app.state.ghplan

    def run() -> dict[str, Any]:
        from ghplan.writer.index.retrieve import check_request

        check_request(query, org_type, role, k, "hybrid")
        return state.retriever().search(query, org_type, role, k).to_json()

    return await run_in_threadpool(run)


def _k(value: Any) -> int:
    try:
        k = int(value)
    except (TypeError, ValueError):
        raise api_error(422, "k") from None
    if not 1 <= k <= 50:
        raise api_error(422, "k")
    return k
