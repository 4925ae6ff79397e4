"""Typed records of the Pimelo API; each tolerates fields the service may add later."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Attribute",
    "AttributeOption",
    "AttributeSet",
    "BulkItemResult",
    "BulkResult",
    "Category",
    "Channel",
    "Completeness",
    "Entity",
    "EntityType",
    "Locale",
    "Me",
    "MeOrganization",
    "MeRateLimit",
    "MeToken",
    "MeUser",
    "Media",
    "Page",
    "Product",
    "ProductStatus",
    "Value",
]

T = TypeVar("T")

ProductStatus = Literal["draft", "active", "archived"]


class PimeloModel(BaseModel):
    """Base of every record: extra fields the service adds are kept, not refused.

    Validators are built at a model's first use, not at import: the stdio server's start-up
    reads only `Me`.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class MeToken(PimeloModel):
    name: str | None = None
    prefix: str | None = None
    scopes: list[str] = Field(default_factory=list[str])
    expires_at: datetime | None = None


class MeUser(PimeloModel):
    id: str | int | None = None
    email: str | None = None
    name: str | None = None


class MeOrganization(PimeloModel):
    id: str | int | None = None
    name: str | None = None


class MeRateLimit(PimeloModel):
    limit: int
    window_seconds: int


class Me(PimeloModel):
    """Who the token is: its scopes, user, organization and rate limit."""

    token: MeToken = Field(default_factory=MeToken)
    user: MeUser = Field(default_factory=MeUser)
    organization: MeOrganization = Field(default_factory=MeOrganization)
    rate_limit: MeRateLimit | None = None


class Channel(PimeloModel):
    code: str
    labels: dict[str, str] = Field(default_factory=dict[str, str])
    locales: list[str] = Field(default_factory=list[str])
    currencies: list[str] = Field(default_factory=list[str])
    category_tree: str | None = None


class Locale(PimeloModel):
    code: str
    label: str | None = None
    enabled: bool = True


class Category(PimeloModel):
    code: str
    parent: str | None = None
    labels: dict[str, str] = Field(default_factory=dict[str, str])


class AttributeOption(PimeloModel):
    code: str
    labels: dict[str, str] = Field(default_factory=dict[str, str])


class Attribute(PimeloModel):
    """An attribute definition; `version` and timestamps are absent inside an EntityType."""

    code: str
    type: str
    labels: dict[str, str] = Field(default_factory=dict[str, str])
    group: str | None = None
    localizable: bool = False
    scopable: bool = False
    options: list[AttributeOption] = Field(default_factory=list[AttributeOption])
    validation: dict[str, Any] = Field(default_factory=dict[str, Any])
    entity_type: str | None = None
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AttributeSet(PimeloModel):
    code: str
    labels: dict[str, str] = Field(default_factory=dict[str, str])
    attributes: list[str] = Field(default_factory=list[str])
    requirements: dict[str, list[str]] = Field(default_factory=dict[str, list[str]])
    label_attribute: str | None = None
    image_attribute: str | None = None
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Value(PimeloModel):
    """One value of an attribute for one (locale, channel) pair; `data`'s shape depends on the type."""

    locale: str | None = None
    channel: str | None = None
    data: Any = None


class EntityType(PimeloModel):
    code: str
    labels: dict[str, str] = Field(default_factory=dict[str, str])
    attributes: list[Attribute] = Field(default_factory=list[Attribute])


class Entity(PimeloModel):
    type: str
    code: str
    labels: dict[str, str] = Field(default_factory=dict[str, str])
    values: dict[str, list[Value]] = Field(default_factory=dict[str, list[Value]])
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Completeness(PimeloModel):
    """Completeness of a product for one (channel, locale): `required` and `missing` are attribute codes."""

    channel: str
    locale: str
    ratio: float
    required: list[str] = Field(default_factory=list[str])
    missing: list[str] = Field(default_factory=list[str])


class Product(PimeloModel):
    identifier: str
    uuid: str | None = None
    attribute_set: str | None = None
    status: str = "draft"
    categories: list[str] = Field(default_factory=list[str])
    values: dict[str, list[Value]] = Field(default_factory=dict[str, list[Value]])
    completeness: list[Completeness] | None = None
    version: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Media(PimeloModel):
    code: str
    filename: str | None = None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    download_url: str | None = None
    created_at: datetime | None = None


class BulkItemResult(PimeloModel):
    """The outcome of one bulk operation: `status` as if sent alone, `problem` when it failed."""

    index: int
    status: int
    identifier: str | None = None
    code: str | None = None
    version: int | None = None
    problem: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class BulkResult(PimeloModel):
    """One result per operation, in the order the operations were given."""

    results: list[BulkItemResult] = Field(default_factory=list[BulkItemResult])


class Page(PimeloModel, Generic[T]):
    """One page of a list; `next_cursor` is None on the last page."""

    items: list[T] = Field(default_factory=list)  # pyright: ignore[reportUnknownVariableType]
    next_cursor: str | None = Field(default=None, validation_alias="search_after")

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None
