"""The sign-in page: where a person pastes their Pimelo token and chooses what to grant.

Step one takes the token (field `pimelo_token`) and checks it with `GET /me`; step two shows
whose token it is and its scopes, and asks `grant=read` or `grant=full`. A script may post
both at once. Hidden fields carry the request id and a CSRF token bound to a cookie. The
token never comes back in a page: between the steps it waits sealed in the request record.

Every page: `Cache-Control: no-store`, a CSP allowing no script, no frame and no third-party
resource, and failed token checks are limited per client address and per client.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pimelo_mcp.client import (
    APIConnectionError,
    AuthenticationError,
    InvalidArgumentError,
    Me,
    PimeloError,
)
from pimelo_mcp.oauth.provider import SIGNIN_PATH, PimeloOAuthProvider
from pimelo_mcp.oauth.records import SignInRequest
from pimelo_mcp.tools.catalog import load_catalog, select_tools

logger = logging.getLogger(__name__)

PAGES = Path(__file__).with_name("pages")
COOKIE = "pimelo_signin"
FAILURE_WINDOW_SECONDS = 900.0
FAILURES_PER_ADDRESS = 10
FAILURES_PER_CLIENT = 50

TokenChecker = Callable[[str], Awaitable[Me]]
"""`GET /me` with a pasted token; raises the client's errors."""


@cache
def _template(name: str) -> Template:
    return Template((PAGES / name).read_text(encoding="utf-8"))


@cache
def _style() -> tuple[str, str]:
    """The page's CSS, and its CSP hash (inline, so the page needs no other resource)."""
    css = (PAGES / "style.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def usable_tools(scopes: list[str]) -> int:
    return len(select_tools(load_catalog(), scopes=scopes, read_only=False))


def user_label(me: Me) -> str:
    name, email = (me.user.name or "").strip(), (me.user.email or "").strip()
    label = f"{name} <{email}>" if name and email else name or email or f"user {me.user.id}"
    organization = (me.organization.name or "").strip()
    return f"{label} ({organization})" if organization else label


@dataclass
class SignIn:
    provider: PimeloOAuthProvider
    check_token: TokenChecker
    secure_cookie: bool

    # -- pages ---------------------------------------------------------------------------

    def _page(
        self, title: str, body: str, *, status: int = 200, form_target: str | None = None
    ) -> HTMLResponse:
        css, style_hash = _style()
        html = _template("layout.html").substitute(title=escape(title), style=css, body=body)
        form_action = "'self'"
        if form_target:
            parts = urlsplit(form_target)
            form_action += f" {parts.scheme}://{parts.netloc}"  # the redirect after a post
        return HTMLResponse(
            html,
            status_code=status,
            headers={
                "Cache-Control": "no-store",
                "Pragma": "no-cache",
                "Content-Security-Policy": (
                    f"default-src 'none'; style-src {style_hash}; form-action {form_action}; "
                    "frame-ancestors 'none'; base-uri 'none'"
                ),
                "X-Frame-Options": "DENY",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    def message(self, title: str, message: str, next_step: str, *, status: int) -> HTMLResponse:
        body = _template("message.html").substitute(
            message=escape(message), next_step=escape(next_step)
        )
        return self._page(title, body, status=status)

    def expired(self) -> HTMLResponse:
        return self.message(
            "This sign-in has expired",
            "This sign-in request has expired or was already used.",
            "Go back to the application and connect again; it will open a new sign-in page.",
            status=400,
        )

    def _error_block(self, error: str | None) -> str:
        if not error:
            return ""
        return f'<p role="alert" class="error" id="form-error">{escape(error)}</p>'

    def token_form(
        self,
        request_id: str,
        pending: SignInRequest,
        csrf: str,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        body = _template("token_form.html").substitute(
            client_name=escape(pending.client_name),
            return_host=escape(urlsplit(pending.redirect_uri).netloc),
            error=self._error_block(error),
            error_ref=" form-error" if error else "",
            invalid=' aria-invalid="true"' if error else "",
            action=SIGNIN_PATH,
            request_id=escape(request_id),
            csrf=escape(csrf),
        )
        return self._page(
            f"Sign in to {pending.client_name}"[:100],
            body,
            status=status,
            form_target=pending.redirect_uri,
        )

    def grant_form(
        self,
        request_id: str,
        pending: SignInRequest,
        csrf: str,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        scopes = "".join(
            f"<li><code>{escape(scope)}</code></li>" for scope in pending.token_scopes or []
        )
        body = _template("grant_form.html").substitute(
            client_name=escape(pending.client_name),
            user=escape(pending.user or ""),
            return_host=escape(urlsplit(pending.redirect_uri).netloc),
            error=self._error_block(error),
            scopes=scopes,
            action=SIGNIN_PATH,
            request_id=escape(request_id),
            csrf=escape(csrf),
        )
        return self._page(
            f"Allow {pending.client_name}?"[:100],
            body,
            status=status,
            form_target=pending.redirect_uri,
        )

    # -- CSRF ----------------------------------------------------------------------------

    def _set_cookie(self, response: Response, cookie: str) -> None:
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=900,
            path=SIGNIN_PATH,
            secure=self.secure_cookie,
            httponly=True,
            samesite="strict",
        )

    def _csrf_ok(self, request: Request, request_id: str, given: str) -> bool:
        cookie = request.cookies.get(COOKIE, "")
        if not cookie:
            return False
        expected = self.provider.keys.form_token(cookie, request_id)
        return hmac.compare_digest(expected.encode(), given.encode())

    # -- rate limits ---------------------------------------------------------------------

    def _limit_keys(self, request: Request, pending: SignInRequest) -> tuple[str, str]:
        address = request.client.host if request.client else "unknown"
        return f"address:{address}", f"client:{pending.client_id}"

    async def _limited(self, request: Request, pending: SignInRequest) -> bool:
        now = self.provider.clock()
        by_address, by_client = self._limit_keys(request, pending)
        for key, limit in ((by_address, FAILURES_PER_ADDRESS), (by_client, FAILURES_PER_CLIENT)):
            record = await self.provider.store.get("limit", key, now=now)
            if record is not None and int(record.value) >= limit:
                return True
        return False

    async def _count_failure(self, request: Request, pending: SignInRequest) -> None:
        now = self.provider.clock()
        for key in self._limit_keys(request, pending):
            await self.provider.store.increment(
                "limit", key, now=now, window=FAILURE_WINDOW_SECONDS
            )

    # -- endpoints -----------------------------------------------------------------------

    async def show(self, request: Request) -> Response:
        request_id = request.query_params.get("request", "")
        pending = await self.provider.load_request(request_id) if request_id else None
        if pending is None:
            return self.expired()
        cookie = request.cookies.get(COOKIE) or secrets.token_urlsafe(24)
        response = self.token_form(
            request_id, pending, self.provider.keys.form_token(cookie, request_id)
        )
        self._set_cookie(response, cookie)
        return response

    async def submit(self, request: Request) -> Response:
        form = await request.form()

        def text(name: str) -> str:
            value = form.get(name)
            return value.strip() if isinstance(value, str) else ""

        request_id = text("request")
        pending = await self.provider.load_request(request_id) if request_id else None
        if pending is None:
            return self.expired()
        csrf = text("csrf")
        if not self._csrf_ok(request, request_id, csrf):
            return self.message(
                "This form cannot be used",
                "This form was not opened in this browser, or it has expired.",
                "Go back to the application and connect again.",
                status=403,
            )
        if text("action") == "deny":
            if not await self.provider.end_request(request_id):
                return self.expired()
            target = self.provider.redirect(
                pending, error="access_denied", error_description="The user denied access."
            )
            return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})
        pasted = text("pimelo_token")
        if pasted:
            if await self._limited(request, pending):
                return self.message(
                    "Too many attempts",
                    "Too many tokens were refused from here in the last minutes.",
                    "Wait 15 minutes, then go back to the application and connect again.",
                    status=429,
                )
            failure = await self._check(request_id, pasted, pending)
            if failure is not None:
                if failure[1]:
                    await self._count_failure(request, pending)
                return self.token_form(request_id, pending, csrf, error=failure[0], status=400)
            if "grant" not in form:
                return self.grant_form(request_id, pending, csrf)
        elif pending.sealed_token is None:
            return self.token_form(
                request_id,
                pending,
                csrf,
                error="Paste your Pimelo API token to continue.",
                status=400,
            )
        return await self._finish(request_id, pending, csrf, text("grant"))

    async def _check(
        self, request_id: str, pasted: str, pending: SignInRequest
    ) -> tuple[str, bool] | None:
        """None when the token works (the request then holds it sealed); else (why, counts as failure)."""
        try:
            me = await self.check_token(pasted)
        except (AuthenticationError, InvalidArgumentError):
            return (
                "Pimelo refused this token: it is unknown, revoked or expired. Copy it again, "
                "or create a new one in Pimelo under Settings > API Tokens.",
                True,
            )
        except APIConnectionError:
            return ("Pimelo cannot be reached right now. Try again in a moment.", False)
        except (PimeloError, ValueError) as error:
            logger.warning("GET /me for a sign-in failed: %s", type(error).__name__)
            return ("Pimelo could not check this token right now. Try again in a moment.", False)
        scopes = sorted(set(me.token.scopes))
        if not usable_tools(scopes):
            return (
                "This token has none of the scopes the tools need (for example products:read). "
                "Create a token with at least products:read in Pimelo under Settings > API Tokens.",
                False,
            )
        # pending is updated in place and saved: the second step finds the token sealed there.
        pending.sealed_token = self.provider.keys.seal(
            pasted, bound_to=self.provider.keys.digest(request_id)
        )
        pending.user = user_label(me)
        pending.token_scopes = scopes
        await self.provider.save_request(request_id, pending)
        return None

    async def _finish(
        self, request_id: str, pending: SignInRequest, csrf: str, choice: str
    ) -> Response:
        if choice not in ("read", "full"):
            return self.grant_form(
                request_id,
                pending,
                csrf,
                error="Choose read only or everything this token allows.",
                status=400,
            )
        token_scopes = pending.token_scopes or []
        scopes = (
            token_scopes if choice == "full" else [s for s in token_scopes if s.endswith(":read")]
        )
        if not usable_tools(scopes):
            return self.grant_form(
                request_id,
                pending,
                csrf,
                error="With read only, this token leaves no tool to use; choose everything it allows.",
                status=400,
            )
        assert pending.sealed_token is not None
        pimelo_token = self.provider.keys.unseal(
            pending.sealed_token, bound_to=self.provider.keys.digest(request_id)
        )
        if not await self.provider.end_request(request_id):
            return self.expired()
        # "Everything this token allows" is kept as None: the tool side then follows the
        # token's own scopes as Pimelo reports them, not a copy taken at sign-in.
        code = await self.provider.issue_code(
            pending,
            pimelo_token=pimelo_token,
            user=pending.user or "",
            pimelo_scopes=None if choice == "full" else scopes,
        )
        return RedirectResponse(
            self.provider.redirect(pending, code=code),
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
