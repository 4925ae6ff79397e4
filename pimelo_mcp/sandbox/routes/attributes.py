"""Attributes and attribute sets: list, get, create and PATCH."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pimelo_mcp.sandbox.auth import require_scope
from pimelo_mcp.sandbox.definitions import (
    ATTRIBUTE_TYPES,
    validate_attribute,
    validate_attribute_set,
)
from pimelo_mcp.sandbox.idempotency import idempotent
from pimelo_mcp.sandbox.jsonutil import JSON, member_list, now_ts
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError, not_found
from pimelo_mcp.sandbox.routes.common import (
    check_version,
    etag,
    fingerprint,
    idempotent_patch,
    json_response,
    page_by_code,
    parse_if_match,
    query_page,
    read_json,
    route,
    sandbox,
)
from pimelo_mcp.sandbox.store import Store


async def list_attributes(request: Request) -> Response:
    require_scope(request, "attributes:read")
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    store = sandbox(request).store
    items = list(store.attributes.values())
    params = request.query_params
    if "codes" in params:
        wanted = {c for c in params["codes"].split(",") if c}
        items = [a for a in items if a["code"] in wanted]
    if "type" in params:
        if params["type"] not in ATTRIBUTE_TYPES:
            errors.add("type", f"must be one of {', '.join(ATTRIBUTE_TYPES)}")
        items = [a for a in items if a["type"] == params["type"]]
    if "group" in params:
        items = [a for a in items if a.get("group") == params["group"]]
    if "attribute_set" in params:
        attribute_set = store.attribute_sets.get(params["attribute_set"])
        if attribute_set is None:
            errors.add("attribute_set", f"{params['attribute_set']!r} is not a known attribute set")
        else:
            members = set(attribute_set["attributes"])
            items = [a for a in items if a["code"] in members]
    if "search" in params:
        needle = params["search"].lower()
        items = [
            a
            for a in items
            if needle in a["code"].lower()
            or any(needle in str(label).lower() for label in a["labels"].values())
        ]
    errors.raise_if_any()
    return json_response(page_by_code(items, limit, cursor))


async def get_attribute(request: Request) -> Response:
    require_scope(request, "attributes:read")
    attribute = sandbox(request).store.attributes.get(request.path_params["code"])
    if attribute is None:
        raise not_found(f"Attribute {request.path_params['code']!r}")
    return json_response(attribute, headers={"ETag": etag(attribute["version"])})


async def create_attribute(request: Request) -> Response:
    require_scope(request, "attributes:write")
    body = await read_json(request)
    store = sandbox(request).store

    async def produce() -> Response:
        errors = FieldErrors()
        attribute = validate_attribute(body, store, errors, None)
        errors.raise_if_any()
        if attribute["code"] in store.attributes:
            raise ProblemError(409, f"Attribute {attribute['code']!r} already exists.")
        stamp = now_ts()
        attribute.update(version=1, created_at=stamp, updated_at=stamp)
        with store.transaction():
            store.put_record("attribute", attribute)
        return json_response(
            attribute,
            201,
            {
                "Location": str(request.url_for("get_attribute", code=attribute["code"])),
                "ETag": etag(1),
            },
        )

    return await idempotent(request, store, fingerprint(body), produce)


@idempotent_patch
async def patch_attribute(request: Request) -> Response:
    require_scope(request, "attributes:write")
    body = await read_json(request)
    store = sandbox(request).store
    current = store.attributes.get(request.path_params["code"])
    if current is None:
        raise not_found(f"Attribute {request.path_params['code']!r}")
    check_version(parse_if_match(request.headers.get("if-match")), current["version"])
    errors = FieldErrors()
    updated = validate_attribute(body, store, errors, current)
    _check_removed_options(store, current, updated, errors)
    errors.raise_if_any()
    if _changed(updated, current):
        updated.update(version=current["version"] + 1, updated_at=now_ts())
        with store.transaction():
            store.put_record("attribute", updated)
    else:
        updated = current
    return json_response(updated, headers={"ETag": etag(updated["version"])})


def _check_removed_options(store: Store, current: JSON, updated: JSON, errors: FieldErrors) -> None:
    """Options still used by products may not be removed: their values would become invalid."""
    kept = {option["code"] for option in member_list(updated, "options")}
    removed = sorted(o["code"] for o in member_list(current, "options") if o["code"] not in kept)
    if not removed:
        return
    marks = ",".join("?" * len(removed))
    data = (
        "EXISTS (SELECT 1 FROM json_each(v.value, '$.data') o WHERE o.value IN ({marks}))"
        if current["type"] == "multiselect"
        else "json_extract(v.value, '$.data') IN ({marks})"
    ).format(marks=marks)
    (count,) = store.conn.execute(
        f"SELECT count(*) FROM products t WHERE EXISTS (SELECT 1 FROM json_each(t.vals, ?) v WHERE {data})",
        (f'$."{current["code"]}"', *removed),
    ).fetchone()
    if count:
        errors.add(
            "options", f"option(s) {', '.join(removed)} are still used by {count} product(s)"
        )


def _changed(updated: JSON, current: JSON) -> bool:
    skip = {"version", "created_at", "updated_at"}
    return any(
        updated.get(k) != current.get(k) for k in set(updated) | set(current) if k not in skip
    )


async def list_attribute_sets(request: Request) -> Response:
    require_scope(request, "attributes:read")
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    errors.raise_if_any()
    return json_response(
        page_by_code(list(sandbox(request).store.attribute_sets.values()), limit, cursor)
    )


async def get_attribute_set(request: Request) -> Response:
    require_scope(request, "attributes:read")
    attribute_set = sandbox(request).store.attribute_sets.get(request.path_params["code"])
    if attribute_set is None:
        raise not_found(f"Attribute set {request.path_params['code']!r}")
    return json_response(attribute_set, headers={"ETag": etag(attribute_set["version"])})


async def create_attribute_set(request: Request) -> Response:
    require_scope(request, "attributes:write")
    body = await read_json(request)
    store = sandbox(request).store

    async def produce() -> Response:
        errors = FieldErrors()
        attribute_set = validate_attribute_set(body, store, errors, None)
        errors.raise_if_any()
        if attribute_set["code"] in store.attribute_sets:
            raise ProblemError(409, f"Attribute set {attribute_set['code']!r} already exists.")
        stamp = now_ts()
        attribute_set.update(version=1, created_at=stamp, updated_at=stamp)
        with store.transaction():
            store.put_record("attribute_set", attribute_set)
        return json_response(
            attribute_set,
            201,
            {
                "Location": str(request.url_for("get_attribute_set", code=attribute_set["code"])),
                "ETag": etag(1),
            },
        )

    return await idempotent(request, store, fingerprint(body), produce)


@idempotent_patch
async def patch_attribute_set(request: Request) -> Response:
    require_scope(request, "attributes:write")
    body = await read_json(request)
    store = sandbox(request).store
    code = request.path_params["code"]
    current = store.attribute_sets.get(code)
    if current is None:
        raise not_found(f"Attribute set {code!r}")
    check_version(parse_if_match(request.headers.get("if-match")), current["version"])
    errors = FieldErrors()
    updated = validate_attribute_set(body, store, errors, current)
    removed = set(current["attributes"]) - set(updated.get("attributes") or [])
    for attribute in sorted(removed):
        # Products would be left with values outside their set.
        (count,) = store.conn.execute(
            "SELECT count(*) FROM products WHERE attribute_set = ? AND json_type(vals, ?) IS NOT NULL",
            (code, f'$."{attribute}"'),
        ).fetchone()
        if count:
            errors.add(
                "attributes", f"{attribute!r} still has values on {count} product(s) of this set"
            )
    errors.raise_if_any()
    if not _changed(updated, current):
        return json_response(current, headers={"ETag": etag(current["version"])})
    updated.update(version=current["version"] + 1, updated_at=now_ts())
    with store.transaction():
        store.put_record("attribute_set", updated)
        if updated["requirements"] != current["requirements"]:
            store.refresh_set_completeness(code)
    return json_response(updated, headers={"ETag": etag(updated["version"])})


ROUTES = [
    route("/attributes", GET=list_attributes, POST=create_attribute),
    route("/attributes/{code}", "get_attribute", GET=get_attribute, PATCH=patch_attribute),
    route("/attribute-sets", GET=list_attribute_sets, POST=create_attribute_set),
    route(
        "/attribute-sets/{code}",
        "get_attribute_set",
        GET=get_attribute_set,
        PATCH=patch_attribute_set,
    ),
]
