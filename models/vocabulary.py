"""Every code set of FleksMatch, defined once, each code with the Danish label a person reads.

A code set is a `CodeSet` (a `StrEnum`): its values are the contract codes (docs/matching.md, docs/api.md,
docs/lifecycle.md), its members carry `label`, the Danish text shown to consultants, team leaders and
employers. Everything else derives from here: the ORM's CHECK constraints (`models.orm.one_of`), the
pydantic `Literal` fields (`literal`), the API schemas, the templates' labels, the explanations and the
importer's accepted values. Adding a state is one member here plus, where the database must know, one
migration (tests/test_vocabulary.py compares the migrated CHECK constraints with these sets).

Member names equal their codes, so `CitizenStatus.available == "available"` and a member can be stored,
compared and serialised as the plain string it is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal


class CodeSet(StrEnum):
    """A set of codes with Danish labels. Declare members as `code = ("code", "Dansk etiket")`."""

    label: str

    def __new__(cls, value: str, label: str) -> CodeSet:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def labels(cls) -> dict[str, str]:
        """code → Danish label, in declaration order (what templates and reports look up)."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code: str | None, default: str | None = None) -> str:
        """The Danish label of `code`; an unknown code is shown as itself (or `default`)."""
        try:
            return cls(code).label
        except ValueError:
            return default if default is not None else str(code)


def literal(code_set: type[CodeSet], *, exclude: tuple[str, ...] = ()) -> Any:
    """A `typing.Literal` of the set's codes, for pydantic fields: the OpenAPI document lists the codes
    inline and values stay plain strings."""
    return Literal[tuple(code for code in code_set.codes() if code not in exclude)]  # type: ignore[valid-type]


# ---- citizens -----------------------------------------------------------------------------------------


class CitizenStatus(CodeSet):
    available = ("available", "Til rådighed")
    sick_leave = ("sick_leave", "Sygemeldt")
    in_praktik = ("in_praktik", "I praktik")
    employed = ("employed", "I job")
    assessment = ("assessment", "Under afklaring")
    inactive = ("inactive", "Inaktiv")


class CapacityBasis(CodeSet):
    estimated = ("estimated", "estimeret")
    measured = ("measured", "målt")


class Severity(CodeSet):
    hard = ("hard", "centralt")
    soft = ("soft", "mindre centralt")


class Gender(CodeSet):
    f = ("f", "Kvinde")
    m = ("m", "Mand")
    x = ("x", "Andet")


class AgeBand(CodeSet):
    """Age bands of fairness monitoring, from `birth_year` (docs/kpis.md)."""

    age_under_40 = ("age_under_40", "Under 40 år")
    age_40_49 = ("age_40_49", "40–49 år")
    age_50_59 = ("age_50_59", "50–59 år")
    age_60_plus = ("age_60_plus", "60 år og derover")


class FairnessAttribute(CodeSet):
    """The personal attributes fairness monitoring compares groups by; read only there, never in matching."""

    gender = ("gender", "Køn")
    age_band = ("age_band", "Alder")


class Day(CodeSet):
    mon = ("mon", "mandag")
    tue = ("tue", "tirsdag")
    wed = ("wed", "onsdag")
    thu = ("thu", "torsdag")
    fri = ("fri", "fredag")
    sat = ("sat", "lørdag")
    sun = ("sun", "søndag")


# ---- employers and positions --------------------------------------------------------------------------


class EmployerSize(CodeSet):
    micro = ("micro", "Under 10 ansatte")
    small = ("small", "10–49 ansatte")
    medium = ("medium", "50–249 ansatte")
    large = ("large", "250 ansatte eller flere")


class Sector(CodeSet):
    private = ("private", "Privat")
    public = ("public", "Offentlig")
    voluntary = ("voluntary", "Frivillig/forening")


class PositionStatus(CodeSet):
    open = ("open", "Åben")
    filled = ("filled", "Besat")
    closed = ("closed", "Lukket")


# ---- matching -----------------------------------------------------------------------------------------


class ExclusionCode(CodeSet):
    """Why a candidate is excluded from a task or a whole position (docs/matching.md)."""

    restriction_conflict = ("restriction_conflict", "Skånehensyn")
    missing_licence = ("missing_licence", "Kørekort mangler")
    no_common_days = ("no_common_days", "Ingen fælles dage")
    too_far = ("too_far", "For langt væk")
    no_capacity = ("no_capacity", "For få timer")
    unavailable = ("unavailable", "Ikke til rådighed")
    rejected_before = ("rejected_before", "Afvist før")


class EvidenceSource(CodeSet):
    """Where the evidence for a matched competence came from (a CompetenceMatch's `source`)."""

    competence = ("competence", "kompetence-cv")
    cv = ("cv", "fra cv")


class ProposalKind(CodeSet):
    single = ("single", "Én person")
    split = ("split", "Delt stilling")


class UncoveredReason(CodeSet):
    """Why hours of a task stay uncovered in a proposal."""

    no_feasible_candidate = ("no_feasible_candidate", "Ingen egnet borger")
    capacity_used = ("capacity_used", "Borgernes timer er brugt")
    people_limit = ("people_limit", "Grænsen for antal personer er nået")
    min_hours = ("min_hours", "Under mindste timetal pr. person")


class MatchSource(CodeSet):
    api = ("api", "Sagssystemet")
    rematch = ("rematch", "Samlet genmatchning")
    ui = ("ui", "Konsulent")


# ---- outcomes -----------------------------------------------------------------------------------------


class ProposalStatus(CodeSet):
    """A proposal's (and, with the lifecycle, a person's) state: `open` until an outcome is recorded."""

    open = ("open", "Ikke behandlet")
    contacted = ("contacted", "Kontaktet")
    praktik = ("praktik", "Praktik")
    hired = ("hired", "Ansat")
    rejected = ("rejected", "Afvist")
    withdrawn = ("withdrawn", "Trukket tilbage")


OUTCOMES: tuple[str, ...] = tuple(code for code in ProposalStatus.codes() if code != ProposalStatus.open)
"""The outcomes a consultant or the case system records: every proposal state but `open`."""


class RejectedBy(CodeSet):
    """Who turned a proposal down (docs/lifecycle.md)."""

    employer = ("employer", "Virksomheden")
    citizen = ("citizen", "Borgeren")
    jobcenter = ("jobcenter", "Jobcentret")


class ContractType(CodeSet):
    permanent = ("permanent", "Fast ansættelse")
    fixed_term = ("fixed_term", "Tidsbegrænset ansættelse")


class EmploymentStatus(CodeSet):
    active = ("active", "I job")
    ended = ("ended", "Afsluttet")


class FollowupKind(CodeSet):
    """Follow-ups (opfølgning) generated from events; their due rules are in models.lifecycle."""

    first_week_call = ("first_week_call", "Opfølgning efter første uge i job")
    fixed_term_expiry = ("fixed_term_expiry", "Tidsbegrænset ansættelse udløber")
    praktik_end = ("praktik_end", "Praktikken slutter")
    contact_no_answer = ("contact_no_answer", "Intet svar efter kontakt")


# ---- jobs, access and audit ---------------------------------------------------------------------------


class JobState(CodeSet):
    queued = ("queued", "I kø")
    running = ("running", "Kører")
    done = ("done", "Færdig")
    failed = ("failed", "Fejlet")
    cancelled = ("cancelled", "Annulleret")


ACTIVE_JOB_STATES: tuple[str, ...] = (JobState.queued, JobState.running)


class Role(CodeSet):
    consultant = ("consultant", "Konsulent")
    case_system = ("case_system", "Sagssystem")
    admin = ("admin", "Administrator")
    teamleader = ("teamleader", "Teamleder")   # one jobcentre; its KPIs and fairness page (docs/kpis.md)


class AuditAction(CodeSet):
    read = ("read", "læst")
    create = ("create", "oprettet")
    update = ("update", "ændret")
    delete = ("delete", "slettet")
    list = ("list", "vist i liste")
    match = ("match", "matchet")


__all__ = [
    "ACTIVE_JOB_STATES", "OUTCOMES", "AgeBand", "AuditAction", "CapacityBasis", "CitizenStatus", "CodeSet",
    "ContractType", "Day", "EmployerSize", "EmploymentStatus", "EvidenceSource", "ExclusionCode", "FairnessAttribute",
    "FollowupKind", "Gender", "JobState", "MatchSource", "PositionStatus", "ProposalKind", "ProposalStatus",
    "RejectedBy", "Role", "Sector", "Severity", "UncoveredReason", "literal",
]
