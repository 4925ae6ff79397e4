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
