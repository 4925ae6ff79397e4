"""The sandbox's fault injection: the SPEC grammar, clear refusals, and determinism."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx2
import pytest
from starlette.applications import Starlette

from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.faults import FaultInjector, FaultSpecError, parse_fault_spec
from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings

TOKEN = "pim_test_fault_spec"


def test_a_spec_reads_seed_rules_arguments_and_probabilities() -> None:
    spec = parse_fault_spec(
        "seed=7; POST /products/bulk: error-after(503)@0.2, truncate@0.1; *: latency(0.05)@0.3"
    )
    assert spec.seed == 7
    bulk, anywhere = spec.rules
    assert (bulk.method, bulk.path) == ("POST", "/products/bulk")
    assert [(f.name, f.argument, f.probability) for f in bulk.faults] == [
        ("error-after", 503, 0.2),
        ("truncate", 0.5, 0.1),
    ]
    assert anywhere.method is None
    assert anywhere.matches("GET", "/channels")
    assert not bulk.matches("GET", "/products/bulk")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "no fault rule"),
        ("seed=x; *: hang@1", "seed must be a whole number"),
        ("*: explode@1", "unknown fault 'explode@1'"),
        ("*: hang@1.5", "a probability is from 0 to 1"),
        ("*: error-after(404)@1", "takes a 5xx status"),
        ("*: truncate(2)@1", "a fraction below 1"),
        ("*: hang(3)@1", "hang takes no argument"),
        ("*: latency(-1)@1", "finite number of 0 or more"),
        ("no colon here", "a rule is [METHOD ]PATH: FAULT@P"),
    ],
)
def test_a_bad_spec_is_refused_saying_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(FaultSpecError, match=re.escape(says)):
        parse_fault_spec(text)


def _plans(seed: int) -> list[str | None]:
    injector = FaultInjector(
        Starlette(), parse_fault_spec(f"seed={seed}; GET /channels: error-before@0.5")
    )
    return [
        (plan.fault.name if plan.fault else None)
        for plan in (injector.plan("GET", "/channels") for _ in range(40))
    ]


def test_faults_are_a_pure_function_of_seed_endpoint_and_count() -> None:
    assert _plans(3) == _plans(3)
    assert _plans(3) != _plans(4)
    assert 5 < _plans(3).count("error-before") < 35


def _sandbox(spec: str) -> Starlette:
    return create_app(
        SandboxSettings(
            products=5,
            rate_limit=RateLimit(requests=1000, seconds=60),
            tokens=(TokenSpec(TOKEN, SCOPES),),
            faults=parse_fault_spec(spec),
        )
    )


async def test_error_after_writes_then_answers_the_error() -> None:
    app = _sandbox("POST /entities/brand: error-after(502)@1")
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app),
        base_url="http://sandbox/api/v1/",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as http:
        answer = await http.post("entities/brand", json={"code": "ghost", "labels": {}})
        assert answer.status_code == 502
        kept = await http.get("entities/brand/ghost")
    assert kept.status_code == 200  # the write happened before the 502


async def test_storm_and_truncate_answer_as_told() -> None:
    app = _sandbox("GET /channels: storm(120)@1; GET /locales: truncate(0.25)@1")
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app),
        base_url="http://sandbox/api/v1/",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as http:
        storm = await http.get("channels")
        cut = await http.get("locales")
    assert (storm.status_code, storm.headers["Retry-After"]) == (429, "120")
    assert cut.status_code == 200
    assert len(cut.content) == int(cut.headers["Content-Length"])  # a complete, cut answer
    assert not cut.content.rstrip().endswith(b"}")


def test_the_sandbox_command_refuses_a_bad_spec_clearly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "sandbox", "--faults", "*: explode@1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "--faults: unknown fault" in result.stderr
    assert "Traceback" not in result.stderr
