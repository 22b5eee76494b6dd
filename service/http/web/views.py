"""View models: stored rows and MatchResponses shaped for the templates (no HTML here, no database).

The proposal drawing is computed here so the template stays dumb: one bar per person, one segment per task,
widths in percent of a common scale so bars compare at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models import orm
from models.lifecycle import ALLOWED_MOVES
from models.placements import latest_event
from models.vocabulary import OUTCOMES, ProposalStatus
from models.schemas import Excluded, MatchResponse, Position, RankedCandidate
from service.http.web.templating import TASK_COLOURS, percent


@dataclass(frozen=True)
class Segment:
    task_id: str
    title: str
    hours: int
    colour: int
    width: str


@dataclass(frozen=True)
class PersonBar:
    candidate_id: str
    hours: int
    capacity_hours: int | None
    segments: tuple[Segment, ...]
    status: str = "open"
    moves: tuple[str, ...] = ()  # the outcomes the person's state allows next (models.lifecycle)
    undoable: str | None = None  # the outcome "Fortryd" would annul (the person's latest live event)


@dataclass(frozen=True)
class OutcomeEvent:
    outcome: str
    reason: str | None
    actor: str
    at: str
    candidate_id: str | None = None
    annulled: bool = False


@dataclass(frozen=True)
class ProposalView:
    id: str
    rank: int
    kind: str
    status: str
    hours_covered: int
    hours_requested: int
    coverage_width: str
    people: tuple[PersonBar, ...]
    events: tuple[OutcomeEvent, ...]
    uncovered: tuple[str, ...] = ()
    stale: bool = False     # the position or a citizen changed after the run (docs/lifecycle.md)
    current: bool = True    # of the position's current run; False: an older run kept for its outcomes
    run_created_at: str = ""
    alternative: bool = False  # the single-person alternative stored beside a split (docs/matching.md)

    @property
    def candidate_ids(self) -> tuple[str, ...]:
        return tuple(p.candidate_id for p in self.people)


@dataclass(frozen=True)
class TaskLegend:
    task_id: str
    title: str
    hours: int
    colour: int


@dataclass
class MatchView:
    """Everything the stilling page shows from the current match run."""

    run_id: str
    created_at: str
    created_by: str
    ranking: list[RankedCandidate]
    excluded: list[Excluded]
    proposals: list[ProposalView]
    legend: list[TaskLegend]
    capacities: dict[str, int] = field(default_factory=dict)


def _local_zone() -> tzinfo | None:
    try:
        return ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:  # no tz database on this machine: show UTC and say so
        return None


LOCAL_ZONE = _local_zone()


def format_time(moment: datetime) -> str:
    """Danish date and time on the Copenhagen clock (stored timestamps are UTC)."""
    if LOCAL_ZONE is None:
        return moment.strftime("%d.%m.%Y kl. %H:%M") + " (UTC)"
    return moment.astimezone(LOCAL_ZONE).strftime("%d.%m.%Y kl. %H:%M")


def task_legend(position: Position) -> list[TaskLegend]:
    return [TaskLegend(t.id, t.title, t.hours_per_week, i % TASK_COLOURS) for i, t in enumerate(position.tasks)]


def proposal_view(row: orm.Proposal, position: Position, capacities: dict[str, int],
                  uncovered: list[dict] | None = None, *, stale: bool = False, current: bool = True) -> ProposalView:
    legend = {t.task_id: t for t in task_legend(position)}
    statuses = {p.candidate_id: p.status for p in row.persons}
    bars = []
    # The common scale: the requested hours, or a person's hours if a (partial) drawing ever exceeds it.
    scale = max([row.hours_requested, *(sum(a["hours_per_week"] for a in p["assignments"]) for p in row.people)])
    for person in row.people:
        segments = tuple(
            Segment(a["task_id"], legend[a["task_id"]].title if a["task_id"] in legend else a["task_id"],
                    a["hours_per_week"], legend[a["task_id"]].colour if a["task_id"] in legend else 0,
                    percent(a["hours_per_week"], scale))
            for a in person["assignments"])
        state = statuses.get(person["candidate_id"], ProposalStatus.open)
        moves = tuple(m for m in OUTCOMES if m in ALLOWED_MOVES.get(state, ()))
        latest = latest_event(row, person["candidate_id"])
        bars.append(PersonBar(person["candidate_id"], sum(s.hours for s in segments),
                              capacities.get(person["candidate_id"]), segments, state, moves,
                              latest.outcome if latest is not None else None))
    events = tuple(OutcomeEvent(e.outcome, e.reason, e.actor, format_time(e.at), e.candidate_id,
                                e.annulled_at is not None) for e in row.events)
    return ProposalView(
        id=row.id, rank=row.rank, kind=row.kind, status=row.status, hours_covered=row.hours_covered,
        hours_requested=row.hours_requested, coverage_width=percent(row.hours_covered, row.hours_requested),
        people=tuple(bars), events=events, uncovered=tuple(u.get("detail", "") for u in (uncovered or ())),
        stale=stale, current=current, run_created_at=format_time(row.match_run.created_at),
        alternative=row.alternative,
    )


def match_view(run: orm.MatchRun, position: Position, capacities: dict[str, int], *,
               stale: frozenset[str] | set[str] = frozenset(), older: list[orm.Proposal] = ()) -> MatchView:
    """The current run's proposals (each marked stale or not), then `older`: proposals of earlier runs
    kept because someone in them has an outcome (a rematch never retires those)."""
    response = MatchResponse.model_validate(_without_proposal_ids(run.response))
    uncovered_by_id = {p.get("proposal_id"): p.get("uncovered", []) for p in run.response.get("proposals", [])}
    proposals = [proposal_view(row, position, capacities, uncovered_by_id.get(row.id), stale=row.id in stale)
                 for row in sorted(run.proposals, key=lambda r: r.rank)]
    proposals += [proposal_view(row, position, capacities, current=False) for row in older]
    return MatchView(
        run_id=run.id, created_at=format_time(run.created_at), created_by=run.created_by,
        ranking=list(response.ranking), excluded=list(response.excluded), proposals=proposals,
        legend=task_legend(position), capacities=capacities,
    )


def _without_proposal_ids(payload: dict) -> dict:
    """The stored JSON carries `proposal_id` on each proposal, which the response contract does not know."""
    proposals = [{k: v for k, v in p.items() if k != "proposal_id"} for p in payload.get("proposals", [])]
    return {**payload, "proposals": proposals}
