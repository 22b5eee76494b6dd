"""Pydantic v2 schemas for the matching contract (docs/matching.md).

Field names are a fixed contract (the case system and checks are written against them). Validation
messages that we write ourselves are Danish; `models.errors` turns pydantic's own messages into Danish
and names the failing field path.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from models import vocabulary
from models.errors import ID_PATTERN
from models.catalogue import DAYS, LICENCE_DEMAND, NUMERIC_DEMAND, load_catalogue
from models.vocabulary import literal

MAX_WEEKLY_HOURS = 37
# A stateless match ranks and splits in memory: 100,000 candidates took 29 s and 1.1 GB per request.
MAX_MATCH_CANDIDATES = 10_000

Day = literal(vocabulary.Day)
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=ID_PATTERN)]
Hours = Annotated[int, Field(ge=1, le=MAX_WEEKLY_HOURS)]
Severity = literal(vocabulary.Severity)
CapacityBasis = literal(vocabulary.CapacityBasis)
CitizenStatus = literal(vocabulary.CitizenStatus)
EmployerSize = literal(vocabulary.EmployerSize)
Sector = literal(vocabulary.Sector)
ProposalKind = literal(vocabulary.ProposalKind)
Gender = literal(vocabulary.Gender)
ExclusionCode = literal(vocabulary.ExclusionCode)
UncoveredReason = literal(vocabulary.UncoveredReason)
EvidenceSource = literal(vocabulary.EvidenceSource)
CV_MARK = f" ({vocabulary.EvidenceSource.cv.label})"
"""What `CompetenceMatch.matched` ends with when the evidence came from the CV text (display only)."""


class Contract(BaseModel):
    """Base for request models: unknown fields are refused so a misspelt field is never silently ignored
    (a misspelt `restrictions` must not make a citizen look unrestricted)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Location(Contract):
    lat: float = Field(ge=54.4, le=57.9, description="Breddegrad (Danmark)")
    lon: float = Field(ge=7.9, le=15.3, description="Længdegrad (Danmark)")


def refuse_duplicates(keys: list[str], what: str) -> None:
    """Ids (and restriction codes) must be unique within their list: a repeat is almost always a data error."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{what} '{key}' står to gange")
        seen.add(key)


def normalise_days(days: list[str] | None) -> list[str] | None:
    """Week order, no repeats; None means every day. An empty list is refused: it would mean 'never'."""
    if days is None:
        return None
    if not days:
        raise ValueError("mindst én ugedag, eller udelad feltet for alle dage")
    return sorted(set(days), key=DAYS.index)


class Restriction(Contract):
    code: str = Field(description="Kode fra skånehensynskataloget, fx `max_lifting_kg`")
    value: float | None = Field(default=None, ge=0, le=200, description="Talværdi, fx kg for `max_lifting_kg`")
    severity: Severity = Field(default="hard", description="`hard` (central) eller `soft` (mindre central)")

    @field_validator("code")
    @classmethod
    def _known_code(cls, code: str) -> str:
        catalogue = load_catalogue()
        if code not in catalogue.restrictions:
            raise ValueError(f"ukendt skånehensyn '{code}'; gyldige koder: {', '.join(catalogue.codes)}")
        return code

    @model_validator(mode="after")
    def _value_matches_code(self) -> Restriction:
        spec = load_catalogue().restrictions[self.code]
        if spec.takes_value and self.value is None:
            raise ValueError(f"skånehensynet '{self.code}' kræver en værdi (value)")
        if not spec.takes_value and self.value is not None:
            raise ValueError(f"skånehensynet '{self.code}' tager ingen værdi")
        return self


class Demands(Contract):
    """What a task demands of the person doing it. Each flag conflicts with one restriction code."""

    lifting_kg: float = Field(default=0, ge=0, le=200)
    standing: StrictBool = False
    sitting: StrictBool = False
    repetitive: StrictBool = False
    food_contact: StrictBool = False
    wet_work: StrictBool = False
    chemicals: StrictBool = False
    dust: StrictBool = False
    animals: StrictBool = False
    customer_contact: StrictBool = False
    time_pressure: StrictBool = False
    noise: StrictBool = False
    driving: StrictBool = False
    outdoor: StrictBool = False
    heights: StrictBool = False
    stairs: StrictBool = False
    evening: StrictBool = False
    screen_work: StrictBool = False
    varied_tasks: StrictBool = False
    crowded: StrictBool = False
    fixed_schedule: StrictBool = False

    def active(self) -> dict[str, float | bool]:
        """The demands this task actually makes (non-zero weight, true flags)."""
        out: dict[str, float | bool] = {}
        for name, value in self.model_dump().items():
            if name == NUMERIC_DEMAND:
                if value > 0:
                    out[name] = value
            elif value:
                out[name] = True
        return out


class Task(Contract):
    id: Id
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    hours_per_week: Hours
    competences: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list)
    demands: Demands = Field(default_factory=Demands)
    days: list[Day] | None = Field(default=None, description="Ugedage; udeladt betyder alle dage")
    splittable: StrictBool = Field(default=True, description="Kan opgaven deles mellem flere personer")

    @field_validator("days")
    @classmethod
    def _days(cls, days: list[str] | None) -> list[str] | None:
        return normalise_days(days)


class Employer(Contract):
    id: Id
    name: str = Field(min_length=1, max_length=200)
    size: EmployerSize = "small"
    sector: Sector = "private"
    has_fleksjob_experience: StrictBool = False
    max_fleksjobbere: int | None = Field(default=None, ge=1, le=50)
    allow_several_new: StrictBool = Field(
        default=False, description="Må få flere nye fleksjobbere på én gang (tilsidesætter \"start med én\")")

    @property
    def new_people_per_run(self) -> int | None:
        """How many new people one batch run may give this employer: one ("start with one") without fleksjob
        experience unless a consultant allowed several, otherwise max_fleksjobbere (None: no limit)."""
        if not self.has_fleksjob_experience and not self.allow_several_new:
            return 1 if self.max_fleksjobbere is None else min(1, self.max_fleksjobbere)
        return self.max_fleksjobbere


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9 ()-]+")


def blank_to_none(value: str | None) -> str | None:
    """Form fields arrive as "" when left empty: store nothing rather than an empty string."""
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


def check_phone(value: str | None) -> str | None:
    """A phone number as people write it ("+45 12 34 56 78", "7629 1000"); at least 8 digits."""
    value = blank_to_none(value)
    if value is not None and (not _PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 8):
        raise ValueError("telefonnummeret skal have mindst 8 cifre og må kun indeholde cifre, mellemrum, + og -")
    return value


def check_email(value: str | None) -> str | None:
    value = blank_to_none(value)
    if value is not None and not _EMAIL.fullmatch(value):
        raise ValueError("e-mailadressen er ugyldig (fx navn@virksomhed.dk)")
    return value


def check_cvr(value: str | None) -> str | None:
    """CVR: eight digits; spaces people type ("1234 5678") are dropped."""
    value = blank_to_none(value)
    if value is None:
        return None
    digits = value.replace(" ", "")
    if not (len(digits) == 8 and digits.isascii() and digits.isdigit()):
        raise ValueError("CVR-nummeret skal være 8 cifre")
    return digits


class EmployerDetails(Contract):
    """What a consultant needs to reach a virksomhed. Not part of the matching contract: nothing here
    changes a score. A field left out of a request keeps the stored value; an empty one clears it."""

    cvr: str | None = Field(default=None, description="CVR-nummer, 8 cifre")
    address: str | None = Field(default=None, max_length=200, description="Adresse (gade og nr.)")
    contact_name: str | None = Field(default=None, max_length=200, description="Kontaktperson")
    contact_phone: str | None = Field(default=None, max_length=40, description="Kontaktpersonens telefon")
    contact_email: str | None = Field(default=None, max_length=200, description="Kontaktpersonens e-mail")

    @field_validator("cvr")
    @classmethod
    def _cvr(cls, value: str | None) -> str | None:
        return check_cvr(value)

    @field_validator("address", "contact_name")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return blank_to_none(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return check_phone(value)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return check_email(value)


class Position(Contract):
    id: Id
    title: str = Field(min_length=1, max_length=200)
    employer: Employer
    location: Location | None = None
    max_people: int = Field(default=1, ge=1, le=20)
    min_hours_per_person: Hours = 1
    tasks: list[Task] = Field(min_length=1, max_length=30)
    jobcenter: str | None = Field(default=None, max_length=100)

    @field_validator("tasks")
    @classmethod
    def _unique_task_ids(cls, tasks: list[Task]) -> list[Task]:
        refuse_duplicates([task.id for task in tasks], "opgave-id")
        return tasks

    @property
    def people_limit(self) -> int:
        """How many people a proposal may use: the position's and the employer's limit, whichever is lower."""
        limit = self.max_people
        if self.employer.max_fleksjobbere is not None:
            limit = min(limit, self.employer.max_fleksjobbere)
        return limit

    @property
    def hours_requested(self) -> int:
        return sum(task.hours_per_week for task in self.tasks)


class Candidate(Contract):
    """A citizen (borger) as the matcher sees them. Gender, birth year, origin and `attributes` are kept
    for fairness monitoring only: no matching code reads them."""

    id: Id
    jobcenter: str | None = Field(default=None, max_length=100)
    capacity_hours: Hours
    capacity_basis: CapacityBasis = "estimated"
    competences: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list)
    cv_text: str = Field(default="", max_length=20000)
    restrictions: list[Restriction] = Field(default_factory=list)
    wishes: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list)
    driving_licence: StrictBool = False
    location: Location | None = None
    max_commute_km: float | None = Field(default=None, gt=0, le=500)
    available_days: list[Day] | None = Field(default=None, description="Ugedage; udeladt betyder alle dage")
    ly_months_last_24: int = Field(default=0, ge=0, le=24)
    status: CitizenStatus = "available"
    # Fairness monitoring only.
    gender: Gender | None = None
    birth_year: int | None = Field(default=None, ge=1900, le=2015)
    origin: str | None = Field(default=None, max_length=100)
    attributes: dict[str, Any] = Field(default_factory=dict, description="Andre personoplysninger til fairness-overvågning")

    @field_validator("available_days")
    @classmethod
    def _days(cls, days: list[str] | None) -> list[str] | None:
        return normalise_days(days)

    @field_validator("restrictions")
    @classmethod
    def _one_entry_per_code(cls, restrictions: list[Restriction]) -> list[Restriction]:
        refuse_duplicates([restriction.code for restriction in restrictions], "skånehensynet")
        return restrictions

    @field_validator("attributes")
    @classmethod
    def _bounded_attributes(cls, attributes: dict[str, Any]) -> dict[str, Any]:
        return bounded_attributes(attributes)


MAX_ATTRIBUTES, MAX_ATTRIBUTE_KEY, MAX_ATTRIBUTE_TEXT, MAX_ATTRIBUTES_BYTES = 20, 50, 200, 2000


def bounded_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """Fairness attributes are a few scalar facts, not a document: at most 20 keys of 1–50 characters,
    values text (≤ 200 characters), numbers (finite), true/false or null; 2,000 bytes as JSON in all."""
    if len(attributes) > MAX_ATTRIBUTES:
        raise ValueError(f"højst {MAX_ATTRIBUTES} oplysninger")
    for key, value in attributes.items():
        if not 1 <= len(key) <= MAX_ATTRIBUTE_KEY:
            raise ValueError(f"navnet '{key[:20]}' skal have 1–{MAX_ATTRIBUTE_KEY} tegn")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"'{key}' skal være et endeligt tal")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise ValueError(f"'{key}' skal være tekst, et tal, sand/falsk eller null (ikke en liste eller et objekt)")
        if isinstance(value, str) and len(value) > MAX_ATTRIBUTE_TEXT:
            raise ValueError(f"'{key}' må højst have {MAX_ATTRIBUTE_TEXT} tegn")
    if len(json.dumps(attributes, ensure_ascii=False).encode("utf-8")) > MAX_ATTRIBUTES_BYTES:
        raise ValueError(f"oplysningerne må højst fylde {MAX_ATTRIBUTES_BYTES} bytes")
    return attributes


class MatchOptions(Contract):
    limit: int = Field(default=10, ge=1, le=10000, description="Højst så mange i `ranking`")
    include_excluded: StrictBool = True
    proposals: StrictBool = True
    top_k: int = Field(default=40, ge=1, le=500, description="Kandidater der går videre til OR-Tools")


class MatchRequest(Contract):
    position: Position
    candidates: list[Candidate] = Field(default_factory=list, max_length=MAX_MATCH_CANDIDATES,
                                        description=f"Højst {MAX_MATCH_CANDIDATES} borgere")
    options: MatchOptions = Field(default_factory=MatchOptions)

    @field_validator("candidates")
    @classmethod
    def _unique_candidate_ids(cls, candidates: list[Candidate]) -> list[Candidate]:
        refuse_duplicates([candidate.id for candidate in candidates], "borger-id")
        return candidates


# ---- response ---------------------------------------------------------------------------------------


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CompetenceMatch(Output):
    task_id: str
    required: str
    matched: str
    similarity: float
    source: EvidenceSource = "competence"

    @model_validator(mode="before")
    @classmethod
    def _source_of_stored_matches(cls, data: Any) -> Any:
        # Responses stored before `source` existed marked CV evidence only by the suffix on `matched`.
        if isinstance(data, dict) and "source" not in data and str(data.get("matched", "")).endswith(CV_MARK):
            return {**data, "source": vocabulary.EvidenceSource.cv}
        return data


class MissingCompetence(Output):
    task_id: str
    required: str


class Accommodation(Output):
    """A soft restriction the employer must accommodate for a task."""

    task_id: str
    restriction: str
    label: str
    detail: str


class Explanation(Output):
    matched_competences: list[CompetenceMatch] = Field(default_factory=list)
    missing_competences: list[MissingCompetence] = Field(default_factory=list)
    accommodations: list[Accommodation] = Field(default_factory=list)
    components: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


class RankedCandidate(Output):
    candidate_id: str
    rank: int
    score: float
    hours_offered: int
    feasible_tasks: list[str]
    explanation: Explanation


class ExclusionReason(Output):
    code: ExclusionCode
    task_id: str | None = None
    restriction: str | None = None
    detail: str


class Excluded(Output):
    candidate_id: str
    reasons: list[ExclusionReason]


class Assignment(Output):
    task_id: str
    hours_per_week: int


class ProposalPerson(Output):
    candidate_id: str
    assignments: list[Assignment]

    @property
    def hours(self) -> int:
        return sum(a.hours_per_week for a in self.assignments)


class UncoveredTask(Output):
    """Why hours of a task remain uncovered in a proposal (partial cover)."""

    task_id: str
    hours_missing: int
    reason: UncoveredReason
    detail: str


class Proposal(Output):
    kind: ProposalKind
    people: list[ProposalPerson]
    hours_covered: int
    hours_requested: int
    objective: float
    uncovered: list[UncoveredTask] = Field(default_factory=list)
    alternative: bool = Field(default=False, description=(
        "Sand for et alternativ, som genmatchningen gemmer ved siden af en deling: den bedste enkeltperson "
        "til stillingen, så konsulenten kan vælge én person i stedet"))


class MatchResponse(Output):
    position_id: str
    ranking: list[RankedCandidate] = Field(default_factory=list)
    excluded: list[Excluded] = Field(default_factory=list)
    proposals: list[Proposal] = Field(default_factory=list)


__all__ = [
    "Accommodation", "Assignment", "Candidate", "EmployerDetails", "check_cvr", "check_email", "check_phone", "CompetenceMatch", "Demands", "Employer", "Excluded",
    "ExclusionReason", "Explanation", "Location", "MatchOptions", "MatchRequest", "MatchResponse",
    "MissingCompetence", "Position", "Proposal", "ProposalPerson", "RankedCandidate", "Restriction", "Task",
    "UncoveredTask", "DAYS", "LICENCE_DEMAND", "MAX_MATCH_CANDIDATES", "MAX_WEEKLY_HOURS",
]
