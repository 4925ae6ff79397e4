"""docs/reliability.md names the test behind each guarantee: every name it gives must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"


def _defined_tests() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.update(re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.M))
    return names


def test_every_test_and_file_the_reliability_doc_names_exists() -> None:
    text = DOC.read_text()
    files = set(re.findall(r"`((?:tests|benchmarks|pimelo_mcp|docs)/[\w/.]+\.(?:py|md))", text))
    tests = set(re.findall(r"\b(test_\w+)\b", text)) - {Path(f).stem for f in files}
    assert files
    assert tests
    assert sorted(f for f in files if not (ROOT / f).is_file()) == []
    assert sorted(tests - _defined_tests()) == []
