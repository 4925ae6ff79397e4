"""Every error the Pimelo client raises, and the one function that maps an HTTP answer to one.

The tree:

* PimeloError                       anything this client raises
  + InvalidArgumentError            refused before any request (also a ValueError):
  |                                 a token not starting with pim_, an empty id, a bad code
  + APIConnectionError              no HTTP answer: DNS, refused connection, reset
  |  - APITimeoutError              no answer in time (one exchange, or the call's budget)
  + APIResponseValidationError      a 2xx answer whose body does not fit the contract
  + APIStatusError                  an HTTP answer with a 4xx/5xx status (Problem Details)
     - BadRequestError              400  the body is not JSON / not an object
     - AuthenticationError          401  missing, unknown or expired token
     - InsufficientScopeError       403  `required_scope`
     - NotFoundError                404  unknown record or route
     - MethodNotAllowedError        405  `allowed`
     - ConflictError                409  code exists; Idempotency-Key reused with another body
     - PreconditionFailedError      412  If-Match names an old version; `current_version`
     - PayloadTooLargeError         413  `max_bytes`
     - UnsupportedMediaTypeError    415  `allowed`
     - ValidationError              422  `errors`: every invalid field
     - RateLimitedError             429  `retry_after` (also raised without an answer when
     |                                   waiting for the rate-limit window would outlast the
     |                                   call's time budget)
     - ServerError                  5xx  a bug or an outage on the service side

`make_status_error()` is the only place that chooses the class. A body that is not
Problem Details (an HTML 502 from a proxy) still gives the right class and a clear message.
An error's `str()` says what went wrong and what to do next; it never contains the token,
a query string, or a full URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx2

from pimelo_mcp.client._retry import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FieldError",
    "InsufficientScopeError",
    "InvalidArgumentError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PimeloError",
    "PreconditionFailedError",
    "RateLimitedError",
    "ServerError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "make_status_error",
]


class PimeloError(Exception):
    """Base class of every error raised by the Pimelo client."""

    # How many times the request was sent before this error (retries included). A
    # ConflictError or PreconditionFailedError after more than one attempt may be the echo
    # of an earlier attempt that succeeded but whose answer was lost.
    attempts: int = 1
    # True when the call stopped because its deadline came (or a wait would have passed it),
    # not because the service refused: retrying sooner than the deadline allowed was not tried.
    deadline_passed: bool = False


class InvalidArgumentError(PimeloError, ValueError):
    """An argument the API would refuse, caught before any request (and any rate-limit unit)."""


class APIConnectionError(PimeloError):
    """The service could not be reached, or the connection broke before an answer."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class APITimeoutError(APIConnectionError):
    """No answer in time: one exchange timed out, or the whole call ran out of its budget."""


class APIResponseValidationError(PimeloError):
    """A successful answer whose body does not have the shape the contract describes."""

    def __init__(self, message: str, *, model: str = "", errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.errors = errors or []


@dataclass(frozen=True)
class FieldError:
    """One invalid field of a 422: `field` is a path into the request, e.g. `values.name[locale=fr_FR]`."""

    field: str
    message: str


class APIStatusError(PimeloError):
    """The service answered with an error status; `problem` is its Problem Details body."""

    default_hint: ClassVar[str] = "Check the request against the Pimelo API contract."

    def __init__(
        self,
        *,
        status_code: int,
        problem: dict[str, Any],
        method: str = "",
        path: str = "",
        response: httpx2.Response | None = None,
    ) -> None:
        self.status_code = status_code
        self.problem = problem
        self.method = method
        self.path = path
        self.response = response
        super().__init__(self._message())

    @property
    def type(self) -> str:
        """The Problem Details `type` URI (`about:blank` when the body gave none)."""
        value = self.problem.get("type")
        return value if isinstance(value, str) else "about:blank"

    @property
    def slug(self) -> str:
        """The last part of `type`, e.g. `validation-failed`."""
        return self.type.rstrip("/").rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        value = self.problem.get("title")
        return value if isinstance(value, str) and value else f"HTTP {self.status_code}"

    @property
    def detail(self) -> str | None:
        value = self.problem.get("detail")
        return value if isinstance(value, str) and value else None

    def hint(self) -> str:
        """What the caller should do next."""
        return self.default_hint

    def _message(self) -> str:
        where = f" on {self.method} {self.path}" if self.method and self.path else ""
        text = f"{self.title} (HTTP {self.status_code}{where})"
        if self.detail:
            text += f": {self.detail.rstrip('. ')}"
        return f"{text}. {self.hint()}"


class BadRequestError(APIStatusError):
    default_hint: ClassVar[str] = "Send a JSON object body in UTF-8."


class AuthenticationError(APIStatusError):
    default_hint: ClassVar[str] = (
        "The API token is missing, unknown or expired: create a new one in Pimelo "
        "(Settings > API Tokens) and configure it."
    )


class InsufficientScopeError(APIStatusError):
    @property
    def required_scope(self) -> str | None:
        value = self.problem.get("required_scope")
        return value if isinstance(value, str) else None

    def hint(self) -> str:
        scope = self.required_scope or "the scope this endpoint needs"
        return (
            f"The token lacks {scope}: create a token with that scope in Pimelo "
            "(Settings > API Tokens), or use an operation the token allows."
        )


class NotFoundError(APIStatusError):
    default_hint: ClassVar[str] = (
        "Check the code or identifier (search or list to find the right one)."
    )


class MethodNotAllowedError(APIStatusError):
    @property
    def allowed(self) -> list[str]:
        if self.response is None:
            return []
        header = self.response.headers.get("Allow", "")
        return [method.strip() for method in header.split(",") if method.strip()]

    def hint(self) -> str:
        allowed = ", ".join(self.allowed) or "unknown"
        return f"This endpoint does not take that method (allowed: {allowed})."


class ConflictError(APIStatusError):
    default_hint: ClassVar[str] = (
        "The code or identifier already exists: update the existing record, or choose another."
    )


class PreconditionFailedError(APIStatusError):
    @property
    def current_version(self) -> int | None:
        value = self.problem.get("current_version")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def hint(self) -> str:
        version = self.current_version
        now = f" (it is now at version {version})" if version is not None else ""
        return (
            f"The record changed since you read it{now}: read it again, re-apply your change "
            "and send it with the new expected_version."
        )


class PayloadTooLargeError(APIStatusError):
    @property
    def max_bytes(self) -> int | None:
        value = self.problem.get("max_bytes")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def hint(self) -> str:
        limit = f" of {self.max_bytes} bytes" if self.max_bytes is not None else ""
        return f"Send less than the limit{limit} (a smaller file, or fewer operations)."


class UnsupportedMediaTypeError(APIStatusError):
    @property
    def allowed(self) -> list[str]:
        value: object = self.problem.get("allowed")
        if isinstance(value, list):
            return [str(item) for item in value]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
        return []

    def hint(self) -> str:
        allowed = ", ".join(self.allowed)
        return (
            f"Send one of the allowed types ({allowed})."
            if allowed
            else ("Send a body of an allowed type (JSON, or PNG/JPEG/GIF/WebP/PDF for media).")
        )


class ValidationError(APIStatusError):
    @property
    def errors(self) -> list[FieldError]:
        raw: object = self.problem.get("errors")
        result: list[FieldError] = []
        if isinstance(raw, list):
            for item in raw:  # pyright: ignore[reportUnknownVariableType]
                if isinstance(item, dict):
                    entry: dict[str, object] = item  # pyright: ignore[reportUnknownVariableType]
                    result.append(
                        FieldError(
                            field=str(entry.get("field", "")),
                            message=str(entry.get("message", "")),
                        )
                    )
        return result

    def _message(self) -> str:
        text = super()._message()
        lines = [f"{error.field}: {error.message}" for error in self.errors]
        return text + ("\n- " + "\n- ".join(lines) if lines else "")

    def hint(self) -> str:
        return "Fix the fields listed and send the request again."


class RateLimitedError(APIStatusError):
    def __init__(
        self,
        *,
        status_code: int = 429,
        problem: dict[str, Any],
        method: str = "",
        path: str = "",
        response: httpx2.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(
            status_code=status_code, problem=problem, method=method, path=path, response=response
        )

    def hint(self) -> str:
        if self.retry_after is not None:
            return (
                f"The token's rate limit is used up; Pimelo asks for a pause of "
                f"{self.retry_after:.0f} s: retry after it."
            )
        return "The token's rate limit is used up: wait a minute and retry."


class ServerError(APIStatusError):
    default_hint: ClassVar[str] = (
        "The Pimelo service failed; retry later, and report it if it persists."
    )


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: InsufficientScopeError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: ValidationError,
    429: RateLimitedError,
}


def problem_from_response(response: httpx2.Response) -> dict[str, Any]:
    """The Problem Details object of an error answer, or a stand-in for a body that is not one."""
    try:
        body: object = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        return {str(key): value for key, value in body.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    content_type = response.headers.get("Content-Type", "unknown").split(";")[0].strip()
    reason = response.reason_phrase or "Error"
    return {
        "type": "about:blank",
        "title": reason,
        "status": response.status_code,
        "detail": (
            f"The answer was not Problem Details JSON (content type {content_type}, "
            f"{len(response.content)} bytes), likely from a proxy or gateway in front of Pimelo."
        ),
    }


def make_status_error(
    response: httpx2.Response,
    *,
    method: str = "",
    path: str = "",
    now: float | None = None,
) -> APIStatusError:
    """The typed error for an error answer: status first, Problem Details body for the fields.

    `now` (seconds since the epoch) reads an HTTP-date `Retry-After`; the wall clock by default.
    """
    status = response.status_code
    problem = problem_from_response(response)
    if status == 429:
        return RateLimitedError(
            problem=problem,
            method=method,
            path=path,
            response=response,
            retry_after=parse_retry_after(response.headers.get("Retry-After"), now=now),
        )
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else APIStatusError
    return cls(status_code=status, problem=problem, method=method, path=path, response=response)
