"""Every command, given each kind of wrong input, says what was wrong and exits with its code:
never a traceback. Real processes against a real sandbox and a real HTTP MCP server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.http_process import http_server
from tests.sandbox.test_process import sandbox_process

pytestmark = pytest.mark.slow

MCP_KEY = "pmk_user_errors_0123456789abcdef"


@dataclass(frozen=True)
class Live:
    base_url: str  # the sandbox's API
    read_only: str  # a token without any write scope
    mcp_url: str  # an MCP server's URL: not an API
    busy_port: int  # a port something already listens on
    tmp: Path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("user-errors")
    sandbox = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "5"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    env["PIMELO_AUDIT_LOG"] = str(tmp / "server-audit.jsonl")
    with (
        sandbox_process(sandbox) as (base_url, tokens),
        http_server(["--sandbox", "--api-key", MCP_KEY], env=env) as mcp,
        socket.create_server(("127.0.0.1", 0)) as busy,
    ):
        yield Live(base_url, tokens["read-only"][0], mcp.url, busy.getsockname()[1], tmp)


@dataclass(frozen=True)
class Case:
    args: list[str]
    code: int
    says: str
    env: dict[str, str] | None = None  # PIMELO_* variables; None: the sandbox's read-only token


def fill(text: str, live: Live, tmp_path: Path) -> str:
    """The placeholders of a case filled in (not str.format: JSON arguments have braces)."""
    for name, value in {
        "{base}": live.base_url,
        "{mcp}": live.mcp_url,
        "{ro}": live.read_only,
        "{busy}": str(live.busy_port),
        "{tmp}": str(tmp_path),
    }.items():
        text = text.replace(name, value)
    return text


def run(live: Live, case: Case, tmp_path: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    env["PIMELO_AUDIT_LOG"] = str(tmp_path / "audit.jsonl")
    given = (
        {"PIMELO_BASE_URL": live.base_url, "PIMELO_API_TOKEN": live.read_only}
        if case.env is None
        else case.env
    )
    for name, value in given.items():
        env[name] = fill(value, live, tmp_path)
    args = [fill(arg, live, tmp_path) for arg in case.args]
    done = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,  # a safety net: each case ends in a second or two
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


SANDBOX_TOKEN = {"PIMELO_BASE_URL": "{base}", "PIMELO_API_TOKEN": "{ro}"}
AT_MCP_URL = {"PIMELO_BASE_URL": "{mcp}", "PIMELO_API_TOKEN": "pim_a_good_token_elsewhere"}
REVOKED = {"PIMELO_BASE_URL": "{base}", "PIMELO_API_TOKEN": "pim_revoked_or_never_made"}
UNREACHABLE = {"PIMELO_BASE_URL": "http://127.0.0.1:9/api/v1/", "PIMELO_API_TOKEN": "{ro}"}
NOT_THE_MCP_SERVER = "is a pimelo-mcp server (its MCP URL), not a Pimelo API"
NO_JOURNAL = "cannot write the audit journal"
NO_FOLDER = "/proc/no-such-folder/audit.jsonl"  # /proc takes no new folder

CASES = {
    # call
    "call a tool the token lacks": Case(
        ["call", "update_products", '{"items": []}'], 2, "no tool 'update_products' for this token"
    ),
    "call an unknown tool": Case(["call", "searchproducts"], 2, "no tool 'searchproducts'"),
    "call with arguments not JSON": Case(
        ["call", "search_products", "{limit: 5}"], 2, "the arguments must be a JSON object"
    ),
    "call with a JSON list": Case(
        ["call", "search_products", "[5]"], 2, "the arguments must be a JSON object"
    ),
    "call with an argument of the wrong type": Case(
        ["call", "search_products", '{"limit": "many"}'], 1, "limit"
    ),
    "call without a tool name": Case(["call"], 2, "the following arguments are required: name"),
    "call with a revoked token": Case(
        ["call", "list_channels"], 2, "refused the API token", REVOKED
    ),
    "call at an MCP URL": Case(["call", "list_channels"], 2, NOT_THE_MCP_SERVER, AT_MCP_URL),
    "call with a journal in a folder that cannot be made": Case(
        ["call", "list_channels", "--audit-log", NO_FOLDER], 2, NO_JOURNAL
    ),
    # tools
    "tools without a token": Case(
        ["tools"], 2, "No Pimelo API token", {"PIMELO_BASE_URL": "{base}"}
    ),
    "tools with a malformed token": Case(
        ["tools"], 2, "starts with 'pim_'", {"PIMELO_API_TOKEN": "not-a-token"}
    ),
    "tools with a base URL that is not http": Case(
        ["tools"],
        2,
        "must be an http(s) URL",
        {"PIMELO_API_TOKEN": "pim_well_formed", "PIMELO_BASE_URL": "ftp://x/api/v1/"},
    ),
    "tools with a revoked token": Case(["tools"], 2, "refused the API token", REVOKED),
    "tools at an MCP URL": Case(["tools"], 2, NOT_THE_MCP_SERVER, AT_MCP_URL),
    "tools with a bad PIMELO_READ_ONLY": Case(
        ["tools"],
        2,
        "PIMELO_READ_ONLY must be true or false",
        {**SANDBOX_TOKEN, "PIMELO_READ_ONLY": "maybe"},
    ),
    "tools with a bad PIMELO_LOG_LEVEL": Case(
        ["tools"],
        2,
        "PIMELO_LOG_LEVEL must be one of",
        {**SANDBOX_TOKEN, "PIMELO_LOG_LEVEL": "LOUD"},
    ),
    "tools with a journal in a folder that cannot be made": Case(
        ["tools", "--audit-log", NO_FOLDER], 2, NO_JOURNAL
    ),
    "tools with an upload folder that does not exist": Case(
        ["tools", "--upload-dir", "{tmp}/no-such-folder"], 2, "does not exist or is not a folder"
    ),
    # check
    "check with a revoked token": Case(["check"], 1, "refused the token", REVOKED),
    "check at an MCP URL": Case(["check"], 1, NOT_THE_MCP_SERVER, AT_MCP_URL),
    "check with nothing listening": Case(["check"], 1, "cannot reach", UNREACHABLE),
    "check without a token": Case(
        ["check"], 2, "No Pimelo API token", {"PIMELO_BASE_URL": "{base}"}
    ),
    # serve (stdio)
    "serve with HTTP flags on stdio": Case(
        ["serve", "--port", "9000"], 2, "only for --transport http"
    ),
    "serve at an MCP URL": Case(["serve"], 2, NOT_THE_MCP_SERVER, AT_MCP_URL),
    "serve with a revoked token": Case(["serve"], 2, "refused the API token", REVOKED),
    "serve with a journal in a folder that cannot be made": Case(
        ["serve", "--audit-log", NO_FOLDER], 2, NO_JOURNAL
    ),
    "serve with an unknown transport": Case(["serve", "--transport", "sse"], 2, "invalid choice"),
    # serve --transport http
    "http without a key": Case(
        ["serve", "--transport", "http"], 2, "requires client authentication"
    ),
    "http with a short key": Case(
        ["serve", "--transport", "http", "--api-key", "short"], 2, "at least 16 characters"
    ),
    "http on a port out of range": Case(
        ["serve", "--transport", "http", "--api-key", MCP_KEY, "--port", "70000"],
        2,
        "from 0 to 65535",
    ),
    "http on a busy port": Case(
        ["serve", "--transport", "http", "--api-key", MCP_KEY, "--port", "{busy}"],
        2,
        "cannot listen",
    ),
    "http with a key file that does not exist": Case(
        ["serve", "--transport", "http", "--api-key-file", "{tmp}/no-keys.txt"],
        2,
        "cannot read the API key file",
    ),
    "http without auth on every interface": Case(
        ["serve", "--transport", "http", "--no-auth", "--host", "0.0.0.0"],
        2,
        "only allowed on a loopback",
    ),
    "http with a bad PIMELO_MCP_PORT": Case(
        ["serve", "--transport", "http", "--api-key", MCP_KEY],
        2,
        "PIMELO_MCP_PORT must be a port number",
        {**SANDBOX_TOKEN, "PIMELO_MCP_PORT": "eighty"},
    ),
    "http at an MCP URL": Case(
        ["serve", "--transport", "http", "--api-key", MCP_KEY, "--port", "0"],
        2,
        NOT_THE_MCP_SERVER,
        AT_MCP_URL,
    ),
    # sandbox
    "sandbox on a busy port": Case(["sandbox", "--port", "{busy}"], 2, "cannot listen"),
    "sandbox on a port out of range": Case(["sandbox", "--port", "70000"], 2, "from 0 to 65535"),
    "sandbox with a database in a missing folder": Case(
        ["sandbox", "--port", "0", "--db", "{tmp}/no-such-folder/sandbox.db"],
        2,
        "cannot open the database",
    ),
    "sandbox with a malformed token": Case(
        ["sandbox", "--token", "full=products:read"], 2, "a token must be pim_VALUE=scope"
    ),
    "sandbox with a bad rate limit": Case(
        ["sandbox", "--rate-limit", "fast"], 2, "rate limit must be REQUESTS/SECONDS"
    ),
    "sandbox with a bad product count": Case(
        ["sandbox", "--products", "-3"], 2, "expected 0 or more"
    ),
    # no command
    "an unknown command": Case(["serv"], 2, "invalid choice: 'serv'"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_wrong_input_gets_a_message_and_an_exit_code_never_a_traceback(
    name: str, live: Live, tmp_path: Path
) -> None:
    case = CASES[name]
    code, output = run(live, case, tmp_path)
    assert "Traceback" not in output, output
    assert "ExceptionGroup" not in output, output
    assert fill(case.says, live, tmp_path) in output, output
    assert code == case.code, output
    assert len(output.strip().splitlines()) <= 12, "a short message, not a dump"


def test_the_sandbox_on_a_busy_port_fails_before_loading_its_catalog(
    live: Live, tmp_path: Path
) -> None:
    code, output = run(live, Case(["sandbox", "--port", str(live.busy_port)], 2, ""), tmp_path)
    assert code == 2
    assert "Loading the sandbox catalog" not in output
