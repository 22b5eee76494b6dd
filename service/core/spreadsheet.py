"""Cells that a spreadsheet must show as text, never evaluate.

Titles, names and import values come from case systems and files anyone can edit. Excel (and LibreOffice)
treat a CSV cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula: `=cmd|…` can run a
program, `=HYPERLINK(…)` can leak data. Such text gets a leading apostrophe, which spreadsheets show as text.
Numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` as it may go into a CSV cell: text that a spreadsheet would evaluate is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [safe_cell(value) for value in values]


__all__ = ["FORMULA_STARTS", "safe_cell", "safe_row"]
