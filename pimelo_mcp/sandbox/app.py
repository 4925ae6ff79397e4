"""The sandbox ASGI app: routes under /api/v1/, auth + rate-limit middleware, Problem Details."""

from __future__ import annotations

import importlib.resources
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pimelo_mcp.sandbox.auth import authenticate
from pimelo_mcp.sandbox.jsonutil import now_ts
from pimelo_mcp.sandbox.problems import ProblemError, problem_response
from pimelo_mcp.sandbox.ratelimit import RateLimiter
from pimelo_mcp.sandbox.routes import attributes, entities, media, products
from pimelo_mcp.sandbox.routes import settings as settings_routes
from pimelo_mcp.sandbox.routes.common import Sandbox
from pimelo_mcp.sandbox.settings import SandboxSettings
from pimelo_mcp.sandbox.store import Store

API_PREFIX = "/api/v1"
OPENAPI_PATH = API_PREFIX + "/openapi.json"
logger = logging.getLogger("pimelo_mcp.sandbox")


class ApiMiddleware:
    """Authenticates and rate-limits every request, adds the rate-limit headers to every answer,
    and turns an unexpected exception into a 500 Problem (never a traceback)."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limiter = self.sandbox.limiter
        headers = limiter.anonymous_headers()
        if path != OPENAPI_PATH or scope["method"] not in ("GET", "HEAD"):
            authorization = _header(scope, b"authorization")
            try:
                token = authenticate(self.sandbox.store, authorization, now_ts())
            except ProblemError as problem:
                await problem_response(problem, path, headers)(scope, receive, send)
                return
            allowed, headers = limiter.hit(token.hash)
            if not allowed:
                problem = ProblemError(
                    429,
                    f"Over {limiter.limit.requests} requests per {limiter.limit.seconds} s; retry after {headers['Retry-After']} s.",
                )
                await problem_response(problem, path, headers)(scope, receive, send)
                return
            scope.setdefault("state", {})["token"] = token
        extra = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unexpected error on %s %s", scope["method"], path)
            if started:
                raise
            problem = ProblemError(500, "An unexpected error occurred in the sandbox.")
            await problem_response(problem, path, headers)(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _problem_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request.url.path)


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed here; allowed: {(exc.headers or {}).get('Allow', '')}."
    elif exc.status_code == 404:
        detail = f"No endpoint at {request.url.path}."
    else:
        detail = str(exc.detail)
    problem = ProblemError(exc.status_code, detail, headers=dict(exc.headers or {}))
    return problem_response(problem, request.url.path)


async def openapi_document(request: Request) -> Response:
    try:
        resource = importlib.resources.files("pimelo_mcp.sandbox").joinpath("openapi.json")
        content = resource.read_bytes()
    except (FileNotFoundError, OSError):
        raise ProblemError(
            404, "The OpenAPI document is not installed with this package."
        ) from None
    return Response(content, media_type="application/json")


def build_store(settings: SandboxSettings) -> Store:
    """Open the database; a new one gets the catalog (settings.catalog, else the demo catalog)."""
    store = Store(settings.db_path)
    if store.is_new:
        catalog = settings.catalog
        if catalog is None:
            from pimelo_mcp.sandbox.demo import build_demo_catalog

            catalog = build_demo_catalog(settings.products, seed=settings.seed)
        store.load_catalog(catalog)
    else:
        store.ensure_indexes()
    for index, spec in enumerate(settings.tokens, start=1):
        store.add_token(spec.value, spec.scopes, f"fixed-{index}")
    return store


def create_app(settings: SandboxSettings, store: Store | None = None) -> Starlette:
    """A ready-to-serve app: the store is built and loaded here, not in a lifespan."""
    store = store or build_store(settings)
    state = Sandbox(
        settings=settings, store=store, limiter=RateLimiter(settings.rate_limit, settings.clock)
    )
    api_routes: list[Any] = [
        Route("/openapi.json", openapi_document, methods=["GET"]),
        *settings_routes.ROUTES,
        *attributes.ROUTES,
        *products.ROUTES,
        *entities.ROUTES,
        *media.ROUTES,
    ]
    # No redirect_slashes: `/api/v1/products/` is an unknown route (a 404 Problem), not a 307
    # to `/api/v1/products` with an empty body.
    api = Router(routes=api_routes, redirect_slashes=False)
    app = Starlette(
        routes=[Mount(API_PREFIX, app=api)],
        middleware=[Middleware(ApiMiddleware, sandbox=state)],
        exception_handlers={ProblemError: _problem_handler, HTTPException: _http_handler},
    )
    app.router.redirect_slashes = False
    app.state.sandbox = state
    if settings.faults is not None:
        from pimelo_mcp.sandbox.faults import FaultInjector

        # Outermost: an injected fault stands for the network or a gateway in front of Pimelo.
        injector = FaultInjector(app.build_middleware_stack(), settings.faults)
        app.middleware_stack = injector
        app.state.faults = injector
    return app
