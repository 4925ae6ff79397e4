"""What the store keeps, one model per kind; bearer secrets are never in them, only their digests
as keys, and the Pimelo token only sealed (see `crypto`)."""

from __future__ import annotations

from pydantic import BaseModel


class SignInRequest(BaseModel):
    """An authorization waiting on the sign-in page (kind "request")."""

    client_id: str
    client_name: str
    redirect_uri: str
    redirect_uri_provided_explicitly: bool
    code_challenge: str
    state: str | None
    scopes: list[str]
    resource: str
    # After the token was checked (step 1), before the person chose what to grant:
    sealed_token: str | None = None
    user: str | None = None
    token_scopes: list[str] | None = None


class CodeRecord(BaseModel):
    """An authorization code, redeemable once within its minute (kind "code")."""

    client_id: str
    client_name: str
    redirect_uri: str
    redirect_uri_provided_explicitly: bool
    code_challenge: str
    scopes: list[str]
    resource: str
    expires_at: float
    sealed_token: str
    user: str
    pimelo_scopes: list[str] | None
    """The Pimelo scopes granted; None: whatever the token allows (the person chose "full")."""


class GrantRecord(BaseModel):
    """What one person allowed one client (kind "grant"); revoking it ends all its tokens."""

    client_id: str
    client_name: str
    user: str
    sealed_token: str
    pimelo_scopes: list[str] | None
    """The Pimelo scopes granted; None: whatever the token allows (the person chose "full")."""
    scopes: list[str]
    resource: str
    created_at: float


class TokenRecord(BaseModel):
    """An access or refresh token (kinds "access", "refresh"): which grant it belongs to."""

    grant_id: str
    client_id: str
