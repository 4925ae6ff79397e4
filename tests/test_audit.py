"""The audit journal: what one line holds, who may read the file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from pimelo_mcp.audit import AuditJournal

API = "https://acme.pimelo.example/api/v1/"


def test_each_line_names_the_api_it_wrote_to_and_holds_no_secret(tmp_path: Path) -> None:
    journal = AuditJournal(tmp_path / "state" / "audit.jsonl", api=API)
    journal.check_writable()
    journal.record(
        tool="update_products",
        target={"identifier": "SHOE-1"},
        before={"values.weight": "300 g"},
        after={"values.weight": "310 g"},
        version_before=3,
        version_after=4,
    )
    assert journal.path is not None
    (line,) = journal.path.read_text().splitlines()
    record = json.loads(line)
    assert record["api"] == API
    assert record["tool"] == "update_products"
    assert (record["version_before"], record["version_after"]) == (3, 4)
    assert "pim_" not in line  # the token is never journaled


def test_the_journal_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.jsonl"
    AuditJournal(path, api=API).check_writable()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
