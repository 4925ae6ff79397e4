"""Every `npx` command of the README runs the npm package CI pins, and says which Node it needs.

An unpinned `npx @modelcontextprotocol/inspector` resolves to whatever npm serves, on Node
20 a version without `--header`: the README's one-liner then fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
NPM = ROOT / ".ci" / "npm"

# `npx` and a package, maybe scoped, maybe with a version; the README may wrap the line.
NPX = re.compile(r"npx\s+((?:@[\w.-]+/)?[\w.-]+)(?:@([^\s`]+))?")
NODE_NEEDED = re.compile(r"Node ≥ (\d+\.\d+\.\d+)")


def npx_commands(text: str) -> list[tuple[int, str, str | None]]:
    return [(match.start(), match[1], match[2]) for match in NPX.finditer(text)]


def pinned() -> dict[str, str]:
    return json.loads((NPM / "package.json").read_text(encoding="utf-8"))["dependencies"]


def node_engines() -> dict[str, str]:
    """The lowest Node each pinned package declares (`engines.node: ">=X"`), from the lock."""
    packages = json.loads((NPM / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    needed: dict[str, str] = {}
    for name in pinned():
        engines = packages.get(f"node_modules/{name}", {}).get("engines", {}).get("node")
        if engines:
            assert engines.startswith(">="), f"{name}: engines {engines!r} is not a lower bound"
            needed[name] = engines.removeprefix(">=").strip()
    return needed


def test_every_npx_package_of_the_readme_is_pinned_as_ci_pins_it() -> None:
    text = README.read_text(encoding="utf-8")
    commands = npx_commands(text)
    assert commands, "the README names npx commands; the pattern must find them"
    versions = pinned()
    wrong = [
        f"npx {name}@{version} (CI pins {versions.get(name)})"
        for _, name, version in commands
        if version is None or versions.get(name) != version
    ]
    assert wrong == [], "pin each npx package as .ci/npm/package.json does"


def test_the_readme_says_which_node_each_npx_package_needs() -> None:
    text = README.read_text(encoding="utf-8")
    needed = node_engines()
    assert "@modelcontextprotocol/inspector" in needed
    for start, name, _ in npx_commands(text):
        if name not in needed:
            continue
        # Said just before the command (the closest mention counts).
        said = NODE_NEEDED.findall(text[max(0, start - 200) : start])
        assert said[-1:] == [needed[name]], f"npx {name}: say 'Node ≥ {needed[name]}' before it"


def test_the_pattern_finds_unpinned_and_wrapped_commands() -> None:
    found = npx_commands("run `npx\n@modelcontextprotocol/inspector --cli x` or npx a@1.2 pack")
    assert [(name, version) for _, name, version in found] == [
        ("@modelcontextprotocol/inspector", None),
        ("a", "1.2"),
    ]
