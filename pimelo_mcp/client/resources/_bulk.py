"""Bulk writes: 100 operations per request, or paced single requests where the service has no bulk endpoint."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import anyio

from pimelo_mcp.client import _constants as c
from pimelo_mcp.client._models import BulkItemResult, BulkResult
from pimelo_mcp.client._validation import path
from pimelo_mcp.client.errors import (
    APIConnectionError,
    APIStatusError,
    InvalidArgumentError,
    MethodNotAllowedError,
    NotFoundError,
)
from pimelo_mcp.client.resources._base import if_match, jsonable, parse

if TYPE_CHECKING:
    from pimelo_mcp.client._client import PimeloClient

# Where the bulk endpoint turned out to be missing, by (base URL, collection path): then
# every later bulk call of the process goes straight to single requests.
_BULK_UNSUPPORTED: set[tuple[str, str]] = set()

# Single requests sent at once in the fallback; the limiter paces them anyway, this only
# bounds the sockets and the memory of one call.
FALLBACK_CONCURRENCY = 8


def forget_bulk_support() -> None:
    """Forget which services lack bulk endpoints (for tests, or after a service upgrade)."""
    _BULK_UNSUPPORTED.clear()


@dataclass(frozen=True)
class BulkTarget:
    """One bulk collection: `products` keyed by identifier, or `entities/{type}` keyed by code."""

    segments: tuple[str, ...]
    key_field: Literal["identifier", "code"]
    check_key: Callable[[str, str], str]


def _checked(target: BulkTarget, operations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    checked: list[dict[str, Any]] = []
    for index, operation in enumerate(operations):
        if not isinstance(operation, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidArgumentError(f"operations[{index}] must be a mapping, got {operation!r}.")
        op = operation.get("op")
        if op not in {"create", "update"}:
            raise InvalidArgumentError(
                f"operations[{index}].op must be 'create' or 'update', got {op!r}."
            )
        key = operation.get(target.key_field)
        target.check_key(
            key if isinstance(key, str) else "", f"operations[{index}].{target.key_field}"
        )
        expected = operation.get("expected_version")
        if op == "create" and expected is not None:
            raise InvalidArgumentError(
                f"operations[{index}]: expected_version only applies to updates."
            )
        if expected is not None:
            try:
                if_match(expected)
            except InvalidArgumentError as error:
                raise InvalidArgumentError(f"operations[{index}]: {error}") from None
        checked.append(jsonable(operation))
    return checked


async def run_bulk(
    client: PimeloClient, target: BulkTarget, operations: Sequence[Mapping[str, Any]]
) -> BulkResult:
    """One result per operation, in order, whichever way they had to be sent."""
    ops = _checked(target, operations)
    results: list[BulkItemResult] = []
    memo = (client.base_url, "/".join(target.segments))
    call_key = client.new_idempotency_key()
    for start in range(0, len(ops), c.BULK_CHUNK_SIZE):
        chunk = ops[start : start + c.BULK_CHUNK_SIZE]
        if memo not in _BULK_UNSUPPORTED:
            try:
                data = await client.request_json(
                    "POST",
                    path(*target.segments, "bulk"),
                    json={"operations": chunk},
                    # One key per chunk: each chunk is its own request body.
                    headers={"Idempotency-Key": f"{call_key}-{start // c.BULK_CHUNK_SIZE}"},
                )
            except (NotFoundError, MethodNotAllowedError) as error:
                if not await _route_is_missing(client, target, error):
                    raise
                _BULK_UNSUPPORTED.add(memo)
            else:
                answer = parse(BulkResult, data)
                results.extend(_rebased(answer, start, len(chunk)))
                continue
        results.extend(await _one_by_one(client, target, chunk, start, call_key))
    return BulkResult(results=results)


async def _route_is_missing(
    client: PimeloClient, target: BulkTarget, error: NotFoundError | MethodNotAllowedError
) -> bool:
    """Whether a 404/405 means "no bulk endpoint" rather than "no such entity type"."""
    if isinstance(error, MethodNotAllowedError) or len(target.segments) == 1:
        return True
    # entities/{type}/bulk: a 404 may be an unknown type; the type's own page tells which.
    try:
        await client.request("GET", path("entity-types", target.segments[1]))
    except NotFoundError:
        return False
    return True


def _rebased(answer: BulkResult, start: int, count: int) -> list[BulkItemResult]:
    if len(answer.results) != count:
        raise APIStatusError(
            status_code=200,
            problem={
                "title": "Incomplete bulk answer",
                "detail": f"Pimelo answered {len(answer.results)} results for {count} operations",
            },
        )
    ordered = sorted(answer.results, key=lambda item: item.index)
    return [item.model_copy(update={"index": start + item.index}) for item in ordered]


async def _one_by_one(
    client: PimeloClient,
    target: BulkTarget,
    chunk: list[dict[str, Any]],
    start: int,
    call_key: str,
) -> list[BulkItemResult]:
    results: list[BulkItemResult | None] = [None] * len(chunk)
    gate = anyio.Semaphore(FALLBACK_CONCURRENCY)

    async def send(position: int, operation: dict[str, Any]) -> None:
        async with gate:
            results[position] = await _single(client, target, operation, start + position, call_key)

    async with anyio.create_task_group() as group:
        for position, operation in enumerate(chunk):
            group.start_soon(send, position, operation)
    return [result for result in results if result is not None]


async def _single(
    client: PimeloClient,
    target: BulkTarget,
    operation: dict[str, Any],
    index: int,
    call_key: str,
) -> BulkItemResult:
    key: str = operation[target.key_field]
    fields = {name: value for name, value in operation.items() if name != "op"}
    try:
        if operation["op"] == "create":
            response = await client.request(
                "POST",
                path(*target.segments),
                json=fields,
                headers={"Idempotency-Key": f"{call_key}-op{index}"},
            )
        else:
            expected = fields.pop("expected_version", None)
            fields.pop(target.key_field, None)
            response = await client.request(
                "PATCH",
                path(*target.segments, key),
                json=fields,
                headers=if_match(expected),
            )
    except APIStatusError as error:
        problem = dict(error.problem)
        problem.setdefault("status", error.status_code)
        return BulkItemResult.model_validate(
            {"index": index, target.key_field: key, "status": error.status_code, "problem": problem}
        )
    except APIConnectionError as error:
        # No answer even after retries: status 0, and the reason as a problem.
        return BulkItemResult.model_validate(
            {
                "index": index,
                target.key_field: key,
                "status": 0,
                "problem": {"type": "about:blank", "title": "No answer", "detail": str(error)},
            }
        )
    version: object = None
    try:
        payload: object = response.json()
        if isinstance(payload, dict):
            version = payload.get("version")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    except ValueError:
        pass
    return BulkItemResult.model_validate(
        {
            "index": index,
            target.key_field: key,
            "status": response.status_code,
            "version": version if isinstance(version, int) else None,
        }
    )
