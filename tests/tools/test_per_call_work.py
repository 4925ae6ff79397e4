"""Work a call no longer does twice: what each warm read skips, kept as every guarantee holds."""

import anyio
import httpx2

from pimelo_mcp.client import PimeloClient
from pimelo_mcp.server import mcp_tool
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.caches import SchemaCache
from tests.tools.conftest import BASE_URL, FULL_TOKEN


async def test_a_fresh_product_schema_is_read_without_waiting_for_the_lock(
    sandbox_http: httpx2.AsyncClient,
) -> None:
    async with PimeloClient(BASE_URL, FULL_TOKEN, http_client=sandbox_http) as client:
        cache = SchemaCache(client)
        first = await cache.products()
        async with cache._lock:  # another call reloading: a fresh read need not queue behind it
            with anyio.fail_after(10):
                assert await cache.products() is first


def test_reads_list_their_output_schema_and_the_sdk_does_not_validate_each_result_again() -> None:
    for spec in ALL_TOOLS:
        if spec.declares_output:
            tool = mcp_tool(spec)
            assert tool.output_schema is not None, spec.name
            assert tool.fn_metadata.output_model is None, spec.name
