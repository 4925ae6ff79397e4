"""Bearer tokens at `/mcp` → the principal the request acts as.

An OAuth access token gives a `PrincipalAccessToken` carrying its grant: the grant id as
key, the Pimelo token opened, the Pimelo scopes the person granted, their Pimelo user and
the client. A static API key (`PIMELO_MCP_API_KEYS`) gives a plain `AccessToken`: the
request then acts as the server itself, with the server's own Pimelo token.
A token issued for another resource than this server's `/mcp` is refused here, whatever
the SDK's own check does.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.auth.provider import AccessToken

from pimelo_mcp.api_keys import ApiKeys
from pimelo_mcp.oauth import OAUTH_SCOPE
from pimelo_mcp.oauth.provider import PimeloOAuthProvider, same_resource
from pimelo_mcp.principal import SERVER_KEY, Principal, PrincipalAccessToken, PrincipalRevoker

API_KEY_CLIENT = "api-key"


class OAuthTokenVerifier:
    """The SDK's `TokenVerifier` for OAuth mode (static API keys included)."""

    def __init__(self, provider: PimeloOAuthProvider, api_keys: Sequence[str] = ()) -> None:
        self._provider = provider
        self._api_keys = ApiKeys(api_keys)

    async def verify_token(self, token: str) -> AccessToken | None:
        resource = self._provider.resource
        if self._api_keys.match(token.encode()):
            return AccessToken(
                token=API_KEY_CLIENT,
                client_id=API_KEY_CLIENT,
                scopes=[OAUTH_SCOPE],
                resource=resource,
            )
        found = await self._provider.load_access(token)
        if found is None:
            return None
        expires_at, grant = found
        record = grant.record
        if not same_resource(record.resource, resource):
            return None
        principal = Principal(
            key=grant.grant_id,
            pimelo_token=grant.pimelo_token,
            scopes=None if record.pimelo_scopes is None else frozenset(record.pimelo_scopes),
            user=record.user,
            client=f"{record.client_name} ({record.client_id})",
        )
        return PrincipalAccessToken(
            token=self._provider.keys.digest(token),
            client_id=record.client_id,
            scopes=record.scopes,
            expires_at=int(expires_at),
            resource=record.resource,
            principal=principal,
        )


def grant_revoker(provider: PimeloOAuthProvider) -> PrincipalRevoker:
    """Ends a principal's grant (Pimelo answered 401 for its token): its client signs in again."""

    async def revoke(principal: Principal) -> None:
        if principal.key != SERVER_KEY:
            await provider.revoke_grant(principal.key)

    return revoke
