"""list_channels: the channels, their locales and currencies — the context every other call needs."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel

from pimelo_mcp.tools.common import state_of
from pimelo_mcp.tools.registry import ToolOutput, tool
from pimelo_mcp.tools.state import ToolState


class ChannelView(BaseModel):
    code: str
    label: str | None = None
    locales: list[str]
    currencies: list[str]


class ChannelList(ToolOutput):
    channels: list[ChannelView]
    locales: list[str]  # every enabled locale

    def text(self) -> str:
        lines = [
            f"{c.code}: locales {', '.join(c.locales)}; currencies {', '.join(c.currencies)}"
            for c in self.channels
        ]
        return "\n".join([*lines, f"Enabled locales: {', '.join(self.locales)}"])


@tool(
    name="list_channels",
    title="List channels",
    scope="settings:read",
    read_only=True,
    destructive=False,
    idempotent=True,
)
async def list_channels(ctx: Context[ToolState, Any]) -> ChannelList:
    """Channels with their locales and currencies. Call first: other tools take these codes."""
    client = state_of(ctx).client
    channels = [
        ChannelView(
            code=channel.code,
            label=channel.labels.get("en_US") or next(iter(channel.labels.values()), None),
            locales=list(channel.locales),
            currencies=list(channel.currencies),
        )
        async for channel in client.channels.iterate(limit=100)
    ]
    locales = [locale.code async for locale in client.locales.iterate(enabled=True, limit=100)]
    return ChannelList(channels=channels, locales=locales)


TOOLS = [list_channels]
