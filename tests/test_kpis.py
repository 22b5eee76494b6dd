"""SK1–SK3 against hand-computed small cases and rows of STAR's report (docs/kpis.md)."""

from __future__ import annotations

from datetime import date

import pytest

from models.kpis import (
    NATIONAL, TARGETS, CitizenHistory, EmploymentRecord, KpiValue, MonthKpis, StatusPeriod, compute_kpis,
    ly_spells,
)
from models.months import month_range

D = date


def period(status: str, start: date, end: date | None = None) -> StatusPeriod:
    return StatusPeriod(status, start, end)


def history(citizen_id: str, *periods: StatusPeriod) -> CitizenHistory:
    return CitizenHistory(citizen_id, tuple(periods))


def on_ly_then_hired(citizen_id: str, ly_since: date, hired: date) -> CitizenHistory:
    return history(citizen_id, period("available", ly_since, D.fromordinal(hired.toordinal() - 1)),
                   period("employed", hired))


def month(month_key: str, histories=(), employments=()) -> MonthKpis:
    return compute_kpis(histories, employments, [month_key])[month_key]


# ---- SK1 -----------------------------------------------------------------------------------------------


def test_sk1_a_person_hired_mid_month_counts_by_days() -> None:
    """The contract's example: employed from the 16th of a 30-day month, on LY before: 0.5 of 1."""
    result = month("2026-11", [on_ly_then_hired("B-1", D(2026, 1, 5), D(2026, 11, 16))])
    assert result.sk1 == KpiValue(value=0.5, numerator=0.5, denominator=1.0)


def test_sk1_leaving_the_scheme_mid_month_leaves_the_denominator_by_days() -> None:
    leaves = history("B-1", period("available", D(2026, 1, 1), D(2026, 11, 10)), period("inactive", D(2026, 11, 11)))
    employed = history("B-2", period("employed", D(2025, 1, 1)))
    result = month("2026-11", [leaves, employed])
    assert result.sk1.numerator == 1.0
    assert result.sk1.denominator == pytest.approx(1 + 10 / 30)
    assert result.sk1.value == pytest.approx(30 / 40)


def test_sk1_counts_february_of_a_leap_year_in_29ths() -> None:
    people = [on_ly_then_hired("B-1", D(2023, 6, 1), D(2024, 2, 15)), history("B-2", period("sick_leave", D(2023, 1, 1)))]
    leap = month("2024-02", people)
    assert leap.sk1.numerator == pytest.approx(15 / 29)
    assert leap.sk1.denominator == 2.0
    assert leap.sk1.value == pytest.approx(15 / 58)
    common = month("2023-02", [on_ly_then_hired("B-1", D(2022, 6, 1), D(2023, 2, 15)),
                               history("B-2", period("sick_leave", D(2022, 1, 1)))])
    assert common.sk1.numerator == pytest.approx(14 / 28)


def test_sk1_days_before_ly_since_are_outside_the_scheme() -> None:
    result = month("2026-11", [history("B-1", period("available", D(2026, 11, 21)))])
    assert result.sk1.denominator == pytest.approx(10 / 30)
    assert result.sk1.value == 0.0


def test_sk1_every_status_but_employed_and_inactive_is_ledighedsydelse() -> None:
    people = [history(f"B-{i}", period(status, D(2026, 1, 1)))
              for i, status in enumerate(("available", "sick_leave", "in_praktik", "assessment", "employed", "inactive"))]
    assert month("2026-11", people).sk1 == KpiValue(value=0.2, numerator=1.0, denominator=5.0)


def test_sk1_is_none_without_anyone_in_the_scheme() -> None:
    assert month("2026-11").sk1 == KpiValue(value=None, numerator=0.0, denominator=0.0)


REPORT_SK1 = [  # STAR, November 2019: full-time persons in fleksjob, on ledighedsydelse, the share shown
    ("Gentofte", 411, 49, 0.89), ("Frederikshavn", 1227, 164, 0.88), ("Viborg", 2151, 293, 0.88),
    ("Thisted", 1090, 154, 0.88), ("Tønder", 596, 107, 0.85), ("Faxe", 672, 137, 0.83),
    ("Albertslund", 364, 78, 0.82), ("Stevns", 365, 87, 0.81), ("Ballerup", 526, 136, 0.79),
]


@pytest.mark.parametrize(("place", "in_fleksjob", "on_ly", "share"), REPORT_SK1, ids=[r[0] for r in REPORT_SK1])
def test_sk1_reproduces_the_reports_rows(place: str, in_fleksjob: int, on_ly: int, share: float) -> None:
    people = [history(f"F-{i}", period("employed", D(2018, 1, 1))) for i in range(in_fleksjob)]
    people += [history(f"L-{i}", period("available", D(2019, 1, 1))) for i in range(on_ly)]
    result = month("2019-11", people).sk1
    assert (result.numerator, result.denominator) == (in_fleksjob, in_fleksjob + on_ly)
    assert round(result.value, 2) == share


def test_sk1_half_months_make_the_same_full_time_persons() -> None:
    """Gentofte's 411 and 49 full-time persons as 822 and 98 people in the state for half of November,
    outside the scheme for the other half: the same 89 %."""
    def half(citizen_id: str, status: str) -> CitizenHistory:
        return history(citizen_id, period(status, D(2019, 1, 1), D(2019, 11, 15)), period("inactive", D(2019, 11, 16)))

    people = [half(f"F-{i}", "employed") for i in range(822)] + [half(f"L-{i}", "available") for i in range(98)]
    result = month("2019-11", people).sk1
    assert result.numerator == pytest.approx(411)
    assert result.denominator == pytest.approx(411 + 49)
    assert round(result.value, 2) == 0.89


def test_the_national_reference_is_the_reports_whole_country() -> None:
    assert round(NATIONAL["sk1"].value, 2) == 0.84
    assert NATIONAL["sk1"].denominator == 83_748 + 15_679
    assert round(NATIONAL["sk3"].value, 2) == 0.24
    assert dict(TARGETS) == {"sk1": 0.9, "sk2": 0.85, "sk3": 0.28}
    # The report's SK3 shortfall: 0.28 × persons in 1–10 h fleksjob − persons with progression = 998.
    assert round(0.28 * NATIONAL["sk3"].denominator - NATIONAL["sk3"].numerator) == 998


# ---- SK2 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("hired", "under"), [(D(2026, 9, 14), True), (D(2026, 9, 15), False)])
def test_sk2_the_contracts_example_began_15_march(hired: date, under: bool) -> None:
    """Began 15 March: ending on 14 September is under 6 months, ending on 15 September is not. A spell ends
    on the day the employment starts."""
    result = month("2026-09", [on_ly_then_hired("B-1", D(2026, 3, 15), hired)])
    assert result.sk2 == KpiValue.of(1 if under else 0, 1)


def test_sk2_counts_a_spell_in_the_three_months_ending_with_its_end() -> None:
    people = [on_ly_then_hired("B-1", D(2026, 3, 15), D(2026, 9, 1))]
    by_month = compute_kpis(people, [], month_range("2026-08", "2026-12"))
    assert [by_month[m].sk2.denominator for m in by_month] == [0, 1, 1, 1, 0]


@pytest.mark.parametrize(("began", "ended", "under"), [
    (D(2025, 8, 31), D(2026, 2, 27), True),
    (D(2025, 8, 31), D(2026, 2, 28), False),  # 31 August + 6 months: no 31 February, the month's last day
    (D(2025, 8, 30), D(2026, 2, 28), False),  # 30 August lands on the same last day
    (D(2023, 8, 31), D(2024, 2, 28), True),   # leap year: the last day is the 29th ...
    (D(2023, 8, 31), D(2024, 2, 29), False),
    (D(2024, 2, 29), D(2024, 8, 28), True),   # a spell beginning on 29 February
    (D(2024, 2, 29), D(2024, 8, 29), False),
])
def test_sk2_month_end_days_and_leap_years(began: date, ended: date, under: bool) -> None:
    spell = ly_spells(on_ly_then_hired("B-1", began, ended))[0]
    assert spell.under_six_months is under
    result = month(f"{ended.year:04d}-{ended.month:02d}", [on_ly_then_hired("B-1", began, ended)])
    assert result.sk2 == KpiValue.of(int(under), 1)


def test_sk2_ly_statuses_in_a_row_are_one_spell() -> None:
    person = history("B-1", period("available", D(2026, 1, 10), D(2026, 2, 28)),
                     period("sick_leave", D(2026, 3, 1), D(2026, 4, 30)), period("in_praktik", D(2026, 5, 1), D(2026, 5, 28)),
                     period("employed", D(2026, 5, 29)))
    spells = ly_spells(person)
    assert [(s.start, s.end) for s in spells] == [(D(2026, 1, 10), D(2026, 5, 29))]
    assert month("2026-05", [person]).sk2 == KpiValue.of(1, 1)


def test_sk2_a_spell_begins_when_an_employment_ends_and_ends_when_the_citizen_leaves() -> None:
    person = history("B-1", period("available", D(2025, 1, 1), D(2025, 3, 31)),
                     period("employed", D(2025, 4, 1), D(2025, 12, 31)),
                     period("available", D(2026, 1, 1), D(2026, 8, 31)), period("inactive", D(2026, 9, 1)))
    assert [(s.start, s.end) for s in ly_spells(person)] == [(D(2025, 1, 1), D(2025, 4, 1)),
                                                            (D(2026, 1, 1), D(2026, 9, 1))]
    assert month("2025-04", [person]).sk2 == KpiValue.of(1, 1)
    assert month("2026-09", [person]).sk2 == KpiValue.of(0, 1)  # 8 months


def test_sk2_an_open_spell_has_not_ended() -> None:
    assert month("2026-11", [history("B-1", period("available", D(2026, 1, 1)))]).sk2 == KpiValue.of(0, 0)


def test_sk2_a_gap_in_the_history_ends_the_spell_like_leaving() -> None:
    person = history("B-1", period("available", D(2026, 1, 1), D(2026, 3, 9)), period("available", D(2026, 6, 1)))
    assert [(s.start, s.end) for s in ly_spells(person)] == [(D(2026, 1, 1), D(2026, 3, 10)), (D(2026, 6, 1), None)]


def test_sk2_a_closed_last_period_ends_the_spell_the_day_after() -> None:
    person = history("B-1", period("available", D(2026, 1, 1), D(2026, 3, 9)))
    assert month("2026-03", [person]).sk2 == KpiValue.of(1, 1)


# ---- SK3 -----------------------------------------------------------------------------------------------

FIRST = {"2025-01": 20.0, "2025-02": 22.0, "2025-03": 21.0}
GREW = {"2025-10": 23.0, "2025-11": 25.0, "2025-12": 24.0}
SAME = {"2025-10": 22.0, "2025-11": 25.0, "2025-12": 24.0}  # the lowest equals the first months' highest


def job(employment_id: str, citizen_id: str, hours: int, start: date = D(2025, 1, 1), end: date | None = None,
        paid: dict | None = None) -> EmploymentRecord:
    return EmploymentRecord(employment_id, citizen_id, hours, start, end, FIRST | GREW if paid is None else paid)


def sk3(employments, month_key: str = "2025-12") -> tuple[KpiValue, int]:
    result = month(month_key, [], employments)
    return result.sk3, result.sk3_missing_hours


def test_sk3_progressed_when_each_latest_month_beats_each_first_month() -> None:
    assert sk3([job("E-1", "B-1", 6)]) == (KpiValue.of(1, 1), 0)
    assert sk3([job("E-1", "B-1", 6, paid=FIRST | SAME)]) == (KpiValue.of(0, 1), 0)


@pytest.mark.parametrize(("hours", "counted"), [(10, True), (11, False), (1, True)])
def test_sk3_only_employments_of_at_most_10_hours(hours: int, counted: bool) -> None:
    assert sk3([job("E-1", "B-1", hours)])[0].denominator == (1 if counted else 0)


def test_sk3_needs_12_months_by_the_end_of_the_month() -> None:
    assert sk3([job("E-1", "B-1", 6, start=D(2025, 1, 1))], "2025-11")[0].denominator == 0
    assert sk3([job("E-1", "B-1", 6, start=D(2025, 1, 1))], "2025-12")[0].denominator == 1
    late = job("E-1", "B-1", 6, start=D(2025, 1, 2), paid=FIRST | GREW | {"2026-01": 25.0})
    assert sk3([late], "2025-12")[0].denominator == 0  # 2 Jan 2025 – 31 Dec 2025 is a day short
    assert sk3([late], "2026-01")[0] == KpiValue.of(1, 1)


def test_sk3_counts_only_employments_running_at_the_months_end() -> None:
    assert sk3([job("E-1", "B-1", 6, end=D(2025, 12, 30))])[0].denominator == 0
    assert sk3([job("E-1", "B-1", 6, end=D(2025, 12, 31))])[0].denominator == 1


def test_sk3_an_employment_begun_on_29_february() -> None:
    paid = {"2024-02": 2.0, "2024-03": 20.0, "2024-04": 20.0, "2024-12": 22.0, "2025-01": 22.0, "2025-02": 21.0}
    leap = job("E-1", "B-1", 5, start=D(2024, 2, 29), paid=paid)
    assert sk3([leap], "2025-01")[0].denominator == 0
    assert sk3([leap], "2025-02") == (KpiValue.of(1, 1), 0)  # 29 Feb 2024 + 12 months = 28 Feb 2025


def test_sk3_a_month_without_paid_hours_leaves_the_person_out() -> None:
    for missing in ("2025-02", "2025-11"):
        paid = {m: h for m, h in (FIRST | GREW).items() if m != missing}
        assert sk3([job("E-1", "B-1", 6, paid=paid), job("E-2", "B-2", 6)]) == (KpiValue.of(1, 1), 1)
    not_a_number = FIRST | GREW | {"2025-11": float("nan")}
    assert sk3([job("E-1", "B-1", 6, paid=not_a_number)]) == (KpiValue.of(0, 0), 1)


def test_sk3_zero_reported_hours_are_hours_not_a_gap() -> None:
    assert sk3([job("E-1", "B-1", 6, paid=FIRST | GREW | {"2025-11": 0.0})]) == (KpiValue.of(0, 1), 0)
    started_at_zero = {"2025-01": 0.0, "2025-02": 0.0, "2025-03": 0.0} | GREW
    assert sk3([job("E-1", "B-1", 6, paid=started_at_zero)]) == (KpiValue.of(1, 1), 0)


def test_sk3_a_person_with_two_qualifying_employments_counts_once_by_the_earliest() -> None:
    earliest_flat = job("E-2", "B-1", 4, start=D(2024, 6, 1),
                        paid={"2024-06": 9.0, "2024-07": 9.0, "2024-08": 9.0} | {m: 9.0 for m in GREW})
    later_grew = job("E-1", "B-1", 6)
    assert sk3([later_grew, earliest_flat]) == (KpiValue.of(0, 1), 0)
    assert sk3([later_grew, job("E-3", "B-2", 11, start=D(2024, 1, 1))]) == (KpiValue.of(1, 1), 0)


def test_sk3_reproduces_the_reports_whole_country() -> None:
    """November 2019: 6,314 persons progressed, 19,801 did not: 24 %."""
    start, grew, flat = D(2018, 3, 1), {"2018-03": 8.0, "2018-04": 8.0, "2018-05": 8.0}, {}
    grew |= {"2019-09": 9.0, "2019-10": 9.5, "2019-11": 9.0}
    flat |= {"2018-03": 8.0, "2018-04": 8.0, "2018-05": 8.0, "2019-09": 8.0, "2019-10": 8.0, "2019-11": 8.0}
    employments = [EmploymentRecord(f"E-{i}", f"B-{i}", 8, start, None, grew if i < 6_314 else flat)
                   for i in range(6_314 + 19_801)]
    result, missing = sk3(employments, "2019-11")
    assert (result.numerator, result.denominator, missing) == (6_314, 26_115, 0)
    assert round(result.value, 2) == 0.24 == round(NATIONAL["sk3"].value, 2)


# ---- input checks ------------------------------------------------------------------------------------


def test_overlapping_periods_are_refused_naming_the_citizen() -> None:
    bad = history("B-7", period("available", D(2026, 1, 1), D(2026, 3, 1)), period("employed", D(2026, 3, 1)))
    with pytest.raises(ValueError, match="B-7"):
        compute_kpis([bad], [], ["2026-03"])


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="ukendt status"):
        compute_kpis([history("B-1", period("ledig", D(2026, 1, 1)))], [], ["2026-03"])


def test_a_period_ending_before_it_begins_is_refused() -> None:
    with pytest.raises(ValueError, match="B-1"):
        compute_kpis([history("B-1", period("available", D(2026, 2, 1), D(2026, 1, 1)))], [], ["2026-03"])


def test_a_citizen_twice_is_refused() -> None:
    person = history("B-1", period("available", D(2026, 1, 1)))
    with pytest.raises(ValueError, match="B-1"):
        compute_kpis([person, person], [], ["2026-03"])


def test_a_bad_month_is_refused() -> None:
    with pytest.raises(ValueError, match="ÅÅÅÅ-MM"):
        compute_kpis([], [], ["2026-3"])


def test_a_month_reads_as_the_apis_json() -> None:
    result = month("2026-11", [on_ly_then_hired("B-1", D(2026, 1, 5), D(2026, 11, 16))])
    assert result.as_dict() == {"month": "2026-11", "sk1": {"value": 0.5, "numerator": 0.5, "denominator": 1.0},
                                "sk2": {"value": 0.0, "numerator": 0.0, "denominator": 1.0},
                                "sk3": {"value": None, "numerator": 0.0, "denominator": 0.0}}


def test_months_come_back_in_the_order_asked() -> None:
    assert list(compute_kpis([], [], ["2026-03", "2025-01", "2026-01"])) == ["2026-03", "2025-01", "2026-01"]
    assert compute_kpis([], [], []) == {}
