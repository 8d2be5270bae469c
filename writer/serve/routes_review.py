"""POST /api/review: one plan (pasted or uploaded) → the `ghplan review --format json` object
plus the text its findings index into."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ghplan.writer.serve import inputs, schemas
from ghplan.writer.serve.errors import api_error
from ghplan.writer.serve.shapes import review_json, with_text

router = APIRouter(prefix="/api")


def review_doc(doc: inputs.Doc, org_type: str | None, year: int | None, settings: Any,
               org: str | None = None) -> Any:
    """The review of `doc` as `ghplan review FILE` gives it (a Word/PDF upload: with paragraphs)."""
    from ghplan.writer.review.reviewer import ReviewError, review_text

    try:
        result = review_text(doc.text, org_type=org_type, year=year, settings=settings,
                             file=doc.name, encoding=doc.encoding, org_name=org)
    except ReviewError as exc:
        raise api_error(422, "review_args", " ".join(str(exc).split())) from None
    result.read = doc.read
    return result


@router.post("/review", openapi_extra=schemas.REVIEW)
async def review(request: Request) -> dict[str, Any]:
    """JSON {"text", "type"?, "year"?, "lang"?, "org"?} or multipart `file` (.docx/.txt/.md/.pdf)
    with the same fields as form fields."""
    body = await inputs.read_body(request)
    if body.doc is None:
        raise api_error(422, "review_needs_input")
    f = body.fields
    org_type, year = inputs.org_type(f.get("type")), inputs.year(f.get("year"))
    lang, org = inputs.lang(f.get("lang")), inputs.text_field(f, "org")
    settings = request.app.state.ghplan.settings

    def run() -> dict[str, Any]:
        result = review_doc(body.doc, org_type, year, settings, org)
        return with_text(review_json(result, lang), result.text)

    return await run_in_threadpool(run)
