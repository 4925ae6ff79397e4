"""What each layer of a warm `get_product` costs, in process: the call with one layer at a
time replaced by the least that does its job, next to the two bare servers.

CPU time per call (`time.thread_time`: a busy machine's waits are not counted), each
variant's median over interleaved batches. The difference to the full call is what that
layer costs; it is noisy at the scale of a few microseconds, so read it next to the
timings of each part alone in docs/performance.md.

    .venv/bin/python -m benchmarks.layer_costs [--quick]

Measures, never asserts. The replacements skip guarantees (the deadline, strict
arguments, pacing): they exist only inside this benchmark's process.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Awaitable, Iterator, Mapping
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.session import ClientSession

import pimelo_mcp.server as server_module
import pimelo_mcp.tools.deadline as deadline_module
from benchmarks import bare_server
from benchmarks.in_process import sandbox_http
from benchmarks.per_call import SKU
from pimelo_mcp.client._client import PimeloClient
from pimelo_mcp.config import Settings
from pimelo_mcp.tools import products

TOKEN, BASE_URL = "pim_benchmark_layers", "http://sandbox/api/v1/"


async def _no_deadline(spec: Any, kwargs: Mapping[str, Any], work: Awaitable[Any]) -> Any:
    return await work


def _no_strict_check(*_: Any) -> None:
    return None


async def _no_result_check(self: ClientSession, name: str, result: Any) -> None:
    return None


async def _bare_send(self: PimeloClient, method: str, path: str, **options: Any) -> httpx2.Response:
    """The request alone: no pacing, deadline scope, retries or error mapping."""
    http: httpx2.AsyncClient = self._http  # pyright: ignore[reportPrivateUsage]
    token = self._token.reveal()  # pyright: ignore[reportPrivateUsage]
    url = self._base_url.join(path)  # pyright: ignore[reportPrivateUsage]
    params = {key: str(value) for key, value in (options.get("params") or {}).items() if value}
    request = http.build_request(
        method, url, params=params or None, headers={"Authorization": f"Bearer {token}"}
    )
    return await http.send(request)


def _no_text(self: products.ProductDetail) -> str:
    return ""


def _no_values(product: Any, **_: Any) -> products.ProductView:
    return products.ProductView(
        identifier=product.identifier,
        attribute_set=product.attribute_set,
        status=product.status,
        values={},
        version=product.version,
    )


# (module or class, attribute, replacement) per variant.
Replacement = tuple[object, str, object]
VARIANTS: dict[str, list[Replacement]] = {
    "pimelo-mcp": [],
    "without the client's check of the result": [
        (ClientSession, "validate_tool_result", _no_result_check)
    ],
    "without the call deadline": [(deadline_module, "within_deadline", _no_deadline)],
    "without strict arguments": [(server_module, "strict_arguments", _no_strict_check)],
    "without the API client around httpx2": [(PimeloClient, "_send", _bare_send)],
    "without the text": [(products.ProductDetail, "text", _no_text)],
    "without values (no compaction, a smaller answer)": [(products, "product_view", _no_values)],
}


@contextmanager
def replaced(replacements: list[Replacement]) -> Iterator[None]:
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in replacements]
    try:
        for owner, name, value in replacements:
            setattr(owner, name, value)
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


async def measure(rounds: int, calls: int) -> dict[str, float]:
    """Median CPU milliseconds per call of each variant and of the two bare servers."""
    async with sandbox_http(BASE_URL, TOKEN) as http, AsyncExitStack() as stack:
        settings = Settings(api_token=TOKEN, base_url=BASE_URL, audit_path=None)
        sides: list[tuple[str, Client, list[Replacement]]] = []
        for name, replacements in VARIANTS.items():
            # A server of its own: a tool binds some of its layers when it is first built.
            server = server_module.build_server(settings, http_client=http)
            sides.append((name, await stack.enter_async_context(Client(server)), replacements))
        for name, whole_answer in (
            ("bare server", False),
            ("bare server answering the whole product", True),
        ):
            server = bare_server.build(BASE_URL, TOKEN, http_client=http, whole_answer=whole_answer)
            sides.append((name, await stack.enter_async_context(Client(server)), []))

        async def batch(client: Client) -> float:
            # As timeit does: no collection inside a batch, so that none lands on one side.
            gc.collect()
            gc.disable()
            try:
                started = time.thread_time()
                for _ in range(calls):
                    result = await client.call_tool("get_product", {"identifier": SKU})
                    if result.is_error:
                        raise RuntimeError(f"get_product failed: {result.content}")
                return (time.thread_time() - started) / calls * 1000
            finally:
                gc.enable()

        for _, client, replacements in sides:  # warm: each tool built with its variant's layers
            with replaced(replacements):
                await batch(client)
        figures: dict[str, list[float]] = {name: [] for name, _, _ in sides}
        for _ in range(rounds):
            for name, client, replacements in sides:
                with replaced(replacements):
                    figures[name].append(await batch(client))
    return {name: statistics.median(values) for name, values in figures.items()}


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    figures = anyio.run(measure, 3 if quick else 30, 30 if quick else 100)
    full = figures["pimelo-mcp"]
    print("| variant | CPU ms per call | less than pimelo-mcp, µs |")
    print("|---|---:|---:|")
    for name, value in figures.items():
        print(f"| {name} | {value:.3f} | {(full - value) * 1000:+.0f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
