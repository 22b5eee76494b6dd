"""The rules of the placement lifecycle (docs/lifecycle.md), as pure functions over plain values.

Which moves between person states are allowed, what a proposal's own status is, when a follow-up falls
due (Danish working days), and a citizen's dated status history derived from the base status the case
system set, the employments and the praktik periods. Persistence lives in models.placements; nothing here
touches a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from models.vocabulary import CitizenStatus, FollowupKind, ProposalStatus

S = ProposalStatus
ALLOWED_MOVES: dict[str, frozenset[str]] = {
    S.open: frozenset({S.contacted, S.praktik, S.hired, S.rejected, S.withdrawn}),
    S.contacted: frozenset({S.praktik, S.hired, S.rejected, S.withdrawn}),
    S.praktik: frozenset({S.hired, S.rejected, S.withdrawn}),
    S.hired: frozenset(),
    S.rejected: frozenset(),
    S.withdrawn: frozenset(),
}
"""Person state → the states an outcome may move it to. Everything else is refused (409)."""

PROGRESS_ORDER: tuple[str, ...] = (S.open, S.contacted, S.praktik, S.hired)
"""How far a person has come; a proposal's status is the furthest any of its people has reached."""

RESERVING_STATES: frozenset[str] = frozenset({S.contacted, S.praktik})
"""States that hold a person for their position: they are proposed for no other position meanwhile."""

PRAKTIK_DEFAULT_DAYS = 28
"""A praktik without an end date lasts four weeks (the recommended virksomhedspraktik)."""

FOLLOWUP_OFFSETS: dict[str, int] = {
    FollowupKind.first_week_call: 7,       # days after an employment's start
    FollowupKind.fixed_term_expiry: -28,   # days before a fixed-term employment's end_date
    FollowupKind.praktik_end: 0,           # on a praktik's end_date
    FollowupKind.contact_no_answer: 10,    # days after `contacted` when nothing has followed
}


def move_problem(current: str, requested: str) -> str | None:
    """A Danish reason the move is not allowed (naming both states), or None when it is."""
    if requested in ALLOWED_MOVES.get(current, frozenset()):
        return None
    now, wanted = S.label_of(current).lower(), S.label_of(requested).lower()
    if not ALLOWED_MOVES.get(current):
        return f"Personen står som «{now}», som er en afsluttet tilstand; «{wanted}» kan ikke registreres. " \
               "Fortryd det seneste udfald, hvis det var en fejl."
    allowed = ", ".join(f"«{S.label_of(s).lower()}»" for s in PROGRESS_ORDER + (S.rejected, S.withdrawn)
                        if s in ALLOWED_MOVES[current])
    return f"Personen står som «{now}» og kan ikke flyttes til «{wanted}»; tilladt herfra: {allowed}."


def proposal_status(person_states: Iterable[str]) -> str:
    """The proposal's own status: the furthest state among its people in progress; when every person is
    rejected or withdrawn, `rejected` if anyone was rejected, else `withdrawn`."""
    states = list(person_states)
    in_progress = [s for s in states if s in PROGRESS_ORDER]
    if in_progress:
        return max(in_progress, key=PROGRESS_ORDER.index)
    if not states:
        return S.open
    return S.rejected if S.rejected in states else S.withdrawn


# ---- follow-ups ------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the next one (weekends and Danish public holidays)."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def followup_due(kind: str, anchor: date) -> date:
    """When a follow-up of `kind` falls due, from its anchor (employment start, fixed-term end, praktik
    end, contact date), moved to a working day."""
    return next_working_day(anchor + timedelta(days=FOLLOWUP_OFFSETS[kind]))


def distribute_hours(hours: int, assignments: Sequence[tuple[str, int]], unfilled: dict[str, int],
                     task_order: Sequence[str]) -> dict[str, int]:
    """Which task hours a hire of `hours` fills: first the person's proposed tasks up to their proposed
    hours, then any remaining unfilled hours of the position's tasks in order; never more than a task still
    lacks. Hours beyond what the position lacks fill nothing (the employment still has them)."""
    left = dict(unfilled)
    filled: dict[str, int] = {}

    def take(task_id: str, wanted: int) -> None:
        nonlocal hours
        amount = min(wanted, left.get(task_id, 0), hours)
        if amount > 0:
            filled[task_id] = filled.get(task_id, 0) + amount
            left[task_id] -= amount
            hours -= amount

    for task_id, proposed in assignments:
        take(task_id, proposed)
    for task_id in task_order:
        take(task_id, hours)
    return filled


# ---- status history --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusSpan:
    """A status over an inclusive date range; `end` None means it still holds."""

    status: str
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Period:
    """An inclusive date range (an employment, a praktik); `end` None means open-ended."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def status_on(day: date, base: Sequence[tuple[date, str]], employments: Sequence[Period],
              praktik: Sequence[Period]) -> str:
    """The citizen's status on `day`: outside the scheme (`inactive`) wins, then an employment (in
    fleksjob), then a praktik, then the base status the case system set last on or before the day."""
    current = base[0][1] if base else CitizenStatus.available
    for effective, status in base:
        if effective <= day:
            current = status
    if current == CitizenStatus.inactive:
        return current
    if any(p.covers(day) for p in employments):
        return CitizenStatus.employed
    if any(p.covers(day) for p in praktik):
        return CitizenStatus.in_praktik
    return current


def status_history(origin: date, base: Sequence[tuple[date, str]], employments: Sequence[Period],
                   praktik: Sequence[Period]) -> list[StatusSpan]:
    """The dated status history from `origin` (the citizen's ly_since, or when it was first recorded):
    contiguous spans, each change dated by the day it took effect. `base` is (effective, status), sorted."""
    changes = {origin}
    changes.update(day for day, _ in base if day > origin)
    for period in (*employments, *praktik):
        for day in (period.start, period.end + timedelta(days=1) if period.end else None):
            if day is not None and day > origin:
                changes.add(day)
    spans: list[StatusSpan] = []
    for day in sorted(changes):
        status = status_on(day, base, employments, praktik)
        if spans and spans[-1].status == status:
            continue
        if spans:
            spans[-1] = StatusSpan(spans[-1].status, spans[-1].start, day - timedelta(days=1))
        spans.append(StatusSpan(status, day))
    return spans


__all__ = [
    "ALLOWED_MOVES", "FOLLOWUP_OFFSETS", "PRAKTIK_DEFAULT_DAYS", "PROGRESS_ORDER", "RESERVING_STATES", "Period",
    "StatusSpan", "distribute_hours", "followup_due", "is_working_day", "move_problem", "next_working_day", "proposal_status",
    "status_history", "status_on",
]
