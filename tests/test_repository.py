"""The tree holds nothing that belongs to one machine: no symlink out of the repository, no
absolute path of a machine's file system (a home or work directory)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THIS_FILE = Path(__file__).resolve()

# Folders made on a machine, never part of the tree (as .gitignore says).
MACHINE_FOLDERS = {".git", ".venv", "venv", "node_modules", ".npm-cache", "agents-venv", "cache"}
MACHINE_FOLDERS |= {"__pycache__", ".pytest_cache", ".ruff_cache", "dist", "build", "out"}

# Absolute paths that exist on one machine only: a home folder, root's home, a work tree.
MACHINE_PATH = re.compile(
    r"(?<![\w.~-])(/home/[a-z_][\w.-]*/|/Users/[\w.-]+/|/root/|/work/|[A-Za-z]:\\Users\\)"
)


def tree_files() -> list[Path]:
    """The files of the tree: git's tracked and new files, else every file outside machine folders."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        found: list[Path] = []
        for folder, subfolders, names in os.walk(ROOT):
            subfolders[:] = [name for name in subfolders if name not in MACHINE_FOLDERS]
            found += [Path(folder) / name for name in names]
        return found
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_the_tree_has_no_symlink_out_of_the_repository() -> None:
    outward = [
        f"{path.relative_to(ROOT)} -> {os.readlink(path)}"
        for path in tree_files()
        if path.is_symlink()
        and (Path(os.readlink(path)).is_absolute() or not path.resolve().is_relative_to(ROOT))
    ]
    assert outward == [], "a symlink to a place of one machine; remove it"


def test_the_tree_names_no_absolute_path_of_one_machine() -> None:
    found: list[str] = []
    for path in tree_files():
        if path == THIS_FILE or path.is_symlink() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (an image of the demo catalog)
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == [], "a path of one machine; use a relative path or a placeholder"


def test_the_machine_path_pattern_catches_what_it_is_for() -> None:
    assert MACHINE_PATH.search("ln -s /work/main/.venv .venv-main")
    assert MACHINE_PATH.search('"command": "/home/jane/.venv/bin/pimelo-mcp"')
    assert MACHINE_PATH.search("/Users/jane/Library/x")
    assert not MACHINE_PATH.search('"command": "/absolute/path/to/.venv/bin/pimelo-mcp"')
    assert not MACHINE_PATH.search("~/.local/state/pimelo-mcp/audit.jsonl")
