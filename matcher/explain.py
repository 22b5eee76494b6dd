"""Danish texts of explanations a consultant can read aloud to an employer: notes, restriction details,
accommodations. The hard rules' reasons are built in `matcher.rules` from these pieces; the explanation
itself is assembled in `matcher.fit`.

Only functional restrictions are named (the catalogue's labels), never anything about health. Used only
for the candidates shown (the top of the ranking and the excluded), so this module may loop in Python.
"""

from __future__ import annotations

from matcher.competences import CV_WEIGHT
from matcher.lexicon import is_participle, lemma
from models.catalogue import DAYS, NUMERIC_DEMAND, load_catalogue
from models.danish import number
from models.schemas import CV_MARK, Accommodation, Candidate, CompetenceMatch, ExclusionReason, Task  # noqa: F401 (CV_MARK re-exported)
from models.vocabulary import EvidenceSource

DAY_SHORT: dict[str, str] = {
    "mon": "man", "tue": "tir", "wed": "ons", "thu": "tor", "fri": "fre", "sat": "lør", "sun": "søn",
}
ESTIMATED_CAPACITY_NOTE = "Arbejdsevne er estimeret: overvej 4 ugers virksomhedspraktik"
UNKNOWN_DISTANCE_NOTE = "Afstand ukendt: borgerens eller virksomhedens adresse mangler"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def days_text(days: list[str] | None) -> str:
    """Short Danish day names; None (any day) lists the whole week."""
    return ", ".join(DAY_SHORT[d] for d in (days or DAYS))


def lifting_detail(task_kg: float, limit_kg: float) -> str:
    return f"opgaven kræver løft op til {number(task_kg)} kg, borgeren maks. {number(limit_kg)} kg"


def lifting_gap_detail(task_kg: float, limit_kg: float) -> str:
    """The concrete gap a soft lifting limit leaves the employer to bridge."""
    return f"opgaven kræver løft op til {number(task_kg)} kg; borgeren kan højst {number(limit_kg)} kg"


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
                detail = lifting_detail if severity == "hard" else lifting_gap_detail
                out.append((restriction.code, detail(task.demands.lifting_kg, restriction.value)))
        elif getattr(task.demands, demand):
            out.append((restriction.code, demand_detail(restriction.code)))
    return out


def accommodations(candidate: Candidate, task: Task) -> list[Accommodation]:
    specs = load_catalogue().restrictions
    return [
        Accommodation(task_id=task.id, restriction=code, label=specs[code].label, detail=detail)
        for code, detail in task_conflicts(candidate, task, "soft")
    ]


def infeasible_task_note(task: Task, reasons: list[ExclusionReason]) -> str:
    """A ranked candidate's note about a task they cannot take."""
    return f"Kan ikke tage opgaven '{task.title}' ({task.id}): " + "; ".join(r.detail for r in reasons)



# ---- competence evidence read aloud ------------------------------------------------------------------

# Endings and words that make a competence entry a job title ("opvasker", "rengøringsassistent",
# "kok"): said as "har arbejdet som …"; anything else is an activity: "har erfaring med …".
TITLE_ENDINGS: tuple[str, ...] = (
    "assistent", "medarbejder", "medhjælper", "hjælper", "arbejder", "ansat", "elev", "lærling", "mand",
    "dame", "kone", "pige", "dreng", "jomfru", "bud", "vært", "værtinde", "ør", "ent", "ist", "ker", "ler",
    "ner", "ter", "ser", "der", "ger", "rer", "fører", "passer", "plejer", "fejer", "tekniker", "operatør",
    "worker", "assistant", "cleaner", "driver", "keeper", "porter", "picker", "packer", "helper", "cook",
)
TITLE_WORDS: frozenset[str] = frozenset(
    "kok kokke pedel vicevært tjener bager maler murer smed gartner portør stuepige sosu sosu-hjælper "
    "sosu-assistent chauffør dagplejer dagplejemor barnepige madmor vægter vagt skraldemand postbud".split())
"""Titles no ending gives away."""
STRONG_EVIDENCE = 0.85
"""From this similarity the evidence is said plainly; below it (still a match) as related experience."""


def _is_title(term: str) -> bool:
    first = term.strip().lower().split(" ", 1)[0]
    return first in TITLE_WORDS or first.endswith(TITLE_ENDINGS)


def competence_evidence(match: CompetenceMatch) -> str:
    """What the candidate has done, in words a consultant can read aloud to an employer: "har arbejdet som
    rengøringsassistent", "har erfaring med opvask", "skriver i sit CV: »vasket op på et hotel«", and
    "…, som er beslægtet" when the evidence is related rather than the same work."""
    matched = match.matched.strip()
    from_cv = match.source == EvidenceSource.cv or matched.endswith(CV_MARK.strip())
    if from_cv:
        text = matched[: -len(CV_MARK.strip())].strip() if matched.endswith(CV_MARK.strip()) else matched
        phrase = f"skriver i sit CV: »{text}«"
    elif _is_title(matched):
        phrase = f"har arbejdet som {matched.lower()}"
    else:
        first = matched.lower().split(" ", 1)[0]
        if " " in matched and is_participle(first):
            phrase = f"har {_lower_first(matched)}"  # "har vasket op"
        elif " " in matched and first.endswith("e") and lemma(first) != first:
            phrase = f"har erfaring med at {_lower_first(matched)}"  # "… med at lave mad"
        else:
            phrase = f"har erfaring med {_lower_first(matched)}"
    strength = match.similarity / CV_WEIGHT if from_cv else match.similarity
    if strength < STRONG_EVIDENCE:
        phrase += ", som er beslægtet"
    return phrase


def competence_sentence(match: CompetenceMatch) -> str:
    """The required competence and the evidence: "Rengøring: har arbejdet som rengøringsassistent"."""
    required = match.required.strip()
    return f"{required[:1].upper()}{required[1:]}: {competence_evidence(match)}"
