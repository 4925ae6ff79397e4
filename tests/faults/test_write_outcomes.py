"""Every write ends applied, refused or outcome unknown, and the journal agrees with the catalog."""

from __future__ import annotations

from pathlib import Path

from tests.faults.conftest import ConnectFaulty, faulty_sandbox
from tests.tools.conftest import call, error_text, read_journal, structured

NEW = {
    "identifier": "FAULT-1",
    "attribute_set": "running_shoes",
    "values": {"name": {"en_US": "Fault runner"}},
}


async def test_a_create_whose_answer_is_cut_short_is_reported_applied_and_journaled(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("POST /products/bulk: truncate@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            data = structured(await call(mcp, "create_products", {"items": [NEW]}))
            again = structured(await call(mcp, "create_products", {"items": [NEW]}))
    assert data["done"] == 1, data["items"]
    assert data["items"][0]["ok"]
    assert "already exists" in again["items"][0]["error"]
    lines = [line for line in read_journal(audit) if line["tool"] == "create_products"]
    assert [(line["target"]["identifier"], line["outcome"]) for line in lines] == [
        ("FAULT-1", "applied")
    ]


async def test_a_create_answered_502_after_the_write_every_time_is_applied_not_failed(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("POST /products/bulk: error-after(502)@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            data = structured(await call(mcp, "create_products", {"items": [NEW]}))
            found = structured(await call(mcp, "get_product", {"identifier": "FAULT-1"}))
    assert data["done"] == 1, data["items"]
    assert found["product"]["identifier"] == "FAULT-1"
    assert [line["outcome"] for line in read_journal(audit)] == ["applied"]


async def test_an_update_dropped_before_the_write_is_reported_not_written(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("POST /products/bulk: drop-before@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            page = structured(await call(mcp, "search_products", {"limit": 1}))
            identifier = page["items"][0]["identifier"]
            data = structured(
                await call(
                    mcp,
                    "update_products",
                    {"items": [{"identifier": identifier, "status": "archived"}]},
                )
            )
    assert data["done"] == 0
    assert "not written" in data["items"][0]["error"]
    assert not audit.exists() or read_journal(audit) == []


async def test_a_patch_whose_every_answer_is_lost_is_read_back_and_reported_applied(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("PATCH /attributes/*: drop-after@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            data = structured(
                await call(mcp, "update_attribute", {"code": "name", "labels": {"en_US": "Title"}})
            )
    assert data["changes"]
    assert [line["outcome"] for line in read_journal(audit)] == ["applied"]


async def test_a_patch_that_cannot_be_read_back_says_outcome_unknown_and_journals_it(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    # The first GET (update_attribute reads the attribute) passes; the read-backs after the
    # lost PATCH all fail.
    seed = seed_where_only_the_first_passes("GET /attributes/name", 0.9, following=4)
    spec = f"seed={seed}; PATCH /attributes/*: drop-after@1; GET /attributes/name: error-before(503)@0.9"
    with faulty_sandbox(spec) as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            text = error_text(
                await call(mcp, "update_attribute", {"code": "name", "labels": {"en_US": "Title"}})
            )
    assert "OUTCOME UNKNOWN" in text
    assert "PATCH /attributes/name" in text
    assert "search_attributes for name" in text
    assert [line["outcome"] for line in read_journal(audit)] == ["unknown"]


def seed_where_only_the_first_passes(key: str, probability: float, *, following: int) -> int:
    """A seed under which the first request to `key` meets no fault and the next ones do."""
    import random

    def fits(seed: int) -> bool:
        draws = [random.Random(f"{seed}|{key}|{n}").random() for n in range(following + 1)]
        return draws[0] >= probability and all(d < probability for d in draws[1:])

    return next(seed for seed in range(100_000) if fits(seed))


def seed_losing_the_first_answer_only(keys: list[str], probability: float = 0.5) -> int:
    """A seed under which, for each key, the first request meets the fault and the second not."""
    import random

    def fits(seed: int, key: str) -> bool:
        first = random.Random(f"{seed}|{key}|0").random()
        second = random.Random(f"{seed}|{key}|1").random()
        return first < probability <= second

    return next(seed for seed in range(10_000) if all(fits(seed, key) for key in keys))


async def test_version_checked_patches_whose_first_answer_was_lost_are_applied_not_stale(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    from pimelo_mcp.sandbox.demo.catalog import product_at
    from pimelo_mcp.sandbox.demo.images import encode_png

    identifier = product_at(0)["identifier"]
    keys = [
        "PATCH /attributes/name",
        "PATCH /attribute-sets/running_shoes",
        f"PATCH /products/{identifier}",
    ]
    seed = seed_losing_the_first_answer_only(keys)
    audit = tmp_path / "audit.jsonl"
    png = encode_png(2, 2, [b"\xff\x00\x00" * 2, b"\x00\x00\xff" * 2])
    import base64

    with faulty_sandbox(f"seed={seed}; PATCH *: drop-after@0.5") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            updated = structured(
                await call(mcp, "update_attribute", {"code": "name", "labels": {"en_US": "Title"}})
            )
            created = structured(
                await call(
                    mcp,
                    "create_attribute",
                    {"code": "fault_note", "type": "text", "attribute_sets": ["running_shoes"]},
                )
            )
            uploaded = structured(
                await call(
                    mcp,
                    "upload_media",
                    {
                        "content_base64": base64.b64encode(png).decode(),
                        "filename": "dot.png",
                        "attach_to": {"identifier": identifier},
                    },
                )
            )
        drops = sandbox.injector.injected["drop-after"]
    assert drops == 3  # each PATCH lost its first answer once
    assert updated["changes"]
    assert created["sets"] == {"running_shoes": "added"}
    assert uploaded["attached_to"] == identifier
    journaled = {(line["tool"], line["target"].get("kind")) for line in read_journal(audit)}
    assert {
        ("update_attribute", "attribute"),
        ("create_attribute", "attribute_set"),
        ("upload_media", "product"),
    } <= journaled


async def test_entity_writes_whose_answer_was_lost_are_read_back(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("POST /entities/brand/bulk: error-after(504)@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            created = structured(
                await call(
                    mcp,
                    "create_entities",
                    {
                        "entity_type": "brand",
                        "items": [{"code": "faultline", "labels": {"en_US": "Faultline"}}],
                    },
                )
            )
            changed = structured(
                await call(
                    mcp,
                    "update_entities",
                    {
                        "entity_type": "brand",
                        "items": [{"code": "faultline", "labels": {"en_US": "Fault Line"}}],
                    },
                )
            )
    assert created["done"] == 1, created["items"]
    assert changed["done"] == 1, changed["items"]
    assert [line["outcome"] for line in read_journal(audit)] == ["applied", "applied"]


async def test_a_created_attribute_whose_every_answer_was_lost_is_read_back(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("POST /attributes: drop-after@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            created = structured(
                await call(mcp, "create_attribute", {"code": "lost_answer", "type": "text"})
            )
        drops = sandbox.injector.injected["drop-after"]
    assert created["attribute"]["code"] == "lost_answer"
    assert drops == 4  # the first attempt and its three retries, all replayed, all lost
    assert [line["outcome"] for line in read_journal(audit)] == ["applied"]
