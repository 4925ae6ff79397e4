"""The sign-in page in a real browser: headless Chromium (Debian's), driven by Playwright.

A person opens the authorization URL, pastes a token, chooses read only and lands on a
loopback callback with `code`, `state` and `iss`. axe-core checks both pages for serious
or critical accessibility violations, and the page must fit a narrow window (what 200 %
zoom gives on a 1280-pixel screen) without scrolling sideways. Chromium, Playwright and
axe-core are installed by `.ci/run`; without them the test is skipped, unless
PIMELO_INTEROP_REQUIRED=1.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import secrets
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2
import pytest

from tests.interop.tooling import ROOT, require
from tests.oauth.conftest import LeakWatch
from tests.oauth.harness import query
from tests.oauth.process import metadata_document_server, oauth_server

pytestmark = pytest.mark.slow

AXE = ROOT / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NARROW_WIDTH = 640  # a 1280-pixel-wide window at 200 % zoom


def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require(Path(path).exists(), "no chromium: apt-get install -y chromium")
    require(
        importlib.util.find_spec("playwright") is not None,
        "no playwright: pip install -e '.[dev]'",
    )
    require(AXE.exists(), "no axe-core: run .ci/interop-setup first")
    return path


@contextmanager
def callback_server() -> Iterator[str]:
    """A loopback page the browser is sent back to; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>Back in the application</title><p>Signed in."
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def fits_without_sideways_scrolling(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_person_signs_in_read_only_in_a_browser(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, leak_watch: LeakWatch
) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with (
        metadata_document_server() as cimd_origin,
        oauth_server(tmp_path, cimd_origin, leak_watch) as served,
        callback_server() as callback,
    ):
        origin = served.server.origin
        registered = httpx2.post(
            origin + "/register",
            json={
                "redirect_uris": [callback],
                "client_name": "Browser Test",
                "token_endpoint_auth_method": "none",
            },
        )
        assert registered.status_code == 201, registered.text
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        authorization_url = (
            origin
            + "/authorize?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": registered.json()["client_id"],
                    "redirect_uri": callback,
                    "code_challenge": challenge.decode().rstrip("="),
                    "code_challenge_method": "S256",
                    "state": "browser-state",
                    "resource": served.server.url,
                }
            )
        )
        with sync_playwright() as playwright:
            # A fresh profile (outside tmp_path, whose files the leak watch reads: what the
            # browser keeps is the browser's); bypass_csp: the page allows no script, and
            # axe-core is injected for the check only.
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium")),
                executable_path=executable,
                args=CHROMIUM_FLAGS,
                viewport={"width": NARROW_WIDTH, "height": 900},
                bypass_csp=True,
            )
            try:
                page = context.new_page()
                page.goto(authorization_url)
                assert page.get_by_label("Your Pimelo API token").is_visible()
                assert "Browser Test" in page.content()
                assert serious_violations(page) == []
                assert fits_without_sideways_scrolling(page)

                page.get_by_label("Your Pimelo API token").fill(served.tokens["full-access"])
                page.get_by_role("button", name="Continue").click()
                page.get_by_label("Read only", exact=False).wait_for()
                assert "products:write" in page.content()  # the token's scopes, shown
                leak_watch.texts.append(page.content())  # the token itself, never
                assert serious_violations(page) == []
                assert fits_without_sideways_scrolling(page)

                page.get_by_label("Read only", exact=False).check()
                page.get_by_role("button", name="Allow").click()
                page.wait_for_url(callback + "?*")
                landed = page.url
            finally:
                context.close()
    params = query(landed)
    assert params["state"] == "browser-state"
    assert params["iss"] == origin
    assert params["code"]
