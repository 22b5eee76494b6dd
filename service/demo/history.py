"""A plausible case history for the demo pool, recorded through the same use cases consultants use: some
positions matched over the last months, with people contacted, in praktik, hired (some of those jobs since
ended) and rejected, back-dated, so the start page and the follow-ups have content on a fresh `make demo`.

Deterministic (a fixed seed, positions in id order) and idempotent: a database that already holds the
demo's history is left as it is.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import orm
from models.placements import LifecycleError, OutcomeRequest
from models.schemas import MatchOptions
from models.vocabulary import ContractType, ProposalStatus, RejectedBy, Role
from service.core import lifecycle, matching
from service.core.auth.principal import Principal
from service.demo.once import record_once

DEMO_ACTOR = "demo"
PRINCIPAL = Principal(actor=DEMO_ACTOR, role=Role.admin, jobcenters=frozenset())
SEED = 2026
# Share of each jobcentre's open positions that get a history, and what happens to their first person.
SHARE_WITH_HISTORY = 0.35
STORIES = (("hired", 0.40), ("hired_then_ended", 0.10), ("praktik", 0.15), ("contacted", 0.15),
           ("rejected", 0.15), ("withdrawn", 0.05))
REJECTIONS = (
    (RejectedBy.employer, "Virksomheden kunne ikke tilbyde faste rutiner i den travle periode."),
    (RejectedBy.citizen, "Borgeren ønskede ikke at arbejde med kundekontakt."),
    (RejectedBy.employer, "Opgaverne krævede flere timer om ugen, end borgeren kan arbejde."),
    (RejectedBy.jobcenter, "Transporten til arbejdspladsen var for lang på dårlige dage."),
)


@dataclass
class HistorySummary:
    positions: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    already_there: bool = False


def has_history(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(orm.ProposalEvent)
                               .where(orm.ProposalEvent.actor == DEMO_ACTOR)))


def record_demo_history(session: Session, today: date | None = None) -> HistorySummary:
    """Match a share of each jobcentre's open positions and record back-dated outcomes on them."""
    return record_once(session, HistorySummary(), has_history, SEED, today, _record)


def _record(session: Session, summary: HistorySummary, today: date, draw: random.Random) -> None:
    positions = list(session.scalars(select(orm.Position).where(orm.Position.status == "open")
                                     .order_by(orm.Position.id)))
    for row in positions:
        if draw.random() >= SHARE_WITH_HISTORY:
            continue
        story = _pick(draw)
        if _tell(session, row, story, draw, today):
            summary.positions += 1
            summary.outcomes[story] = summary.outcomes.get(story, 0) + 1


def _pick(draw: random.Random) -> str:
    roll, total = draw.random(), 0.0
    for story, share in STORIES:
        total += share
        if roll < total:
            return story
    return STORIES[-1][0]


def _tell(session: Session, row: orm.Position, story: str, draw: random.Random, today: date) -> bool:
    try:
        run, response = matching.match_stored_position(
            session, PRINCIPAL, row, options=MatchOptions(limit=10, include_excluded=False),
            source="ui", endpoint="fleksmatch demo")
    except matching.PositionNotOpen:
        return False
    if not run.proposals:
        return False
    proposal = run.proposals[0]
    person = proposal.persons[0]
    try:
        for request in _events(story, person, draw, today):
            lifecycle.record_outcome(session, PRINCIPAL, proposal, request, endpoint="fleksmatch demo", today=today)
        _call_made_after_the_first_week(session, proposal, today)
        if story == "hired_then_ended":
            employment = session.scalars(select(orm.Employment).where(orm.Employment.proposal_id == proposal.id)).one()
            end = employment.start_date + timedelta(days=draw.randint(40, 90))
            lifecycle.end_employment(session, PRINCIPAL, employment, end_date=min(end, today - timedelta(days=3)),
                                     ended_reason="Opgaverne passede ikke til borgerens dagsform.",
                                     position_closed=False, endpoint="fleksmatch demo", today=today)
    except LifecycleError:
        return False
    session.flush()
    return True


def _call_made_after_the_first_week(session: Session, proposal: orm.Proposal, today: date) -> None:
    """A consultant would have made the first-week call of a job that began weeks ago."""
    for followup in session.scalars(select(orm.FollowUp).where(
            orm.FollowUp.proposal_id == proposal.id, orm.FollowUp.kind == "first_week_call",
            orm.FollowUp.due_date < today - timedelta(days=7))):
        lifecycle.close_followup(session, PRINCIPAL, followup, done=True, note="Godt i gang.",
                                 endpoint="fleksmatch demo")


def _events(story: str, person: orm.ProposalPerson, draw: random.Random, today: date) -> list[OutcomeRequest]:
    who, hours = person.candidate_id, person.hours
    contacted = OutcomeRequest(ProposalStatus.contacted, who, date=today - timedelta(days=draw.randint(11, 20)))
    if story == "contacted":
        return [contacted]
    if story == "withdrawn":
        return [contacted, OutcomeRequest(ProposalStatus.withdrawn, who, date=today - timedelta(days=5))]
    if story == "rejected":
        by, reason = REJECTIONS[draw.randrange(len(REJECTIONS))]
        return [contacted, OutcomeRequest(ProposalStatus.rejected, who, date=today - timedelta(days=4),
                                          rejected_by=by, reason=reason)]
    if story == "praktik":
        start = today - timedelta(days=draw.randint(5, 24))
        return [OutcomeRequest(ProposalStatus.praktik, who, date=start)]
    start = today - timedelta(days=draw.randint(10, 150))
    fixed = draw.random() < 0.4
    end = start + timedelta(days=draw.choice((182, 273, 365))) if fixed else None
    return [OutcomeRequest(ProposalStatus.contacted, who, date=start - timedelta(days=35)),
            OutcomeRequest(ProposalStatus.praktik, who, date=start - timedelta(days=28),
                           end_date=start - timedelta(days=1)),
            OutcomeRequest(ProposalStatus.hired, who, date=start, hours_per_week=hours,
                           contract=ContractType.fixed_term if fixed else ContractType.permanent, end_date=end)]


__all__ = ["DEMO_ACTOR", "HistorySummary", "has_history", "record_demo_history"]
