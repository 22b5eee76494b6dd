"""Danish explanations a consultant can read aloud to an employer.

Only functional restrictions are named (the catalogue's labels), never anything about health. Built only
for the candidates shown (the top of the ranking and the excluded), so this module may loop in Python.
"""

from __future__ import annotations

from models.catalogue import DAYS, NUMERIC_DEMAND, load_catalogue
from models.danish import number
from models.schemas import CV_MARK, Accommodation, Candidate, ExclusionReason, Position, Task
from models.vocabulary import CitizenStatus

DAY_SHORT: dict[str, str] = {
    "mon": "man", "tue": "tir", "wed": "ons", "thu": "tor", "fri": "fre", "sat": "lør", "sun": "søn",
}
ESTIMATED_CAPACITY_NOTE = "Arbejdsevne er estimeret: overvej 4 ugers virksomhedspraktik"
UNKNOWN_DISTANCE_NOTE = "Afstand ukendt: borgerens eller virksomhedens adresse mangler"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _days(days: list[str] | None) -> str:
    return ", ".join(DAY_SHORT[d] for d in (days or DAYS))


def lifting_detail(task_kg: float, limit_kg: float) -> str:
    return f"opgaven kræver løft op til {number(task_kg)} kg, borgeren maks. {number(limit_kg)} kg"


def demand_detail(code: str) -> str:
    spec = load_catalogue().restrictions[code]
    return f"opgaven kræver {_lower_first(spec.demand_label)} (borgeren: {spec.label})"


def task_conflicts(candidate: Candidate, task: Task, severity: str) -> list[tuple[str, str]]:
    """(restriction code, Danish detail) for each of the candidate's restrictions of this severity that the
    task's demands meet, in the candidate's order."""
    specs = load_catalogue().restrictions
    out = []
    for restriction in candidate.restrictions:
        if restriction.severity != severity:
            continue
        demand = specs[restriction.code].demand
        if demand == NUMERIC_DEMAND:
            if task.demands.lifting_kg > restriction.value:
                out.append((restriction.code, lifting_detail(task.demands.lifting_kg, restriction.value)))
        elif getattr(task.demands, demand):
            out.append((restriction.code, demand_detail(restriction.code)))
    return out


def accommodations(candidate: Candidate, task: Task) -> list[Accommodation]:
    specs = load_catalogue().restrictions
    return [
        Accommodation(task_id=task.id, restriction=code, label=specs[code].label, detail=detail)
        for code, detail in task_conflicts(candidate, task, "soft")
    ]


def candidate_reasons(candidate: Candidate, position: Position, distance_km: float,
                      too_far: bool, no_capacity: bool, unavailable: bool) -> list[ExclusionReason]:
    """Reasons that concern the whole position."""
    reasons = []
    if unavailable:
        status = CitizenStatus.label_of(candidate.status).lower()
        reasons.append(ExclusionReason(code="unavailable", detail=f"borgeren er ikke ledig ({status})"))
    if no_capacity:
        reasons.append(ExclusionReason(
            code="no_capacity",
            detail=f"arbejdsevne {candidate.capacity_hours} t/uge, stillingen kræver mindst "
                   f"{position.min_hours_per_person} t pr. person"))
    if too_far:
        reasons.append(ExclusionReason(
            code="too_far",
            detail=f"afstand {number(distance_km)} km, borgeren højst {number(candidate.max_commute_km)} km"))
    return reasons


def task_reasons(candidate: Candidate, task: Task, conflict: bool, missing_licence: bool,
                 no_common_days: bool) -> list[ExclusionReason]:
    """Reasons one task is closed to the candidate, every one of them."""
    reasons = []
    if conflict:
        reasons += [ExclusionReason(code="restriction_conflict", task_id=task.id, restriction=code, detail=detail)
                    for code, detail in task_conflicts(candidate, task, "hard")]
    if missing_licence:
        reasons.append(ExclusionReason(code="missing_licence", task_id=task.id, detail="opgaven kræver kørekort"))
    if no_common_days:
        reasons.append(ExclusionReason(
            code="no_common_days", task_id=task.id,
            detail=f"ingen fælles arbejdsdage (opgaven: {_days(task.days)}; borgeren: {_days(candidate.available_days)})"))
    return reasons


def infeasible_task_note(task: Task, reasons: list[ExclusionReason]) -> str:
    """A ranked candidate's note about a task they cannot take."""
    return f"Kan ikke tage opgaven '{task.title}' ({task.id}): " + "; ".join(r.detail for r in reasons)

