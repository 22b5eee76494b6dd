"""Reading the filters of a page's query string: a filter never fails a page, so a value that cannot be used
counts as not given."""

from __future__ import annotations

from collections.abc import Container


def whole_number(value: str | None, low: int, high: int) -> int | None:
    """A whole number typed into a filter field, or None when blank, not a number or outside low..high."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def one_of(value: str | None, allowed: Container[str], default: str) -> str:
    """The chosen option, or `default` when none or an unknown one is given."""
    return value if value is not None and value in allowed else default


__all__ = ["one_of", "whole_number"]
