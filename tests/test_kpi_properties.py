"""Property tests of compute_kpis: it agrees with a day-by-day reference written from docs/kpis.md alone, its
figures are shares, the order of the input does not matter, and the lists behind the numbers add up."""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.kpi_citizens import citizens_behind
from models.kpis import CitizenHistory, EmploymentRecord, StatusPeriod, compute_kpis
from models.months import month_range

STATUSES = ("available", "sick_leave", "in_praktik", "assessment", "employed", "inactive")
MONTHS = month_range("2023-06", "2026-12")
HORIZON = date(2027, 12, 31)
CITIZENS = [f"B-{i}" for i in range(6)]
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def a_history(draw, citizen_id: str) -> CitizenHistory:
    day = draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 30)))
    periods = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        length = draw(st.integers(min_value=1, max_value=400))
        end = day + timedelta(days=length - 1)
        periods.append(StatusPeriod(draw(st.sampled_from(STATUSES)), day, end))
        gap = draw(st.sampled_from((0, 0, 0, 0, 1, 30)))
        day = end + timedelta(days=1 + gap)
    if draw(st.booleans()):
        periods[-1] = StatusPeriod(periods[-1].status, periods[-1].start, None)
    return CitizenHistory(citizen_id, tuple(periods))


@st.composite
def an_employment(draw, number: int) -> EmploymentRecord:
    start = draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 12, 31)))
    end = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=900).map(lambda d: start + timedelta(days=d))))
    months = month_range(f"{start.year:04d}-{start.month:02d}", "2026-12")
    paid = {m: float(draw(st.integers(min_value=0, max_value=12))) for m in months if draw(st.integers(0, 9)) > 0}
    return EmploymentRecord(f"E-{number}", draw(st.sampled_from(CITIZENS)), draw(st.integers(min_value=1, max_value=13)),
                            start, end, paid)


@st.composite
def a_scheme(draw):
    citizens = draw(st.lists(st.sampled_from(CITIZENS), unique=True, max_size=len(CITIZENS)))
    histories = [draw(a_history(c)) for c in citizens]
    employments = [draw(an_employment(n)) for n in range(draw(st.integers(min_value=0, max_value=6)))]
    months = draw(st.lists(st.sampled_from(MONTHS), unique=True, min_size=1, max_size=4))
    return histories, employments, months


# ---- the reference: day by day, from the contract -----------------------------------------------------


def status_on(history: CitizenHistory, day: date) -> str | None:
    for period in history.periods:
        if period.start <= day and (period.end is None or day <= period.end):
            return period.status
    return None


def on_ly(status: str | None) -> bool:
    return status is not None and status not in ("employed", "inactive")


def days_of(month: str) -> list[date]:
    year, number = int(month[:4]), int(month[5:])
    return [date(year, number, d) for d in range(1, calendar.monthrange(year, number)[1] + 1)]


def six_months_after(day: date) -> date:
    year, number = divmod(day.month - 1 + 6, 12)
    year, number = day.year + year, number + 1
    return date(year, number, min(day.day, calendar.monthrange(year, number)[1]))


def spells(history: CitizenHistory) -> list[tuple[date, date | None]]:
    """(first day on LY, the first day after it not on LY) walking every day up to the horizon."""
    found, begun = [], None
    day, previous_ly = history.periods[0].start, False
    while day <= HORIZON:
        now_ly = on_ly(status_on(history, day))
        if now_ly and not previous_ly:
            begun = day
        if previous_ly and not now_ly:
            found.append((begun, day))
        previous_ly, day = now_ly, day + timedelta(days=1)
    if previous_ly:
        found.append((begun, None))
    return found


def reference(histories, employments, month: str) -> dict[str, tuple]:
    days = days_of(month)
    fleksjob = sum(status_on(h, d) == "employed" for h in histories for d in days)
    scheme = sum(status_on(h, d) not in (None, "inactive") for h in histories for d in days)
    window = days_of(month_range("2023-01", month)[-3]) + days_of(month_range("2023-01", month)[-2]) + days
    ended = [(s, e) for h in histories for s, e in spells(h) if e is not None and window[0] <= e <= days[-1]]
    under = [(s, e) for s, e in ended if e < six_months_after(s)]
    return {"sk1": (fleksjob / len(days), scheme / len(days)), "sk2": (len(under), len(ended)),
            "sk3": reference_sk3(employments, month)}


def reference_sk3(employments, month: str) -> tuple[int, int, int]:
    last = days_of(month)[-1]
    chosen = {}
    for e in sorted(employments, key=lambda e: (e.start, e.employment_id)):
        running = e.end is None or e.end >= last
        anniversary = date(e.start.year + 1, e.start.month, min(e.start.day, calendar.monthrange(e.start.year + 1, e.start.month)[1]))
        if e.hours_per_week <= 10 and running and anniversary <= last + timedelta(days=1):
            chosen.setdefault(e.citizen_id, e)
    progressed = judged = missing = 0
    for e in chosen.values():
        firsts = month_range(f"{e.start.year:04d}-{e.start.month:02d}", "2030-12")[:3]
        latest = month_range("2020-01", month)[-3:]
        hours = [e.paid_hours.get(m) for m in firsts + latest]
        if None in hours:
            missing += 1
            continue
        judged += 1
        progressed += min(hours[3:]) > max(hours[:3])
    return progressed, judged, missing


# ---- properties --------------------------------------------------------------------------------------


@PROPERTY
@given(a_scheme())
def test_compute_kpis_agrees_with_the_day_by_day_reference(scheme) -> None:
    histories, employments, months = scheme
    computed = compute_kpis(histories, employments, months)
    for month in months:
        expected, got = reference(histories, employments, month), computed[month]
        assert (got.sk1.numerator, got.sk1.denominator) == pytest.approx(expected["sk1"])
        assert (got.sk2.numerator, got.sk2.denominator) == expected["sk2"]
        assert (got.sk3.numerator, got.sk3.denominator, got.sk3_missing_hours) == expected["sk3"]


@PROPERTY
@given(a_scheme())
def test_every_figure_is_a_share_of_its_denominator(scheme) -> None:
    for figures in compute_kpis(*scheme).values():
        for kpi in (figures.sk1, figures.sk2, figures.sk3):
            assert 0 <= kpi.numerator <= kpi.denominator + 1e-9
            assert (kpi.value is None) == (kpi.denominator == 0)
            if kpi.value is not None:
                assert 0 <= kpi.value <= 1
                assert kpi.value == pytest.approx(kpi.numerator / kpi.denominator)


@PROPERTY
@given(a_scheme(), st.randoms(use_true_random=False))
def test_the_order_of_the_input_does_not_matter(scheme, rng: random.Random) -> None:
    histories, employments, months = scheme
    shuffled_h, shuffled_e = list(histories), list(employments)
    rng.shuffle(shuffled_h)
    rng.shuffle(shuffled_e)
    assert compute_kpis(shuffled_h, shuffled_e, months) == compute_kpis(histories, employments, months)


def on_one_day(history: CitizenHistory, day: date) -> CitizenHistory:
    """The history cut down to the single day `day`."""
    status = status_on(history, day)
    return CitizenHistory(history.citizen_id, () if status is None else (StatusPeriod(status, day, day),))


@PROPERTY
@given(a_scheme())
def test_sk1_of_a_month_is_the_day_weighted_mean_of_its_days(scheme) -> None:
    """Weighting each day's share by the day's persons in the scheme gives the month's share."""
    histories, _, months = scheme
    month = months[0]
    weighted = weights = 0.0
    for day in days_of(month):
        daily = compute_kpis([on_one_day(h, day) for h in histories], [], [month])[month].sk1
        if daily.value is not None:
            weighted += daily.value * daily.denominator
            weights += daily.denominator
    monthly = compute_kpis(histories, [], [month])[month].sk1
    assert monthly.value == (pytest.approx(weighted / weights) if weights else None)


@PROPERTY
@given(a_scheme())
def test_the_lists_behind_the_numbers_add_up(scheme) -> None:
    histories, employments, months = scheme
    for month, figures in compute_kpis(histories, employments, months).items():
        behind = citizens_behind(histories, employments, month)
        assert len(behind.sk3_not_progressed) == figures.sk3.denominator - figures.sk3.numerator
        assert len(behind.sk3_missing_hours) == figures.sk3_missing_hours
        ly_days = sum(person.ly_days for person in behind.sk1_on_ly)
        assert ly_days == pytest.approx((figures.sk1.denominator - figures.sk1.numerator) * len(days_of(month)))
