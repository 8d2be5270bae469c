"""Request bodies for the OpenAPI schema (/openapi.json). The routes read their bodies themselves
(JSON or multipart, checked in inputs.py), so FastAPI cannot infer these: they are written here,
as data, for integrators and generated clients."""
from __future__ import annotations

from typing import Any

_S = {"type": "string"}
_TYPE = {"type": "string", "description": "organisation type: English id (hospital) or Chinese name (医院, 县总工会 …)"}
_YEAR = {"type": "integer", "description": "plan year, e.g. 2027"}
_LANG = {"type": "string", "enum": ["zh", "en"], "description": "language of finding messages (default zh)"}
_FILE = {"type": "string", "format": "binary", "description": ".docx, .txt, .md or .pdf"}


def _json(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


def _body(json_schema: dict[str, Any] | None = None, form: dict[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if json_schema:
        content["application/json"] = {"schema": json_schema}
    if form:
        content["multipart/form-data"] = {"schema": form}
    return {"requestBody": {"required": True, "content": content}}


REVIEW = _body(_json({"text": _S, "type": _TYPE, "year": _YEAR, "lang": _LANG, "org": _S}, ["text"]),
               _json({"file": _FILE, "type": _TYPE, "year": _YEAR, "lang": _LANG, "org": _S}, ["file"]))
FIX = _body(_json({"text": _S, "type": _TYPE, "year": _YEAR, "lang": _LANG,
                   "rules": {"type": "array", "items": _S, "description": "rule ids to fix (default: every certain fix)"}},
                  ["text"]),
            _json({"file": {**_FILE, "description": ".docx: answered with tracked changes"}, "type": _TYPE,
                   "year": _YEAR, "rules": {"type": "string", "description": "comma-separated rule ids"}}, ["file"]))
DRAFT = _body(_json({"org": _S, "type": _TYPE, "year": _YEAR, "lang": _LANG,
                     "backend": {"type": "string", "enum": ["offline", "mock", "openai"]},
                     "profile": {"type": "object", "description": "profile TOML fields: member_count, departments, "
                                 "achievements, priorities, events [{month, name}], tone, sections, length"}},
                    ["org", "type"]))
REFRESH = _body(form=_json({"file": _FILE, "year": _YEAR, "org": _S, "type": _TYPE, "lang": _LANG,
                            "format": {"type": "string", "enum": ["json", "docx", "md"]},
                            "backend": {"type": "string", "enum": ["offline", "mock", "openai"]}}, ["file", "year"]))
SEARCH = _body(_json({"query": _S, "type": _TYPE, "role": _S, "k": {"type": "integer", "minimum": 1, "maximum": 50}},
                     ["query"]))
EXPORT = _body(_json({"text": _S, "format": {"type": "string", "enum": ["docx", "md"]}, "title": _S}, ["text"]))
