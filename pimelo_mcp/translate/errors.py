"""What translation refuses, phrased for the model that wrote the input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One refused part of the input: where (`values.price`, `filters[2].value`) and why."""

    field: str
    message: str
    # The input names an attribute or option the definitions lack: definitions cached
    # before it was created would say the same, so a caller may refresh them and retry.
    names_unknown: bool = False

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class TranslationError(Exception):
    """The input cannot become an exact API request; nothing was sent."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


class DataError(ValueError):
    """Raised by a data parser; the caller adds the field path."""


class UnknownNameError(DataError):
    """The data names an option (or attribute) the definitions do not have."""
