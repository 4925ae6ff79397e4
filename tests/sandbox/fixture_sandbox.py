"""`python tests/sandbox/fixture_sandbox.py ARGS`: the real `pimelo-mcp sandbox` command, serving the
fixture catalog in place of the demo catalog (so the runner is tested apart from the demo generator)."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.sandbox.catalog import build_fixture_catalog

    module: Any = types.ModuleType("pimelo_mcp.sandbox.demo.catalog")
    module.build = lambda **_: build_fixture_catalog()
    sys.modules["pimelo_mcp.sandbox.demo.catalog"] = module
    from pimelo_mcp.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
