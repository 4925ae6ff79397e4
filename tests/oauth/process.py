"""The real `pimelo-mcp serve --transport http --sandbox --oauth` process for OAuth tests.

It prints the sandbox's demo tokens before its ready line; everything it prints after that
(DEBUG logs included) is handed to the leak watch when it stops.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

from pimelo_mcp.commands import sandbox_journal
from tests.http_process import HttpServer, http_server
from tests.oauth.conftest import LeakWatch

CALLBACK = "http://127.0.0.1:9/callback"  # never opened: the person hands the code over
CIMD_CLIENT_ID = "https://client.test/flow/client.json"
DEMO_TOKEN = re.compile(r"sandbox token to paste on the sign-in page \((\S+)\): (\S+)$")


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


@contextmanager
def metadata_document_server() -> Iterator[str]:
    """Serves the test client's metadata document on loopback; yields its http origin."""
    document = json.dumps(
        {
            "client_id": CIMD_CLIENT_ID,
            "client_name": "Flow Test (CIMD)",
            "redirect_uris": [CALLBACK],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
        }
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path == "/flow/client.json"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document if found else b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class Served:
    server: HttpServer
    tokens: dict[str, str]
    journal: Path


@contextmanager
def oauth_server(
    tmp_path: Path, cimd_origin: str, watch: LeakWatch, extra: tuple[str, ...] = ()
) -> Iterator[Served]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIMELO_")}
    env["PIMELO_MCP_INSECURE_TEST_CIMD_ORIGIN"] = cimd_origin
    configured = tmp_path / "audit.jsonl"
    journal = sandbox_journal(configured)  # --sandbox journals apart from the configured journal
    assert journal is not None
    # No --public-url: a local sandbox is its own public URL, the address it listens on.
    args = ["--sandbox", "--oauth", "--audit-log", str(configured), "--log-level", "DEBUG", *extra]
    with http_server(args, env=env) as server:
        banner = len(server.stderr)
        tokens = {m[1]: m[2] for line in server.stderr if (m := DEMO_TOKEN.search(line))}
        assert set(tokens) == {"full-access", "read-only", "products-only"}
        origin = server.url.removesuffix("/mcp")
        assert (
            f"pimelo-mcp: auth: OAuth 2.1 sign-in (issuer {origin}; connector URL {server.url})"
            in ("\n".join(server.stderr))
        )
        watch.secrets.update(tokens.values())
        yield Served(server, tokens, journal)
    # The banner shows the demo tokens on purpose; nothing after it may (DEBUG logs included).
    watch.texts.append("\n".join(server.stderr[banner:]))
