"""Work a call no longer does twice: what each warm read skips, kept as every guarantee holds."""

import anyio
import httpx2

from pimelo_mcp.client import PimeloClient, Value
from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server, mcp_tool
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.batch import raw_values
from pimelo_mcp.tools.caches import SchemaCache
from pimelo_mcp.tools.catalog import load_catalog
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


async def test_each_tools_list_answer_is_its_own_and_says_what_the_catalog_says() -> None:
    server = build_server(Settings(api_token=FULL_TOKEN, base_url=BASE_URL, audit_path=None))
    first = await server.list_tools()
    expected = [entry.definition for entry in load_catalog()]
    assert [tool.model_dump(by_alias=True, mode="json", exclude_none=True) for tool in first] == (
        expected
    )
    # A caller that changes what it was given (an extension adding _meta, say) changes
    # nothing in the next answer: the cached listing is never handed out itself.
    first[0].description = "changed"
    first[0].input_schema["properties"].clear()
    first[0].annotations = None
    second = await server.list_tools()
    assert [tool.model_dump(by_alias=True, mode="json", exclude_none=True) for tool in second] == (
        expected
    )
    assert second[0].input_schema is not first[0].input_schema
