"""KPI speed: SK1–SK3 for 24 months over a generated national-size history (docs/kpis.md).

About 100,000 citizens (the whole country had 83,748 full-time persons in fleksjob and 15,679 on
ledighedsydelse in November 2019) with alternating LY spells and employments, ~85,000 employments with paid
hours for every month they ran in the window plus their first three months. Generated deterministically; only
`compute_kpis` is timed. Target: under 10 s.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from models.kpis import CitizenHistory, EmploymentRecord, StatusPeriod, compute_kpis
from models.months import month_from_index, month_index, month_range

CITIZENS = 100_000
SEED = 20191130
MONTHS = month_range("2025-01", "2026-12")
HISTORY_FROM, HISTORY_TO = date(2022, 1, 1), date(2026, 6, 30)
WINDOW_END = date(2026, 12, 31)
LY_STATUSES = ("available", "available", "available", "sick_leave", "in_praktik", "assessment")


def _hours_per_week(rng: random.Random) -> int:
    """~60 % of fleksjobs are at most 10 h (docs: DOMAIN), split 1–3 / 4–7 / 8–10 as 16 / 40 / 44 %."""
    if rng.random() < 0.6:
        band = rng.choices(((1, 3), (4, 7), (8, 10)), weights=(16, 40, 44))[0]
        return rng.randint(*band)
    return rng.randint(11, 30)


def _paid_hours(rng: random.Random, hours: int, start: date, end: date | None) -> dict[str, float]:
    """Paid hours for the first three months and every month from two before the window to the employment's
    end; about a quarter grow over time, and 1 % of months are not reported."""
    growth = rng.choice((0.0, 0.0, 0.0, 0.01))
    first = _index(start)
    last = _index(min(end or WINDOW_END, WINDOW_END))
    months = set(range(first, first + 3)) | set(range(max(first, WINDOW_FROM_INDEX), last + 1))
    return {_KEYS[index]: round(hours * 4.33 * (1 + growth * (index - first)) * rng.uniform(0.9, 1.1), 1)
            for index in sorted(months) if rng.random() >= 0.01}


def _index(day: date) -> int:
    return day.year * 12 + day.month - 1


WINDOW_FROM_INDEX = month_index(MONTHS[0]) - 2
_KEYS = {index: month_from_index(index) for index in range(_index(HISTORY_FROM), _index(WINDOW_END) + 3)}


def _mean_days(rng: random.Random, employed: bool) -> float:
    """Employments last years; most LY spells months, a third of them years (the long-term unemployed)."""
    if employed:
        return 3000
    return 2000 if rng.random() < 0.3 else 200


def generate(citizens: int = CITIZENS, seed: int = SEED) -> tuple[list[CitizenHistory], list[EmploymentRecord]]:
    rng = random.Random(seed)
    histories, employments = [], []
    span = (HISTORY_TO - HISTORY_FROM).days
    for number in range(citizens):
        citizen_id = f"B-{number:06d}"
        day = HISTORY_FROM + timedelta(days=rng.randrange(span))
        periods: list[StatusPeriod] = []
        employed = rng.random() < 0.5  # some enter the history already in a fleksjob
        while day <= WINDOW_END:
            length = int(rng.expovariate(1 / _mean_days(rng, employed))) + 1
            end = day + timedelta(days=length - 1)
            if employed:
                employments.append(EmploymentRecord(
                    f"E-{len(employments):06d}", citizen_id, hours := _hours_per_week(rng), day,
                    None if end > WINDOW_END else end, _paid_hours(rng, hours, day, end)))
                periods.append(StatusPeriod("employed", day, end))
            else:
                periods.append(StatusPeriod(rng.choice(LY_STATUSES), day, end))
            if rng.random() < (0.5 if employed else 0.03):  # many leave the scheme when a job ends
                periods.append(StatusPeriod("inactive", end + timedelta(days=1), None))
                break
            day, employed = end + timedelta(days=1), not employed
        if periods[-1].end is not None and periods[-1].end > WINDOW_END:
            periods[-1] = StatusPeriod(periods[-1].status, periods[-1].start, None)
        histories.append(CitizenHistory(citizen_id, tuple(periods)))
    return histories, employments


def main() -> None:
    histories, employments = generate()
    started, cpu = time.perf_counter(), time.process_time()
    result = compute_kpis(histories, employments, MONTHS)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"kpi citizens={len(histories)} employments={len(employments)} months={len(MONTHS)} "
          f"seconds={seconds:.2f}", flush=True)
    # CPU time too: on a shared machine wall time also measures the neighbours.
    print(f"kpi_cpu citizens={len(histories)} cpu_seconds={cpu:.2f}", flush=True)
    last = result[MONTHS[-1]]
    print(f"kpi_figures month={last.month} sk1={last.sk1.value:.3f} sk2={last.sk2.value:.3f} "
          f"sk3={last.sk3.value:.3f}", flush=True)


if __name__ == "__main__":
    main()
