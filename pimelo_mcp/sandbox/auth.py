"""Bearer tokens: finding the caller's token, scope checks and the demo tokens the runner mints."""

from __future__ import annotations

from starlette.requests import Request

from pimelo_mcp.sandbox.problems import ProblemError
from pimelo_mcp.sandbox.settings import PRODUCTS_ONLY_SCOPES, READ_SCOPES, SCOPES
from pimelo_mcp.sandbox.store import Store, Token

DEMO_TOKENS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("full-access", SCOPES),
    ("read-only", READ_SCOPES),
    ("products-only", PRODUCTS_ONLY_SCOPES),
)


def mint_demo_tokens(store: Store) -> list[tuple[str, str, tuple[str, ...]]]:
    """Mint the three demo tokens: (name, value, scopes) each; values are shown only once."""
    return [(name, store.mint_token(name, scopes), scopes) for name, scopes in DEMO_TOKENS]


def authenticate(store: Store, authorization: str | None, now_iso: str) -> Token:
    """The token of an `Authorization: Bearer pim_…` header, or a 401."""
    if not authorization:
        raise ProblemError(401, "Send Authorization: Bearer pim_<token>.")
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith("pim_"):
        raise ProblemError(401, "The Authorization header must be: Bearer pim_<token>.")
    token = store.find_token(value)
    if token is None:
        raise ProblemError(401, "The token is unknown or was revoked.")
    if token.expires_at is not None and token.expires_at <= now_iso:
        raise ProblemError(401, "The token has expired.")
    return token


def current_token(request: Request) -> Token:
    token: Token | None = request.scope.get("state", {}).get("token")
    if token is None:  # the middleware authenticates every route but openapi.json
        raise ProblemError(401, "Send Authorization: Bearer pim_<token>.")
    return token


def require_scope(request: Request, scope: str | None) -> Token:
    """The caller's token, or a 403 naming the scope this endpoint needs."""
    token = current_token(request)
    if scope is not None and scope not in token.scopes:
        raise ProblemError(403, f"This endpoint needs the {scope} scope.", required_scope=scope)
    return token
