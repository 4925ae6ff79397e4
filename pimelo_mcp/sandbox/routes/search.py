"""The shared part of `POST …/search`: body checks, filters, free text, sorts and keyset pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pimelo_mcp.sandbox.cursors import check_limit, decode_cursor, encode_cursor
from pimelo_mcp.sandbox.filters import FilterScope, Sql, compile_filters
from pimelo_mcp.sandbox.jsonutil import JSON, as_list, expect_bool, expect_str
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError
from pimelo_mcp.sandbox.store import Store

SORT_COLUMNS = {
    "identifier": "identifier",
    "code": "code",
    "updated": "updated_at",
    "created": "created_at",
}


@dataclass
class SearchPlan:
    """A checked search body, ready to run."""

    sql: Sql = field(default_factory=lambda: Sql([], []))
    locale: str | None = None
    channel: str | None = None
    attributes: list[str] | None = None
    limit: int = 25
    sort: str = "identifier"
    after: tuple[Any, Any] | None = None
    with_completeness: bool = False


def plan_search(
    body: JSON,
    *,
    kind: str,
    store: Store,
    attributes: Mapping[str, JSON],
    allowed_fields: tuple[str, ...],
    default_sort: str,
    errors: FieldErrors,
) -> SearchPlan:
    plan = SearchPlan(sort=default_sort)
    for name in body:
        if name not in allowed_fields:
            errors.add(name, "is not a known field")
    locale = expect_str(body.get("locale"), "locale", errors)
    if locale is not None and locale not in store.enabled_locales():
        errors.add("locale", f"{locale!r} is not an enabled locale")
        locale = None
    channel = expect_str(body.get("channel"), "channel", errors)
    if channel is not None and channel not in store.channels:
        errors.add("channel", f"{channel!r} is not a known channel")
        channel = None
    plan.locale, plan.channel = locale, channel
    sort = body.get("sort", default_sort)
    sorts = [s for key in (default_sort, "updated", "created") for s in (key, f"-{key}")]
    if sort is None:
        sort = default_sort
    if sort not in sorts:
        errors.add("sort", f"must be one of {', '.join(sorts)}")
    else:
        plan.sort = sort
    try:
        plan.limit = check_limit(body.get("limit"))
    except ProblemError:
        errors.add("limit", "must be an integer from 1 to 100")
    if body.get("search_after") is not None:
        try:
            plan.after = decode_cursor(body["search_after"], plan.sort)
        except ProblemError as problem:
            errors.items.extend(problem.extensions["errors"])
    if "attributes" in body and body["attributes"] is not None:
        codes = as_list(body["attributes"])
        if codes is None or not all(isinstance(c, str) for c in codes):
            errors.add("attributes", "must be a list of attribute codes")
        else:
            for index, code in enumerate(codes):
                if code not in attributes:
                    errors.add(f"attributes[{index}]", f"{code!r} is not a known attribute")
            plan.attributes = [str(c) for c in codes]
    if "with_completeness" in body:
        plan.with_completeness = bool(
            expect_bool(body["with_completeness"], "with_completeness", errors)
        )
    query = body.get("query")
    if query is not None:
        if not isinstance(query, str):
            errors.add("query", "must be a string")
        elif query.strip():
            plan.sql.add("instr(t.search, ?) > 0", query.strip().lower())
    scope = FilterScope(
        kind=kind, attributes=attributes, store=store, locale=locale, channel=channel
    )
    compile_filters(body.get("filters"), scope, errors, plan.sql)
    return plan


def shortcut_filter(body: JSON, name: str, known: Any, errors: FieldErrors, sql: Sql) -> None:
    """`attribute_set` / `status` at the top of a product search: a string or a list."""
    raw = body.get(name)
    if raw is None:
        return
    items = [raw] if isinstance(raw, str) else as_list(raw)
    if not items or not all(isinstance(i, str) for i in items):
        errors.add(name, "must be a string or a non-empty list of strings")
        return
    unknown = [i for i in items if i not in known]
    if unknown:
        errors.add(name, f"unknown {name}: {', '.join(map(str, unknown))}")
        return
    sql.add(f"t.{name} IN ({','.join('?' * len(items))})", *items)


def run_page(
    store: Store,
    table: str,
    columns: str,
    plan: SearchPlan,
    base_where: list[str],
    base_params: list[Any],
) -> tuple[list[tuple[Any, ...]], str | None]:
    """One keyset page (never OFFSET): rows plus the cursor of the next page."""
    descending = plan.sort.startswith("-")
    key_name = plan.sort.lstrip("-")
    column = f"t.{SORT_COLUMNS[key_name]}"
    unique_key = key_name in ("identifier", "code")
    where = [*base_where, *plan.sql.where]
    params = [*base_params, *plan.sql.params]
    compare = "<" if descending else ">"
    if plan.after is not None:
        key, record_id = plan.after
        if unique_key:
            where.append(f"{column} {compare} ?")
            params.append(key)
        else:
            where.append(f"({column}, t.id) {compare} (?, ?)")
            params.extend([key, record_id])
    direction = "DESC" if descending else "ASC"
    order = f"{column} {direction}" if unique_key else f"{column} {direction}, t.id {direction}"
    sql = f"SELECT t.id, {column}, {columns} FROM {table} t"
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    sql += f" ORDER BY {order} LIMIT ?"
    rows = store.conn.execute(sql, [*params, plan.limit + 1]).fetchall()
    cursor = None
    if len(rows) > plan.limit:
        rows = rows[: plan.limit]
        last = rows[-1]
        cursor = encode_cursor(plan.sort, last[1], last[0])
    return [row[2:] for row in rows], cursor
