"""Work a call no longer does twice: what each warm read skips, kept as every guarantee holds."""

import anyio
import httpx2

from pimelo_mcp.client import PimeloClient, Value
from pimelo_mcp.server import mcp_tool
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.batch import raw_values
from pimelo_mcp.tools.caches import SchemaCache
from pimelo_mcp.tools.products import plain_values
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


def test_a_read_sees_values_in_the_same_plain_form_without_copying_them() -> None:
    data = [{"amount": "129.90", "currency": "EUR"}]
    values = {
        "price": [Value(locale=None, channel="ecommerce", data=data)],
        "name": [Value.model_validate({"locale": "en_US", "data": "Trail", "source": "import"})],
    }
    plain = plain_values(values)
    assert plain == raw_values(values)  # extra fields the service adds kept, as model_dump does
    assert plain["price"][0]["data"] is data
