"""Request and response models of the placement lifecycle endpoints (docs/lifecycle.md): outcomes per
person, undo, a position's proposals, employments, paid hours and follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from models import vocabulary
from models.schemas import Assignment, Id
from models.vocabulary import literal

Outcome = literal(vocabulary.ProposalStatus, exclude=(vocabulary.ProposalStatus.open,))
PersonStatus = literal(vocabulary.ProposalStatus)
RejectedBy = literal(vocabulary.RejectedBy)
ContractType = literal(vocabulary.ContractType)
EmploymentStatus = literal(vocabulary.EmploymentStatus)
FollowupKind = literal(vocabulary.FollowupKind)
Month = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="Måned som ÅÅÅÅ-MM", examples=["2026-12"])


def _strict(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": list(examples)})


class OutcomeIn(BaseModel):
    """Et udfald for én person i et matchforslag. `candidate_id` kræves, når forslaget har flere personer."""

    model_config = _strict(
        {"outcome": "contacted", "candidate_id": "B-7"},
        {"outcome": "hired", "candidate_id": "B-7", "date": "2026-12-07", "hours_per_week": 6,
         "contract": "fixed_term", "end_date": "2027-06-07"},
        {"outcome": "rejected", "candidate_id": "B-7", "reason": "Virksomheden kunne ikke tilbyde faste rutiner",
         "rejected_by": "employer"})

    outcome: Outcome = Field(description="`contacted`, `praktik`, `hired`, `rejected` eller `withdrawn`")
    candidate_id: Id | None = Field(default=None, description="Hvem udfaldet gælder")
    date: dt.date | None = Field(default=None, description="Hvornår det skete (standard: i dag); start ved praktik og ansættelse")
    reason: str | None = Field(default=None, max_length=2000, description="Begrundelse; påkrævet ved `rejected`")
    rejected_by: RejectedBy | None = Field(default=None, description="`employer`, `citizen` eller `jobcenter`; påkrævet ved `rejected`")
    hours_per_week: int | None = Field(default=None, ge=1, le=37, description="Timer pr. uge; påkrævet ved `hired`")
    contract: ContractType | None = Field(default=None, description="`permanent` eller `fixed_term`; påkrævet ved `hired`")
    end_date: dt.date | None = Field(default=None, description="Praktikkens slut (standard start + 28 dage) eller den tidsbegrænsede ansættelses slut")


class UndoIn(BaseModel):
    """Fortryd personens seneste udfald i forslaget (det bevares i historikken, markeret annulleret)."""

    model_config = _strict({"candidate_id": "B-7", "reason": "Registreret på den forkerte borger"})

    candidate_id: Id | None = Field(default=None, description="Hvem; påkrævet når forslaget har flere personer")
    reason: str = Field(min_length=1, max_length=2000, description="Hvorfor udfaldet fortrydes")


class EventOut(BaseModel):
    outcome: Outcome
    date: dt.date | None = Field(description="Hvornår det skete")
    end_date: dt.date | None = None
    hours_per_week: int | None = None
    contract: ContractType | None = None
    rejected_by: RejectedBy | None = None
    reason: str | None = None
    actor: str = Field(description="Hvem der registrerede udfaldet")
    at: dt.datetime = Field(description="Hvornår det blev registreret")
    annulled: bool = False
    annulled_at: dt.datetime | None = None
    annulled_by: str | None = None
    annul_reason: str | None = None


class PersonOut(BaseModel):
    candidate_id: str
    assignments: list[Assignment]
    status: PersonStatus
    history: list[EventOut]


class ProposalOut(BaseModel):
    """Et matchforslag med hver persons status og historik. `status` er det længste nogen er nået
    (open < contacted < praktik < hired), eller rejected/withdrawn når alle er det."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "proposal_id": "3f2a9c0d4b7e4e0f9a1b2c3d4e5f6a7b", "position_id": "S-1", "run_id": "9b1c2d3e4f5a6b7c",
        "created_at": "2026-12-01T02:00:00Z", "current": True, "stale": False, "kind": "single",
        "hours_covered": 5, "hours_requested": 6, "rank": 1, "status": "contacted",
        "people": [{"candidate_id": "B-7", "assignments": [{"task_id": "t1", "hours_per_week": 5}],
                    "status": "contacted", "history": [{
                        "outcome": "contacted", "date": "2026-12-01", "actor": "token:3 Sagssystem Horsens",
                        "at": "2026-12-01T09:00:00Z", "annulled": False}]}]}]})

    proposal_id: str
    position_id: str
    run_id: str
    created_at: dt.datetime = Field(description="Hvornår kørslen, forslaget hører til, blev lavet")
    current: bool = Field(description="Sand når forslaget hører til stillingens nyeste matchkørsel")
    stale: bool = Field(description="Sand når stillingen eller en af borgerne er ændret efter kørslen")
    kind: literal(vocabulary.ProposalKind)
    hours_covered: int
    hours_requested: int
    rank: int
    alternative: bool = Field(default=False, description=(
        "Sand for genmatchningens alternativ til en deling: den bedste enkeltperson til stillingen"))
    status: PersonStatus
    people: list[PersonOut]
    history: list[EventOut] = Field(description="Alle personers udfald i rækkefølge")


class PositionProposalsOut(BaseModel):
    position_id: str
    proposals: list[ProposalOut]


class EmploymentOut(BaseModel):
    employment_id: str
    citizen_id: str
    position_id: str
    employer_id: str
    hours_per_week: int
    start_date: dt.date
    end_date: dt.date | None
    contract: ContractType
    status: EmploymentStatus
    ended_reason: str | None


class EmploymentEndIn(BaseModel):
    """Afslut en ansættelse. Borgeren er tilbage i puljen dagen efter `end_date`; stillingens timer er
    ledige igen, medmindre `position_closed` er sand (så lukkes stillingen)."""

    model_config = _strict({"end_date": "2027-03-31", "ended_reason": "Opgaverne passede ikke"})

    end_date: dt.date
    ended_reason: str | None = Field(default=None, max_length=2000)
    position_closed: StrictBool = False


class PaidHoursIn(BaseModel):
    model_config = _strict({"paid_hours": 21.5})

    paid_hours: float = Field(ge=0, le=400, allow_inf_nan=False, description="Betalte timer i måneden (eIndkomst)")


class PaidHoursOut(BaseModel):
    employment_id: str
    month: str
    paid_hours: float


class FollowUpOut(BaseModel):
    followup_id: str
    kind: FollowupKind
    due_date: dt.date
    citizen_id: str
    position_id: str | None
    proposal_id: str | None
    employment_id: str | None
    detail: str = Field(description="Hvad der skal følges op på (dansk)")
    done_at: dt.datetime | None
    note: str | None = None


class FollowUpsOut(BaseModel):
    followups: list[FollowUpOut]


class FollowUpPatchIn(BaseModel):
    model_config = _strict({"done": True, "note": "Talt med virksomheden; alt vel"})

    done: StrictBool
    note: str | None = Field(default=None, max_length=2000)


class StatusSpanOut(BaseModel):
    status: literal(vocabulary.CitizenStatus)
    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date | None = Field(description="Sidste dag (medregnet); null når status stadig gælder")

    model_config = ConfigDict(populate_by_name=True)


__all__ = [
    "EmploymentEndIn", "EmploymentOut", "EventOut", "FollowUpOut", "FollowUpPatchIn", "FollowUpsOut", "Month",
    "OutcomeIn", "PaidHoursIn", "PaidHoursOut", "PersonOut", "PositionProposalsOut", "ProposalOut",
    "StatusSpanOut", "UndoIn",
]
