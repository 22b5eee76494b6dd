"""models.danish: the Danish count and list helpers every page, report and CLI message uses."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.danish import and_list, counted, local_time, number, plural


@pytest.mark.parametrize("count, expected", [
    (0, "0 stillinger"), (1, "1 stilling"), (2, "2 stillinger"), (21, "21 stillinger"), (-1, "-1 stilling"),
    (1.5, "1,5 stillinger"), (1.0, "1 stilling"),
])
def test_counted_uses_the_singular_for_exactly_one(count, expected) -> None:
    assert counted(count, "stilling", "stillinger") == expected


def test_counted_for_the_nouns_the_slips_were_found_in() -> None:
    assert counted(1, "borger", "borgere") == "1 borger"
    assert counted(1, "jobcenter", "jobcentre") == "1 jobcenter"
    assert counted(3, "jobcenter", "jobcentre") == "3 jobcentre"
    assert counted(1, "time", "timer") == "1 time" and counted(7.5, "time", "timer") == "7,5 timer"
    assert counted(1, "advarsel", "advarsler") == "1 advarsel"


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_plural_is_singular_only_for_one(count: int) -> None:
    form = plural(count, "borger", "borgere")
    assert (form == "borger") == (abs(count) == 1)
    assert counted(count, "borger", "borgere") == f"{count} {form}"


@pytest.mark.parametrize("items, expected", [
    ([], ""), (["a"], "a"), (["a", "b"], "a og b"), (["a", "b", "c"], "a, b og c"), (["a", "a", "b"], "a og b"),
    (["a", "", "b"], "a og b"),
])
def test_and_list_is_a_danish_enumeration_without_repeats(items, expected) -> None:
    assert and_list(items) == expected


def test_and_list_takes_another_conjunction() -> None:
    assert and_list(["ja", "nej"], "eller") == "ja eller nej"


def test_local_time_follows_the_copenhagen_clock_in_winter_and_summer() -> None:
    assert local_time(datetime(2026, 3, 2, 14, 5, tzinfo=timezone.utc)).strftime("%H:%M") == "15:05"
    assert local_time(datetime(2026, 7, 2, 14, 5, tzinfo=timezone.utc)).strftime("%H:%M") == "16:05"


def test_number_keeps_its_contract() -> None:
    assert number(7) == "7" and number(7.3) == "7,3" and number(7.0) == "7"
