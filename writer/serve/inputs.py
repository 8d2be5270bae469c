"""Reading a request: a JSON body or a multipart upload, its fields checked into typed values.

Every bad field is an ApiError with a Chinese sentence (and the English one); an upload is read
from the request into memory (Starlette spools a large one to a temporary file, closed and so
deleted when the form is closed) and is never written anywhere by ghplan.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from ghplan.writer.serve.errors import api_error

UPLOAD_TYPES = (".docx", ".txt", ".md", ".markdown", ".pdf")
LANGS = ("zh", "en")


@dataclass
class Doc:
    """A plan as the request gave it: pasted text, or an uploaded file read into text."""
    text: str
    name: str = "-"
    format: str = "text"                   # text | docx | pdf
    data: bytes = b""                      # the upload's bytes (a .docx is rewritten from them)
    read: Any = None                       # corpus.read.ReadResult for an upload
    encoding: str = "utf-8"


@dataclass
class Body:
    fields: dict[str, Any] = field(default_factory=dict)
    doc: Doc | None = None


async def read_body(request: Request, *, text_field: str | None = "text") -> Body:
    """The request's fields, and its plan (the `file` upload, else the JSON `text_field`)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        fields = await _json(request)
        text = fields.get(text_field) if text_field else None
        return Body(fields, _pasted(text) if text_field and text_field in fields else None)
    if kind == "multipart/form-data":
        async with request.form(max_files=1, max_fields=50) as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                text = fields.get(text_field) if text_field else None
                return Body(fields, _pasted(text) if text is not None else None)
            data = await upload.read()
            name = upload.filename or "upload"
        return Body(fields, read_upload(data, name))
    raise api_error(415, "body_type")


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise api_error(400, "bad_json") from None
    if not isinstance(data, dict):
        raise api_error(422, "not_object")
    return data


def _pasted(text: Any) -> Doc:
    if not isinstance(text, str):
        raise api_error(422, "text_not_string")
    if not text.strip():
        raise api_error(422, "text_empty")
    return Doc(text.replace("\r\n", "\n"))


def read_upload(data: bytes, name: str) -> Doc:
    """An uploaded plan read as the CLI reads files; anything unreadable is a 4xx."""
    from ghplan.corpus.decode import DecodeError
    from ghplan.corpus.read import read_bytes_as

    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in UPLOAD_TYPES:
        raise api_error(415, "file_type", name=ext or name)
    if not data.strip():
        raise api_error(422, "upload_empty")
    try:
        got = read_bytes_as(data, name)
    except DecodeError as exc:
        raise api_error(422, "upload_unreadable", detail=" ".join(str(exc).split())) from None
    if not got.text.strip():
        raise api_error(422, "upload_no_text")
    return Doc(got.text, name, got.format, data, got, got.encoding)


# ---------------------------------------------------------------------- fields
def org_type(value: Any) -> str | None:
    """A type field: English id or Chinese name (医院, 县总工会 …) through the one resolver."""
    if value in (None, ""):
        return None
    from ghplan.writer.org_types import UnknownType, chinese_names, resolve_type

    if not isinstance(value, str):
        raise api_error(422, "type_not_string")
    try:
        return resolve_type(value)
    except UnknownType as exc:
        names = "、".join(chinese_names().values())
        raise api_error(422, "unknown_type", str(exc), value=value, names=names) from None


def year(value: Any, *, required: bool = False) -> int | None:
    """A plan year (an integer or its digits), in the range the year facts cover."""
    if value in (None, ""):
        if required:
            raise api_error(422, "year_required")
        return None
    try:
        y = int(str(value).strip())
    except ValueError:
        raise api_error(422, "year_not_int", value=value) from None
    from ghplan.writer.draft.facts import YearOutOfRange, check_year

    try:
        check_year(y)
    except YearOutOfRange as exc:
        raise api_error(422, "year_range", str(exc), year=y) from None
    return y


def lang(value: Any) -> str:
    """The language of finding messages: Chinese unless the request asks for English."""
    if value in (None, ""):
        return "zh"
    code = str(value).strip().lower().replace("-", "_").split("_")[0]
    if code not in LANGS:
        raise api_error(422, "lang")
    return code


def text_field(fields: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    value = fields.get(name)
    if value in (None, ""):
        if required:
            raise api_error(422, "field_required", name=name)
        return None
    if not isinstance(value, str):
        raise api_error(422, "field_not_string", name=name)
    return value.strip()
