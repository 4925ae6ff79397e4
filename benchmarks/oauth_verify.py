"""What OAuth adds to each MCP request: verifying its access token (store lookup, grant lookup,
opening the sealed Pimelo token), against a SQLite store file with many grants.

Prints a table: microseconds per verification (median and 95th percentile) for an OAuth
access token, an unknown token and a static API key, and the same for a refresh (the
rotation, two store writes). Measures, never asserts.

    .venv/bin/python benchmarks/oauth_verify.py [--grants 1000] [--calls 2000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
from mcp.shared.auth import OAuthClientInformationFull
from pydantic import AnyUrl

from pimelo_mcp.oauth.cimd import MetadataFetcher
from pimelo_mcp.oauth.crypto import Keys
from pimelo_mcp.oauth.provider import PimeloOAuthProvider
from pimelo_mcp.oauth.records import SignInRequest
from pimelo_mcp.oauth.redirects import RedirectPolicy
from pimelo_mcp.oauth.store import SqliteStore
from pimelo_mcp.oauth.verifier import OAuthTokenVerifier

ISSUER = "https://mcp.example.com"
API_KEY = "benchmark-api-key-0123456789"


async def _timed(calls: int, work: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    samples: list[float] = []
    for index in range(calls):
        start = time.perf_counter()
        await work(index)
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


async def main(grants: int, calls: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "oauth.sqlite3")
        policy = RedirectPolicy()
        provider = PimeloOAuthProvider(
            ISSUER, store, Keys("b" * 40), policy, MetadataFetcher(policy)
        )
        client = OAuthClientInformationFull(
            client_id="bench",
            client_name="Benchmark",
            redirect_uris=[AnyUrl("http://127.0.0.1:9/cb")],
            token_endpoint_auth_method="none",
        )
        await provider.register_client(client)
        request = SignInRequest(
            client_id="bench",
            client_name="Benchmark",
            redirect_uri="http://127.0.0.1:9/cb",
            redirect_uri_provided_explicitly=True,
            code_challenge="x",
            state=None,
            scopes=["pimelo"],
            resource=ISSUER + "/mcp",
        )
        access: list[str] = []
        refresh: list[str] = []
        for index in range(grants):
            code = await provider.issue_code(
                request, pimelo_token=f"pim_{index:040d}", user="u", pimelo_scopes=["products:read"]
            )
            loaded = await provider.load_authorization_code(client, code)
            assert loaded is not None
            tokens = await provider.exchange_authorization_code(client, loaded)
            access.append(tokens.access_token)
            refresh.append(tokens.refresh_token or "")
        verifier = OAuthTokenVerifier(provider, [API_KEY])

        async def verify_access(index: int) -> object:
            return await verifier.verify_token(access[index % grants])

        async def verify_unknown(index: int) -> object:
            return await verifier.verify_token(f"pma_unknown_{index}")

        async def verify_key(index: int) -> object:
            return await verifier.verify_token(API_KEY)

        async def rotate(index: int) -> object:
            loaded = await provider.load_refresh_token(client, refresh[index % grants])
            assert loaded is not None
            rotated = await provider.exchange_refresh_token(client, loaded, loaded.scopes)
            refresh[index % grants] = rotated.refresh_token or ""
            return rotated

        rows = [
            ("access token (OAuth grant)", await _timed(calls, verify_access)),
            ("unknown token", await _timed(calls, verify_unknown)),
            ("static API key", await _timed(calls, verify_key)),
            ("refresh (rotation)", await _timed(min(calls, grants), rotate)),
        ]
        await store.aclose()
    print(f"{grants} grants in a SQLite store file, {calls} calls each\n")
    print(f"| {'what':<28} | median µs | p95 µs |")
    print(f"|{'-' * 30}|-----------|--------|")
    for name, (median, p95) in rows:
        print(f"| {name:<28} | {median:>9.0f} | {p95:>6.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="OAuth token verification cost per request")
    parser.add_argument("--grants", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=2000)
    arguments = parser.parse_args()
    anyio.run(main, arguments.grants, arguments.calls)
