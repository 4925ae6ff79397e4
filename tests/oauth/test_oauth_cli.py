"""`serve --transport http --oauth`: what it refuses before it starts, and what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pimelo_mcp.cli import main


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIMELO_")}
    return {**env, "XDG_STATE_HOME": str(tmp_path), **extra}


def _serve(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "serve", "--transport", "http", "--port", "0", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "extra", "says"),
    [
        (["--oauth"], {}, "--oauth needs the public URL"),
        (["--oauth", "--public-url", "http://mcp.example.com"], {}, "must be https"),
        (["--oauth", "--public-url", "https://m.example", "--no-auth"], {}, "exclude each other"),
        (
            ["--oauth", "--public-url", "https://m.example", "--api-key", "k" * 20],
            {},
            "API key clients act with the server's own Pimelo token",
        ),
        (
            ["--public-url", "https://m.example"],
            {"PIMELO_MCP_OAUTH": "1", "PIMELO_MCP_SECRET_KEY": "short"},
            "at least 32 characters",
        ),
        (
            [
                "--oauth",
                "--public-url",
                "https://m.example",
                "--allowed-redirect",
                "http://x.example/cb",
            ],
            {},
            "must be an https URL",
        ),
    ],
)
def test_it_refuses_what_cannot_work_and_says_what_to_do(
    args: list[str], extra: dict[str, str], says: str, tmp_path: Path
) -> None:
    refused = _serve(args, _env(tmp_path, **extra))
    assert refused.returncode == 2, refused.stderr
    assert says in refused.stderr
    assert "Traceback" not in refused.stderr


def test_oauth_flags_on_a_stdio_server_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--oauth", "--public-url", "https://m.example"]) == 2
    assert "--oauth, --public-url: only for --transport http" in capsys.readouterr().err
