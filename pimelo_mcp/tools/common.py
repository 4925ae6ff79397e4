"""Parameter types and helpers shared by the tool modules.

Descriptions are short on purpose: `tools/list` is read on every turn. Locales and channels
carry no regex: translation checks them against the catalog, which refuses more clearly.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import BaseModel, ConfigDict, Field

from pimelo_mcp.tools.state import ToolState
from pimelo_mcp.translate import FilterCondition
from pimelo_mcp.translate.filters import OperatorWord

IDENTIFIER_PATTERN = r"^[A-Za-z0-9_.\-]{1,255}$"
CODE_PATTERN = r"^[a-z0-9_]{1,100}$"

# A pattern where the model writes a new key (it is the rule to follow); a reference to an
# existing record is checked against the catalog instead, with a clearer refusal.
NewIdentifier = Annotated[str, Field(description="Product SKU.", pattern=IDENTIFIER_PATTERN)]
NewCode = Annotated[str, Field(description="New code.", pattern=CODE_PATTERN)]
Identifier = Annotated[str, Field(description="Product SKU.")]
Code = Annotated[str, Field(description="Record code.")]
Locale = Annotated[str | None, Field(description="Default locale, e.g. en_US.")]
Channel = Annotated[str | None, Field(description="Default channel.")]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size.")]
Cursor = Annotated[str | None, Field(description="From next_cursor.")]
Query = Annotated[str | None, Field(description="Free text.")]
DryRun = Annotated[bool, Field(description="Preview only.")]
Full = Annotated[bool, Field(description="Raw API value form.")]
Codes = list[str]
Fields = Annotated[Codes | None, Field(description="Only these attributes.")]
Values = Annotated[
    dict[str, Any] | None,
    Field(
        description='By attribute code: "Trail Runner", {"fr_FR": "…"}, "129.90 EUR", "310 g"; null clears.'
    ),
]
ExpectedVersion = Annotated[int | None, Field(ge=1, description="Refuse if changed since.")]


class Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attribute: str
    op: OperatorWord
    value: Any = None  # a list for in, not_in, between; none for empty, not_empty
    locale: str | None = None
    channel: str | None = None

    def condition(self) -> FilterCondition:
        return FilterCondition(self.attribute, self.op, self.value, self.locale, self.channel)


Filters = Annotated[list[Filter] | None, Field(description="All must hold.", max_length=20)]


def state_of(ctx: Context[ToolState, Any]) -> ToolState:
    return ctx.request_context.lifespan_context


EntityType = Annotated[str, Field(description="e.g. brand.")]
ReadLocale = Annotated[str | None, Field(description="e.g. en_US.")]
