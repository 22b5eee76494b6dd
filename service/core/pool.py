"""What the placement lifecycle means for matching: the pool and the positions as every kind of matching
must see them on a given day (docs/lifecycle.md, "Consequences").

- People in a live employment leave the pool, unless they seek more hours: then only their available hours
  are matchable (capacity_hours is what is left).
- People held by a reserving outcome (contacted, praktik) stay in the pool but are blocked (`unavailable`,
  with a Danish detail naming where), so no position is proposed to them meanwhile.
- A citizen rejected for a position is blocked there for good (`rejected_before`, by whom, when, why).
- A position offers only its residual: each task's hours less those filled by live employments and those
  held by reserved people; people already employed or held there count against its people limit and the
  employer's `max_fleksjobbere`. Positions with nothing left are not matched.

Everything is computed from the database once per jobcentre and day (`PoolState`) and applied to contract
objects, so matcher/ stays unaware of the lifecycle.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher import PoolIndex
from matcher.columns import TaskColumns
from matcher.rules import Block
from models import orm, placements, store
from models.danish import counted
from models.schemas import Candidate, Position
from models.vocabulary import CitizenStatus, ExclusionCode, ProposalStatus, RejectedBy


@dataclass
class PoolState:
    """The lifecycle facts of one jobcentre on one day that matching depends on."""

    today: date
    committed: dict[str, int] = field(default_factory=dict)              # citizen → live employment hours
    seeks_more: set[str] = field(default_factory=set)                    # citizens who seek more hours
    filled: dict[str, dict[str, int]] = field(default_factory=dict)      # position → task → filled hours
    employed_at: dict[str, set[str]] = field(default_factory=dict)       # position → citizens employed there
    held: dict[str, list[placements.Hold]] = field(default_factory=dict)  # citizen → holds
    rejected: dict[str, dict[str, orm.ProposalEvent]] = field(default_factory=dict)
    employer_of: dict[str, str] = field(default_factory=dict)            # position → employer
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)     # position → (title, employer name)

    def people_at_position(self, position_id: str) -> set[str]:
        held = {h.candidate_id for hs in self.held.values() for h in hs if h.position_id == position_id}
        return self.employed_at.get(position_id, set()) | held

    def people_at_employer(self, employer_id: str) -> set[str]:
        return {c for p, e in self.employer_of.items() if e == employer_id for c in self.people_at_position(p)}

    def held_hours(self, position_id: str) -> dict[str, int]:
        hours: dict[str, int] = defaultdict(int)
        for hs in self.held.values():
            for hold in hs:
                if hold.position_id == position_id:
                    for task_id, h in hold.assignments:
                        hours[task_id] += h
        return dict(hours)


def load_state(session: Session, jobcenter: str | None, today: date) -> PoolState:
    """The lifecycle state of one jobcentre (or every jobcentre, with None)."""
    center = store.get_jobcenter(session, jobcenter) if jobcenter is not None else None
    if jobcenter is not None and center is None:
        return PoolState(today=today)
    center_id = center.id if center is not None else None
    employments = placements.live_employments(session, jobcenter_id=center_id, on=today)
    positions = session.execute(_positions_query(center_id)).all()
    state = PoolState(
        today=today, committed=placements.committed_hours(employments),
        seeks_more=set(session.scalars(_seeking_query(center_id))),
        filled=placements.filled_hours(employments),
        employer_of={pid: employer for pid, employer, _, _ in positions},
        titles={pid: (title, name) for pid, _, title, name in positions},
        rejected=placements.rejected_pairs(session, [pid for pid, *_ in positions]),
    )
    for employment in employments:
        state.employed_at.setdefault(employment.position_id, set()).add(employment.citizen_id)
    for hold in placements.holds(session, position_ids=state.employer_of, on=today):
        state.held.setdefault(hold.candidate_id, []).append(hold)
    return state


def _positions_query(jobcenter_id: int | None):
    query = (select(orm.Position.id, orm.Position.employer_id, orm.Position.title, orm.Employer.name)
             .join(orm.Employer, orm.Position.employer_id == orm.Employer.id))
    return query if jobcenter_id is None else query.where(orm.Position.jobcenter_id == jobcenter_id)


def _seeking_query(jobcenter_id: int | None):
    query = select(orm.Citizen.id).where(orm.Citizen.seeks_more_hours.is_(True))
    return query if jobcenter_id is None else query.where(orm.Citizen.jobcenter_id == jobcenter_id)


# ---- the pool -------------------------------------------------------------------------------------------


def matchable(candidates: list[Candidate], state: PoolState) -> list[Candidate]:
    """The available citizens as matching must see them: employed people out (or with only their
    available hours, when they seek more), everyone else as they are."""
    out = []
    for candidate in candidates:
        committed = state.committed.get(candidate.id, 0)
        if committed == 0:
            out.append(candidate)
        elif candidate.id in state.seeks_more and candidate.capacity_hours > committed:
            out.append(candidate.model_copy(update={"capacity_hours": candidate.capacity_hours - committed}))
    return out


def matchable_candidates(session: Session, jobcenter: str | None, state: PoolState) -> list[Candidate]:
    """Active citizens with status available, of one jobcentre (or all), through `matchable`."""
    return matchable(store.available_candidates(session, jobcenter), state)


def blocks(state: PoolState) -> list[Block]:
    """The reasons the lifecycle keeps candidates out: holds (everywhere) and rejections (per position)."""
    found = []
    for candidate_id, held in sorted(state.held.items()):
        found.append(Block(candidate_id, ExclusionCode.unavailable, _hold_detail(held[0], state)))
    for position_id, rejected in sorted(state.rejected.items()):
        for candidate_id, event in sorted(rejected.items()):
            found.append(Block(candidate_id, ExclusionCode.rejected_before, rejection_detail(event), position_id))
    return found


def _hold_detail(hold: placements.Hold, state: PoolState) -> str:
    title, employer = state.titles.get(hold.position_id, (hold.position_id, ""))
    where = f"«{title}» hos {employer}" if employer else f"«{title}»"
    if hold.status == ProposalStatus.praktik:
        until = f" til {hold.until:%d.%m.%Y}" if hold.until else ""
        return f"borgeren er i virksomhedspraktik som {where}{until}"
    return f"borgeren er kontaktet om {where} ({hold.since:%d.%m.%Y}) og afventer svar"


def rejection_detail(event: orm.ProposalEvent) -> str:
    by = RejectedBy.label_of(event.rejected_by or "", "ukendt").lower()
    day = event.effective_date.strftime("%d.%m.%Y") if event.effective_date else ""
    reason = f": {event.reason}" if event.reason else ""
    return f"afvist til denne stilling af {by} {day}{reason}".replace("  ", " ")


# ---- positions ------------------------------------------------------------------------------------------


def residual(position: Position, state: PoolState) -> Position | None:
    """The position with only what is left to match: unfilled, unheld task hours, and people limits less
    the people already employed or held there and at the employer. None when nothing is left."""
    filled = state.filled.get(position.id, {})
    held = state.held_hours(position.id)
    tasks = []
    for task in position.tasks:
        left = task.hours_per_week - filled.get(task.id, 0) - held.get(task.id, 0)
        if left > 0:
            tasks.append(task if left == task.hours_per_week else task.model_copy(update={"hours_per_week": left}))
    at_position = len(state.people_at_position(position.id))
    people = position.max_people - at_position
    employer = position.employer
    limit = employer.max_fleksjobbere
    if limit is not None:
        limit -= len(state.people_at_employer(employer.id))
    if not tasks or people < 1 or (limit is not None and limit < 1):
        return None
    if len(tasks) == len(position.tasks) and at_position == 0 and limit == employer.max_fleksjobbere:
        return position
    return position.model_copy(update={
        "tasks": tasks, "max_people": people, "employer": employer.model_copy(update={"max_fleksjobbere": limit})})


def nothing_left_reason(position: Position, state: PoolState) -> str:
    """Why `residual` left nothing of the position, in Danish."""
    at_position = len(state.people_at_position(position.id))
    if at_position >= position.max_people:
        return (f"Stillingen har allerede {at_position} af højst "
                f"{counted(position.max_people, 'person', 'personer')} i job eller forløb.")
    limit = position.employer.max_fleksjobbere
    if limit is not None and len(state.people_at_employer(position.employer.id)) >= limit:
        return (f"{position.employer.name} har allerede {counted(limit, 'fleksjobber', 'fleksjobbere')} i job "
                "eller forløb, som er virksomhedens grænse.")
    return "Alle stillingens timer er besat eller holdt af borgere i forløb."


def available_status(citizen: orm.Citizen, state: PoolState) -> bool:
    """Whether a citizen can be matched at all today (supply-led matching asks this of one citizen)."""
    if citizen.status != CitizenStatus.available or not citizen.active or citizen.id in state.held:
        return False
    committed = state.committed.get(citizen.id, 0)
    return committed == 0 or (citizen.seeks_more_hours and citizen.capacity_hours > committed)


# ---- what the caches hold --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchPool:
    """A jobcentre's pool as demand-side matching sees it today."""

    index: PoolIndex
    state: PoolState
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class OpenSide:
    """A jobcentre's open positions as supply-led matching sees them today: only what is left of each."""

    columns: TaskColumns
    positions: tuple[Position, ...]   # residual, matchable positions
    considered: int                   # open positions before taking out what is left of nothing
    state: PoolState
    blocks: tuple[Block, ...]


def load_match_pool(session: Session, jobcenter: str | None, today: date | None = None) -> MatchPool:
    state = load_state(session, jobcenter, today or date.today())
    index = PoolIndex.build(matchable_candidates(session, jobcenter, state))
    return MatchPool(index=index, state=state, blocks=tuple(blocks(state)))


def load_open_side(session: Session, jobcenter: str | None, today: date | None = None) -> OpenSide:
    state = load_state(session, jobcenter, today or date.today())
    opened = store.open_positions(session, jobcenter)
    left = tuple(r for r in (residual(p, state) for p in opened) if r is not None)
    return OpenSide(columns=TaskColumns.build(left), positions=left, considered=len(opened), state=state,
                    blocks=tuple(blocks(state)))


__all__ = ["MatchPool", "OpenSide", "PoolState", "load_match_pool", "load_open_side", "available_status", "blocks", "load_state", "matchable", "matchable_candidates",
           "nothing_left_reason", "rejection_detail", "residual"]
