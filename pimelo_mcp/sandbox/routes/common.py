"""What every endpoint shares: the sandbox state, JSON bodies and answers, paging, ETags."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pimelo_mcp.sandbox.cursors import check_limit, decode_cursor, encode_cursor
from pimelo_mcp.sandbox.jsonutil import JSON, as_dict, dumps
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError, invalid
from pimelo_mcp.sandbox.ratelimit import RateLimiter
from pimelo_mcp.sandbox.settings import SandboxSettings
from pimelo_mcp.sandbox.store import Store

MAX_JSON_BYTES = 8 * 1024 * 1024
# ASCII digits only: str.isdigit() also admits "²" or "१", which int() then refuses or reads.
DIGITS_RE = re.compile(r"^[0-9]+$")
INTEGER_RE = re.compile(r"^-?[0-9]+$")


@dataclass
class Sandbox:
    """The state of one sandbox app, reachable from every request."""

    settings: SandboxSettings
    store: Store
    limiter: RateLimiter


def sandbox(request: Request) -> Sandbox:
    state: Sandbox = request.app.state.sandbox
    return state


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumps(data).encode(), status_code=status, headers=headers, media_type="application/json"
    )


def etag(version: int) -> str:
    return f'"{version}"'


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body, or a 413 as soon as it grows past `max_bytes`."""
    declared = request.headers.get("content-length")
    if declared and DIGITS_RE.match(declared) and int(declared) > max_bytes:
        raise ProblemError(413, f"The body is larger than {max_bytes} bytes.", max_bytes=max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise ProblemError(
                413, f"The body is larger than {max_bytes} bytes.", max_bytes=max_bytes
            )
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # pyright: ignore[reportPrivateUsage]  # so that form() can read it again
    return body


async def read_json(request: Request) -> JSON:
    """The JSON object of the body: 415 for another content type, 413 if too large, 400 if not JSON.

    Parsed once per request: an idempotent PATCH reads it for its fingerprint, then its
    handler reads it again."""
    parsed_before: JSON | None = getattr(request.state, "json_body", None)
    if parsed_before is not None:
        return parsed_before
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise ProblemError(415, "The body must be application/json.", allowed=["application/json"])
    raw = await read_body(request, MAX_JSON_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProblemError(400, "The body is not UTF-8.") from None
    try:
        parsed: Any = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        raise ProblemError(400, f"The body is not valid JSON: {error}.") from None
    except RecursionError:
        raise ProblemError(400, "The body is not valid JSON: it is nested too deeply.") from None
    try:
        # An escaped lone surrogate ("\\ud800") parses, but is no Unicode text: it could be
        # neither stored nor echoed back in an answer (I-JSON, RFC 7493, forbids it).
        dumps(parsed).encode("utf-8")
    except UnicodeEncodeError:
        raise ProblemError(
            400, "The body is not valid JSON: a string holds a lone UTF-16 surrogate."
        ) from None
    body = as_dict(parsed)
    if body is None:
        raise ProblemError(400, "The body must be a JSON object.")
    request.state.json_body = body
    return body


def _refuse_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Python's parser accepts them by default)."""
    raise ValueError(f"{name} is not a JSON value")


def fingerprint(body: JSON) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def check_closed(body: JSON, allowed: Iterable[str], errors: FieldErrors, prefix: str = "") -> None:
    """Request bodies are closed: every unknown top-level member is an error."""
    known = set(allowed)
    for name in body:
        if name not in known:
            errors.add(f"{prefix}{name}", "is not a known field")


def query_bool(request: Request, name: str, errors: FieldErrors) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return False
    if raw not in ("true", "false"):
        errors.add(name, "must be true or false")
        return False
    return raw == "true"


def query_page(request: Request, errors: FieldErrors) -> tuple[int, str | None]:
    """`limit` and `search_after` of a GET list."""
    raw = request.query_params.get("limit")
    limit = 25
    if raw is not None:
        try:
            limit = check_limit(int(raw) if INTEGER_RE.match(raw) else raw)
        except ProblemError:
            errors.add("limit", "must be an integer from 1 to 100")
    return limit, request.query_params.get("search_after")


def page_by_code(items: list[JSON], limit: int, cursor: str | None) -> JSON:
    """A page of a small in-memory list, in code order, keyed by code."""
    ordered = sorted(items, key=lambda item: item["code"])
    if cursor is not None:
        after, _ = decode_cursor(cursor, "code")
        ordered = [item for item in ordered if item["code"] > after]
    page = ordered[:limit]
    next_cursor = encode_cursor("code", page[-1]["code"], 0) if len(ordered) > limit else None
    return {"items": page, "search_after": next_cursor}


def parse_if_match(header: str | None) -> int | None:
    """The version an `If-Match` names (None for absent or `*`)."""
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return None
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not DIGITS_RE.match(value):
        raise invalid("If-Match", 'must be "<version>", a version number or *')
    return int(value)


def check_version(expected: int | None, current: int) -> None:
    if expected is not None and expected != current:
        raise ProblemError(
            412,
            f"The record is at version {current}, not {expected}: fetch it again and reapply the change.",
            current_version=current,
        )


def check_labels(raw: Any, field: str, store: Store, errors: FieldErrors) -> dict[str, str]:
    labels = as_dict(raw)
    if labels is None:
        errors.add(field, "must be an object keyed by locale code")
        return {}
    for locale, label in labels.items():
        if locale not in store.locales:
            errors.add(f"{field}.{locale}", "is not a known locale")
        elif not isinstance(label, str) or len(label) > 255:
            errors.add(f"{field}.{locale}", "must be a string of at most 255 characters")
    return {k: str(v) for k, v in labels.items()}


Handler = Callable[[Request], Awaitable[Response]]


def route(path: str, name: str | None = None, **handlers: Handler) -> Route:
    """One route per path, so that a 405 lists every method the path allows."""

    async def dispatch(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return Route(path, dispatch, methods=list(handlers), name=name)


def idempotent_patch(
    handler: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A PATCH that honours `Idempotency-Key`: a retry whose first answer was lost gets that
    answer again, instead of a 412 its own earlier success caused (the If-Match it carries
    names the version before that success)."""
    from pimelo_mcp.sandbox.idempotency import idempotent

    async def patch(request: Request) -> Response:
        body = await read_json(request)
        key = f"{fingerprint(body)}\nIf-Match: {request.headers.get('if-match', '')}"
        return await idempotent(request, sandbox(request).store, key, lambda: handler(request))

    patch.__name__ = handler.__name__
    patch.__doc__ = handler.__doc__
    return patch
