"""Problem Details (RFC 7807): the ProblemError every layer raises and the responses it becomes."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

PROBLEM_BASE = "https://www.pimelo.app/problems/"

TITLES: dict[str, str] = {
    "bad-request": "Bad request",
    "unauthenticated": "Unauthenticated",
    "insufficient-scope": "Insufficient scope",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "conflict": "Conflict",
    "precondition-failed": "Precondition failed",
    "payload-too-large": "Payload too large",
    "unsupported-media-type": "Unsupported media type",
    "validation-failed": "Validation failed",
    "rate-limited": "Rate limited",
    "internal": "Internal error",
}

SLUG_BY_STATUS: dict[int, str] = {
    400: "bad-request",
    401: "unauthenticated",
    403: "insufficient-scope",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "rate-limited",
    500: "internal",
}


class ProblemError(Exception):
    """An error answer: status, slug, detail, extension members and extra headers."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug or SLUG_BY_STATUS.get(status, "bad-request")
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": TITLES.get(self.slug, self.slug),
            "status": self.status,
            "detail": self.detail,
        }
        if instance is not None:
            body["instance"] = instance
        body.update(self.extensions)
        return body


class FieldErrors:
    """Collects every invalid field of a request, so that a 422 lists them all."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise validation_error(self.items)


def validation_error(errors: list[dict[str, str]]) -> ProblemError:
    count = len(errors)
    detail = (
        f"{errors[0]['field']}: {errors[0]['message']}"
        if count == 1
        else f"{count} fields are invalid."
    )
    return ProblemError(422, detail, errors=errors)


def invalid(field: str, message: str) -> ProblemError:
    return validation_error([{"field": field, "message": message}])


def not_found(what: str) -> ProblemError:
    return ProblemError(404, f"{what} was not found.")


def problem_response(
    problem: ProblemError, instance: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    all_headers = dict(problem.headers)
    if headers:
        all_headers.update(headers)
    if problem.status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return Response(
        json.dumps(problem.body(instance), ensure_ascii=False).encode(),
        status_code=problem.status,
        headers=all_headers,
        media_type="application/problem+json",
    )
