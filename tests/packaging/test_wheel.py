"""The wheel PyPI would get: built here with `uv build`, run with `uv tool run` as `uvx` would.

The version lives in one place (pimelo_mcp/__init__.py, read by hatchling); the wheel's
metadata must carry it, and the wheel must hold py.typed and every non-Python package file.
"""

import os
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from pimelo_mcp import __version__
from tests.interop.tooling import ROOT, UV_CACHE

pytestmark = pytest.mark.slow


def uv_env() -> dict[str, str]:
    return {
        **os.environ,
        "UV_CACHE_DIR": str(UV_CACHE),  # inside the checkout
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
    }


def uv() -> str:
    path = Path(sys.executable).with_name("uv")
    assert path.exists(), "uv comes with the dev extra"
    return str(path)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        env=uv_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("pimelo_mcp-*.whl")
    return found


def test_the_wheels_version_is_the_packages(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = Parser().parsestr(archive.read(metadata).decode())
    assert headers["Name"] == "pimelo-mcp"
    assert headers["Version"] == __version__
    assert wheel.name == f"pimelo_mcp-{__version__}-py3-none-any.whl"


def test_the_wheel_holds_the_package_data_and_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    assert "pimelo_mcp/py.typed" in names
    package = ROOT / "pimelo_mcp"
    data = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    assert data <= names, f"package files missing from the wheel: {data - names}"
    assert "pimelo-mcp = pimelo_mcp.cli:main" in scripts
    assert not any(name.startswith(("tests/", "scripts/", "benchmarks/")) for name in names)


def test_uv_tool_run_from_the_wheel_prints_the_version(wheel: Path) -> None:
    ran = subprocess.run(
        [uv(), "tool", "run", "--from", str(wheel), "pimelo-mcp", "--version"],
        env=uv_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == f"pimelo-mcp {__version__}"
