"""The guards of the authorization server, one test each."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from pimelo_mcp.oauth import cimd
from pimelo_mcp.oauth.crypto import Keys
from pimelo_mcp.oauth.provider import CODE_SECONDS
from pimelo_mcp.oauth.routes import AUTHORIZATIONS_PER_HOUR, REGISTRATIONS_PER_HOUR
from pimelo_mcp.oauth.signin import FAILURES_PER_ADDRESS, FAILURES_PER_CLIENT
from pimelo_mcp.principal import PrincipalAccessToken
from tests.oauth.harness import (
    CALLBACK,
    ISSUER,
    Harness,
    asgi_client,
    build_server,
    hidden,
    pkce,
    query,
)

EVIL = "https://evil.example/callback"


def read_store_files(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in folder.rglob("oauth.sqlite3*"))


# -- PKCE ---------------------------------------------------------------------------------


async def test_pkce_is_required(harness: Harness) -> None:
    client_id = await harness.register()
    response = await harness.authorize(client_id, "", code_challenge=None)
    assert response.status_code == 302
    params = query(response.headers["location"])
    assert params["error"] == "invalid_request"
    assert "code_challenge" in params["error_description"]
    assert params["iss"] == ISSUER


async def test_only_s256_is_accepted(harness: Harness) -> None:
    client_id = await harness.register()
    verifier, _ = pkce()
    response = await harness.authorize(client_id, verifier, code_challenge_method="plain")
    assert query(response.headers["location"])["error"] == "invalid_request"


async def test_a_wrong_code_verifier_gets_no_token(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    params = await harness.code_for(client_id, challenge, harness.tokens["read-only"])
    other_verifier, _ = pkce()
    response = await harness.exchange(client_id, params["code"], other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# -- redirect URIs --------------------------------------------------------------------------


async def test_redirect_uris_match_exactly(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    for near in (CALLBACK + "/", CALLBACK + "x", CALLBACK + "?next=1", CALLBACK.upper()):
        response = await harness.authorize(client_id, challenge, redirect_uri=near)
        assert response.status_code == 400, near  # shown, never redirected to
        assert "location" not in response.headers


async def test_a_redirect_outside_the_policy_is_refused_at_registration(harness: Harness) -> None:
    response = await harness.http.post(
        "/register", json={"redirect_uris": [EVIL], "client_name": "Claude"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_redirect_uri"
    assert "not an allowed redirect" in response.json()["error_description"]


async def test_a_redirect_outside_the_policy_is_refused_at_authorization(
    harness: Harness, tmp_path: Path
) -> None:
    # Registered while the operator allowed it; the policy has changed since.
    permissive = build_server(
        tmp_path, harness.http, harness.clock, allowed_redirects=(EVIL,), store=harness.server.store
    )
    async with asgi_client(permissive, harness.responses) as http:
        registered = await http.post("/register", json={"redirect_uris": [EVIL]})
    client_id = registered.json()["client_id"]
    _, challenge = pkce()
    response = await harness.authorize(client_id, challenge, redirect_uri=EVIL)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "does not allow" in response.text


async def test_chatgpt_and_claude_callbacks_and_loopback_are_allowed(harness: Harness) -> None:
    uris = [
        "https://chatgpt.com/connector/oauth/abc123",
        "https://claude.ai/api/mcp/auth_callback",
        "https://claude.com/api/mcp/auth_callback",
        "http://localhost:6274/oauth/callback",
        "http://[::1]:33418/cb",
    ]
    assert await harness.register(uris)


# -- codes ----------------------------------------------------------------------------------


async def test_a_code_works_once(harness: Harness) -> None:
    client_id = await harness.register()
    verifier, challenge = pkce()
    params = await harness.code_for(client_id, challenge, harness.tokens["read-only"])
    assert (await harness.exchange(client_id, params["code"], verifier)).status_code == 200
    again = await harness.exchange(client_id, params["code"], verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_a_code_expires_within_a_minute(harness: Harness) -> None:
    assert CODE_SECONDS <= 60
    client_id = await harness.register()
    verifier, challenge = pkce()
    params = await harness.code_for(client_id, challenge, harness.tokens["read-only"])
    harness.clock.advance(CODE_SECONDS)
    response = await harness.exchange(client_id, params["code"], verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# -- resource (RFC 8707) --------------------------------------------------------------------


async def test_authorization_for_another_resource_is_refused(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    response = await harness.authorize(client_id, challenge, resource="https://other.example/mcp")
    params = query(response.headers["location"])
    assert params["error"] == "invalid_target"
    assert params["iss"] == ISSUER


async def test_a_token_request_for_another_resource_is_refused(harness: Harness) -> None:
    client_id = await harness.register()
    verifier, challenge = pkce()
    params = await harness.code_for(client_id, challenge, harness.tokens["read-only"])
    response = await harness.exchange(
        client_id, params["code"], verifier, resource="https://other.example/mcp"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_target"


async def test_a_token_for_another_resource_is_refused(harness: Harness, tmp_path: Path) -> None:
    _, tokens = await harness.tokens_for()
    # Another server sharing the store and the secret, at another address.
    other = build_server(
        tmp_path,
        harness.http,
        harness.clock,
        issuer="http://127.0.0.1:8001",
        store=harness.server.store,
    )
    assert await harness.server.verifier.verify_token(tokens["access_token"]) is not None
    assert await other.verifier.verify_token(tokens["access_token"]) is None


# -- refresh tokens -------------------------------------------------------------------------


async def test_a_reused_refresh_token_kills_the_grant(harness: Harness) -> None:
    client_id, tokens = await harness.tokens_for()
    rotated = (await harness.refresh(client_id, tokens["refresh_token"])).json()
    replay = await harness.refresh(client_id, tokens["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # The whole grant is gone: the rotated tokens too.
    assert await harness.server.verifier.verify_token(rotated["access_token"]) is None
    assert (await harness.refresh(client_id, rotated["refresh_token"])).status_code == 400


async def test_a_refresh_token_of_another_client_is_refused(harness: Harness) -> None:
    _, tokens = await harness.tokens_for()
    other_client = await harness.register()
    response = await harness.refresh(other_client, tokens["refresh_token"])
    assert response.status_code == 400


# -- client metadata documents --------------------------------------------------------------

CIMD_ID = "https://client.example/oauth/metadata.json"


def _fetcher_serving(harness: Harness, document: dict[str, object], address: str) -> list[str]:
    fetched: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        return [address]

    def handler(request: httpx2.Request) -> httpx2.Response:
        fetched.append(str(request.url))
        return httpx2.Response(200, json=document)

    fetcher = harness.server.provider.fetcher
    fetcher.resolver = resolver
    fetcher.transport = httpx2.MockTransport(handler)
    return fetched


async def test_a_cimd_client_signs_in_and_its_document_is_cached(harness: Harness) -> None:
    fetched = _fetcher_serving(
        harness,
        {"client_id": CIMD_ID, "client_name": "Doc Client", "redirect_uris": [CALLBACK]},
        "93.184.216.34",
    )
    _, challenge = pkce()
    page = await harness.open_signin(CIMD_ID, challenge)
    assert "Doc Client" in page
    await harness.open_signin(CIMD_ID, challenge)
    assert len(fetched) == 1
    assert fetched[0].startswith("https://93.184.216.34/")  # the address that was checked


async def test_a_cimd_client_id_on_a_private_address_is_refused(harness: Harness) -> None:
    fetched = _fetcher_serving(
        harness, {"client_id": CIMD_ID, "redirect_uris": [CALLBACK]}, "10.0.0.7"
    )
    _, challenge = pkce()
    response = await harness.authorize(CIMD_ID, challenge)
    assert response.status_code == 400
    assert "not a public address" in response.text
    assert fetched == []


async def test_a_cimd_document_with_a_redirect_outside_the_policy_is_refused(
    harness: Harness,
) -> None:
    _fetcher_serving(harness, {"client_id": CIMD_ID, "redirect_uris": [EVIL]}, "93.184.216.34")
    _, challenge = pkce()
    response = await harness.authorize(CIMD_ID, challenge, redirect_uri=EVIL)
    assert response.status_code == 400
    assert "not an allowed redirect" in response.text


async def test_a_cimd_document_must_name_itself(harness: Harness) -> None:
    _fetcher_serving(
        harness,
        {"client_id": "https://else.example/x", "redirect_uris": [CALLBACK]},
        "93.184.216.34",
    )
    _, challenge = pkce()
    response = await harness.authorize(CIMD_ID, challenge)
    assert response.status_code == 400
    assert "must be its own URL" in response.text


async def test_a_large_cimd_document_is_refused(harness: Harness) -> None:
    _fetcher_serving(
        harness,
        {"client_id": CIMD_ID, "redirect_uris": [CALLBACK], "x": "y" * cimd.MAX_DOCUMENT_BYTES},
        "93.184.216.34",
    )
    _, challenge = pkce()
    response = await harness.authorize(CIMD_ID, challenge)
    assert response.status_code == 400
    assert "larger than" in response.text


# -- the sign-in page -----------------------------------------------------------------------


async def test_a_refused_token_gets_a_clear_page_that_does_not_echo_it(
    harness: Harness, leak_watch: object
) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    wrong = "pim_" + "w" * 32
    getattr(leak_watch, "secrets").add(wrong)  # noqa: B009
    response = await harness.post_signin(page, pimelo_token=wrong, action="continue")
    assert response.status_code == 400
    assert "Pimelo refused this token" in response.text
    assert 'aria-invalid="true"' in response.text


async def test_a_token_without_any_scope_a_tool_needs_is_explained(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    response = await harness.post_signin(
        page, pimelo_token=harness.tokens["no-tools"], action="continue"
    )
    assert response.status_code == 400
    assert "none of the scopes the tools need" in response.text


async def test_failed_sign_ins_are_limited_per_client_address(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    for _ in range(FAILURES_PER_ADDRESS):
        refused = await harness.post_signin(page, pimelo_token="pim_wrong", action="continue")
        assert refused.status_code == 400
    limited = await harness.post_signin(
        page, pimelo_token=harness.tokens["read-only"], action="continue"
    )
    assert limited.status_code == 429
    assert "Too many" in limited.text
    harness.clock.advance(901)  # the window has passed: a new sign-in works
    page = await harness.open_signin(client_id, challenge)
    allowed = await harness.post_signin(
        page, pimelo_token=harness.tokens["read-only"], action="continue"
    )
    assert allowed.status_code == 200


async def test_an_expired_sign_in_request_says_what_to_do(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    harness.clock.advance(601)
    response = await harness.post_signin(
        page, pimelo_token=harness.tokens["read-only"], action="continue"
    )
    assert response.status_code == 400
    assert "expired" in response.text
    assert "connect again" in response.text


async def test_a_form_posted_without_its_cookie_is_refused(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    harness.http.cookies.clear()
    response = await harness.post_signin(
        page, pimelo_token=harness.tokens["read-only"], action="continue"
    )
    assert response.status_code == 403


async def test_a_forged_csrf_token_is_refused(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    response = await harness.http.post(
        "/signin",
        data={
            "request": hidden(page, "request"),
            "csrf": "0" * 64,
            "pimelo_token": harness.tokens["read-only"],
        },
    )
    assert response.status_code == 403


async def test_a_sign_in_request_yields_one_code_only(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    step1 = await harness.post_signin(page, pimelo_token=harness.tokens["full-access"])
    assert (await harness.post_signin(step1.text, grant="full")).status_code == 303
    assert (await harness.post_signin(step1.text, grant="full")).status_code == 400


async def test_the_store_keeps_no_bearer_secret_in_clear(harness: Harness, tmp_path: Path) -> None:
    client_id, tokens = await harness.tokens_for()
    raw = read_store_files(tmp_path)
    assert tokens["access_token"].encode() not in raw
    assert tokens["refresh_token"].encode() not in raw
    verified = await harness.server.verifier.verify_token(tokens["access_token"])
    assert isinstance(verified, PrincipalAccessToken)
    assert verified.token != tokens["access_token"]  # what the SDK keeps is the digest
    del client_id


@pytest.mark.parametrize("field", ["pimelo_token"])
async def test_the_token_field_is_a_password_field(harness: Harness, field: str) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    page = await harness.open_signin(client_id, challenge)
    assert f'type="password" id="{field}" name="{field}"' in page
    assert 'autocomplete="off"' in page


async def test_expired_records_are_deleted_from_the_store(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    await harness.open_signin(client_id, challenge)  # a sign-in request, 10 minutes
    harness.clock.advance(3601)
    await harness.open_signin(client_id, challenge)  # the next authorization purges
    store = harness.server.store
    assert await store.purge(now=harness.clock()) == 0  # nothing expired was left


async def test_a_new_secret_ends_every_grant(harness: Harness, tmp_path: Path) -> None:
    _, tokens = await harness.tokens_for()
    rotated = build_server(tmp_path, harness.http, harness.clock, store=harness.server.store)
    rotated.provider.keys = Keys("another-secret-" + "y" * 40)
    assert await rotated.verifier.verify_token(tokens["access_token"]) is None


async def test_registrations_and_authorizations_are_limited_per_address(harness: Harness) -> None:
    for _ in range(REGISTRATIONS_PER_HOUR):
        await harness.register()
    refused = await harness.http.post("/register", json={"redirect_uris": [CALLBACK]})
    assert refused.status_code == 429
    assert "too many registrations" in refused.json()["error_description"]
    harness.clock.advance(3601)  # the hour has passed
    client_id = await harness.register()
    _, challenge = pkce()
    for _ in range(AUTHORIZATIONS_PER_HOUR):
        assert (await harness.authorize(client_id, challenge)).status_code == 302
    limited = await harness.authorize(client_id, challenge)
    assert limited.status_code == 429
    assert "Too many sign-ins" in limited.text


async def test_clients_may_ask_for_their_own_scopes_besides_ours(harness: Harness) -> None:
    _fetcher_serving(
        harness,
        {"client_id": CIMD_ID, "redirect_uris": [CALLBACK], "scope": "offline_access"},
        "93.184.216.34",
    )
    _, challenge = pkce()
    page = await harness.open_signin(CIMD_ID, challenge, scope="pimelo offline_access")
    assert 'name="pimelo_token"' in page
    registered = await harness.register(scope="openid")
    page = await harness.open_signin(registered, challenge, scope="openid pimelo")
    assert 'name="pimelo_token"' in page


async def test_a_broken_authorization_link_gets_a_page_a_person_can_read(harness: Harness) -> None:
    _, challenge = pkce()
    missing = await harness.authorize(None, challenge)
    assert missing.status_code == 400
    assert missing.headers["content-type"].startswith("text/html")
    assert "client_id" in missing.text
    client_id = await harness.register()
    wrong = await harness.authorize(
        client_id, challenge, redirect_uri="http://127.0.0.1:9999/other"
    )
    assert wrong.status_code == 400
    assert "not registered" in wrong.text
    assert "connect again" in wrong.text


async def test_failed_sign_ins_are_limited_per_client_across_addresses(harness: Harness) -> None:
    client_id = await harness.register()
    _, challenge = pkce()
    addresses = [f"198.51.100.{n}" for n in range(FAILURES_PER_CLIENT // FAILURES_PER_ADDRESS)]
    for address in addresses:
        async with asgi_client(harness.server, harness.responses, address) as http:
            person = Harness(harness.server, http, harness.clock, harness.tokens, harness.responses)
            page = await person.open_signin(client_id, challenge)
            for _ in range(FAILURES_PER_ADDRESS):
                refused = await person.post_signin(page, pimelo_token="pim_wrong")
                assert refused.status_code == 400
    async with asgi_client(harness.server, harness.responses, "203.0.113.9") as http:
        fresh = Harness(harness.server, http, harness.clock, harness.tokens, harness.responses)
        page = await fresh.open_signin(client_id, challenge)
        limited = await fresh.post_signin(page, pimelo_token=harness.tokens["read-only"])
    assert limited.status_code == 429  # this client's sign-ins are under attack: paused
