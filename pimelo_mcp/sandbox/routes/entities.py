"""Entity types and entity records: search, get, create, merge-PATCH and bulk."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from pimelo_mcp.sandbox.auth import require_scope
from pimelo_mcp.sandbox.idempotency import idempotent
from pimelo_mcp.sandbox.jsonutil import CODE_RE, JSON, now_ts
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError, invalid, not_found
from pimelo_mcp.sandbox.routes.bulk import run_bulk
from pimelo_mcp.sandbox.routes.common import (
    check_closed,
    check_labels,
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
from pimelo_mcp.sandbox.routes.search import plan_search, run_page
from pimelo_mcp.sandbox.store import Store, entity_search_text
from pimelo_mcp.sandbox.values import merge_values, restrict_values, validate_values

COLUMNS = "t.id, t.type, t.code, t.labels, t.vals, t.version, t.created_at, t.updated_at"
CREATE_FIELDS = ("code", "labels", "values")
SEARCH_FIELDS = (
    "query",
    "filters",
    "locale",
    "channel",
    "sort",
    "limit",
    "search_after",
    "attributes",
)


def entity_type_of(store: Store, code: str) -> JSON:
    entity_type = store.entity_types.get(code)
    if entity_type is None:
        raise not_found(f"Entity type {code!r}")
    return entity_type


def _attributes(entity_type: JSON) -> dict[str, JSON]:
    return {a["code"]: a for a in entity_type["attributes"]}


def _entity(row: tuple[Any, ...]) -> JSON:
    return {
        "id": row[0],
        "type": row[1],
        "code": row[2],
        "labels": json.loads(row[3]),
        "values": json.loads(row[4]),
        "version": row[5],
        "created_at": row[6],
        "updated_at": row[7],
    }


def render(
    entity: JSON,
    locale: str | None = None,
    channel: str | None = None,
    attributes: list[str] | None = None,
) -> JSON:
    return {
        "type": entity["type"],
        "code": entity["code"],
        "labels": entity["labels"],
        "values": restrict_values(entity["values"], locale, channel, attributes),
        "version": entity["version"],
        "created_at": entity["created_at"],
        "updated_at": entity["updated_at"],
    }


def load_entity(store: Store, entity_type: str, code: str) -> JSON:
    row = store.conn.execute(
        f"SELECT {COLUMNS} FROM entities t WHERE t.type = ? AND t.code = ?", (entity_type, code)
    ).fetchone()
    if row is None:
        raise not_found(f"Entity {entity_type}/{code}")
    return _entity(row)


def _save(store: Store, entity: JSON, *, insert: bool) -> None:
    search = entity_search_text(
        entity["code"], entity["labels"], entity["values"], store.entity_text_codes(entity["type"])
    )
    labels = json.dumps(entity["labels"])
    values = json.dumps(entity["values"], separators=(",", ":"))
    with store.transaction():
        if insert:
            cursor = store.conn.execute(
                "INSERT INTO entities (type, code, labels, vals, search, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entity["type"],
                    entity["code"],
                    labels,
                    values,
                    search,
                    entity["version"],
                    entity["created_at"],
                    entity["updated_at"],
                ),
            )
            entity["id"] = cursor.lastrowid
        else:
            store.conn.execute(
                "UPDATE entities SET labels = ?, vals = ?, search = ?, version = ?, updated_at = ? WHERE id = ?",
                (labels, values, search, entity["version"], entity["updated_at"], entity["id"]),
            )


def create_entity(
    store: Store, type_code: str, body: JSON, extra_fields: tuple[str, ...] = ()
) -> JSON:
    entity_type = entity_type_of(store, type_code)
    errors = FieldErrors()
    check_closed(body, (*CREATE_FIELDS, *extra_fields), errors)
    code = body.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        errors.add("code", "is required and must match ^[a-z0-9_]{1,100}$")
    labels = check_labels(body.get("labels", {}), "labels", store, errors)
    writes: dict[str, list[JSON]] = {}
    if "values" in body:
        writes = validate_values(body["values"], "values", _attributes(entity_type), store, errors)
    errors.raise_if_any()
    assert isinstance(code, str)
    if store.existing_entity_codes(type_code, [code]):
        raise ProblemError(409, f"Entity {type_code}/{code} already exists.")
    stamp = now_ts()
    entity: JSON = {
        "type": type_code,
        "code": code,
        "labels": labels,
        "values": merge_values({}, writes),
        "version": 1,
        "created_at": stamp,
        "updated_at": stamp,
    }
    _save(store, entity, insert=True)
    return entity


def update_entity(
    store: Store,
    type_code: str,
    code: str,
    body: JSON,
    expected: int | None,
    extra_fields: tuple[str, ...] = (),
) -> JSON:
    entity_type = entity_type_of(store, type_code)
    current = load_entity(store, type_code, code)
    check_version(expected, current["version"])
    errors = FieldErrors()
    check_closed(body, (*CREATE_FIELDS, *extra_fields), errors)
    if "code" in body and body["code"] != code:
        errors.add("code", "cannot be changed")
    updated = dict(current)
    if "labels" in body:
        updated["labels"] = check_labels(body["labels"], "labels", store, errors)
    if "values" in body:
        writes = validate_values(body["values"], "values", _attributes(entity_type), store, errors)
        updated["values"] = merge_values(current["values"], writes)
    errors.raise_if_any()
    if updated["labels"] == current["labels"] and updated["values"] == current["values"]:
        return current
    updated["version"] = current["version"] + 1
    updated["updated_at"] = now_ts()
    _save(store, updated, insert=False)
    return updated


async def list_entity_types(request: Request) -> Response:
    require_scope(request, "entities:read")
    errors = FieldErrors()
    limit, cursor = query_page(request, errors)
    errors.raise_if_any()
    return json_response(
        page_by_code(list(sandbox(request).store.entity_types.values()), limit, cursor)
    )


async def get_entity_type(request: Request) -> Response:
    require_scope(request, "entities:read")
    return json_response(entity_type_of(sandbox(request).store, request.path_params["type"]))


async def search_entities(request: Request) -> Response:
    require_scope(request, "entities:read")
    store = sandbox(request).store
    type_code = request.path_params["type"]
    entity_type = entity_type_of(store, type_code)
    body = await read_json(request)
    errors = FieldErrors()
    plan = plan_search(
        body,
        kind="entity",
        store=store,
        attributes=_attributes(entity_type),
        allowed_fields=SEARCH_FIELDS,
        default_sort="code",
        errors=errors,
    )
    errors.raise_if_any()
    rows, cursor = run_page(store, "entities", COLUMNS, plan, ["t.type = ?"], [type_code])
    items = [render(_entity(row), plan.locale, plan.channel, plan.attributes) for row in rows]
    return json_response({"items": items, "search_after": cursor})


async def get_entity(request: Request) -> Response:
    require_scope(request, "entities:read")
    store = sandbox(request).store
    entity_type_of(store, request.path_params["type"])
    entity = load_entity(store, request.path_params["type"], request.path_params["code"])
    return json_response(render(entity), headers={"ETag": etag(entity["version"])})


async def post_entity(request: Request) -> Response:
    require_scope(request, "entities:write")
    store = sandbox(request).store
    type_code = request.path_params["type"]
    entity_type_of(store, type_code)
    body = await read_json(request)

    async def produce() -> Response:
        entity = create_entity(store, type_code, body)
        location = str(request.url_for("entity", type=type_code, code=entity["code"]))
        return json_response(render(entity), 201, {"Location": location, "ETag": etag(1)})

    return await idempotent(request, store, fingerprint(body), produce)


@idempotent_patch
async def patch_entity(request: Request) -> Response:
    require_scope(request, "entities:write")
    store = sandbox(request).store
    body = await read_json(request)
    expected = parse_if_match(request.headers.get("if-match"))
    entity = update_entity(
        store, request.path_params["type"], request.path_params["code"], body, expected
    )
    return json_response(render(entity), headers={"ETag": etag(entity["version"])})


async def bulk_entities(request: Request) -> Response:
    require_scope(request, "entities:write")
    store = sandbox(request).store
    type_code = request.path_params["type"]
    entity_type_of(store, type_code)
    body = await read_json(request)

    def create(operation: JSON) -> JSON:
        entity = create_entity(store, type_code, operation, ("op",))
        return {"code": entity["code"], "status": 201, "version": 1}

    def update(operation: JSON) -> JSON:
        code = operation.get("code")
        if not isinstance(code, str):
            raise invalid("code", "is required and must be a string")
        expected = operation.get("expected_version")
        if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
            raise invalid("expected_version", "must be an integer")
        patch = {k: v for k, v in operation.items() if k != "expected_version"}
        entity = update_entity(store, type_code, code, patch, expected, ("op",))
        return {"code": code, "status": 200, "version": entity["version"]}

    async def produce() -> Response:
        return json_response(run_bulk(body, "code", create, update))

    return await idempotent(request, store, fingerprint(body), produce)


ROUTES = [
    route("/entity-types", GET=list_entity_types),
    route("/entity-types/{type}", GET=get_entity_type),
    route("/entities/{type}", POST=post_entity),
    route("/entities/{type}/search", POST=search_entities),
    route("/entities/{type}/bulk", POST=bulk_entities),
    route("/entities/{type}/{code}", "entity", GET=get_entity, PATCH=patch_entity),
]
