"""Free-text search: what a record is found by, and a query turned into an FTS5 match.

SQLite FTS5 holds, per product (entity), three columns: its identifier (code), its short
text (text values, and an entity's labels) and its long text (textarea values), in every
locale and channel. The `unicode61 remove_diacritics 2` tokenizer splits them into words
and folds case and accents, in C, while the catalog loads. Plurals are handled on the query
side only, so that loading stays as fast as SQLite can index: each query word matches
itself, or any word starting with its stem ("shoes" → `shoe*` finds "Shoe" and "Shoes",
"batteries" → `batter*` finds "battery"). Every word must match, anywhere in the record;
a word matched exactly ranks above one matched by its stem (bm25 counts both).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

# Only letters and digits: what the unicode61 tokenizer keeps as a word. "_" and "-" split
# words there too ("trail_running", "SHOE-1").
_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
MIN_PREFIX = 3  # a shorter word matches only itself: "4" must not find "40", "fr" not "from"

# bm25 weights of the columns: a word in the identifier or the name says more than one in a
# long description.
TEXT_WEIGHTS = (5.0, 3.0, 1.0)  # identifier (code), short text, long text
TOKENIZER = "unicode61 remove_diacritics 2"


@cache
def _plural_rules() -> tuple[int, tuple[tuple[str, str], ...]]:
    raw: dict[str, Any] = json.loads(
        resources.files("pimelo_mcp.sandbox").joinpath("plural_endings.json").read_text("utf-8")
    )
    endings = tuple((str(end), str(replacement)) for end, replacement in raw["endings"])
    return int(raw["min_stem"]), endings


def fold(text: str) -> str:
    """Lower case without accents, as the tokenizer folds: "Été" → "ete".

    Only word splitting and plural endings depend on it: the words of a MATCH expression
    are folded again by the tokenizer itself, so a letter folded differently here ("ø")
    still matches as the index holds it.
    """
    return _MARKS.sub("", unicodedata.normalize("NFD", text.lower()))


def words(text: str) -> list[str]:
    """The folded words of a text, as the index sees them."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """The word without a plural ending (a folded word); words with digits are kept whole."""
    if any(char.isdigit() for char in word):
        return word
    min_stem, endings = _plural_rules()
    for ending, replacement in endings:
        if word.endswith(ending):
            stemmed = word[: len(word) - len(ending)] + replacement
            return stemmed if len(stemmed) >= min_stem else word
    return word


def match_expression(query: str) -> str | None:
    """The FTS5 MATCH expression of a free-text query, or None when it holds no word.

    Each word becomes `("word" OR "stem"*)`: every word must match (FTS5's implicit AND),
    the word itself or a word starting with its stem. Words are quoted, so nothing in a
    query is read as FTS5 syntax.
    """
    clauses: list[str] = []
    for word in dict.fromkeys(words(query)):  # a word given twice needs matching once
        root = stem(word)
        if len(root) >= MIN_PREFIX:
            clauses.append(f'("{word}" OR "{root}"*)')
        else:
            clauses.append(f'"{word}"')
    return " AND ".join(clauses) or None


def query_key(query: str) -> str:
    """What makes two queries the same search (a relevance cursor is bound to it)."""
    return " ".join(dict.fromkeys(words(query)))


def text_columns(
    values: Mapping[str, Sequence[Mapping[str, Any]]], short_codes: set[str], long_codes: set[str]
) -> tuple[str, str]:
    """The short and long text of a record's values (every locale and channel)."""
    short: list[str] = []
    long: list[str] = []
    for code, entries in values.items():
        target = short if code in short_codes else long if code in long_codes else None
        if target is None:
            continue
        target.extend(_texts(entries))
    return "\n".join(short), "\n".join(long)


def _texts(entries: Iterable[Mapping[str, Any]]) -> Iterable[str]:
    for entry in entries:
        data = entry.get("data")
        if isinstance(data, str) and data:
            yield data
