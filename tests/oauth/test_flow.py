"""The authorization server end to end over ASGI: metadata, registration, sign-in, tokens, refresh, revocation."""

from __future__ import annotations

from pathlib import Path

from mcp.server.auth.provider import AccessToken

from pimelo_mcp.principal import PrincipalAccessToken
from pimelo_mcp.sandbox.settings import READ_SCOPES, SCOPES
from tests.oauth.harness import CALLBACK, ISSUER, Harness, build_server, hidden, pkce, query


async def test_metadata_names_the_issuer_byte_for_byte_and_what_clients_need(
    harness: Harness,
) -> None:
    response = await harness.http.get("/.well-known/oauth-authorization-server")
    metadata = response.json()
    assert metadata["issuer"] == ISSUER  # no slash added: equal to `iss` in the redirect
    assert metadata["authorization_endpoint"] == ISSUER + "/authorize"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert "none" in metadata["token_endpoint_auth_methods_supported"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["client_id_metadata_document_supported"] is True
    assert metadata["revocation_endpoint"] == ISSUER + "/revoke"


async def test_a_person_signs_in_sees_owner_and_scopes_and_the_client_gets_a_code(
    harness: Harness,
) -> None:
    client_id = await harness.register()
    verifier, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    assert "Test Client" in page
    assert "127.0.0.1:9999" in page
    assert 'name="pimelo_token"' in page
    assert '<label for="pimelo_token">' in page

    step1 = await harness.post_signin(
        page, pimelo_token=harness.tokens["full-access"], action="continue"
    )
    assert step1.status_code == 200
    assert "full-access" in step1.text or "products:write" in step1.text
    for scope in SCOPES:
        assert f"<code>{scope}</code>" in step1.text
    assert 'name="grant" value="read"' in step1.text
    assert 'name="grant" value="full"' in step1.text

    done = await harness.post_signin(step1.text, grant="read", action="allow")
    assert done.status_code == 303
    assert done.headers["location"].startswith(CALLBACK + "?")
    params = query(done.headers["location"])
    assert params["state"] == "state-123"
    assert params["iss"] == ISSUER
    assert params["code"]

    tokens = (await harness.exchange(client_id, params["code"], verifier)).json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"]
    verified = await harness.server.verifier.verify_token(tokens["access_token"])
    assert isinstance(verified, PrincipalAccessToken)
    principal = verified.principal
    assert principal.scopes == frozenset(READ_SCOPES)  # read only: the token's :read scopes
    assert principal.pimelo_token == harness.tokens["full-access"]
    assert principal.client == f"Test Client ({client_id})"
    assert principal.user
    assert verified.resource == ISSUER + "/mcp"


async def test_a_full_grant_follows_the_tokens_own_scopes(harness: Harness) -> None:
    _, tokens = await harness.tokens_for("full-access", grant="full")
    verified = await harness.server.verifier.verify_token(tokens["access_token"])
    assert isinstance(verified, PrincipalAccessToken)
    assert verified.principal.scopes is None  # whatever the token allows, as Pimelo says


async def test_a_script_can_post_token_and_choice_at_once(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    done = await harness.post_signin(
        page, pimelo_token=harness.tokens["read-only"], grant="read", action="allow"
    )
    assert done.status_code == 303
    assert "code=" in done.headers["location"]


async def test_refresh_rotates_and_keeps_the_resource(harness: Harness) -> None:
    client_id, tokens = await harness.tokens_for()
    refreshed = await harness.refresh(client_id, tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert new["access_token"] != tokens["access_token"]
    verified = await harness.server.verifier.verify_token(new["access_token"])
    assert verified is not None
    assert verified.resource == ISSUER + "/mcp"


async def test_revocation_accepts_a_public_client_and_ends_the_grant(harness: Harness) -> None:
    client_id, tokens = await harness.tokens_for()
    response = await harness.http.post(
        "/revoke", data={"token": tokens["refresh_token"], "client_id": client_id}
    )
    assert response.status_code == 200
    assert await harness.server.verifier.verify_token(tokens["access_token"]) is None
    again = await harness.refresh(client_id, tokens["refresh_token"])
    assert again.status_code == 400
    unknown = await harness.http.post("/revoke", data={"token": "pma_unknown"})
    assert unknown.status_code == 200  # RFC 7009: nothing to say about unknown tokens


async def test_the_revoker_ends_the_grant_of_a_principal(harness: Harness) -> None:
    _, tokens = await harness.tokens_for()
    verified = await harness.server.verifier.verify_token(tokens["access_token"])
    assert isinstance(verified, PrincipalAccessToken)
    await harness.server.revoker(verified.principal)
    assert await harness.server.verifier.verify_token(tokens["access_token"]) is None


async def test_deny_sends_access_denied_with_state_and_iss(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    denied = await harness.post_signin(page, action="deny")
    assert denied.status_code == 303
    params = query(denied.headers["location"])
    assert params["error"] == "access_denied"
    assert params["state"] == "state-123"
    assert params["iss"] == ISSUER


async def test_static_api_keys_act_as_the_server(harness: Harness, tmp_path: Path) -> None:
    server = build_server(
        tmp_path, harness.http, harness.clock, api_keys=("k" * 24,), store=harness.server.store
    )
    verified = await server.verifier.verify_token("k" * 24)
    assert type(verified) is AccessToken  # no principal: the request acts as the server
    assert verified.resource == ISSUER + "/mcp"
    assert await server.verifier.verify_token("k" * 23) is None


async def test_sign_in_pages_are_not_cached_nor_framed_and_run_no_script(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    response = harness.responses[-1]
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "<script" not in page
    assert "<link" not in page
    assert "src=" not in page
    assert hidden(page, "csrf")
