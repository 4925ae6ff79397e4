"""The baseline: a bare `MCPServer` whose one tool makes get_product's upstream GET with httpx2.

What the SDK alone costs per call, so that pimelo-mcp's figures are read as ratios to it.
`get_product` here sends the same `GET /products/{identifier}` to the same API, over one
pooled httpx2 client, and answers the API's JSON as text: no principal, no checks, no
translation, no audit; its answer is the product's identifier.

    python -m benchmarks.bare_server stdio          # PIMELO_BASE_URL, PIMELO_API_TOKEN
    python -m benchmarks.bare_server http           # prints "listening at URL" on stderr
    python -m benchmarks.bare_server http whole     # get_product answers the API's JSON
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
from mcp.server.mcpserver import Context, MCPServer

from pimelo_mcp.listening import listen_tcp


@dataclass
class Upstream:
    http: httpx2.AsyncClient


def build(
    base_url: str,
    token: str,
    http_client: httpx2.AsyncClient | None = None,
    *,
    whole_answer: bool = False,
) -> MCPServer:
    """The bare server; `http_client` (e.g. over an in-process sandbox) is used as given.

    `whole_answer`: its `get_product` answers the API's JSON itself (structured, and as the
    SDK's text), not only the identifier. The floor for an answer that carries the product:
    what pimelo-mcp costs beyond it is its own work, not the size of what it sends.
    """

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[Upstream]:
        if http_client is not None:
            yield Upstream(http_client)
            return
        async with httpx2.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            yield Upstream(http)

    # WARNING, as pimelo-mcp logs by default: the SDK logs every request at INFO.
    server: MCPServer = MCPServer(name="bare", lifespan=lifespan, log_level="WARNING")
    headers = {"Authorization": f"Bearer {token}"}

    if whole_answer:

        @server.tool(name="get_product")
        async def get_whole_product(
            identifier: str, ctx: Context[Upstream, object]
        ) -> dict[str, Any]:
            """One product by SKU."""
            http = ctx.request_context.lifespan_context.http
            response = await http.get(f"products/{identifier}", headers=headers)
            response.raise_for_status()
            return response.json()

        return server

    @server.tool()
    async def get_product(identifier: str, ctx: Context[Upstream, object]) -> str:
        """One product by SKU."""
        http = ctx.request_context.lifespan_context.http
        response = await http.get(f"products/{identifier}", headers=headers)
        response.raise_for_status()
        # The floor: the request and its parse, then the least answer (pimelo-mcp's answer
        # is shorter than the API's JSON, which would make this side pay more for output).
        return str(response.json()["identifier"])

    return server


def serve_http(server: MCPServer) -> None:
    import uvicorn

    app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True, host="127.0.0.1"
    )
    # The socket pimelo-mcp listens on (no Nagle delay on kept-alive answers): the same floor.
    sock = listen_tcp("127.0.0.1", 0)
    port = sock.getsockname()[1]

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            print(f"listening at http://127.0.0.1:{port}/mcp", file=sys.stderr, flush=True)

    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    anyio.run(ReadyServer(config).serve, [sock])


def main(argv: list[str]) -> None:
    server = build(
        os.environ["PIMELO_BASE_URL"],
        os.environ["PIMELO_API_TOKEN"],
        whole_answer="whole" in argv[1:],
    )
    if argv[:1] == ["http"]:
        serve_http(server)
    else:
        server.run()


if __name__ == "__main__":
    main(sys.argv[1:])
