"""docs/review-pane.md names a test for each guarantee: each named test exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_the_doc_names_exists() -> None:
    doc = (ROOT / "docs" / "review-pane.md").read_text(encoding="utf-8")
    named = set(re.findall(r"::(test_\w+)", doc))
    assert len(named) >= 10
    defined = {
        name
        for path in [
            *(ROOT / "tests" / "review").glob("test_*.py"),
            ROOT / "tests" / "scale" / "test_review_replicas.py",
        ]
        for name in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(), re.MULTILINE)
    }
    assert named <= defined, f"named in docs/review-pane.md but not defined: {named - defined}"
    for path in re.findall(r"`(tests/[\w/]+\.py)", doc):
        assert (ROOT / path).is_file(), path
