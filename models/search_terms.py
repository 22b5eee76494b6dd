"""Search terms: the folded, stemmed words of a citizen's competences and wishes, kept in a column of their
own so /borgere can search them with a plain LIKE on SQLite and PostgreSQL alike.

Searching the JSON text of the competences fails on æ, ø and å (JSON may escape them as \\u00f8) and on
inflections ("køkken" vs "køkkenhjælper"). Here every word is folded (NFC, case-folded), cut at anything
that is not a letter or digit, and reduced to its Danish Snowball stem; the column holds the stems with a
space before each one. A query word is reduced the same way and matches the start of a stored stem
(`LIKE '% stem%'`), so "køkken" finds "køkkenhjælp" and "Rengøring" finds "rengøringsassistent".

Migration 0004 fills the column for stored citizens with a frozen copy of `terms_text`; a test holds the
two to the same output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from models.danish import danish_stemmer

_HYPHEN_IN_WORD = re.compile(r"(?<=[^\W\d_])[-‐‑–](?=[^\W\d_])")
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return danish_stemmer().stemWord(word)


def words(text: str) -> list[str]:
    """Folded words of `text`: hyphenated compounds joined ("køkken-hjælp" → "køkkenhjælp")."""
    text = _HYPHEN_IN_WORD.sub("", unicodedata.normalize("NFC", text).casefold())
    return [word for word in _NON_WORD.split(text) if word]


def stems(text: str) -> list[str]:
    """The distinct stems of the words of `text`, in order."""
    return list(dict.fromkeys(_stem(word) for word in words(text)))


def terms_text(values: Iterable[str]) -> str:
    """What the search column stores for a list of competences (or wishes): " stem1 stem2 …", or ""."""
    found: dict[str, None] = {}
    for value in values:
        found.update(dict.fromkeys(stems(value)))
    return "".join(f" {stem}" for stem in found)


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards escaped (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(stem: str) -> str:
    """The LIKE pattern matching a stored stem that starts with `stem` (escape character: backslash)."""
    return f"% {escape_like(stem)}%"


__all__ = ["escape_like", "like_pattern", "stems", "terms_text", "words"]
