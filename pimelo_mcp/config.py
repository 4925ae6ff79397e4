"""The server's settings: read from `PIMELO_*` environment variables, overridden by CLI flags.

The only module that reads the environment. The token is kept out of every repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pimelo_mcp.audit import default_audit_path
from pimelo_mcp.client import DEFAULT_BASE_URL

ENV_TOKEN = "PIMELO_API_TOKEN"
ENV_BASE_URL = "PIMELO_BASE_URL"
ENV_READ_ONLY = "PIMELO_READ_ONLY"
ENV_AUDIT_LOG = "PIMELO_AUDIT_LOG"
ENV_UPLOAD_DIRS = "PIMELO_UPLOAD_DIRS"
ENV_LOG_LEVEL = "PIMELO_LOG_LEVEL"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting that cannot work; the message names the variable or flag and a fix."""


def parse_bool(name: str, text: str) -> bool:
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no); got {text!r}")


@dataclass(frozen=True)
class Settings:
    """Everything the MCP server is told at start."""

    api_token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    read_only: bool = False
    audit_path: Path | None = field(default_factory=default_audit_path)  # None: no journal
    upload_dirs: tuple[Path, ...] = ()  # folders upload_media may read files from
    log_level: str = "WARNING"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        audit = env.get(ENV_AUDIT_LOG)
        level = env.get(ENV_LOG_LEVEL, "WARNING").strip().upper()
        if level not in LOG_LEVELS:
            raise ConfigError(
                f"{ENV_LOG_LEVEL} must be one of {', '.join(LOG_LEVELS)}; got {level!r}"
            )
        return cls(
            api_token=(env.get(ENV_TOKEN) or "").strip() or None,
            base_url=(env.get(ENV_BASE_URL) or "").strip() or DEFAULT_BASE_URL,
            read_only=parse_bool(ENV_READ_ONLY, env.get(ENV_READ_ONLY, "")),
            audit_path=(
                default_audit_path(env)
                if audit is None or not audit.strip()
                else None
                if audit.strip().lower() == "off"
                else Path(audit.strip()).expanduser()
            ),
            upload_dirs=tuple(
                Path(part).expanduser().resolve()
                for part in env.get(ENV_UPLOAD_DIRS, "").split(os.pathsep)
                if part.strip()
            ),
            log_level=level,
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """These settings with the given fields replaced (CLI flags); None means "not given"."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def require_token(self) -> str:
        if not self.api_token:
            raise ConfigError(
                f"No Pimelo API token: set {ENV_TOKEN} (create a token in Pimelo under "
                "Settings > API Tokens), or try the local sandbox: `pimelo-mcp sandbox`."
            )
        return self.api_token
