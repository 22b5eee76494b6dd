"""Statistics of a stored pool, per jobcentre and overall: what `fleksmatch demo` prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from models.schemas import Candidate, Position
from service.demo.pool_generator import PHYSICAL_RESTRICTIONS, PSYCHOLOGICAL_RESTRICTIONS

# Capacity bands shown in the statistics (hours/week), as the reports group them (002 p. 15).
CAPACITY_BANDS: tuple[tuple[str, int, int], ...] = (
    ("1–3 timer", 1, 3), ("4–7 timer", 4, 7), ("8–10 timer", 8, 10), ("11–15 timer", 11, 15),
    ("over 15 timer", 16, 37),
)


@dataclass(frozen=True)
class JobcenterStatistics:
    name: str
    citizens: int
    available: int
    capacity_available: int      # sum of the available citizens' capacity_hours
    employers: int
    positions: int
    tasks: int
    hours_requested: int


@dataclass(frozen=True)
class PoolStatistics:
    jobcenters: tuple[JobcenterStatistics, ...]
    capacity_bands: tuple[tuple[str, int], ...]      # (label, citizens)
    capacity_estimated: int
    restriction_reasons: Counter[str]                # physical / psychological / combined -> citizens
    restriction_codes: Counter[str]                  # code -> citizens with it
    soft_restrictions: int
    restrictions: int

    @property
    def citizens(self) -> int:
        return sum(jc.citizens for jc in self.jobcenters)


def pool_statistics(candidates: Iterable[Candidate], positions: Iterable[Position]) -> PoolStatistics:
    """Statistics of citizens and open positions, per jobcentre and overall."""
    candidates, positions = list(candidates), list(positions)
    names = sorted({c.jobcenter for c in candidates} | {p.jobcenter for p in positions}, key=str)
    per_jobcenter = []
    for name in names:
        mine = [c for c in candidates if c.jobcenter == name]
        available = [c for c in mine if c.status == "available"]
        open_here = [p for p in positions if p.jobcenter == name]
        per_jobcenter.append(JobcenterStatistics(
            name=name, citizens=len(mine), available=len(available),
            capacity_available=sum(c.capacity_hours for c in available),
            employers=len({p.employer.id for p in open_here}), positions=len(open_here),
            tasks=sum(len(p.tasks) for p in open_here), hours_requested=sum(p.hours_requested for p in open_here)))
    bands = tuple((label, sum(1 for c in candidates if low <= c.capacity_hours <= high))
                  for label, low, high in CAPACITY_BANDS)
    restrictions = [r for c in candidates for r in c.restrictions]
    return PoolStatistics(
        jobcenters=tuple(per_jobcenter), capacity_bands=bands,
        capacity_estimated=sum(1 for c in candidates if c.capacity_basis == "estimated"),
        restriction_reasons=Counter(_restriction_reason(c) for c in candidates if c.restrictions),
        restriction_codes=Counter(r.code for r in restrictions),
        soft_restrictions=sum(1 for r in restrictions if r.severity == "soft"), restrictions=len(restrictions))


def _restriction_reason(candidate: Candidate) -> str:
    """Which kind of skånehensyn a citizen has: only physical, only psychological, or both."""
    codes = {r.code for r in candidate.restrictions}
    if codes <= set(PHYSICAL_RESTRICTIONS):
        return "physical"
    if codes <= set(PSYCHOLOGICAL_RESTRICTIONS):
        return "psychological"
    return "combined"

