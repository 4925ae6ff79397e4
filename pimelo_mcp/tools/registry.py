"""What every tool declares beside its function: name, title, description, scope and annotations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.types import ContentBlock, ToolAnnotations
from pydantic import BaseModel, ConfigDict

from pimelo_mcp.tools.catalog import Extra, by_part


class ToolOutput(BaseModel):
    """A tool's structured result; `text()` is the short rendering shown beside it."""

    model_config = ConfigDict(extra="forbid")

    def text(self) -> str:
        raise NotImplementedError

    def is_error(self) -> bool:
        """Whether the result is a failure as a whole (sent with `isError: true`)."""
        return False

    def content_blocks(self) -> list[ContentBlock]:
        """Content beyond the text rendering (search_media adds images)."""
        return []

    def result_meta(self) -> dict[str, Any] | None:
        """The result's `_meta` (a dry run's review, for a client with MCP Apps), if any."""
        return None


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its function and everything a client or the server needs to know about it."""

    fn: Callable[..., Awaitable[ToolOutput]]
    name: str
    title: str
    description: str
    scope: str  # the token scope the tool's own calls need, e.g. products:read
    read_only: bool
    destructive: bool  # may it lose data that exists? (merge-updates overwrite values: yes)
    idempotent: bool  # does repeating the same call change nothing more?
    open_world: bool = False  # does it reach beyond the Pimelo catalog (e.g. fetch a URL)?
    needs: tuple[str, ...] = ()  # scopes its common use reads with too (definitions of values)
    extras: tuple[Extra, ...] = ()  # scopes that only some parts of it use
    switch: str | None = None  # the setting that lists it (None: always listed)
    # Does tools/list carry its output schema? Reads do: a client chains their results into
    # other calls. A write's result reports on what the caller sent, said in full by its text;
    # its schema would cost every turn about 150 tokens (docs/performance.md).
    declares_output: bool = True
    # `_meta` of its tools/list entry (the review pane's `ui.resourceUri` on the writes).
    meta: Mapping[str, Any] | None = None

    def extra(self, scope: str) -> Extra | None:
        """What `scope` adds to this tool, when it is one of its extras."""
        return next((extra for extra in self.extras if extra.scope == scope), None)

    @property
    def scopes(self) -> tuple[str, ...]:
        return (self.scope, *self.needs)

    @property
    def annotations(self) -> ToolAnnotations:
        # No title here: the tool's own title says it, and clients prefer that one.
        return ToolAnnotations(
            read_only_hint=self.read_only,
            destructive_hint=self.destructive,
            idempotent_hint=self.idempotent,
            open_world_hint=self.open_world,
        )


def tool(
    *,
    name: str,
    title: str,
    scope: str,
    read_only: bool,
    destructive: bool,
    idempotent: bool,
    open_world: bool = False,
    needs: tuple[str, ...] = (),
    extras: Mapping[str, str] | None = None,
    switch: str | None = None,
    declares_output: bool = True,
    meta: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], ToolSpec]:
    """Declare a tool; its description is the function's docstring (written for the model).

    `scope` and `needs` are what its common use cannot do without: the tool is listed only
    when the token has them all. `extras` maps each other scope a part of it uses to that
    part; the tool must work without it, but for that part.
    """

    def declare(fn: Callable[..., Awaitable[Any]]) -> ToolSpec:
        description = " ".join((fn.__doc__ or "").split())
        if not description:
            raise ValueError(
                f"tool {name} needs a docstring: it is the description the model reads"
            )
        return ToolSpec(
            fn=fn,
            name=name,
            title=title,
            description=description,
            scope=scope,
            read_only=read_only,
            destructive=destructive,
            idempotent=idempotent,
            open_world=open_world,
            needs=needs,
            extras=tuple(Extra(scope, part) for scope, part in (extras or {}).items()),
            switch=switch,
            declares_output=declares_output,
            meta=meta,
        )

    return declare


def markdown_table(specs: tuple[ToolSpec, ...] | list[ToolSpec]) -> str:
    """The README's tool table, generated from the registry (a test keeps the README in step)."""
    rows = [
        "| tool | scopes it needs | kind | what it does | a part of it also uses |",
        "|---|---|---|---|---|",
    ]
    for spec in specs:
        kind = (
            "read"
            if spec.read_only
            else ("write" if not spec.destructive else "write (overwrites)")
        )
        first_sentence = spec.description.split(". ")[0].rstrip(".") + "."
        scopes = ", ".join(f"`{scope}`" for scope in spec.scopes)
        extras = (
            "; ".join(
                f"{', '.join(f'`{scope}`' for scope in scopes)}: {part}"
                for scopes, part in by_part(spec.extras)
            )
            or "—"
        )
        rows.append(f"| `{spec.name}` | {scopes} | {kind} | {first_sentence} | {extras} |")
    return "\n".join(rows)
