"""Splitting long id lists for `IN (...)` queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_CLAUSE_SIZE = 500
"""Ids per `IN (...)` list: well under every backend's bound-parameter limit (SQLite's is the lowest)."""


def chunked(items: Sequence[T], size: int = IN_CLAUSE_SIZE) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items, in order."""
    if size < 1:
        raise ValueError("size must be at least 1")
    for start in range(0, len(items), size):
        yield items[start:start + size]


__all__ = ["IN_CLAUSE_SIZE", "chunked"]
