"""What every tool declares beside its function: name, title, description, scope and annotations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mcp.types import ContentBlock, ToolAnnotations
from pydantic import BaseModel, ConfigDict


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
    needs: tuple[str, ...] = ()  # scopes it reads with too (definitions to translate values)

    @property
    def scopes(self) -> tuple[str, ...]:
        return (self.scope, *self.needs)

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            title=self.title,
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
) -> Callable[[Callable[..., Awaitable[Any]]], ToolSpec]:
    """Declare a tool; its description is the function's docstring (written for the model)."""

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
        )

    return declare


def markdown_table(specs: tuple[ToolSpec, ...] | list[ToolSpec]) -> str:
    """The README's tool table, generated from the registry (a test keeps the README in step)."""
    rows = ["| tool | scope | kind | what it does |", "|---|---|---|---|"]
    for spec in specs:
        kind = (
            "read"
            if spec.read_only
            else ("write" if not spec.destructive else "write (overwrites)")
        )
        first_sentence = spec.description.split(". ")[0].rstrip(".") + "."
        scopes = ", ".join(f"`{scope}`" for scope in spec.scopes)
        rows.append(f"| `{spec.name}` | {scopes} | {kind} | {first_sentence} |")
    return "\n".join(rows)
