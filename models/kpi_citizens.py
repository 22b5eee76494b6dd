"""The citizens behind each KPI of a month, for the team leader to act on (docs/kpis.md).

- SK1: the citizens on ledighedsydelse in the month, most LY days first, then the longest-running spell.
- SK2: the open LY spells approaching 6 months: still under 6 months, reaching it within `horizon_months`.
- SK3: the employments counted in SK3 whose paid hours have not moved (did not progress), and those that could
  not be judged for missing paid hours.

Same definitions as models.kpis (which it reuses), one month at a time, so these lists add up to the figures:
`len(sk3_not_progressed)` is SK3's denominator minus its numerator, `len(sk3_missing_hours)` its
`sk3_missing_hours`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.kpis import (
    SK3_MIN_MONTHS, SK3_WINDOW, SMALL_JOB_HOURS, CitizenHistory, EmploymentRecord, check_history, first_months,
    ly_spells, on_ly, paid_hours_in,
)
from models.months import add_months, first_day, last_day, shift_month


@dataclass(frozen=True)
class LyPerson:
    """SK1: a citizen on LY in the month, `ly_days` of its days, in the spell that began `spell_start`."""

    citizen_id: str
    ly_days: int
    spell_start: date


@dataclass(frozen=True)
class ApproachingSpell:
    """SK2: an open LY spell that counts as under 6 months until the day before `six_months`."""

    citizen_id: str
    spell_start: date
    six_months: date
    days_left: int


@dataclass(frozen=True)
class SmallJob:
    """SK3: an employment of at most 10 h/week running at least 12 months, with the figures it is judged on:
    the highest paid hours of its first three months and the lowest of the latest three (None when a month
    is missing, listed in `missing_months`)."""

    employment_id: str
    citizen_id: str
    hours_per_week: int
    start: date
    first_max: float | None
    latest_min: float | None
    missing_months: tuple[str, ...]


@dataclass(frozen=True)
class KpiCitizens:
    month: str
    sk1_on_ly: tuple[LyPerson, ...]
    sk2_approaching: tuple[ApproachingSpell, ...]
    sk3_not_progressed: tuple[SmallJob, ...]
    sk3_missing_hours: tuple[SmallJob, ...]


def citizens_behind(histories: Iterable[CitizenHistory], employments: Iterable[EmploymentRecord], month: str, *,
                    as_of: date | None = None, horizon_months: int = 2) -> KpiCitizens:
    """Who is behind `month`'s figures. SK2's spells are those open on `as_of` (default the month's last day;
    pass today for the current month)."""
    histories = list(histories)
    small_jobs = sk3_small_jobs(employments, month)
    return KpiCitizens(
        month=month,
        sk1_on_ly=on_ly_in_month(histories, month),
        sk2_approaching=spells_approaching(histories, as_of or last_day(month), horizon_months),
        sk3_not_progressed=tuple(job for job in small_jobs if not job.missing_months and not _progressed(job)),
        sk3_missing_hours=tuple(job for job in small_jobs if job.missing_months),
    )


def on_ly_in_month(histories: Iterable[CitizenHistory], month: str) -> tuple[LyPerson, ...]:
    first, last = first_day(month), last_day(month)
    people = []
    for history in histories:
        check_history(history)
        days = sum(_overlap(p.start, p.end, first, last) for p in history.periods if on_ly(p.status))
        if days:
            spell = [s for s in ly_spells(history) if s.start <= last][-1]
            people.append(LyPerson(history.citizen_id, days, spell.start))
    return tuple(sorted(people, key=lambda p: (-p.ly_days, p.spell_start, p.citizen_id)))


def spells_approaching(histories: Iterable[CitizenHistory], as_of: date,
                       horizon_months: int = 2) -> tuple[ApproachingSpell, ...]:
    horizon = add_months(as_of, horizon_months)
    found = []
    for history in histories:
        for spell in ly_spells(history):
            still_open = spell.start <= as_of and (spell.end is None or spell.end > as_of)
            if still_open and as_of < spell.six_months <= horizon:
                found.append(ApproachingSpell(history.citizen_id, spell.start, spell.six_months,
                                              (spell.six_months - as_of).days))
    return tuple(sorted(found, key=lambda s: (s.six_months, s.citizen_id)))


def sk3_small_jobs(employments: Iterable[EmploymentRecord], month: str) -> tuple[SmallJob, ...]:
    """The employments SK3 of `month` counts, one per person (their earliest-started qualifying employment),
    longest-running first."""
    last = last_day(month)
    chosen: dict[str, EmploymentRecord] = {}
    for employment in employments:
        if qualifies_for_sk3(employment, last):
            held = chosen.get(employment.citizen_id)
            if held is None or (employment.start, employment.employment_id) < (held.start, held.employment_id):
                chosen[employment.citizen_id] = employment
    jobs = [_judged(employment, month) for employment in chosen.values()]
    return tuple(sorted(jobs, key=lambda job: (job.start, job.employment_id)))


def qualifies_for_sk3(employment: EmploymentRecord, month_last_day: date) -> bool:
    """At most 10 h/week, running at the month's end, and its first 12 calendar months lie within it."""
    return (employment.hours_per_week <= SMALL_JOB_HOURS
            and (employment.end is None or employment.end >= month_last_day)
            and add_months(employment.start, SK3_MIN_MONTHS).toordinal() <= month_last_day.toordinal() + 1)


def _judged(employment: EmploymentRecord, month: str) -> SmallJob:
    first = first_months(employment)
    latest = [shift_month(month, -back) for back in reversed(range(SK3_WINDOW))]
    hours = {m: paid_hours_in(employment, m) for m in first + latest}
    missing = tuple(m for m, value in hours.items() if value is None)
    return SmallJob(
        employment.employment_id, employment.citizen_id, employment.hours_per_week, employment.start,
        first_max=None if missing else max(hours[m] for m in first),
        latest_min=None if missing else min(hours[m] for m in latest),
        missing_months=missing,
    )


def _progressed(job: SmallJob) -> bool:
    return job.latest_min is not None and job.first_max is not None and job.latest_min > job.first_max


def _overlap(start: date, end: date | None, first: date, last: date) -> int:
    days = (min(end or last, last) - max(start, first)).days + 1
    return max(days, 0)


__all__ = [
    "ApproachingSpell", "KpiCitizens", "LyPerson", "SmallJob", "citizens_behind", "on_ly_in_month",
    "qualifies_for_sk3", "sk3_small_jobs", "spells_approaching",
]
