"""The shared part of `POST …/search`: body checks, filters, free text, sorts and keyset pages."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pimelo_mcp.sandbox.cursors import check_limit, decode_cursor, encode_cursor
from pimelo_mcp.sandbox.filters import FilterScope, Sql, compile_filters
from pimelo_mcp.sandbox.fulltext import TEXT_WEIGHTS, match_expression, query_key, words
from pimelo_mcp.sandbox.jsonutil import JSON, as_list, expect_bool, expect_str
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError
from pimelo_mcp.sandbox.store import Store

SORT_COLUMNS = {
    "identifier": "identifier",
    "code": "code",
    "updated": "updated_at",
    "created": "created_at",
}
RELEVANCE = "relevance"
# The free-text table of each kind of record, and its column holding the record's key.
TEXT_TABLES = {"product": ("product_text", "identifier"), "entity": ("entity_text", "code")}
MAX_QUERY_WORDS = 32  # every word must match: more is a pasted text, not a search
EXACT_KEY_BONUS = 1000.0  # a query that is a record's whole identifier / code puts it first


@dataclass(frozen=True)
class TextMatch:
    """A free-text query, ready for FTS5."""

    expression: str  # the MATCH expression (fulltext.match_expression)
    table: str
    key_column: str
    exact: str  # the query lower-cased: equal to a key, that record ranks first
    search: str  # the query's identity: a relevance cursor is valid for this query only

    def ranked(self, exact_id: int | None) -> tuple[str, list[Any]]:
        """A subquery of (rid, score) for every match; a lower score is a better match.

        The record whose whole key is the query (`exact_id`) gets a bonus that puts it first.
        """
        weights = ", ".join(str(w) for w in TEXT_WEIGHTS)
        return (
            f"SELECT rowid AS rid, bm25({self.table}, {weights})"
            f" - (rowid = ?) * {EXACT_KEY_BONUS} AS score"
            f" FROM {self.table} WHERE {self.table} MATCH ?",
            [exact_id if exact_id is not None else -1, self.expression],
        )

    def exact_id(
        self, store: Store, table: str, base_where: list[str], params: list[Any]
    ) -> int | None:
        """The id of the record whose key is the query, case aside (keys are ASCII)."""
        where = "".join(f" AND ({clause})" for clause in base_where)
        row = store.conn.execute(
            f"SELECT t.id FROM {table} t WHERE lower(t.{self.key_column}) = ?{where} LIMIT 1",
            [self.exact, *params],
        ).fetchone()
        return int(row[0]) if row else None


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
    text: TextMatch | None = None

    @property
    def cursor_sort(self) -> str:
        """What a cursor is made for: the sort, and for relevance the query too."""
        if self.sort == RELEVANCE and self.text is not None:
            return f"{RELEVANCE}:{self.text.search}"
        return self.sort


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
        errors.add("locale", store.not_enabled(locale))
        locale = None
    channel = expect_str(body.get("channel"), "channel", errors)
    if channel is not None and channel not in store.channels:
        errors.add("channel", store.not_a_channel(channel))
        channel = None
    plan.locale, plan.channel = locale, channel
    plan.text = _text_match(body.get("query"), kind, errors)
    sorts = [s for key in (default_sort, "updated", "created") for s in (key, f"-{key}")] + [
        RELEVANCE
    ]
    sort = body.get("sort")
    if sort is None:  # with a query, the best matches first
        plan.sort = RELEVANCE if plan.text is not None else default_sort
    elif sort not in sorts:
        errors.add("sort", f"must be one of {', '.join(sorts)}")
    elif sort == RELEVANCE and plan.text is None and not _query_given(body):
        errors.add("sort", "relevance orders the matches of a query: give a query, or another sort")
    else:
        plan.sort = sort
    try:
        plan.limit = check_limit(body.get("limit"))
    except ProblemError:
        errors.add("limit", "must be an integer from 1 to 100")
    if body.get("search_after") is not None:
        try:
            plan.after = decode_cursor(body["search_after"], plan.cursor_sort)
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
    scope = FilterScope(
        kind=kind, attributes=attributes, store=store, locale=locale, channel=channel
    )
    compile_filters(body.get("filters"), scope, errors, plan.sql)
    return plan


def _query_given(body: JSON) -> bool:
    query = body.get("query")
    return isinstance(query, str) and bool(query.strip())


def _text_match(raw: Any, kind: str, errors: FieldErrors) -> TextMatch | None:
    """The free-text part of a search: None without a query (or a blank one)."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        errors.add("query", "must be a string")
        return None
    if not raw.strip():
        return None
    if len(words(raw)) > MAX_QUERY_WORDS:
        errors.add("query", f"has more than {MAX_QUERY_WORDS} words; search for fewer")
        return None
    expression = match_expression(raw)
    if expression is None:
        errors.add("query", "holds no word to search for (letters or digits)")
        return None
    table, key_column = TEXT_TABLES[kind]
    search = hashlib.sha256(query_key(raw).encode()).hexdigest()[:12]
    return TextMatch(expression, table, key_column, raw.strip().lower(), search)


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
    where = [*base_where, *plan.sql.where]
    params = [*base_params, *plan.sql.params]
    source = f"{table} t"
    source_params: list[Any] = []
    record_id = "t.id"
    if plan.sort == RELEVANCE and plan.text is not None:
        exact_id = plan.text.exact_id(store, table, base_where, base_params)
        ranked, source_params = plan.text.ranked(exact_id)
        if where:
            source = f"({ranked}) m JOIN {table} t ON t.id = m.rid"
        else:  # nothing else to check: the page comes from the index alone
            source, record_id = f"({ranked}) m", "m.rid"
        key, unique_key, descending = "m.score", False, False
    else:
        if plan.text is not None:
            where.append(
                f"t.id IN (SELECT rowid FROM {plan.text.table} WHERE {plan.text.table} MATCH ?)"
            )
            params.append(plan.text.expression)
        descending = plan.sort.startswith("-")
        key_name = plan.sort.lstrip("-")
        key = f"t.{SORT_COLUMNS[key_name]}"
        unique_key = key_name in ("identifier", "code")
    compare = "<" if descending else ">"
    if plan.after is not None:
        after_key, after_id = plan.after
        if unique_key:
            where.append(f"{key} {compare} ?")
            params.append(after_key)
        else:
            where.append(f"({key}, {record_id}) {compare} (?, ?)")
            params.extend([after_key, after_id])
    direction = "DESC" if descending else "ASC"

    def order(key: str, record_id: str) -> str:
        return f"{key} {direction}" if unique_key else f"{key} {direction}, {record_id} {direction}"

    # The page's ids are found and sorted first, then only those rows are read: sorting
    # thousands of matches with their values would cost more than the search.
    page = f"SELECT {record_id} AS id, {key} AS k FROM {source}"
    if where:
        page += " WHERE " + " AND ".join(f"({w})" for w in where)
    page += f" ORDER BY {order(key, record_id)} LIMIT ?"
    sql = f"SELECT p.id, p.k, {columns} FROM ({page}) p JOIN {table} t ON t.id = p.id"
    sql += f" ORDER BY {order('p.k', 'p.id')}"
    rows = store.conn.execute(sql, [*source_params, *params, plan.limit + 1]).fetchall()
    cursor = None
    if len(rows) > plan.limit:
        rows = rows[: plan.limit]
        last = rows[-1]
        cursor = encode_cursor(plan.cursor_sort, last[1], last[0])
    return [row[2:] for row in rows], cursor
