"""Borgere: a searchable list and the borger page (profile, suggested positions, proposal history).

The profile shows functional restrictions (skånehensyn), never diagnoses, and no demographics: gender,
birth year and origin are kept for fairness monitoring only and have no place on a consultant's screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from matcher.supply import rank_positions
from models import orm, store
from models.catalogue import load_catalogue
from models.schemas import Candidate
from service.core.audit import audit, audit_many
from service.http.deps import get_session as db_session
from service.core.auth.principal import Principal
from service.http.web.access import citizen_or_404, visible_jobcenter_ids
from service.http.web.auth import web_principal
from service.http.web.errors import WebRoute
from service.http.web.templating import render
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


@router.get("/borgere", name="web_citizens")
def citizen_list(request: Request, q: str = "", principal: Principal = Depends(web_principal),
                 session: Session = Depends(db_session)) -> Response:
    query = (select(orm.Citizen).where(orm.Citizen.jobcenter_id.in_(visible_jobcenter_ids(session, principal)),
                                       orm.Citizen.active.is_(True))
             .order_by(orm.Citizen.id).limit(LIST_LIMIT))
    if q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(orm.Citizen.id).like(pattern),
                                func.lower(cast(orm.Citizen.competences, String)).like(pattern),
                                func.lower(cast(orm.Citizen.wishes, String)).like(pattern)))
    citizens = list(session.scalars(query).unique())
    for jobcenter in sorted({c.jobcenter.name for c in citizens}):
        shown = [c.id for c in citizens if c.jobcenter.name == jobcenter]
        audit_many(session, principal, "list", "GET /borgere", shown, jobcenter=jobcenter,
                   detail=f"{len(shown)} {'borger' if len(shown) == 1 else 'borgere'} vist")
    session.commit()
    return render(request, "citizens.html", {"citizens": citizens, "q": q, "nav": "borgere", "limit": LIST_LIMIT})


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
    """Every stored proposal that includes the citizen, newest run first."""
    # A text pre-filter on the JSON column (portable across SQLite and PostgreSQL), then an exact check.
    rows = session.execute(
        select(orm.Proposal, orm.MatchRun, orm.Position)
        .join(orm.MatchRun, orm.Proposal.match_run_id == orm.MatchRun.id)
        .join(orm.Position, orm.Proposal.position_id == orm.Position.id)
        .where(cast(orm.Proposal.people, String).like(f'%"{citizen_id}"%'),
               orm.MatchRun.jobcenter_id.in_(visible_jobcenter_ids(session, principal)))
        .order_by(orm.MatchRun.created_at.desc(), orm.Proposal.rank)).unique()
    out = []
    for proposal, run, position in rows:
        person = next((p for p in proposal.people if p["candidate_id"] == citizen_id), None)
        if person is None:
            continue
        titles = {t.task_id: t.title for t in position.tasks}
        out.append(HistoryLine(
            proposal.id, position.id, position.title, position.employer.name, format_time(run.created_at),
            proposal.kind, sum(a["hours_per_week"] for a in person["assignments"]),
            tuple(titles.get(a["task_id"], a["task_id"]) for a in person["assignments"]), proposal.status, run.current))
    return out


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


def suggested_positions(session: Session, candidate: Candidate, limit: int = 10) -> list[Suggestion]:
    """Supply-led: the open positions of the citizen's jobcentre that fit them best (matcher.supply)."""
    if candidate.status != "available":
        return []
    positions = store.open_positions(session, candidate.jobcenter)
    by_id = {p.id: p for p in positions}
    out = []
    for fit in rank_positions(candidate, positions, limit=limit):
        schema = by_id[fit.position_id]
        titles = {t.id: t.title for t in schema.tasks}
        out.append(Suggestion(
            position=session.get(orm.Position, fit.position_id), rank=fit.rank, score=fit.score,
            hours_offered=fit.hours_offered, tasks=tuple(titles[t] for t in fit.feasible_tasks),
            matched=tuple(dict.fromkeys(f"{m.required} ← {m.matched}" for m in fit.explanation.matched_competences)),
            accommodations=tuple(f"{a.label}: {a.detail}" for a in fit.explanation.accommodations),
            notes=tuple(fit.explanation.notes)))
    return out


@router.get("/borgere/{citizen_id}", name="web_citizen")
def citizen_detail(request: Request, citizen_id: str, principal: Principal = Depends(web_principal),
                   session: Session = Depends(db_session)) -> Response:
    citizen = citizen_or_404(session, principal, citizen_id)
    audit(session, principal, "read", f"GET /borgere/{citizen.id}", citizen_id=citizen.id,
          jobcenter=citizen.jobcenter.name)
    candidate = store.citizen_to_candidate(citizen)
    context = {
        "citizen": citizen, "candidate": candidate, "restrictions": restriction_lines(citizen),
        "suggestions": suggested_positions(session, candidate), "history": proposal_history(session, principal, citizen.id),
        "nav": "borgere",
    }
    session.commit()
    return render(request, "citizen_detail.html", context)
