"""Bulk writes: up to 100 operations, each standing alone, answered one result per operation."""

from __future__ import annotations

from collections.abc import Callable

from pimelo_mcp.sandbox.jsonutil import JSON, as_dict, as_list, str_or_none
from pimelo_mcp.sandbox.problems import FieldErrors, ProblemError, invalid

MAX_OPERATIONS = 100


def run_bulk(
    body: JSON,
    key: str,
    create: Callable[[JSON], JSON],
    update: Callable[[JSON], JSON],
) -> JSON:
    """Each operation runs alone; a failing one becomes a `problem` in its result."""
    errors = FieldErrors()
    for name in body:
        if name != "operations":
            errors.add(name, "is not a known field")
    operations = as_list(body.get("operations"))
    if operations is None:
        errors.add("operations", "is required: a list of 1 to 100 operations")
    elif not 1 <= len(operations) <= MAX_OPERATIONS:
        errors.add(
            "operations", f"must hold 1 to {MAX_OPERATIONS} operations, not {len(operations)}"
        )
    errors.raise_if_any()
    assert operations is not None
    results: list[JSON] = []
    for index, raw in enumerate(operations):
        operation = as_dict(raw)
        prefix = f"operations[{index}]"
        # The result echoes the operation's key only when it is a string (the contract: string
        # or null); a key of another type gets null and the operation's 422 names it.
        result: JSON = {"index": index, key: str_or_none(operation.get(key)) if operation else None}
        try:
            if operation is None:
                raise invalid(prefix, "must be an object")
            op = operation.get("op")
            if op == "create":
                result.update(create(operation))
            elif op == "update":
                result.update(update(operation))
            else:
                raise invalid("op", "must be create or update")
        except ProblemError as problem:
            if "errors" in problem.extensions:
                problem.extensions["errors"] = [
                    {
                        "field": e["field"]
                        if e["field"].startswith(prefix)
                        else f"{prefix}.{e['field']}",
                        "message": e["message"],
                    }
                    for e in problem.extensions["errors"]
                ]
                problem.detail = f"{prefix}: {problem.detail}"
            result.update(status=problem.status, problem=problem.body())
        results.append(result)
    return {"results": results}
