"""SQLite storage: the schema, the catalog loader, cached settings records and row access."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import uuid
from collections.abc import Generator, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from pimelo_mcp.sandbox.completeness import compute_completeness
from pimelo_mcp.sandbox.demo import DemoCatalog
from pimelo_mcp.sandbox.fulltext import TOKENIZER, text_columns
from pimelo_mcp.sandbox.jsonutil import JSON, dumps, normalize_ts, now_ts

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL,
    scopes TEXT NOT NULL, expires_at TEXT);
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL, code TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (kind, code));
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, identifier TEXT NOT NULL,
    attribute_set TEXT NOT NULL, status TEXT NOT NULL, categories TEXT NOT NULL,
    vals TEXT NOT NULL, version INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS completeness (
    product_id INTEGER NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, ratio REAL NOT NULL,
    PRIMARY KEY (product_id, channel, locale)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL, code TEXT NOT NULL, labels TEXT NOT NULL,
    vals TEXT NOT NULL, version INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS media (
    id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, filename TEXT NOT NULL,
    mime_type TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
    width INTEGER, height INTEGER, content BLOB NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
    token_hash TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL, body BLOB NOT NULL, headers TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (token_hash, key));
"""

# Free text (see fulltext.py): one row per product / entity, rowid = its id, written in the
# same transaction as the record.
_TEXT_SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS product_text USING fts5(
    identifier, short, long, tokenize='{TOKENIZER}');
CREATE VIRTUAL TABLE IF NOT EXISTS entity_text USING fts5(
    code, short, long, tokenize='{TOKENIZER}');
"""

# Built after a bulk load: inserting into indexed tables is several times slower.
_INDEXES = """
CREATE UNIQUE INDEX IF NOT EXISTS products_identifier ON products (identifier);
CREATE INDEX IF NOT EXISTS products_identifier_folded ON products (lower(identifier));
CREATE INDEX IF NOT EXISTS products_updated ON products (updated_at, id);
CREATE INDEX IF NOT EXISTS products_created ON products (created_at, id);
CREATE INDEX IF NOT EXISTS products_status ON products (status, identifier);
CREATE INDEX IF NOT EXISTS products_set ON products (attribute_set, identifier);
CREATE INDEX IF NOT EXISTS completeness_ratio ON completeness (channel, locale, ratio);
CREATE UNIQUE INDEX IF NOT EXISTS entities_code ON entities (type, code);
CREATE INDEX IF NOT EXISTS entities_code_folded ON entities (type, lower(code));
CREATE INDEX IF NOT EXISTS entities_updated ON entities (type, updated_at, id);
CREATE INDEX IF NOT EXISTS entities_created ON entities (type, created_at, id);
"""

RECORD_KINDS = ("locale", "channel", "category", "attribute", "attribute_set", "entity_type")


def _fold_case(value: str | float | None) -> str | float | None:
    return value.lower() if isinstance(value, str) else value


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Token:
    """A stored API token (its value is never kept, only its sha256)."""

    hash: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    expires_at: str | None


def normalize_values(raw: Any) -> dict[str, list[JSON]]:
    """Catalog values in the stored shape: {code: [{locale, channel, data}]}, null data dropped."""
    values: dict[str, list[JSON]] = {}
    if not isinstance(raw, dict):
        return values
    for code, entries in raw.items():  # pyright: ignore[reportUnknownVariableType]
        if not isinstance(entries, list):
            continue
        kept: list[JSON] = [
            {"locale": e.get("locale"), "channel": e.get("channel"), "data": e.get("data")}  # pyright: ignore[reportUnknownMemberType]
            for e in entries  # pyright: ignore[reportUnknownVariableType]
            if isinstance(e, dict) and e.get("data") is not None  # pyright: ignore[reportUnknownMemberType]
        ]
        if kept:
            values[str(code)] = kept  # pyright: ignore[reportUnknownArgumentType]
    return values


class Store:
    """One SQLite connection plus in-memory copies of the small, often-read settings records."""

    def __init__(self, db_path: str | None = None) -> None:
        self.is_new = (
            db_path is None or not os.path.exists(db_path) or os.path.getsize(db_path) == 0
        )
        self.conn = sqlite3.connect(
            db_path or ":memory:", check_same_thread=False, isolation_level=None
        )
        # SQLite's lower() folds ASCII only; free text must fold like Python does.
        self.conn.create_function("plower", 1, _fold_case, deterministic=True)
        if db_path:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        text_tables_missing = not self._has_table("product_text")
        self.conn.executescript(_TEXT_SCHEMA)
        if not self.is_new:
            self.is_new = self.conn.execute("SELECT count(*) FROM records").fetchone()[0] == 0
        self.records: dict[str, dict[str, JSON]] = {kind: {} for kind in RECORD_KINDS}
        self.tokens: dict[str, Token] = {}
        self._seq = 0
        self._load_records()
        if text_tables_missing and not self.is_new:
            self._index_existing_records()

    def close(self) -> None:
        self.conn.close()

    def _has_table(self, name: str) -> bool:
        found = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return found is not None

    def _index_existing_records(self) -> None:
        """A database written before free text had its own index: index every record, and
        drop the substring columns that index replaces, in one transaction."""
        with self.transaction():
            for product_id, identifier, vals in self.conn.execute(
                "SELECT id, identifier, vals FROM products"
            ).fetchall():
                self.index_product(product_id, identifier, json.loads(vals), replace=False)
            for entity_id, entity_type, code, labels, vals in self.conn.execute(
                "SELECT id, type, code, labels, vals FROM entities"
            ).fetchall():
                self.index_entity(
                    entity_id,
                    entity_type,
                    code,
                    json.loads(labels),
                    json.loads(vals),
                    replace=False,
                )
            for table in ("products", "entities"):
                columns = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
                if "search" in columns:
                    self.conn.execute(f"ALTER TABLE {table} DROP COLUMN search")

    # -- free-text index ------------------------------------------------------------------

    def text_attribute_codes(self) -> tuple[set[str], set[str]]:
        """The product attributes free text searches: (text, textarea) codes."""
        short = {c for c, a in self.attributes.items() if a["type"] == "text"}
        long = {c for c, a in self.attributes.items() if a["type"] == "textarea"}
        return short, long

    def product_text_row(
        self, product_id: int, identifier: str, values: Mapping[str, list[JSON]]
    ) -> tuple[int, str, str, str]:
        short, long = text_columns(values, *self.text_attribute_codes())
        return product_id, identifier, short, long

    def index_product(
        self,
        product_id: int,
        identifier: str,
        values: Mapping[str, list[JSON]],
        *,
        replace: bool = True,
    ) -> None:
        """(Re)write a product's free-text row; call it inside the write's transaction."""
        if replace:
            self.conn.execute("DELETE FROM product_text WHERE rowid = ?", (product_id,))
        self.conn.execute(
            "INSERT INTO product_text (rowid, identifier, short, long) VALUES (?, ?, ?, ?)",
            self.product_text_row(product_id, identifier, values),
        )

    def entity_text_row(
        self,
        entity_id: int,
        entity_type: str,
        code: str,
        labels: Mapping[str, Any],
        values: Mapping[str, list[JSON]],
    ) -> tuple[int, str, str, str]:
        definition = self.entity_types.get(entity_type) or {}
        attributes = definition.get("attributes", [])
        short_codes = {a["code"] for a in attributes if a["type"] == "text"}
        long_codes = {a["code"] for a in attributes if a["type"] == "textarea"}
        short, long = text_columns(values, short_codes, long_codes)
        label_text = "\n".join(str(label) for label in labels.values() if label)
        return entity_id, code, "\n".join(part for part in (label_text, short) if part), long

    def index_entity(
        self,
        entity_id: int,
        entity_type: str,
        code: str,
        labels: Mapping[str, Any],
        values: Mapping[str, list[JSON]],
        *,
        replace: bool = True,
    ) -> None:
        """(Re)write an entity's free-text row; call it inside the write's transaction."""
        if replace:
            self.conn.execute("DELETE FROM entity_text WHERE rowid = ?", (entity_id,))
        self.conn.execute(
            "INSERT INTO entity_text (rowid, code, short, long) VALUES (?, ?, ?, ?)",
            self.entity_text_row(entity_id, entity_type, code, labels, values),
        )

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Generator[sqlite3.Connection, None, None]:
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- settings records (locales, channels, categories, attributes, sets, entity types) --

    def _load_records(self) -> None:
        for kind, code, seq, data in self.conn.execute(
            "SELECT kind, code, seq, data FROM records ORDER BY seq"
        ):
            self.records.setdefault(kind, {})[code] = json.loads(data)
            self._seq = max(self._seq, seq)
        for row in self.conn.execute("SELECT hash, name, prefix, scopes, expires_at FROM tokens"):
            self.tokens[row[0]] = Token(row[0], row[1], row[2], tuple(json.loads(row[3])), row[4])

    def put_record(self, kind: str, record: JSON) -> None:
        code: str = record["code"]
        existing = self.conn.execute(
            "SELECT seq FROM records WHERE kind = ? AND code = ?", (kind, code)
        ).fetchone()
        if existing:
            seq = existing[0]
        else:
            self._seq += 1
            seq = self._seq
        self.conn.execute(
            "INSERT OR REPLACE INTO records (kind, code, seq, data) VALUES (?, ?, ?, ?)",
            (kind, code, seq, dumps(record)),
        )
        self.records[kind][code] = record

    @property
    def locales(self) -> dict[str, JSON]:
        return self.records["locale"]

    @property
    def channels(self) -> dict[str, JSON]:
        return self.records["channel"]

    @property
    def categories(self) -> dict[str, JSON]:
        return self.records["category"]

    @property
    def attributes(self) -> dict[str, JSON]:
        return self.records["attribute"]

    @property
    def attribute_sets(self) -> dict[str, JSON]:
        return self.records["attribute_set"]

    @property
    def entity_types(self) -> dict[str, JSON]:
        return self.records["entity_type"]

    def enabled_locales(self) -> set[str]:
        return {code for code, loc in self.locales.items() if loc.get("enabled", True)}

    def not_enabled(self, locale: object) -> str:
        """The refusal of a locale that is not enabled, naming the ones that are."""
        return f"{locale!r} is not an enabled locale; enabled: {', '.join(sorted(self.enabled_locales()))}"

    def not_a_channel(self, channel: object) -> str:
        return f"{channel!r} is not a known channel; channels: {', '.join(sorted(self.channels))}"

    def currencies(self) -> set[str]:
        return {cur for ch in self.channels.values() for cur in ch.get("currencies", [])}

    def category_descendants(self, codes: Iterable[str]) -> set[str]:
        children: dict[str | None, list[str]] = {}
        for code, category in self.categories.items():
            children.setdefault(category.get("parent"), []).append(code)
        found: set[str] = set()
        stack = list(codes)
        while stack:
            code = stack.pop()
            if code in found:
                continue
            found.add(code)
            stack.extend(children.get(code, []))
        return found

    def media_filename(self, code: str) -> str | None:
        row = self.conn.execute("SELECT filename FROM media WHERE code = ?", (code,)).fetchone()
        return row[0] if row else None

    def existing_entity_codes(self, entity_type: str, codes: Sequence[str]) -> set[str]:
        if not codes:
            return set()
        marks = ",".join("?" * len(codes))
        return {
            row[0]
            for row in self.conn.execute(
                f"SELECT code FROM entities WHERE type = ? AND code IN ({marks})",
                (entity_type, *codes),
            )
        }

    # -- tokens ---------------------------------------------------------------------------

    def add_token(
        self, value: str, scopes: Sequence[str], name: str, expires_at: str | None = None
    ) -> Token:
        token = Token(hash_token(value), name, value[:12], tuple(scopes), expires_at)
        self.conn.execute(
            "INSERT OR REPLACE INTO tokens (hash, name, prefix, scopes, expires_at) VALUES (?, ?, ?, ?, ?)",
            (token.hash, name, token.prefix, json.dumps(list(scopes)), expires_at),
        )
        self.tokens[token.hash] = token
        return token

    def mint_token(self, name: str, scopes: Sequence[str]) -> str:
        """A new random `pim_…` token with these scopes; only its hash is stored."""
        value = "pim_" + secrets.token_urlsafe(24)
        self.add_token(value, scopes, name)
        return value

    def revoke_token(self, value: str) -> bool:
        """Revoke a token, as a person does in Settings > API Tokens; False if it was unknown."""
        digest = hash_token(value)
        self.conn.execute("DELETE FROM tokens WHERE hash = ?", (digest,))
        return self.tokens.pop(digest, None) is not None

    def find_token(self, value: str) -> Token | None:
        return self.tokens.get(hash_token(value))

    # -- loading a catalog ----------------------------------------------------------------

    def load_catalog(self, catalog: DemoCatalog) -> None:
        """Fill a new database; indexes are built after the rows, in one transaction."""
        stamp = now_ts()
        with self.transaction():
            for locale in catalog.locales:
                self.put_record(
                    "locale",
                    {
                        "code": locale["code"],
                        "label": locale.get("label", locale["code"]),
                        "enabled": bool(locale.get("enabled", True)),
                    },
                )
            for channel in catalog.channels:
                self.put_record(
                    "channel",
                    {
                        "code": channel["code"],
                        "labels": channel.get("labels", {}),
                        "locales": list(channel.get("locales", [])),
                        "currencies": list(channel.get("currencies", [])),
                        "category_tree": channel.get("category_tree"),
                    },
                )
            for category in catalog.categories:
                self.put_record(
                    "category",
                    {
                        "code": category["code"],
                        "parent": category.get("parent"),
                        "labels": category.get("labels", {}),
                    },
                )
            for attribute in catalog.attributes:
                self.put_record(
                    "attribute",
                    complete_attribute(attribute)
                    | {"version": 1, "created_at": stamp, "updated_at": stamp},
                )
            for attribute_set in catalog.attribute_sets:
                self.put_record(
                    "attribute_set",
                    complete_attribute_set(attribute_set)
                    | {"version": 1, "created_at": stamp, "updated_at": stamp},
                )
            for entity_type in catalog.entity_types:
                self.put_record(
                    "entity_type",
                    {
                        "code": entity_type["code"],
                        "labels": entity_type.get("labels", {}),
                        "attributes": [
                            complete_attribute(a) for a in entity_type.get("attributes", [])
                        ],
                    },
                )
            for media in catalog.media:
                from pimelo_mcp.sandbox.media import sniff

                sniffed = sniff(media.content)
                self.conn.execute(
                    "INSERT INTO media (code, filename, mime_type, size, sha256, width, height, content, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        media.code,
                        media.filename,
                        sniffed.mime_type if sniffed else media.mime_type,
                        len(media.content),
                        hashlib.sha256(media.content).hexdigest(),
                        sniffed.width if sniffed else None,
                        sniffed.height if sniffed else None,
                        media.content,
                        stamp,
                    ),
                )
            rows: list[tuple[Any, ...]] = []
            text_rows: list[tuple[int, str, str, str]] = []
            for entity_id, entity in enumerate(catalog.entities, start=1):
                values = normalize_values(entity.get("values"))
                labels = entity.get("labels", {})
                rows.append(
                    (
                        entity_id,
                        entity["type"],
                        entity["code"],
                        dumps(labels),
                        dumps(values),
                        1,
                        normalize_ts(entity.get("created_at")),
                        normalize_ts(entity.get("updated_at") or entity.get("created_at")),
                    )
                )
                text_rows.append(
                    self.entity_text_row(entity_id, entity["type"], entity["code"], labels, values)
                )
            self.conn.executemany(
                "INSERT INTO entities (id, type, code, labels, vals, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            self.conn.executemany(
                "INSERT INTO entity_text (rowid, code, short, long) VALUES (?, ?, ?, ?)", text_rows
            )
            self._load_products(catalog)
            self.ensure_indexes()
        self.conn.execute("ANALYZE")

    def _load_products(self, catalog: DemoCatalog) -> None:
        short_codes, long_codes = self.text_attribute_codes()
        batch: list[tuple[Any, ...]] = []
        completeness: list[tuple[Any, ...]] = []
        texts: list[tuple[Any, ...]] = []
        next_id = 1
        for product in catalog.iter_products():
            identifier: str = product["identifier"]
            values = normalize_values(product.get("values"))
            attribute_set: str = product["attribute_set"]
            batch.append(
                (
                    next_id,
                    str(uuid.uuid5(uuid.NAMESPACE_URL, "pimelo:" + identifier)),
                    identifier,
                    attribute_set,
                    product.get("status") or "draft",
                    dumps(list(product.get("categories") or [])),
                    dumps(values),
                    1,
                    normalize_ts(product.get("created_at")),
                    normalize_ts(product.get("updated_at") or product.get("created_at")),
                )
            )
            for row in compute_completeness(
                values, self.attribute_sets.get(attribute_set), self.channels, self.attributes
            ):
                completeness.append((next_id, row["channel"], row["locale"], row["ratio"]))
            texts.append((next_id, identifier, *text_columns(values, short_codes, long_codes)))
            next_id += 1
            if len(batch) >= 5000:
                self._flush_products(batch, completeness, texts)
        self._flush_products(batch, completeness, texts)

    def _flush_products(
        self,
        batch: list[tuple[Any, ...]],
        completeness: list[tuple[Any, ...]],
        texts: list[tuple[Any, ...]],
    ) -> None:
        self.conn.executemany(
            "INSERT INTO products (id, uuid, identifier, attribute_set, status, categories, vals, version, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        self.conn.executemany(
            "INSERT INTO completeness (product_id, channel, locale, ratio) VALUES (?, ?, ?, ?)",
            completeness,
        )
        self.conn.executemany(
            "INSERT INTO product_text (rowid, identifier, short, long) VALUES (?, ?, ?, ?)", texts
        )
        batch.clear()
        completeness.clear()
        texts.clear()

    def ensure_indexes(self) -> None:
        # One statement at a time: executescript() would commit the open transaction.
        for statement in _INDEXES.split(";"):
            if statement.strip():
                self.conn.execute(statement)

    # -- completeness rows ----------------------------------------------------------------

    def write_completeness(
        self, product_id: int, values: Mapping[str, list[JSON]], attribute_set: str
    ) -> None:
        rows = compute_completeness(
            values, self.attribute_sets.get(attribute_set), self.channels, self.attributes
        )
        self.conn.execute("DELETE FROM completeness WHERE product_id = ?", (product_id,))
        self.conn.executemany(
            "INSERT INTO completeness (product_id, channel, locale, ratio) VALUES (?, ?, ?, ?)",
            [(product_id, r["channel"], r["locale"], r["ratio"]) for r in rows],
        )

    def refresh_set_completeness(self, attribute_set: str) -> None:
        """After a set's requirements change, every product of the set is re-scored."""
        for product_id, vals in self.conn.execute(
            "SELECT id, vals FROM products WHERE attribute_set = ?", (attribute_set,)
        ).fetchall():
            self.write_completeness(product_id, json.loads(vals), attribute_set)


def complete_attribute(attribute: Mapping[str, Any]) -> JSON:
    """An attribute definition with every member of the contract's shape present."""
    return {
        "code": attribute["code"],
        "type": attribute["type"],
        "labels": dict(attribute.get("labels") or {}),
        "group": attribute.get("group"),
        "localizable": bool(attribute.get("localizable", False)),
        "scopable": bool(attribute.get("scopable", False)),
        "options": [
            {"code": o["code"], "labels": dict(o.get("labels") or {})}
            for o in cast(list[JSON], attribute.get("options") or [])
        ],
        "validation": dict(attribute.get("validation") or {}),
        "entity_type": attribute.get("entity_type"),
    }


def complete_attribute_set(attribute_set: Mapping[str, Any]) -> JSON:
    return {
        "code": attribute_set["code"],
        "labels": dict(attribute_set.get("labels") or {}),
        "attributes": list(attribute_set.get("attributes") or []),
        "requirements": {
            str(k): list(v)
            for k, v in cast(dict[str, list[str]], attribute_set.get("requirements") or {}).items()
        },
        "label_attribute": attribute_set.get("label_attribute"),
        "image_attribute": attribute_set.get("image_attribute"),
    }
