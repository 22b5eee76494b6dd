"""Jinja2 environment of the consultant UI: templates, Danish labels as globals, and the one render helper
every page uses (it adds the CSRF token, the logged-in user and no-cache/security headers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.responses import HTMLResponse

from matcher.explain import competence_sentence
from matcher.rules import LABELS
from models.catalogue import DAY_LABELS, DAYS, NUMERIC_DEMAND, load_catalogue
from models.danish import and_list, counted, number, plural
from models.geo_data import load_postcodes, normalise_postnr
from models.vocabulary import (
    CapacityBasis, CitizenStatus, ContractType, FollowupKind, PositionStatus, ProposalKind, ProposalStatus, Severity,
)
from service.http.web.csrf import csrf_token
from service.http.web.flash import pop_flashes
from service.http.web.citizen_form import import_overwrites
from service.http.web.note_suggestions import suggested_code
from service.http.web.people import actor_label

WEB_DIR = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

# Pages hold citizen data and run on shared municipal PCs: never cache them, never frame them.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Inline style attributes draw the proposal bars; no script is needed anywhere.
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; "
                               "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

STATUS_LABELS = PositionStatus.labels()
OUTCOME_LABELS = ProposalStatus.labels()
CITIZEN_STATUS_LABELS = CitizenStatus.labels()
CAPACITY_BASIS_LABELS = CapacityBasis.labels()
SEVERITY_LABELS = Severity.labels()
EXCLUSION_LABELS = LABELS
COMPONENT_LABELS = {"competence": "Kompetencer", "hours": "Timer", "distance": "Afstand", "wishes": "Ønsker",
                    "urgency": "Prioritet (ledighedsydelse)"}
PROPOSAL_KIND_LABELS = ProposalKind.labels()
CONTRACT_LABELS = ContractType.labels()
FOLLOWUP_LABELS = FollowupKind.labels()
# Task colours on the stilling page (.t0 … .t7 in style.css): distinct hues, each ≥ 4.5:1 against white text.
TASK_COLOURS = 8


def demand_choices() -> list[tuple[str, str]]:
    """The yes/no task demands as (name, Danish label), catalogue order; lifting is a number field."""
    catalogue = load_catalogue()
    return [(spec.demand, spec.demand_label) for spec in catalogue.restrictions.values()
            if spec.demand != NUMERIC_DEMAND]


def restriction_label(code: str) -> str:
    spec = load_catalogue().restrictions.get(code)
    return spec.label if spec else code


def days_text(days: list[str] | None) -> str:
    if not days:
        return "alle dage"
    return ", ".join(DAY_LABELS[d] for d in days)


def hours_text(hours: int | float) -> str:
    return counted(hours, "time", "timer")


def restriction_specs() -> list:
    """The skånehensyn catalogue in its order (for the forms that pick a restriction)."""
    return list(load_catalogue().restrictions.values())


def postcode_town(postnr: str | None) -> str | None:
    """The town of a postcode data/postcodes.csv knows, else None."""
    found = load_postcodes().get(normalise_postnr(postnr)) if postnr else None
    return found.town if found else None


@pass_context
def actor_filter(context: Context, actor: str | None) -> str:
    """`{{ run.created_by | actor }}`: the person's name when the page put `actor_names` in its context."""
    return actor_label(actor, context.get("actor_names"))


def percent(part: float, whole: float) -> str:
    """A CSS width in percent, never above 100 or below 0 (bars must stay inside their track)."""
    if whole <= 0:
        return "0%"
    return f"{max(0.0, min(100.0, 100.0 * part / whole)):.1f}%"


env = templates.env
env.globals.update(
    DAYS=DAYS, DAY_LABELS=DAY_LABELS, STATUS_LABELS=STATUS_LABELS, OUTCOME_LABELS=OUTCOME_LABELS,
    CITIZEN_STATUS_LABELS=CITIZEN_STATUS_LABELS, CAPACITY_BASIS_LABELS=CAPACITY_BASIS_LABELS,
    SEVERITY_LABELS=SEVERITY_LABELS, EXCLUSION_LABELS=EXCLUSION_LABELS, COMPONENT_LABELS=COMPONENT_LABELS,
    PROPOSAL_KIND_LABELS=PROPOSAL_KIND_LABELS, CONTRACT_LABELS=CONTRACT_LABELS, FOLLOWUP_LABELS=FOLLOWUP_LABELS,
    demand_choices=demand_choices, restriction_label=restriction_label,
    days_text=days_text, hours_text=hours_text, percent=percent, counted=counted, plural=plural, number=number,
    and_list=and_list, TASK_COLOURS=TASK_COLOURS, postcode_town=postcode_town, restriction_specs=restriction_specs,
    suggested_code=suggested_code, import_owned=import_overwrites(), competence_sentence=competence_sentence,
)
env.filters["actor"] = actor_filter


def render(request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    context = dict(context or {})
    context.setdefault("user", getattr(request.state, "web_user", None))
    context["csrf_token"] = csrf_token(request)
    context["flashes"] = pop_flashes(request)
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
