"""A loopback reverse proxy that adds one header to every request: the conformance suite's key.

The conformance suite cannot send an Authorization header, and `pimelo-mcp serve --transport
http` rightly refuses clients without one. This proxy stands where a gateway would: it adds
`Authorization: Bearer <key>` and forwards everything else untouched (method, path, query,
the client's Host and Origin, the body), streaming the answer back (SSE included).

    python -m tests.interop.auth_proxy --port 9000 --upstream http://127.0.0.1:8000 \
        --header "Authorization: Bearer KEY"
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "content-length"}


def build_app(upstream: str, added: dict[str, str]) -> Starlette:
    client = httpx2.AsyncClient(base_url=upstream, timeout=httpx2.Timeout(60, read=None))

    async def forward(request: Request) -> StreamingResponse:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
        headers = [(k, v) for k, v in headers if k.lower() not in {h.lower() for h in added}]
        headers += list(added.items())
        outgoing = client.build_request(
            request.method,
            request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            headers=headers,
            content=await request.body(),
        )
        answer = await client.send(outgoing, stream=True)

        async def body() -> AsyncIterator[bytes]:
            async for chunk in answer.aiter_raw():
                yield chunk

        return StreamingResponse(
            body(),
            status_code=answer.status_code,
            headers={k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP},
            background=BackgroundTask(answer.aclose),
        )

    methods = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def main() -> None:
    parser = argparse.ArgumentParser(description="Add a header to every request and forward it.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--header", action="append", default=[], help="NAME: VALUE to add")
    args = parser.parse_args()
    added = dict(h.split(": ", 1) for h in args.header)
    uvicorn.run(
        build_app(args.upstream, added), host="127.0.0.1", port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
