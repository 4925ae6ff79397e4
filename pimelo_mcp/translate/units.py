"""Metric units: the API's unit names, the symbols and words people write, and conversions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str  # the API's name, e.g. GRAM
    family: str  # units convert only within a family
    factor: float  # size in the family's base unit
    symbols: tuple[str, ...]  # what people write, matched case-insensitively


UNITS: tuple[Unit, ...] = (
    Unit("MILLIGRAM", "weight", 0.001, ("mg", "milligram", "milligrams")),
    Unit("GRAM", "weight", 1.0, ("g", "gr", "gram", "grams", "gramme", "grammes")),
    Unit("KILOGRAM", "weight", 1000.0, ("kg", "kilo", "kilos", "kilogram", "kilograms")),
    Unit("MILLIMETER", "length", 0.001, ("mm", "millimeter", "millimeters", "millimetre")),
    Unit("CENTIMETER", "length", 0.01, ("cm", "centimeter", "centimeters", "centimetre")),
    Unit("METER", "length", 1.0, ("m", "meter", "meters", "metre", "metres")),
    Unit("MILLILITER", "volume", 0.001, ("ml", "milliliter", "milliliters", "millilitre")),
    Unit("LITER", "volume", 1.0, ("l", "liter", "liters", "litre", "litres")),
    Unit("WATT", "power", 1.0, ("w", "watt", "watts")),
    Unit("KILOWATT", "power", 1000.0, ("kw", "kilowatt", "kilowatts")),
    Unit("SECOND", "duration", 1.0, ("s", "sec", "second", "seconds")),
    Unit("MINUTE", "duration", 60.0, ("min", "minute", "minutes")),
    Unit("HOUR", "duration", 3600.0, ("h", "hr", "hour", "hours")),
)

_BY_NAME = {unit.name: unit for unit in UNITS}
_BY_WORD = {word: unit for unit in UNITS for word in (unit.name.lower(), *unit.symbols)}


def find_unit(text: str) -> Unit | None:
    """The unit a person meant by `text` (`g`, `grams`, `GRAM`), or None."""
    return _BY_WORD.get(text.strip().lower())


def unit_named(name: str) -> Unit | None:
    return _BY_NAME.get(name)


def convert(amount: float, source: Unit, target: Unit) -> float:
    """`amount` of `source` expressed in `target` (same family), rounded to drop float noise."""
    if source.family != target.family:
        raise ValueError(f"cannot convert {source.name} to {target.name}")
    return round(amount * source.factor / target.factor, 9)


def symbol(name: str) -> str:
    """The short symbol shown in compact output (`GRAM` → `g`)."""
    unit = _BY_NAME.get(name)
    return unit.symbols[0] if unit else name
