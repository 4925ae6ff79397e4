"""Confirmation handles: a dry run's planned writes, signed, so the review pane can apply them.

A handle binds the exact operations a dry run planned (each update guarded by the version
it was computed on), the tool, the principal (`principal.key`, never a token), the Pimelo
API, an id and an expiry. It is compressed JSON and an HMAC-SHA256 over it, both base64url:
signed, not encrypted, so whoever holds it can read the planned values (the same values the
dry run's answer shows). Applying one never takes anything from the caller but which of its
items to leave out.

The key derives from the server secret when one is configured (every worker and replica
then accepts every other's handles), else it is random for this process: a restart ends
the reviews still open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

HANDLE_VERSION = "r1"
MAX_ITEMS = 100  # as the write tools: one handle is one dry run
MAX_HANDLE_CHARS = 2_000_000  # a handle of 100 items with long texts stays far below
MAX_PAYLOAD_BYTES = 8_000_000  # what a handle may inflate to; it is ours (signed) but bounded
KEY_BYTES = 32
ID_BYTES = 12

# What to do next, said after every refusal of a handle as a whole.
RUN_AGAIN = "run the dry run again and approve its new review"

Kind = Literal["product", "entity"]


class HandleRefused(ValueError):
    """A handle that cannot be applied; the message says what was wrong and what to do."""


@dataclass(frozen=True)
class ReviewedItem:
    """One planned write: its operation as it will be sent, and what it changes."""

    key: str  # product identifier or entity code
    operation: Mapping[str, Any]  # the bulk operation, `expected_version` included for updates
    version: int | None  # the version the change was computed on (None: a new record)
    changes: Sequence[tuple[str, Any, Any]] = ()  # (field, before, after), for the journal


@dataclass(frozen=True)
class ReviewedChanges:
    """What a handle binds."""

    id: str
    tool: str
    kind: Kind
    entity_type: str | None
    principal: str
    api: str
    expires_at: int  # seconds since the epoch
    items: tuple[ReviewedItem, ...] = field(default_factory=tuple[ReviewedItem, ...])

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class HandleSigner:
    """Signs and opens handles with one key; `clock` gives seconds since the epoch."""

    def __init__(
        self,
        key: bytes | None = None,
        *,
        minutes: float = 15,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # A key of this process alone when none is shared: its handles end with it.
        self._key = key if key is not None else secrets.token_bytes(KEY_BYTES)
        self.minutes = minutes
        self._clock = clock

    def new(
        self,
        *,
        tool: str,
        kind: Kind,
        entity_type: str | None,
        principal: str,
        api: str,
        items: Sequence[ReviewedItem],
    ) -> ReviewedChanges:
        """A review of `items`, with a fresh id, expiring `minutes` from now."""
        if len(items) > MAX_ITEMS:
            raise ValueError(f"a handle holds at most {MAX_ITEMS} items")
        return ReviewedChanges(
            id=_b64(secrets.token_bytes(ID_BYTES)),
            tool=tool,
            kind=kind,
            entity_type=entity_type,
            principal=principal,
            api=api,
            expires_at=int(self._clock() + self.minutes * 60),
            # In the form a handle opens to, so a review compares equal to its opened handle.
            items=tuple(
                ReviewedItem(
                    key=item.key,
                    operation=dict(item.operation),
                    version=item.version,
                    changes=tuple((field, before, after) for field, before, after in item.changes),
                )
                for item in items
            ),
        )

    def sign(self, review: ReviewedChanges) -> str:
        document = {
            "id": review.id,
            "tool": review.tool,
            "kind": review.kind,
            "type": review.entity_type,
            "sub": review.principal,
            "api": review.api,
            "exp": review.expires_at,
            "items": [
                {
                    "key": item.key,
                    "op": dict(item.operation),
                    "v": item.version,
                    "ch": [list(change) for change in item.changes],
                }
                for item in review.items
            ],
        }
        raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str)
        payload = _b64(zlib.compress(raw.encode(), 9))
        return f"{HANDLE_VERSION}.{payload}.{self._signature(payload)}"

    def _signature(self, payload: str) -> str:
        message = f"{HANDLE_VERSION}.{payload}".encode("ascii")
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def open(self, handle: str, *, principal: str, api: str) -> ReviewedChanges:
        """The review a handle binds, once its signature, expiry, user and API are checked."""
        if len(handle) > MAX_HANDLE_CHARS:
            raise HandleRefused(
                f"this is not a review handle (it is longer than any handle this server makes); "
                f"{RUN_AGAIN}"
            )
        version, _, rest = handle.strip().partition(".")
        payload, _, signature = rest.partition(".")
        if version != HANDLE_VERSION or not payload or not signature:
            raise HandleRefused(
                f"this is not a review handle of this server (pass the handle from the dry "
                f"run's review exactly as it came); {RUN_AGAIN}"
            )
        try:
            expected = self._signature(payload)
        except UnicodeEncodeError:
            expected = ""
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise HandleRefused(
                "the review handle was altered or signed by another server (or this server "
                f"restarted since the dry run, and its reviews ended); nothing was written; {RUN_AGAIN}"
            )
        review = _parse(payload)
        if self._clock() >= review.expires_at:
            raise HandleRefused(
                f"the review expired (reviews last {self.minutes:g} minutes); nothing was "
                f"written; {RUN_AGAIN}"
            )
        if review.principal != principal:
            raise HandleRefused(
                "the review belongs to another signed-in user; nothing was written; the person "
                "who approves must run the dry run themselves"
            )
        if review.api != api:
            raise HandleRefused(
                f"the review was made for another Pimelo API ({review.api}), this server "
                f"writes to {api}; nothing was written; {RUN_AGAIN}"
            )
        return review


def _parse(payload: str) -> ReviewedChanges:
    """The signed document (its signature already checked: malformed means a bug, said plainly)."""
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(_unb64(payload), MAX_PAYLOAD_BYTES)
        if inflate.unconsumed_tail:
            raise ValueError("too large")
        document = cast(dict[str, Any], json.loads(raw))
        items = tuple(
            ReviewedItem(
                key=str(item["key"]),
                operation=cast(dict[str, Any], item["op"]),
                version=cast(int | None, item["v"]),
                changes=tuple(
                    (str(change[0]), change[1], change[2])
                    for change in cast(list[list[Any]], item["ch"])
                ),
            )
            for item in cast(list[dict[str, Any]], document["items"])
        )
        return ReviewedChanges(
            id=str(document["id"]),
            tool=str(document["tool"]),
            kind=cast(Kind, document["kind"]),
            entity_type=cast(str | None, document["type"]),
            principal=str(document["sub"]),
            api=str(document["api"]),
            expires_at=int(document["exp"]),
            items=items[:MAX_ITEMS],
        )
    except (ValueError, KeyError, TypeError, IndexError, zlib.error, binascii.Error) as error:
        raise HandleRefused(f"the review handle could not be read; {RUN_AGAIN}") from error
