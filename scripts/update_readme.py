"""Rewrite the generated parts of README.md from the code (run after changing a tool)."""

from pathlib import Path

from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.registry import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- tools:start -->", "<!-- tools:end -->"


def with_tool_table(text: str) -> str:
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{markdown_table(ALL_TOOLS)}\n{END}{after}"


if __name__ == "__main__":
    README.write_text(with_tool_table(README.read_text(encoding="utf-8")), encoding="utf-8")
