"""Putting the authorization server together from the settings: store, keys, provider, pages,
routes, the token verifier and the SDK's resource-server settings for `/mcp`."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import httpx2
from mcp.server.auth.settings import AuthSettings
from starlette.routing import Route

from pimelo_mcp.client import Me, PimeloClient
from pimelo_mcp.config import ENV_SECRET_KEY, ENV_STORE, ConfigError, OAuthSettings
from pimelo_mcp.oauth import OAUTH_SCOPE
from pimelo_mcp.oauth.cimd import MetadataFetcher
from pimelo_mcp.oauth.crypto import KEY_FILE_NAME, Keys, SecretError, load_or_create_key_file
from pimelo_mcp.oauth.provider import PimeloOAuthProvider
from pimelo_mcp.oauth.redirects import RedirectPolicy
from pimelo_mcp.oauth.routes import oauth_routes
from pimelo_mcp.oauth.signin import SignIn, TokenChecker
from pimelo_mcp.oauth.store import OAuthStore, ServerStore, SqliteStore
from pimelo_mcp.oauth.verifier import OAuthTokenVerifier, grant_revoker
from pimelo_mcp.principal import PrincipalRevoker

logger = logging.getLogger(__name__)


def pimelo_token_checker(base_url: str, http_client: httpx2.AsyncClient | None) -> TokenChecker:
    """`GET /me` with a pasted token, once, without retries: the person is waiting."""

    async def check(token: str) -> Me:
        async with PimeloClient(
            base_url, token, http_client=http_client, max_retries=0, call_budget_seconds=10
        ) as client:
            return await client.me.retrieve()

    return check


@dataclass
class AuthorizationServer:
    provider: PimeloOAuthProvider
    routes: list[Route]
    verifier: OAuthTokenVerifier
    revoker: PrincipalRevoker
    auth: AuthSettings
    """For `MCPServer(auth=…)`: protected resource metadata and the 401 at `/mcp`."""

    @property
    def store(self) -> OAuthStore:
        return self.provider.store


def load_keys(settings: OAuthSettings) -> Keys:
    """The keys from the configured secret, else from the key file beside a SQLite store.

    Replicas on Redis share no disk, so they must be given the one secret."""
    try:
        if settings.secret_key:
            return Keys(settings.secret_key)
        if settings.store_url is not None:
            raise ConfigError(
                f"a Redis store ({settings.store_name()}) is shared by several replicas, which "
                f"must all seal and open with the same secret: set {ENV_SECRET_KEY} to the same "
                "random string (32+ characters) on every replica"
            )
        return Keys(load_or_create_key_file(settings.store_path.with_name(KEY_FILE_NAME)))
    except SecretError as error:
        raise ConfigError(str(error)) from None


def open_store(settings: OAuthSettings) -> ServerStore:
    """The store the settings name, SQLite or Redis: the one place an engine is chosen."""
    if settings.store_url is not None:
        from pimelo_mcp.oauth.redis_store import RedisStore

        try:
            return RedisStore(settings.store_url)
        except ValueError as error:
            raise ConfigError(f"{error} (--store / {ENV_STORE})") from None
    try:
        return SqliteStore(settings.store_path)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(
            f"cannot open the OAuth store {settings.store_path}: {error} (--store / {ENV_STORE})"
        ) from None


def build_authorization_server(
    settings: OAuthSettings,
    *,
    pimelo_base_url: str,
    http_client: httpx2.AsyncClient | None = None,
    api_keys: Sequence[str] = (),
    store: OAuthStore | None = None,
    keys: Keys | None = None,
    token_checker: TokenChecker | None = None,
) -> AuthorizationServer:
    issuer = settings.issuer()
    policy = RedirectPolicy(settings.allowed_redirects)
    if settings.test_cimd_origin:
        logger.warning(
            "client metadata documents are fetched from %s without the public-address guard "
            "(a test-only setting)",
            settings.test_cimd_origin,
        )
    provider = PimeloOAuthProvider(
        issuer=issuer,
        store=store or open_store(settings),
        keys=keys or load_keys(settings),
        policy=policy,
        fetcher=MetadataFetcher(policy, insecure_test_origin=settings.test_cimd_origin),
    )
    signin = SignIn(
        provider,
        token_checker or pimelo_token_checker(pimelo_base_url, http_client),
        secure_cookie=issuer.startswith("https://"),
    )
    return AuthorizationServer(
        provider=provider,
        routes=oauth_routes(provider, signin),
        verifier=OAuthTokenVerifier(provider, api_keys),
        revoker=grant_revoker(provider),
        auth=AuthSettings(
            issuer_url=issuer,  # pyright: ignore[reportArgumentType]  # validated from str
            resource_server_url=provider.resource,  # pyright: ignore[reportArgumentType]
            required_scopes=[OAUTH_SCOPE],
            validate_token_resource=True,
        ),
    )
