"""`PimeloClient`: one pooled HTTP client, auth, pacing, retries and typed errors for every call."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, cast

import anyio
import httpx2

from pimelo_mcp import __version__
from pimelo_mcp.client import _constants as c
from pimelo_mcp.client._clock import SYSTEM_CLOCK, Clock
from pimelo_mcp.client._deadline import (
    current_deadline,
    deadline_length,
    keep_back,
    note_unsettled_write,
    read_back_reserve,
    settle_write,
    write_label,
)
from pimelo_mcp.client._ratelimit import BudgetWaitTooLong, RateLimiter, shared_limiter
from pimelo_mcp.client._retry import (
    backoff_delay,
    cap_server_delay,
    parse_retry_after,
    parse_seconds,
)
from pimelo_mcp.client.errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InvalidArgumentError,
    PimeloError,
    PreconditionFailedError,
    RateLimitedError,
    make_status_error,
)

if TYPE_CHECKING:
    from pimelo_mcp.client.resources.attribute_sets import AttributeSets
    from pimelo_mcp.client.resources.attributes import Attributes
    from pimelo_mcp.client.resources.categories import Categories
    from pimelo_mcp.client.resources.channels import Channels
    from pimelo_mcp.client.resources.entities import Entities
    from pimelo_mcp.client.resources.entity_types import EntityTypes
    from pimelo_mcp.client.resources.locales import Locales
    from pimelo_mcp.client.resources.me import MeResource
    from pimelo_mcp.client.resources.media import MediaResource
    from pimelo_mcp.client.resources.products import Products

logger = logging.getLogger("pimelo_mcp.client")

QueryValue = str | int | float | bool | Sequence[str] | None


class _Token:
    """The API token, kept out of every repr, str and log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'pim_***'"

    __str__ = __repr__


def _check_token(token: str) -> _Token:
    if not isinstance(token, str) or not token.strip():  # pyright: ignore[reportUnnecessaryIsInstance]
        raise InvalidArgumentError(
            "No Pimelo API token given: create one in Pimelo (Settings > API Tokens) and pass "
            "it as token=... (the MCP server reads PIMELO_API_TOKEN)."
        )
    token = token.strip()
    if not token.startswith(c.TOKEN_PREFIX) or len(token) <= len(c.TOKEN_PREFIX):
        raise InvalidArgumentError(
            f"A Pimelo API token starts with '{c.TOKEN_PREFIX}'; the value given does not. "
            "Copy the whole token from Pimelo (Settings > API Tokens)."
        )
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise InvalidArgumentError("The Pimelo API token contains spaces or control characters.")
    return _Token(token)


def _normalize_base_url(base_url: str | httpx2.URL) -> httpx2.URL:
    url = httpx2.URL(str(base_url))
    if url.scheme not in {"http", "https"} or not url.host:
        raise InvalidArgumentError(
            f"base_url must be an http(s) URL such as {c.DEFAULT_BASE_URL}; got {str(url)!r}."
        )
    if url.query or url.fragment:
        raise InvalidArgumentError("base_url must not carry a query string or a fragment.")
    if not url.path.endswith("/"):
        url = url.copy_with(path=url.path + "/")
    return url


def _query(params: Mapping[str, QueryValue] | None) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            result[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            result[key] = str(value)
        else:
            result[key] = ",".join(value)
    return result


def is_write(method: str, path: str) -> bool:
    """Whether a request may change the catalog (a search POST does not)."""
    upper = method.upper()
    if upper in ("GET", "HEAD", "OPTIONS"):
        return False
    return not (upper == "POST" and path.rstrip("/").endswith("/search"))


def is_unknown_outcome(error: Exception) -> bool:
    """Whether a write that failed this way may still have happened.

    No answer (a dropped connection, a timeout, the deadline), a 5xx (a gateway may answer
    502 after the service wrote), or a 2xx whose body could not be read."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, APIStatusError):
        return error.status_code >= 500 or error.status_code < 300
    return isinstance(error, APIResponseValidationError)


def _safe_to_repeat(method: str, path: str, headers: Mapping[str, str] | None) -> bool:
    if method.upper() in c.IDEMPOTENT_METHODS:
        return True
    if method.upper() == "POST" and path.rstrip("/").endswith("/search"):
        return True
    return any(name.lower() == "idempotency-key" for name in (headers or {}))


class PimeloClient:
    """Async client of the Pimelo REST API v1.

    ```python
    async with PimeloClient(token="pim_...") as pimelo:
        async for product in pimelo.products.search_all(query="trail"):
            ...
    ```

    One pooled HTTP client is reused for every call (keep-alive). Pass `http_client` to use
    your own `httpx2.AsyncClient`: the client then never closes it. Requests are paced from
    the rate-limit headers with a budget shared by every client of the same token and
    service in the process; transient failures are retried where that is safe.
    """

    def __init__(
        self,
        base_url: str | httpx2.URL = c.DEFAULT_BASE_URL,
        token: str = "",
        *,
        http_client: httpx2.AsyncClient | None = None,
        max_retries: int = c.DEFAULT_MAX_RETRIES,
        call_budget_seconds: float = c.DEFAULT_CALL_BUDGET_SECONDS,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._token = _check_token(token)
        self._base_url = _normalize_base_url(base_url)
        if max_retries < 0:
            raise InvalidArgumentError(f"max_retries must be 0 or more, got {max_retries}.")
        if call_budget_seconds <= 0:
            raise InvalidArgumentError("call_budget_seconds must be positive.")
        self.max_retries = max_retries
        self.call_budget_seconds = call_budget_seconds
        self._clock: Clock = clock or SYSTEM_CLOCK
        self._limiter = limiter or shared_limiter(
            self._token.reveal(), str(self._base_url), self._clock
        )
        self._owns_http_client = http_client is None
        self._http = http_client or httpx2.AsyncClient(
            timeout=httpx2.Timeout(
                connect=c.CONNECT_TIMEOUT_SECONDS,
                read=c.READ_TIMEOUT_SECONDS,
                write=c.WRITE_TIMEOUT_SECONDS,
                pool=c.POOL_TIMEOUT_SECONDS,
            ),
            limits=httpx2.Limits(
                max_connections=c.MAX_CONNECTIONS,
                max_keepalive_connections=c.MAX_KEEPALIVE_CONNECTIONS,
                keepalive_expiry=c.KEEPALIVE_EXPIRY_SECONDS,
            ),
        )
        self._closed = False

    # -- resources: each made (and its module imported) at first use, so that a process
    # reading only /me, the stdio server's start-up, loads few of the other nine ----------

    @cached_property
    def me(self) -> MeResource:
        from pimelo_mcp.client.resources.me import MeResource

        return MeResource(self)

    @cached_property
    def channels(self) -> Channels:
        from pimelo_mcp.client.resources.channels import Channels

        return Channels(self)

    @cached_property
    def locales(self) -> Locales:
        from pimelo_mcp.client.resources.locales import Locales

        return Locales(self)

    @cached_property
    def categories(self) -> Categories:
        from pimelo_mcp.client.resources.categories import Categories

        return Categories(self)

    @cached_property
    def attributes(self) -> Attributes:
        from pimelo_mcp.client.resources.attributes import Attributes

        return Attributes(self)

    @cached_property
    def attribute_sets(self) -> AttributeSets:
        from pimelo_mcp.client.resources.attribute_sets import AttributeSets

        return AttributeSets(self)

    @cached_property
    def products(self) -> Products:
        from pimelo_mcp.client.resources.products import Products

        return Products(self)

    @cached_property
    def entity_types(self) -> EntityTypes:
        from pimelo_mcp.client.resources.entity_types import EntityTypes

        return EntityTypes(self)

    @cached_property
    def entities(self) -> Entities:
        from pimelo_mcp.client.resources.entities import Entities

        return Entities(self)

    @cached_property
    def media(self) -> MediaResource:
        from pimelo_mcp.client.resources.media import MediaResource

        return MediaResource(self)

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return str(self._base_url)

    @property
    def rate_limiter(self) -> RateLimiter:
        """The budget this client shares with every client of the same token and service."""
        return self._limiter

    def __repr__(self) -> str:
        return f"PimeloClient(base_url={self.base_url!r}, token={self._token!r})"

    async def aclose(self) -> None:
        """Close the HTTP client if this client opened it (a given `http_client` stays open)."""
        if self._closed:
            return
        self._closed = True
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- the one way a request leaves ----------------------------------------------------

    @staticmethod
    def new_idempotency_key() -> str:
        """A fresh key for one logical create; every retry of that create sends the same one."""
        return f"pimelo-mcp-{uuid.uuid4().hex}"

    def _with_patch_key(
        self, method: str, headers: Mapping[str, str] | None
    ) -> Mapping[str, str] | None:
        """`headers` with an Idempotency-Key when a PATCH has none of its own.

        One key per logical update, the same on every retry: a retry whose first answer was
        lost gets that answer replayed, not a 412 caused by its own success.
        """
        if method.upper() != "PATCH" or any(
            name.lower() == "idempotency-key" for name in (headers or {})
        ):
            return headers
        return {**(headers or {}), "Idempotency-Key": self.new_idempotency_key()}

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: object = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
    ) -> httpx2.Response:
        """Send one logical call (see `_send`); a write that ends without a definite answer
        (none, a 5xx, a cut body) is noted for the caller, who must find out or say so."""
        try:
            return await self._send(
                method,
                path,
                params=params,
                json=json,
                files=files,
                data=data,
                headers=headers,
                retry=retry,
                stream=stream,
                follow_redirects=follow_redirects,
            )
        except PimeloError as error:
            if is_write(method, path) and is_unknown_outcome(error):
                note_unsettled_write(write_label(method, path))
            raise

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: object = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        retry: bool | None = None,
        stream: bool = False,
        follow_redirects: bool = False,
    ) -> httpx2.Response:
        """Send one logical call (paced, retried if `retry`) and return a 2xx answer.

        `path` is relative to the base URL and already encoded (see `_validation.path`).
        With `stream=True` the body is not read: the caller must `aclose()` the response.
        Raises an `APIStatusError` subclass for 4xx/5xx, `APIConnectionError` when no
        answer came, `RateLimitedError` when the budget would outlast the call's time budget.
        `retry=None` retries only what is safe to repeat: GET, PATCH (merge-patch is
        idempotent), searches, and any request that carries an `Idempotency-Key`.
        """
        headers = self._with_patch_key(method, headers)
        if retry is None:
            retry = _safe_to_repeat(method, path, headers)
        if self._closed:
            raise PimeloError("This PimeloClient is closed; create a new one.")
        url = self._base_url.join(path)
        shown = "/" + url.path.lstrip("/")  # for messages and logs: no host, no query string
        request_headers = {
            "Authorization": f"Bearer {self._token.reveal()}",
            "Accept": "application/json",
            "User-Agent": f"pimelo-mcp/{__version__}",
            **(headers or {}),
        }
        query = _query(params)
        deadline, budget = self._deadline()
        attempt = 0
        last_error: PimeloError | None = None
        while True:
            try:
                window = await self._limiter.acquire(deadline)
            except BudgetWaitTooLong as wait:
                left = deadline - self._clock.monotonic()
                raise self._budget_error(
                    method, shown, wait.wait, left, budget, last_error
                ) from None
            response: httpx2.Response | None = None
            error: PimeloError | None = None
            # Every byte of the answer must come before the deadline: a per-read timeout
            # restarts at each byte, so a service that drips its answer would never time out.
            with anyio.move_on_after(max(0.0, deadline - self._clock.monotonic())) as scope:
                try:
                    request = self._http.build_request(
                        method,
                        url,
                        params=query or None,
                        json=json,
                        files=files,
                        data=data,
                        headers=request_headers,
                    )
                    response = await self._http.send(
                        request, stream=stream, follow_redirects=follow_redirects
                    )
                except httpx2.TimeoutException as exc:
                    error = APITimeoutError(
                        f"Pimelo did not answer {method} {shown} in time ({type(exc).__name__}). "
                        "Retry later; if it persists, check the network or Pimelo's status.",
                        method=method,
                        path=shown,
                    )
                    error.__cause__ = exc
                except httpx2.RequestError as exc:
                    error = APIConnectionError(
                        f"Could not reach Pimelo for {method} {shown} ({type(exc).__name__}). "
                        "Check the base URL and the network, then retry.",
                        method=method,
                        path=shown,
                    )
                    error.__cause__ = exc
                finally:
                    self._limiter.release(
                        None if response is None else response.headers,
                        None if response is None else response.status_code,
                        window,
                    )
            await self._limiter.report()  # outside the deadline: the answer is in
            if scope.cancelled_caught:
                response = None
                error = APITimeoutError(
                    f"Pimelo gave no complete answer to {method} {shown} within this call's "
                    f"deadline of {budget:.0f} s (attempt {attempt + 1}); it was cut there so "
                    "that nothing hangs. Retry later; if it persists, Pimelo or the network is slow.",
                    method=method,
                    path=shown,
                )
                error.deadline_passed = True
            if response is not None:
                logger.debug(
                    "%s %s -> %d (attempt %d)", method, shown, response.status_code, attempt + 1
                )
                if response.is_success:
                    return response
                if stream:
                    await response.aread()
                    await response.aclose()
                error = make_status_error(
                    response, method=method, path=shown, now=self._clock.time()
                )
            else:
                logger.debug("%s %s -> no answer (attempt %d)", method, shown, attempt + 1)
            assert error is not None
            error.attempts = attempt + 1
            last_error = error
            if error.deadline_passed:
                raise error
            delay = self._retry_delay(error, attempt) if retry else None
            if delay is None or attempt >= self.max_retries:
                raise error
            if self._clock.monotonic() + delay > deadline:
                # Waiting would pass the deadline: stop now, and say so truthfully.
                error.deadline_passed = True
                raise error
            logger.info(
                "retrying %s %s in %.2f s after %s (retry %d of %d)",
                method,
                shown,
                delay,
                type(error).__name__,
                attempt + 1,
                self.max_retries,
            )
            await self._clock.sleep(delay)
            attempt += 1

    def _deadline(self) -> tuple[float, float]:
        """(the monotonic time this call must end by, its length in seconds).

        The client's own time budget, or the caller's deadline (the MCP tool call's) when
        that comes sooner."""
        own = self._clock.monotonic() + self.call_budget_seconds
        outer = current_deadline()
        if outer is None or self._clock is not SYSTEM_CLOCK or outer >= own:
            return own, self.call_budget_seconds
        return outer, deadline_length() or self.call_budget_seconds

    def _retry_delay(self, error: PimeloError, attempt: int) -> float | None:
        """How long to wait before retrying after `error`, or None when it must not be retried."""
        if isinstance(error, APIConnectionError):
            return backoff_delay(attempt)
        if isinstance(error, APIStatusError) and error.status_code in c.RETRYABLE_STATUSES:
            if isinstance(error, RateLimitedError):
                if error.retry_after is not None:
                    return cap_server_delay(error.retry_after)
                reset = parse_seconds(
                    error.response.headers.get("X-RateLimit-Reset") if error.response else None
                )
                if reset is not None:
                    return cap_server_delay(reset)
            elif error.response is not None and "Retry-After" in error.response.headers:
                server = parse_retry_after(
                    error.response.headers.get("Retry-After"), now=self._clock.time()
                )
                if server is not None and server > 0:
                    return cap_server_delay(server)
            return backoff_delay(attempt)
        return None

    def _budget_error(
        self,
        method: str,
        shown: str,
        wait: float,
        left: float,
        budget: float,
        last_error: PimeloError | None,
    ) -> PimeloError:
        before = (
            f" after {last_error.attempts} attempt(s) that failed ({last_error})"
            if last_error is not None
            else ""
        )
        if wait <= 0:
            return APITimeoutError(
                f"{method} {shown} was not sent{before}: it waited its whole deadline of "
                f"{budget:.0f} s for a turn under the rate limit, which other calls are "
                "using. Retry in a minute.",
                method=method,
                path=shown,
            )
        return RateLimitedError(
            problem={
                "type": "about:blank",
                "title": "Rate limit budget used up",
                "status": 429,
                "detail": (
                    f"{method} {shown} was not sent{before}: the token's requests are used up "
                    f"until {wait:.0f} s from now, later than the {max(0.0, left):.0f} s left "
                    f"of this call's deadline of {budget:.0f} s"
                ),
            },
            method=method,
            path=shown,
            retry_after=wait,
        )

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: object = None,
        headers: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
        retry: bool | None = None,
    ) -> Any:
        """`request()` and the answer's JSON body; a body that is not JSON is a clear error.

        A 2xx whose body cannot be read (cut short on the way) is asked for again when the
        request is safe to repeat: with an `Idempotency-Key` the service replays the real
        answer. A PATCH whose answer was lost (no answer, a 5xx, or a 412 after a retried
        attempt, the echo of its own lost success) reads the record back, keeping time for
        it within the deadline: when the record holds what the patch set, that record is
        the answer; when it is still at the version the patch expected, nothing was written.
        """
        headers = self._with_patch_key(method, headers)
        safe = _safe_to_repeat(method, path, headers) if retry is None else retry
        patch = _patch_body(method, json)
        reserve = read_back_reserve() if patch else 0.0
        for reread in range(self.max_retries + 1):
            try:
                with keep_back(reserve):
                    response = await self.request(
                        method,
                        path,
                        params=params,
                        json=json,
                        headers=headers,
                        files=files,
                        data=data,
                        retry=retry,
                    )
            except PimeloError as error:
                lost = isinstance(error, PreconditionFailedError) and error.attempts > 1
                if patch is None or not (lost or is_unknown_outcome(error)):
                    raise
                record = await self._read_back(path, patch, headers or {})
                if record is not None:
                    return record
                raise
            try:
                return response.json()
            except ValueError:
                if safe and reread < self.max_retries:
                    logger.info("%s %s: unreadable answer, asking again", method, path)
                    continue
                error = APIStatusError(
                    status_code=response.status_code,
                    problem={
                        "title": "Answer is not JSON",
                        "detail": "Pimelo answered with a body that is not JSON (cut short, "
                        "or a proxy is in the way)",
                    },
                    method=method,
                    path="/" + response.url.path.lstrip("/"),
                    response=response,
                )
                error.attempts = reread + 1
                if is_write(method, path):
                    note_unsettled_write(write_label(method, path))
                raise error from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _read_back(
        self, path: str, patch: dict[str, Any], headers: Mapping[str, str]
    ) -> dict[str, Any] | None:
        """After a PATCH's answer was lost: the record when it holds the patch (applied).

        None when it does not; the write is then settled as not written when the record is
        still at the version the If-Match named, and stays unsettled (outcome unknown)
        otherwise, or when the record cannot be read."""
        what = write_label("PATCH", path)
        try:
            record: object = await self.request_json("GET", path)
        except PimeloError:
            note_unsettled_write(what)  # it may have happened and nothing can tell
            return None
        if not isinstance(record, dict):
            note_unsettled_write(what)
            return None
        read = cast(dict[str, Any], record)
        if patch_holds(read, patch):
            settle_write(what)
            return read
        expected = next((v for k, v in headers.items() if k.lower() == "if-match"), None)
        if expected is not None and expected.strip('W/"') == str(read.get("version")):
            settle_write(what)  # still at the version it expected: not written
        else:
            note_unsettled_write(what)
        return None


def _patch_body(method: str, body: object) -> dict[str, Any] | None:
    """The body of a merge-patch (read back after a lost answer), or None for other requests."""
    if method.upper() != "PATCH" or not isinstance(body, dict):
        return None
    return cast(dict[str, Any], body)


def patch_holds(record: Mapping[str, Any], patch: Mapping[str, Any]) -> bool:
    """Whether `record` already holds everything a merge-patch sets (null: removed)."""
    for key, value in patch.items():
        have: object = record.get(key)
        wanted: object = value
        if key == "values" and isinstance(wanted, dict) and isinstance(have, dict | None):
            wanted_values = cast(dict[str, Any], wanted)
            if not _values_hold(cast(dict[str, Any], have or {}), wanted_values):
                return False
        elif not _holds(have, value):
            return False
    return True


def _holds(have: object, wanted: object) -> bool:
    if wanted is None:
        return have is None or have == {} or have == []
    if isinstance(wanted, dict):
        if not isinstance(have, dict):
            return False
        have_map = cast(dict[str, Any], have)
        return all(_holds(have_map.get(k), v) for k, v in cast(dict[str, Any], wanted).items())
    if isinstance(wanted, list):
        wanted_list = cast(list[Any], wanted)
        if not isinstance(have, list) or len(cast(list[Any], have)) != len(wanted_list):
            return False
        return all(_holds(h, w) for h, w in zip(cast(list[Any], have), wanted_list, strict=True))
    return have == wanted


def _values_hold(have: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Product/entity values: each (attribute, locale, channel) the patch names holds its data."""
    for code, entries in wanted.items():
        if not isinstance(entries, list):
            return False
        current = {
            (entry.get("locale"), entry.get("channel")): entry.get("data")
            for entry in cast(list[dict[str, Any]], have.get(code) or [])
        }
        for entry in cast(list[dict[str, Any]], entries):
            slot = (entry.get("locale"), entry.get("channel"))
            if not _holds(current.get(slot), entry.get("data")):
                return False
    return True
