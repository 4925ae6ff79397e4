"""The server's settings: read from `PIMELO_*` environment variables, overridden by CLI flags.

The only module that reads the environment. The token is kept out of every repr.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pimelo_mcp.audit import default_audit_path
from pimelo_mcp.client import DEFAULT_BASE_URL

ENV_TOKEN = "PIMELO_API_TOKEN"
ENV_BASE_URL = "PIMELO_BASE_URL"
ENV_READ_ONLY = "PIMELO_READ_ONLY"
ENV_AUDIT_LOG = "PIMELO_AUDIT_LOG"
ENV_UPLOAD_DIRS = "PIMELO_UPLOAD_DIRS"
ENV_LOG_LEVEL = "PIMELO_LOG_LEVEL"
ENV_CALL_DEADLINE = "PIMELO_CALL_DEADLINE"

# Most MCP clients give up on a tool call after 60 s; a call that ends on its own before
# that can still say what it knows (written, refused, or outcome unknown and what to read).
DEFAULT_CALL_DEADLINE_SECONDS = 40.0
MIN_CALL_DEADLINE_SECONDS = 0.1
MAX_CALL_DEADLINE_SECONDS = 3600.0

ENV_CLIENT_POOL_SIZE = "PIMELO_MCP_CLIENT_POOL_SIZE"
ENV_CLIENT_IDLE_SECONDS = "PIMELO_MCP_CLIENT_IDLE_SECONDS"

# Signed-in users whose Pimelo client (and definition caches) stay open at once, and how long
# an unused one stays open: enough for a team, small enough that caches cannot grow unbounded.
DEFAULT_CLIENT_POOL_SIZE = 100
DEFAULT_CLIENT_IDLE_SECONDS = 600.0
ENV_REVIEW_MINUTES = "PIMELO_MCP_REVIEW_MINUTES"
# How long a dry run's review (its confirmation handle) can be approved in the review pane:
# long enough to read 100 items, short enough that a forgotten review does not stay live.
DEFAULT_REVIEW_MINUTES = 15.0
MAX_REVIEW_MINUTES = 24 * 60.0
ENV_APP_URL = "PIMELO_APP_URL"
ENV_CHATGPT_SEARCH = "PIMELO_MCP_CHATGPT_SEARCH"

# Where a person opens a product in Pimelo's web app (an assumption: see docs/pimelo-api.md).
DEFAULT_APP_URL = "https://www.pimelo.app/products/{identifier}"
APP_URL_FIELD = "{identifier}"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def redacted_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class ConfigError(ValueError):
    """A setting that cannot work; the message names the variable or flag and a fix."""


def parse_bool(name: str, text: str) -> bool:
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no); got {text!r}")


def parse_positive(name: str, text: str | None, default: float, *, whole: bool = False) -> float:
    """A number > 0 from the environment (`default` when unset); `whole` refuses fractions."""
    if text is None or not text.strip():
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {kind} greater than 0; got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name} must be greater than 0 and finite; got {text!r}")
    return value


def check_app_url(template: str) -> None:
    """Refuse an app URL template that could not make a product's link."""
    if not template.startswith(("https://", "http://")) or APP_URL_FIELD not in template:
        raise ConfigError(
            f"{ENV_APP_URL} must be an http(s) URL with {APP_URL_FIELD} where the product's "
            f"identifier goes, e.g. {DEFAULT_APP_URL}; got {template!r}"
        )
    rest = template.replace(APP_URL_FIELD, "")
    if "{" in rest or "}" in rest:
        raise ConfigError(
            f"{ENV_APP_URL} may hold only the field {APP_URL_FIELD}; got {template!r}"
        )


@dataclass(frozen=True)
class Settings:
    """Everything the MCP server is told at start."""

    api_token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    read_only: bool = False
    audit_path: Path | None = field(default_factory=default_audit_path)  # None: no journal
    upload_dirs: tuple[Path, ...] = ()  # folders upload_media may read files from
    log_level: str = "WARNING"
    client_pool_size: int = DEFAULT_CLIENT_POOL_SIZE  # signed-in users' clients kept open at once
    client_idle_seconds: float = DEFAULT_CLIENT_IDLE_SECONDS  # an unused user's client closes after
    # Wall-clock bound of one tool call: every request, wait, retry and byte within it.
    call_deadline_seconds: float = DEFAULT_CALL_DEADLINE_SECONDS
    chatgpt_search: bool = False  # add ChatGPT's `search` and `fetch` to the tools
    app_url: str = DEFAULT_APP_URL  # a product's page in Pimelo, `{identifier}` filled in
    review_minutes: float = DEFAULT_REVIEW_MINUTES  # a review pane's handle expires after

    def __post_init__(self) -> None:
        check_app_url(self.app_url)
        if not 0 < self.review_minutes <= MAX_REVIEW_MINUTES:
            raise ConfigError(
                f"a review lasts from a fraction of a minute up to {MAX_REVIEW_MINUTES:.0f} "
                f"minutes ({ENV_REVIEW_MINUTES}); got {self.review_minutes}"
            )
        seconds = self.call_deadline_seconds
        if not MIN_CALL_DEADLINE_SECONDS <= seconds <= MAX_CALL_DEADLINE_SECONDS:
            raise ConfigError(
                f"the call deadline must be from {MIN_CALL_DEADLINE_SECONDS} to "
                f"{MAX_CALL_DEADLINE_SECONDS:.0f} seconds ({ENV_CALL_DEADLINE}); got {seconds}"
            )

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
            client_pool_size=int(
                parse_positive(
                    ENV_CLIENT_POOL_SIZE,
                    env.get(ENV_CLIENT_POOL_SIZE),
                    DEFAULT_CLIENT_POOL_SIZE,
                    whole=True,
                )
            ),
            client_idle_seconds=parse_positive(
                ENV_CLIENT_IDLE_SECONDS,
                env.get(ENV_CLIENT_IDLE_SECONDS),
                DEFAULT_CLIENT_IDLE_SECONDS,
            ),
            call_deadline_seconds=parse_positive(
                ENV_CALL_DEADLINE, env.get(ENV_CALL_DEADLINE), DEFAULT_CALL_DEADLINE_SECONDS
            ),
            chatgpt_search=parse_bool(ENV_CHATGPT_SEARCH, env.get(ENV_CHATGPT_SEARCH, "")),
            app_url=(env.get(ENV_APP_URL) or "").strip() or DEFAULT_APP_URL,
            review_minutes=parse_positive(
                ENV_REVIEW_MINUTES, env.get(ENV_REVIEW_MINUTES), DEFAULT_REVIEW_MINUTES
            ),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """These settings with the given fields replaced (CLI flags); None means "not given"."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def require_token(self) -> str:
        if not self.api_token:
            raise ConfigError(
                f"No Pimelo API token: set {ENV_TOKEN} (create a token in Pimelo under "
                "Settings > API Tokens), or try it without an account: add --sandbox (an "
                "embedded demo catalog), or run the local API with `pimelo-mcp sandbox`."
            )
        return self.api_token


# -- the HTTP transport ------------------------------------------------------------------

ENV_HTTP_API_KEYS = "PIMELO_MCP_API_KEYS"
ENV_HTTP_API_KEYS_FILE = "PIMELO_MCP_API_KEYS_FILE"
ENV_HTTP_ALLOWED_HOSTS = "PIMELO_MCP_ALLOWED_HOSTS"
ENV_HTTP_ALLOWED_ORIGINS = "PIMELO_MCP_ALLOWED_ORIGINS"
ENV_HTTP_HOST = "PIMELO_MCP_HOST"
ENV_HTTP_PORT = "PIMELO_MCP_PORT"
ENV_WORKERS = "PIMELO_MCP_WORKERS"
# Set by `--workers N` for each worker it starts: the inherited listening socket, its number.
ENV_WORKER_SOCKET = "PIMELO_MCP_WORKER_SOCKET_FD"
ENV_WORKER_INDEX = "PIMELO_MCP_WORKER_INDEX"
ENV_WORKER_RESTARTED = "PIMELO_MCP_WORKER_RESTARTED"  # "1": started again after one died
MAX_WORKERS = 64

DEFAULT_HTTP_HOST = "127.0.0.1"
DEFAULT_HTTP_PORT = 8000
MIN_API_KEY_LENGTH = 16
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def read_api_key_file(path: Path) -> tuple[str, ...]:
    """One key per line; blank lines and lines starting with # are skipped."""
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the API key file {str(path)!r}: {error.strerror}") from None
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def parse_workers(text: str | None, source: str) -> int:
    """A worker count from 1 to MAX_WORKERS; empty means 1."""
    text = (text or "").strip()
    if not text:
        return 1
    try:
        workers = int(text)
    except ValueError:
        workers = 0
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(
            f"{source} must be a whole number of processes from 1 to {MAX_WORKERS} (about one "
            f"per CPU core); got {text!r}"
        )
    return workers


@dataclass(frozen=True)
class HttpSettings:
    """How the streamable HTTP transport listens and whom it lets in."""

    host: str = DEFAULT_HTTP_HOST
    port: int = DEFAULT_HTTP_PORT
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    allowed_hosts: tuple[str, ...] = ()  # Host header values beyond the loopback names
    allowed_origins: tuple[str, ...] = ()  # Origin header values beyond the loopback origins
    no_auth: bool = False  # only honoured on a loopback bind
    workers: int = 1  # processes serving the one listening socket

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> HttpSettings:
        keys = _split_list(env.get(ENV_HTTP_API_KEYS, ""))
        key_file = (env.get(ENV_HTTP_API_KEYS_FILE) or "").strip()
        if key_file:
            keys += read_api_key_file(Path(key_file))
        port_text = (env.get(ENV_HTTP_PORT) or "").strip()
        try:
            port = int(port_text) if port_text else DEFAULT_HTTP_PORT
        except ValueError:
            raise ConfigError(f"{ENV_HTTP_PORT} must be a port number; got {port_text!r}") from None
        return cls(
            host=(env.get(ENV_HTTP_HOST) or "").strip() or DEFAULT_HTTP_HOST,
            port=port,
            api_keys=keys,
            allowed_hosts=_split_list(env.get(ENV_HTTP_ALLOWED_HOSTS, "")),
            allowed_origins=_split_list(env.get(ENV_HTTP_ALLOWED_ORIGINS, "")),
            workers=parse_workers(env.get(ENV_WORKERS), ENV_WORKERS),
        )

    def with_overrides(self, **changes: Any) -> HttpSettings:
        """These settings with the given fields replaced (CLI flags); None means "not given"."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def validate(self, *, oauth: bool = False) -> None:
        """Refuse what would run open by accident or cannot listen.

        With OAuth, clients sign in, so API keys are optional (they add static clients)."""
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"the port must be from 0 to 65535; got {self.port}")
        short = [key for key in self.api_keys if len(key) < MIN_API_KEY_LENGTH]
        if short:
            raise ConfigError(
                f"an API key must be at least {MIN_API_KEY_LENGTH} characters (one is "
                f"{len(short[0])}); make one with: python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))'"
            )
        if any(not key.isprintable() or " " in key for key in self.api_keys):
            raise ConfigError("an API key must not contain spaces or control characters")
        if self.no_auth and oauth:
            raise ConfigError("--no-auth and --oauth exclude each other; give one or the other")
        if self.no_auth and self.api_keys:
            raise ConfigError("--no-auth and API keys exclude each other; give one or the other")
        if self.no_auth and not is_loopback(self.host):
            raise ConfigError(
                f"--no-auth is only allowed on a loopback address (127.0.0.1, ::1, localhost), "
                f"not {self.host!r}: anyone who can reach the port would use your Pimelo token. "
                f"Set {ENV_HTTP_API_KEYS} (or --api-key / {ENV_HTTP_API_KEYS_FILE}) instead."
            )
        if not self.no_auth and not self.api_keys and not oauth:
            raise ConfigError(
                f"the HTTP transport requires client authentication: set {ENV_HTTP_API_KEYS} "
                f"(comma-separated keys) or {ENV_HTTP_API_KEYS_FILE} (one key per line), or pass "
                "--api-key; clients then send 'Authorization: Bearer <key>'. For ChatGPT and "
                "Claude connectors, add --oauth --public-url https://<your host>. For a local test "
                "only, --no-auth runs without keys on 127.0.0.1."
            )


# -- OAuth for remote connectors ---------------------------------------------------------

ENV_OAUTH = "PIMELO_MCP_OAUTH"
ENV_PUBLIC_URL = "PIMELO_MCP_PUBLIC_URL"
ENV_STORE = "PIMELO_MCP_STORE"
ENV_SECRET_KEY = "PIMELO_MCP_SECRET_KEY"
ENV_ALLOWED_REDIRECTS = "PIMELO_MCP_ALLOWED_REDIRECTS"
# Tests only: client metadata documents are fetched from this http origin, unguarded.
ENV_TEST_CIMD_ORIGIN = "PIMELO_MCP_INSECURE_TEST_CIMD_ORIGIN"


def is_redis_url(location: str) -> bool:
    """A store location naming Redis (else it is a SQLite file's path)."""
    return location.startswith(("redis://", "rediss://", "unix://"))


def default_store_path(env: Mapping[str, str] = os.environ) -> Path:
    """`$XDG_STATE_HOME/pimelo-mcp/oauth.sqlite3`, beside the audit journal."""
    return default_audit_path(env).with_name("oauth.sqlite3")


def check_public_url(text: str) -> str:
    """The public URL as the issuer: https://host[:port], no path; loopback http for local use."""

    url = text.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  # raises on a malformed port
    except ValueError:
        parts, host = None, ""
    fix = (
        f"give the address clients reach this server at, e.g. --public-url "
        f"https://mcp.example.com ({ENV_PUBLIC_URL})"
    )
    if parts is None or not host or parts.scheme not in ("https", "http"):
        raise ConfigError(f"the public URL {text!r} is not an http(s) URL; {fix}")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"the public URL {text!r} must be https (OAuth sends codes and tokens through it); "
            "only a loopback address may use http, for local tests"
        )
    if parts.path or parts.query or parts.fragment or parts.username is not None:
        raise ConfigError(
            f"the public URL {text!r} must be only scheme, host and port (the server serves "
            f"/mcp and the OAuth endpoints at its root); {fix}"
        )
    return url


@dataclass(frozen=True)
class OAuthSettings:
    """OAuth 2.1 sign-in for remote connectors (ChatGPT, Claude): --oauth and its companions."""

    enabled: bool = False
    public_url: str | None = None
    store_path: Path = field(default_factory=default_store_path)
    # Redis for several replicas (redis://host:6379/0); None: the SQLite file at store_path.
    store_url: str | None = field(default=None, repr=False)  # may hold a password
    store_given: bool = False  # --store or PIMELO_MCP_STORE named one (else the default file)
    secret_key: str | None = field(default=None, repr=False)
    allowed_redirects: tuple[str, ...] = ()
    # Test harnesses only: client metadata documents from this loopback origin skip the
    # public-address guard (a test serves them on loopback). Anything but loopback is refused,
    # so the setting can never open the guard to another machine.
    test_cimd_origin: str | None = None

    def __post_init__(self) -> None:
        if self.test_cimd_origin is not None:
            host = urlsplit(self.test_cimd_origin).hostname or ""
            if not is_loopback(host):
                raise ConfigError(
                    f"{ENV_TEST_CIMD_ORIGIN} is for test harnesses and takes a loopback origin "
                    f"only (e.g. http://127.0.0.1:8123); got {self.test_cimd_origin!r}. Unset it."
                )

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> OAuthSettings:
        store = (env.get(ENV_STORE) or "").strip()
        return cls(
            enabled=parse_bool(ENV_OAUTH, env.get(ENV_OAUTH, "")),
            public_url=(env.get(ENV_PUBLIC_URL) or "").strip() or None,
            store_path=Path(store).expanduser()
            if store and not is_redis_url(store)
            else default_store_path(env),
            store_url=store if is_redis_url(store) else None,
            store_given=bool(store),
            secret_key=(env.get(ENV_SECRET_KEY) or "").strip() or None,
            allowed_redirects=_split_list(env.get(ENV_ALLOWED_REDIRECTS, "")),
            test_cimd_origin=(env.get(ENV_TEST_CIMD_ORIGIN) or "").strip() or None,
        )

    def with_overrides(self, **changes: Any) -> OAuthSettings:
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def with_store(self, location: str | None) -> OAuthSettings:
        """These settings with the store `location` (--store) given: a Redis URL or a path."""
        if not location or not location.strip():
            return self
        location = location.strip()
        if is_redis_url(location):
            return replace(self, store_url=location, store_given=True)
        return replace(
            self, store_path=Path(location).expanduser(), store_url=None, store_given=True
        )

    def store_name(self) -> str:
        """The store as messages name it (a Redis URL without its password)."""
        if self.store_url is None:
            return str(self.store_path)

        return redacted_url(self.store_url)

    def issuer(self) -> str:
        """The checked public URL: the issuer, byte for byte."""
        if not self.public_url:
            raise ConfigError(
                f"--oauth needs the public URL clients reach this server at: --public-url "
                f"https://mcp.example.com (or {ENV_PUBLIC_URL})"
            )
        return check_public_url(self.public_url)

    def validate(self) -> None:
        self.issuer()
        from pimelo_mcp.oauth.redirects import refusal

        for uri in self.allowed_redirects:
            if not uri.startswith("https://"):
                raise ConfigError(
                    f"an allowed redirect must be an https URL (loopback is always allowed); got "
                    f"{uri!r} ({ENV_ALLOWED_REDIRECTS} / --allowed-redirect)"
                )
            reason = refusal(uri, (uri,))
            if reason is not None:
                raise ConfigError(f"--allowed-redirect {uri!r}: {reason}")
