"""Fairness monitoring: group rates, the four-fifths ratio and flag, small-sample notes, the unknown group and a
deterministic bootstrap (docs/kpis.md)."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.fairness import (
    MIN_GROUP_SIZE, UNKNOWN, FairnessRecord, age_band, fairness_report, group_rates,
)

REFERENCE = date(2026, 11, 30)


def people(prefix: str, n: int, *, proposed: int = 0, hired: int = 0, gender: str | None = "f",
           birth_year: int | None = 1975, available: bool = True) -> list[FairnessRecord]:
    """n citizens of one kind, the first `proposed` of them proposed and the first `hired` hired."""
    return [FairnessRecord(f"{prefix}-{i}", gender, birth_year, available, i < proposed, i < hired) for i in range(n)]


def groups(report, attribute: str) -> dict:
    return {group.group: group for group in report.attribute(attribute).groups}


def test_rates_ratios_and_the_four_fifths_flag() -> None:
    records = (people("F", 50, proposed=25, hired=5, gender="f")
               + people("M", 50, proposed=15, hired=4, gender="m"))
    by_gender = groups(fairness_report(records, REFERENCE), "gender")
    women, men = by_gender["f"], by_gender["m"]
    assert (women.n, women.proposed.rate, women.hired.rate) == (50, 0.5, 0.1)
    assert (men.proposed.rate, men.hired.rate) == (0.3, 0.08)
    assert women.proposed.ratio == 1.0 and not women.proposed.flagged
    assert men.proposed.ratio == pytest.approx(0.6) and men.proposed.flagged
    assert men.hired.ratio == pytest.approx(0.8) and not men.hired.flagged  # exactly four fifths is not under
    assert women.note is None and men.note is None
    assert fairness_report(records, REFERENCE).attribute("gender").best_proposed == "f"


def test_only_citizens_available_in_the_period_are_counted() -> None:
    records = people("F", 40, proposed=20, gender="f") + people("N", 10, proposed=10, gender="f", available=False)
    women = groups(fairness_report(records, REFERENCE), "gender")["f"]
    assert (women.n, women.proposed.rate) == (40, 0.5)


def test_a_small_group_carries_a_danish_note_with_singular_and_plural() -> None:
    records = people("F", 60, proposed=30, gender="f") + people("X", 5, proposed=1, gender="x")
    by_gender = groups(fairness_report(records, REFERENCE), "gender")
    assert "Kun 5 borgere i gruppen" in by_gender["x"].note
    assert by_gender["x"].proposed.flagged  # the flag stays; the note says not to read it as a finding
    one = groups(fairness_report(people("F", 60, gender="f") + people("X", 1, gender="x"), REFERENCE), "gender")
    assert "Kun 1 borger i gruppen" in one["x"].note
    assert by_gender["f"].note is None


def test_a_small_best_group_makes_the_ratios_of_the_others_uncertain() -> None:
    records = people("F", 60, proposed=30, gender="f") + people("X", 4, proposed=4, gender="x")
    by_gender = groups(fairness_report(records, REFERENCE), "gender")
    assert by_gender["f"].proposed.ratio == 0.5 and by_gender["f"].proposed.flagged
    assert "Sammenlignes med Andet, der kun har 4 borgere" in by_gender["f"].note


def test_at_the_threshold_a_group_is_large_enough() -> None:
    records = people("F", MIN_GROUP_SIZE, gender="f") + people("M", MIN_GROUP_SIZE - 1, gender="m")
    by_gender = groups(fairness_report(records, REFERENCE), "gender")
    assert by_gender["f"].note is None and by_gender["m"].note is not None


def test_citizens_without_the_attribute_form_the_unknown_group_never_the_best() -> None:
    records = (people("F", 40, proposed=10, gender="f", birth_year=None)
               + people("U", 40, proposed=40, gender=None, birth_year=1990))
    report = fairness_report(records, REFERENCE)
    by_gender = groups(report, "gender")
    assert list(by_gender) == ["f", UNKNOWN]
    assert by_gender[UNKNOWN].label == "Ukendt"
    assert report.attribute("gender").best_proposed == "f"
    assert by_gender[UNKNOWN].proposed.ratio == 4.0 and by_gender["f"].proposed.ratio == 1.0
    assert list(groups(report, "age_band")) == ["age_under_40", UNKNOWN]


@pytest.mark.parametrize(("birth_year", "band"), [
    (1987, "age_under_40"), (1986, "age_40_49"), (1977, "age_40_49"), (1976, "age_50_59"), (1967, "age_50_59"),
    (1966, "age_60_plus"), (1940, "age_60_plus"), (None, UNKNOWN),
])
def test_age_bands_from_the_birth_year_at_the_reference_date(birth_year: int | None, band: str) -> None:
    assert age_band(birth_year, REFERENCE) == band


def test_age_bands_are_labelled_in_danish_in_order() -> None:
    records = [FairnessRecord(f"B-{y}", "f", y, True, False, False) for y in (1950, 1970, 1980, 1995)]
    labels = [g.label for g in fairness_report(records, REFERENCE).attribute("age_band").groups]
    assert labels == ["Under 40 år", "40–49 år", "50–59 år", "60 år og derover"]


def test_no_positive_rate_means_no_ratio_and_no_flag() -> None:
    records = people("F", 40, gender="f") + people("M", 40, gender="m")
    for group in groups(fairness_report(records, REFERENCE), "gender").values():
        assert group.hired.ratio is None and group.hired.ratio_interval is None and not group.hired.flagged


def test_group_rates_come_from_fairlearns_metricframe() -> None:
    rates = group_rates(np.array(["f", "f", "m", "m", "m"], dtype=object), np.array([1, 0, 1, 1, 0], dtype=bool),
                        np.array([0, 0, 1, 0, 0], dtype=bool))
    assert rates == {"f": (2, 0.5, 0.0), "m": (3, pytest.approx(2 / 3), pytest.approx(1 / 3))}


def test_an_unknown_gender_code_and_a_citizen_twice_are_refused() -> None:
    with pytest.raises(ValueError, match="køn"):
        fairness_report([FairnessRecord("B-1", "kvinde", 1970, True, True, False)], REFERENCE)
    with pytest.raises(ValueError, match="B-0"):
        fairness_report(people("B", 1) + people("B", 1), REFERENCE)


def test_no_citizens_no_groups() -> None:
    report = fairness_report([], REFERENCE)
    assert report.n == 0 and all(a.groups == () for a in report.attributes)


# ---- the bootstrap -------------------------------------------------------------------------------------


def mixed(seed: int = 3, n: int = 400) -> list[FairnessRecord]:
    rng = random.Random(seed)
    return [FairnessRecord(f"B-{i}", rng.choice(["f", "f", "m", "x", None]), rng.choice([1960, 1975, 1985, None]),
                           rng.random() < 0.9, rng.random() < 0.4, rng.random() < 0.1) for i in range(n)]


def test_the_bootstrap_is_deterministic_and_ignores_input_order() -> None:
    records = mixed()
    shuffled = list(records)
    random.Random(9).shuffle(shuffled)
    assert fairness_report(records, REFERENCE) == fairness_report(shuffled, REFERENCE)
    other_seed = fairness_report(records, REFERENCE, seed=1)
    assert other_seed != fairness_report(records, REFERENCE)
    assert other_seed.attribute("gender").groups[0].proposed.rate == \
        fairness_report(records, REFERENCE).attribute("gender").groups[0].proposed.rate


def test_a_groups_interval_does_not_depend_on_the_other_groups() -> None:
    women = people("F", 80, proposed=30, hired=8, gender="f")
    alone = groups(fairness_report(women, REFERENCE), "gender")["f"]
    together = groups(fairness_report(women + people("M", 50, proposed=10, gender="m"), REFERENCE), "gender")["f"]
    assert alone.proposed.interval == together.proposed.interval


def test_intervals_hold_the_rate_and_narrow_with_more_citizens() -> None:
    small = groups(fairness_report(people("F", 40, proposed=16, gender="f"), REFERENCE), "gender")["f"].proposed
    large = groups(fairness_report(people("F", 4000, proposed=1600, gender="f"), REFERENCE), "gender")["f"].proposed
    for rate in (small, large):
        assert rate.interval.low <= rate.rate == 0.4 <= rate.interval.high
    assert (large.interval.high - large.interval.low) < (small.interval.high - small.interval.low) / 5


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["f", "m", "x", None]), st.sampled_from([1950, 1970, 1980, 1995, None]),
                          st.booleans(), st.booleans(), st.booleans()), max_size=120))
def test_properties_of_every_report(rows) -> None:
    records = [FairnessRecord(f"B-{i}", *row) for i, row in enumerate(rows)]
    report = fairness_report(records, REFERENCE, resamples=200)
    available = sum(r.available_in_period for r in records)
    for attribute in report.attributes:
        assert sum(g.n for g in attribute.groups) == available == report.n
        for name in ("proposed", "hired"):
            best = getattr(attribute, f"best_{name}")
            for group in attribute.groups:
                rate = getattr(group, name)
                assert 0 <= rate.rate <= 1
                assert rate.interval.low <= rate.rate + 1e-12 and rate.rate - 1e-12 <= rate.interval.high
                assert rate.flagged == (rate.ratio is not None and rate.ratio < 0.8 - 1e-12)
                if group.group != UNKNOWN and rate.ratio is not None:
                    assert rate.ratio <= 1
                if group.group == best:
                    assert rate.ratio == 1
                assert (group.note is not None) >= (group.n < MIN_GROUP_SIZE)
