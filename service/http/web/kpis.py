"""Nøgletal: the team leader's page (docs/kpis.md). SK1–SK3 per month with their targets and the national
figures as server-drawn charts, the months as a table in which every figure opens the citizens behind it, and
fairness monitoring over the same period. For team leaders (their jobcentre) and administrators (any).

The overview shows aggregates only (one audit entry per look); the list pages name citizens and log each of
them as read (service.core.kpis).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from models import orm
from models.danish import counted, number, percent, plural
from models.kpis import NATIONAL, NATIONAL_MONTH, SK2_REPORT_RANGE, TARGETS, KpiValue, MonthKpis
from models.months import month_of
from models.vocabulary import Role
from service.core import kpis
from service.core.auth.principal import Principal
from service.core.kpis import KpiRequestError
from service.http.deps import get_session as db_session
from service.http.problems import Problem
from service.http.web.auth import web_principal
from service.http.web.errors import WebRoute
from service.http.web.kpi_charts import kpi_chart, month_label
from service.http.web.templating import render

router = APIRouter(route_class=WebRoute)
PAGE_MONTHS = 24
ENDPOINT = "GET /nogletal"
LIST_ENDPOINT = "GET /nogletal/{kpi}"


@dataclass(frozen=True)
class KpiText:
    code: str
    name: str
    title: str
    unit_one: str
    unit_many: str
    sentence: str        # "{n} af {d} {unit} …"
    list_title: str


TEXTS = {
    "sk1": KpiText("sk1", "SK1", "Andel i fleksjob", "fuldtidsperson", "fuldtidspersoner",
                   "{n} af {d} {unit} i ordningen er i fleksjob.", "Borgere på ledighedsydelse, længst først"),
    "sk2": KpiText("sk2", "SK2", "Ledighedsforløb afsluttet inden 6 måneder", "forløb", "forløb",
                   "{n} af {d} afsluttede {unit} (de seneste tre måneder) varede under 6 måneder.",
                   "Forløb der nærmer sig 6 måneder"),
    "sk3": KpiText("sk3", "SK3", "Progression i små fleksjob", "person", "personer",
                   "{n} af {d} {unit} i fleksjob på højst 10 timer i mindst et år er gået op i timer.",
                   "Ansættelser hvor timerne ikke er steget"),
}


def team_leader(principal: Principal = Depends(web_principal)) -> Principal:
    if principal.role not in (Role.teamleader, Role.admin):
        raise Problem(403, "Nøgletal er for teamledere og administratorer.")
    return principal


def _jobcenter(session: Session, principal: Principal, requested: str | None) -> tuple[str | None, list[str]]:
    """The jobcentre to show and, for an administrator, the ones to choose from (first one by default)."""
    if not principal.is_admin:
        return requested or None, []
    names = list(session.scalars(select(orm.Jobcenter.name).order_by(orm.Jobcenter.name)))
    return (requested or (names[0] if names else None)), names


def _refused(exc: KpiRequestError) -> Problem:
    return Problem(exc.status, str(exc))


@router.get("/nogletal", name="web_kpis")
def kpi_page(request: Request, jobcenter: str | None = None, to: str | None = None,
             principal: Principal = Depends(team_leader), session: Session = Depends(db_session)) -> Response:
    """`from` and `to` are months (ÅÅÅÅ-MM); by default the 24 months up to this one."""
    today = date.today()
    from_month = request.query_params.get("from") or None
    name, choices = _jobcenter(session, principal, jobcenter)
    try:
        overview = kpis.jobcenter_overview(session, principal, name, from_month, to or None, endpoint=ENDPOINT,
                                           today=today, default_months=PAGE_MONTHS)
    except KpiRequestError as exc:
        raise _refused(exc) from None
    report = overview.kpis
    months = [m.month for m in report.months]
    cards = [_card(code, report.months) for code in TEXTS]
    return render(request, "kpis.html", {
        "nav": "nogletal", "jobcenter": report.jobcenter, "choices": choices, "from_month": months[0],
        "to_month": months[-1], "cards": cards, "rows": _rows(report.months), "months": months,
        "fairness": overview.fairness, "fairness_from": overview.fairness_from, "fairness_to": overview.fairness_to, "month_label": month_label,
        "percent": percent, "counted": counted, "number": number, "TEXTS": TEXTS,
    })


def _card(code: str, months: list[MonthKpis]) -> dict:
    text = TEXTS[code]
    values: list[KpiValue] = [getattr(m, code) for m in months]
    latest = values[-1]
    national = NATIONAL.get(code)
    if national is not None:
        reference = f"Hele landet {month_label(NATIONAL_MONTH)}: {percent(national.value)}"
    else:
        reference = (f"Intet landstal; ni kommuner i 2019: {percent(SK2_REPORT_RANGE[0])}–"
                     f"{percent(SK2_REPORT_RANGE[1])}")
    gap = None if latest.value is None else round(100 * (TARGETS[code] - latest.value))
    return {
        "code": code, "text": text, "latest": latest, "month": months[-1].month,
        "target": percent(TARGETS[code]), "reference": reference,
        "sentence": _sentence(text, latest), "gap": gap,
        "missing": months[-1].sk3_missing_hours if code == "sk3" else 0,
        "chart": kpi_chart(code, f"{text.name}: {text.title}", [m.month for m in months], values,
                           text.unit_many),
    }


def _sentence(text: KpiText, value: KpiValue) -> str:
    if not value.denominator:
        return f"Ingen {text.unit_many} at måle på i måneden."
    return text.sentence.format(n=number(value.numerator), d=number(value.denominator),
                                unit=plural(value.denominator, text.unit_one, text.unit_many))


def _rows(months: list[MonthKpis]) -> list[dict]:
    return [{"month": m.month, "label": month_label(m.month), "sk1": m.sk1, "sk2": m.sk2, "sk3": m.sk3,
             "missing": m.sk3_missing_hours} for m in reversed(months)]


@router.get("/nogletal/{kpi}", name="web_kpi_citizens")
def kpi_citizens_page(request: Request, kpi: str, jobcenter: str | None = None, month: str | None = None,
                      principal: Principal = Depends(team_leader), session: Session = Depends(db_session)) -> Response:
    if kpi not in TEXTS:
        raise Problem(404)
    today = date.today()
    name, _ = _jobcenter(session, principal, jobcenter)
    try:
        shown_jobcenter, found = kpis.kpi_citizens(session, principal, name, month, endpoint=LIST_ENDPOINT,
                                                   today=today)
    except KpiRequestError as exc:
        raise _refused(exc) from None
    return render(request, "kpi_citizens.html", {
        "nav": "nogletal", "kpi": kpi, "text": TEXTS[kpi], "jobcenter": shown_jobcenter, "month": found.month,
        "month_label": month_label(found.month), "found": found, "admin": principal.is_admin,
        "current": found.month == month_of(today), "counted": counted, "number": number,
    })


__all__ = ["router"]
