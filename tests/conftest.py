"""What every test shares: a process-wide client state reset before each test."""

from collections.abc import Iterator

import pytest

from pimelo_mcp.client._ratelimit import forget_limiters


@pytest.fixture(autouse=True)
def fresh_rate_budgets() -> Iterator[None]:
    # The client keeps one rate budget per token and service for the life of the process;
    # each test talks to a service of its own, so it starts with none.
    forget_limiters()
    yield
    forget_limiters()
