"""Entity names → entity codes: the one part of translation that needs the API, behind a protocol."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to: one code, or several candidates, or nothing."""

    code: str | None
    candidates: tuple[str, ...] = ()
    refusal: str | None = None  # why it could not be looked up at all, for the model


class EntityResolver(Protocol):
    """Looks up records of `entity_type` by code or label; one call per entity type and request."""

    async def __call__(
        self, entity_type: str, texts: Sequence[str]
    ) -> Mapping[str, Resolution]: ...


@dataclass(frozen=True)
class EntityRef:
    """A name or code written for an entity attribute, waiting for resolution."""

    entity_type: str
    text: str


def refs_in(data: Any) -> list[EntityRef]:
    """The placeholders in one value's data (a single ref or a list of them)."""
    if isinstance(data, EntityRef):
        return [data]
    if isinstance(data, list):
        return [item for item in cast(list[Any], data) if isinstance(item, EntityRef)]
    return []


async def resolve_refs(
    refs: Iterable[EntityRef], resolver: EntityResolver | None
) -> dict[EntityRef, Resolution]:
    """Resolve every ref, asking the resolver once per entity type (no resolver: text is the code)."""
    wanted: dict[str, set[str]] = {}
    for ref in refs:
        wanted.setdefault(ref.entity_type, set()).add(ref.text)
    resolved: dict[EntityRef, Resolution] = {}
    for entity_type, texts in wanted.items():
        answers = (
            {text: Resolution(code=text) for text in texts}
            if resolver is None
            else await resolver(entity_type, sorted(texts))
        )
        for text in texts:
            resolved[EntityRef(entity_type, text)] = answers.get(text, Resolution(code=None))
    return resolved


def substitute(data: Any, resolved: Mapping[EntityRef, Resolution]) -> tuple[Any, list[str]]:
    """`data` with refs replaced by codes, and why each unresolved ref failed (for the model)."""
    codes: list[str] = []
    failures: list[str] = []
    for ref in refs_in(data):
        resolution = resolved.get(ref, Resolution(code=None))
        if resolution.code is not None:
            codes.append(resolution.code)
        elif resolution.refusal is not None:
            failures.append(resolution.refusal)
        elif resolution.candidates:
            failures.append(
                f"{ref.text!r} matches several {ref.entity_type} records "
                f"({', '.join(resolution.candidates)}): use the code"
            )
        else:
            failures.append(
                f"no {ref.entity_type} named or coded {ref.text!r}; "
                f"search_entities with entity_type={ref.entity_type} lists them"
            )
    if isinstance(data, list):
        return codes, failures
    return (codes[0] if codes else None), failures
