"""SK1–SK3, STAR's success criteria for the fleksjob scheme, per month (docs/kpis.md).

Pure: data in, figures out. No database, no web: the caller reads the lifecycle data (status history,
employments, paid hours) and passes it as the frozen dataclasses below. Everything here is deterministic and
independent of the order of the input.

- `compute_kpis(histories, employments, months)` → `{month: MonthKpis}`, vectorised with numpy over day counts
  and month boundaries so a national-size history (~100,000 citizens, 24 months) takes a few seconds.
- `ly_spells(history)` → the citizen's LY spells (SK2's unit), derived from the status periods.
- `citizens_behind(histories, employments, month)` (models.kpi_citizens) → who is behind each number.

Statuses are `models.vocabulary.CitizenStatus` codes: `employed` is in fleksjob, `inactive` is outside the
scheme, every other status is on ledighedsydelse (LY).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from models.months import (
    add_months, add_months_ordinals, days_in, first_day, last_day, month_from_index, month_range, parse_month,
    shift_month,
)
from models.vocabulary import CitizenStatus

TARGETS: Mapping[str, float] = MappingProxyType({"sk1": 0.9, "sk2": 0.85, "sk3": 0.28})
"""The success criteria's targets as fractions (docs/kpis.md)."""

SMALL_JOB_HOURS = 10
"""SK3 looks at employments of at most this many hours per week."""
SK3_MIN_MONTHS = 12
"""... that have lasted at least this many calendar months."""
SK2_MONTHS = 6
"""A spell lasted "under 6 months" when it ended before the same day this many calendar months later."""
SK2_WINDOW = 3
"""SK2 of a month counts the spells that ended in this many months ending with it."""
SK3_WINDOW = 3
"""SK3 compares the first and the latest this many months of an employment."""

_STATUSES = frozenset(CitizenStatus.codes())
_OPEN = date.max.toordinal()
"""The ordinal an open end (None) stands for: after every month anyone asks about."""


# ---- input ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusPeriod:
    """A citizen's status over `start`..`end`, both days included; `end` None means still going."""

    status: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class CitizenHistory:
    """A citizen's status periods, sorted and non-overlapping; the first begins at the citizen's `ly_since`.

    Periods are normally contiguous. A gap between two periods counts as outside the scheme (like
    `inactive`), so it ends an LY spell."""

    citizen_id: str
    periods: tuple[StatusPeriod, ...]


@dataclass(frozen=True)
class EmploymentRecord:
    """An employment (fleksjob) with its paid hours (eIndkomst løntimer) per month, keyed "YYYY-MM"."""

    employment_id: str
    citizen_id: str
    hours_per_week: int
    start: date
    end: date | None = None
    paid_hours: Mapping[str, float] = field(default_factory=dict)


# ---- output --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiValue:
    """One KPI of one month: `value` = numerator ÷ denominator as a fraction, None when the denominator is 0."""

    value: float | None
    numerator: float
    denominator: float

    @classmethod
    def of(cls, numerator: float, denominator: float) -> KpiValue:
        value = numerator / denominator if denominator else None
        return cls(value=value, numerator=float(numerator), denominator=float(denominator))

    def as_dict(self) -> dict[str, float | None]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator}


@dataclass(frozen=True)
class MonthKpis:
    """SK1–SK3 of one month, plus how many SK3 persons could not be judged for missing paid hours."""

    month: str
    sk1: KpiValue
    sk2: KpiValue
    sk3: KpiValue
    sk3_missing_hours: int = 0

    def as_dict(self) -> dict[str, object]:
        """One entry of `months` in `GET /api/v1/kpis` (docs/kpis.md)."""
        return {"month": self.month, "sk1": self.sk1.as_dict(), "sk2": self.sk2.as_dict(), "sk3": self.sk3.as_dict()}


@dataclass(frozen=True)
class LySpell:
    """A spell on ledighedsydelse: from `start` (its first day on LY) to `end`, the day it ended: the first day
    no longer on LY (the day an employment starts or the citizen leaves the scheme). `end` None: still open."""

    citizen_id: str
    start: date
    end: date | None

    @property
    def six_months(self) -> date:
        """The day from which the spell no longer counts as under 6 months."""
        return add_months(self.start, SK2_MONTHS)

    @property
    def under_six_months(self) -> bool | None:
        """Whether the ended spell lasted under 6 months; None while it is open."""
        return None if self.end is None else self.end < self.six_months


# ---- the report's figures ------------------------------------------------------------------------------

NATIONAL_MONTH = "2019-11"
"""STAR's report gives whole-country figures for November 2019."""
NATIONAL: Mapping[str, KpiValue] = MappingProxyType({
    "sk1": KpiValue.of(83_748, 83_748 + 15_679),  # full-time persons in fleksjob / in the scheme: 84 %
    "sk3": KpiValue.of(6_314, 6_314 + 19_801),    # persons who progressed / in 1–10 h fleksjob ≥ 1 year: 24 %
})
"""Whole country, November 2019. No national SK2 figure is in the report (see SK2_REPORT_RANGE)."""
NATIONAL_BASELINE_MONTH = "2018-09"
NATIONAL_BASELINE: Mapping[str, float] = MappingProxyType({"sk1": 0.84, "sk3": 0.23})
SK2_REPORT_RANGE: tuple[float, float] = (0.55, 0.79)
"""SK2 of the nine municipalities the report follows, September–November 2019: Albertslund to Frederikshavn."""


# ---- helpers shared with models.kpi_citizens ------------------------------------------------------------


_NOT_LY = frozenset({CitizenStatus.employed.value, CitizenStatus.inactive.value})


def on_ly(status: str) -> bool:
    """On ledighedsydelse: in the scheme but not in fleksjob."""
    return status not in _NOT_LY


def check_history(history: CitizenHistory) -> None:
    """ValueError, naming the citizen, unless the periods are valid, sorted and non-overlapping."""
    previous: StatusPeriod | None = None
    for period in history.periods:
        if period.status not in _STATUSES:
            raise ValueError(f"{history.citizen_id}: ukendt status {period.status!r}")
        if period.end is not None and period.end < period.start:
            raise ValueError(f"{history.citizen_id}: perioden {period.start} slutter før den begynder")
        if previous is not None and (previous.end is None or period.start <= previous.end):
            raise ValueError(f"{history.citizen_id}: perioden fra {period.start} overlapper den forrige")
        previous = period


def ly_spells(history: CitizenHistory) -> tuple[LySpell, ...]:
    """The citizen's LY spells in order. Consecutive LY periods (available → sick_leave → available) are one
    spell; it ends on the first day of the next period that is not LY (an employment starts, the citizen
    leaves the scheme), on the first day of a gap, or the day after a closed last period."""
    check_history(history)
    spells: list[LySpell] = []
    begun: date | None = None
    previous_end: date | None = None
    for period in history.periods:
        gap = previous_end is not None and period.start.toordinal() > previous_end.toordinal() + 1
        if begun is not None and (gap or not on_ly(period.status)):
            spells.append(LySpell(history.citizen_id, begun, _day_after(previous_end)))
            begun = None
        if begun is None and on_ly(period.status):
            begun = period.start
        previous_end = period.end
    if begun is not None:
        spells.append(LySpell(history.citizen_id, begun, None if previous_end is None else _day_after(previous_end)))
    return tuple(spells)


def _day_after(day: date | None) -> date:
    assert day is not None  # only a closed period can be followed by another
    return date.fromordinal(day.toordinal() + 1)


def _check_months(months: Sequence[str]) -> None:
    for month in months:
        parse_month(month)


# ---- computing ---------------------------------------------------------------------------------------

_FLEKSJOB, _LY, _OUTSIDE = 0, 1, 2
_KIND = {code: _FLEKSJOB if code == CitizenStatus.employed else _OUTSIDE if code == CitizenStatus.inactive
         else _LY for code in CitizenStatus.codes()}


def compute_kpis(histories: Iterable[CitizenHistory], employments: Iterable[EmploymentRecord],
                 months: Sequence[str]) -> dict[str, MonthKpis]:
    """SK1, SK2 and SK3 of every month in `months` ("YYYY-MM"), in that order (docs/kpis.md).

    `histories` give SK1 and SK2 (a day is in fleksjob when its status is `employed`, so the caller builds the
    periods so that the days of an active employment are `employed`); `employments` give SK3. A citizen id
    may appear in only one history and an employment id only once (ValueError otherwise)."""
    _check_months(months)
    if not months:
        return {}
    histories = _unique(histories, lambda h: h.citizen_id, "borger")
    employments = _unique(employments, lambda e: e.employment_id, "ansættelse")
    periods = _Periods.flatten(histories)
    spells = periods.spells()
    sk3 = _Sk3Arrays.build(employments, months)
    result: dict[str, MonthKpis] = {}
    for month in months:
        sk3_value, missing = sk3.month(month)
        result[month] = MonthKpis(month=month, sk1=periods.sk1(month), sk2=spells.sk2(month),
                                  sk3=sk3_value, sk3_missing_hours=missing)
    return result


def _unique(items, key, what: str) -> list:
    items = list(items)
    seen: set[str] = set()
    for item in items:
        if key(item) in seen:
            raise ValueError(f"{what} {key(item)} optræder mere end én gang")
        seen.add(key(item))
    return items


@dataclass(frozen=True)
class _Periods:
    """Every status period of every citizen as arrays, in citizen order then date order: the citizen's
    number, first and last day as ordinals (`_OPEN` for an open end) and the kind (fleksjob, LY, outside)."""

    citizens: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    kinds: np.ndarray

    @classmethod
    def flatten(cls, histories: list[CitizenHistory]) -> _Periods:
        citizens, starts, ends, kinds = [], [], [], []
        for number, history in enumerate(histories):
            for period in history.periods:
                kind = _KIND.get(period.status)
                if kind is None:
                    check_history(history)  # raises, naming the citizen and the status
                citizens.append(number)
                starts.append(period.start.toordinal())
                ends.append(_OPEN if period.end is None else period.end.toordinal())
                kinds.append(kind)
        periods = cls(*(np.array(values, dtype=np.int64) for values in (citizens, starts, ends, kinds)))
        periods._check(histories)
        return periods

    def _check(self, histories: list[CitizenHistory]) -> None:
        """Vectorised check_history: on the first bad period, check_history names the citizen and the fault."""
        same_citizen = self.citizens[1:] == self.citizens[:-1]
        bad = np.flatnonzero(np.r_[False, same_citizen & (self.starts[1:] <= self.ends[:-1])]
                             | (self.ends < self.starts))
        if bad.size:
            check_history(histories[int(self.citizens[bad[0]])])

    def sk1(self, month: str) -> KpiValue:
        """Full-time persons: each day in the state counts 1/D of a person, D the month's days."""
        first, last = first_day(month).toordinal(), last_day(month).toordinal()
        overlap = np.clip(np.minimum(self.ends, last) - np.maximum(self.starts, first) + 1, 0, None)
        fleksjob_days = int(overlap[self.kinds == _FLEKSJOB].sum())
        scheme_days = int(overlap[self.kinds != _OUTSIDE].sum())
        value = fleksjob_days / scheme_days if scheme_days else None  # a ratio of whole days: exact, order-free
        days = days_in(month)
        return KpiValue(value=value, numerator=fleksjob_days / days, denominator=scheme_days / days)

    def spells(self) -> _Spells:
        """The LY spells, as `ly_spells` derives them: runs of LY periods of one citizen without a gap."""
        on_ly = self.kinds == _LY
        joined = np.r_[False, (self.citizens[1:] == self.citizens[:-1]) & (self.starts[1:] == self.ends[:-1] + 1)]
        begins = on_ly & ~(joined & np.r_[False, on_ly[:-1]])
        finishes = on_ly & ~(np.r_[joined[1:], False] & np.r_[on_ly[1:], False])
        starts, last_days = self.starts[begins], self.ends[finishes]
        ends = np.where(last_days == _OPEN, _OPEN, last_days + 1)
        return _Spells(starts, ends, add_months_ordinals(starts, SK2_MONTHS))


@dataclass(frozen=True)
class _Spells:
    """LY spells as ordinal arrays: first day, the day it ended (`_OPEN` while open), the six-month day."""

    starts: np.ndarray
    ends: np.ndarray
    six_months: np.ndarray

    def sk2(self, month: str) -> KpiValue:
        """Spells that ended in the three months ending with `month`; the share ended before their six-month
        day."""
        first = first_day(shift_month(month, -(SK2_WINDOW - 1))).toordinal()
        last = last_day(month).toordinal()
        ended = (self.ends >= first) & (self.ends <= last)
        under = ended & (self.ends < self.six_months)
        return KpiValue.of(int(under.sum()), int(ended.sum()))


@dataclass(frozen=True)
class _Sk3Arrays:
    """The employments SK3 can count in any of the months (at most 10 h/week, running at the end of one of
    them and 12 months old by the last) as arrays, sorted by (citizen, start, employment id) so the first
    qualifying employment of a citizen is their representative (docs/kpis.md: several employments)."""

    citizens: np.ndarray       # citizen number, for grouping
    ends: np.ndarray           # ordinal of the end day, _OPEN when open
    matured: np.ndarray        # ordinal of the day 12 calendar months after the start
    first_hours: np.ndarray    # [n, 3] paid hours of the first three months, NaN when not reported
    latest_hours: np.ndarray   # [n, len(columns)] paid hours of the months any requested month looks back on
    columns: Mapping[str, int]

    @classmethod
    def build(cls, employments: list[EmploymentRecord], months: Sequence[str]) -> _Sk3Arrays:
        latest_month_end = max((last_day(m) for m in months), default=date.min)
        earliest_month_end = min((last_day(m) for m in months), default=date.max)
        candidates = sorted(
            (e for e in employments if e.hours_per_week <= SMALL_JOB_HOURS and e.start <= latest_month_end
             and (e.end is None or e.end >= earliest_month_end)),
            key=lambda e: (e.citizen_id, e.start, e.employment_id))
        matured = add_months_ordinals(np.array([e.start.toordinal() for e in candidates], dtype=np.int64),
                                      SK3_MIN_MONTHS)
        keep = np.flatnonzero(matured <= latest_month_end.toordinal() + 1)
        small = [candidates[row] for row in keep]
        needed = sorted({shift_month(m, -back) for m in months for back in range(SK3_WINDOW)})
        citizen_numbers: dict[str, int] = {}
        return cls(
            citizens=np.array([citizen_numbers.setdefault(e.citizen_id, len(citizen_numbers)) for e in small],
                              dtype=np.int64),
            ends=np.array([_OPEN if e.end is None else e.end.toordinal() for e in small], dtype=np.int64),
            matured=matured[keep],
            first_hours=np.array([_hours(e, first_months(e)) for e in small], dtype=float).reshape(-1, SK3_WINDOW),
            latest_hours=np.array([_hours(e, needed) for e in small], dtype=float).reshape(-1, len(needed)),
            columns={month: column for column, month in enumerate(needed)},
        )

    def month(self, month: str) -> tuple[KpiValue, int]:
        """SK3 of `month` and the number of persons left out for missing paid hours."""
        last = last_day(month).toordinal()
        # Lasted 12 months by the month's end: the 12 months from the start fit in start..last; and still going.
        qualifying = np.flatnonzero((self.matured <= last + 1) & (self.ends >= last))
        _, first_of_citizen = np.unique(self.citizens[qualifying], return_index=True)
        rows = qualifying[first_of_citizen]
        window = [self.columns[shift_month(month, -back)] for back in range(SK3_WINDOW)]
        first, latest = self.first_hours[rows], self.latest_hours[rows][:, window]
        judged = ~(np.isnan(first).any(axis=1) | np.isnan(latest).any(axis=1))
        progressed = int((latest[judged].min(axis=1) > first[judged].max(axis=1)).sum()) if judged.any() else 0
        return KpiValue.of(progressed, int(judged.sum())), int((~judged).sum())


def first_months(employment: EmploymentRecord) -> list[str]:
    """The employment's first three calendar months: its start month and the two after."""
    index = employment.start.year * 12 + employment.start.month - 1
    return [_month_key(index + ahead) for ahead in range(SK3_WINDOW)]


_month_key = lru_cache(maxsize=None)(month_from_index)


def paid_hours_in(employment: EmploymentRecord, month: str) -> float | None:
    """The paid hours reported for `month`; None when none were (a missing key, None or NaN)."""
    value = employment.paid_hours.get(month)
    if value is None or math.isnan(value):
        return None
    return float(value)


def _hours(employment: EmploymentRecord, months: Sequence[str]) -> list[float]:
    """Paid hours of those months, NaN where none were reported."""
    paid = employment.paid_hours
    return [np.nan if (value := paid.get(month)) is None else float(value) for month in months]


__all__ = [
    "NATIONAL", "NATIONAL_BASELINE", "NATIONAL_BASELINE_MONTH", "NATIONAL_MONTH", "SK2_REPORT_RANGE", "TARGETS",
    "CitizenHistory", "EmploymentRecord", "KpiValue", "LySpell", "MonthKpis", "StatusPeriod", "check_history",
    "compute_kpis", "first_months", "ly_spells", "month_range", "on_ly", "paid_hours_in",
]
