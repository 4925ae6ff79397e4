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


async def test_a_patch_that_never_gets_an_answer_says_outcome_unknown_and_journals_it(
    connect_faulty: ConnectFaulty, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    with faulty_sandbox("PATCH /attributes/*: drop-after@1") as sandbox:
        async with connect_faulty(sandbox, audit=audit) as mcp:
            text = error_text(
                await call(mcp, "update_attribute", {"code": "name", "labels": {"en_US": "Title"}})
            )
    assert "OUTCOME UNKNOWN" in text
    assert "PATCH /attributes/name" in text
    assert [line["outcome"] for line in read_journal(audit)] == ["unknown"]
