"""The review pane inside a test host page: the official MCP Apps host bridge, in Chromium.

The host page (`host/host.mjs`, bundled by the pinned esbuild into a temporary directory)
is served by Playwright's request routing from an origin that exists only in the browser:
no server listens for it, and every other request the page or the pane makes is refused
and recorded, so a pane that reaches for the network fails the test. The pane's
`tools/call` requests reach Python through `window.pimeloCallTool`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.interop.tooling import NODE_BIN, ROOT, SETUP_HINT, require
from tests.oauth.test_signin_browser import AXE, CHROMIUM_FLAGS, chromium

PANE = ROOT / "pimelo_mcp" / "review" / "pane.html"
HOST_SOURCE = Path(__file__).with_name("host") / "host.mjs"
HOST_ORIGIN = "http://review-host.test"  # resolved by nobody: routed inside the browser
HOST_PAGE = f"{HOST_ORIGIN}/"
HOST_SCRIPT = f"{HOST_ORIGIN}/host.js"
HOST_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Review pane test host</title>
<style>body{margin:0;padding:16px;font-family:sans-serif}
body.dark{background:#101114;color:#eee}
iframe{display:block;width:100%;border:1px solid #888;border-radius:8px;height:200px}</style>
</head><body><main><h1>Test host</h1><div id="slot"></div></main>
<script type="module" src="/host.js"></script></body></html>"""
SCREENSHOTS_VARIABLE = "PIMELO_SCREENSHOT_DIR"  # where the pane's screenshots go, if set
PROBLEMS = {"error", "warning", "pageerror"}
WAIT_MS = 30_000  # a safety net for waits on the page; each wait ends on an event


def build_host_bundle(out_dir: Path) -> Path:
    """The host page's script, bundled with the pinned esbuild (never committed)."""
    esbuild = NODE_BIN / "esbuild"
    bridge = ROOT / ".ci" / "npm" / "node_modules" / "@modelcontextprotocol" / "ext-apps"
    require(esbuild.exists() and bridge.exists(), f"no esbuild or ext-apps: {SETUP_HINT}")
    bundle = out_dir / "host.js"
    done = subprocess.run(
        [
            str(esbuild),
            str(HOST_SOURCE),
            "--bundle",
            "--format=esm",
            "--platform=browser",
            "--minify",  # a third of the size: each test's page parses it once
            "--log-level=warning",
            f"--outfile={bundle}",
        ],
        env={
            **os.environ,
            "NODE_PATH": str(ROOT / ".ci" / "npm" / "node_modules"),
            "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return bundle


@dataclass
class Browser:
    """One Chromium for a module's tests; each test opens its own context."""

    browser: Any
    bundle: bytes


@dataclass
class HostPage:
    page: Any
    refused_requests: list[str] = field(default_factory=list)  # anything beyond the host page
    console: list[str] = field(default_factory=list)

    @property
    def pane(self) -> Any:
        """The pane's frame, for locators (`get_by_role`, `locator`)."""
        return self.page.frame_locator("#pane")

    def pane_frame(self) -> Any:
        """The pane's frame object, for scripts (axe-core)."""
        return self.page.locator("#pane").element_handle().content_frame()

    def open(
        self,
        tool_input: dict[str, Any],
        result: dict[str, Any] | None,
        theme: str = "light",
        html: str | None = None,
    ) -> None:
        """Frame the pane (the packaged file unless given), then send the tool's input and result.

        Without a result, the pane is left waiting for one (as while the tool runs).
        """
        self.page.evaluate(
            "async (args) => { await window.reviewHost.open(args); }",
            {
                "html": PANE.read_text(encoding="utf-8") if html is None else html,
                "toolInput": tool_input,
                "toolResult": result,
                "context": {"theme": theme},
            },
        )

    def seen(self) -> dict[str, Any]:
        return self.page.evaluate("() => window.reviewHost.seen()")

    def set_theme(self, theme: str) -> None:
        self.page.evaluate(
            "(theme) => { document.body.className = theme; window.reviewHost.setTheme(theme); }",
            theme,
        )

    def csp_violations(self) -> list[str]:
        return [line for line in self.console if "Content Security Policy" in line]

    def problems(self) -> list[str]:
        """Errors and warnings in the console, and uncaught exceptions, of page and pane."""
        return [line for line in self.console if line.split(":", 1)[0] in PROBLEMS]


@contextmanager
def launched(tmp_dir: Path) -> Iterator[Browser]:
    executable = chromium()
    bundle = build_host_bundle(tmp_dir).read_bytes()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            yield Browser(browser=browser, bundle=bundle)
        finally:
            browser.close()


@contextmanager
def host_page(
    browser: Browser,
    call_tool: Callable[[dict[str, Any]], dict[str, Any]],
    width: int = 900,
    height: int = 900,
) -> Iterator[HostPage]:
    """A fresh context with the host page loaded; `call_tool` answers the pane's tools/call."""
    # The browser's own locale and zone say 12-hour Pacific: the pane must take the host's.
    context = browser.browser.new_context(
        viewport={"width": width, "height": height},
        locale="en-US",
        timezone_id="America/Los_Angeles",
    )
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        host = HostPage(page=page)

        def route(route: Any) -> None:
            url = route.request.url
            if url == HOST_PAGE:
                route.fulfill(status=200, content_type="text/html", body=HOST_HTML)
            elif url == HOST_SCRIPT:
                route.fulfill(status=200, content_type="text/javascript", body=browser.bundle)
            else:
                host.refused_requests.append(url)
                route.abort()

        context.route("**/*", route)
        page.on("console", lambda message: host.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: host.console.append(f"pageerror: {error}"))
        page.expose_function("pimeloCallTool", call_tool)
        page.goto(HOST_PAGE)
        page.wait_for_function("() => window.reviewHost !== undefined")
        yield host
    finally:
        context.close()


def serious_violations(frame: Any) -> list[str]:
    """axe-core's serious and critical findings in a frame."""
    frame.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = frame.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(node["html"][:120] for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def screenshot_dir(default: Path) -> Path:
    chosen = os.environ.get(SCREENSHOTS_VARIABLE)
    directory = Path(chosen) if chosen else default
    directory.mkdir(parents=True, exist_ok=True)
    return directory
