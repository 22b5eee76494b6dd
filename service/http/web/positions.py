"""Stillinger: list with search and status filter, create and edit with tasks, detail with ranked
candidates, proposals and outcome buttons."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models import orm, placements, store
from models.danish import counted
from models.diagnosis import diagnosis_warning
from models.placements import LifecycleError, OutcomeRequest
from models.vocabulary import ContractType, PositionStatus, ProposalStatus, RejectedBy
from service.core import lifecycle
from service.core.auth.principal import Principal
from service.core.matching import MatchConflict, PositionGone, PositionNotOpen
from service.http.deps import get_session as db_session
from service.http.deps import reads_before_writing
from service.http.problems import Problem
from service.http.web import forms
from service.http.web.access import (
    citizens_by_id, jobcenter_choices, position_or_404, proposal_or_404, visible_jobcenter_ids,
)
from service.http.web.auth import web_principal
from service.http.web.csrf import require_csrf
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.matching import match_position
from service.http.web.employers import place_warning
from service.http.web.position_employer import employer_options, resolve_workplace
from service.http.web.position_page import detail_additions
from service.http.web.templating import OUTCOME_LABELS, STATUS_LABELS, render
from service.http.web.udpluk import reference_code, reference_key
from service.http.web.views import match_view

router = APIRouter(route_class=WebRoute)

# The outcomes a consultant records from the stilling page, per person.
UI_OUTCOMES = (ProposalStatus.contacted, ProposalStatus.praktik, ProposalStatus.hired, ProposalStatus.rejected,
               ProposalStatus.withdrawn)
REASON_REQUIRED = "Skriv en begrundelse, når forslaget afvises."

FIELD_LABELS = {
    "title": "Titel", "jobcenter": "Jobcenter", "max_people": "Højst antal personer",
    "min_hours": "Mindst timer pr. person", "status": "Status", "employer_name": "Virksomhedens navn",
    "employer_size": "Størrelse", "employer_sector": "Sektor",
    "employer_max": "Højst antal fleksjobbere hos virksomheden", "tasks": "Opgaver",
    "employer_choice": "Virksomhed", "employer_cvr": "CVR-nummer", "employer_address": "Virksomhedens adresse",
    "employer_postcode": "Virksomhedens postnummer", "workplace_address": "Arbejdsstedets adresse",
    "workplace_postcode": "Arbejdsstedets postnummer",
}
TASK_FIELD_LABELS = {"title": "titel", "description": "beskrivelse", "hours": "timer pr. uge",
                     "lifting_kg": "løft (kg)", "competences": "kompetencer", "days": "ugedage",
                     "demands": "krav i opgaven"}


@router.get("/", name="web_home", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/stillinger", status_code=303)


@router.get("/stillinger", name="web_positions")
def position_list(request: Request, q: str = "", status: str = "open",
                  principal: Principal = Depends(web_principal), session: Session = Depends(db_session)) -> Response:
    query = (select(orm.Position).join(orm.Position.employer)
             .where(orm.Position.jobcenter_id.in_(visible_jobcenter_ids(session, principal)))
             .order_by(orm.Position.title, orm.Position.id))
    if status in PositionStatus.codes():
        query = query.where(orm.Position.status == status)
    else:
        status = "alle"
    if q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(orm.Position.title).like(pattern),
                                func.lower(orm.Employer.name).like(pattern), func.lower(orm.Position.id).like(pattern)))
    positions = list(session.scalars(query).unique())
    runs = _current_runs(session, [p.id for p in positions])
    rows = [{"position": p, "hours": sum(t.hours_per_week for t in p.tasks), "run": runs.get(p.id)} for p in positions]
    return render(request, "positions.html", {"rows": rows, "q": q, "status": status, "nav": "stillinger",
                                               "status_options": {"alle": "Alle", **STATUS_LABELS}})


def _current_runs(session: Session, position_ids: list[str]) -> dict[str, dict]:
    """Per position: when it was last matched and the best coverage of its proposals."""
    if not position_ids:
        return {}
    out: dict[str, dict] = {}
    rows = session.execute(select(orm.MatchRun.position_id, orm.MatchRun.created_at, orm.MatchRun.id)
                           .join(orm.Position, orm.Position.id == orm.MatchRun.position_id)
                           .where(orm.MatchRun.position_id.in_(position_ids), orm.MatchRun.current.is_(True),
                                  orm.MatchRun.jobcenter_id == orm.Position.jobcenter_id))
    for position_id, created_at, run_id in rows:
        best = session.execute(select(func.max(orm.Proposal.hours_covered), func.max(orm.Proposal.hours_requested))
                               .where(orm.Proposal.match_run_id == run_id)).one()
        out[position_id] = {"created_at": created_at, "covered": best[0], "requested": best[1]}
    return out


# ---- create and edit ----------------------------------------------------------------------------------


def _form_page(request: Request, form: forms.PositionForm, *, editing: bool, principal: Principal,
               session: Session, status_code: int = 200) -> Response:
    labels = dict(FIELD_LABELS)
    for number, task in enumerate(form.tasks, start=1):
        for key, text in TASK_FIELD_LABELS.items():
            labels[task.prefix() + key] = f"Opgave {number}, {text}"
    position_id = form.position_id
    context = {
        "form": form, "editing": editing, "field_labels": labels, "sizes": forms.EMPLOYER_SIZES,
        "sectors": forms.EMPLOYER_SECTORS, "jobcenter_choices": jobcenter_choices(principal, session),
        "employer_options": employer_options(session, principal),
        "heading": f"Rediger stilling: {form.title}" if editing else "Ny stilling",
        "action": request.url_for("web_position_update", position_id=position_id) if editing
        else request.url_for("web_position_create"),
        "cancel_url": request.url_for("web_position", position_id=position_id) if editing
        else request.url_for("web_positions"),
        "nav": None if editing else "ny",
    }
    return render(request, "position_form.html", context, status_code=status_code)


@router.get("/stillinger/ny", name="web_position_new")
def position_new(request: Request, virksomhed: str = "", principal: Principal = Depends(web_principal),
                 session: Session = Depends(db_session)) -> Response:
    form = forms.PositionForm(employer_choice="")
    employer = session.get(orm.Employer, virksomhed) if virksomhed else None
    if employer is not None and principal.can_see(employer.jobcenter.name):
        form.employer_choice, form.jobcenter = employer.id, employer.jobcenter.name
    form.add_blank_slots(forms.BLANK_TASK_SLOTS_NEW)
    return _form_page(request, form, editing=False, principal=principal, session=session)


@router.post("/stillinger/ny", name="web_position_create", dependencies=[Depends(require_csrf)])
async def position_create(request: Request, principal: Principal = Depends(web_principal),
                          session: Session = Depends(db_session)) -> Response:
    data = await request.form()
    form = forms.form_from_post(data)
    # A new stilling and its employer always get fresh ids: a posted id must not overwrite another, nor
    # tell whether it exists in another jobcentre.
    form.position_id = form.employer_id = ""
    return _save(request, form, data.get("action"), editing=False, principal=principal, session=session)


@router.get("/stillinger/{position_id}/rediger", name="web_position_edit")
def position_edit(request: Request, position_id: str, principal: Principal = Depends(web_principal),
                  session: Session = Depends(db_session)) -> Response:
    row = position_or_404(session, principal, position_id)
    form = forms.form_from_position(store.position_to_schema(row), status=row.status)
    form.workplace_address, form.workplace_postcode = row.address or "", row.postcode or ""
    form.add_blank_slots(forms.BLANK_TASK_SLOTS_EDIT)
    return _form_page(request, form, editing=True, principal=principal, session=session)


@router.post("/stillinger/{position_id}/rediger", name="web_position_update", dependencies=[Depends(require_csrf)])
async def position_update(request: Request, position_id: str, principal: Principal = Depends(web_principal),
                          session: Session = Depends(db_session)) -> Response:
    row = position_or_404(session, principal, position_id)
    data = await request.form()
    form = forms.form_from_post(data)
    form.position_id = row.id
    form.employer_id = row.employer_id  # the employer stays the stored one; its details may change
    if not jobcenter_choices(principal, session):
        form.jobcenter = row.jobcenter.name
    return _save(request, form, data.get("action"), editing=True, principal=principal, session=session)


def _save(request: Request, form: forms.PositionForm, action: object, *, editing: bool, principal: Principal,
          session: Session) -> Response:
    if action == "add_task":
        form.add_blank_slots(1)
        return _form_page(request, form, editing=editing, principal=principal, session=session)
    jobcenter = principal.target_jobcenter(form.jobcenter or None)
    if jobcenter is None:
        form.errors["jobcenter"] = "Vælg et jobcenter, du har adgang til."
    form.jobcenter = jobcenter or form.jobcenter
    if form.status not in PositionStatus.codes():
        form.errors["status"] = "Vælg en gyldig status."
    stored = session.get(orm.Position, form.position_id) if editing else None
    workplace = resolve_workplace(session, principal, form, jobcenter, stored)
    errors_before = dict(form.errors)
    position = forms.validate(form, location=workplace.place.location)
    form.errors = {**errors_before, **form.errors}
    if position is None or form.errors:
        return _form_page(request, form, editing=editing, principal=principal, session=session, status_code=422)
    while not editing and session.get(orm.Position, position.id) is not None:  # a random id taken: draw again
        position = position.model_copy(update={"id": forms.new_position_id()})
    if workplace.new_employer is not None:
        while session.get(orm.Employer, position.employer.id) is not None:
            position = position.model_copy(update={"employer": position.employer.model_copy(
                update={"id": forms.new_employer_id()})})
        employer = store.upsert_employer(session, position.employer, jobcenter, details=workplace.new_employer)
        new_place = workplace.new_employer_place
        store.set_place(employer, postcode=new_place.postcode if new_place else None,
                        location=new_place.location if new_place else None, address=workplace.new_employer.address)
    row = store.upsert_position(session, position, jobcenter, status=form.status)
    store.set_place(row, postcode=workplace.place.postcode, location=workplace.place.location,
                    address=workplace.address)
    placements.refresh_after_edit(session, row, on=date.today())
    session.commit()
    flash(request, "ok", "Stillingen er gemt." if editing else "Stillingen er oprettet.")
    place_warning(request, workplace.place)
    return RedirectResponse(request.url_for("web_position", position_id=position.id), status_code=303)


# ---- detail, matching and outcomes --------------------------------------------------------------------


def _detail_page(request: Request, row: orm.Position, principal: Principal, session: Session, *,
                 outcome_errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    position = store.position_to_schema(row)
    run = store.current_match_run(session, row.id)
    view = None
    citizens: dict[str, orm.Citizen] = {}
    if run is not None:
        ids = {r["candidate_id"] for r in run.response.get("ranking", [])}
        ids |= {p["candidate_id"] for prop in run.response.get("proposals", []) for p in prop["people"]}
        # "Hvorfor ikke" shows the excluded citizens' restriction-based reasons: their data is read too.
        ids |= {e["candidate_id"] for e in run.response.get("excluded", [])}
        citizens = citizens_by_id(session, principal, ids, endpoint=f"GET /stillinger/{row.id}")
        view = match_view(run, position, {cid: c.capacity_hours for cid, c in citizens.items()})
    key = reference_key(request)
    refs = {c.candidate_id: reference_code(key, row.id, c.candidate_id) for c in view.ranking} if view else {}
    context = {
        "row": row, "position": position, "view": view, "outcomes": UI_OUTCOMES, "nav": "stillinger",
        "rejected_by": RejectedBy.labels(), "contracts": ContractType.labels(), "today": date.today().isoformat(),
        "udpluk_refs": refs,
        "outcome_errors": outcome_errors or {}, "task_titles": {t.id: t.title for t in position.tasks},
        **detail_additions(request, session, principal, run, view, position, citizens),
    }
    return render(request, "position_detail.html", context, status_code=status_code)


@router.get("/stillinger/{position_id}", name="web_position")
def position_detail(request: Request, position_id: str, principal: Principal = Depends(web_principal),
                    session: Session = Depends(db_session)) -> Response:
    row = position_or_404(session, principal, position_id)
    response = _detail_page(request, row, principal, session)
    session.commit()  # the audit entries of the citizens shown
    return response


@router.post("/stillinger/{position_id}/match", name="web_position_match", dependencies=[Depends(require_csrf)])
@reads_before_writing
def position_match(request: Request, position_id: str, principal: Principal = Depends(web_principal),
                   session: Session = Depends(db_session)) -> Response:
    row = position_or_404(session, principal, position_id)
    back = RedirectResponse(request.url_for("web_position", position_id=row.id), status_code=303)
    try:
        response = match_position(request, session, principal, row)
    except PositionNotOpen as exc:
        flash(request, "error", f"{exc} Sæt status til Åben for at finde kandidater.")
        return back
    except MatchConflict as exc:
        flash(request, "error", str(exc))
        return back
    except PositionGone:
        raise Problem(404) from None
    flash(request, "ok", f"Matchningen er kørt: {counted(len(response.ranking), 'kandidat', 'kandidater')} "
                         f"{'passer' if response.ranking else 'passer ikke'}, "
                         f"{counted(len(response.proposals), 'forslag', 'forslag')}.")
    return back


@router.post("/forslag/{proposal_id}/udfald", name="web_proposal_outcome", dependencies=[Depends(require_csrf)])
async def proposal_outcome(request: Request, proposal_id: str, principal: Principal = Depends(web_principal),
                           session: Session = Depends(db_session)) -> Response:
    """One person's outcome, with the fields a hire, a praktik or a rejection needs (docs/lifecycle.md)."""
    proposal, row = proposal_or_404(session, principal, proposal_id)
    data = await request.form()
    candidate_id = str(data.get("candidate_id") or "") or None
    key = f"{proposal.id}/{candidate_id or ''}"
    try:
        outcome_request = outcome_from_form(data)
        lifecycle.record_outcome(session, principal, proposal, outcome_request,
                                 endpoint=f"POST /forslag/{proposal.id}/udfald")
    except LifecycleError as exc:
        session.rollback()
        return _detail_page(request, row, principal, session, status_code=409 if exc.conflict else 422,
                            outcome_errors={key: str(exc)})
    session.commit()
    who = f" for {candidate_id}" if candidate_id else ""
    flash(request, "ok", f"Udfald registreret{who}: {OUTCOME_LABELS[outcome_request.outcome]}.")
    if warning := diagnosis_warning("Begrundelsen", outcome_request.reason or ""):
        flash(request, "error", warning)
    url = request.url_for("web_position", position_id=row.id)
    return RedirectResponse(f"{url}#forslag-{proposal.id}", status_code=303)


def outcome_from_form(data) -> OutcomeRequest:
    """The outcome form's fields as an OutcomeRequest; unreadable values are refused in Danish."""
    outcome = str(data.get("outcome") or "")
    if outcome not in UI_OUTCOMES:
        raise LifecycleError("Vælg et gyldigt udfald.", field="outcome")
    text = {name: str(data.get(name) or "").strip() for name in (
        "candidate_id", "date", "end_date", "reason", "rejected_by", "hours_per_week", "contract")}
    if outcome == ProposalStatus.rejected and not text["reason"]:
        raise LifecycleError(REASON_REQUIRED, field="reason")
    return OutcomeRequest(
        outcome=outcome, candidate_id=text["candidate_id"] or None, date=_day(text["date"], "date"),
        end_date=_day(text["end_date"], "end_date"), reason=text["reason"] or None,
        rejected_by=(text["rejected_by"] or RejectedBy.jobcenter) if outcome == ProposalStatus.rejected else None,
        hours_per_week=_whole(text["hours_per_week"]) if outcome == ProposalStatus.hired else None,
        contract=(text["contract"] or ContractType.permanent) if outcome == ProposalStatus.hired else None)


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
