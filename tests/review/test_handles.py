"""Confirmation handles: signed, bound to one user, one API and one set of planned writes."""

import base64
import json
import zlib
from collections.abc import Mapping

import pytest

from pimelo_mcp.review.handles import (
    MAX_ITEMS,
    HandleRefused,
    HandleSigner,
    ReviewedChanges,
    ReviewedItem,
)

API = "https://api.pimelo.app/api/v1/"
KEY = b"k" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def items(count: int = 2) -> list[ReviewedItem]:
    return [
        ReviewedItem(
            key=f"SKU-{index}",
            operation={
                "op": "update",
                "identifier": f"SKU-{index}",
                "status": "active",
                "expected_version": 3,
            },
            version=3,
            changes=[("status", "draft", "active")],
        )
        for index in range(count)
    ]


def made(signer: HandleSigner, count: int = 2) -> tuple[ReviewedChanges, str]:
    review = signer.new(
        tool="update_products",
        kind="product",
        entity_type=None,
        principal="grant-1",
        api=API,
        items=items(count),
    )
    return review, signer.sign(review)


def test_a_handle_opens_to_exactly_what_was_signed() -> None:
    signer = HandleSigner(KEY, clock=Clock())
    review, handle = made(signer)
    assert signer.open(handle, principal="grant-1", api=API) == review


def test_a_handle_altered_in_any_one_byte_is_refused() -> None:
    signer = HandleSigner(KEY, clock=Clock())
    _, handle = made(signer)
    for index in range(len(handle)):
        if handle[index] == ".":
            continue
        altered = handle[:index] + ("A" if handle[index] != "A" else "B") + handle[index + 1 :]
        with pytest.raises(HandleRefused, match="run the dry run again"):
            signer.open(altered, principal="grant-1", api=API)


def resigned_without_the_key(handle: str, change: Mapping[str, object]) -> str:
    """What someone holding a handle (not the key) can make: its payload changed, its signature kept."""
    version, payload, signature = handle.split(".")
    document = json.loads(zlib.decompress(base64.urlsafe_b64decode(payload + "==")))
    document.update(change)
    raw = zlib.compress(json.dumps(document).encode())
    forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{version}.{forged}.{signature}"


def test_nothing_can_be_added_or_altered_without_the_key() -> None:
    signer = HandleSigner(KEY, clock=Clock())
    review, handle = made(signer)
    document_items = [
        {"key": item.key, "op": dict(item.operation), "v": item.version, "ch": []}
        for item in review.items
    ]
    added = [*document_items, {**document_items[0], "key": "SKU-OTHER"}]
    altered = [{**document_items[0], "op": {**document_items[0]["op"], "status": "archived"}}]
    for change in ({"items": added}, {"items": altered}, {"exp": review.expires_at + 3600}):
        with pytest.raises(HandleRefused, match="altered"):
            signer.open(resigned_without_the_key(handle, change), principal="grant-1", api=API)


def test_another_servers_key_refuses_the_handle_and_a_shared_key_accepts_it() -> None:
    clock = Clock()
    _, handle = made(HandleSigner(KEY, clock=clock))
    with pytest.raises(HandleRefused, match="signed by another server"):
        HandleSigner(b"x" * 32, clock=clock).open(handle, principal="grant-1", api=API)
    with pytest.raises(HandleRefused):
        HandleSigner(clock=clock).open(handle, principal="grant-1", api=API)  # a random key
    assert HandleSigner(KEY, clock=clock).open(handle, principal="grant-1", api=API).items


def test_a_handle_expires_after_the_configured_minutes() -> None:
    clock = Clock()
    signer = HandleSigner(KEY, minutes=5, clock=clock)
    review, handle = made(signer)
    assert review.expires_at == int(clock.now + 300)
    clock.now += 299
    signer.open(handle, principal="grant-1", api=API)
    clock.now += 1
    with pytest.raises(HandleRefused, match=r"expired .*5 minutes"):
        signer.open(handle, principal="grant-1", api=API)


def test_a_handle_of_another_user_or_another_api_is_refused() -> None:
    signer = HandleSigner(KEY, clock=Clock())
    _, handle = made(signer)
    with pytest.raises(HandleRefused, match="another signed-in user"):
        signer.open(handle, principal="grant-2", api=API)
    with pytest.raises(HandleRefused, match="another Pimelo API"):
        signer.open(handle, principal="grant-1", api="https://other.example/api/v1/")


@pytest.mark.parametrize(
    "handle", ["", "nonsense", "r1.", "r1..", "r2.abc.def", "r1.abc", "r1.é.é", "x" * 3_000_000]
)
def test_what_is_not_a_handle_is_refused_with_what_to_do(handle: str) -> None:
    signer = HandleSigner(KEY, clock=Clock())
    with pytest.raises(HandleRefused, match="run the dry run again"):
        signer.open(handle, principal="grant-1", api=API)


def test_a_handle_holds_at_most_a_batch_and_stays_compact() -> None:
    signer = HandleSigner(KEY, clock=Clock())
    with pytest.raises(ValueError, match=str(MAX_ITEMS)):
        made(signer, MAX_ITEMS + 1)
    review, handle = made(signer, MAX_ITEMS)
    assert len(review.items) == MAX_ITEMS
    # 100 similar operations compress well: far below their JSON (about 13 kB here).
    assert len(handle) < 3_000
    assert signer.open(handle, principal="grant-1", api=API) == review
