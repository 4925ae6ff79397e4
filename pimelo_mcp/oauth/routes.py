"""The authorization server's HTTP endpoints, as Starlette routes beside `/mcp`.

The SDK's handlers do the protocol checks of `/authorize` (PKCE S256 required, exact
redirect URI), `/token` and `/register`; around them we add what they lack (see the
README's "Why the SDK's handlers"): metadata with the issuer byte for byte, `none` and the
CIMD flag; an HTML page rather than JSON for a person whose client or redirect is refused;
the redirect policy before any handler runs; `iss` on every redirect (RFC 9207); the
`resource` of a token request checked (RFC 8707); and revocation that accepts public
clients (RFC 7009).
"""

from __future__ import annotations

import json
from typing import Any, cast

from mcp.server.auth.handlers.authorize import AuthorizationHandler
from mcp.server.auth.handlers.register import RegistrationHandler
from mcp.server.auth.handlers.token import TokenHandler
from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator
from mcp.server.auth.provider import construct_redirect_uri
from mcp.server.auth.settings import ClientRegistrationOptions
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp

from pimelo_mcp.oauth import OAUTH_SCOPE
from pimelo_mcp.oauth.provider import SIGNIN_PATH, PimeloOAuthProvider, same_resource
from pimelo_mcp.oauth.signin import SignIn

METADATA_PATH = "/.well-known/oauth-authorization-server"
AUTHORIZE_PATH = "/authorize"
TOKEN_PATH = "/token"
REGISTER_PATH = "/register"
REVOKE_PATH = "/revoke"
AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Each registration and each authorization writes a record: per client address and hour, at
# most this many, so that nobody can fill the store (a person needs a handful).
REGISTRATIONS_PER_HOUR = 30
AUTHORIZATIONS_PER_HOUR = 120


def authorization_server_metadata(issuer: str) -> dict[str, Any]:
    """RFC 8414 metadata; `issuer` exactly as the `iss` we send (no slash added)."""
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + AUTHORIZE_PATH,
        "token_endpoint": issuer + TOKEN_PATH,
        "registration_endpoint": issuer + REGISTER_PATH,
        "revocation_endpoint": issuer + REVOKE_PATH,
        "scopes_supported": [OAUTH_SCOPE],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "client_id_metadata_document_supported": True,
    }


def _cors(app: ASGIApp, methods: list[str]) -> ASGIApp:
    """Browser-based clients (the MCP Inspector) call these endpoints from another origin."""
    return CORSMiddleware(app, allow_origins=["*"], allow_methods=methods, allow_headers=["*"])


def oauth_routes(provider: PimeloOAuthProvider, signin: SignIn) -> list[Route]:
    issuer = provider.issuer
    metadata = authorization_server_metadata(issuer)
    authenticator = ClientAuthenticator(provider)
    sdk_authorize = AuthorizationHandler(provider)
    sdk_token = TokenHandler(provider, authenticator)
    sdk_register = RegistrationHandler(
        provider, ClientRegistrationOptions(enabled=True, default_scopes=[OAUTH_SCOPE])
    )

    async def serve_metadata(request: Request) -> Response:
        return JSONResponse(metadata, headers={"Cache-Control": "public, max-age=3600"})

    async def over_limit(request: Request, what: str, limit: int) -> bool:
        address = request.client.host if request.client else "unknown"
        count = await provider.store.increment(
            "limit", f"{what}:{address}", now=provider.clock(), window=3600.0
        )
        return count > limit

    async def register(request: Request) -> Response:
        if await over_limit(request, "register", REGISTRATIONS_PER_HOUR):
            return JSONResponse(
                {
                    "error": "invalid_client_metadata",
                    "error_description": "too many registrations from this address; retry in an hour",
                },
                status_code=429,
                headers={"Retry-After": "3600"},
            )
        return await sdk_register.handle(request)

    async def authorize(request: Request) -> Response:
        if await over_limit(request, "authorize", AUTHORIZATIONS_PER_HOUR):
            return signin.message(
                "Too many sign-ins",
                "Too many sign-ins were started from this address in the last hour.",
                "Wait a while, then connect again from the application.",
                status=429,
            )
        params = request.query_params if request.method == "GET" else await request.form()
        client_id = params.get("client_id")
        if isinstance(client_id, str) and client_id:
            client, reason = await provider.load_client(client_id)
            if client is None:
                return signin.message(
                    "This application cannot sign in here",
                    f"The application asking to connect is refused: {reason}.",
                    "Ask its maintainer, or the operator of this server, to fix it.",
                    status=400,
                )
            redirect_uri = params.get("redirect_uri")
            if not isinstance(redirect_uri, str) and len(client.redirect_uris or []) == 1:
                redirect_uri = str((client.redirect_uris or [])[0])
            reason = (
                provider.policy.refusal(redirect_uri) if isinstance(redirect_uri, str) else None
            )
            if reason is not None:
                return signin.message(
                    "This application cannot sign in here",
                    f"It wants to send you back to an address this server does not allow: {reason}.",
                    "Nothing was shared. If you run this server and trust the application, "
                    "allow its redirect with --allowed-redirect.",
                    status=400,
                )
        response = await sdk_authorize.handle(request)
        location = response.headers.get("location")
        if location and not location.startswith(issuer + SIGNIN_PATH):
            # An error sent back to the client: it carries `iss` too (RFC 9207).
            response.headers["location"] = construct_redirect_uri(location, iss=issuer)
        elif location is None and response.status_code >= 400:
            # An error that cannot go back to the client (no usable redirect URI): the SDK
            # answers JSON, but a person is reading it in a browser.
            return signin.message(
                "This sign-in link cannot be used",
                f"The application sent an incomplete or wrong request: {_description(response)}",
                "Go back to the application and connect again; if it keeps happening, tell "
                "its maintainer.",
                status=response.status_code,
            )
        return response

    async def token(request: Request) -> Response:
        form = await request.form()
        resource = form.get("resource")
        if (
            isinstance(resource, str)
            and resource
            and not same_resource(resource, provider.resource)
        ):
            return JSONResponse(
                {
                    "error": "invalid_target",
                    "error_description": f"this server issues tokens only for {provider.resource}",
                },
                status_code=400,
                headers=NO_STORE,
            )
        return await sdk_token.handle(request)

    async def revoke(request: Request) -> Response:
        form = await request.form()
        token = form.get("token")
        if not isinstance(token, str) or not token:
            return JSONResponse(
                {"error": "invalid_request", "error_description": "send the token to revoke"},
                status_code=400,
                headers=NO_STORE,
            )
        found = await provider.grant_of_token(token)
        if found is not None:
            grant_id, client_id = found
            client = await provider.get_client(client_id)
            given = form.get("client_id")
            if client is not None and client.client_secret:
                # A confidential client proves itself; for a public one the token is the proof.
                try:
                    authenticated = await authenticator.authenticate_request(request)
                except AuthenticationError as error:
                    return JSONResponse(
                        {"error": "invalid_client", "error_description": error.message},
                        status_code=401,
                        headers=NO_STORE,
                    )
                if authenticated.client_id == client_id:
                    await provider.revoke_grant(grant_id)
            elif given in (None, "", client_id):
                await provider.revoke_grant(grant_id)
        return Response(status_code=200, headers=NO_STORE)  # unknown tokens too (RFC 7009 2.2)

    return [
        Route(
            METADATA_PATH,
            _cors(request_response(serve_metadata), ["GET", "OPTIONS"]),
            methods=["GET", "OPTIONS"],
        ),
        Route(AUTHORIZE_PATH, authorize, methods=["GET", "POST"]),
        Route(
            TOKEN_PATH,
            _cors(request_response(token), ["POST", "OPTIONS"]),
            methods=["POST", "OPTIONS"],
        ),
        Route(
            REGISTER_PATH,
            _cors(request_response(register), ["POST", "OPTIONS"]),
            methods=["POST", "OPTIONS"],
        ),
        Route(
            REVOKE_PATH,
            _cors(request_response(revoke), ["POST", "OPTIONS"]),
            methods=["POST", "OPTIONS"],
        ),
        Route(SIGNIN_PATH, signin.show, methods=["GET"]),
        Route(SIGNIN_PATH, signin.submit, methods=["POST"]),
    ]


def _description(response: Response) -> str:
    try:
        body = json.loads(bytes(response.body))
    except ValueError:
        return "no details"
    if not isinstance(body, dict):
        return "no details"
    fields = cast(dict[str, Any], body)
    return str(fields.get("error_description") or fields.get("error") or "no details")
