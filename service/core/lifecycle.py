"""Use cases of the placement lifecycle (docs/lifecycle.md), shared by the API and the web UI: record an
outcome for one person, undo it, end an employment, record paid hours, close a follow-up; and the views
both doors show (a position's proposals with their people and staleness). Every use case writes its audit
entries with the citizen's id, in the caller's transaction. Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import orm, placements
from models.placements import OutcomeRequest
from models.vocabulary import ProposalStatus
from service.core.audit import audit, audit_reads
from service.core.auth.principal import Principal


def _jobcenter(proposal: orm.Proposal) -> str:
    return proposal.position.jobcenter.name


def record_outcome(session: Session, principal: Principal, proposal: orm.Proposal, request: OutcomeRequest, *,
                   endpoint: str, today: date | None = None) -> orm.ProposalEvent:
    """Record one person's outcome with all its consequences, and log it. Raises LifecycleError."""
    event = placements.record_outcome(session, proposal, request, actor=principal.actor, today=today or date.today())
    audit(session, principal, "update", endpoint, citizen_id=event.candidate_id, jobcenter=_jobcenter(proposal),
          detail=f"udfald: {event.outcome}")
    return event


def undo_outcome(session: Session, principal: Principal, proposal: orm.Proposal, candidate_id: str | None,
                 reason: str, *, endpoint: str, today: date | None = None) -> orm.ProposalEvent:
    event = placements.undo_latest(session, proposal, candidate_id, actor=principal.actor, reason=reason,
                                   today=today or date.today())
    audit(session, principal, "update", endpoint, citizen_id=event.candidate_id, jobcenter=_jobcenter(proposal),
          detail=f"fortrudt: {event.outcome}")
    return event


def end_employment(session: Session, principal: Principal, employment: orm.Employment, *, end_date: date,
                   ended_reason: str | None, position_closed: bool, endpoint: str,
                   today: date | None = None) -> orm.Employment:
    placements.end_employment(session, employment, end_date=end_date, ended_reason=ended_reason,
                              position_closed=position_closed, today=today or date.today())
    audit(session, principal, "update", endpoint, citizen_id=employment.citizen_id,
          jobcenter=employment_jobcenter(session, employment), detail=f"ansættelse afsluttet {end_date:%d.%m.%Y}")
    return employment


def record_paid_hours(session: Session, principal: Principal, employment: orm.Employment, month: str,
                      paid_hours: float, *, endpoint: str) -> orm.PaidHours:
    row = placements.set_paid_hours(session, employment, month, paid_hours)
    audit(session, principal, "update", endpoint, citizen_id=employment.citizen_id,
          jobcenter=employment_jobcenter(session, employment), detail=f"løntimer {month}")
    return row


def close_followup(session: Session, principal: Principal, followup: orm.FollowUp, *, done: bool,
                   note: str | None, endpoint: str) -> orm.FollowUp:
    placements.mark_followup(session, followup, done=done, note=note, actor=principal.actor)
    audit(session, principal, "update", endpoint, citizen_id=followup.citizen_id,
          jobcenter=session.get(orm.Jobcenter, followup.jobcenter_id).name, detail=f"opfølgning: {followup.kind}")
    return followup


def employment_jobcenter(session: Session, employment: orm.Employment) -> str:
    return session.get(orm.Jobcenter, employment.jobcenter_id).name


# ---- a position's proposals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalView:
    """A proposal as both doors show it: whether it is of the current run, and whether it went stale."""

    proposal: orm.Proposal
    current: bool
    stale: bool


def position_proposals(session: Session, position: orm.Position) -> list[ProposalView]:
    """The proposals of the position's current run plus every older proposal in which someone has an
    outcome, newest run first, each with its staleness."""
    query = (select(orm.Proposal).join(orm.MatchRun, orm.Proposal.match_run_id == orm.MatchRun.id)
             .where(orm.Proposal.position_id == position.id,
                    # runs belong to the jobcentre they were made for (a moved position starts afresh)
                    orm.MatchRun.jobcenter_id == position.jobcenter_id,
                    or_(orm.MatchRun.current.is_(True), orm.Proposal.status != ProposalStatus.open))
             .order_by(orm.MatchRun.created_at.desc(), orm.MatchRun.id, orm.Proposal.rank))
    proposals = list(session.scalars(query))
    stale = stale_proposals(session, proposals)
    return [ProposalView(p, p.match_run.current, p.id in stale) for p in proposals]


def stale_proposals(session: Session, proposals: list[orm.Proposal]) -> set[str]:
    """The proposals whose position or any of whose citizens changed after their run: an edit of the
    position, its employer or a citizen, or a lifecycle change made through another proposal (an outcome
    or an undo for one of its people, an outcome that holds or fills hours of its position, an ended
    employment)."""
    if not proposals:
        return set()
    since = min(p.match_run.created_at for p in proposals)
    people = {person.candidate_id for p in proposals for person in p.persons}
    positions = {p.position_id for p in proposals}
    by_citizen, by_position = _changes_since(session, since, people, positions)
    citizens = {c.id: c.updated_at for c in _citizens(session, people)}
    stale = set()
    for proposal in proposals:
        made = proposal.match_run.created_at
        position = proposal.position
        changed = position.updated_at > made or position.employer.updated_at > made or any(
            at > made and source != proposal.id for at, source in by_position.get(proposal.position_id, ()))
        for person in proposal.persons:
            edited = citizens.get(person.candidate_id)
            changed = changed or edited is None or edited > made or any(
                at > made and source != proposal.id for at, source in by_citizen.get(person.candidate_id, ()))
        if changed:
            stale.add(proposal.id)
    return stale


Change = tuple[datetime, str | None]


def _changes_since(session: Session, since: datetime, people: set[str], positions: set[str]
                   ) -> tuple[dict[str, list[Change]], dict[str, list[Change]]]:
    """When lifecycle facts of these citizens and positions changed, and through which proposal."""
    by_citizen: dict[str, list[Change]] = defaultdict(list)
    by_position: dict[str, list[Change]] = defaultdict(list)
    events = session.scalars(select(orm.ProposalEvent).where(
        or_(orm.ProposalEvent.candidate_id.in_(people), orm.ProposalEvent.position_id.in_(positions)),
        or_(orm.ProposalEvent.at > since, orm.ProposalEvent.annulled_at > since)))
    for event in events:
        moments = [m for m in (event.at, event.annulled_at) if m is not None]
        for moment in moments:
            by_citizen[event.candidate_id].append((moment, event.proposal_id))
            if event.outcome not in (ProposalStatus.rejected, ProposalStatus.withdrawn):
                by_position[event.position_id].append((moment, event.proposal_id))
    ended = session.scalars(select(orm.Employment).where(
        or_(orm.Employment.citizen_id.in_(people), orm.Employment.position_id.in_(positions)),
        orm.Employment.ended_at > since))
    for employment in ended:
        by_citizen[employment.citizen_id].append((employment.ended_at, employment.proposal_id))
        by_position[employment.position_id].append((employment.ended_at, employment.proposal_id))
    return by_citizen, by_position


def _citizens(session: Session, ids: set[str]) -> list[orm.Citizen]:
    return list(session.scalars(select(orm.Citizen).where(orm.Citizen.id.in_(sorted(ids))))) if ids else []


def person_history(proposal: orm.Proposal, candidate_id: str) -> list[orm.ProposalEvent]:
    """The person's events in the proposal, oldest first, annulled ones included (and marked)."""
    return [e for e in proposal.events if e.candidate_id == candidate_id]


def audit_proposal_people(session: Session, principal: Principal, proposals: list[orm.Proposal], *,
                          endpoint: str) -> None:
    """Log the read of every person the listed proposals show (ends the session's read transaction)."""
    by_jobcenter: dict[str | None, list[str]] = defaultdict(list)
    for proposal in proposals:
        by_jobcenter[_jobcenter(proposal)] += [p.candidate_id for p in proposal.persons]
    audit_reads(session, principal, endpoint, dict(by_jobcenter))


__all__ = [
    "ProposalView", "audit_proposal_people", "close_followup", "employment_jobcenter", "end_employment",
    "person_history", "position_proposals", "record_outcome", "record_paid_hours", "stale_proposals",
    "undo_outcome",
]
