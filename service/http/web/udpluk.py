"""Udpluk: the short, honest candidate list a consultant hands an employer.

Data minimisation is the point of this module: the employer sees competences, hours and the restrictions
that concern this position's tasks, nothing else. No LY months, no demographics, no CV free text (it can
hold health details), no restriction whose demand none of the tasks makes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from matcher.explain import lifting_gap_detail
from models import store
from models.catalogue import LICENCE_DEMAND, NUMERIC_DEMAND, load_catalogue
from models.danish import number
from models.vocabulary import EvidenceSource
from models.schemas import Candidate, Position, RankedCandidate
from service.core.auth.principal import Principal
from service.http.deps import get_session as db_session
from service.http.web.access import citizens_by_id, position_or_404
from service.http.web.auth import web_principal
from service.http.web.errors import WebRoute
from service.http.web.templating import render

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True)
class RelevantRestriction:
    label: str
    kind: str            # "cannot" (central, conflicts with a task), "accommodate" (less central), "limit" (no conflict)
    tasks: tuple[str, ...]
    text: str


def reference_code(key: str, position_id: str, candidate_id: str) -> str:
    """What the employer gets instead of the citizen's id: a code that means nothing outside the jobcentre
    (an HMAC under the server's secret key of the stilling and the citizen), the same every time, shown to
    the consultant beside the candidate on the stilling page, so a call back can be answered."""
    digest = hmac.new(key.encode("utf-8"), f"{position_id}\x1f{candidate_id}".encode("utf-8"), hashlib.sha256)
    code = base64.b32encode(digest.digest()[:5]).decode("ascii")
    return f"{code[:4]}-{code[4:]}"


def reference_key(request: Request) -> str:
    return request.app.state.web_secret_key


@dataclass(frozen=True)
class UdplukCandidate:
    reference: str
    candidate_id: str
    assignments: tuple[tuple[str, int], ...]   # (task title, hours) from the chosen proposal, or ()
    hours_offered: int
    feasible_tasks: tuple[str, ...]
    capacity_hours: int
    capacity_estimated: bool
    matched_competences: tuple[str, ...]
    competences: tuple[str, ...]
    restrictions: tuple[RelevantRestriction, ...]
    licence_note: str | None
    reference_code: str = ""


def relevant_restrictions(candidate: Candidate, position: Position) -> list[RelevantRestriction]:
    """The candidate's restrictions whose demand at least one of the position's tasks makes."""
    catalogue = load_catalogue()
    out = []
    for restriction in candidate.restrictions:
        spec = catalogue.restrictions[restriction.code]
        demanding = [t for t in position.tasks if t.demands.active().get(spec.demand)]
        if not demanding:
            continue
        if spec.demand == NUMERIC_DEMAND:
            label = f"Maks. løft {number(restriction.value or 0)} kg"
            conflicting = [t for t in demanding if t.demands.lifting_kg > (restriction.value or 0)]
        else:
            label = spec.label
            conflicting = demanding
        titles = tuple(t.title for t in conflicting)
        if not conflicting:
            heaviest = max(t.demands.lifting_kg for t in demanding)
            out.append(RelevantRestriction(label, "limit", (), f"Opgaverne kræver løft op til {number(heaviest)} kg."))
        elif restriction.severity == "soft":
            out.append(RelevantRestriction(label, "accommodate", titles, _accommodation_text(spec, restriction,
                                                                                             conflicting)))
        else:
            out.append(RelevantRestriction(label, "cannot", titles, "Kan ikke varetage: " + ", ".join(titles) + "."))
    return out


def _accommodation_text(spec, restriction, tasks) -> str:
    """What the employer must accommodate, with the concrete gap for a lifting limit ("Kræver hensyn i:
    Lager (opgaven kræver løft op til 11 kg; borgeren kan højst 5 kg).")."""
    if spec.demand != NUMERIC_DEMAND:
        return "Kræver hensyn i: " + ", ".join(t.title for t in tasks) + "."
    parts = [f"{t.title} ({lifting_gap_detail(t.demands.lifting_kg, restriction.value or 0)})" for t in tasks]
    return "Kræver hensyn i: " + ", ".join(parts) + "."


def _licence_note(candidate: Candidate, position: Position) -> str | None:
    if not any(t.demands.active().get(LICENCE_DEMAND) for t in position.tasks):
        return None
    return "Har kørekort." if candidate.driving_licence else "Har ikke kørekort."


def udpluk_candidate(number: int, candidate: Candidate, position: Position, ranked: RankedCandidate | None,
                     assignments: list[dict] | None) -> UdplukCandidate:
    titles = {t.id: t.title for t in position.tasks}
    matched = []
    if ranked is not None:
        # Terms found only in the CV free text are left out: that text may describe health, not skills.
        matched = list(dict.fromkeys(m.matched for m in ranked.explanation.matched_competences
                                     if m.source != EvidenceSource.cv))
    return UdplukCandidate(
        reference=f"Kandidat {number}", candidate_id=candidate.id,
        assignments=tuple((titles.get(a["task_id"], a["task_id"]), a["hours_per_week"]) for a in assignments or ()),
        hours_offered=ranked.hours_offered if ranked else sum(a["hours_per_week"] for a in assignments or ()),
        feasible_tasks=tuple(titles.get(t, t) for t in (ranked.feasible_tasks if ranked else ())),
        capacity_hours=candidate.capacity_hours, capacity_estimated=candidate.capacity_basis == "estimated",
        matched_competences=tuple(matched), competences=tuple(candidate.competences),
        restrictions=tuple(relevant_restrictions(candidate, position)),
        licence_note=_licence_note(candidate, position),
    )


def _selection(run_payload: dict, borger: list[str], forslag: str | None) -> tuple[list[str], dict[str, list[dict]]]:
    """Which candidates, in which order, and their assignments when a proposal was chosen. Only people of
    the current run can be chosen: a typed-in id of someone never matched is ignored."""
    ranked_ids = [r["candidate_id"] for r in run_payload.get("ranking", [])]
    assignments: dict[str, list[dict]] = {}
    chosen: list[str] = []
    for proposal in run_payload.get("proposals", []):
        if forslag and proposal.get("proposal_id") == forslag:
            for person in proposal["people"]:
                assignments[person["candidate_id"]] = person["assignments"]
                chosen.append(person["candidate_id"])
    chosen += [cid for cid in ranked_ids if cid in borger and cid not in chosen]
    return chosen, assignments


@router.get("/stillinger/{position_id}/udpluk", name="web_udpluk")
def udpluk(request: Request, position_id: str, borger: list[str] = Query(default=[]), forslag: str | None = None,
           principal: Principal = Depends(web_principal), session: Session = Depends(db_session)) -> Response:
    row = position_or_404(session, principal, position_id)
    position = store.position_to_schema(row)
    run = store.current_match_run(session, row.id)
    chosen, assignments = _selection(run.response, borger, forslag) if run else ([], {})
    citizens = citizens_by_id(session, principal, chosen, endpoint=f"GET /stillinger/{row.id}/udpluk")
    ranked = {r["candidate_id"]: RankedCandidate.model_validate(r) for r in (run.response.get("ranking", []) if run else [])}
    key = reference_key(request)
    cards = [replace(udpluk_candidate(n, store.citizen_to_candidate(citizens[cid]), position, ranked.get(cid),
                                      assignments.get(cid)), reference_code=reference_code(key, row.id, cid))
             for n, cid in enumerate((c for c in chosen if c in citizens), start=1)]
    session.commit()  # the audit entries
    return render(request, "udpluk.html", {"position": position, "cards": cards, "today": date.today().strftime("%d.%m.%Y")})
