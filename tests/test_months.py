"""Calendar-month arithmetic the KPIs rely on: month keys, ranges, and adding months with month-end clamping."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.months import (
    add_months, add_months_ordinals, days_in, first_day, last_day, month_index, month_of, month_range,
    shift_month,
)


def test_month_range_includes_both_ends_across_a_year() -> None:
    assert month_range("2025-11", "2026-02") == ("2025-11", "2025-12", "2026-01", "2026-02")
    assert month_range("2026-05", "2026-05") == ("2026-05",)


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "2026/01", "", "2026-00"])
def test_a_malformed_month_is_refused_in_danish(bad: str) -> None:
    with pytest.raises(ValueError, match="ÅÅÅÅ-MM"):
        month_range(bad, "2026-12")


def test_a_reversed_range_is_refused() -> None:
    with pytest.raises(ValueError, match="efter"):
        month_range("2026-03", "2026-02")


def test_month_bounds_know_leap_years() -> None:
    assert (first_day("2024-02"), last_day("2024-02"), days_in("2024-02")) == (date(2024, 2, 1), date(2024, 2, 29), 29)
    assert days_in("2023-02") == 28 and days_in("2100-02") == 28 and days_in("2000-02") == 29


def test_shift_month_crosses_years_both_ways() -> None:
    assert shift_month("2026-01", -2) == "2025-11"
    assert shift_month("2025-11", 14) == "2027-01"
    assert month_index("2026-01") - month_index("2025-12") == 1


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 3, 15), 6, date(2026, 9, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),   # no 31 February: the month's last day
    (date(2023, 8, 31), 6, date(2024, 2, 29)),   # ... which is the 29th in a leap year
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 6, date(2024, 8, 29)),
    (date(2026, 10, 31), -1, date(2026, 9, 30)),
])
def test_add_months_clamps_to_the_last_day(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected
    assert add_months_ordinals(np.array([day.toordinal()]), months)[0] == expected.toordinal()


@given(st.lists(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)), max_size=30),
       st.integers(min_value=-30, max_value=30))
def test_the_vectorised_form_agrees_with_the_scalar_one(days: list[date], months: int) -> None:
    vectorised = add_months_ordinals(np.array([d.toordinal() for d in days], dtype=np.int64), months)
    assert [date.fromordinal(int(o)) for o in vectorised] == [add_months(d, months) for d in days]


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)), st.integers(min_value=0, max_value=40))
def test_add_months_lands_in_the_right_month_never_earlier_in_it(day: date, months: int) -> None:
    later = add_months(day, months)
    assert month_index(month_of(later)) == month_index(month_of(day)) + months
    assert later.day == day.day or later == last_day(month_of(later))
