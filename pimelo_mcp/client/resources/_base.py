"""What every resource shares: the client it talks through, the NOT_GIVEN marker, pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, TypeVar

import pydantic
from pydantic import BaseModel

from pimelo_mcp.client._models import Page
from pimelo_mcp.client.errors import APIResponseValidationError, PimeloError

if TYPE_CHECKING:
    from pimelo_mcp.client._client import PimeloClient

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: object) -> M:
    """The answer as `model`; a body of another shape is an `APIResponseValidationError`."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors()[:10]
        ]
        raise APIResponseValidationError(
            f"Pimelo answered with a {model.__name__} this client cannot read "
            f"({'; '.join(problems)}). The service may have changed: update pimelo-mcp, "
            "or report it.",
            model=model.__name__,
            errors=problems,
        ) from None


class NotGiven:
    """Marks an argument left out (None may mean "clear this field" in an update)."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()


def jsonable(value: object) -> Any:
    """Plain JSON data from values that may hold pydantic models (e.g. `Value`)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=False)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return value


def body(**fields: object) -> dict[str, Any]:
    """A request body of the fields given (NOT_GIVEN ones left out)."""
    return {key: jsonable(value) for key, value in fields.items() if value is not NOT_GIVEN}


def search_body(**fields: object) -> dict[str, Any]:
    """A search body: None means "not given" (searches have no field to clear)."""
    return {
        key: jsonable(value)
        for key, value in fields.items()
        if value is not None and value is not NOT_GIVEN
    }


def if_match(expected_version: int | None) -> dict[str, str]:
    """The `If-Match` header of a conditional update (none when no version is expected)."""
    if expected_version is None:
        return {}
    from pimelo_mcp.client.errors import InvalidArgumentError

    if isinstance(expected_version, bool) or expected_version < 1:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise InvalidArgumentError(
            f"expected_version must be a version number of 1 or more, got {expected_version!r}."
        )
    return {"If-Match": f'"{expected_version}"'}


async def paginate(fetch: Callable[[str | None], Awaitable[Page[T]]]) -> AsyncIterator[T]:
    """Every item of every page, following `search_after` cursors until the last page."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = await fetch(cursor)
        for item in page.items:
            yield item
        if not page.next_cursor:
            return
        if page.next_cursor in seen:
            raise PimeloError(
                "Pimelo returned a cursor it had already returned; stopping to avoid an endless loop."
            )
        seen.add(page.next_cursor)
        cursor = page.next_cursor


class APIResource:
    """A group of endpoints (a plural noun), reached as an attribute of `PimeloClient`."""

    def __init__(self, client: PimeloClient) -> None:
        self._client = client
