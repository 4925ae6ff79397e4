"""The arguments of `pimelo-mcp sandbox` (kept apart so that building the parser imports nothing heavy)."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_PRODUCTS = 1000
DEFAULT_RATE_LIMIT = "600/60"

_TOKEN_SPEC = re.compile(
    r"^(pim_[A-Za-z0-9_\-]{8,200})=([a-z\-]+:(?:read|write)(?:,[a-z\-]+:(?:read|write))*)$"
)


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` per token in each window of `seconds`."""

    requests: int
    seconds: int


@dataclass(frozen=True)
class TokenSpec:
    """A fixed token given on the command line, with its scopes."""

    value: str
    scopes: tuple[str, ...]


def parse_rate_limit(text: str) -> RateLimit:
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or int(match[1]) < 1 or int(match[2]) < 1:
        raise argparse.ArgumentTypeError(
            f"rate limit must be REQUESTS/SECONDS with both at least 1, e.g. 600/60; got {text!r}"
        )
    return RateLimit(requests=int(match[1]), seconds=int(match[2]))


def parse_token_spec(text: str) -> TokenSpec:
    match = _TOKEN_SPEC.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(
            "a token must be pim_VALUE=scope,scope,... (VALUE: 8+ letters, digits, '_' or '-'; "
            f"scopes like products:read), e.g. pim_test_full_access=products:read,products:write; got {text!r}"
        )
    return TokenSpec(value=match[1], scopes=tuple(match[2].split(",")))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _fault_spec(text: str) -> object:
    from pimelo_mcp.sandbox.faults import FaultSpecError, parse_fault_spec

    try:
        return parse_fault_spec(text)
    except FaultSpecError as error:
        raise argparse.ArgumentTypeError(f"--faults: {error}") from None


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"interface to bind (default {DEFAULT_HOST})"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"TCP port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite file that keeps the data across restarts (created with the demo catalog if missing); "
        "default: a fresh in-memory catalog",
    )
    parser.add_argument(
        "--products",
        type=_positive_int,
        default=DEFAULT_PRODUCTS,
        help=f"number of demo products in a new catalog (default {DEFAULT_PRODUCTS})",
    )
    parser.add_argument(
        "--rate-limit",
        type=parse_rate_limit,
        default=parse_rate_limit(DEFAULT_RATE_LIMIT),
        metavar="REQUESTS/SECONDS",
        help=f"per-token rate limit (default {DEFAULT_RATE_LIMIT})",
    )
    parser.add_argument(
        "--token",
        type=parse_token_spec,
        action="append",
        default=[],
        metavar="pim_VALUE=SCOPE,SCOPE",
        help="add a fixed token with these scopes (repeatable), for scripts and tests",
    )
    parser.add_argument(
        "--faults",
        type=_fault_spec,
        default=None,
        metavar="SPEC",
        help="inject network faults, seeded and deterministic, e.g. "
        "'seed=7; POST /products/bulk: error-after@0.2; *: latency(0.05)@0.3' "
        "(faults: latency(S), hang, error-before(C), error-after(C), drop-before, "
        "drop-after, truncate(F), drip(S), storm(RETRY_AFTER); see docs/reliability.md)",
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=_positive_int,
        default=10 * 1024 * 1024,
        help="largest media upload accepted (default 10 MiB)",
    )
