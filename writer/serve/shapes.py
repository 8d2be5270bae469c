"""The JSON the API answers with: the CLI's `--json` objects, with the finding messages in the
request's language and the few fields a page needs added (the reviewed `text`, `fixable`)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MD_TYPE = "text/markdown; charset=utf-8"


def review_json(result: Any, lang: str) -> dict[str, Any]:
    """`ghplan review --format json` for one result, messages in `lang` (zh falls back to the
    English where a finding has no Chinese), each finding marked `fixable` (a certain fix exists:
    /api/fix applies it)."""
    data = result.to_json(lang=lang)
    for row, f in zip(data["findings"], result.findings):
        row["fixable"] = bool(f.fixable)
    return data


def with_text(data: dict[str, Any], text: str) -> dict[str, Any]:
    """The review plus the exact text its findings' start/end index into."""
    return {**data, "text": text}


def attachment(data: bytes, filename: str, media_type: str = DOCX_TYPE) -> Response:
    """A file download; the name is given both plainly (ASCII) and in UTF-8 (RFC 6266)."""
    ext = "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
    ascii_name = filename if filename.isascii() else f"ghplan{ext}"
    disposition = f"attachment; filename=\"{ascii_name.replace(chr(34), '')}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def out_name(name: str, suffix: str, ext: str = ".docx") -> str:
    """`计划.docx` → `计划-修订.docx`: a download named after the upload."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{stem or 'ghplan'}{suffix}{ext}"
