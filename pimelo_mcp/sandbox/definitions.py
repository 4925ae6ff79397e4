"""Validation of attribute and attribute-set definitions (create and PATCH)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pimelo_mcp.sandbox.jsonutil import (
    CODE_RE,
    JSON,
    as_dict,
    as_list,
    expect_str,
    is_number,
    member_dict,
    parse_date,
)
from pimelo_mcp.sandbox.problems import FieldErrors
from pimelo_mcp.sandbox.routes.common import check_labels
from pimelo_mcp.sandbox.store import Store
from pimelo_mcp.sandbox.values import PRICE_RE, UNITS

ATTRIBUTE_TYPES = (
    "text",
    "textarea",
    "number",
    "boolean",
    "date",
    "select",
    "multiselect",
    "price",
    "metric",
    "media",
    "entity",
    "entities",
)
VALIDATION_KEYS: dict[str, tuple[str, ...]] = {
    "text": ("max_length", "regex"),
    "textarea": ("max_length",),
    "number": ("min", "max", "decimals_allowed"),
    "boolean": (),
    "date": ("min", "max"),
    "select": (),
    "multiselect": (),
    "price": ("min", "max", "decimals_allowed"),
    "metric": ("allowed_units", "min", "max"),
    "media": ("allowed_extensions",),
    "entity": (),
    "entities": (),
}
ATTRIBUTE_FIELDS = (
    "code",
    "type",
    "labels",
    "group",
    "localizable",
    "scopable",
    "options",
    "validation",
    "entity_type",
)
IMMUTABLE_ATTRIBUTE_FIELDS = ("code", "type", "localizable", "scopable", "entity_type")
# Product search filters use these names; an attribute may not shadow them.
RESERVED_CODES = {
    "identifier",
    "status",
    "attribute_set",
    "categories",
    "created",
    "updated",
    "completeness",
    "code",
}
SET_FIELDS = ("code", "labels", "attributes", "requirements", "label_attribute", "image_attribute")


def validate_attribute(body: JSON, store: Store, errors: FieldErrors, current: JSON | None) -> JSON:
    """The attribute after applying `body` (a create when `current` is None, else a PATCH)."""
    result: JSON = dict(current) if current else {}
    for name in body:
        if name not in ATTRIBUTE_FIELDS:
            errors.add(name, "is not a known field")
    if current is None:
        code = body.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            errors.add("code", "is required and must match ^[a-z0-9_]{1,100}$")
        elif code in RESERVED_CODES:
            errors.add("code", f"{code!r} is reserved for a built-in search field")
        kind = body.get("type")
        if kind not in ATTRIBUTE_TYPES:
            errors.add("type", f"is required and must be one of {', '.join(ATTRIBUTE_TYPES)}")
            kind = None
        result.update(
            code=code,
            type=kind,
            labels={},
            group=None,
            localizable=False,
            scopable=False,
            options=[],
            validation={},
            entity_type=None,
        )
        for flag in ("localizable", "scopable"):
            if flag in body:
                if isinstance(body[flag], bool):
                    result[flag] = body[flag]
                else:
                    errors.add(flag, "must be true or false")
        if kind in ("entity", "entities"):
            entity_type = body.get("entity_type")
            if not isinstance(entity_type, str) or entity_type not in store.entity_types:
                errors.add(
                    "entity_type",
                    "is required for entity attributes and must be a known entity type",
                )
            result["entity_type"] = entity_type
        elif body.get("entity_type") is not None:
            errors.add("entity_type", "is only for entity and entities attributes")
    else:
        for name in IMMUTABLE_ATTRIBUTE_FIELDS:
            if name in body and body[name] != current.get(name):
                errors.add(name, f"cannot be changed ({name} is immutable)")
    kind = result.get("type")
    if "labels" in body:
        result["labels"] = check_labels(body["labels"], "labels", store, errors)
    if "group" in body:
        group = body["group"]
        if group is not None and (not isinstance(group, str) or not CODE_RE.match(group)):
            errors.add("group", "must be null or a code ^[a-z0-9_]{1,100}$")
        result["group"] = group
    if "options" in body:
        result["options"] = _check_options(body["options"], kind, store, errors)
    elif current is None and kind in ("select", "multiselect"):
        result["options"] = []
    if "validation" in body:
        result["validation"] = _check_validation(body["validation"], kind, errors)
    if (
        kind == "metric"
        and not member_dict(result, "validation").get("allowed_units")
        and "validation.allowed_units" not in {e["field"] for e in errors.items}
    ):
        errors.add("validation.allowed_units", "is required for metric attributes")
    return result


def _check_options(raw: Any, kind: Any, store: Store, errors: FieldErrors) -> list[JSON]:
    options = as_list(raw)
    if options is None:
        errors.add("options", "must be a list of {code, labels}")
        return []
    if options and kind not in ("select", "multiselect"):
        errors.add("options", "only select and multiselect attributes have options")
        return []
    result: list[JSON] = []
    seen: set[str] = set()
    for index, option_raw in enumerate(options):
        option = as_dict(option_raw)
        path = f"options[{index}]"
        if option is None or not set(option) <= {"code", "labels"}:
            errors.add(path, "must be {code, labels}")
            continue
        code = option.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            errors.add(f"{path}.code", "must match ^[a-z0-9_]{1,100}$")
            continue
        if code in seen:
            errors.add(f"{path}.code", f"{code!r} appears twice")
            continue
        seen.add(code)
        labels = check_labels(option.get("labels", {}), f"{path}.labels", store, errors)
        result.append({"code": code, "labels": labels})
    return result


def _check_validation(raw: Any, kind: Any, errors: FieldErrors) -> JSON:
    validation = as_dict(raw)
    if validation is None:
        errors.add("validation", "must be an object")
        return {}
    keys = VALIDATION_KEYS.get(kind, ()) if isinstance(kind, str) else ()
    for name, value in validation.items():
        path = f"validation.{name}"
        if name not in keys:
            errors.add(
                path,
                f"is not a validation key of {kind} attributes (keys: {', '.join(keys) or 'none'})",
            )
        elif name == "max_length":
            cap = 255 if kind == "text" else 65535
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= cap:
                errors.add(path, f"must be an integer from 1 to {cap}")
        elif name == "regex":
            try:
                re.compile(value) if isinstance(value, str) else errors.add(
                    path, "must be a string"
                )
            except (re.error, OverflowError, RecursionError):
                errors.add(path, "is not a valid regular expression")
        elif name == "decimals_allowed":
            if not isinstance(value, bool):
                errors.add(path, "must be true or false")
        elif name in ("min", "max"):
            if kind == "date":
                if parse_date(value) is None:
                    errors.add(path, "must be a date YYYY-MM-DD")
            elif kind == "price":
                if not (is_number(value) or (isinstance(value, str) and PRICE_RE.match(value))):
                    errors.add(path, "must be a number or a decimal string")
            elif not is_number(value):
                errors.add(path, "must be a number")
        elif name == "allowed_units":
            units = as_list(value)
            if (
                not units
                or not all(isinstance(u, str) and u in UNITS for u in units)
                or len(set(units)) != len(units)
            ):
                errors.add(
                    path, f"must be a non-empty list of distinct units among {', '.join(UNITS)}"
                )
            elif len({UNITS[u][0] for u in units}) != 1:
                errors.add(path, "units must all measure the same thing")
        elif name == "allowed_extensions":
            extensions = as_list(value)
            if not extensions or not all(isinstance(e, str) and e for e in extensions):
                errors.add(path, "must be a non-empty list of file extensions")
    low, high = validation.get("min"), validation.get("max")
    if low is not None and high is not None:
        # Exact comparisons: float() would overflow on a JSON integer of 400 digits.
        try:
            above = (
                str(low) > str(high) if kind == "date" else Decimal(str(low)) > Decimal(str(high))
            )
        except (InvalidOperation, ValueError):
            above = False  # an invalid bound, already reported
        if above:
            errors.add("validation.min", "must not be above max")
    return dict(validation)


def validate_attribute_set(
    body: JSON, store: Store, errors: FieldErrors, current: JSON | None
) -> JSON:
    result: JSON = dict(current) if current else {}
    for name in body:
        if name not in SET_FIELDS:
            errors.add(name, "is not a known field")
    if current is None:
        code = body.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            errors.add("code", "is required and must match ^[a-z0-9_]{1,100}$")
        result.update(
            code=code,
            labels={},
            attributes=[],
            requirements={},
            label_attribute=None,
            image_attribute=None,
        )
    elif "code" in body and body["code"] != current["code"]:
        errors.add("code", "cannot be changed (code is immutable)")
    if "labels" in body:
        result["labels"] = check_labels(body["labels"], "labels", store, errors)
    if "attributes" in body:
        codes = as_list(body["attributes"])
        if codes is None or not all(isinstance(c, str) for c in codes):
            errors.add("attributes", "must be a list of attribute codes")
        else:
            for index, code in enumerate(codes):
                if code not in store.attributes:
                    errors.add(f"attributes[{index}]", f"{code!r} is not a known attribute")
            if len(set(codes)) != len(codes):
                errors.add("attributes", "attribute codes must be distinct")
            result["attributes"] = [str(c) for c in codes]
    members = set(result.get("attributes") or [])
    if "requirements" in body:
        requirements = as_dict(body["requirements"])
        if requirements is None:
            errors.add("requirements", "must be an object {channel: [attribute codes]}")
        else:
            checked: dict[str, list[str]] = {}
            for channel, codes_raw in requirements.items():
                codes = as_list(codes_raw)
                if channel not in store.channels:
                    errors.add(f"requirements.{channel}", "is not a known channel")
                    continue
                if codes is None or not all(isinstance(c, str) for c in codes):
                    errors.add(f"requirements.{channel}", "must be a list of attribute codes")
                    continue
                checked[channel] = [str(c) for c in codes]
            result["requirements"] = checked
    for channel, codes in member_dict(result, "requirements").items():
        outside = [str(c) for c in as_list(codes) or [] if c not in members]
        if outside:
            errors.add(
                f"requirements.{channel}", f"not attributes of the set: {', '.join(outside)}"
            )
    for name, kind in (("label_attribute", "text"), ("image_attribute", "media")):
        if name in body:
            result[name] = expect_str(body[name], name, errors)
        value = result.get(name)
        if value is None:
            continue
        attribute = store.attributes.get(value)
        if value not in members:
            errors.add(name, f"{value!r} is not an attribute of the set")
        elif attribute is None:
            errors.add(name, f"{value!r} is not a known attribute")
        elif attribute["type"] != kind:
            errors.add(name, f"must be a {kind} attribute")
    return result
