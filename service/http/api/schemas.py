"""Request and response models that exist only in the HTTP API, with Danish descriptions and realistic
examples (the case-system integrator reads only the OpenAPI document). The matching contract itself
(Candidate, Task, MatchResponse, ...) is reused from models.schemas unchanged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator

from models import vocabulary
from models.schemas import (
    Candidate, Employer, EmployerDetails, EmployerSize, Excluded, Explanation, Id, Location, Position, Proposal,
    ProposalKind, RankedCandidate, Sector, Task,
)
from models.vocabulary import literal
from service.http.api.lifecycle_schemas import EmploymentOut, StatusSpanOut

Postcode = Field(default=None, pattern=r"^\d{4}$", description="Postnummer (4 cifre)", examples=["8700"])
PositionStatus = literal(vocabulary.PositionStatus)
ProposalStatus = literal(vocabulary.ProposalStatus)
JobState = literal(vocabulary.JobState)

TASK_EXAMPLE = {
    "id": "t1", "title": "Rengøring af kontorer", "description": "Gulvvask og aftørring af borde",
    "hours_per_week": 6, "competences": ["rengøring"],
    "demands": {"lifting_kg": 8, "standing": True, "chemicals": True},
    "days": ["mon", "wed", "fri"], "splittable": True,
}
CITIZEN_EXAMPLE = {
    "jobcenter": "Horsens", "capacity_hours": 5, "capacity_basis": "estimated",
    "competences": ["rengøringsassistent", "kantinearbejde"], "cv_text": "Har gjort rent på skole i 10 år",
    "restrictions": [{"code": "max_lifting_kg", "value": 5, "severity": "hard"},
                     {"code": "no_food_contact", "severity": "hard"}],
    "wishes": ["kantine"], "driving_licence": False, "location": {"lat": 55.87, "lon": 9.84},
    "max_commute_km": 20, "available_days": ["mon", "tue", "wed"], "ly_months_last_24": 19,
    "status": "available", "postcode": "8700",
}
EMPLOYER_EXAMPLE = {"name": "Bageriet A/S", "size": "small", "sector": "private", "has_fleksjob_experience": False,
                    "max_fleksjobbere": 2, "jobcenter": "Horsens", "postcode": "8700",
                    "location": {"lat": 55.861, "lon": 9.85}}
POSITION_EXAMPLE = {"title": "Rengøring og kantine", "employer_id": "V-1", "jobcenter": "Horsens",
                    "location": {"lat": 55.861, "lon": 9.85}, "postcode": "8700", "max_people": 2,
                    "min_hours_per_person": 1, "status": "open", "tasks": [TASK_EXAMPLE]}
EXPLANATION_EXAMPLE = {
    "matched_competences": [{"task_id": "t1", "required": "rengøring", "matched": "rengøringsassistent",
                             "similarity": 0.93}],
    "missing_competences": [], "accommodations": [],
    "components": {"competence": 0.9, "hours": 0.8, "distance": 0.95, "wishes": 0.0, "urgency": 0.5},
    "notes": ["Arbejdsevne er estimeret: overvej 4 ugers virksomhedspraktik"],
}
STORED_PROPOSAL_EXAMPLE = {
    "proposal_id": "3f2a9c0d4b7e4e0f9a1b2c3d4e5f6a7b", "status": "open", "kind": "single",
    "people": [{"candidate_id": "B-7", "assignments": [{"task_id": "t1", "hours_per_week": 5}]}],
    "hours_covered": 5, "hours_requested": 6, "objective": 4.05, "uncovered": [],
}
MATCH_RESPONSE_EXAMPLE = {
    "position_id": "S-1",
    "ranking": [{"candidate_id": "B-7", "rank": 1, "score": 0.81, "hours_offered": 5, "feasible_tasks": ["t1"],
                 "explanation": EXPLANATION_EXAMPLE}],
    "excluded": [{"candidate_id": "B-1", "reasons": [{
        "code": "restriction_conflict", "task_id": "t1", "restriction": "max_lifting_kg",
        "detail": "opgaven kræver løft op til 8 kg, borgeren maks. 5 kg"}]}],
    "proposals": [{k: v for k, v in STORED_PROPOSAL_EXAMPLE.items() if k not in ("proposal_id", "status")}],
}
MATCH_REQUEST_EXAMPLE = {
    "position": {"id": "S-1", "title": "Rengøring og kantine",
                 "employer": {"id": "V-1", "name": "Bageriet A/S", "size": "small", "sector": "private",
                              "has_fleksjob_experience": False, "max_fleksjobbere": 2},
                 "location": {"lat": 55.861, "lon": 9.85}, "max_people": 2, "min_hours_per_person": 1,
                 "tasks": [TASK_EXAMPLE]},
    "candidates": [{"id": "B-1", **{k: v for k, v in CITIZEN_EXAMPLE.items() if k != "postcode"}}],
    "options": {"limit": 10, "include_excluded": True, "proposals": True},
}


def _examples(*examples: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# ---- citizens -----------------------------------------------------------------------------------------


CITIZEN_LIFECYCLE_EXAMPLE = {"ly_since": "2025-06-01", "seeks_more_hours": False}


class CitizenIn(Candidate):
    """En borger som sagssystemet sender den. `id` kan udelades (id'et i adressen gælder); `jobcenter` kan
    udelades når nøglen kun dækker ét jobcenter. Felter, der udelades, bevares som gemt for `postcode`,
    `ly_since` og `seeks_more_hours`. Registrerede udfald og ansættelser ændres aldrig af en opdatering."""

    model_config = _examples(CITIZEN_EXAMPLE | CITIZEN_LIFECYCLE_EXAMPLE)

    id: Id | None = Field(default=None, description="Skal være lig id'et i adressen, hvis det angives")
    postcode: str | None = Postcode
    ly_since: date | None = Field(default=None, description="Hvornår den nuværende periode på ledighedsydelse begyndte")
    seeks_more_hours: StrictBool = Field(default=False, description="I job og søger flere timer: de ledige timer kan matches")
    # What GET answers beyond the input: accepted so a read citizen can be sent back, and ignored.
    active: StrictBool | None = Field(default=None, description="Ignoreres: kun til læsning")
    updated_at: datetime | None = Field(default=None, description="Ignoreres: kun til læsning")
    available_hours: int | None = Field(default=None, description="Ignoreres: kun til læsning")
    employments: list[dict[str, Any]] | None = Field(default=None, max_length=200, description="Ignoreres: kun til læsning")
    status_history: list[dict[str, Any]] | None = Field(default=None, max_length=1000,
                                                        description="Ignoreres: kun til læsning")
    warnings: list[str] | None = Field(default=None, max_length=50, description="Ignoreres: kun til læsning")


READ_ONLY_CITIZEN_FIELDS = frozenset({"active", "updated_at", "available_hours", "employments", "status_history",
                                      "warnings"})


class CitizenOut(Candidate):
    """En borger som den er gemt, med forløbet: ansættelser, ledige timer og dateret statushistorik. `status`
    er den aktuelle (fx `employed` ved en aktiv ansættelse). Funktionelle skånehensyn, aldrig diagnoser."""

    model_config = _examples({"id": "B-1", **CITIZEN_EXAMPLE, **CITIZEN_LIFECYCLE_EXAMPLE, "active": True,
                              "updated_at": "2024-05-01T08:30:00Z", "available_hours": 5, "employments": [],
                              "status_history": [{"status": "available", "from": "2025-06-01", "to": None}]})

    postcode: str | None = Postcode
    active: bool = Field(description="Falsk når borgeren manglede i seneste synkroniserede import")
    updated_at: datetime
    ly_since: date | None = None
    seeks_more_hours: bool = False
    available_hours: int = Field(description="capacity_hours minus timerne i aktive ansættelser")
    employments: list[EmploymentOut]
    status_history: list[StatusSpanOut]
    warnings: list[str] = Field(default_factory=list, description=(
        "Danske advarsler, fx når fritekst ligner en diagnose (ICD-10-kode eller diagnoseord). Borgeren er "
        "gemt; ret teksten til funktionelle skånehensyn."))


# ---- employers and positions --------------------------------------------------------------------------


class EmployerIn(EmployerDetails):
    """En virksomhed. `jobcenter` kan udelades når nøglen kun dækker ét jobcenter. CVR, adresse og
    kontaktperson er valgfri: et felt der udelades, beholder den gemte værdi; `null` eller "" sletter den."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [EMPLOYER_EXAMPLE]})

    id: Id | None = Field(default=None, description="Skal være lig id'et i adressen, hvis det angives")
    name: str = Field(min_length=1, max_length=200, description="Virksomhedens navn")
    size: EmployerSize = "small"
    sector: Sector = "private"
    has_fleksjob_experience: StrictBool = False
    max_fleksjobbere: int | None = Field(default=None, ge=1, le=50, description="Højst så mange fleksjobbere")
    allow_several_new: StrictBool = Field(
        default=False, description="Må få flere nye fleksjobbere på én gang (tilsidesætter \"start med én\" "
                                   "for en virksomhed uden erfaring med fleksjob)")
    jobcenter: str | None = Field(default=None, min_length=1, max_length=100)
    postcode: str | None = Postcode
    location: Location | None = None


class EmployerOut(EmployerDetails, Employer):
    model_config = _examples({"id": "V-1", **EMPLOYER_EXAMPLE, "cvr": "12345678", "address": "Søndergade 12",
                              "contact_name": "Mette Jensen", "contact_phone": "+45 76 29 10 00",
                              "contact_email": "mette@bageriet.dk"})

    jobcenter: str
    postcode: str | None = None
    location: Location | None = None


class TaskIn(Task):
    """En opgave som sagssystemet sender den. `hours_filled` fra GET accepteres, så en læst stilling kan
    sendes tilbage uændret; den ignoreres (besatte timer følger af ansættelserne)."""

    hours_filled: int | None = Field(default=None, ge=0, description="Ignoreres: kun til læsning")


class PositionIn(BaseModel):
    """En stilling med dens opgaver. Virksomheden angives med `employer_id` og skal være oprettet først
    (PUT /employers/{id}) i samme jobcenter. Opgaverne erstatter de gemte."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [POSITION_EXAMPLE]})

    id: Id | None = Field(default=None, description="Skal være lig id'et i adressen, hvis det angives")
    title: str = Field(min_length=1, max_length=200)
    employer_id: Id = Field(description="Virksomhedens id")
    jobcenter: str | None = Field(default=None, min_length=1, max_length=100)
    location: Location | None = None
    postcode: str | None = Postcode
    max_people: int = Field(default=1, ge=1, le=20, description="Højst så mange personer på stillingen")
    min_hours_per_person: int = Field(default=1, ge=1, le=37, description="Mindst så mange timer pr. person")
    status: PositionStatus = Field(default="open", description="`open` (åben), `filled` (besat), `closed` (lukket)")
    tasks: list[TaskIn] = Field(min_length=1, max_length=30)

    @field_validator("tasks")
    @classmethod
    def _unique_task_ids(cls, tasks: list[TaskIn]) -> list[TaskIn]:
        ids = [task.id for task in tasks]
        for task_id in ids:
            if ids.count(task_id) > 1:
                raise ValueError(f"opgave-id '{task_id}' står to gange")
        return tasks


class TaskOut(Task):
    hours_filled: int = Field(default=0, description="Timer besat af aktive ansættelser")


class PositionOut(Position):
    """En stilling med opgaver; `hours_filled` pr. opgave, og `status` bliver `filled`, når alle opgavers
    timer er besat."""

    model_config = _examples({"id": "S-1", **{k: v for k, v in POSITION_EXAMPLE.items() if k != "employer_id"},
                              "tasks": [TASK_EXAMPLE | {"hours_filled": 0}],
                              "employer": {"id": "V-1", "name": "Bageriet A/S", "size": "small", "sector": "private",
                                           "has_fleksjob_experience": False, "max_fleksjobbere": 2},
                              "updated_at": "2024-05-01T08:30:00Z"})

    tasks: list[TaskOut]
    status: PositionStatus
    postcode: str | None = None
    updated_at: datetime


# ---- stored match runs and proposals ------------------------------------------------------------------


class StoredProposal(Proposal):
    proposal_id: str = Field(description="Bruges i PATCH /proposals/{proposal_id}")
    status: ProposalStatus = "open"


class StoredMatchResponse(BaseModel):
    """Svaret fra en gemt matchkørsel: som MatchResponse, men hvert forslag har et id."""

    model_config = _examples({"run_id": "9b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e", "created_at": "2024-05-01T08:30:00Z",
                              **MATCH_RESPONSE_EXAMPLE, "proposals": [STORED_PROPOSAL_EXAMPLE]})

    run_id: str
    created_at: datetime
    position_id: str
    ranking: list[RankedCandidate]
    excluded: list[Excluded]
    proposals: list[StoredProposal]


# ---- supply-led ---------------------------------------------------------------------------------------


class PositionMatch(BaseModel):
    """En åben stilling der passer til borgeren. Forklaringen nævner kun skånehensyn der berører
    stillingens opgaver."""

    position_id: str
    title: str
    employer_name: str
    rank: int
    score: float
    hours_offered: int
    feasible_tasks: list[str]
    explanation: Explanation


class CitizenProposalsOut(BaseModel):
    model_config = _examples({"citizen_id": "B-7", "positions_considered": 42, "positions": [{
        "position_id": "S-1", "title": "Rengøring og kantine", "employer_name": "Bageriet A/S", "rank": 1,
        "score": 0.81, "hours_offered": 5, "feasible_tasks": ["t1"], "explanation": EXPLANATION_EXAMPLE}]})

    citizen_id: str
    positions_considered: int = Field(description="Antal åbne stillinger i borgerens jobcenter")
    positions: list[PositionMatch]


# ---- jobs, audit, health ------------------------------------------------------------------------------


class RematchIn(BaseModel):
    """Hvilket jobcenter der skal genmatches; kan udelades når nøglen kun dækker ét."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [{"jobcenter": "Horsens"}]})

    jobcenter: str | None = Field(default=None, min_length=1, max_length=100)


class JobAccepted(BaseModel):
    model_config = _examples({"job_id": "5d41402abc4b2a76b9719d911017c592", "state": "queued",
                              "status_url": "/api/v1/jobs/5d41402abc4b2a76b9719d911017c592"})

    job_id: str
    state: JobState
    status_url: str


class JobOut(BaseModel):
    model_config = _examples({
        "job_id": "5d41402abc4b2a76b9719d911017c592", "jobcenter": "Horsens", "state": "running",
        "done": 40, "total": 120, "created_at": "2024-05-01T02:00:00Z", "started_at": "2024-05-01T02:00:01Z",
        "finished_at": None, "error": None, "summary": None})

    job_id: str
    jobcenter: str | None
    state: JobState
    done: int
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Dansk fejlbesked når `state` er `failed`")
    summary: dict[str, Any] | None = Field(description="Opsummering når kørslen er færdig")


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str
    role: str
    citizen_id: str | None
    jobcenter: str | None
    action: str
    endpoint: str


class AuditLogOut(BaseModel):
    model_config = _examples({"entries": [{
        "at": "2024-05-01T08:30:00Z", "actor": "token:3 Sagssystem Horsens", "role": "case_system",
        "citizen_id": "B-1", "jobcenter": "Horsens", "action": "read", "endpoint": "GET /api/v1/citizens/{id}"}]})

    entries: list[AuditEntryOut]


class HealthOut(BaseModel):
    model_config = _examples({"status": "ok", "database": "ok"})

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]


__all__ = [
    "AuditEntryOut", "AuditLogOut", "CitizenIn", "CitizenOut", "CitizenProposalsOut", "EmployerIn", "EmployerOut",
    "HealthOut", "JobAccepted", "JobOut", "MATCH_REQUEST_EXAMPLE", "MATCH_RESPONSE_EXAMPLE",
    "PositionIn", "PositionMatch", "PositionOut", "RematchIn", "TaskIn", "TaskOut",
    "StoredMatchResponse", "StoredProposal",
]
