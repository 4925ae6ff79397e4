"""The review pane is one small, self-contained HTML file: it loads nothing from anywhere.

Hosts render it in a sandboxed frame whose policy may forbid every network load; a pane
that reached for a CDN, a font or an image URL would break there (the browser tests show
it under such a policy). These checks read the file itself, so they run everywhere.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.interop.tooling import ROOT
from tests.review.browser import PANE

BUDGET_BYTES = 60_000  # issue 12: a pane every host fetches with the tool list must stay small

# Ways a page loads something: attributes naming a URL, CSS imports and urls, script APIs.
LOADING_ATTRIBUTES = {"src", "href", "srcset", "action", "formaction", "poster", "data"}
LOADING_CODE = re.compile(
    r"@import|url\(|\bfetch\(|XMLHttpRequest|WebSocket|EventSource|importScripts|\bimport\(|"
    r"sendBeacon|new Worker|\bhttps?://"
)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def pane_text() -> str:
    return PANE.read_text(encoding="utf-8")


def test_the_pane_fits_its_byte_budget() -> None:
    assert len(PANE.read_bytes()) <= BUDGET_BYTES


def test_the_pane_names_nothing_to_load() -> None:
    tags = Tags()
    tags.feed(pane_text())
    loading = [
        f"<{tag} {name}={value!r}>"
        for tag, attributes in tags.found
        for name, value in attributes.items()
        if name in LOADING_ATTRIBUTES
    ]
    assert loading == []
    assert [tag for tag, _ in tags.found if tag in {"link", "iframe", "object", "embed"}] == []
    assert all(not attributes.get("src") for tag, attributes in tags.found if tag == "script")
    assert LOADING_CODE.findall(pane_text()) == []


def test_the_pane_forbids_itself_any_network_load() -> None:
    tags = Tags()
    tags.feed(pane_text())
    policies = [
        attributes.get("content") or ""
        for tag, attributes in tags.found
        if tag == "meta"
        and (attributes.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(policies) == 1
    directives = dict(part.strip().split(" ", 1) for part in policies[0].split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"  # thumbnails come as data URIs only
    assert "connect-src" not in directives  # falls back to 'none'


def test_the_checks_catch_what_they_are_for() -> None:
    tags = Tags()
    tags.feed('<img src="https://cdn.example/x.png"><link href="a.css">')
    assert [(tag, sorted(attributes)) for tag, attributes in tags.found] == [
        ("img", ["src"]),
        ("link", ["href"]),
    ]
    assert LOADING_CODE.findall("a{background:url(x.png)} fetch('/x') @import 'y'") == [
        "url(",
        "fetch(",
        "@import",
    ]


def test_the_readme_shows_the_pane_under_review_before_write() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Review before write\n", 1)[1].split("\n## ", 1)[0]
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", section)
    assert images == ["docs/images/review-pane.png"]
    assert (ROOT / images[0]).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
