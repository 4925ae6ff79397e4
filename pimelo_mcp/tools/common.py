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
# A parameter whose name says all (query, limit, cursor, dry_run, locale, code…) carries no
# description: tests/tools/test_registry.py lists each such name and why it is enough.
NewIdentifier = Annotated[str, Field(description="Product SKU.", pattern=IDENTIFIER_PATTERN)]
NewCode = Annotated[str, Field(pattern=CODE_PATTERN)]
Identifier = str
Code = str
Locale = str | None  # codes from list_channels, whose description says other tools take them
Channel = str | None
Limit = Annotated[int, Field(ge=1, le=100)]
Cursor = str | None
Query = str | None
DryRun = bool
Full = Annotated[bool, Field(description="Raw API value form.")]
Codes = list[str]
Fields = Codes | None
Values = Annotated[
    dict[str, Any] | None,
    Field(
        # Single quotes and bare keys: JSON would escape every double quote, at a token each.
        description="By attribute code, as a person writes them: 'Trail Runner' (the call's "
        "locale and channel), {fr_FR: …}, {ecommerce: {de_DE: …}}, '129.90 EUR', '310 g', "
        "option labels, brand names; null clears."
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


EntityType = str
ReadLocale = Locale
