"""Builds the OpenAPI 3.1 document of the Pimelo REST API v1 (`openapi.json`), deterministically.

`docs/pimelo-api.md` is the human contract and the source of truth; this module is its
machine-readable form. The checked-in `pimelo_mcp/sandbox/openapi.json` is exactly
`render()` of this module (a test keeps them equal). Regenerate it with::

    python -m pimelo_mcp.sandbox.openapi_builder --write

and check it with ``--check``. The module imports nothing but the standard library.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

JSON = dict[str, Any]

DOCUMENT_PATH: Final = Path(__file__).with_name("openapi.json")

PROBLEM_BASE: Final = "https://www.pimelo.app/problems/"

# Every scope Pimelo documents, in the order of its developer page [seed].
SCOPES: Final[tuple[str, ...]] = (
    "products:read",
    "products:write",
    "entities:read",
    "entities:write",
    "settings:read",
    "settings:write",
    "media:read",
    "media:write",
    "import-export:read",
    "import-export:write",
    "attributes:read",
    "attributes:write",
)

ATTRIBUTE_TYPES: Final[tuple[str, ...]] = (
    "text",
    "textarea",
    "number",
    "boolean",
    "date",
    "select",
    "multiselect",
    "price",
    "metric",
    "media",
    "entity",
    "entities",
)

METRIC_UNITS: Final[tuple[str, ...]] = (
    "MILLIGRAM",
    "GRAM",
    "KILOGRAM",
    "MILLIMETER",
    "CENTIMETER",
    "METER",
    "MILLILITER",
    "LITER",
    "WATT",
    "KILOWATT",
    "SECOND",
    "MINUTE",
    "HOUR",
)

PRODUCT_STATUSES: Final[tuple[str, ...]] = ("draft", "active", "archived")

ALLOWED_UPLOAD_TYPES: Final[tuple[str, ...]] = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
)

# status -> (slug, component name of the response, schema name, description)
PROBLEMS: Final[dict[int, tuple[str, str, str, str]]] = {
    400: (
        "bad-request",
        "BadRequest",
        "BadRequestProblem",
        "The body is not JSON, not a JSON object, or not UTF-8.",
    ),
    401: (
        "unauthenticated",
        "Unauthenticated",
        "UnauthenticatedProblem",
        "No, malformed, unknown or expired token. Also sends `WWW-Authenticate: Bearer`.",
    ),
    403: (
        "insufficient-scope",
        "InsufficientScope",
        "InsufficientScopeProblem",
        "The token lacks the operation's scope, named in `required_scope`.",
    ),
    404: ("not-found", "NotFound", "NotFoundProblem", "Unknown route or record."),
    405: (
        "method-not-allowed",
        "MethodNotAllowed",
        "MethodNotAllowedProblem",
        "A known route asked with another method. Also sends `Allow`.",
    ),
    409: (
        "conflict",
        "Conflict",
        "ConflictProblem",
        "A code or identifier already exists, or an `Idempotency-Key` was reused with another body.",
    ),
    412: (
        "precondition-failed",
        "PreconditionFailed",
        "PreconditionFailedProblem",
        "`If-Match` names another version than the current one, given in `current_version`.",
    ),
    413: (
        "payload-too-large",
        "PayloadTooLarge",
        "PayloadTooLargeProblem",
        "A body or an uploaded file above its cap, given in `max_bytes`.",
    ),
    415: (
        "unsupported-media-type",
        "UnsupportedMediaType",
        "UnsupportedMediaTypeProblem",
        "A body that is not `application/json` (or `multipart/form-data` for uploads), "
        "or an uploaded file type not allowed; `allowed` lists what is.",
    ),
    422: (
        "validation-failed",
        "ValidationFailed",
        "ValidationProblem",
        "Any invalid field, value, filter or parameter; `errors` lists every one of them.",
    ),
    429: (
        "rate-limited",
        "RateLimited",
        "RateLimitedProblem",
        "Over the token's rate limit; `Retry-After` says when the window resets.",
    ),
    500: ("internal", "InternalError", "InternalProblem", "A bug."),
}

CODE_PATTERN: Final = "^[a-z0-9_]{1,100}$"
IDENTIFIER_PATTERN: Final = r"^[A-Za-z0-9_.\-]{1,255}$"
LOCALE_PATTERN: Final = "^[a-z]{2,3}_[A-Z]{2}$"
CURRENCY_PATTERN: Final = "^[A-Z]{3}$"
TIMESTAMP_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"
DATE_PATTERN: Final = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# 1-255 printable ASCII characters; no space at either end (HTTP trims field values).
IDEMPOTENCY_KEY_PATTERN: Final = r"^[\x21-\x7E]([\x20-\x7E]{0,253}[\x21-\x7E])?$"
IF_MATCH_PATTERN: Final = r'^(\*|"[0-9]+"|[0-9]+)$'
ETAG_PATTERN: Final = r'^"[0-9]+"$'

SEED: Final = "seed"
ASSUMED: Final = "assumed"


# --- small helpers -------------------------------------------------------------------------


def ref(name: str, kind: str = "schemas") -> JSON:
    return {"$ref": f"#/components/{kind}/{name}"}


def nullable(schema: JSON) -> JSON:
    """`schema` or null (JSON Schema 2020-12 style, as OpenAPI 3.1 allows)."""
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: JSON, **extra: Any) -> JSON:
    return {"type": "array", "items": items, **extra}


def obj(
    properties: JSON,
    required: Sequence[str] = (),
    *,
    closed: bool = False,
    description: str | None = None,
    **extra: Any,
) -> JSON:
    """An object schema; `closed` forbids unknown properties (request bodies)."""
    schema: JSON = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = properties
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    schema.update(extra)
    return schema


def described(schema: JSON, description: str) -> JSON:
    return {**schema, "description": description}


# --- schemas -------------------------------------------------------------------------------


def _scalar_schemas() -> JSON:
    return {
        "Code": {
            "type": "string",
            "pattern": CODE_PATTERN,
            "description": "A code (attribute, option, attribute set, channel, category, entity "
            "type, entity, media).",
            "examples": ["running_shoes"],
        },
        "Identifier": {
            "type": "string",
            "pattern": IDENTIFIER_PATTERN,
            "description": "A product identifier (SKU).",
            "examples": ["SHOE-RUN-042"],
        },
        "LocaleCode": {
            "type": "string",
            "pattern": LOCALE_PATTERN,
            "description": "A locale code such as `en_US`.",
            "examples": ["en_US"],
        },
        "CurrencyCode": {
            "type": "string",
            "pattern": CURRENCY_PATTERN,
            "description": "An ISO 4217 currency code.",
            "examples": ["EUR"],
        },
        "Timestamp": {
            "type": "string",
            "format": "date-time",
            "pattern": TIMESTAMP_PATTERN,
            "description": "An RFC 3339 timestamp in UTC.",
            "examples": ["2026-11-27T10:00:00Z"],
        },
        "Date": {
            "type": "string",
            "format": "date",
            "pattern": DATE_PATTERN,
            "description": "A calendar date `YYYY-MM-DD`.",
            "examples": ["2026-11-27"],
        },
        "Scope": {
            "type": "string",
            "enum": list(SCOPES),
            "description": "A token scope [seed].",
        },
        "Labels": {
            "type": "object",
            "description": "Labels keyed by locale.",
            "propertyNames": ref("LocaleCode"),
            "additionalProperties": {"type": "string"},
            "examples": [{"en_US": "Running shoes", "fr_FR": "Chaussures de course"}],
        },
        "Version": {
            "type": "integer",
            "minimum": 1,
            "description": "1 on create, +1 per change that changes something.",
        },
        "ProductStatus": {
            "type": "string",
            "enum": list(PRODUCT_STATUSES),
            "description": "The status of a product (default `draft`).",
        },
        "AttributeType": {
            "type": "string",
            "enum": list(ATTRIBUTE_TYPES),
            "description": "The twelve attribute types.",
        },
        "MetricUnit": {
            "type": "string",
            "enum": list(METRIC_UNITS),
            "description": "A metric unit.",
        },
    }


def _value_schemas() -> JSON:
    value_properties: JSON = {
        "locale": described(
            nullable(ref("LocaleCode")), "An enabled locale if localizable, else null."
        ),
        "channel": described(nullable(ref("Code")), "A known channel if scopable, else null."),
        "data": {
            "description": "The value itself, any JSON; its shape depends on the attribute's type. "
            "In a write, `null` clears this one value."
        },
    }
    return {
        "Value": obj(
            value_properties,
            ("locale", "channel", "data"),
            description="One value of an attribute, for one (locale, channel) pair.",
        ),
        "Values": {
            "type": "object",
            "description": "Values keyed by attribute code, one value per (locale, channel) pair.",
            "propertyNames": ref("Code"),
            "additionalProperties": array(ref("Value")),
            "examples": [
                {
                    "name": [{"locale": "en_US", "channel": None, "data": "Trail Runner 42"}],
                    "price": [
                        {
                            "locale": None,
                            "channel": None,
                            "data": [{"amount": "129.90", "currency": "EUR"}],
                        }
                    ],
                }
            ],
        },
        "ValueInput": obj(
            value_properties,
            ("locale", "channel", "data"),
            closed=True,
            description="One value in a write; `data: null` clears it.",
        ),
        "ValuesInput": {
            "type": "object",
            "description": "Values to write, keyed by attribute code; merged per attribute, then "
            "per (locale, channel) pair.",
            "propertyNames": ref("Code"),
            "additionalProperties": array(ref("ValueInput")),
        },
    }


def _resource_schemas() -> JSON:
    timestamps: JSON = {"created_at": ref("Timestamp"), "updated_at": ref("Timestamp")}
    definition_properties: JSON = {
        "code": ref("Code"),
        "type": ref("AttributeType"),
        "labels": ref("Labels"),
        "group": nullable(ref("Code")),
        "localizable": {"type": "boolean"},
        "scopable": {"type": "boolean"},
        "options": described(
            array(ref("AttributeOption")), "The options of a select or multiselect; [] otherwise."
        ),
        "validation": ref("AttributeValidation"),
        "entity_type": described(
            nullable(ref("Code")), "The entity type of an entity or entities attribute; else null."
        ),
    }
    definition_required = tuple(definition_properties)
    return {
        "Me": obj(
            {
                "token": obj(
                    {
                        "name": {"type": "string"},
                        "prefix": {"type": "string"},
                        "scopes": array(ref("Scope")),
                        "expires_at": nullable(ref("Timestamp")),
                    },
                    ("name", "prefix", "scopes", "expires_at"),
                ),
                "user": obj(
                    {
                        "id": {"type": ["string", "integer"]},
                        "email": {"type": "string"},
                        "name": {"type": "string"},
                    },
                    ("id", "email", "name"),
                ),
                "organization": obj(
                    {"id": {"type": ["string", "integer"]}, "name": {"type": "string"}},
                    ("id", "name"),
                ),
                "rate_limit": obj(
                    {
                        "limit": {"type": "integer", "minimum": 1},
                        "window_seconds": {"type": "integer", "minimum": 1},
                    },
                    ("limit", "window_seconds"),
                ),
            },
            ("token", "user", "organization", "rate_limit"),
            description="The token making the request, its user, organization and rate limit.",
        ),
        "Channel": obj(
            {
                "code": ref("Code"),
                "labels": ref("Labels"),
                "locales": array(ref("LocaleCode")),
                "currencies": array(ref("CurrencyCode")),
                "category_tree": described(
                    nullable(ref("Code")), "The root category of the channel's tree, if any."
                ),
            },
            ("code", "labels", "locales", "currencies", "category_tree"),
            description="A channel (sales channel) [seed: the resource exists].",
        ),
        "Locale": obj(
            {
                "code": ref("LocaleCode"),
                "label": {"type": "string"},
                "enabled": {"type": "boolean"},
            },
            ("code", "label", "enabled"),
        ),
        "Category": obj(
            {"code": ref("Code"), "parent": nullable(ref("Code")), "labels": ref("Labels")},
            ("code", "parent", "labels"),
        ),
        "AttributeOption": obj(
            {"code": ref("Code"), "labels": ref("Labels")},
            ("code", "labels"),
        ),
        "AttributeValidation": obj(
            {
                "max_length": {"type": "integer", "minimum": 0},
                "regex": {"type": "string"},
                "min": {"type": ["number", "string"]},
                "max": {"type": ["number", "string"]},
                "decimals_allowed": {"type": "boolean"},
                "allowed_units": array(ref("MetricUnit")),
                "allowed_extensions": array({"type": "string"}),
            },
            description="Validation keys, by type: text `max_length`, `regex`; textarea "
            "`max_length`; number `min`, `max`, `decimals_allowed`; date `min`, `max` (dates); "
            "price `min`, `max`, `decimals_allowed`; metric `allowed_units` (first is the "
            "default unit), `min`, `max`; media `allowed_extensions`.",
        ),
        "AttributeDefinition": obj(
            definition_properties,
            definition_required,
            description="An attribute definition, without version and timestamps (as inside an "
            "entity type).",
        ),
        "Attribute": obj(
            {**definition_properties, "version": ref("Version"), **timestamps},
            (*definition_required, "version", "created_at", "updated_at"),
            description="An attribute of products (or of an entity type).",
        ),
        "AttributeSet": obj(
            {
                "code": ref("Code"),
                "labels": ref("Labels"),
                "attributes": described(array(ref("Code")), "The attribute codes of the set."),
                "requirements": described(
                    {
                        "type": "object",
                        "propertyNames": ref("Code"),
                        "additionalProperties": array(ref("Code")),
                    },
                    "Required attribute codes, keyed by channel code.",
                ),
                "label_attribute": nullable(ref("Code")),
                "image_attribute": nullable(ref("Code")),
                "version": ref("Version"),
                **timestamps,
            },
            (
                "code",
                "labels",
                "attributes",
                "requirements",
                "label_attribute",
                "image_attribute",
                "version",
                "created_at",
                "updated_at",
            ),
            description="An attribute set (a family of products).",
        ),
        "EntityType": obj(
            {
                "code": ref("Code"),
                "labels": ref("Labels"),
                "attributes": array(ref("AttributeDefinition")),
            },
            ("code", "labels", "attributes"),
            description="A type of reference entity (brand, supplier, material...).",
        ),
        "Entity": obj(
            {
                "type": ref("Code"),
                "code": ref("Code"),
                "labels": ref("Labels"),
                "values": ref("Values"),
                "version": ref("Version"),
                **timestamps,
            },
            ("type", "code", "labels", "values", "version", "created_at", "updated_at"),
            description="A record of an entity type.",
        ),
        "Completeness": obj(
            {
                "channel": ref("Code"),
                "locale": ref("LocaleCode"),
                "ratio": {"type": "number", "minimum": 0, "maximum": 1},
                "required": described(
                    array(ref("Code")),
                    "The attribute set's `requirements[channel]`, in the set's order.",
                ),
                "missing": described(
                    array(ref("Code")), "Unfilled required codes, in the set's order."
                ),
            },
            ("channel", "locale", "ratio", "required", "missing"),
            description="Completeness of a product for one (channel, locale).",
        ),
        "Product": obj(
            {
                "uuid": {"type": "string", "format": "uuid"},
                "identifier": ref("Identifier"),
                "attribute_set": ref("Code"),
                "status": ref("ProductStatus"),
                "categories": array(ref("Code")),
                "values": ref("Values"),
                "completeness": described(
                    array(ref("Completeness")),
                    "Present only when asked (`with_completeness`).",
                ),
                "version": ref("Version"),
                **timestamps,
            },
            (
                "uuid",
                "identifier",
                "attribute_set",
                "status",
                "categories",
                "values",
                "version",
                "created_at",
                "updated_at",
            ),
            description="A product.",
        ),
        "Media": obj(
            {
                "code": ref("Code"),
                "filename": {"type": "string"},
                "mime_type": {
                    "type": "string",
                    "pattern": r"^[a-z]+/[A-Za-z0-9.+\-]+$",
                    "description": "Uploads are limited to "
                    + ", ".join(ALLOWED_UPLOAD_TYPES)
                    + ".",
                },
                "size": {"type": "integer", "minimum": 0},
                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                "width": nullable({"type": "integer", "minimum": 0}),
                "height": nullable({"type": "integer", "minimum": 0}),
                "download_url": {"type": "string", "format": "uri", "pattern": "^https?://"},
                "created_at": ref("Timestamp"),
            },
            (
                "code",
                "filename",
                "mime_type",
                "size",
                "sha256",
                "width",
                "height",
                "download_url",
                "created_at",
            ),
            description="The metadata of a media file; `download_url` is absolute.",
        ),
        "BulkOperationResult": obj(
            {
                "index": {"type": "integer", "minimum": 0},
                "identifier": described(
                    {"type": ["string", "null"]}, "The operation's identifier (products)."
                ),
                "code": described({"type": ["string", "null"]}, "The operation's code (entities)."),
                "status": {"type": "integer", "minimum": 100, "maximum": 599},
                "version": ref("Version"),
                "problem": ref("Problem"),
            },
            ("index", "status"),
            description="The outcome of one operation: its HTTP-like status, the new version "
            "on success, the problem on failure.",
        ),
        "BulkResult": obj(
            {"results": array(ref("BulkOperationResult"))},
            ("results",),
            description="One result per operation, in order.",
        ),
    }


def _list_schemas() -> JSON:
    lists: JSON = {}
    for name in (
        "Channel",
        "Locale",
        "Category",
        "Attribute",
        "AttributeSet",
        "EntityType",
        "Entity",
        "Product",
        "Media",
    ):
        lists[f"{name}List"] = obj(
            {
                "items": array(ref(name)),
                "search_after": described(
                    {"type": ["string", "null"]},
                    "The opaque cursor of the next page; null on the last page [seed: cursors].",
                ),
            },
            ("items", "search_after"),
            description=f"A page of `{name}`.",
        )
    return lists


def _problem_schemas() -> JSON:
    schemas: JSON = {
        "Problem": obj(
            {
                "type": {
                    "type": "string",
                    "enum": [PROBLEM_BASE + slug for slug, *_ in PROBLEMS.values()],
                },
                "title": {"type": "string"},
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
            },
            ("type", "title", "status", "detail"),
            description="RFC 7807 Problem Details [seed]: HTTP status, `type`, descriptive "
            "message. Clients key on the status first and the slug of `type` second.",
        ),
        "FieldError": obj(
            {
                "field": {
                    "type": "string",
                    "description": "A path into the request, e.g. `values.name[locale=fr_FR]`, "
                    "`filters.color[0].operator`, `limit`, `search_after`.",
                },
                "message": {"type": "string"},
            },
            ("field", "message"),
        ),
    }
    extensions: dict[int, tuple[JSON, tuple[str, ...]]] = {
        403: ({"required_scope": ref("Scope")}, ("required_scope",)),
        412: ({"current_version": ref("Version")}, ("current_version",)),
        413: ({"max_bytes": {"type": "integer", "minimum": 0}}, ("max_bytes",)),
        415: ({"allowed": array({"type": "string"})}, ("allowed",)),
        422: ({"errors": array(ref("FieldError"), minItems=1)}, ("errors",)),
    }
    for status, (slug, _response, schema_name, description) in PROBLEMS.items():
        properties: JSON = {
            "type": {"const": PROBLEM_BASE + slug},
            "status": {"const": status},
        }
        required: tuple[str, ...] = ()
        if status in extensions:
            extra, required = extensions[status]
            properties.update(extra)
        own = obj(properties, required)
        schemas[schema_name] = {
            "description": f"{status} `{slug}`: {description}",
            "allOf": [ref("Problem"), own],
        }
    return schemas


def _condition(operators: Sequence[str], value: JSON | None, *, extra: JSON | None = None) -> JSON:
    properties: JSON = {"operator": {"type": "string", "enum": list(operators)}}
    if value is not None:
        properties["value"] = value
    if extra:
        properties.update(extra)
    return obj(properties, ("operator",), closed=True)


def _search_schemas() -> JSON:
    equality = ["=", "!=", "IN", "NOT IN"]
    text_ops = [*equality, "STARTS WITH", "CONTAINS", "DOES NOT CONTAIN"]
    comparison = ["=", "!=", "<", "<=", ">", ">="]
    string_or_list: JSON = {"anyOf": [{"type": "string"}, array({"type": "string"})]}
    moment: JSON = {"anyOf": [ref("Timestamp"), ref("Date")]}
    all_operators = [
        *text_ops,
        "<",
        "<=",
        ">",
        ">=",
        "BETWEEN",
        "SINCE LAST N DAYS",
        "EMPTY",
        "NOT EMPTY",
    ]
    locale_channel: JSON = {"locale": ref("LocaleCode"), "channel": ref("Code")}
    conditions: JSON = {
        "IdentifierCondition": _condition(text_ops, string_or_list),
        "StatusCondition": _condition(
            equality, {"anyOf": [ref("ProductStatus"), array(ref("ProductStatus"))]}
        ),
        "AttributeSetCondition": _condition(equality, {"anyOf": [ref("Code"), array(ref("Code"))]}),
        "CategoriesCondition": _condition(
            ["IN", "NOT IN", "EMPTY", "NOT EMPTY"], array(ref("Code"))
        ),
        "TimestampCondition": _condition(
            [*comparison, "BETWEEN", "SINCE LAST N DAYS"],
            {
                "anyOf": [
                    moment,
                    array(moment, minItems=2, maxItems=2),
                    {"type": "integer", "minimum": 0},
                ]
            },
        ),
        "CompletenessCondition": _condition(
            comparison, {"type": "number", "minimum": 0, "maximum": 100}, extra=locale_channel
        ),
        "AttributeCondition": _condition(
            all_operators,
            {"description": "Shaped by the attribute's type (see the contract page)."},
            extra={**locale_channel, "currency": ref("CurrencyCode")},
        ),
    }
    for name, description in (
        ("IdentifierCondition", "A condition on `identifier` (products) or `code` (entities)."),
        ("StatusCondition", "A condition on a product's `status`."),
        ("AttributeSetCondition", "A condition on a product's `attribute_set`."),
        ("CategoriesCondition", "`IN` also matches descendants; `EMPTY`s take no value."),
        (
            "TimestampCondition",
            "A condition on `created` / `updated`: a timestamp or date, `[from, to]` for "
            "`BETWEEN`, an integer N for `SINCE LAST N DAYS`.",
        ),
        (
            "CompletenessCondition",
            "A percentage 0-100; `channel` required (condition or body).",
        ),
        (
            "AttributeCondition",
            "A condition on an attribute; the operators and the value allowed depend on "
            "its type; `EMPTY` / `NOT EMPTY` take no value.",
        ),
    ):
        conditions[name]["description"] = description

    def conditions_of(name: str) -> JSON:
        return array(ref(name))

    common_filter_properties: JSON = {
        "created": conditions_of("TimestampCondition"),
        "updated": conditions_of("TimestampCondition"),
    }
    product_filters = {
        "type": "object",
        "description": "Conditions keyed by field (an attribute code or one of the fields "
        "below); all must hold.",
        "propertyNames": ref("Code"),
        "properties": {
            "identifier": conditions_of("IdentifierCondition"),
            "status": conditions_of("StatusCondition"),
            "attribute_set": conditions_of("AttributeSetCondition"),
            "categories": conditions_of("CategoriesCondition"),
            **common_filter_properties,
            "completeness": conditions_of("CompletenessCondition"),
        },
        "additionalProperties": conditions_of("AttributeCondition"),
        "examples": [{"color": [{"operator": "IN", "value": ["red"]}]}],
    }
    entity_filters = {
        "type": "object",
        "description": "Conditions keyed by field (an attribute code of the entity type, or "
        "`code`, `created`, `updated`); all must hold.",
        "propertyNames": ref("Code"),
        "properties": {"code": conditions_of("IdentifierCondition"), **common_filter_properties},
        "additionalProperties": conditions_of("AttributeCondition"),
    }
    search_common: JSON = {
        "query": {"type": "string", "description": "Free text, case-insensitive substring."},
        "locale": ref("LocaleCode"),
        "channel": ref("Code"),
        "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
        "search_after": {"type": ["string", "null"], "description": "The opaque cursor."},
        "attributes": described(array(ref("Code")), "Restricts the values returned."),
    }
    sorts = ["updated", "-updated", "created", "-created"]
    return {
        **conditions,
        "ProductFilters": product_filters,
        "EntityFilters": entity_filters,
        "ProductSearch": obj(
            {
                "query": search_common["query"],
                "filters": ref("ProductFilters"),
                "locale": search_common["locale"],
                "channel": search_common["channel"],
                "attribute_set": {"anyOf": [ref("Code"), array(ref("Code"))]},
                "status": {"anyOf": [ref("ProductStatus"), array(ref("ProductStatus"))]},
                "sort": {
                    "type": "string",
                    "enum": ["identifier", "-identifier", *sorts],
                    "default": "identifier",
                },
                "limit": search_common["limit"],
                "search_after": search_common["search_after"],
                "attributes": search_common["attributes"],
                "with_completeness": {"type": "boolean", "default": False},
            },
            closed=True,
            description="A product search; every field is optional and `{}` lists everything.",
            examples=[
                {
                    "query": "trail",
                    "filters": {"color": [{"operator": "IN", "value": ["red"]}]},
                    "locale": "fr_FR",
                    "channel": "ecommerce",
                    "sort": "identifier",
                    "limit": 25,
                    "search_after": None,
                    "attributes": ["name", "price"],
                    "with_completeness": False,
                }
            ],
        ),
        "EntitySearch": obj(
            {
                "query": search_common["query"],
                "filters": ref("EntityFilters"),
                "locale": search_common["locale"],
                "channel": search_common["channel"],
                "sort": {"type": "string", "enum": ["code", "-code", *sorts], "default": "code"},
                "limit": search_common["limit"],
                "search_after": search_common["search_after"],
                "attributes": search_common["attributes"],
            },
            closed=True,
            description=(
                "An entity search; every field is optional and `{}` lists everything."
                " `attribute_set`, `status` and `with_completeness` are products-only."
            ),
        ),
    }


def _write_schemas() -> JSON:
    validation_input = {
        **_resource_schemas()["AttributeValidation"],
        "additionalProperties": False,
    }
    option_input = obj({"code": ref("Code"), "labels": ref("Labels")}, ("code",), closed=True)
    attribute_mutable: JSON = {
        "labels": ref("Labels"),
        "group": nullable(ref("Code")),
        "localizable": {"type": "boolean", "default": False},
        "scopable": {"type": "boolean", "default": False},
        "options": array(ref("AttributeOptionInput")),
        "validation": ref("AttributeValidationInput"),
        "entity_type": nullable(ref("Code")),
    }
    set_mutable: JSON = {
        "labels": ref("Labels"),
        "attributes": array(ref("Code")),
        "requirements": {
            "type": "object",
            "propertyNames": ref("Code"),
            "additionalProperties": array(ref("Code")),
        },
        "label_attribute": nullable(ref("Code")),
        "image_attribute": nullable(ref("Code")),
    }
    product_mutable: JSON = {
        "attribute_set": ref("Code"),
        "status": ref("ProductStatus"),
        "categories": array(ref("Code")),
        "values": ref("ValuesInput"),
    }
    entity_mutable: JSON = {"labels": ref("Labels"), "values": ref("ValuesInput")}
    expected_version: JSON = described(
        ref("Version"), "The `If-Match` of this operation: 412 in its result on mismatch."
    )

    def bulk_operation(op: str, key: str, key_schema: str, fields: JSON, *, update: bool) -> JSON:
        properties: JSON = {"op": {"const": op}, key: ref(key_schema), **fields}
        required = ["op", key]
        if update:
            properties["expected_version"] = expected_version
        elif key == "identifier":
            required.append("attribute_set")
        return obj(properties, required, closed=True)

    def bulk_request(create: str, update: str, description: str) -> JSON:
        return obj(
            {"operations": array({"oneOf": [ref(create), ref(update)]}, minItems=1, maxItems=100)},
            ("operations",),
            closed=True,
            description=description,
        )

    return {
        "AttributeOptionInput": option_input,
        "AttributeValidationInput": validation_input,
        "AttributeCreate": obj(
            {"code": ref("Code"), "type": ref("AttributeType"), **attribute_mutable},
            ("code", "type"),
            closed=True,
            description="A new attribute. `entity_type` is required for entity and entities "
            "attributes, `validation.allowed_units` for metric ones.",
            allOf=[
                {
                    "if": {
                        "properties": {"type": {"enum": ["entity", "entities"]}},
                        "required": ["type"],
                    },
                    "then": {
                        "properties": {"entity_type": ref("Code")},
                        "required": ["entity_type"],
                    },
                },
                {
                    "if": {"properties": {"type": {"const": "metric"}}, "required": ["type"]},
                    "then": {
                        "properties": {
                            "validation": {
                                "properties": {"allowed_units": {"minItems": 1}},
                                "required": ["allowed_units"],
                            }
                        },
                        "required": ["validation"],
                    },
                },
            ],
        ),
        "AttributePatch": obj(
            attribute_mutable,
            closed=True,
            description="Changes to an attribute; `code` and `type` are immutable (422).",
        ),
        "AttributeSetCreate": obj(
            {"code": ref("Code"), **set_mutable},
            ("code",),
            closed=True,
            description="A new attribute set.",
        ),
        "AttributeSetPatch": obj(
            set_mutable, closed=True, description="Changes to an attribute set."
        ),
        "ProductCreate": obj(
            {"identifier": ref("Identifier"), **product_mutable},
            ("identifier", "attribute_set"),
            closed=True,
            description="A new product; `status` defaults to `draft`.",
            examples=[
                {
                    "identifier": "SHOE-1",
                    "attribute_set": "shoes",
                    "values": {
                        "name": [{"locale": "en_US", "channel": None, "data": "Trail Runner 42"}]
                    },
                }
            ],
        ),
        "ProductPatch": obj(
            product_mutable,
            closed=True,
            description="A merge-update: top-level fields replace; `values` merge per attribute, "
            "then per (locale, channel); `data: null` clears one value.",
        ),
        "EntityCreate": obj(
            {"code": ref("Code"), **entity_mutable},
            ("code",),
            closed=True,
            description="A new entity of the path's type.",
        ),
        "EntityPatch": obj(entity_mutable, closed=True, description="A merge-update of an entity."),
        "ProductBulkCreate": bulk_operation(
            "create", "identifier", "Identifier", product_mutable, update=False
        ),
        "ProductBulkUpdate": bulk_operation(
            "update", "identifier", "Identifier", product_mutable, update=True
        ),
        "EntityBulkCreate": bulk_operation("create", "code", "Code", entity_mutable, update=False),
        "EntityBulkUpdate": bulk_operation("update", "code", "Code", entity_mutable, update=True),
        "ProductBulkRequest": bulk_request(
            "ProductBulkCreate",
            "ProductBulkUpdate",
            "1-100 product operations, each standing alone.",
        ),
        "EntityBulkRequest": bulk_request(
            "EntityBulkCreate",
            "EntityBulkUpdate",
            "1-100 entity operations, each standing alone.",
        ),
        "MediaUpload": obj(
            {
                "file": {
                    "type": "string",
                    "format": "binary",
                    "description": "The file; its type is sniffed from its bytes.",
                },
                "code": ref("Code"),
            },
            ("file",),
            closed=True,
            description="A media upload; `code` defaults to one derived from the file name.",
        ),
    }


def _schemas() -> JSON:
    return {
        **_scalar_schemas(),
        **_value_schemas(),
        **_resource_schemas(),
        **_list_schemas(),
        **_problem_schemas(),
        **_search_schemas(),
        **_write_schemas(),
    }


# --- headers, parameters, responses --------------------------------------------------------


def _headers() -> JSON:
    def header(description: str, schema: JSON, *, required: bool = True) -> JSON:
        return {"description": description, "required": required, "schema": schema}

    return {
        "X-RateLimit-Limit": header(
            "Requests allowed per window for this token [seed].",
            {"type": "integer", "minimum": 1},
        ),
        "X-RateLimit-Remaining": header(
            "Requests left in the current window [seed].", {"type": "integer", "minimum": 0}
        ),
        "X-RateLimit-Reset": header(
            "Integer seconds until the current window resets.", {"type": "integer", "minimum": 0}
        ),
        "Retry-After": header(
            "`0` when the request is not limited [seed: the header].",
            {"type": "integer", "const": 0},
        ),
        "Retry-After-Limited": header(
            "Integer seconds until the current window resets [seed: the header].",
            {"type": "integer", "minimum": 0},
        ),
        "ETag": header(
            'The version of the resource, `"<version>"`.',
            {"type": "string", "pattern": ETAG_PATTERN},
        ),
        "Location": header(
            "The URL of the created resource.", {"type": "string", "format": "uri-reference"}
        ),
        "Idempotent-Replayed": header(
            "`true` when this answer replays the first answer to the same `Idempotency-Key`.",
            {"type": "string", "enum": ["true"]},
            required=False,
        ),
        "WWW-Authenticate": header(
            "The authentication scheme, `Bearer`.", {"type": "string", "pattern": "^Bearer"}
        ),
        "Allow": header("The methods the route allows.", {"type": "string"}),
    }


def _rate_headers(*, limited: bool = False) -> JSON:
    return {
        "X-RateLimit-Limit": ref("X-RateLimit-Limit", "headers"),
        "X-RateLimit-Remaining": ref("X-RateLimit-Remaining", "headers"),
        "X-RateLimit-Reset": ref("X-RateLimit-Reset", "headers"),
        "Retry-After": ref("Retry-After-Limited" if limited else "Retry-After", "headers"),
    }


def _parameters() -> JSON:
    def query(name: str, schema: JSON, description: str, **extra: Any) -> JSON:
        return {"name": name, "in": "query", "description": description, "schema": schema, **extra}

    def path(name: str, schema: JSON, description: str) -> JSON:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": schema,
        }

    return {
        "limit": query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": 100, "default": 25},
            "Page size, 1-100 (default 25); outside that range is a 422.",
        ),
        "search_after": query(
            "search_after",
            {"type": "string"},
            "The opaque cursor of the previous page's `search_after` [seed: cursors]; one that "
            "cannot be decoded is a 422.",
        ),
        "codes": query(
            "codes",
            array(ref("Code"), minItems=1),
            "Only these codes (comma-separated).",
            style="form",
            explode=False,
        ),
        "attribute_type": query("type", ref("AttributeType"), "Only attributes of this type."),
        "group": query("group", ref("Code"), "Only attributes of this group."),
        "attribute_set": query(
            "attribute_set", ref("Code"), "Only the attributes of this attribute set."
        ),
        "search": query("search", {"type": "string"}, "Free text, case-insensitive substring."),
        "enabled": query("enabled", {"type": "boolean"}, "Only enabled (or disabled) locales."),
        "parent": query("parent", ref("Code"), "Only the children of this category."),
        "mime_type": query("mime_type", {"type": "string"}, "Only media of this MIME type."),
        "product": query(
            "product", ref("Identifier"), "Only the media this product's `media` values point to."
        ),
        "locale": query(
            "locale", ref("LocaleCode"), "Restricts localizable values to this enabled locale."
        ),
        "channel": query("channel", ref("Code"), "Restricts scopable values to this channel."),
        "with_completeness": query(
            "with_completeness",
            {"type": "boolean", "default": False},
            "Add `completeness` to the product.",
        ),
        "code": path("code", ref("Code"), "The record's code."),
        "identifier": path("identifier", ref("Identifier"), "The product identifier (SKU)."),
        "entity_type": path("type", ref("Code"), "The entity type's code."),
        "If-Match": {
            "name": "If-Match",
            "in": "header",
            "description": 'Apply only if the current version is this one: `"<version>"`, a bare '
            "number, or `*`; 412 otherwise.",
            "schema": {"type": "string", "pattern": IF_MATCH_PATTERN},
        },
        "Idempotency-Key": {
            "name": "Idempotency-Key",
            "in": "header",
            "description": "1-255 printable ASCII characters. Within 24 hours the same token + "
            "key + body replays the first answer (with `Idempotent-Replayed: true`); the same "
            "key with another body is a 409.",
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
        },
    }


def _responses() -> JSON:
    responses: JSON = {}
    for status, (slug, name, schema_name, description) in PROBLEMS.items():
        headers = _rate_headers(limited=status == 429)
        if status == 401:
            headers["WWW-Authenticate"] = ref("WWW-Authenticate", "headers")
        if status == 405:
            headers["Allow"] = ref("Allow", "headers")
        responses[name] = {
            "description": f"`{slug}`: {description}",
            "headers": headers,
            "content": {"application/problem+json": {"schema": ref(schema_name)}},
        }
    return responses


# --- operations ----------------------------------------------------------------------------


def _json_response(
    description: str,
    schema: str,
    *,
    etag: bool = False,
    location: bool = False,
    replayable: bool = False,
) -> JSON:
    headers = _rate_headers()
    if etag:
        headers["ETag"] = ref("ETag", "headers")
    if location:
        headers["Location"] = ref("Location", "headers")
    if replayable:
        headers["Idempotent-Replayed"] = ref("Idempotent-Replayed", "headers")
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": ref(schema)}},
    }


def _problems(*statuses: int) -> JSON:
    return {str(status): ref(PROBLEMS[status][1], "responses") for status in statuses}


def _operation(
    operation_id: str,
    summary: str,
    description: str,
    *,
    tag: str,
    scope: str | None,
    source: str = ASSUMED,
    parameters: Sequence[str] = (),
    body: JSON | None = None,
    responses: JSON,
    problems: Sequence[int],
) -> JSON:
    scope_text = "Any valid token." if scope is None else f"Required scope: `{scope}`."
    operation: JSON = {
        "operationId": operation_id,
        "summary": summary,
        "description": f"{description}\n\n{scope_text} Source: {source}.",
        "tags": [tag],
        "x-pimelo-source": source,
        "x-required-scope": scope,
        "security": [{"bearerAuth": [scope] if scope else []}],
    }
    if parameters:
        operation["parameters"] = [ref(name, "parameters") for name in parameters]
    if body is not None:
        operation["requestBody"] = body
    operation["responses"] = {**responses, **_problems(*problems)}
    return operation


def _json_body(schema: str) -> JSON:
    return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}


LIST = "limit", "search_after"
READ_PROBLEMS = (401, 403, 422, 429, 500)
GET_ONE_PROBLEMS = (401, 403, 404, 429, 500)
BODY_PROBLEMS = (400, 401, 403, 413, 415, 422, 429, 500)


def _list(
    operation_id: str,
    summary: str,
    resource: str,
    *,
    tag: str,
    scope: str,
    params: Sequence[str],
    source: str = ASSUMED,
) -> JSON:
    return _operation(
        operation_id,
        summary,
        f"A page of `{resource}`, following `search_after` cursors.",
        tag=tag,
        scope=scope,
        source=source,
        parameters=(*params, *LIST),
        responses={"200": _json_response(f"A page of `{resource}`.", f"{resource}List")},
        problems=READ_PROBLEMS,
    )


def _get_one(
    operation_id: str,
    summary: str,
    resource: str,
    *,
    tag: str,
    scope: str,
    params: Sequence[str],
    etag: bool,
    extra_problems: Sequence[int] = (),
) -> JSON:
    return _operation(
        operation_id,
        summary,
        f"One `{resource}`; 404 if unknown.",
        tag=tag,
        scope=scope,
        parameters=params,
        responses={"200": _json_response(f"The `{resource}`.", resource, etag=etag)},
        problems=sorted({*GET_ONE_PROBLEMS, *extra_problems}),
    )


def _create(
    operation_id: str,
    summary: str,
    resource: str,
    body: JSON,
    *,
    tag: str,
    scope: str,
    params: Sequence[str] = (),
    extra_problems: Sequence[int] = (),
    etag: bool = True,
) -> JSON:
    return _operation(
        operation_id,
        summary,
        f"Creates a `{resource}`; honours `Idempotency-Key`. A code or identifier that already "
        "exists is a 409.",
        tag=tag,
        scope=scope,
        parameters=(*params, "Idempotency-Key"),
        body=body,
        responses={
            "201": _json_response(
                f"The created `{resource}`, with `Location`.",
                resource,
                etag=etag,
                location=True,
                replayable=True,
            )
        },
        problems=sorted({*BODY_PROBLEMS, 409, *extra_problems}),
    )


def _patch(
    operation_id: str,
    summary: str,
    resource: str,
    body: str,
    *,
    tag: str,
    scope: str,
    params: Sequence[str],
    note: str = "",
) -> JSON:
    return _operation(
        operation_id,
        summary,
        f"A merge-update of a `{resource}`: names only what changes; a 422 changes nothing; "
        "a patch that changes nothing keeps the version. Honours `If-Match` and "
        "`Idempotency-Key` (a retry whose first answer was lost gets that answer again)." + note,
        tag=tag,
        scope=scope,
        parameters=(*params, "If-Match", "Idempotency-Key"),
        body=_json_body(body),
        responses={"200": _json_response(f"The updated `{resource}`.", resource, etag=True)},
        problems=sorted({*BODY_PROBLEMS, 404, 409, 412}),
    )


def _bulk(
    operation_id: str,
    summary: str,
    body: str,
    *,
    tag: str,
    scope: str,
    params: Sequence[str] = (),
    extra_problems: Sequence[int] = (),
) -> JSON:
    return _operation(
        operation_id,
        summary,
        "Up to 100 operations in one request (one unit of the rate limit); each stands alone, "
        "one failing changes nothing of the others. More than 100, or none, is a 422. Honours "
        "`Idempotency-Key`.",
        tag=tag,
        scope=scope,
        parameters=(*params, "Idempotency-Key"),
        body=_json_body(body),
        responses={
            "200": _json_response(
                "One result per operation, in order.", "BulkResult", replayable=True
            )
        },
        problems=sorted({*BODY_PROBLEMS, 409, *extra_problems}),
    )


def _paths() -> JSON:
    download_content: JSON = {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in ALLOWED_UPLOAD_TYPES
    }
    return {
        "/me": {
            "get": _operation(
                "get_me",
                "Who am I",
                "The token making the request, its user, organization, scopes and rate limit.",
                tag="me",
                scope=None,
                responses={"200": _json_response("The token's identity.", "Me")},
                problems=(401, 429, 500),
            )
        },
        "/channels": {
            "get": _list(
                "list_channels",
                "List channels",
                "Channel",
                tag="settings",
                scope="settings:read",
                params=(),
                source=SEED,
            )
        },
        "/channels/{code}": {
            "get": _get_one(
                "get_channel",
                "Get a channel",
                "Channel",
                tag="settings",
                scope="settings:read",
                params=("code",),
                etag=False,
            )
        },
        "/locales": {
            "get": _list(
                "list_locales",
                "List locales",
                "Locale",
                tag="settings",
                scope="settings:read",
                params=("enabled",),
            )
        },
        "/categories": {
            "get": _list(
                "list_categories",
                "List categories",
                "Category",
                tag="categories",
                scope="products:read",
                params=("parent",),
            )
        },
        "/attributes": {
            "get": _list(
                "list_attributes",
                "List attributes",
                "Attribute",
                tag="attributes",
                scope="attributes:read",
                params=("codes", "attribute_type", "group", "attribute_set", "search"),
            ),
            "post": _create(
                "create_attribute",
                "Create an attribute",
                "Attribute",
                _json_body("AttributeCreate"),
                tag="attributes",
                scope="attributes:write",
            ),
        },
        "/attributes/{code}": {
            "get": _get_one(
                "get_attribute",
                "Get an attribute",
                "Attribute",
                tag="attributes",
                scope="attributes:read",
                params=("code",),
                etag=True,
            ),
            "patch": _patch(
                "update_attribute",
                "Update an attribute",
                "Attribute",
                "AttributePatch",
                tag="attributes",
                scope="attributes:write",
                params=("code",),
                note=" `code` and `type` are immutable (422).",
            ),
        },
        "/attribute-sets": {
            "get": _list(
                "list_attribute_sets",
                "List attribute sets",
                "AttributeSet",
                tag="attribute-sets",
                scope="attributes:read",
                params=(),
            ),
            "post": _create(
                "create_attribute_set",
                "Create an attribute set",
                "AttributeSet",
                _json_body("AttributeSetCreate"),
                tag="attribute-sets",
                scope="attributes:write",
            ),
        },
        "/attribute-sets/{code}": {
            "get": _get_one(
                "get_attribute_set",
                "Get an attribute set",
                "AttributeSet",
                tag="attribute-sets",
                scope="attributes:read",
                params=("code",),
                etag=True,
            ),
            "patch": _patch(
                "update_attribute_set",
                "Update an attribute set",
                "AttributeSet",
                "AttributeSetPatch",
                tag="attribute-sets",
                scope="attributes:write",
                params=("code",),
            ),
        },
        "/products/search": {
            "post": _operation(
                "search_products",
                "Search products",
                "Products matching the body's filters, a page at a time [seed: search bodies "
                "with filters on attributes, status, channel and locale].",
                tag="products",
                scope="products:read",
                body=_json_body("ProductSearch"),
                responses={"200": _json_response("A page of `Product`.", "ProductList")},
                problems=BODY_PROBLEMS,
            )
        },
        "/products/bulk": {
            "post": _bulk(
                "bulk_products",
                "Create or update products in bulk",
                "ProductBulkRequest",
                tag="products",
                scope="products:write",
            )
        },
        "/products": {
            "post": _create(
                "create_product",
                "Create a product",
                "Product",
                _json_body("ProductCreate"),
                tag="products",
                scope="products:write",
            )
        },
        "/products/{identifier}": {
            "get": _get_one(
                "get_product",
                "Get a product",
                "Product",
                tag="products",
                scope="products:read",
                params=("identifier", "locale", "channel", "with_completeness"),
                etag=True,
                extra_problems=(422,),
            ),
            "patch": _patch(
                "update_product",
                "Update a product",
                "Product",
                "ProductPatch",
                tag="products",
                scope="products:write",
                params=("identifier",),
                note=" Changing `attribute_set` is refused (422) while the product has values "
                "for attributes outside the new set.",
            ),
        },
        "/entity-types": {
            "get": _list(
                "list_entity_types",
                "List entity types",
                "EntityType",
                tag="entities",
                scope="entities:read",
                params=(),
            )
        },
        "/entity-types/{type}": {
            "get": _get_one(
                "get_entity_type",
                "Get an entity type",
                "EntityType",
                tag="entities",
                scope="entities:read",
                params=("entity_type",),
                etag=False,
            )
        },
        "/entities/{type}/search": {
            "post": _operation(
                "search_entities",
                "Search entities",
                "Entities of the type matching the body's filters, a page at a time; 404 for "
                "an unknown type.",
                tag="entities",
                scope="entities:read",
                parameters=("entity_type",),
                body=_json_body("EntitySearch"),
                responses={"200": _json_response("A page of `Entity`.", "EntityList")},
                problems=sorted({*BODY_PROBLEMS, 404}),
            )
        },
        "/entities/{type}/bulk": {
            "post": _bulk(
                "bulk_entities",
                "Create or update entities in bulk",
                "EntityBulkRequest",
                tag="entities",
                scope="entities:write",
                params=("entity_type",),
                extra_problems=(404,),
            )
        },
        "/entities/{type}": {
            "post": _create(
                "create_entity",
                "Create an entity",
                "Entity",
                _json_body("EntityCreate"),
                tag="entities",
                scope="entities:write",
                params=("entity_type",),
                extra_problems=(404,),
            )
        },
        "/entities/{type}/{code}": {
            "get": _get_one(
                "get_entity",
                "Get an entity",
                "Entity",
                tag="entities",
                scope="entities:read",
                params=("entity_type", "code"),
                etag=True,
            ),
            "patch": _patch(
                "update_entity",
                "Update an entity",
                "Entity",
                "EntityPatch",
                tag="entities",
                scope="entities:write",
                params=("entity_type", "code"),
            ),
        },
        "/media": {
            "get": _list(
                "list_media",
                "List media",
                "Media",
                tag="media",
                scope="media:read",
                params=("search", "mime_type", "product"),
            ),
            "post": _create(
                "upload_media",
                "Upload a media file",
                "Media",
                {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": ref("MediaUpload"),
                            "encoding": {"file": {"contentType": ", ".join(ALLOWED_UPLOAD_TYPES)}},
                        }
                    },
                },
                tag="media",
                scope="media:write",
                etag=False,
            )
            | {
                "description": "Uploads a file (multipart `file`, optional `code`). Its type is "
                "sniffed from its bytes: PNG, JPEG, GIF, WebP and PDF are allowed (415 "
                "otherwise); at most 10 MiB by default (413 otherwise). Honours "
                "`Idempotency-Key`; an existing code is a 409.\n\nRequired scope: "
                "`media:write`. Source: assumed.",
            },
        },
        "/media/{code}": {
            "get": _get_one(
                "get_media",
                "Get a media file's metadata",
                "Media",
                tag="media",
                scope="media:read",
                params=("code",),
                etag=False,
            )
        },
        "/media/{code}/download": {
            "get": _operation(
                "download_media",
                "Download a media file",
                "The file's bytes, with its `Content-Type`.",
                tag="media",
                scope="media:read",
                parameters=("code",),
                responses={
                    "200": {
                        "description": "The bytes.",
                        "headers": _rate_headers(),
                        "content": download_content,
                    }
                },
                problems=GET_ONE_PROBLEMS,
            )
        },
        "/openapi.json": {
            "get": {
                "operationId": "get_openapi_document",
                "summary": "This contract as OpenAPI 3.1",
                "description": "This document. Needs no token.\n\nRequired scope: none. "
                "Source: assumed.",
                "tags": ["meta"],
                "x-pimelo-source": ASSUMED,
                "x-required-scope": None,
                "security": [],
                "responses": {
                    "200": {
                        "description": "The OpenAPI 3.1 document.",
                        "headers": _rate_headers(),
                        "content": {
                            "application/json": {
                                "schema": obj(
                                    {
                                        "openapi": {"type": "string", "pattern": "^3\\.1\\."},
                                        "info": {"type": "object"},
                                        "paths": {"type": "object"},
                                    },
                                    ("openapi", "info", "paths"),
                                )
                            }
                        },
                    },
                    # Needs no token, so it is never counted nor limited.
                    **_problems(500),
                },
            }
        },
    }


INFO_DESCRIPTION: Final = """\
The Pimelo REST API v1, as pimelo-mcp speaks it: the machine-readable form of
`docs/pimelo-api.md`, which is the source of truth.

Pimelo documents only the frame of its API on its public developer page. Documented by
Pimelo (**[seed]**): the base URL `https://www.pimelo.app/api/v1/`, JSON in and out, bearer
tokens `pim_<random>` with twelve scopes, cursor pagination with `search_after`, search
endpoints taking JSON filters on attributes, status, channel and locale, RFC 7807
Problem Details errors, and 600 requests per minute per token with `X-RateLimit-Limit`,
`X-RateLimit-Remaining` and `Retry-After` on every response; among the endpoints, only
`GET /channels`.

Everything else is **assumed** (unmarked on the contract page), modelled on the PIM
family Pimelo follows: the other endpoints and the resource shapes, `X-RateLimit-Reset`, `ETag` / `If-Match` versions,
`Idempotency-Key`, the bulk endpoints and the Problem slugs. Each operation says which in
`x-pimelo-source` (`seed` or `assumed`) and names its scope in `x-required-scope`.

Every answer, errors included, carries the rate-limit headers; every error is
`application/problem+json`. Response schemas allow extra properties (resources may grow);
request bodies are closed (an unknown top-level field is a 422).
"""


def build() -> JSON:
    """The OpenAPI document, as a fresh dict."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pimelo REST API v1 (pimelo-mcp contract)",
            "version": "1.0.0",
            "description": INFO_DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [
            {"url": "https://www.pimelo.app/api/v1", "description": "Pimelo"},
            {"url": "http://127.0.0.1:8765/api/v1", "description": "Local sandbox"},
        ],
        "tags": [
            {"name": "me", "description": "The token itself."},
            {"name": "settings", "description": "Channels and locales."},
            {"name": "categories", "description": "The category tree."},
            {"name": "attributes", "description": "Attribute definitions."},
            {"name": "attribute-sets", "description": "Attribute sets (families)."},
            {"name": "products", "description": "Products."},
            {"name": "entities", "description": "Entity types and their records."},
            {"name": "media", "description": "Media files."},
            {"name": "meta", "description": "This document."},
        ],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "pim_<random>",
                    "description": "A Pimelo API token [seed]. Scopes: " + ", ".join(SCOPES) + ".",
                }
            },
            "schemas": _schemas(),
            "parameters": _parameters(),
            "headers": _headers(),
            "responses": _responses(),
        },
    }


def render() -> str:
    """The document as the exact text of `openapi.json`."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write or check pimelo_mcp/sandbox/openapi.json.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", action="store_true", help="write the document")
    group.add_argument("--check", action="store_true", help="fail if the document is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOCUMENT_PATH.write_text(text, encoding="utf-8")
        return 0
    if DOCUMENT_PATH.read_text(encoding="utf-8") != text:
        print(
            f"{DOCUMENT_PATH} is stale: run python -m pimelo_mcp.sandbox.openapi_builder --write",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
