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
