"""The HTTP pieces OAuth mode adds: readiness without a server token, the 401 challenge's scope."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from pimelo_mcp.config import Settings
from pimelo_mcp.http import OAUTH_BODY_LIMIT, WithAuthorizationServer, pimelo_probe

BASE = "http://pimelo.test/api/v1/"


async def _probe_answer(handler: httpx2.MockTransport) -> str | None:
    async with httpx2.AsyncClient(transport=handler) as client:
        return await pimelo_probe(Settings(api_token=None, base_url=BASE), client)()


async def test_without_a_token_pimelo_answering_401_is_ready() -> None:
    seen: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(str(request.url))
        assert "authorization" not in request.headers
        return httpx2.Response(401, json={"title": "no token"})

    assert await _probe_answer(httpx2.MockTransport(answer)) is None
    assert seen == [BASE + "me"]


async def test_without_a_token_an_unreachable_or_failing_pimelo_is_not_ready() -> None:
    def down(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    assert "cannot be reached" in (await _probe_answer(httpx2.MockTransport(down)) or "")
    failing = httpx2.MockTransport(lambda request: httpx2.Response(502))
    assert "HTTP 502" in (await _probe_answer(failing) or "")


async def _mcp(scope: Scope, receive: Receive, send: Send) -> None:
    response = PlainTextResponse(
        "no", status_code=401, headers={"WWW-Authenticate": 'Bearer resource_metadata="x"'}
    )
    await response(scope, receive, send)


async def _token(request: Request) -> Response:
    return JSONResponse({"route": "token"})


async def test_oauth_paths_reach_the_authorization_server_and_401s_name_the_scope() -> None:
    app = WithAuthorizationServer(_mcp, [Route("/token", _token, methods=["POST"])], "pimelo")
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        token = await client.post("/token")
        refused = await client.post("/mcp")
    assert token.json() == {"route": "token"}
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer resource_metadata="x", scope="pimelo"'


async def _read_form(request: Request) -> Response:
    form = await request.form()
    return JSONResponse({"fields": len(form)})


async def test_oauth_endpoints_refuse_a_body_larger_than_any_oauth_request() -> None:
    app = WithAuthorizationServer(_mcp, [Route("/token", _read_form, methods=["POST"])], "pimelo")
    big = b"grant_type=" + b"a" * (OAUTH_BODY_LIMIT + 1)

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
        for start in range(0, len(big), 4096):
            yield big[start : start + 4096]

    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        small = await client.post("/token", data={"grant_type": "authorization_code"})
        declared = await client.post(
            "/token", content=big, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        chunked = await client.post(
            "/token",
            content=streamed(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert small.json() == {"fields": 1}
    assert declared.status_code == 413
    assert chunked.status_code == 413
