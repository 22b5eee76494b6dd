"""Borgere: a searchable list and the borger page (profile, suggested positions, proposal history).

The profile shows functional restrictions (skånehensyn), never diagnoses, and no demographics: gender,
birth year and origin are kept for fairness monitoring only and have no place on a consultant's screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from matcher.explain import ESTIMATED_CAPACITY_NOTE, competence_sentence
from models import orm, placements, store
from models.catalogue import load_catalogue
from models.danish import counted
from models.schemas import Candidate
from service.core import lifecycle
from service.core.audit import audit, audit_many
from service.core.matching import rank_for_citizen
from service.core.pool import OpenSide
from service.http.deps import get_session as db_session
from service.core.auth.principal import Principal
from service.http.web.access import citizen_or_404, visible_jobcenter_ids
from service.http.web.auth import web_principal
from service.http.web.citizen_search import ALL, CitizenFilter, citizen_query, count_of
from service.http.web.errors import WebRoute
from service.http.web.candidates import GENERAL_NOTES
from service.http.web.reason_text import accommodation_lines
from service.http.web.templating import CITIZEN_STATUS_LABELS, render
from service.http.web.views import format_time

router = APIRouter(route_class=WebRoute)
LIST_LIMIT = 200


@dataclass(frozen=True)
class RestrictionLine:
    label: str
    severity: str
    description: str


@dataclass(frozen=True)
class HistoryLine:
    proposal_id: str
    position_id: str
    position_title: str
    employer_name: str
    created_at: str
    kind: str
    hours: int
    tasks: tuple[str, ...]
    status: str
    current: bool
    stale: bool = False


@dataclass(frozen=True)
class EmploymentLine:
    id: str
    position_id: str
    position_title: str
    employer_name: str
    hours: int
    start: date
    end: date | None
    contract: str
    active: bool
    ended_reason: str | None


@dataclass(frozen=True)
class HistorySpan:
    status: str
    start: date
    end: date | None


@router.get("/borgere", name="web_citizens")
def citizen_list(request: Request, principal: Principal = Depends(web_principal),
                 session: Session = Depends(db_session)) -> Response:
    wanted = CitizenFilter.from_params(request.query_params)
    query = citizen_query(session, principal, wanted)
    citizens = list(session.scalars(query.limit(LIST_LIMIT)).unique())
    total = len(citizens) if len(citizens) < LIST_LIMIT else count_of(session, query)
    for jobcenter in sorted({c.jobcenter.name for c in citizens}):
        shown = [c.id for c in citizens if c.jobcenter.name == jobcenter]
        audit_many(session, principal, "list", "GET /borgere", shown, jobcenter=jobcenter,
                   detail=f"{counted(len(shown), 'borger', 'borgere')} vist")
    session.commit()
    jobcenters = sorted(principal.jobcenters) if not principal.is_admin else sorted(
        session.scalars(select(orm.Jobcenter.name)))
    return render(request, "citizens.html", {
        "citizens": citizens, "total": total, "filter": wanted, "q": wanted.q, "nav": "borgere", "limit": LIST_LIMIT,
        "jobcenters": jobcenters if len(jobcenters) > 1 else None,
        "status_options": {ALL: "Alle", **CITIZEN_STATUS_LABELS}})


def restriction_lines(citizen: orm.Citizen) -> list[RestrictionLine]:
    catalogue = load_catalogue()
    lines = []
    for r in citizen.restrictions:
        spec = catalogue.restrictions.get(r.code)
        if spec is None:
            lines.append(RestrictionLine(r.code, r.severity, ""))
            continue
        label = f"Maks. løft {r.value:g} kg" if spec.takes_value and r.value is not None else spec.label
        lines.append(RestrictionLine(label, r.severity, spec.description))
    return lines


def proposal_history(session: Session, principal: Principal, citizen_id: str) -> list[HistoryLine]:
    """Every stored proposal that includes the citizen, newest run first, with the citizen's own state in
    it; a proposal of a current run is marked stale when it is (service.core.lifecycle.stale_proposals)."""
    # A text pre-filter on the JSON column (portable across SQLite and PostgreSQL), then an exact check.
    rows = session.execute(
        select(orm.Proposal, orm.MatchRun, orm.Position)
        .join(orm.MatchRun, orm.Proposal.match_run_id == orm.MatchRun.id)
        .join(orm.Position, orm.Proposal.position_id == orm.Position.id)
        .where(cast(orm.Proposal.people, String).like(f'%"{citizen_id}"%'),
               orm.MatchRun.jobcenter_id.in_(visible_jobcenter_ids(session, principal)))
        .order_by(orm.MatchRun.created_at.desc(), orm.Proposal.rank)).unique()
    found = [(proposal, run, position) for proposal, run, position in rows
             if any(p["candidate_id"] == citizen_id for p in proposal.people)]
    stale = lifecycle.stale_proposals(session, [proposal for proposal, run, _ in found if run.current])
    out = []
    for proposal, run, position in found:
        person = next(p for p in proposal.people if p["candidate_id"] == citizen_id)
        state = next((p.status for p in proposal.persons if p.candidate_id == citizen_id), proposal.status)
        titles = {t.task_id: t.title for t in position.tasks}
        out.append(HistoryLine(
            proposal.id, position.id, position.title, position.employer.name, format_time(run.created_at),
            proposal.kind, sum(a["hours_per_week"] for a in person["assignments"]),
            tuple(titles.get(a["task_id"], a["task_id"]) for a in person["assignments"]), state, run.current,
            proposal.id in stale))
    return out


def employment_lines(session: Session, employments: list[orm.Employment], today: date) -> list[EmploymentLine]:
    """The citizen's employments, newest first, with where they are."""
    out = []
    for employment in reversed(employments):
        position = session.get(orm.Position, employment.position_id)
        employer = session.get(orm.Employer, employment.employer_id)
        out.append(EmploymentLine(
            employment.id, employment.position_id, position.title if position else employment.position_id,
            employer.name if employer else employment.employer_id, employment.hours_per_week,
            employment.start_date, employment.end_date, employment.contract,
            placements.employment_status(employment, today) == "active" and employment.ended_at is None,
            employment.ended_reason))
    return out


def lifecycle_context(session: Session, citizen: orm.Citizen, today: date) -> dict:
    """What the citizen page shows of the lifecycle: employments, free hours, today's status and its history."""
    facts = placements.citizen_lifecycle(session, citizen, today)
    return {
        "employments": employment_lines(session, facts.employments, today), "available_hours": facts.available_hours,
        "status_today": facts.status, "today": today.isoformat(),
        "status_history": [HistorySpan(s.status, s.start, s.end) for s in reversed(facts.history)],
    }


@dataclass(frozen=True)
class Suggestion:
    position: orm.Position
    rank: int
    score: float
    hours_offered: int
    tasks: tuple[str, ...]
    matched: tuple[str, ...]
    accommodations: tuple[str, ...]
    notes: tuple[str, ...]


def suggested_positions(session: Session, citizen: orm.Citizen, limit: int = 10,
                        side: OpenSide | None = None) -> list[Suggestion]:
    """Supply-led: the open positions of the citizen's jobcentre that fit them best, as matching sees the
    citizen today (service.core.matching.rank_for_citizen)."""
    fits, side = rank_for_citizen(session, citizen, side=side, limit=limit)
    by_id = {p.id: p for p in side.positions}
    limits = {r.code: r.value for r in citizen.restrictions if r.value is not None}
    out = []
    for fit in fits:
        schema = by_id[fit.position_id]
        titles = {t.id: t.title for t in schema.tasks}
        out.append(Suggestion(
            position=session.get(orm.Position, fit.position_id), rank=fit.rank, score=fit.score,
            hours_offered=fit.hours_offered, tasks=tuple(titles[t] for t in fit.feasible_tasks),
            matched=tuple(dict.fromkeys(competence_sentence(m) for m in fit.explanation.matched_competences)),
            accommodations=tuple(f"{line.heading}: {line.text}" for line in accommodation_lines(
                fit.explanation.accommodations, schema, limits)),
            notes=tuple(n for n in dict.fromkeys(fit.explanation.notes) if n not in GENERAL_NOTES)))
    return out


def _open_side(request: Request, session: Session, citizen: orm.Citizen) -> OpenSide | None:
    cache = getattr(request.app.state, "pool_cache", None)
    return cache.open_side(session, citizen.jobcenter.name) if cache is not None else None


def general_notes(suggestions: list[Suggestion], candidate: Candidate) -> list[str]:
    """Notes about the citizen rather than a position, said once above the suggestions."""
    if not suggestions:
        return []
    return [ESTIMATED_CAPACITY_NOTE] if candidate.capacity_basis == "estimated" else []


@router.get("/borgere/{citizen_id}", name="web_citizen")
def citizen_detail(request: Request, citizen_id: str, principal: Principal = Depends(web_principal),
                   session: Session = Depends(db_session)) -> Response:
    citizen = citizen_or_404(session, principal, citizen_id)
    response = citizen_page(request, session, principal, citizen)
    session.commit()
    return response


def citizen_page(request: Request, session: Session, principal: Principal, citizen: orm.Citizen, *,
                 employment_errors: dict[str, str] | None = None, employment_values: dict[str, dict] | None = None,
                 status_code: int = 200) -> Response:
    """The borger page (its read audited); after a refused end of an employment, the message and what was
    typed beside that employment. Does not commit."""
    audit(session, principal, "read", f"GET /borgere/{citizen.id}", citizen_id=citizen.id,
          jobcenter=citizen.jobcenter.name)
    candidate = store.citizen_to_candidate(citizen)
    suggestions = suggested_positions(session, citizen, side=_open_side(request, session, citizen))
    context = {
        "citizen": citizen, "candidate": candidate, "restrictions": restriction_lines(citizen),
        "suggestions": suggestions, "suggestion_notes": general_notes(suggestions, candidate),
        "history": proposal_history(session, principal, citizen.id),
        "nav": "borgere", "employment_errors": employment_errors or {}, "employment_values": employment_values or {},
        **lifecycle_context(session, citizen, date.today()),
    }
    return render(request, "citizen_detail.html", context, status_code=status_code)
