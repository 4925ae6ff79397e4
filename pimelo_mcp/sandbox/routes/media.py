"""Media files: multipart upload (size cap, sniffed type), metadata, download and list."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from pimelo_mcp.sandbox.auth import require_scope
from pimelo_mcp.sandbox.cursors import decode_cursor, encode_cursor
from pimelo_mcp.sandbox.idempotency import idempotent
from pimelo_mcp.sandbox.jsonutil import CODE_RE, JSON, now_ts
from pimelo_mcp.sandbox.media import ALLOWED_MIME_TYPES, code_from_filename, sniff
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError, not_found
from pimelo_mcp.sandbox.routes.common import json_response, query_page, read_body, route, sandbox
from pimelo_mcp.sandbox.store import Store

COLUMNS = "code, filename, mime_type, size, sha256, width, height, created_at"
# Room for the multipart envelope (boundaries, part headers, the optional code).
MULTIPART_OVERHEAD = 64 * 1024


def _media(request: Request, row: tuple[Any, ...]) -> JSON:
    return {
        "code": row[0],
        "filename": row[1],
        "mime_type": row[2],
        "size": row[3],
        "sha256": row[4],
        "width": row[5],
        "height": row[6],
        "download_url": str(request.url_for("media_download", code=row[0])),
        "created_at": row[7],
    }


def _unique_code(store: Store, base: str) -> str:
    code, suffix = base, 1
    while store.media_filename(code) is not None:
        suffix += 1
        code = f"{base}_{suffix}"
    return code


async def upload_media(request: Request) -> Response:
    require_scope(request, "media:write")
    state = sandbox(request)
    store = state.store
    cap = state.settings.max_upload_bytes
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise ProblemError(
            415,
            "Uploads are multipart/form-data with a file part.",
            allowed=["multipart/form-data"],
        )
    await read_body(request, cap + MULTIPART_OVERHEAD)
    async with request.form(max_files=1, max_fields=5, max_part_size=1024 * 1024) as form:
        errors = FieldErrors()
        for name in form:
            if name not in ("file", "code"):
                errors.add(name, "is not a known field")
        upload = form.get("file")
        code_raw = form.get("code")
        if not isinstance(upload, UploadFile):
            errors.add("file", "is required: the file part of the upload")
        if code_raw is not None and (not isinstance(code_raw, str) or not CODE_RE.match(code_raw)):
            errors.add("code", "must match ^[a-z0-9_]{1,100}$")
        errors.raise_if_any()
        assert isinstance(upload, UploadFile)
        content = await upload.read()
        filename = upload.filename or "upload"
        declared_type = upload.content_type
    if len(content) > cap:
        raise ProblemError(413, f"The file is larger than {cap} bytes.", max_bytes=cap)
    sniffed = sniff(content)
    if sniffed is None:
        raise ProblemError(
            415,
            "The file is not one of the allowed types (sniffed from its bytes).",
            allowed=list(ALLOWED_MIME_TYPES),
        )
    digest = hashlib.sha256(content).hexdigest()
    code = code_raw if isinstance(code_raw, str) else None
    fingerprint = json.dumps([digest, filename, declared_type, code])

    async def produce() -> Response:
        if code is not None and store.media_filename(code) is not None:
            raise ProblemError(409, f"Media {code!r} already exists.")
        final_code = code or _unique_code(store, code_from_filename(filename))
        stamp = now_ts()
        with store.transaction():
            store.conn.execute(
                "INSERT INTO media (code, filename, mime_type, size, sha256, width, height, content, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    final_code,
                    filename,
                    sniffed.mime_type,
                    len(content),
                    digest,
                    sniffed.width,
                    sniffed.height,
                    content,
                    stamp,
                ),
            )
        row = (
            final_code,
            filename,
            sniffed.mime_type,
            len(content),
            digest,
            sniffed.width,
            sniffed.height,
            stamp,
        )
        location = str(request.url_for("media", code=final_code))
        return json_response(_media(request, row), 201, {"Location": location})

    return await idempotent(request, store, fingerprint, produce)


def _product_media_codes(store: Store, identifier: str) -> list[str]:
    row = store.conn.execute(
        "SELECT vals FROM products WHERE identifier = ?", (identifier,)
    ).fetchone()
    if row is None:
        raise ProblemError(
            422,
            f"product: {identifier!r} is not a known product",
            errors=[{"field": "product", "message": f"{identifier!r} is not a known product"}],
        )
    values: dict[str, list[JSON]] = json.loads(row[0])
    media_codes = {c for c, a in store.attributes.items() if a["type"] == "media"}
    return sorted(
        {
            e["data"]
            for code, entries in values.items()
            if code in media_codes
            for e in entries
            if isinstance(e.get("data"), str)
        }
    )


async def list_media(request: Request) -> Response:
    require_scope(request, "media:read")
    store = sandbox(request).store
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    errors.raise_if_any()
    where: list[str] = []
    params: list[Any] = []
    query = request.query_params
    if query.get("search"):
        where.append("(instr(plower(code), ?) > 0 OR instr(plower(filename), ?) > 0)")
        params += [query["search"].lower()] * 2
    if query.get("mime_type"):
        where.append("mime_type = ?")
        params.append(query["mime_type"])
    if query.get("product") is not None:
        codes = _product_media_codes(store, query["product"])
        where.append(f"code IN ({','.join('?' * len(codes))})")
        params += codes
    if cursor is not None:
        after, _ = decode_cursor(cursor, "code")
        where.append("code > ?")
        params.append(after)
    sql = f"SELECT {COLUMNS} FROM media" + (" WHERE " + " AND ".join(where) if where else "")
    rows = store.conn.execute(sql + " ORDER BY code LIMIT ?", [*params, limit + 1]).fetchall()
    next_cursor = encode_cursor("code", rows[limit - 1][0], 0) if len(rows) > limit else None
    return json_response(
        {"items": [_media(request, r) for r in rows[:limit]], "search_after": next_cursor}
    )


def _row(store: Store, code: str) -> tuple[Any, ...]:
    row = store.conn.execute(f"SELECT {COLUMNS} FROM media WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise not_found(f"Media {code!r}")
    return tuple(row)


async def get_media(request: Request) -> Response:
    require_scope(request, "media:read")
    return json_response(_media(request, _row(sandbox(request).store, request.path_params["code"])))


async def download_media(request: Request) -> Response:
    require_scope(request, "media:read")
    store = sandbox(request).store
    row = store.conn.execute(
        "SELECT mime_type, content, filename FROM media WHERE code = ?",
        (request.path_params["code"],),
    ).fetchone()
    if row is None:
        raise not_found(f"Media {request.path_params['code']!r}")
    filename = str(row[2]).replace('"', "")
    return Response(
        bytes(row[1]),
        media_type=row[0],
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


ROUTES = [
    route("/media", GET=list_media, POST=upload_media),
    route("/media/{code}", "media", GET=get_media),
    route("/media/{code}/download", "media_download", GET=download_media),
]
