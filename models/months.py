"""Calendar months: "YYYY-MM" keys, their first and last days, and adding calendar months to a date.

The KPIs (docs/kpis.md) are monthly and count durations in calendar months ("six calendar months after",
"lasted at least 12 months"); these helpers are the one place that arithmetic lives, in a scalar form for
readable code and a numpy form for national-size arrays. Both clamp to the month's last day when the day does
not exist (31 August + 6 months = 28 February, or 29 February in a leap year).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import numpy as np

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
"""numpy's datetime64[D] counts days from 1970-01-01; `date.toordinal()` from 0001-01-01."""


def parse_month(month: str) -> tuple[int, int]:
    """(year, month) of a "YYYY-MM" key; ValueError naming the bad value otherwise."""
    found = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if found is None:
        raise ValueError(f"ugyldig måned {month!r}: skriv den som ÅÅÅÅ-MM, fx 2026-11")
    return int(found.group(1)), int(found.group(2))


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_of(day: date) -> str:
    return month_key(day.year, day.month)


def month_index(month: str) -> int:
    """Months since year 0: consecutive months have consecutive indices."""
    year, number = parse_month(month)
    return year * 12 + number - 1


def month_from_index(index: int) -> str:
    return month_key(index // 12, index % 12 + 1)


def shift_month(month: str, months: int) -> str:
    """The month `months` calendar months after (negative: before) `month`."""
    return month_from_index(month_index(month) + months)


def month_range(from_month: str, to_month: str) -> tuple[str, ...]:
    """Every month from `from_month` to `to_month`, both included, in order."""
    first, last = month_index(from_month), month_index(to_month)
    if first > last:
        raise ValueError(f"måneden {from_month} ligger efter {to_month}")
    return tuple(month_from_index(index) for index in range(first, last + 1))


def first_day(month: str) -> date:
    year, number = parse_month(month)
    return date(year, number, 1)


def last_day(month: str) -> date:
    year, number = parse_month(month)
    return date(year, number, calendar.monthrange(year, number)[1])


def days_in(month: str) -> int:
    year, number = parse_month(month)
    return calendar.monthrange(year, number)[1]


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of that month when the day does not exist
    there (31 August + 6 = the last day of February)."""
    index = day.year * 12 + day.month - 1 + months
    year, number = index // 12, index % 12 + 1
    return date(year, number, min(day.day, calendar.monthrange(year, number)[1]))


def add_months_ordinals(ordinals: np.ndarray, months: int) -> np.ndarray:
    """`add_months` over an array of `date.toordinal()` values, returning ordinals (same clamping)."""
    days = (np.asarray(ordinals, dtype=np.int64) - _EPOCH_ORDINAL).astype("datetime64[D]")
    month_start = days.astype("datetime64[M]")
    day_offset = days - month_start.astype("datetime64[D]")
    target = month_start + np.timedelta64(months, "M")
    target_last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    shifted = np.minimum(target.astype("datetime64[D]") + day_offset, target_last)
    return shifted.astype(np.int64) + _EPOCH_ORDINAL


def next_day(day: date) -> date:
    return day + timedelta(days=1)


__all__ = [
    "add_months", "add_months_ordinals", "days_in", "first_day", "last_day", "month_from_index", "month_index",
    "month_key", "month_of", "month_range", "next_day", "parse_month", "shift_month",
]
