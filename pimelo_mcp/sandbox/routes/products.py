"""Products: search, get, create, merge-PATCH and bulk."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from pimelo_mcp.sandbox.auth import require_scope
from pimelo_mcp.sandbox.completeness import compute_completeness
from pimelo_mcp.sandbox.idempotency import idempotent
from pimelo_mcp.sandbox.jsonutil import IDENTIFIER_RE, JSON, as_list, expect_str, now_ts
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError, invalid, not_found
from pimelo_mcp.sandbox.routes.bulk import run_bulk
from pimelo_mcp.sandbox.routes.common import (
    check_closed,
    check_version,
    etag,
    fingerprint,
    idempotent_patch,
    json_response,
    parse_if_match,
    query_bool,
    read_json,
    route,
    sandbox,
)
from pimelo_mcp.sandbox.routes.search import plan_search, run_page, shortcut_filter
from pimelo_mcp.sandbox.store import Store, product_search_text
from pimelo_mcp.sandbox.values import merge_values, restrict_values, validate_values

STATUSES = ("draft", "active", "archived")
COLUMNS = "t.id, t.uuid, t.identifier, t.attribute_set, t.status, t.categories, t.vals, t.version, t.created_at, t.updated_at"
CREATE_FIELDS = ("identifier", "attribute_set", "status", "categories", "values")
SEARCH_FIELDS = (
    "query",
    "filters",
    "locale",
    "channel",
    "sort",
    "limit",
    "search_after",
    "attributes",
    "with_completeness",
    "attribute_set",
    "status",
)


def _product(row: tuple[Any, ...]) -> JSON:
    return {
        "id": row[0],
        "uuid": row[1],
        "identifier": row[2],
        "attribute_set": row[3],
        "status": row[4],
        "categories": json.loads(row[5]),
        "values": json.loads(row[6]),
        "version": row[7],
        "created_at": row[8],
        "updated_at": row[9],
    }


def load_product(store: Store, identifier: str) -> JSON:
    row = store.conn.execute(
        f"SELECT {COLUMNS} FROM products t WHERE t.identifier = ?", (identifier,)
    ).fetchone()
    if row is None:
        raise not_found(f"Product {identifier!r}")
    return _product(row)


def render(
    store: Store,
    product: JSON,
    *,
    locale: str | None = None,
    channel: str | None = None,
    attributes: list[str] | None = None,
    with_completeness: bool = False,
) -> JSON:
    """The contract's Product: values restricted to the asked locale / channel / attributes."""
    shown: JSON = {
        "uuid": product["uuid"],
        "identifier": product["identifier"],
        "attribute_set": product["attribute_set"],
        "status": product["status"],
        "categories": product["categories"],
        "values": restrict_values(product["values"], locale, channel, attributes),
    }
    if with_completeness:
        rows = compute_completeness(
            product["values"],
            store.attribute_sets.get(product["attribute_set"]),
            store.channels,
            store.attributes,
        )
        shown["completeness"] = [
            r
            for r in rows
            if (channel is None or r["channel"] == channel)
            and (locale is None or r["locale"] == locale)
        ]
    shown.update(
        version=product["version"],
        created_at=product["created_at"],
        updated_at=product["updated_at"],
    )
    return shown


def _check_categories(raw: Any, store: Store, errors: FieldErrors) -> list[str]:
    codes = as_list(raw)
    if codes is None or not all(isinstance(c, str) for c in codes):
        errors.add("categories", "must be a list of category codes")
        return []
    for index, code in enumerate(codes):
        if code not in store.categories:
            errors.add(f"categories[{index}]", f"{code!r} is not a known category")
    if len(set(codes)) != len(codes):
        errors.add("categories", "category codes must be distinct")
    return [str(c) for c in codes]


def _write_row(store: Store, product: JSON, *, insert: bool) -> None:
    values = product["values"]
    search = product_search_text(product["identifier"], values, store.text_codes())
    fields = (
        product["attribute_set"],
        product["status"],
        json.dumps(product["categories"]),
        json.dumps(values, separators=(",", ":")),
        search,
        product["version"],
        product["updated_at"],
    )
    if insert:
        cursor = store.conn.execute(
            "INSERT INTO products (uuid, identifier, attribute_set, status, categories, vals, search, version, updated_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (product["uuid"], product["identifier"], *fields, product["created_at"]),
        )
        product["id"] = int(cursor.lastrowid or 0)
    else:
        store.conn.execute(
            "UPDATE products SET attribute_set = ?, status = ?, categories = ?, vals = ?, search = ?,"
            " version = ?, updated_at = ? WHERE id = ?",
            (*fields, product["id"]),
        )
    store.write_completeness(product["id"], values, product["attribute_set"])


def create_product(store: Store, body: JSON, extra_fields: tuple[str, ...] = ()) -> JSON:
    """Validate and insert a product; 422 (every error), 409 on a taken identifier."""
    errors = FieldErrors()
    check_closed(body, (*CREATE_FIELDS, *extra_fields), errors)
    identifier = body.get("identifier")
    if not isinstance(identifier, str) or not IDENTIFIER_RE.match(identifier):
        errors.add("identifier", "is required and must match ^[A-Za-z0-9_.\\-]{1,255}$")
    set_code = body.get("attribute_set")
    attribute_set = store.attribute_sets.get(set_code) if isinstance(set_code, str) else None
    if attribute_set is None:
        errors.add("attribute_set", "is required and must be a known attribute set")
    status = body.get("status", "draft")
    if status not in STATUSES:
        errors.add("status", f"must be one of {', '.join(STATUSES)}")
    categories = _check_categories(body.get("categories", []), store, errors)
    writes: dict[str, list[JSON]] = {}
    if "values" in body:
        writes = validate_values(
            body["values"],
            "values",
            store.attributes,
            store,
            errors,
            allowed=set(attribute_set["attributes"]) if attribute_set else None,
            allowed_label=f"attribute set {set_code}",
        )
    errors.raise_if_any()
    assert isinstance(identifier, str)
    if store.conn.execute("SELECT 1 FROM products WHERE identifier = ?", (identifier,)).fetchone():
        raise ProblemError(409, f"A product with identifier {identifier!r} already exists.")
    stamp = now_ts()
    product: JSON = {
        "uuid": str(uuid.uuid4()),
        "identifier": identifier,
        "attribute_set": set_code,
        "status": status,
        "categories": categories,
        "values": merge_values({}, writes),
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
    }
    with store.transaction():
        _write_row(store, product, insert=True)
    return product


def update_product(
    store: Store,
    identifier: str,
    body: JSON,
    expected: int | None,
    extra_fields: tuple[str, ...] = (),
) -> JSON:
    """Merge-update: 404, 412 on a stale version, 422 for any invalid field (nothing changes)."""
    current = load_product(store, identifier)
    check_version(expected, current["version"])
    errors = FieldErrors()
    check_closed(body, (*CREATE_FIELDS, *extra_fields), errors)
    if "identifier" in body and body["identifier"] != identifier:
        errors.add("identifier", "cannot be changed")
    updated = dict(current)
    if "attribute_set" in body:
        set_code = expect_str(body["attribute_set"], "attribute_set", errors, nullable=False)
        if set_code is not None and set_code not in store.attribute_sets:
            errors.add("attribute_set", "must be a known attribute set")
        elif set_code is not None:
            updated["attribute_set"] = set_code
    if "status" in body:
        if body["status"] not in STATUSES:
            errors.add("status", f"must be one of {', '.join(STATUSES)}")
        else:
            updated["status"] = body["status"]
    if "categories" in body:
        updated["categories"] = _check_categories(body["categories"], store, errors)
    attribute_set = store.attribute_sets.get(updated["attribute_set"])
    members = set(attribute_set["attributes"]) if attribute_set else set[str]()
    if "values" in body:
        writes = validate_values(
            body["values"],
            "values",
            store.attributes,
            store,
            errors,
            allowed=members,
            allowed_label=f"attribute set {updated['attribute_set']}",
        )
        updated["values"] = merge_values(current["values"], writes)
    outside = sorted(set(updated["values"]) - members)
    if outside and updated["attribute_set"] != current["attribute_set"]:
        errors.add(
            "attribute_set",
            f"the product has values for attributes outside {updated['attribute_set']}: {', '.join(outside)}",
        )
    errors.raise_if_any()
    watched = ("attribute_set", "status", "categories", "values")
    if all(updated[k] == current[k] for k in watched):
        return current
    updated["version"] = current["version"] + 1
    updated["updated_at"] = now_ts()
    with store.transaction():
        _write_row(store, updated, insert=False)
    return updated


async def search_products(request: Request) -> Response:
    require_scope(request, "products:read")
    body = await read_json(request)
    store = sandbox(request).store
    errors = FieldErrors()
    plan = plan_search(
        body,
        kind="product",
        store=store,
        attributes=store.attributes,
        allowed_fields=SEARCH_FIELDS,
        default_sort="identifier",
        errors=errors,
    )
    shortcut_filter(body, "attribute_set", store.attribute_sets, errors, plan.sql)
    shortcut_filter(body, "status", STATUSES, errors, plan.sql)
    errors.raise_if_any()
    rows, cursor = run_page(store, "products", COLUMNS, plan, [], [])
    items = [
        render(
            store,
            _product(row),
            locale=plan.locale,
            channel=plan.channel,
            attributes=plan.attributes,
            with_completeness=plan.with_completeness,
        )
        for row in rows
    ]
    return json_response({"items": items, "search_after": cursor})


async def get_product(request: Request) -> Response:
    require_scope(request, "products:read")
    store = sandbox(request).store
    errors = FieldErrors()
    locale = request.query_params.get("locale")
    channel = request.query_params.get("channel")
    if locale is not None and locale not in store.enabled_locales():
        errors.add("locale", f"{locale!r} is not an enabled locale")
    if channel is not None and channel not in store.channels:
        errors.add("channel", f"{channel!r} is not a known channel")
    with_completeness = query_bool(request, "with_completeness", errors)
    errors.raise_if_any()
    product = load_product(store, request.path_params["identifier"])
    shown = render(
        store, product, locale=locale, channel=channel, with_completeness=with_completeness
    )
    return json_response(shown, headers={"ETag": etag(product["version"])})


async def post_product(request: Request) -> Response:
    require_scope(request, "products:write")
    body = await read_json(request)
    store = sandbox(request).store

    async def produce() -> Response:
        product = create_product(store, body)
        location = str(request.url_for("product", identifier=product["identifier"]))
        return json_response(render(store, product), 201, {"Location": location, "ETag": etag(1)})

    return await idempotent(request, store, fingerprint(body), produce)


@idempotent_patch
async def patch_product(request: Request) -> Response:
    require_scope(request, "products:write")
    body = await read_json(request)
    store = sandbox(request).store
    expected = parse_if_match(request.headers.get("if-match"))
    product = update_product(store, request.path_params["identifier"], body, expected)
    return json_response(render(store, product), headers={"ETag": etag(product["version"])})


def _bulk_create(store: Store, operation: JSON) -> JSON:
    product = create_product(store, operation, ("op",))
    return {"identifier": product["identifier"], "status": 201, "version": product["version"]}


def _bulk_update(store: Store, operation: JSON) -> JSON:
    identifier = operation.get("identifier")
    if not isinstance(identifier, str):
        raise invalid("identifier", "is required and must be a string")
    expected = operation.get("expected_version")
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise invalid("expected_version", "must be an integer")
    patch = {k: v for k, v in operation.items() if k != "expected_version"}
    product = update_product(store, identifier, patch, expected, ("op",))
    return {"identifier": identifier, "status": 200, "version": product["version"]}


async def bulk_products(request: Request) -> Response:
    require_scope(request, "products:write")
    body = await read_json(request)
    store = sandbox(request).store

    async def produce() -> Response:
        return json_response(
            run_bulk(
                body,
                "identifier",
                lambda op: _bulk_create(store, op),
                lambda op: _bulk_update(store, op),
            )
        )

    return await idempotent(request, store, fingerprint(body), produce)


ROUTES = [
    route("/products", POST=post_product),
    route("/products/search", POST=search_products),
    route("/products/bulk", POST=bulk_products),
    route("/products/{identifier}", "product", GET=get_product, PATCH=patch_product),
]
