"""The official MCP conformance suite, server mode, against `pimelo-mcp serve --transport http`.

The suite runs every server scenario of protocol 2026-07-28 (`--suite all`); the checks that
need its own fixture tools, resources or prompts are listed, one by one with reasons, in
conformance-expected-failures.yml, and the suite itself fails the run on any other failure
or on a listed check that passes. Its count alone proves little: a check "passes" when the
server answers `Unknown tool: test_simple_text` with isError, so the checks.json it writes
are read here, vacuous passes are told apart, and the scenarios that matter must pass for
real. The suite cannot send an Authorization header: tests/interop/auth_proxy.py adds the
API key in front of the server, the way a gateway would.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.interop.tooling import (
    AUTH_HEADER,
    ROOT,
    free_port,
    http_server,
    node_env,
    node_tool,
    require_http_transport,
    running,
)

pytestmark = pytest.mark.slow

EXPECTED_FAILURES = Path(__file__).with_name("conformance-expected-failures.yml")
VACUOUS = re.compile(r"Unknown (tool|resource|prompt)\b")
# Checks that pass only because a fixture is missing; they prove nothing either way.
VACUOUS_PASSES = {
    "tools-call-simple-text:tools-call-simple-text": "calls fixture tool test_simple_text",
    "tools-call-error:tools-call-error": "fixture test_error_handling: Unknown tool is an isError too",
    "input-required-result-ignore-extra-params:sep-2322-ignore-unexpected-params": "fixture tool",
}
# Scenarios that do not depend on fixtures: every check must pass for real.
MUST_PASS = {
    "tools-list",
    "server-stateless",  # all but the two fixture-tool checks (baselined)
    "dns-rebinding-protection",
    "http-header-validation",
    "caching",
    "resources-list",
    "prompts-list",
    "sep-2164-resource-not-found",
    "server-sse-multiple-streams",
    "input-required-result-unsupported-methods",
}


def expected_failures() -> set[str]:
    return {
        line.strip().removeprefix("- ")
        for line in EXPECTED_FAILURES.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("- ")
    }


def read_checks(out: Path) -> dict[str, list[dict[str, Any]]]:
    """scenario -> its checks, from the suite's output folder (one folder per scenario)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for checks in sorted(out.glob("server-*/checks.json")):
        scenario = re.sub(r"^server-|-\d{4}-\d\d-\d\dT.*$", "", checks.parent.name)
        found[scenario] = json.loads(checks.read_text(encoding="utf-8"))
    return found


def test_conformance_suite_against_the_http_server(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    require_http_transport()
    base_url, tokens = live_sandbox
    out = tmp_path / "conformance"
    with http_server(base_url, tokens["full-access"][0], tmp_path) as url:
        upstream = url.removesuffix("/mcp")
        port = free_port()
        proxy = [
            sys.executable,
            "-m",
            "tests.interop.auth_proxy",
            "--port",
            str(port),
            "--upstream",
            upstream,
            "--header",
            AUTH_HEADER,
        ]
        probe = f"http://127.0.0.1:{port}/healthz"
        with running(proxy, os.environ, probe, tmp_path / "proxy.log"):
            suite = subprocess.run(
                [
                    node_tool("conformance"),
                    "server",
                    "--url",
                    f"http://127.0.0.1:{port}/mcp",
                    "--suite",
                    "all",
                    "--spec-version",
                    "2026-07-28",
                    "--expected-failures",
                    str(EXPECTED_FAILURES),
                    "-o",
                    str(out),
                ],
                env=node_env(tmp_path),
                capture_output=True,
                text=True,
                timeout=600,
                cwd=ROOT,
            )
    report = suite.stdout[-6000:] + suite.stderr[-2000:]
    assert suite.returncode == 0, report

    checks = read_checks(out)
    assert set(checks) >= MUST_PASS, f"scenarios missing from the run: {MUST_PASS - set(checks)}"
    baselined = expected_failures()
    vacuous: set[str] = set()
    for scenario, scenario_checks in checks.items():
        for check in scenario_checks:
            key = f"{scenario}:{check['id']}"
            passed = check["status"] in {"SUCCESS", "INFO"}
            if passed and VACUOUS.search(json.dumps(check.get("details", {}))):
                vacuous.add(key)
            if scenario in MUST_PASS and key not in baselined:
                # SKIPPED: not applicable (e.g. resources/read caching hints, with no resources)
                assert passed or check["status"] == "SKIPPED", (
                    f"{key}: {check['status']} {check.get('errorMessage', '')}"
                )
    assert vacuous <= set(VACUOUS_PASSES), (
        f"new vacuous passes to list: {vacuous - set(VACUOUS_PASSES)}"
    )
    for scenario in MUST_PASS:
        assert not any(key.startswith(f"{scenario}:") for key in vacuous), scenario
