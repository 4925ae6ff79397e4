"""Every error answer becomes the right typed error, built by `make_status_error()`."""

from __future__ import annotations

import email.utils

import httpx2
import pytest
from client_fakes import problem, problem_response

from pimelo_mcp.client import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FieldError,
    InsufficientScopeError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    PimeloError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    UnsupportedMediaTypeError,
    ValidationError,
    make_status_error,
)

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("status", "slug", "expected"),
    [
        (400, "bad-request", BadRequestError),
        (401, "unauthenticated", AuthenticationError),
        (403, "insufficient-scope", InsufficientScopeError),
        (404, "not-found", NotFoundError),
        (405, "method-not-allowed", MethodNotAllowedError),
        (409, "conflict", ConflictError),
        (412, "precondition-failed", PreconditionFailedError),
        (413, "payload-too-large", PayloadTooLargeError),
        (415, "unsupported-media-type", UnsupportedMediaTypeError),
        (422, "validation-failed", ValidationError),
        (429, "rate-limited", RateLimitedError),
        (500, "internal", ServerError),
        (502, "bad-gateway", ServerError),
        (503, "unavailable", ServerError),
        (504, "gateway-timeout", ServerError),
    ],
)
def test_each_documented_status_maps_to_its_error_class(
    status: int, slug: str, expected: type[APIStatusError]
) -> None:
    error = make_status_error(problem_response(status, slug, "Something"), method="GET", path="/x")
    assert type(error) is expected
    assert isinstance(error, APIStatusError)
    assert isinstance(error, PimeloError)
    assert error.status_code == status
    assert error.slug == slug
    assert error.title == "Something"
    assert error.detail == "Something."


def test_an_undocumented_client_status_is_a_plain_status_error() -> None:
    error = make_status_error(problem_response(418, "teapot", "I'm a teapot"))
    assert type(error) is APIStatusError
    assert error.status_code == 418


def test_an_unknown_server_status_is_a_server_error() -> None:
    assert type(make_status_error(problem_response(599, "x", "x"))) is ServerError


def test_insufficient_scope_carries_the_required_scope() -> None:
    response = problem_response(
        403, "insufficient-scope", "Insufficient scope", required_scope="products:write"
    )
    error = make_status_error(response)
    assert isinstance(error, InsufficientScopeError)
    assert error.required_scope == "products:write"
    assert "products:write" in str(error)


def test_precondition_failed_carries_the_current_version() -> None:
    error = make_status_error(
        problem_response(412, "precondition-failed", "Precondition failed", current_version=7)
    )
    assert isinstance(error, PreconditionFailedError)
    assert error.current_version == 7


def test_validation_error_lists_every_invalid_field() -> None:
    errors = [
        {"field": "values.name[locale=fr_FR]", "message": "too long"},
        {"field": "limit", "message": "must be at most 100"},
    ]
    error = make_status_error(
        problem_response(422, "validation-failed", "Validation failed", errors=errors)
    )
    assert isinstance(error, ValidationError)
    assert error.errors == [
        FieldError(field="values.name[locale=fr_FR]", message="too long"),
        FieldError(field="limit", message="must be at most 100"),
    ]
    assert "values.name[locale=fr_FR]" in str(error)


def test_validation_error_tolerates_malformed_errors_member() -> None:
    error = make_status_error(
        problem_response(422, "validation-failed", "Validation failed", errors=["odd", {"x": 1}])
    )
    assert isinstance(error, ValidationError)
    assert error.errors == [FieldError(field="", message="")]


def test_payload_too_large_and_unsupported_media_type_carry_their_members() -> None:
    too_large = make_status_error(
        problem_response(413, "payload-too-large", "Too large", max_bytes=1024)
    )
    unsupported = make_status_error(
        problem_response(415, "unsupported-media-type", "Unsupported", allowed=["image/png"])
    )
    assert isinstance(too_large, PayloadTooLargeError)
    assert too_large.max_bytes == 1024
    assert isinstance(unsupported, UnsupportedMediaTypeError)
    assert unsupported.allowed == ["image/png"]


def test_method_not_allowed_reads_the_allow_header() -> None:
    response = problem_response(405, "method-not-allowed", "Method not allowed")
    response.headers["Allow"] = "GET, PATCH"
    error = make_status_error(response)
    assert isinstance(error, MethodNotAllowedError)
    assert error.allowed == ["GET", "PATCH"]


def test_an_html_502_from_a_proxy_still_gives_a_clear_server_error() -> None:
    response = httpx2.Response(
        502,
        content=b"<html><body><h1>502 Bad Gateway</h1></body></html>",
        headers={"Content-Type": "text/html"},
    )
    error = make_status_error(response, method="GET", path="/api/v1/products/X")
    assert isinstance(error, ServerError)
    assert error.status_code == 502
    assert error.title == "Bad Gateway"
    assert error.type == "about:blank"
    assert "text/html" in str(error)
    assert "retry later" in str(error).lower()


def test_an_empty_error_body_still_gives_the_right_class() -> None:
    error = make_status_error(httpx2.Response(404))
    assert isinstance(error, NotFoundError)
    assert error.title == "Not Found"


def test_a_json_body_that_is_not_an_object_is_treated_as_not_problem_details() -> None:
    error = make_status_error(httpx2.Response(500, json=["x"]))
    assert isinstance(error, ServerError)
    assert error.type == "about:blank"


def test_every_message_says_what_to_do_next() -> None:
    for status, slug in [(401, "unauthenticated"), (404, "not-found"), (409, "conflict")]:
        text = str(make_status_error(problem_response(status, slug, "T")))
        assert text.count(".") >= 2  # what went wrong, then what to do


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("30", 30.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (email.utils.formatdate(NOW + 45, usegmt=True), 45.0),
        (email.utils.formatdate(NOW - 45, usegmt=True), 0.0),
        (None, None),
        ("soon", None),
        ("", None),
        ("-5", 0.0),
        ("99999", 99999.0),
    ],
)
def test_rate_limited_reads_each_retry_after_form(
    header: str | None, expected: float | None
) -> None:
    response = problem_response(429, "rate-limited", "Too many requests")
    if header is not None:
        response.headers["Retry-After"] = header
    error = make_status_error(response, now=NOW)
    assert isinstance(error, RateLimitedError)
    assert error.retry_after == expected


def test_an_error_message_never_shows_a_query_string() -> None:
    error = make_status_error(
        problem_response(404, "not-found", "Not found"), method="GET", path="/api/v1/media"
    )
    assert "?" not in str(error)


def test_a_problem_in_an_error_keeps_the_whole_body() -> None:
    body = problem(409, "conflict", "Conflict", extra_member="kept")
    error = make_status_error(httpx2.Response(409, json=body))
    assert error.problem == body
