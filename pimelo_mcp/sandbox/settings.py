"""What a sandbox instance is told at start: storage, catalog size, rate limit, fixed tokens."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pimelo_mcp.sandbox.cli_args import DEFAULT_PRODUCTS, RateLimit, TokenSpec
from pimelo_mcp.sandbox.demo import DemoCatalog
from pimelo_mcp.sandbox.faults import FaultSpec

# Every scope Pimelo documents, in the order of its developer page.
SCOPES: tuple[str, ...] = (
    "products:read",
    "products:write",
    "entities:read",
    "entities:write",
    "settings:read",
    "settings:write",
    "media:read",
    "media:write",
    "import-export:read",
    "import-export:write",
    "attributes:read",
    "attributes:write",
)
READ_SCOPES: tuple[str, ...] = tuple(scope for scope in SCOPES if scope.endswith(":read"))
# Writes products only, and reads the configuration that product values are written against
# (attribute definitions, channels and locales): what an enrichment agent needs, no more.
PRODUCTS_ONLY_SCOPES: tuple[str, ...] = (
    "products:read",
    "products:write",
    "attributes:read",
    "settings:read",
)


@dataclass(frozen=True)
class SandboxSettings:
    """Settings of one sandbox app. The defaults give a fresh in-memory demo catalog."""

    db_path: str | None = None  # None: in memory, gone when the process ends
    products: int = DEFAULT_PRODUCTS  # demo products loaded into a new database
    seed: int = 7  # the demo catalog is a pure function of (products, seed)
    rate_limit: RateLimit = field(default_factory=lambda: RateLimit(requests=600, seconds=60))
    tokens: tuple[TokenSpec, ...] = ()  # fixed tokens, on top of the demo tokens
    max_upload_bytes: int = 10 * 1024 * 1024
    catalog: DemoCatalog | None = None  # load this instead of the generated demo catalog
    clock: Callable[[], float] = time.monotonic  # rate-limit windows; tests may pass a fake
    faults: FaultSpec | None = None  # --faults: a flaky network, on purpose
