"""`/me`, channels, locales and categories."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pimelo_mcp.sandbox.auth import require_scope
from pimelo_mcp.sandbox.problems import FieldErrors, not_found
from pimelo_mcp.sandbox.routes.common import (
    json_response,
    page_by_code,
    query_bool,
    query_page,
    route,
    sandbox,
)


async def me(request: Request) -> Response:
    token = require_scope(request, None)
    limit = sandbox(request).settings.rate_limit
    return json_response(
        {
            "token": {
                "name": token.name,
                "prefix": token.prefix,
                "scopes": list(token.scopes),
                "expires_at": token.expires_at,
            },
            "user": {"id": "usr_sandbox", "email": "sandbox@pimelo.local", "name": "Sandbox user"},
            "organization": {"id": "org_sandbox", "name": "Pimelo sandbox"},
            "rate_limit": {"limit": limit.requests, "window_seconds": limit.seconds},
        }
    )


async def list_channels(request: Request) -> Response:
    require_scope(request, "settings:read")
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    errors.raise_if_any()
    return json_response(
        page_by_code(list(sandbox(request).store.channels.values()), limit, cursor)
    )


async def get_channel(request: Request) -> Response:
    require_scope(request, "settings:read")
    channel = sandbox(request).store.channels.get(request.path_params["code"])
    if channel is None:
        raise not_found(f"Channel {request.path_params['code']!r}")
    return json_response(channel)


async def list_locales(request: Request) -> Response:
    require_scope(request, "settings:read")
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    items = list(sandbox(request).store.locales.values())
    if "enabled" in request.query_params:
        enabled = query_bool(request, "enabled", errors)
        items = [item for item in items if item["enabled"] == enabled]
    errors.raise_if_any()
    return json_response(page_by_code(items, limit, cursor))


async def list_categories(request: Request) -> Response:
    require_scope(request, "products:read")
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    store = sandbox(request).store
    items = list(store.categories.values())
    parent = request.query_params.get("parent")
    if parent is not None:
        if parent not in store.categories:
            errors.add("parent", f"{parent!r} is not a known category")
        items = [item for item in items if item.get("parent") == parent]
    errors.raise_if_any()
    return json_response(page_by_code(items, limit, cursor))


ROUTES = [
    route("/me", GET=me),
    route("/channels", GET=list_channels),
    route("/channels/{code}", GET=get_channel),
    route("/locales", GET=list_locales),
    route("/categories", GET=list_categories),
]
