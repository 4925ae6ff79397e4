"""The benchmark command's own logic: budgets compared the right way, asks that can run."""

from benchmarks.__main__ import TIMES, Figure, held, table
from benchmarks.context import ASKS
from pimelo_mcp.tools.all_tools import ALL_TOOLS


def test_a_ceiling_passes_at_or_under_it_and_a_floor_at_or_over_it() -> None:
    assert held("k", "tokens", 2_200, "2,200", 2_200).holds is True
    assert held("k", "tokens", 2_201, "2,201", 2_200).holds is False
    assert held("k", "req/s", 0.9, "0.90", 0.9, at_least=True).holds is True
    assert held("k", "req/s", 0.89, "0.89", 0.9, at_least=True).holds is False


def test_the_table_marks_misses_and_leaves_unbudgeted_figures_blank() -> None:
    rendered = table(
        [
            held("a", "within", 1, "1", 2),
            held("b", "over", 3, "3", 2),
            Figure("c", "for reading", 5, "5"),
        ]
    ).splitlines()
    assert rendered[2].endswith("| ≤ 2 | pass |")
    assert rendered[3].endswith("| ≤ 2 | MISS |")
    assert rendered[4] == "| for reading | 5 |  |  |"


def test_a_dozen_asks_each_call_only_listed_tools() -> None:
    names = {spec.name for spec in ALL_TOOLS}
    assert len(ASKS) >= 12
    assert all(name in names for ask in ASKS for name, _ in ask.steps)


def test_a_ratio_budget_reads_as_a_ratio() -> None:
    assert held("k", "ratio", 1.0, "1.00", 1.10, unit=TIMES).budget == f"≤ 1.1{TIMES}"


async def test_every_ask_finishes_against_the_sandbox() -> None:
    # measure() raises when a call is refused: an ask a model could not finish measures nothing.
    from benchmarks.context import measure

    figures = await measure()
    assert [words for words, _, _ in figures.asks] == [ask.words for ask in ASKS]
    assert all(spent > 0 for _, _, spent in figures.asks)


async def test_the_whole_answer_baseline_answers_the_apis_json_and_the_bare_one_an_identifier() -> (
    None
):
    from mcp import Client

    from benchmarks import bare_server
    from benchmarks.in_process import sandbox_http
    from benchmarks.per_call import SKU

    token, base_url = "pim_benchmark_baseline", "http://sandbox/api/v1/"
    async with sandbox_http(base_url, token, products=5) as http:
        api = (
            await http.get(f"products/{SKU}", headers={"Authorization": f"Bearer {token}"})
        ).json()
        async with (
            Client(
                bare_server.build(base_url, token, http_client=http, whole_answer=True)
            ) as whole,
            Client(bare_server.build(base_url, token, http_client=http)) as bare,
        ):
            answered = await whole.call_tool("get_product", {"identifier": SKU})
            assert answered.structured_content == api
            least = await bare.call_tool("get_product", {"identifier": SKU})
            assert least.structured_content == {"result": SKU}


def test_a_process_cpu_time_is_read() -> None:
    import os

    from benchmarks.answer_cost import cpu_seconds

    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(300_000))
    assert cpu_seconds(os.getpid()) >= before > 0


async def test_every_layer_variant_still_answers_and_each_layer_is_put_back() -> None:
    from mcp.client.session import ClientSession

    import pimelo_mcp.server as server_module
    from benchmarks import layer_costs

    check = ClientSession.validate_tool_result
    strict = server_module.strict_arguments
    figures = await layer_costs.measure(rounds=1, calls=2)
    assert set(figures) == {
        *layer_costs.VARIANTS,
        "bare server",
        "bare server answering the whole product",
    }
    assert all(value > 0 for value in figures.values())
    assert ClientSession.validate_tool_result is check
    assert server_module.strict_arguments is strict


async def test_the_light_upstream_replays_the_sandbox_answer_and_the_load_reads_it() -> None:
    import asyncio
    import json

    from benchmarks.http_load import drive, request_bytes
    from benchmarks.in_process import sandbox_http
    from benchmarks.light_upstream import Replayer
    from pimelo_mcp.sandbox.demo.catalog import product_at

    token = "pim_benchmark_light_upstream_token"
    identifier = product_at(0)["identifier"]
    async with sandbox_http("http://sandbox", token, products=5) as sandbox:
        expected = await sandbox.get(
            f"/api/v1/products/{identifier}", headers={"Authorization": f"Bearer {token}"}
        )
        replayer = Replayer("http://sandbox")
        await replayer.sandbox.aclose()
        replayer.sandbox = sandbox  # the in-process sandbox instead of one on a port
        server = await asyncio.start_server(replayer.serve, "127.0.0.1", 0)
        async with server:
            url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
            reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":")[-1]))
            ask = f"GET /api/v1/products/{identifier} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n\r\n"
            for _ in range(2):  # recorded, then replayed on the same kept-alive connection
                writer.write(ask.encode())
                head = await reader.readuntil(b"\r\n\r\n")
                assert head.startswith(b"HTTP/1.1 200 OK\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                assert json.loads(await reader.readexactly(length)) == expected.json()
            writer.close()
            assert len(replayer.answers) == 1
            # The load generator counts each answer it can frame (here a 405: not a 200).
            load = await drive(url + "/mcp", request_bytes(url + "/mcp", {}, {"a": 1}), 2, 0.2)
            assert load.calls == 0
            assert load.errors > 0
