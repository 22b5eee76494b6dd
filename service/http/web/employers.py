"""Virksomheder: a searchable list, a page per virksomhed (details, contact person, its stillinger) and a
form to create or edit one. The address's postcode gives the coordinates distances are measured from."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from models import orm, store
from service.core.auth.principal import Principal
from service.http.deps import get_session as db_session
from service.http.deps import load_scoped
from service.http.web import employer_form
from service.http.web.access import jobcenter_choices, visible_jobcenter_ids
from service.http.web.auth import web_principal
from service.http.web.csrf import require_csrf
from service.http.web.employer_form import EmployerForm, ValidEmployer
from service.http.web.errors import WebRoute
from service.http.web.flash import flash
from service.http.web.forms import EMPLOYER_SECTORS, EMPLOYER_SIZES
from service.http.web.templating import render

router = APIRouter(route_class=WebRoute)
LIST_LIMIT = 200


def employer_or_404(session: Session, principal: Principal, employer_id: str) -> orm.Employer:
    return load_scoped(session, principal, orm.Employer, employer_id)


@router.get("/virksomheder", name="web_employers")
def employer_list(request: Request, q: str = "", principal: Principal = Depends(web_principal),
                  session: Session = Depends(db_session)) -> Response:
    positions = (select(orm.Position.employer_id, func.count().label("total"),
                        func.sum(case((orm.Position.status == "open", 1), else_=0)).label("open"))
                 .group_by(orm.Position.employer_id).subquery())
    query = (select(orm.Employer, positions.c.total, positions.c.open)
             .outerjoin(positions, positions.c.employer_id == orm.Employer.id)
             .where(orm.Employer.jobcenter_id.in_(visible_jobcenter_ids(session, principal)))
             .order_by(orm.Employer.name, orm.Employer.id).limit(LIST_LIMIT))
    if q.strip():
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(orm.Employer.name).like(pattern), orm.Employer.cvr.like(pattern),
                                func.lower(orm.Employer.contact_name).like(pattern), orm.Employer.postcode.like(pattern)))
    rows = [{"employer": e, "total": total or 0, "open": open_ or 0, "place": employer_form.place_for(e.postcode or "")}
            for e, total, open_ in session.execute(query).unique()]
    return render(request, "employers.html", {"rows": rows, "q": q, "nav": "virksomheder", "limit": LIST_LIMIT,
                                              "multi": jobcenter_choices(principal, session) is not None})


@router.get("/virksomheder/ny", name="web_employer_new")
def employer_new(request: Request, principal: Principal = Depends(web_principal),
                 session: Session = Depends(db_session)) -> Response:
    return _form_page(request, EmployerForm(), editing=False, principal=principal, session=session)


@router.post("/virksomheder/ny", name="web_employer_create", dependencies=[Depends(require_csrf)])
async def employer_create(request: Request, principal: Principal = Depends(web_principal),
                          session: Session = Depends(db_session)) -> Response:
    form = employer_form.form_from_post(await request.form())
    return _save(request, form, None, principal=principal, session=session)


@router.get("/virksomheder/{employer_id}", name="web_employer")
def employer_detail(request: Request, employer_id: str, principal: Principal = Depends(web_principal),
                    session: Session = Depends(db_session)) -> Response:
    row = employer_or_404(session, principal, employer_id)
    positions = list(session.scalars(select(orm.Position).where(orm.Position.employer_id == row.id)
                                     .order_by(orm.Position.status, orm.Position.title, orm.Position.id)).unique())
    context = {"employer": row, "positions": positions, "place": employer_form.place_for(row.postcode or ""),
               "nav": "virksomheder", "sizes": EMPLOYER_SIZES, "sectors": EMPLOYER_SECTORS}
    return render(request, "employer_detail.html", context)


@router.get("/virksomheder/{employer_id}/rediger", name="web_employer_edit")
def employer_edit(request: Request, employer_id: str, principal: Principal = Depends(web_principal),
                  session: Session = Depends(db_session)) -> Response:
    row = employer_or_404(session, principal, employer_id)
    return _form_page(request, employer_form.form_from_employer(row), editing=True, principal=principal,
                      session=session)


@router.post("/virksomheder/{employer_id}/rediger", name="web_employer_update", dependencies=[Depends(require_csrf)])
async def employer_update(request: Request, employer_id: str, principal: Principal = Depends(web_principal),
                          session: Session = Depends(db_session)) -> Response:
    row = employer_or_404(session, principal, employer_id)
    form = employer_form.form_from_post(await request.form())
    form.employer_id = row.id
    if not jobcenter_choices(principal, session):
        form.jobcenter = row.jobcenter.name
    return _save(request, form, row, principal=principal, session=session)


def _form_page(request: Request, form: EmployerForm, *, editing: bool, principal: Principal, session: Session,
               status_code: int = 200) -> Response:
    context = {
        "form": form, "editing": editing, "field_labels": employer_form.FIELD_LABELS, "sizes": EMPLOYER_SIZES,
        "sectors": EMPLOYER_SECTORS, "jobcenter_choices": jobcenter_choices(principal, session),
        "heading": f"Rediger virksomhed: {form.name}" if editing else "Ny virksomhed",
        "action": request.url_for("web_employer_update", employer_id=form.employer_id) if editing
        else request.url_for("web_employer_create"),
        "cancel_url": request.url_for("web_employer", employer_id=form.employer_id) if editing
        else request.url_for("web_employers"),
        "nav": "virksomheder",
    }
    return render(request, "employer_form.html", context, status_code=status_code)


def save_employer(session: Session, valid: ValidEmployer, jobcenter: str) -> orm.Employer:
    """Upsert the employer with its details and place (shared with the stilling form's "ny virksomhed")."""
    row = store.upsert_employer(session, valid.employer, jobcenter, details=valid.details)
    store.set_place(row, postcode=valid.place.postcode, location=valid.place.location,
                    address=valid.details.address)
    session.flush()
    return row


def place_warning(request: Request, place: employer_form.Place) -> None:
    if place.unknown:
        flash(request, "info", f"Postnummer {place.postcode} findes ikke i FleksMatchs liste over postnumre, så "
                               "afstande kan ikke beregnes. Tjek postnummeret.")
    elif place.postcode is None:
        flash(request, "info", "Uden postnummer kan afstande og borgernes transportgrænser ikke bruges.")


def _save(request: Request, form: EmployerForm, existing: orm.Employer | None, *, principal: Principal,
          session: Session) -> Response:
    jobcenter = principal.target_jobcenter(form.jobcenter or None)
    if jobcenter is None:
        form.errors["jobcenter"] = "Vælg et jobcenter, du har adgang til."
    valid = employer_form.validate(form)
    if valid is None or jobcenter is None:
        return _form_page(request, form, editing=existing is not None, principal=principal, session=session,
                          status_code=422)
    if existing is None and session.get(orm.Employer, valid.employer.id) is not None:
        form.errors["name"] = "Virksomheds-id'et findes allerede; prøv at gemme igen."
        return _form_page(request, form, editing=False, principal=principal, session=session, status_code=422)
    row = save_employer(session, valid, jobcenter)
    session.commit()
    flash(request, "ok", "Virksomheden er gemt." if existing else "Virksomheden er oprettet.")
    place_warning(request, valid.place)
    return RedirectResponse(request.url_for("web_employer", employer_id=row.id), status_code=303)


__all__ = ["employer_or_404", "jobcenter_choices", "place_warning", "router", "save_employer"]
