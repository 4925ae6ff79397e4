"""The audit journal: one JSON line per write the server makes, so a person can see and undo it.

Each line says when, which API (its base URL), which tool, which record, the fields before
and after (only those the write touched) and the versions; when a signed-in user's call made
the write, also the Pimelo user and the OAuth client that acted for them (never a token).
A write a person approved in the review pane also says so (`approved`) with the review's
id. Lines are appended with one `write` call each, so
concurrent tool calls never interleave within a line.
"""

from __future__ import annotations

import copy
import json
import logging
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def default_audit_path(env: Mapping[str, str] = os.environ) -> Path:
    """`$XDG_STATE_HOME/pimelo-mcp/audit.jsonl`, i.e. `~/.local/state/pimelo-mcp/audit.jsonl` by default."""
    state_home = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state_home) / "pimelo-mcp" / "audit.jsonl"


class AuditJournal:
    """Appends write records to a JSONL file; `path=None` keeps no journal."""

    def __init__(self, path: Path | None, *, api: str) -> None:
        self.path = path
        self.api = api  # the base URL written to: one journal may see several APIs
        self.user: str | None = None  # the Pimelo user a signed-in call acts as
        self.client: str | None = None  # the OAuth client that acts for that user
        self.approval: dict[str, str] | None = None  # where a person approved these writes

    def acting_as(self, *, user: str | None, client: str | None) -> AuditJournal:
        """This journal, naming `user` and `client` on each line it writes."""
        if user is None and client is None and self.user is None and self.client is None:
            return self
        named = copy.copy(self)
        named.user, named.client = user, client
        return named

    def approved(self, *, by: str, review: str) -> AuditJournal:
        """This journal, saying on each line that a person approved the write (`by`: where)
        and which review they approved (its handle's id)."""
        named = copy.copy(self)
        named.approval = {"approved": by, "review": review}
        return named

    def check_writable(self) -> None:
        """Create the journal's folder and file now, so a bad path fails at start, not after a write."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)

    def record(
        self,
        *,
        tool: str,
        target: Mapping[str, str],
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        version_before: int | None,
        version_after: int | None,
        outcome: str = "applied",
    ) -> None:
        """One line; `outcome` is "applied", or "unknown" for a write whose answer was lost
        and whose effect could not be read back (`after` is then what it would have set)."""
        if self.path is None:
            return
        line = json.dumps(
            {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "api": self.api,
                "tool": tool,
                "target": dict(target),
                "before": before,
                "after": after,
                "version_before": version_before,
                "version_after": version_after,
                **({"user": self.user} if self.user is not None else {}),
                **({"client": self.client} if self.client is not None else {}),
                **(self.approval or {}),
                "outcome": outcome,
            },
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        except OSError as error:
            # The write to Pimelo already happened; losing its trace must at least be loud.
            logger.error("could not append to the audit journal %s: %s", self.path, error)
