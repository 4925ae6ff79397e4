"""Where a warm `get_product` spends its time: a pyinstrument profile, pimelo-mcp or the bare server.

Both through the SDK's in-process Client against an in-process sandbox of 1,000 demo
products, so that the profile holds the whole path: client, SDK, server, upstream request
and the sandbox answering it. Compare the two to see what pimelo-mcp adds.

    .venv/bin/python -m benchmarks.profile_call [pimelo|bare] [CALLS]
"""

from __future__ import annotations

import sys

import anyio
from mcp import Client
from pyinstrument import Profiler

from benchmarks import bare_server
from benchmarks.in_process import sandbox_http
from benchmarks.per_call import SKU
from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server

TOKEN, BASE_URL = "pim_benchmark_profile", "http://sandbox/api/v1/"


async def profile(which: str, calls: int) -> str:
    async with sandbox_http(BASE_URL, TOKEN) as http:
        server = (
            bare_server.build(BASE_URL, TOKEN, http_client=http)
            if which == "bare"
            else build_server(
                Settings(api_token=TOKEN, base_url=BASE_URL, audit_path=None), http_client=http
            )
        )
        async with Client(server) as client:
            for _ in range(50):  # warm: the tool built, definitions loaded
                await client.call_tool("get_product", {"identifier": SKU})
            profiler = Profiler(interval=0.0002, async_mode="disabled")
            profiler.start()
            for _ in range(calls):
                await client.call_tool("get_product", {"identifier": SKU})
            profiler.stop()
    return profiler.output_text(unicode=True, color=False, time="percent_of_total")


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "pimelo"
    if which not in ("pimelo", "bare"):
        sys.exit("usage: python -m benchmarks.profile_call [pimelo|bare] [CALLS]")
    print(anyio.run(profile, which, int(sys.argv[2]) if len(sys.argv) > 2 else 1000))
