"""`say`: one line for the person who started a command, on stderr, in a single write."""

from __future__ import annotations

import sys


def say(line: str) -> None:
    """Write `line` and its newline to stderr at once.

    The workers of `serve --workers N` share their parent's stderr. When Python runs
    unbuffered (PYTHONUNBUFFERED, common in containers), `print` writes a line's text and
    its newline in two writes, and another worker's line could land between them: both
    lines then come out broken. One write of the whole line cannot be cut (a pipe keeps a
    write of up to 4 KiB in one piece).
    """
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
