"""`Idempotency-Key` on creating POSTs and on PATCHes: the first answer is kept 24 h and replayed for the same request."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from pimelo_mcp.sandbox.auth import current_token
from pimelo_mcp.sandbox.problems import ProblemError, invalid, problem_response
from pimelo_mcp.sandbox.store import Store

TTL_SECONDS = 24 * 3600
_KEPT_HEADERS = ("location", "etag", "content-type")


def _valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(0x20 <= ord(ch) <= 0x7E for ch in key)


async def idempotent(
    request: Request,
    store: Store,
    fingerprint: str,
    produce: Callable[[], Awaitable[Response]],
) -> Response:
    """Answer with `produce()`, or replay the answer first given to this token + key + body."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return await produce()
    if not _valid_key(key):
        raise invalid("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
    token = current_token(request)
    digest = hashlib.sha256(
        f"{request.method} {request.url.path}\n{fingerprint}".encode()
    ).hexdigest()
    now = time.time()
    row = store.conn.execute(
        "SELECT fingerprint, status, body, headers, created_at FROM idempotency WHERE token_hash = ? AND key = ?",
        (token.hash, key),
    ).fetchone()
    if row is not None and row[4] + TTL_SECONDS > now:
        if row[0] != digest:
            raise ProblemError(
                409, "This Idempotency-Key was already used with another request body."
            )
        headers: dict[str, str] = json.loads(row[3])
        headers["Idempotent-Replayed"] = "true"
        media_type = headers.pop("content-type", "application/json")
        return Response(row[2], status_code=row[1], headers=headers, media_type=media_type)
    try:
        response = await produce()
    except ProblemError as problem:
        response = problem_response(problem, request.url.path)
    if response.status_code < 500:
        kept = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
        store.conn.execute(
            "INSERT OR REPLACE INTO idempotency (token_hash, key, fingerprint, status, body, headers, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                token.hash,
                key,
                digest,
                response.status_code,
                bytes(response.body),
                json.dumps(kept),
                now,
            ),
        )
    return response
