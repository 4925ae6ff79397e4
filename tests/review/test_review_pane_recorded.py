"""The review pane in Chromium, inside the official host bridge, fed a recorded dry run.

The recording (`recorded_review.json`) follows docs/review-pane.md's contract and holds
what a live server rarely produces at once: refused, stale and unchanged items, every kind
of value, a thumbnail that is not a data URI, a label with markup, an apply answer with
refused and unknown outcomes. The apply tool is answered here from the recording, which
is what these tests check the pane against; the live server's answers are
test_review_pane_browser.py's. Skipped without Chromium, Playwright, esbuild or the
bridge, unless PIMELO_INTEROP_REQUIRED=1.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.review.browser import (
    WAIT_MS,
    Browser,
    HostPage,
    host_page,
    screenshot_dir,
    serious_violations,
)

pytestmark = pytest.mark.slow

RECORDING = json.loads(Path(__file__).with_name("recorded_review.json").read_text("utf-8"))
DRY_RUN: dict[str, Any] = RECORDING["dry_run"]
REVIEW: dict[str, Any] = DRY_RUN["_meta"]["pimelo/review"]
TOOL_INPUT: dict[str, Any] = RECORDING["tool_input"]


class RecordedApply:
    """Answers `apply_reviewed_changes` as the recording says; counts the calls."""

    def __init__(self, refuse_first: str | None = None) -> None:
        self.calls: list[dict[str, Any]] = []
        self.refuse_first = refuse_first  # the text of an isError answer to the first call

    def __call__(self, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(params)
        if self.refuse_first is not None and len(self.calls) == 1:
            return {"content": [{"type": "text", "text": self.refuse_first}], "isError": True}
        skip = set(params["arguments"].get("skip", []))
        items: list[dict[str, Any]] = []
        for key, recorded in RECORDING["apply_outcomes"].items():
            outcome = {"outcome": "skipped", "version": None, "error": None}
            items.append({"key": key, **(outcome if key in skip else recorded)})
        counts = {
            name: sum(item["outcome"] == name for item in items)
            for name in ("applied", "refused", "skipped", "unknown")
        }
        structured = {**counts, "already_applied": False, "items": items}
        text = ", ".join(f"{count} {name}" for name, count in counts.items())
        return {"content": [{"type": "text", "text": text}], "structuredContent": structured}


@contextmanager
def opened(
    browser: Browser,
    answer: Callable[[dict[str, Any]], dict[str, Any]],
    theme: str = "light",
    height: int = 900,
) -> Iterator[HostPage]:
    """The host page with the recorded dry run shown in the pane."""
    with host_page(browser, answer, height=height) as host:
        host.open(TOOL_INPUT, DRY_RUN, theme=theme)
        host.pane.locator("#items > li").first.wait_for()
        yield host


def row(host: HostPage, key: str) -> Any:
    return host.pane.locator(f'#items > li[data-key="{key}"]')


def test_the_pane_shows_counts_rows_and_each_change_before_and_after(browser: Browser) -> None:
    from playwright.sync_api import expect

    with opened(browser, RecordedApply()) as host:
        pane = host.pane
        expect(pane.locator("#summary")).to_have_text(
            "11 changes on 6 products, 1 refused, 1 changed since the dry run, 1 unchanged"
        )
        assert pane.locator("#items > li").count() == len(REVIEW["items"])

        shoe = row(host, "SHOE-TRL-000214")
        expect(shoe).to_contain_text("Cirque 11 Trail Running Shoe — Green")
        name = shoe.locator("tr", has_text="fr_FR")
        # Word-level: only the words that changed are marked.
        assert name.locator("del").all_inner_texts() == []
        # ...and the spaces around them are not part of the change.
        assert name.locator("ins").all_inner_texts() == ["légère", "forêt"]
        description = shoe.locator("tr", has_text="Description")
        expect(description).to_contain_text("de_DE · ecommerce")  # locale and channel
        assert description.locator("del").all_inner_texts() == []
        assert "und lange Bergläufe" in "".join(description.locator("ins").all_inner_texts())
        # Prices, units and option labels as the payload gives them, whole.
        price = shoe.locator("tr", has_text="Price")
        assert price.locator("del").inner_text() == "168.00 EUR, 182.99 USD"
        assert price.locator("ins").inner_text() == "159.00 EUR, 182.99 USD"
        colour = shoe.locator("tr", has_text="Colour")
        assert (colour.locator("del").inner_text(), colour.locator("ins").inner_text()) == (
            "Green",
            "Forest green",
        )
        assert shoe.locator("img").get_attribute("src").startswith("data:image/png;base64,")

        fellrunner = row(host, "SHOE-TRL-000531")
        expect(fellrunner.locator("tr", has_text="Weight")).to_contain_text("0.33 KILOGRAM")
        meta_title = fellrunner.locator("tr", has_text="Meta title")
        expect(meta_title.locator(".empty")).to_have_text("empty")  # null before
        expect(meta_title).to_contain_text("en_US · ecommerce")

        jacket = row(host, "JKT-RAIN-000042")
        materials = jacket.locator("tr", has_text="Materials")
        expect(materials.locator("ins")).to_have_text("Recycled polyester, Merino wool")
        expect(jacket.locator("tr", has_text="Waterproof").locator("ins")).to_have_text("yes")
        # Markup in a label is text, and a thumbnail that is not a data URI is not loaded.
        expect(jacket).to_contain_text("<img src=x onerror=alert(1)>")
        assert jacket.locator("img").count() == 0

        expect(pane.locator("#expires")).to_have_text(
            "Apply before 04:05; after that, ask for a new dry run."
        )
        assert host.refused_requests == []
        assert host.csp_violations() == []
        assert host.problems() == []


def test_refused_stale_and_unchanged_items_are_marked_and_cannot_be_ticked(
    browser: Browser,
) -> None:
    from playwright.sync_api import expect

    with opened(browser, RecordedApply()) as host:
        for key, mark in [
            ("SHOE-RD-000007", "Refused"),
            ("PACK-DAY-000100", "Changed since the dry run"),
            ("CAP-000011", "Nothing to change"),
        ]:
            item = row(host, key)
            expect(item.locator(".mark").first).to_have_text(mark)
            assert item.get_by_role("checkbox").count() == 0
        expect(row(host, "SHOE-RD-000007")).to_contain_text("Option 'Neon' is not an option")
        expect(row(host, "PACK-DAY-000100")).to_contain_text("now version 4")
        # Words replaced side by side read as one change each, not word by word.
        description = row(host, "PACK-DAY-000100").locator("tr", has_text="Description")
        assert description.locator("del").all_inner_texts() == ["Made", "long days"]
        assert description.locator("ins").all_inner_texts() == ["Built", "quick hikes"]
        boxes = host.pane.locator("#items").get_by_role("checkbox")
        assert boxes.count() == 3
        assert all(boxes.nth(index).is_checked() for index in range(3))  # all ticked at first


def test_ticking_changes_what_apply_offers_and_select_all_follows(browser: Browser) -> None:
    from playwright.sync_api import expect

    with opened(browser, RecordedApply()) as host:
        pane = host.pane
        apply = pane.get_by_role("button", name=re.compile(r"^Apply"))
        select_all = pane.get_by_role("checkbox", name="Select all")
        expect(apply).to_have_text("Apply 9 changes")
        expect(select_all).to_be_checked()

        pane.get_by_role("checkbox", name=re.compile("SHOE-TRL-000531")).uncheck()
        expect(apply).to_have_text("Apply 6 changes")
        assert pane.locator("#all").evaluate("box => box.indeterminate")

        select_all.check()  # from "some": all of them
        expect(apply).to_have_text("Apply 9 changes")
        expect(apply).to_be_enabled()

        select_all.uncheck()
        expect(apply).to_have_text("Apply 0 changes")
        expect(apply).to_be_disabled()


def test_apply_by_keyboard_sends_the_handle_and_the_unticked_and_shows_each_outcome(
    browser: Browser,
) -> None:
    from playwright.sync_api import expect

    answer = RecordedApply()
    with opened(browser, answer) as host:
        pane = host.pane
        box = pane.get_by_role("checkbox", name=re.compile("JKT-RAIN-000042"))
        box.focus()
        host.page.keyboard.press("Space")
        expect(box).not_to_be_checked()
        apply = pane.get_by_role("button", name=re.compile(r"^Apply"))
        apply.focus()
        host.page.keyboard.press("Enter")

        status = pane.get_by_role("status")
        expect(status).to_have_text("Done: 1 applied, 1 refused, 1 skipped.")
        expect(row(host, "SHOE-TRL-000214").locator(".o-applied")).to_have_text(
            "Applied (version 2)"
        )
        expect(row(host, "SHOE-TRL-000531").locator(".mark.o-refused")).to_have_text("Not applied")
        expect(row(host, "SHOE-TRL-000531")).to_contain_text("Changed since the dry run")
        expect(row(host, "JKT-RAIN-000042").locator(".o-skipped")).to_have_text("Skipped")
        # No second Apply is offered, and the boxes are settled; focus goes on from the top.
        expect(apply).to_be_hidden()
        expect(pane.locator("#heading")).to_be_focused()
        expect(pane.locator("#expires")).to_be_hidden()
        assert host.problems() == []
        assert answer.calls == [
            {
                "name": "apply_reviewed_changes",
                "arguments": {"handle": REVIEW["handle"], "skip": ["JKT-RAIN-000042"]},
            }
        ]
        seen = host.seen()
        assert seen["calls"] == answer.calls  # through the bridge, as a host sees it
        # The model is told what the person approved and what came of it.
        (context,) = seen["modelContext"]
        assert context["structuredContent"]["applied"] == 1
        assert context["structuredContent"]["tool"] == "update_products"
        text = context["content"][0]["text"]
        assert "reviewed the update_products dry run in the review pane and pressed Apply" in text
        assert "JKT-RAIN-000042: skipped" in text
        assert "SHOE-TRL-000214: applied (version 2)" in text


def test_an_unknown_outcome_tells_the_person_to_check(browser: Browser) -> None:
    from playwright.sync_api import expect

    with opened(browser, RecordedApply()) as host:
        host.pane.get_by_role("button", name=re.compile(r"^Apply")).click()
        jacket = row(host, "JKT-RAIN-000042")
        expect(jacket.locator(".mark.o-unknown")).to_have_text("Outcome unknown")
        expect(jacket).to_contain_text("read JKT-RAIN-000042 to see whether")
        expect(host.pane.get_by_role("status")).to_contain_text("1 unknown: check those records")


def test_a_refused_apply_is_shown_in_words_and_apply_is_offered_again(browser: Browser) -> None:
    from playwright.sync_api import expect

    refusal = "Nothing was written: this review expired at 04:05; run the dry run again."
    answer = RecordedApply(refuse_first=refusal)
    with opened(browser, answer) as host:
        apply = host.pane.get_by_role("button", name=re.compile(r"^Apply"))
        apply.click()
        alert = host.pane.get_by_role("alert")
        expect(alert).to_have_text(refusal)
        expect(apply).to_be_enabled()
        expect(apply).to_have_text("Apply 9 changes")

        apply.click()
        expect(host.pane.get_by_role("status")).to_have_text(
            "Done: 1 applied, 1 refused, 1 unknown: check those records before trying again."
        )
        expect(alert).to_have_text("")
        assert len(answer.calls) == 2


def test_a_host_that_fails_the_call_is_reported_not_lost(browser: Browser) -> None:
    from playwright.sync_api import expect

    def broken(params: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the MCP server is unreachable")

    with opened(browser, broken) as host:  # type: ignore[arg-type]
        host.pane.get_by_role("button", name=re.compile(r"^Apply")).click()
        expect(host.pane.get_by_role("alert")).to_contain_text(
            "The host could not pass the request on"
        )
        expect(host.pane.get_by_role("alert")).to_contain_text("the MCP server is unreachable")
        expect(host.pane.get_by_role("alert")).to_contain_text("You can try Apply again")
        assert host.seen()["modelContext"] == []  # nothing was applied: nothing to tell


def test_a_result_without_a_review_shows_its_text(browser: Browser) -> None:
    from playwright.sync_api import expect

    plain = {
        "content": [{"type": "text", "text": "1 would be updated (dry run, nothing written)."}]
    }
    refused = {
        "content": [{"type": "text", "text": "Error executing tool update_products: no items."}],
        "isError": True,
    }
    for result, summary in [
        (plain, "Nothing to review here"),
        (refused, "The dry run was refused."),
    ]:
        with host_page(browser, RecordedApply()) as host:
            host.open(TOOL_INPUT, result)
            expect(host.pane.locator("#summary")).to_contain_text(summary)
            expect(host.pane.locator("#text")).to_have_text(result["content"][0]["text"])
            expect(host.pane.get_by_role("button", name=re.compile(r"^Apply"))).to_be_hidden()


def test_a_cancelled_dry_run_says_so_and_that_nothing_was_written(browser: Browser) -> None:
    from playwright.sync_api import expect

    with host_page(browser, RecordedApply()) as host:
        host.open(TOOL_INPUT, None)
        expect(host.pane.locator("#summary")).to_have_text("Preparing the review of 6 items…")
        host.page.evaluate("() => window.reviewHost.cancel('the person stopped it')")
        expect(host.pane.get_by_role("alert")).to_have_text(
            "The dry run was cancelled: the person stopped it. Nothing was written."
        )
        expect(host.pane.locator("#summary")).to_have_text(
            "Nothing to review: the dry run did not finish."
        )
        expect(host.pane.get_by_role("button", name=re.compile(r"^Apply"))).to_be_hidden()


def test_a_review_without_a_handle_offers_no_apply(browser: Browser) -> None:
    from playwright.sync_api import expect

    # The server sends no handle when no item of the dry run can be applied.
    nothing = copy.deepcopy(DRY_RUN)
    review = nothing["_meta"]["pimelo/review"]
    review.update(handle=None, expires_at=None)
    review["items"] = [item for item in review["items"] if item["status"] != "change"]
    review["summary"] = {"items": 3, "changes": 2, "refused": 1, "unchanged": 1}
    with host_page(browser, RecordedApply()) as host:
        host.open(TOOL_INPUT, nothing)
        expect(host.pane.get_by_role("status")).to_have_text("Nothing here can be applied.")
        expect(host.pane.get_by_role("button", name=re.compile(r"^Apply"))).to_be_hidden()
        assert host.pane.get_by_role("checkbox").count() == 0
        expect(host.pane.locator("#expires")).to_be_hidden()


def test_an_entity_review_counts_records_of_its_type(browser: Browser) -> None:
    from playwright.sync_api import expect

    entity = copy.deepcopy(DRY_RUN)
    review = entity["_meta"]["pimelo/review"]
    review.update(kind="entity", entity_type="brand", tool="update_entities")
    review["items"] = [review["items"][0]]
    review["summary"] = {"items": 1, "changes": 4, "refused": 0, "unchanged": 0}
    with host_page(browser, RecordedApply()) as host:
        host.open({"entity_type": "brand", "items": [{}]}, entity)
        expect(host.pane.locator("#summary")).to_have_text("4 changes on 1 brand record")
        expect(host.pane.get_by_role("button", name=re.compile(r"^Apply"))).to_have_text(
            "Apply 4 changes"
        )


def test_the_handshake_size_and_teardown_follow_the_apps_protocol(browser: Browser) -> None:
    with opened(browser, RecordedApply()) as host:
        seen = host.seen()
        assert seen["initialized"]
        assert seen["appInfo"] == {"name": "pimelo-review-pane", "version": "1.0.0"}
        assert seen["appCapabilities"] == {"availableDisplayModes": ["inline"]}
        host.page.wait_for_function(
            "() => window.reviewHost.seen().sizes.some((size) => size.height > 400)",
            timeout=WAIT_MS,
        )
        # The host sized the frame to the pane's height: nothing is cut or scrolled inside.
        frame_height = host.page.locator("#pane").evaluate("frame => frame.clientHeight")
        content_height = host.pane.locator("html").evaluate("root => root.scrollHeight")
        assert frame_height >= content_height
        assert host.page.evaluate("() => window.reviewHost.teardown()") is True


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_pane_reads_well_in_both_themes_with_no_serious_accessibility_finding(
    browser: Browser, theme: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    # Tall enough for the whole pane: the screenshot shows every row.
    with opened(browser, RecordedApply(), theme=theme, height=2000) as host:
        host.set_theme(theme)
        expect(host.pane.locator("html")).to_have_attribute("data-theme", theme)
        background = host.pane.locator("body").evaluate(
            "body => getComputedStyle(body).backgroundColor"
        )
        assert background == ("rgb(255, 255, 255)" if theme == "light" else "rgb(23, 24, 28)")
        assert serious_violations(host.pane_frame()) == []
        # Also once applied: outcome marks and notes must read as well.
        host.pane.get_by_role("button", name=re.compile(r"^Apply")).click()
        expect(host.pane.get_by_role("status")).to_contain_text("Done:")
        assert serious_violations(host.pane_frame()) == []
        host.page.locator("#pane").screenshot(
            path=str(screenshot_dir(tmp_path) / f"review-pane-recorded-{theme}.png")
        )


def test_host_style_variables_are_used_when_given(browser: Browser) -> None:
    with opened(browser, RecordedApply()) as host:
        host.page.evaluate(
            "() => window.reviewHost.setTheme('light', {'--color-background-primary': 'rgb(250, 245, 230)'})"
        )
        host.pane.locator("html").evaluate(
            "root => new Promise((done) => { const look = () => getComputedStyle(document.body).backgroundColor === 'rgb(250, 245, 230)' ? done() : requestAnimationFrame(look); look(); })"
        )


def test_the_pane_fits_a_narrow_window(browser: Browser) -> None:
    with host_page(browser, RecordedApply(), width=420) as host:
        host.open(TOOL_INPUT, DRY_RUN)
        host.pane.locator("#items > li").first.wait_for()
        assert host.pane.locator("html").evaluate("root => root.scrollWidth <= root.clientWidth")
