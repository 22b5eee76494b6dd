"""Outcomes per person from the stilling page: record one (Kontaktet, Praktik, Ansat, Afvist, Trukket
tilbage) with the fields it needs, or undo the person's latest ("Fortryd"), through the audited use cases of
service.core.lifecycle (docs/lifecycle.md).

A refused request rolls back whatever was written and re-shows the stilling page with that person's form
open, the Danish message beside it and what was typed kept: 409 for a move the person's state does not
allow, 422 for a missing or unreadable field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models import orm
from models.diagnosis import diagnosis_warning
from models.placements import LifecycleError, OutcomeRequest
from models.vocabulary import ContractType, ProposalStatus, RejectedBy
from service.core import lifecycle
from service.core.auth.principal import Principal
from service.http.deps import get_session as db_session
from service.http.web.access import proposal_or_404
from service.http.web.auth import web_principal
from service.http.web.csrf import require_csrf
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.positions import detail_page
from service.http.web.templating import OUTCOME_LABELS

router = APIRouter(route_class=WebRoute)

# The outcomes a consultant records from the stilling page, per person.
UI_OUTCOMES = (ProposalStatus.contacted, ProposalStatus.praktik, ProposalStatus.hired, ProposalStatus.rejected,
               ProposalStatus.withdrawn)
REASON_REQUIRED = "Skriv en begrundelse, når forslaget afvises."
REJECTED_BY_REQUIRED = "Vælg hvem der afviste: virksomheden, borgeren eller jobcentret."
CONTRACT_REQUIRED = "Vælg ansættelsesform: fast eller tidsbegrænset."
UNDO_REASON_REQUIRED = "Skriv hvorfor udfaldet fortrydes."
FORM_FIELDS = ("candidate_id", "date", "end_date", "reason", "rejected_by", "hours_per_week", "contract", "outcome",
               "undo_reason")


TASK_HOURS_PREFIX = "task_hours-"  # the hire form's optional hours per task: task_hours-<task id>


def _typed(data) -> dict[str, str]:
    typed = {name: str(data.get(name) or "").strip() for name in FORM_FIELDS}
    typed.update({name: str(data.get(name) or "").strip() for name in data.keys() if name.startswith(TASK_HOURS_PREFIX)})
    return typed


def _back(request: Request, position_id: str, proposal_id: str) -> RedirectResponse:
    url = request.url_for("web_position", position_id=position_id)
    return RedirectResponse(f"{url}#forslag-{proposal_id}", status_code=303)


def _refused(request: Request, session: Session, principal: Principal, proposal_id: str, typed: dict[str, str],
             exc: LifecycleError) -> Response:
    """Nothing of the refused request stays written; the page comes back with the message and the input."""
    session.rollback()
    proposal, row = proposal_or_404(session, principal, proposal_id)
    key = f"{proposal.id}/{typed['candidate_id']}"
    response = detail_page(request, row, principal, session, status_code=409 if exc.conflict else 422,
                           outcome_errors={key: str(exc)}, outcome_values={key: typed})
    session.commit()  # the audit entries of the citizens the page shows
    return response


@router.post("/forslag/{proposal_id}/udfald", name="web_proposal_outcome", dependencies=[Depends(require_csrf)])
async def proposal_outcome(request: Request, proposal_id: str, principal: Principal = Depends(web_principal),
                           session: Session = Depends(db_session)) -> Response:
    """One person's outcome, with the fields a hire, a praktik or a rejection needs (docs/lifecycle.md)."""
    def record(proposal: orm.Proposal, typed: dict[str, str]) -> list[tuple[str, str]]:
        outcome_request = outcome_from_form(typed)
        lifecycle.record_outcome(session, principal, proposal, outcome_request,
                                 endpoint=f"POST /forslag/{proposal.id}/udfald")
        who = f" for {typed['candidate_id']}" if typed["candidate_id"] else ""
        said = [("ok", f"Udfald registreret{who}: {OUTCOME_LABELS[outcome_request.outcome]}.")]
        if warning := diagnosis_warning("Begrundelsen", outcome_request.reason or ""):
            said.append(("error", warning))
        return said

    return await _on_person(request, session, principal, proposal_id, record)


@router.post("/forslag/{proposal_id}/fortryd", name="web_proposal_undo", dependencies=[Depends(require_csrf)])
async def proposal_undo(request: Request, proposal_id: str, principal: Principal = Depends(web_principal),
                        session: Session = Depends(db_session)) -> Response:
    """"Fortryd": annul the person's latest outcome and every consequence of it (kept in the history)."""
    def undo(proposal: orm.Proposal, typed: dict[str, str]) -> list[tuple[str, str]]:
        if not typed["undo_reason"]:
            raise LifecycleError(UNDO_REASON_REQUIRED, field="reason")
        event = lifecycle.undo_outcome(session, principal, proposal, typed["candidate_id"] or None,
                                       typed["undo_reason"], endpoint=f"POST /forslag/{proposal.id}/fortryd")
        return [("ok", f"Fortrudt for {event.candidate_id}: {OUTCOME_LABELS[event.outcome]}. "
                       f"Borgeren står nu som «{OUTCOME_LABELS[event.previous_status].lower()}».")]

    return await _on_person(request, session, principal, proposal_id, undo)


async def _on_person(request: Request, session: Session, principal: Principal, proposal_id: str,
                     act: Callable[[orm.Proposal, dict[str, str]], list[tuple[str, str]]]) -> Response:
    """A form posted for one person of a proposal: `act` on what was typed and flash what it says after the
    commit, or, when it is refused, show the page again with the message and the input."""
    proposal, row = proposal_or_404(session, principal, proposal_id)
    typed = _typed(await request.form())
    try:
        said = act(proposal, typed)
    except LifecycleError as exc:
        return _refused(request, session, principal, proposal.id, typed, exc)
    session.commit()
    for kind, message in said:
        flash(request, kind, message)
    return _back(request, row.id, proposal.id)


def outcome_from_form(text: dict[str, str]) -> OutcomeRequest:
    """The outcome form's fields as an OutcomeRequest; missing or unreadable values are refused in Danish."""
    outcome = text["outcome"]
    if outcome not in UI_OUTCOMES:
        raise LifecycleError("Vælg et gyldigt udfald.", field="outcome")
    rejected, hired = outcome == ProposalStatus.rejected, outcome == ProposalStatus.hired
    if rejected and not text["reason"]:
        raise LifecycleError(REASON_REQUIRED, field="reason")
    # The selects always send a choice; a bare post (the case of a script) gets the forms' defaults.
    rejected_by = text["rejected_by"] or RejectedBy.jobcenter
    contract = text["contract"] or ContractType.permanent
    if rejected and rejected_by not in RejectedBy.codes():
        raise LifecycleError(REJECTED_BY_REQUIRED, field="rejected_by")
    if hired and contract not in ContractType.codes():
        raise LifecycleError(CONTRACT_REQUIRED, field="contract")
    task_hours = _task_hours(text) if hired else None
    total = text["hours_per_week"] or (str(sum(h for _, h in task_hours)) if task_hours else "")
    if hired and not total:
        raise LifecycleError("Skriv hvor mange timer om ugen borgeren er ansat.", field="hours_per_week")
    fixed_term = hired and contract == ContractType.fixed_term
    if fixed_term and not text["end_date"]:
        raise LifecycleError("En tidsbegrænset ansættelse skal have en slutdato.", field="end_date")
    return OutcomeRequest(
        outcome=outcome, candidate_id=text["candidate_id"] or None, date=_day(text["date"], "date"),
        end_date=_day(text["end_date"], "end_date") if outcome == ProposalStatus.praktik or fixed_term else None,
        reason=text["reason"] or None, rejected_by=rejected_by if rejected else None,
        hours_per_week=_whole(total) if hired else None, contract=contract if hired else None, task_hours=task_hours)


def _task_hours(text: dict[str, str]) -> tuple[tuple[str, int], ...] | None:
    """The hire's hours per task when the consultant filled any of them in (an empty field is 0 hours), else
    None: the hours then fall on the proposed tasks first."""
    given = {name[len(TASK_HOURS_PREFIX):]: value for name, value in text.items()
             if name.startswith(TASK_HOURS_PREFIX)}
    if not any(given.values()):
        return None
    if not all(value.isdigit() for value in given.values() if value):
        raise LifecycleError("Timerne på opgaverne skal være hele tal.", field="task_hours")
    return tuple((task_id, int(value or 0)) for task_id, value in sorted(given.items()))


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise LifecycleError(f"Datoen '{text}' kan ikke læses; skriv den som ÅÅÅÅ-MM-DD.", field=field) from None


def _whole(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise LifecycleError("Timer pr. uge skal være et helt tal.", field="hours_per_week")
    return int(text)


__all__ = ["UI_OUTCOMES", "outcome_from_form", "router"]
