"""The OpenAPI document is valid OpenAPI 3.1 and says what `docs/pimelo-api.md` says.

The page is the source of truth: these tests parse its tables and its resource block and
check the document against them both ways, so that neither can change alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from pimelo_mcp.sandbox import openapi_builder
from pimelo_mcp.sandbox.openapi_builder import DOCUMENT_PATH, PROBLEM_BASE, render
from pimelo_mcp.sandbox.settings import SCOPES

JSON = dict[str, Any]
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")
VERSIONED = {"Product", "Entity", "Attribute", "AttributeSet"}


# --- helpers ---------------------------------------------------------------------------------


def operations(document: JSON) -> Iterator[tuple[str, str, JSON]]:
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(document: JSON, node: Any) -> Any:
    """Follow `$ref`s (local JSON pointers) until a node that is not one."""
    while isinstance(node, dict) and "$ref" in node:
        pointer: str = node["$ref"]  # pyright: ignore[reportUnknownVariableType]
        assert pointer.startswith("#/"), pointer
        node = document
        for part in pointer[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():  # pyright: ignore[reportUnknownVariableType]
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:  # pyright: ignore[reportUnknownVariableType]
            yield from refs(item)


def section(page: str, title: str) -> str:
    """The text of a markdown section, from its heading to the next heading of any level."""
    match = re.search(rf"^#+ {re.escape(title)}.*?$(.*?)(?=^#+ |\Z)", page, re.M | re.S)
    assert match, f"no section {title!r} in docs/pimelo-api.md"
    return match[1]


def table_rows(text: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:]  # without the header row


def backticked(text: str) -> list[str]:
    return re.findall(r"`([^`]+)`", text)


def endpoint_rows(page: str) -> list[tuple[str, str, list[str], str, str]]:
    """(method, path, parenthesized names, scope, answer) per row of the endpoint table."""
    rows: list[tuple[str, str, list[str], str, str]] = []
    for cells in table_rows(section(page, "Endpoints")):
        first, scope, answer = cells
        match = re.match(r"`(GET|POST|PATCH|PUT|DELETE) (/[^`]*)`\s*(?:\((.*)\))?", first)
        assert match, f"unparsed endpoint row: {cells}"
        names = backticked(match[3] or "")
        rows.append((match[1].lower(), match[2], names, scope, answer))
    return rows


def allows_null(document: JSON, schema: JSON) -> bool:
    schema = resolve(document, schema)
    types = schema.get("type")
    if types == "null" or (isinstance(types, list) and "null" in types):
        return True
    return any(allows_null(document, option) for option in schema.get("anyOf", []))


# --- the document is valid -------------------------------------------------------------------


def test_checked_in_document_is_the_builders_output() -> None:
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == render(), (
        "openapi.json is stale: run python -m pimelo_mcp.sandbox.openapi_builder --write"
    )


def test_builder_check_command_agrees() -> None:
    assert openapi_builder.main(["--check"]) == 0


def test_document_is_valid_openapi_3_1(document: JSON) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_servers_are_pimelo_and_the_local_sandbox(document: JSON) -> None:
    assert [server["url"] for server in document["servers"]] == [
        "https://www.pimelo.app/api/v1",
        "http://127.0.0.1:8765/api/v1",
    ]


def test_every_ref_resolves(document: JSON) -> None:
    found = list(refs(document))
    assert found
    for pointer in found:
        assert resolve(document, {"$ref": pointer}) is not None, pointer


def test_every_component_is_used(document: JSON) -> None:
    used = set(refs(document))
    unused = [
        f"#/components/{kind}/{name}"
        for kind, members in document["components"].items()
        if kind != "securitySchemes"
        for name in members
        if f"#/components/{kind}/{name}" not in used
    ]
    # 405 answers a method the path does not declare, so no operation can reference it.
    assert unused == ["#/components/responses/MethodNotAllowed"]


# --- operations ------------------------------------------------------------------------------


def test_operation_ids_are_unique_snake_case(document: JSON) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)) == 30
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", operation_id), operation_id


@pytest.mark.parametrize(
    "field", ["summary", "description", "tags", "x-pimelo-source", "x-required-scope"]
)
def test_every_operation_has(document: JSON, field: str) -> None:
    for path, method, operation in operations(document):
        assert field in operation, f"{method.upper()} {path} lacks {field}"


def test_sources_are_seed_or_assumed(document: JSON) -> None:
    sources = {
        (method, path): operation["x-pimelo-source"]
        for path, method, operation in operations(document)
    }
    assert set(sources.values()) == {"seed", "assumed"}
    assert [key for key, source in sources.items() if source == "seed"] == [("get", "/channels")]


def test_scopes_are_pimelos_twelve(document: JSON) -> None:
    assert openapi_builder.SCOPES == SCOPES
    assert len(SCOPES) == 12
    assert resolve(document, {"$ref": "#/components/schemas/Scope"})["enum"] == list(SCOPES)
    for path, method, operation in operations(document):
        scope = operation["x-required-scope"]
        assert scope is None or scope in SCOPES, (method, path, scope)
        for requirement in operation["security"]:
            for scopes in requirement.values():
                assert set(scopes) <= set(SCOPES)
        if scope is not None:
            assert operation["security"] == [{"bearerAuth": [scope]}]
            assert f"`{scope}`" in operation["description"]


def test_only_the_document_itself_needs_no_token(document: JSON) -> None:
    open_operations = [
        (method, path)
        for path, method, operation in operations(document)
        if not operation["security"]
    ]
    assert open_operations == [("get", "/openapi.json")]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"


def test_every_response_carries_the_rate_limit_headers(document: JSON) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            headers = resolve(document, response)["headers"]
            for name in RATE_HEADERS:
                header = resolve(document, headers[name])
                assert header["required"] is True, (method, path, status, name)


def test_retry_after_is_zero_unless_limited(document: JSON) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            header = resolve(document, resolve(document, response)["headers"]["Retry-After"])
            if status == "429":
                assert header["schema"] == {"type": "integer", "minimum": 0}
            else:
                assert header["schema"] == {"type": "integer", "const": 0}, (method, path, status)


def test_every_error_is_problem_json_and_every_success_is_not(document: JSON) -> None:
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            content = resolve(document, response)["content"]
            if int(status) >= 400:
                assert list(content) == ["application/problem+json"], (method, path, status)
            else:
                assert "application/problem+json" not in content


def test_every_operation_documents_its_failures(document: JSON) -> None:
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        label = f"{method.upper()} {path}"
        assert "500" in statuses, label
        if operation["security"]:  # only answers to a valid token count towards its limit
            assert {"401", "429"} <= statuses, label
        else:
            assert "429" not in statuses, label
        if operation["x-required-scope"]:
            assert "403" in statuses, label
        if "{" in path:
            assert "404" in statuses, label
        if "requestBody" in operation:
            assert {"400", "413", "415", "422"} <= statuses, label
        if any(resolve(document, p)["in"] == "query" for p in operation.get("parameters", [])):
            assert "422" in statuses, label
        if method == "patch":
            assert "412" in statuses, label
        successes = [status for status in statuses if status.startswith("2")]
        assert len(successes) == 1, label


def test_problem_responses_match_the_slug_table(document: JSON, contract_page: str) -> None:
    rows = table_rows(section(contract_page, "Problem Details"))
    assert len(rows) == 12
    responses = document["components"]["responses"]
    by_status = {
        int(
            resolve(document, response["content"]["application/problem+json"]["schema"])["allOf"][
                1
            ]["properties"]["status"]["const"]
        ): resolve(document, response["content"]["application/problem+json"]["schema"])
        for response in responses.values()
    }
    assert sorted(by_status) == sorted(int(row[0]) for row in rows)
    problem = document["components"]["schemas"]["Problem"]
    for status, slug, _when, extensions in rows:
        (slug,) = backticked(slug)
        schema = by_status[int(status)]
        own = schema["allOf"][1]
        assert own["properties"]["type"] == {"const": PROBLEM_BASE + slug}
        assert PROBLEM_BASE + slug in problem["properties"]["type"]["enum"]
        for member in (re.match(r"\w+", text)[0] for text in backticked(extensions)):  # type: ignore[index]
            assert member in own["properties"], (status, member)
            assert member in own.get("required", []), (status, member)
    assert responses["Unauthenticated"]["headers"]["WWW-Authenticate"]
    assert responses["MethodNotAllowed"]["headers"]["Allow"]


# --- the endpoint table, both ways -----------------------------------------------------------


def test_every_endpoint_of_the_page_is_in_the_document_and_back(
    document: JSON, contract_page: str
) -> None:
    on_page = {(method, path) for method, path, *_ in endpoint_rows(contract_page)}
    in_document = {(method, path) for path, method, _ in operations(document)}
    assert on_page == in_document


def test_endpoint_parameters_scopes_and_answers_match_the_page(
    document: JSON, contract_page: str
) -> None:
    for method, path, names, scope, answer in endpoint_rows(contract_page):
        operation = document["paths"][path][method]
        label = f"{method.upper()} {path}"
        # scope
        if ":" in scope:
            assert operation["x-required-scope"] == scope, label
        else:
            assert operation["x-required-scope"] is None, label
        # parameters in parentheses: query parameters, or multipart fields
        parameters = [resolve(document, p) for p in operation.get("parameters", [])]
        if path == "/media" and method == "post":
            form = resolve(
                document,
                operation["requestBody"]["content"]["multipart/form-data"]["schema"],
            )
            assert set(names) == set(form["properties"]), label
            assert form["required"] == ["file"]
        else:
            query = {p["name"] for p in parameters if p["in"] == "query"}
            assert set(names) <= query, (label, names, query)
        for name in re.findall(r"\{(\w+)\}", path):
            assert any(p["in"] == "path" and p["name"] == name for p in parameters), (label, name)
        # the answer
        success = next(status for status in operation["responses"] if status.startswith("2"))
        response = resolve(document, operation["responses"][success])
        resources = backticked(answer)
        if answer.startswith("201"):
            assert success == "201", label
            assert "Location" in response["headers"], label
        else:
            assert success == "200", label
        content = response["content"]
        if answer.startswith("list of"):
            assert content["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{resources[0]}List"
            }, label
        elif resources and resources[0] in document["components"]["schemas"]:
            assert content["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{resources[0]}"
            }, label
            if resources[0] in VERSIONED:
                assert "ETag" in response["headers"], label
        elif "bytes" in answer:
            assert "application/json" not in content, label
        else:
            assert "OpenAPI" in answer, label


def test_creates_and_patches_honour_idempotency_keys_and_patches_if_match(document: JSON) -> None:
    for path, method, operation in operations(document):
        names = {resolve(document, p)["name"] for p in operation.get("parameters", [])}
        creates = method == "post" and not path.endswith("/search")
        assert ("Idempotency-Key" in names) == (creates or method == "patch"), (method, path)
        assert ("If-Match" in names) == (method == "patch"), (method, path)
        if creates:
            success = next(iter(status for status in operation["responses"] if status < "300"))
            headers = resolve(document, operation["responses"][success])["headers"]
            assert "Idempotent-Replayed" in headers, (method, path)


def test_list_parameters_and_envelopes(document: JSON) -> None:
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 25)
    for path, method, operation in operations(document):
        success = resolve(document, operation["responses"].get("200", {}))
        content = success.get("content", {}).get("application/json", {})
        target = content.get("schema", {}).get("$ref", "")
        if not target.endswith("List"):
            continue
        envelope = resolve(document, content["schema"])
        assert envelope["required"] == ["items", "search_after"]
        assert envelope["properties"]["search_after"]["type"] == ["string", "null"]
        if method == "get":
            names = {resolve(document, p)["name"] for p in operation["parameters"]}
            assert {"limit", "search_after"} <= names, path
        else:
            body = resolve(
                document, operation["requestBody"]["content"]["application/json"]["schema"]
            )
            assert {"limit", "search_after"} <= set(body["properties"]), path


def test_request_bodies_are_closed_and_responses_open(document: JSON) -> None:
    for path, _method, operation in operations(document):
        if "requestBody" in operation:
            for media in operation["requestBody"]["content"].values():
                assert resolve(document, media["schema"])["additionalProperties"] is False, path
    for name in (
        "Me",
        "Channel",
        "Locale",
        "Category",
        "Attribute",
        "AttributeSet",
        "EntityType",
        "Entity",
        "Product",
        "Media",
        "BulkResult",
        "Problem",
        "Value",
    ):
        assert "additionalProperties" not in document["components"]["schemas"][name], name


# --- shapes ----------------------------------------------------------------------------------


def parse_shape(text: str) -> JSON:
    """Parse `{name, name|null, name?: {...}, name: [{...}], ...}` into {name: (flags, nested)}."""
    position = 0

    def parse_object() -> JSON:
        nonlocal position
        assert text[position] == "{"
        position += 1
        fields: JSON = {}
        while True:
            match = re.compile(r"\s*([^,:{}\[\]]+?)\s*(?=[,:}])").match(text, position)
            assert match, text[position : position + 40]
            name = match[1]
            position = match.end()
            nested: JSON | None = None
            if text[position] == ":":
                position += 1
                while text[position] == " ":
                    position += 1
                if text[position] == "{":
                    nested = parse_object()
                elif text[position] == "[":
                    position += 1
                    if text[position] == "{":
                        nested = parse_object()
                    depth = 1
                    while depth:
                        depth += {"[": 1, "]": -1}.get(text[position], 0)
                        position += 1
                else:
                    while text[position] not in ",}":
                        position += 1
            fields[name] = nested
            if text[position] == "}":
                position += 1
                return fields
            position += 1

    return parse_object()


def resource_shapes(page: str) -> dict[str, JSON]:
    block = re.search(r"## Resources.*?```text\n(.*?)```", page, re.S)
    assert block
    text = re.sub(r"\([^)]*\)", "", block[1])  # comments in parentheses
    # a field that starts a line follows the previous one even without a comma
    text = re.sub(r"(?<=[\w\]}.?|])[ \t]*\n[ \t]+(?=[a-z_])", ", ", text)
    text = re.sub(r"\s+", " ", text)
    shapes: dict[str, JSON] = {}
    for match in re.finditer(r"(\w+) \{", text):
        if match.start() and text[match.start() - 1] not in " ":
            continue
        if match[1][0].islower():
            continue
        # the resource's object runs to its matching brace
        depth = 0
        for end in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                shapes[match[1]] = parse_shape(text[match.end() - 1 : end + 1])
                break
    return shapes


def check_shape(document: JSON, schema: JSON, shape: JSON, where: str) -> None:
    schema = resolve(document, schema)
    if schema.get("type") == "array":
        schema = resolve(document, schema["items"])
    if any(" " in name for name in shape):  # a map such as {channel code: [...]}
        assert "additionalProperties" in schema, where
        return
    properties = schema["properties"]
    required = set(schema.get("required", []))
    for raw, nested in shape.items():
        if raw == "...":
            continue
        optional = raw.endswith("?")
        names = [name for name in raw.rstrip("?").split("|") if name != "null"]
        alternatives = len(names) > 1
        for name in names:
            label = f"{where}.{name}"
            assert name in properties, f"{label} missing"
            assert (name in required) == (not optional and not alternatives), f"{label} required?"
            if raw.endswith("|null"):
                assert allows_null(document, properties[name]), f"{label} nullable?"
            if nested is not None:
                check_shape(document, properties[name], nested, label)


def test_resource_shapes_match_the_page(document: JSON, contract_page: str) -> None:
    shapes = resource_shapes(contract_page)
    assert set(shapes) == {
        "Me",
        "Channel",
        "Locale",
        "Category",
        "Attribute",
        "AttributeSet",
        "EntityType",
        "Entity",
        "Product",
        "Media",
        "BulkResult",
    }
    schemas = document["components"]["schemas"]
    for name, shape in shapes.items():
        check_shape(document, schemas[name], shape, name)
        # and nothing more at the top level than the page names
        listed = {
            part
            for raw in shape
            for part in raw.rstrip("?").split("|")
            if part not in ("null", "...")
        }
        assert set(schemas[name]["properties"]) == listed, name


def test_attribute_types_units_and_validation_keys(document: JSON, contract_page: str) -> None:
    schemas = document["components"]["schemas"]
    rows = table_rows(section(contract_page, "Values"))
    types = [backticked(row[0])[0] for row in rows]
    assert schemas["AttributeType"]["enum"] == types
    assert len(types) == 12
    keys = {key for row in rows for key in backticked(row[2])}
    assert keys == set(schemas["AttributeValidation"]["properties"])
    assert keys == set(schemas["AttributeValidationInput"]["properties"])
    units = re.search(
        r"Metric units are upper-case names: (.*?)\.", section(contract_page, "Values"), re.S
    )
    assert units
    assert schemas["MetricUnit"]["enum"] == re.findall(r"[A-Z]{3,}", units[1])


def test_statuses_and_sorts_match_the_page(document: JSON, contract_page: str) -> None:
    schemas = document["components"]["schemas"]
    statuses = re.search(r"`status` of a product is (.*?)\(", contract_page)
    assert statuses
    assert schemas["ProductStatus"]["enum"] == backticked(statuses[1])
    sorts = re.search(
        r"- `sort`: (.*?)(?:\n\n|\n- )", section(contract_page, "Search bodies"), re.S
    )
    assert sorts
    product_sorts = [s for s in backticked(sorts[1]) if s != "code"]
    assert schemas["ProductSearch"]["properties"]["sort"]["enum"] == product_sorts
    assert schemas["EntitySearch"]["properties"]["sort"]["enum"] == [
        s.replace("identifier", "code") for s in product_sorts
    ]


def test_search_bodies_take_the_pages_fields(document: JSON, contract_page: str) -> None:
    schemas = document["components"]["schemas"]
    example = re.search(r"take:\s*```json\n(.*?)```", section(contract_page, "Search bodies"), re.S)
    assert example
    fields = set(re.findall(r'"(\w+)":', example[1])) - {"color", "operator", "value"}
    products_only = re.search(
        r"Products-only fields: (.*?);", section(contract_page, "Search bodies")
    )
    assert products_only
    product_fields = set(backticked(products_only[1]))
    assert product_fields == {"attribute_set", "status", "with_completeness"}
    assert set(schemas["EntitySearch"]["properties"]) == fields
    assert set(schemas["ProductSearch"]["properties"]) == fields | product_fields


def test_filter_operators_match_the_page(document: JSON, contract_page: str) -> None:
    schemas = document["components"]["schemas"]
    rows = table_rows(section(contract_page, "Search bodies"))
    by_field = {
        "identifier": "IdentifierCondition",
        "status": "StatusCondition",
        "attribute_set": "AttributeSetCondition",
        "categories": "CategoriesCondition",
        "created": "TimestampCondition",
        "completeness": "CompletenessCondition",
    }
    every_operator: set[str] = set()
    for field, operators, _value in rows:
        names = re.findall(r"`([^`]+)`", operators)
        every_operator |= set(names)
        condition = by_field.get(backticked(field)[0])
        if condition:
            assert schemas[condition]["properties"]["operator"]["enum"] == names, field
    assert set(schemas["AttributeCondition"]["properties"]["operator"]["enum"]) == every_operator
    product_filters = schemas["ProductFilters"]["properties"]
    assert set(product_filters) == {*by_field, "updated"}
    assert set(schemas["EntityFilters"]["properties"]) == {"code", "created", "updated"}


def test_codes_and_identifiers_patterns(document: JSON) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Code"]["pattern"] == "^[a-z0-9_]{1,100}$"
    assert schemas["Identifier"]["pattern"] == r"^[A-Za-z0-9_.\-]{1,255}$"
    for name in ("Code", "Identifier"):
        compiled = re.compile(schemas[name]["pattern"])
        assert compiled.match("shoes_1")
        assert not compiled.match("")
    assert not re.match(schemas["Code"]["pattern"], "Shoes")


def test_if_match_and_idempotency_key_patterns(document: JSON) -> None:
    parameters = document["components"]["parameters"]
    if_match = re.compile(parameters["If-Match"]["schema"]["pattern"])
    for good in ('"4"', "4", "*"):
        assert if_match.match(good)
    for bad in ('W/"4"', "four", ""):
        assert not if_match.match(bad)
    key = re.compile(parameters["Idempotency-Key"]["schema"]["pattern"])
    for good in ("a", "x" * 255, "order 42/retry"):
        assert key.match(good)
    for bad in ("", "x" * 256, "é", " lead"):
        assert not key.match(bad)


def _validator(document: JSON, target: str) -> Draft202012Validator:
    root = {"$ref": target, "components": document["components"]}
    return Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_every_example_fits_its_schema(document: JSON) -> None:
    checked = 0
    for name, schema in document["components"]["schemas"].items():
        for example in schema.get("examples", []):
            errors = list(_validator(document, f"#/components/schemas/{name}").iter_errors(example))
            assert not errors, (name, [error.message for error in errors])
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("schema_name", "instance", "valid"),
    [
        ("ProductSearch", {}, True),
        ("ProductSearch", {"status": ["draft", "active"], "attribute_set": "shoes"}, True),
        ("ProductSearch", {"colour": "red"}, False),  # closed
        ("ProductSearch", {"limit": 0}, False),
        ("ProductSearch", {"filters": {"status": [{"operator": "CONTAINS", "value": "a"}]}}, False),
        (
            "ProductSearch",
            {"filters": {"completeness": [{"operator": ">=", "value": 80, "channel": "web"}]}},
            True,
        ),
        ("ProductSearch", {"filters": {"price": [{"operator": "EMPTY"}]}}, True),
        ("EntitySearch", {"sort": "-code"}, True),
        ("EntitySearch", {"sort": "identifier"}, False),
        ("ProductCreate", {"identifier": "SHOE-1", "attribute_set": "shoes"}, True),
        ("ProductCreate", {"identifier": "shoe 1", "attribute_set": "shoes"}, False),
        ("ProductPatch", {"identifier": "SHOE-2"}, False),
        (
            "ProductPatch",
            {"values": {"name": [{"locale": "fr_FR", "channel": None, "data": None}]}},
            True,
        ),
        ("AttributeCreate", {"code": "weight", "type": "metric"}, False),  # allowed_units
        (
            "AttributeCreate",
            {"code": "weight", "type": "metric", "validation": {"allowed_units": ["GRAM"]}},
            True,
        ),
        ("AttributeCreate", {"code": "brand", "type": "entity"}, False),  # entity_type
        ("AttributeCreate", {"code": "brand", "type": "entity", "entity_type": "brand"}, True),
        ("AttributePatch", {"type": "text"}, False),  # immutable
        ("ProductBulkRequest", {"operations": []}, False),
        (
            "ProductBulkRequest",
            {"operations": [{"op": "update", "identifier": "A", "expected_version": 3}]},
            True,
        ),
        (
            "EntityBulkRequest",
            {"operations": [{"op": "create", "code": "acme", "labels": {"en_US": "Acme"}}]},
            True,
        ),
        ("Value", {"locale": None, "channel": None, "data": {"amount": 1, "unit": "GRAM"}}, True),
        ("Values", {"Name": []}, False),  # attribute codes are lower-case
    ],
)
def test_request_schemas_accept_and_refuse(
    document: JSON, schema_name: str, instance: Any, valid: bool
) -> None:
    errors = list(_validator(document, f"#/components/schemas/{schema_name}").iter_errors(instance))
    assert (not errors) == valid, [error.message for error in errors]
