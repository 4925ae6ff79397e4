"""Schemathesis fuzzes the sandbox against the OpenAPI document.

Every operation of `pimelo_mcp/sandbox/openapi.json` is exercised with generated requests
(valid and invalid, a bounded and derandomized number per operation) against an in-process
sandbox holding a small demo catalog and a full-access token. Each answer must not be a
server error and must conform to the document: a documented status code and content type,
a body valid against the response schema, the required headers present and valid.

The document is the contract here: a failure means the sandbox answered something the
contract does not allow (or the document misreads `docs/pimelo-api.md`).
"""

from __future__ import annotations

import importlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.openapi_builder import DOCUMENT_PATH
from pimelo_mcp.sandbox.settings import READ_SCOPES, SCOPES, SandboxSettings

try:
    _app_module = importlib.import_module("pimelo_mcp.sandbox.app")
except ModuleNotFoundError as error:  # pragma: no cover - only before the sandbox exists
    if error.name != "pimelo_mcp.sandbox.app":
        raise
    pytest.skip(
        "pimelo_mcp.sandbox.app is not available yet: nothing to fuzz", allow_module_level=True
    )

create_app: Callable[[SandboxSettings], Any] = _app_module.create_app
build_demo_catalog: Callable[..., Any] = importlib.import_module(
    "pimelo_mcp.sandbox.demo"
).build_demo_catalog

pytestmark = pytest.mark.slow

TOKEN = "pim_fuzz_full_access"
READ_ONLY_TOKEN = "pim_fuzz_read_only"
PRODUCTS = 50
MAX_EXAMPLES = 25  # per operation and generation mode; the whole run stays well under 3 minutes
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261127,
        "generation": {"mode": "all", "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "auth": {"openapi": {"bearerAuth": {"bearer": TOKEN}}},
    }
)
DOCUMENT: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)

# Random codes almost never name a record, so path parameters are also drawn from the demo
# catalog the sandbox loads (a pure function of its size and seed).
_CATALOG = build_demo_catalog(PRODUCTS, seed=SandboxSettings().seed)
_IDENTIFIERS = [product["identifier"] for product in itertools.islice(_CATALOG.iter_products(), 5)]
_MEDIA = [{"code": media.code} for media in _CATALOG.media[:5]]
KNOWN_PATH_PARAMETERS: dict[str, list[dict[str, str]]] = {
    "/channels/{code}": [{"code": channel["code"]} for channel in _CATALOG.channels],
    "/attributes/{code}": [{"code": attribute["code"]} for attribute in _CATALOG.attributes[:8]],
    "/attribute-sets/{code}": [{"code": item["code"]} for item in _CATALOG.attribute_sets],
    "/products/{identifier}": [{"identifier": identifier} for identifier in _IDENTIFIERS],
    "/entity-types/{type}": [{"type": item["code"]} for item in _CATALOG.entity_types],
    "/entities/{type}/search": [{"type": item["code"]} for item in _CATALOG.entity_types],
    "/entities/{type}/bulk": [{"type": item["code"]} for item in _CATALOG.entity_types],
    "/entities/{type}": [{"type": item["code"]} for item in _CATALOG.entity_types],
    "/entities/{type}/{code}": [
        {"type": entity["type"], "code": entity["code"]} for entity in _CATALOG.entities[:8]
    ],
    "/media/{code}": _MEDIA,
    "/media/{code}/download": _MEDIA,
}


@schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    known = KNOWN_PATH_PARAMETERS.get(context.operation.path if context.operation else "")
    if not known:
        return strategy
    return st.one_of(st.sampled_from(known), strategy)


@schema.hook
def filter_path_parameters(context: schemathesis.HookContext, path_parameters: Any) -> bool:
    """Skip `.` and `..`: the pattern of identifiers admits them, but as path segments every
    HTTP client removes them (RFC 3986 dot-segment removal), so they never reach the route."""
    return not any(value in (".", "..") for value in (path_parameters or {}).values())


@pytest.fixture(scope="module")
def sandbox_app() -> Any:
    """One sandbox for the whole module: 50 demo products, a full-access token, no real limit."""
    return create_app(
        SandboxSettings(
            products=PRODUCTS,
            tokens=(TokenSpec(TOKEN, SCOPES), TokenSpec(READ_ONLY_TOKEN, READ_SCOPES)),
            rate_limit=RateLimit(1_000_000, 60),
        )
    )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_sandbox_honours_the_contract(case: schemathesis.Case, sandbox_app: Any) -> None:
    """One test per operation: examples, coverage cases and fuzzed cases (valid and invalid)."""
    case.call_and_validate(app=sandbox_app, checks=CHECKS)


def test_sandbox_serves_this_very_document(sandbox_app: Any) -> None:
    with TestClient(sandbox_app) as client:
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == DOCUMENT


# --- hand-written requests: the answers random data rarely reaches ---------------------------

_PNG = _CATALOG.media[0].content
_FIRST = _IDENTIFIERS[0]
_ENTITY = _CATALOG.entities[0]
_BEARER = {"Authorization": f"Bearer {TOKEN}"}

# (method, path template, path parameters, query, body or None, extra headers, expected status)
SCENARIOS: list[tuple[str, str, dict[str, str], dict[str, Any], Any, dict[str, str], int]] = [
    ("GET", "/me", {}, {}, None, {}, 200),
    ("GET", "/channels", {}, {"limit": 1}, None, {}, 200),
    ("GET", "/channels/{code}", {"code": "ecommerce"}, {}, None, {}, 200),
    ("GET", "/locales", {}, {"enabled": "true"}, None, {}, 200),
    ("GET", "/categories", {}, {"parent": "footwear"}, None, {}, 200),
    ("GET", "/attributes", {}, {"codes": "name,price", "limit": 5}, None, {}, 200),
    ("GET", "/attributes", {}, {"type": "metric", "attribute_set": "running_shoes"}, None, {}, 200),
    ("GET", "/attributes", {}, {"limit": 0}, None, {}, 422),
    ("GET", "/attributes", {}, {"search_after": "not a cursor"}, None, {}, 422),
    ("GET", "/attributes/{code}", {"code": "weight"}, {}, None, {}, 200),
    ("GET", "/attributes/{code}", {"code": "no_such_attribute"}, {}, None, {}, 404),
    (
        "POST",
        "/attributes",
        {},
        {},
        {"code": "contract_text", "type": "text", "labels": {"en_US": "Contract"}},
        {"Idempotency-Key": "contract-attribute-1"},
        201,
    ),
    (
        "POST",
        "/attributes",
        {},
        {},
        {"code": "contract_text", "type": "text", "labels": {"en_US": "Contract"}},
        {"Idempotency-Key": "contract-attribute-1"},
        201,  # the replay
    ),
    (
        "POST",
        "/attributes",
        {},
        {},
        {"code": "contract_text", "type": "text"},
        {"Idempotency-Key": "contract-attribute-1"},
        409,  # same key, other body
    ),
    ("POST", "/attributes", {}, {}, {"code": "contract_text", "type": "text"}, {}, 409),
    ("POST", "/attributes", {}, {}, {"code": "x", "type": "text", "colour": 1}, {}, 422),
    (
        "POST",
        "/attributes",
        {},
        {},
        {"code": "contract_metric", "type": "metric", "validation": {"allowed_units": ["GRAM"]}},
        {},
        201,
    ),
    (
        "PATCH",
        "/attributes/{code}",
        {"code": "contract_text"},
        {},
        {"labels": {"en_US": "Contract text"}},
        {"If-Match": '"1"'},
        200,
    ),
    (
        "PATCH",
        "/attributes/{code}",
        {"code": "contract_text"},
        {},
        {"labels": {"en_US": "Again"}},
        {"If-Match": '"1"'},
        412,
    ),
    ("GET", "/attribute-sets", {}, {}, None, {}, 200),
    ("GET", "/attribute-sets/{code}", {"code": "running_shoes"}, {}, None, {}, 200),
    (
        "POST",
        "/attribute-sets",
        {},
        {},
        {"code": "contract_set", "attributes": ["name", "price"], "requirements": {}},
        {},
        201,
    ),
    (
        "PATCH",
        "/attribute-sets/{code}",
        {"code": "contract_set"},
        {},
        {"requirements": {"ecommerce": ["name"]}},
        {},
        200,
    ),
    ("POST", "/products/search", {}, {}, {}, {}, 200),
    (
        "POST",
        "/products/search",
        {},
        {},
        {
            "query": "a",
            "filters": {"status": [{"operator": "IN", "value": ["active", "draft"]}]},
            "locale": "en_US",
            "channel": "ecommerce",
            "sort": "-updated",
            "limit": 3,
            "attributes": ["name", "price"],
            "with_completeness": True,
        },
        {},
        200,
    ),
    (
        "POST",
        "/products/search",
        {},
        {},
        {"filters": {"color": [{"operator": "BETWEEN", "value": 3}]}, "limit": 101},
        {},
        422,
    ),
    ("GET", "/products/{identifier}", {"identifier": _FIRST}, {}, None, {}, 200),
    (
        "GET",
        "/products/{identifier}",
        {"identifier": _FIRST},
        {"with_completeness": "true", "locale": "fr_FR", "channel": "ecommerce"},
        None,
        {},
        200,
    ),
    ("GET", "/products/{identifier}", {"identifier": "NO-SUCH-SKU"}, {}, None, {}, 404),
    (
        "POST",
        "/products",
        {},
        {},
        {
            "identifier": "CONTRACT-1",
            "attribute_set": "running_shoes",
            "values": {"name": [{"locale": "en_US", "channel": None, "data": "Contract shoe"}]},
        },
        {},
        201,
    ),
    (
        "PATCH",
        "/products/{identifier}",
        {"identifier": "CONTRACT-1"},
        {},
        {"status": "active"},
        {"If-Match": "1"},
        200,
    ),
    (
        "PATCH",
        "/products/{identifier}",
        {"identifier": "CONTRACT-1"},
        {},
        {"values": {"name": [{"locale": "xx_XX", "channel": None, "data": 5}]}},
        {},
        422,
    ),
    (
        "POST",
        "/products/bulk",
        {},
        {},
        {
            "operations": [
                {"op": "create", "identifier": "CONTRACT-2", "attribute_set": "running_shoes"},
                {"op": "update", "identifier": "CONTRACT-1", "status": "draft"},
                {"op": "update", "identifier": "CONTRACT-1", "expected_version": 99},
            ]
        },
        {},
        200,
    ),
    ("POST", "/products/bulk", {}, {}, {"operations": []}, {}, 422),
    ("GET", "/entity-types", {}, {}, None, {}, 200),
    ("GET", "/entity-types/{type}", {"type": "brand"}, {}, None, {}, 200),
    ("POST", "/entities/{type}/search", {"type": "brand"}, {}, {"sort": "-code"}, {}, 200),
    ("POST", "/entities/{type}/search", {"type": "no_such_type"}, {}, {}, {}, 404),
    (
        "GET",
        "/entities/{type}/{code}",
        {"type": _ENTITY["type"], "code": _ENTITY["code"]},
        {},
        None,
        {},
        200,
    ),
    (
        "POST",
        "/entities/{type}",
        {"type": "brand"},
        {},
        {"code": "contract_brand", "labels": {"en_US": "Contract"}},
        {},
        201,
    ),
    (
        "PATCH",
        "/entities/{type}/{code}",
        {"type": "brand", "code": "contract_brand"},
        {},
        {"labels": {"en_US": "Contract brand"}},
        {"If-Match": "*"},
        200,
    ),
    (
        "POST",
        "/entities/{type}/bulk",
        {"type": "brand"},
        {},
        {
            "operations": [
                {"op": "create", "code": "contract_brand_2"},
                {"op": "update", "code": "contract_brand", "labels": {"fr_FR": "Contrat"}},
            ]
        },
        {},
        200,
    ),
    ("GET", "/media", {}, {"mime_type": "image/png", "limit": 2}, None, {}, 200),
    ("GET", "/media", {}, {"product": _FIRST}, None, {}, 200),
    ("GET", "/media/{code}", {"code": _CATALOG.media[0].code}, {}, None, {}, 200),
    ("GET", "/media/{code}/download", {"code": _CATALOG.media[0].code}, {}, None, {}, 200),
    ("GET", "/openapi.json", {}, {}, None, {}, 200),
    # authentication and scopes
    ("GET", "/me", {}, {}, None, {"Authorization": "Bearer pim_unknown_token"}, 401),
    ("GET", "/channels", {}, {}, None, {"Authorization": "Basic Zm9vOmJhcg=="}, 401),
    (
        "POST",
        "/products",
        {},
        {},
        {"identifier": "CONTRACT-3", "attribute_set": "running_shoes"},
        {"Authorization": f"Bearer {READ_ONLY_TOKEN}"},
        403,
    ),
]


def _scenario_id(scenario: tuple[Any, ...]) -> str:
    method, path, params, _query, _body, headers, status = scenario
    concrete = path.format(**params) if params else path
    marks = "+".join(sorted(headers)) if headers else ""
    return f"{method} {concrete} {marks} -> {status}".replace("  ", " ")


@pytest.fixture(scope="module")
def scenario_app() -> Any:
    """A sandbox of its own, so that the scenarios do not depend on what the fuzzer wrote."""
    return create_app(
        SandboxSettings(
            products=PRODUCTS,
            tokens=(TokenSpec(TOKEN, SCOPES), TokenSpec(READ_ONLY_TOKEN, READ_SCOPES)),
            rate_limit=RateLimit(1_000_000, 60),
        )
    )


def test_hand_written_requests_get_the_documented_answers(scenario_app: Any) -> None:
    """Successes, conflicts, replays and precondition failures, in order, each checked
    against the document; one report lists every mismatch."""
    failures: list[str] = []
    for scenario in SCENARIOS:
        method, path, params, query, body, headers, expected = scenario
        operation = schema[path][method]
        case = operation.Case(
            path_parameters=params or None,
            query=query or None,
            body=body if body is not None else NOT_SET,
            headers={**_BEARER, **headers},
            media_type="application/json" if body is not None else None,
        )
        try:
            response = case.call_and_validate(app=scenario_app, checks=CHECKS)
        except (AssertionError, FailureGroup) as error:  # schemathesis' failures
            failures.append(f"{_scenario_id(scenario)}: {error}")
            continue
        if response.status_code != expected:
            failures.append(
                f"{_scenario_id(scenario)}: got {response.status_code} {response.text[:300]}"
            )
    assert not failures, "\n\n".join(failures)


def test_media_upload_answers_201_then_409(scenario_app: Any) -> None:
    operation = schema["/media"]["POST"]
    for code, expected in (("contract_upload", 201), ("contract_upload", 409)):
        case = operation.Case(
            body={"file": _PNG, "code": code},
            headers=dict(_BEARER),
            media_type="multipart/form-data",
            multipart_content_types={"file": "image/png"},
        )
        response = case.call_and_validate(app=scenario_app, checks=CHECKS)
        assert response.status_code == expected, response.text


def test_not_a_png_is_415(scenario_app: Any) -> None:
    form: Any = {"file": b"plain text, not an image"}
    case = schema["/media"]["POST"].Case(
        body=form,
        headers=dict(_BEARER),
        media_type="multipart/form-data",
        multipart_content_types={"file": "image/png"},
    )
    response = case.call_and_validate(app=scenario_app, checks=CHECKS)
    assert response.status_code == 415, response.text


@pytest.mark.parametrize(
    ("content_type", "raw", "expected"),
    [
        ("application/json", b"{not json", 400),
        ("application/json", b"[1, 2]", 400),
        ("application/json", b"\xff\xfe{}", 400),
        ("text/plain", b"{}", 415),
    ],
)
def test_raw_bodies_get_problem_answers(
    scenario_app: Any, content_type: str, raw: bytes, expected: int
) -> None:
    case = schema["/products/search"]["POST"].Case(body={}, media_type="application/json")
    with TestClient(scenario_app) as client:
        response = client.post(
            "/api/v1/products/search",
            content=raw,
            headers={**_BEARER, "Content-Type": content_type},
        )
    assert response.status_code == expected, response.text
    case.validate_response(response, checks=CHECKS)


def test_over_the_rate_limit_is_429_with_retry_after() -> None:
    app = create_app(
        SandboxSettings(products=0, tokens=(TokenSpec(TOKEN, SCOPES),), rate_limit=RateLimit(2, 60))
    )
    case = schema["/me"]["GET"].Case(headers=dict(_BEARER))
    statuses = [case.call(app=app).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = case.call(app=app)
    case.validate_response(response, checks=CHECKS)
    assert int(response.headers["retry-after"][0]) > 0


def test_hand_written_bodies_that_succeed_fit_the_request_schemas() -> None:
    """The scenarios the sandbox accepts are valid requests by the document too."""
    checked = 0
    for method, path, _params, _query, body, _headers, expected in SCENARIOS:
        if body is None or expected >= 300:
            continue
        media = DOCUMENT["paths"][path][method.lower()]["requestBody"]["content"]
        root = {**media["application/json"]["schema"], "components": DOCUMENT["components"]}
        errors = [error.message for error in Draft202012Validator(root).iter_errors(body)]
        assert not errors, (method, path, body, errors)
        checked += 1
    assert checked >= 10


def _problem_validator(response_name: str) -> Draft202012Validator:
    response = DOCUMENT["components"]["responses"][response_name]
    schema = response["content"]["application/problem+json"]["schema"]
    return Draft202012Validator({**schema, "components": DOCUMENT["components"]})


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/no-such-route",
        "/api/v1/products/",  # a trailing slash is another (unknown) route
        "/api/v1/channels/ecommerce/",
        "/api/v1/entities/brand/alpenwerk/extra",
    ],
)
def test_unknown_routes_are_404_problems(scenario_app: Any, path: str) -> None:
    with TestClient(scenario_app, follow_redirects=False) as client:
        response = client.get(path, headers=_BEARER)
    assert response.status_code == 404, (response.status_code, response.headers)
    assert response.headers["content-type"].startswith("application/problem+json")
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert name in response.headers
    assert response.headers["retry-after"] == "0"
    errors = [e.message for e in _problem_validator("NotFound").iter_errors(response.json())]
    assert not errors


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/api/v1/me"), ("PUT", "/api/v1/products/X-1"), ("GET", "/api/v1/products")],
)
def test_other_methods_are_405_problems_with_allow(
    scenario_app: Any, method: str, path: str
) -> None:
    with TestClient(scenario_app, follow_redirects=False) as client:
        response = client.request(method, path, headers=_BEARER)
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["allow"]
    assert "x-ratelimit-limit" in response.headers
    errors = [
        e.message for e in _problem_validator("MethodNotAllowed").iter_errors(response.json())
    ]
    assert not errors
