"""Review before write, end to end: a real dry run approved in the pane lands in the sandbox.

A real `pimelo-mcp sandbox` process holds the catalog; a real `pimelo-mcp serve
--transport http` process talks to it; a real MCP client (Python, declaring the MCP Apps
extension) runs a dry run of `update_products`; the test host page (the official host
bridge, in Chromium) shows it in the pane and forwards the pane's `tools/call` to the
server through that same client. The person unticks one item and presses Apply with the
keyboard; the sandbox, read back through its API, then holds exactly the approved changes.
Skipped without Chromium, Playwright, esbuild or the bridge, unless
PIMELO_INTEROP_REQUIRED=1.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp.client import advertise
from mcp.client.streamable_http import streamable_http_client

from tests.interop.tooling import HTTP_KEY, http_server
from tests.review.browser import (
    Browser,
    HostPage,
    host_page,
    screenshot_dir,
    serious_violations,
)
from tests.sandbox.test_process import sandbox_process

pytestmark = pytest.mark.slow

APPS = advertise("io.modelcontextprotocol/ui", {"mimeTypes": ["text/html;profile=mcp-app"]})
# Demo products (the sandbox's catalog is generated the same way every time).
RENAMED = "SHOE-TRL-000021"  # name in two locales and the price
RECOLOURED = "SHOE-RUN-000008"  # a select option, given by its label
UNTICKED = "JKT-RAI-000007"  # the person leaves this one out
OVERTAKEN = "BAG-DAY-000002"  # written by someone else between the dry run and Apply


@dataclass
class Live:
    api: httpx2.Client  # the sandbox's REST API, with a full-access token
    portal: BlockingPortal  # the event loop the MCP client lives on
    client: Client

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """A tool call through the MCP client, as the wire JSON a host hands the pane."""
        result = self.portal.call(self.client.call_tool, name, arguments)
        return result.model_dump(by_alias=True, mode="json", exclude_none=True)

    def forward(self, params: dict[str, Any]) -> dict[str, Any]:
        """What the host does with the pane's tools/call."""
        return self.call(params["name"], params.get("arguments") or {})

    def pane_for(self, tool: str) -> str:
        """The pane's HTML as a host finds it: the tool's `_meta.ui.resourceUri`, then resources/read."""
        listed = self.portal.call(self.client.list_tools)
        meta = next(entry.meta for entry in listed.tools if entry.name == tool) or {}
        uri = meta["ui"]["resourceUri"]
        read = self.portal.call(self.client.read_resource, uri)
        (content,) = read.contents
        assert content.mime_type == "text/html;profile=mcp-app"
        return content.text  # type: ignore[union-attr]

    def product(self, identifier: str) -> dict[str, Any]:
        answer = self.api.get(f"products/{identifier}")
        assert answer.status_code == 200, answer.text
        return answer.json()


def value(product: dict[str, Any], attribute: str, locale: str | None = None) -> Any:
    for entry in product["values"].get(attribute, []):
        if entry["locale"] == locale:
            return entry["data"]
    return None


@contextmanager
def live_server(tmp_path: Path) -> Iterator[Live]:
    sandbox = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "30"]
    with sandbox_process(sandbox) as (base_url, tokens):
        token = tokens["full-access"][0]
        with (
            http_server(base_url, token, tmp_path) as url,
            httpx2.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            ) as api,
            start_blocking_portal() as portal,
        ):
            http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {HTTP_KEY}"}, timeout=60)
            connection = Client(
                streamable_http_client(url, http_client=http),  # type: ignore[arg-type]
                extensions=[APPS],
            )
            with (
                portal.wrap_async_context_manager(http),
                portal.wrap_async_context_manager(connection) as client,
            ):
                yield Live(api=api, portal=portal, client=client)


def untick_and_apply(host: HostPage, key: str) -> None:
    """Untick one item and press Apply, by keyboard as a person without a mouse would."""
    box = host.pane.get_by_role("checkbox", name=re.compile(re.escape(key)))
    box.focus()
    host.page.keyboard.press("Space")
    apply = host.pane.get_by_role("button", name=re.compile(r"^Apply"))
    apply.focus()
    host.page.keyboard.press("Enter")


def test_a_dry_run_approved_in_the_pane_writes_exactly_what_was_ticked(
    browser: Browser, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    with live_server(tmp_path) as live:
        before = {key: live.product(key) for key in (RENAMED, RECOLOURED, UNTICKED, OVERTAKEN)}
        colour = live.api.get("attributes/color").json()
        blue = next(option for option in colour["options"] if option["code"] == "blue")
        assert value(before[RECOLOURED], "color") != "blue"
        tool_input = {
            "dry_run": True,
            "items": [
                {
                    "identifier": RENAMED,
                    "values": {
                        "name": {
                            "fr_FR": "Chaussure de trail légère, semelle accrocheuse",
                            "de_DE": "Leichter Trailschuh mit griffiger Sohle",
                        },
                        "price": "149.00 EUR",
                    },
                },
                {"identifier": RECOLOURED, "values": {"color": blue["labels"]["en_US"]}},
                {"identifier": UNTICKED, "values": {"name": {"en_US": "Storm shell, left out"}}},
                {"identifier": OVERTAKEN, "values": {"name": {"en_US": "Daypack, too late"}}},
            ],
        }
        dry_run = live.call("update_products", tool_input)
        assert not dry_run.get("isError"), dry_run
        review = dry_run["_meta"]["pimelo/review"]
        assert all(before[key]["version"] == live.product(key)["version"] for key in before)

        # Someone else writes one of them before the person approves.
        overtaking = live.api.patch(
            f"products/{OVERTAKEN}",
            json={"values": {"name": [{"locale": "en_US", "channel": None, "data": "Theirs"}]}},
        )
        assert overtaking.status_code == 200, overtaking.text

        with host_page(browser, live.forward, height=1600) as host:
            host.open(tool_input, dry_run, html=live.pane_for("update_products"))
            pane = host.pane
            summary = review["summary"]
            expect(pane.locator("#summary")).to_contain_text(
                f"{summary['changes']} changes on 4 products"
            )
            renamed = pane.locator(f'#items > li[data-key="{RENAMED}"]')
            french = renamed.locator("tr", has_text="fr_FR")
            expect(french).to_contain_text(str(value(before[RENAMED], "name", "fr_FR")))
            expect(french.locator("ins").first).to_be_visible()  # the words that change
            expect(renamed.locator("tr", has_text="de_DE")).to_contain_text("griffiger Sohle")
            expect(renamed.locator("tr", has_text="Price")).to_contain_text("149.00 EUR")
            recoloured = pane.locator(f'#items > li[data-key="{RECOLOURED}"]')
            colour_row = recoloured.locator("tr", has_text=colour["labels"]["en_US"])
            expect(colour_row.locator("ins")).to_have_text(blue["labels"]["en_US"])  # not "blue"
            assert serious_violations(host.pane_frame()) == []
            shots = screenshot_dir(tmp_path)
            host.page.locator("#pane").screenshot(path=str(shots / "review-pane-light.png"))
            host.set_theme("dark")
            expect(pane.locator("html")).to_have_attribute("data-theme", "dark")
            assert serious_violations(host.pane_frame()) == []
            host.page.locator("#pane").screenshot(path=str(shots / "review-pane-dark.png"))

            untick_and_apply(host, UNTICKED)
            expect(pane.get_by_role("status")).to_contain_text("Done:")
            expect(pane.get_by_role("button", name=re.compile(r"^Apply"))).to_be_hidden()
            for key in (RENAMED, RECOLOURED):
                applied = pane.locator(f'#items > li[data-key="{key}"] .mark.o-applied')
                expect(applied).to_have_text(re.compile(r"^Applied \(version \d+\)$"))
            expect(
                pane.locator(f'#items > li[data-key="{UNTICKED}"] .mark.o-skipped')
            ).to_be_visible()
            expect(
                pane.locator(f'#items > li[data-key="{OVERTAKEN}"] .mark.o-refused')
            ).to_be_visible()
            assert host.seen()["calls"] == [
                {
                    "name": "apply_reviewed_changes",
                    "arguments": {"handle": review["handle"], "skip": [UNTICKED]},
                }
            ]

            after = {key: live.product(key) for key in before}
            # Exactly the approved changes...
            assert value(after[RENAMED], "name", "fr_FR") == (
                "Chaussure de trail légère, semelle accrocheuse"
            )
            assert value(after[RENAMED], "name", "de_DE") == (
                "Leichter Trailschuh mit griffiger Sohle"
            )
            assert {"amount": "149.00", "currency": "EUR"} in value(after[RENAMED], "price")
            assert value(after[RECOLOURED], "color") == "blue"
            # ...the unticked one untouched, and the other person's write kept.
            assert after[UNTICKED] == before[UNTICKED]
            assert value(after[OVERTAKEN], "name", "en_US") == "Theirs"

            # The same handle again, through the host: nothing changes.
            again = host.page.evaluate("() => window.reviewHost.replayLastCall()")
            assert again["structuredContent"]["already_applied"] is True
            assert {key: live.product(key) for key in before} == after

            # An altered handle is refused as a whole.
            handle = review["handle"]
            middle = len(handle) // 2
            altered = (
                handle[:middle] + ("A" if handle[middle] != "A" else "B") + handle[middle + 1 :]
            )
            refused = host.page.evaluate(
                "(handle) => window.reviewHost.replayLastCall({handle})", altered
            )
            assert refused.get("isError") is True
            assert {key: live.product(key) for key in before} == after
            assert host.problems() == []
