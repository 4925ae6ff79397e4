"""`pimelo-mcp check`: is this configuration usable, and what does its token unlock?

One `GET /me` tells whether the base URL answers, whether the token is accepted, its
scopes, and the rate-limit headers. The report names the tools the token unlocks (with
what each still lacks: the parts another scope would add) and the scope each other tool
misses. The token itself is never printed.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import httpx2

from pimelo_mcp.client import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    Me,
    NotFoundError,
    PimeloClient,
    PimeloError,
)
from pimelo_mcp.config import Settings
from pimelo_mcp.tools.catalog import (
    CatalogEntry,
    by_part,
    load_catalog,
    missing_extras,
    missing_scopes,
    select_tools,
)


def lacking_lines(tool: CatalogEntry, scopes: Collection[str] | None, *, indent: int) -> list[str]:
    """One line per scope a usable tool would gain a part with: `+ scope: the part`."""
    return [
        f"{'':<{indent}}+ {', '.join(needs)}: {part}"
        for needs, part in by_part(missing_extras(tool, scopes))
    ]


@dataclass(frozen=True)
class RateLimitSeen:
    """What the answer's X-RateLimit-* headers (and /me's body) said."""

    headers: bool  # did the answer carry X-RateLimit-* headers?
    limit: int | None = None
    remaining: int | None = None
    window_seconds: int | None = None


@dataclass(frozen=True)
class CheckReport:
    base_url: str
    problem: str | None = None  # why it is not usable; None when it is
    elapsed_ms: float | None = None  # how long GET /me took, when it answered
    me: Me | None = None
    rate_limit: RateLimitSeen | None = None
    read_only: bool = False
    unlocked: tuple[CatalogEntry, ...] = ()
    locked: tuple[CatalogEntry, ...] = ()  # tools the token's scopes do not allow
    hidden: tuple[CatalogEntry, ...] = ()  # write tools hidden by read-only mode
    notes: tuple[str, ...] = field(default=())

    @property
    def usable(self) -> bool:
        return self.problem is None and bool(self.unlocked)

    def render(self) -> str:
        lines = [f"Pimelo API: {self.base_url}"]
        if self.me is None:
            lines.append(f"  FAIL  {self.problem}")
            lines.append("Not usable.")
            return "\n".join(lines)
        me = self.me
        lines.append(f"  ok    reachable: GET /me answered in {self.elapsed_ms:.0f} ms")
        who = [f'token "{me.token.name}"' if me.token.name else "token"]
        if me.organization.name:
            who.append(f"of {me.organization.name}")
        if me.user.email or me.user.name:
            who.append(f"(user {me.user.email or me.user.name})")
        lines.append(f"  ok    token accepted: {' '.join(who)}")
        if me.token.expires_at is not None:
            lines.append(f"        expires {me.token.expires_at.isoformat()}")
        scopes = ", ".join(sorted(me.token.scopes)) or "none"
        lines.append(f"  {'ok  ' if me.token.scopes else 'FAIL'}  scopes: {scopes}")
        lines.append(
            f"  {'ok  ' if self._rate_limit_ok() else 'warn'}  rate limit: {self._rate_limit_text()}"
        )
        total = len(self.unlocked) + len(self.locked) + len(self.hidden)
        lines.append("")
        lines.append(f"Tools this token unlocks ({len(self.unlocked)} of {total}):")
        tools = (*self.unlocked, *self.locked, *self.hidden)
        width = max((len(tool.name) for tool in tools), default=0)
        for tool in self.unlocked:
            kind = "read " if tool.read_only else "write"
            lines.append(f"  {tool.name:<{width}}  {kind}  {', '.join(tool.scopes)}")
            lines.extend(lacking_lines(tool, me.token.scopes, indent=width + 11))
        more = sorted(
            {
                extra.scope
                for tool in self.unlocked
                for extra in missing_extras(tool, me.token.scopes)
            }
        )
        if more:
            lines.append(
                f"  (+ a part another scope adds; for them add to the token: {', '.join(more)})"
            )
        if self.locked:
            lines.append(f"Locked: missing scopes ({len(self.locked)}):")
            for tool in self.locked:
                missing = missing_scopes(tool, me.token.scopes)
                lines.append(f"  {tool.name:<{width}}  needs {', '.join(missing)}")
            every_missing = sorted(
                {scope for tool in self.locked for scope in missing_scopes(tool, me.token.scopes)}
            )
            lines.append(f"  add to the token: {', '.join(every_missing)}")
        if self.hidden:
            lines.append(
                f"Hidden by read-only mode (PIMELO_READ_ONLY / --read-only): "
                f"{', '.join(tool.name for tool in self.hidden)}"
            )
        lines.extend(self.notes)
        lines.append("")
        if self.usable:
            lines.append(f"Usable: {len(self.unlocked)} of {total} tools.")
        else:
            lines.append(f"Not usable: {self.problem or 'the token unlocks no tool'}.")
        return "\n".join(lines)

    def _rate_limit_ok(self) -> bool:
        return self.rate_limit is not None and self.rate_limit.headers

    def _rate_limit_text(self) -> str:
        seen = self.rate_limit
        if seen is None or (not seen.headers and seen.limit is None):
            return "none announced (no X-RateLimit-* headers; requests are not paced)"
        parts: list[str] = []
        if seen.limit is not None:
            window = f" per {seen.window_seconds} s" if seen.window_seconds else ""
            parts.append(f"{seen.limit} requests{window}")
        if seen.remaining is not None:
            parts.append(f"{seen.remaining} left in this window")
        if not seen.headers:
            parts.append("from /me only: the answer carried no X-RateLimit-* headers")
        return ", ".join(parts)


def _failure(error: Exception, base_url: str) -> str:
    if isinstance(error, AuthenticationError):
        return (
            "Pimelo refused the token (unknown, revoked or expired): create a new one in "
            "Pimelo (Settings > API Tokens) and set PIMELO_API_TOKEN"
        )
    if isinstance(error, APITimeoutError):
        return f"{base_url} did not answer in time; check the network or Pimelo's status"
    if isinstance(error, APIConnectionError):
        return (
            f"cannot reach {base_url} ({type(error.__cause__ or error).__name__}); check "
            "PIMELO_BASE_URL and the network"
        )
    if isinstance(error, NotFoundError):
        return f"no Pimelo API at {base_url} (GET /me answered 404); check PIMELO_BASE_URL"
    if isinstance(error, APIStatusError):
        return f"GET /me answered HTTP {error.status_code}: {error}"
    if isinstance(error, PimeloError):
        return str(error)
    return f"the answer to GET /me is not Pimelo's ({type(error).__name__}); check PIMELO_BASE_URL"


async def run_check(
    settings: Settings,
    *,
    http_client: httpx2.AsyncClient | None = None,
    tools: Sequence[CatalogEntry] | None = None,
) -> CheckReport:
    """Call GET /me once and build the report (never raises for a Pimelo-side problem)."""
    try:
        client = PimeloClient(
            settings.base_url, settings.require_token(), http_client=http_client, max_retries=1
        )
    except PimeloError as error:
        return CheckReport(base_url=settings.base_url, problem=str(error))
    async with client:
        started = time.perf_counter()
        try:
            me = await client.me.retrieve()
        except (PimeloError, ValueError) as error:
            return CheckReport(base_url=client.base_url, problem=_failure(error, client.base_url))
        elapsed_ms = (time.perf_counter() - started) * 1000
        limiter = client.rate_limiter
        seen = RateLimitSeen(
            headers=bool(limiter.paced),
            limit=limiter.limit
            if limiter.limit is not None
            else (me.rate_limit.limit if me.rate_limit else None),
            remaining=limiter.remaining,
            window_seconds=me.rate_limit.window_seconds if me.rate_limit else None,
        )
    tools = load_catalog(chatgpt_search=settings.chatgpt_search) if tools is None else tools
    scopes = frozenset(me.token.scopes)
    allowed = select_tools(tools, scopes=scopes, read_only=False)
    unlocked = select_tools(allowed, scopes=scopes, read_only=settings.read_only)
    problem = None
    if not scopes:
        problem = "the token has no scopes"
    elif not unlocked:
        problem = "the token's scopes unlock none of the tools"
    return CheckReport(
        base_url=client.base_url,
        problem=problem,
        elapsed_ms=elapsed_ms,
        me=me,
        rate_limit=seen,
        read_only=settings.read_only,
        unlocked=tuple(unlocked),
        locked=tuple(tool for tool in tools if tool not in allowed),
        hidden=tuple(tool for tool in allowed if tool not in unlocked),
    )
