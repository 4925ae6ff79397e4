"""The authorization server's logic behind the SDK's OAuth handlers.

The SDK's handlers parse and check the requests (PKCE S256 required, redirect URI among the
client's, client authentication); this provider decides, and keeps every record in the
store. Grants live `GRANT_SECONDS` at most; access tokens an hour; a refresh token is
rotated on every use and its grant revoked as soon as a used one comes back (stolen and
replayed, or copied). Every check of time uses the injected clock.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    AuthorizeError,
    IdentityAssertionParams,
    RefreshToken,
    RegistrationError,
    TokenError,
    construct_redirect_uri,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken
from pydantic import AnyUrl, ValidationError

from pimelo_mcp.oauth import OAUTH_SCOPE
from pimelo_mcp.oauth.cimd import ClientMetadataError, MetadataFetcher, is_metadata_url
from pimelo_mcp.oauth.crypto import Keys, UnsealError
from pimelo_mcp.oauth.records import CodeRecord, GrantRecord, SignInRequest, TokenRecord
from pimelo_mcp.oauth.redirects import RedirectPolicy
from pimelo_mcp.oauth.store import OAuthStore

logger = logging.getLogger(__name__)

SIGNIN_PATH = "/signin"
REQUEST_SECONDS = 600.0  # to paste a token and choose
CODE_SECONDS = 60.0
ACCESS_SECONDS = 3600.0
REFRESH_SECONDS = 30 * 86400.0
GRANT_SECONDS = 90 * 86400.0
CLIENT_SECONDS = 365 * 86400.0
PURGE_SECONDS = 3600.0  # expired records are invisible at once; deleted at most this late


class PimeloAuthorizationCode(AuthorizationCode):
    record: CodeRecord


class PimeloRefreshToken(RefreshToken):
    grant_id: str


class PimeloAccessToken(AccessToken):
    grant_id: str


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def same_resource(given: str, resource: str) -> bool:
    return given.removesuffix("/") == resource.removesuffix("/")


@dataclass(frozen=True)
class Grant:
    """A live grant, its Pimelo token opened."""

    grant_id: str
    record: GrantRecord
    pimelo_token: str = field(repr=False)


@dataclass
class PimeloOAuthProvider:
    """`OAuthAuthorizationServerProvider` for pimelo-mcp: issuer = the public URL, exactly."""

    issuer: str
    store: OAuthStore
    keys: Keys
    policy: RedirectPolicy
    fetcher: MetadataFetcher
    clock: Callable[[], float] = time.time
    _next_purge: float = field(default=float("-inf"), init=False, repr=False)

    @property
    def resource(self) -> str:
        return self.issuer + "/mcp"

    # -- clients -------------------------------------------------------------------------

    async def load_client(self, client_id: str) -> tuple[OAuthClientInformationFull | None, str]:
        """The client, or None and why not (for the page a person sees)."""
        now = self.clock()
        if is_metadata_url(client_id):
            cached = await self.store.get("cimd", client_id, now=now)
            if cached is not None:
                return OAuthClientInformationFull.model_validate_json(cached.value), ""
            try:
                client, seconds = await self.fetcher.fetch(client_id)
            except ClientMetadataError as error:
                logger.info("client metadata document %s refused: %s", client_id, error)
                return None, f"the application's metadata document cannot be used: {error}"
            await self.store.put(
                "cimd", client_id, client.model_dump_json(), expires_at=now + seconds
            )
            return client, ""
        record = await self.store.get("client", client_id, now=now)
        if record is None:
            return None, (
                "this application is not registered here (or its registration expired); "
                "remove the connector and add it again"
            )
        return OAuthClientInformationFull.model_validate_json(record.value), ""

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return (await self.load_client(client_id))[0]

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        reason = self.policy.first_refusal(str(uri) for uri in client_info.redirect_uris or [])
        if reason is not None:
            raise RegistrationError("invalid_redirect_uri", reason)
        scopes = (client_info.scope or "").split()
        if OAUTH_SCOPE not in scopes:
            client_info.scope = " ".join([*scopes, OAUTH_SCOPE])
        await self.store.put(
            "client",
            client_info.client_id,
            client_info.model_dump_json(),
            expires_at=self.clock() + CLIENT_SECONDS,
        )

    # -- authorization -------------------------------------------------------------------

    async def _purge_now_and_then(self) -> None:
        now = self.clock()
        if now >= self._next_purge:
            self._next_purge = now + PURGE_SECONDS
            deleted = await self.store.purge(now=now)
            logger.debug("purged %d expired OAuth records", deleted)

    async def authorize(
        self, client: OAuthClientInformationFull, params: AuthorizationParams
    ) -> str:
        await self._purge_now_and_then()
        resource = params.resource or self.resource
        if not same_resource(resource, self.resource):
            raise AuthorizeError(
                "invalid_target", f"this server issues tokens only for {self.resource}"
            )
        reason = self.policy.refusal(str(params.redirect_uri))
        if reason is not None:  # the routes refuse it first; this guards any other caller
            raise AuthorizeError("unauthorized_client", reason)
        request_id = secrets.token_urlsafe(32)
        request = SignInRequest(
            client_id=client.client_id,
            client_name=(client.client_name or "").strip()[:80]
            or (urlsplit(str(params.redirect_uri)).hostname or "an application"),
            redirect_uri=str(params.redirect_uri),
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            code_challenge=params.code_challenge,
            state=params.state,
            scopes=[OAUTH_SCOPE],
            resource=self.resource,
        )
        await self.save_request(request_id, request)
        return f"{self.issuer}{SIGNIN_PATH}?request={request_id}"

    async def save_request(self, request_id: str, request: SignInRequest) -> None:
        await self.store.put(
            "request",
            self.keys.digest(request_id),
            request.model_dump_json(),
            expires_at=self.clock() + REQUEST_SECONDS,
        )

    async def load_request(self, request_id: str) -> SignInRequest | None:
        record = await self.store.get("request", self.keys.digest(request_id), now=self.clock())
        return None if record is None else SignInRequest.model_validate_json(record.value)

    async def end_request(self, request_id: str) -> bool:
        """Use the request up; False when another submission already did."""
        consumed = await self.store.consume(
            "request", self.keys.digest(request_id), now=self.clock()
        )
        return consumed is not None and consumed.first

    def redirect(self, request: SignInRequest, **params: str | None) -> str:
        """The client's redirect URI with `params`, `state` and `iss` (RFC 9207)."""
        return construct_redirect_uri(
            request.redirect_uri, **params, state=request.state, iss=self.issuer
        )

    async def issue_code(
        self,
        request: SignInRequest,
        *,
        pimelo_token: str,
        user: str,
        pimelo_scopes: list[str] | None,
    ) -> str:
        code = secrets.token_urlsafe(32)
        key = self.keys.digest(code)
        expires_at = self.clock() + CODE_SECONDS
        record = CodeRecord(
            client_id=request.client_id,
            client_name=request.client_name,
            redirect_uri=request.redirect_uri,
            redirect_uri_provided_explicitly=request.redirect_uri_provided_explicitly,
            code_challenge=request.code_challenge,
            scopes=request.scopes,
            resource=request.resource,
            expires_at=expires_at,
            sealed_token=self.keys.seal(pimelo_token, bound_to=key),
            user=user,
            pimelo_scopes=pimelo_scopes,
        )
        await self.store.put("code", key, record.model_dump_json(), expires_at=expires_at)
        return code

    # -- codes ---------------------------------------------------------------------------

    async def load_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: str
    ) -> PimeloAuthorizationCode | None:
        key = self.keys.digest(authorization_code)
        stored = await self.store.get("code", key, now=self.clock())
        if stored is None or stored.used:
            return None
        record = CodeRecord.model_validate_json(stored.value)
        return PimeloAuthorizationCode(
            code=key,
            scopes=record.scopes,
            expires_at=record.expires_at,
            client_id=record.client_id,
            code_challenge=record.code_challenge,
            redirect_uri=AnyUrl(record.redirect_uri),
            redirect_uri_provided_explicitly=record.redirect_uri_provided_explicitly,
            resource=record.resource,
            record=record,
        )

    async def exchange_authorization_code(
        self, client: OAuthClientInformationFull, authorization_code: PimeloAuthorizationCode
    ) -> OAuthToken:
        key = authorization_code.code
        consumed = await self.store.consume("code", key, now=self.clock())
        if consumed is None or not consumed.first:
            raise TokenError("invalid_grant", "the authorization code was already used or expired")
        record = authorization_code.record
        try:
            pimelo_token = self.keys.unseal(record.sealed_token, bound_to=key)
        except UnsealError:
            raise TokenError("invalid_grant", "the authorization code cannot be used") from None
        grant_id = secrets.token_urlsafe(18)
        now = self.clock()
        grant = GrantRecord(
            client_id=record.client_id,
            client_name=record.client_name,
            user=record.user,
            sealed_token=self.keys.seal(pimelo_token, bound_to=grant_id),
            pimelo_scopes=record.pimelo_scopes,
            scopes=record.scopes,
            resource=record.resource,
            created_at=now,
        )
        await self.store.put(
            "grant", grant_id, grant.model_dump_json(), expires_at=now + GRANT_SECONDS
        )
        logger.info("grant %s made for client %s", grant_id, record.client_id)
        return await self._issue_tokens(grant_id, grant)

    async def _issue_tokens(self, grant_id: str, grant: GrantRecord) -> OAuthToken:
        now = self.clock()
        grant_ends = grant.created_at + GRANT_SECONDS
        access = _new_secret("pma_")
        refresh = _new_secret("pmr_")
        link = TokenRecord(grant_id=grant_id, client_id=grant.client_id).model_dump_json()
        access_ends = min(now + ACCESS_SECONDS, grant_ends)
        await self.store.put("access", self.keys.digest(access), link, expires_at=access_ends)
        await self.store.put(
            "refresh",
            self.keys.digest(refresh),
            link,
            expires_at=min(now + REFRESH_SECONDS, grant_ends),
        )
        return OAuthToken(
            access_token=access,
            token_type="Bearer",
            expires_in=max(1, int(access_ends - now)),
            scope=" ".join(grant.scopes),
            refresh_token=refresh,
        )

    # -- grants and tokens ---------------------------------------------------------------

    async def load_grant(self, grant_id: str) -> Grant | None:
        stored = await self.store.get("grant", grant_id, now=self.clock())
        if stored is None:
            return None
        try:
            record = GrantRecord.model_validate_json(stored.value)
            token = self.keys.unseal(record.sealed_token, bound_to=grant_id)
        except (ValidationError, UnsealError):
            logger.warning("grant %s cannot be opened with this secret; it is revoked", grant_id)
            await self.revoke_grant(grant_id)
            return None
        return Grant(grant_id, record, token)

    async def revoke_grant(self, grant_id: str) -> None:
        await self.store.delete("grant", grant_id)
        logger.info("grant %s revoked", grant_id)

    async def load_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: str
    ) -> PimeloRefreshToken | None:
        stored = await self.store.get("refresh", self.keys.digest(refresh_token), now=self.clock())
        if stored is None:
            return None
        link = TokenRecord.model_validate_json(stored.value)
        if stored.used:
            logger.warning("a used refresh token came back: grant %s revoked", link.grant_id)
            await self.revoke_grant(link.grant_id)
            return None
        grant = await self.load_grant(link.grant_id)
        if grant is None or link.client_id != client.client_id:
            return None
        return PimeloRefreshToken(
            token=self.keys.digest(refresh_token),
            client_id=link.client_id,
            scopes=grant.record.scopes,
            expires_at=int(stored.expires_at),
            resource=grant.record.resource,
            grant_id=link.grant_id,
        )

    async def exchange_refresh_token(
        self,
        client: OAuthClientInformationFull,
        refresh_token: PimeloRefreshToken,
        scopes: list[str],
    ) -> OAuthToken:
        consumed = await self.store.consume("refresh", refresh_token.token, now=self.clock())
        if consumed is None or not consumed.first:
            # Two uses of one refresh token: one of them is not the client. End the grant.
            await self.revoke_grant(refresh_token.grant_id)
            raise TokenError("invalid_grant", "the refresh token was already used; sign in again")
        grant = await self.load_grant(refresh_token.grant_id)
        if grant is None:
            raise TokenError("invalid_grant", "the grant was revoked; sign in again")
        return await self._issue_tokens(grant.grant_id, grant.record)

    async def load_access(self, token: str) -> tuple[float, Grant] | None:
        """(expiry, grant) of a live access token whose grant is live; None otherwise."""
        stored = await self.store.get("access", self.keys.digest(token), now=self.clock())
        if stored is None:
            return None
        grant = await self.load_grant(TokenRecord.model_validate_json(stored.value).grant_id)
        return None if grant is None else (stored.expires_at, grant)

    async def load_access_token(self, token: str) -> PimeloAccessToken | None:
        found = await self.load_access(token)
        if found is None:
            return None
        expires_at, grant = found
        return PimeloAccessToken(
            token=self.keys.digest(token),
            client_id=grant.record.client_id,
            scopes=grant.record.scopes,
            expires_at=int(expires_at),
            resource=grant.record.resource,
            grant_id=grant.grant_id,
        )

    async def grant_of_token(self, token: str) -> tuple[str, str] | None:
        """(grant id, client id) of an access or refresh token, used or not; None if unknown."""
        key = self.keys.digest(token)
        for kind in ("access", "refresh"):
            stored = await self.store.get(kind, key, now=self.clock())
            if stored is not None:
                link = TokenRecord.model_validate_json(stored.value)
                return link.grant_id, link.client_id
        return None

    async def revoke_token(self, token: PimeloAccessToken | PimeloRefreshToken) -> None:
        await self.revoke_grant(token.grant_id)

    async def exchange_identity_assertion(
        self, client: OAuthClientInformationFull, params: IdentityAssertionParams
    ) -> OAuthToken:
        raise TokenError("unsupported_grant_type", "only authorization_code and refresh_token")
