"""The README stays true: its tool table is the registry's, and CI runs its test command."""

from pathlib import Path

from scripts.update_readme import README, with_tool_table

ROOT = Path(__file__).resolve().parent.parent
TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest"
)


def test_readme_tool_table_is_generated_from_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    assert text == with_tool_table(text), "run: python scripts/update_readme.py"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    assert TEST_COMMAND in README.read_text(encoding="utf-8")
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
