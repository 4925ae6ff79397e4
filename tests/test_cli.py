"""The `pimelo-mcp` command line: version, help, and `python -m pimelo_mcp`."""

import subprocess
import sys

import pytest

from pimelo_mcp import __version__
from pimelo_mcp.cli import main


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"pimelo-mcp {__version__}"


def test_python_dash_m_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"pimelo-mcp {__version__}"
