"""The stored data: SQLAlchemy 2 declarative models, portable between SQLite and PostgreSQL.

Identifiers of domain objects are strings given by the case system (citizens, employers, positions) or
generated hex ids (match runs, proposals, batch jobs). Small lists and documents are JSON. Every timestamp
is timezone-aware UTC. Allowed values are enforced by named CHECK constraints, so bad rows cannot be
written by any path, not only through pydantic. Functional restrictions are stored, never diagnoses.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON, BigInteger, CheckConstraint, Date, DateTime, Dialect, ForeignKey, Index, Integer, MetaData, String, Text,
    UniqueConstraint, event, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from models.search_terms import terms_text
from models.vocabulary import (
    AuditAction, CapacityBasis, CitizenStatus, CodeSet, ContractType, EmployerSize, FollowupKind, Gender, JobState,
    MatchSource, PositionStatus, ProposalKind, ProposalStatus, RejectedBy, Role, Sector, Severity,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


CODED_COLUMNS: dict[tuple[str, str], type[CodeSet]] = {}
"""(table, column) → the code set its CHECK constraint enforces; tests compare the migrated database with it."""


def one_of(table: str, column: str, code_set: type[CodeSet], *, exclude: tuple[str, ...] = ()) -> CheckConstraint:
    """A named CHECK that `column` holds one of the set's codes (a migration must follow any change)."""
    CODED_COLUMNS[(table, column)] = code_set
    allowed = ", ".join(f"'{code}'" for code in code_set.codes() if code not in exclude)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out. SQLite has no time zones, so it stores naive UTC and we re-attach
    UTC on the way out; naive datetimes are refused on the way in (their zone would be a guess)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone-aware (UTC) value")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# Autoincrementing 64-bit keys; SQLite only autoincrements INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), date: Date(), dict[str, Any]: JSON(), list[str]: JSON()}


class Jobcenter(Base):
    """The tenant that owns citizens, employers, positions and users."""

    __tablename__ = "jobcenters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    municipality: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped by every lifecycle write (outcome, undo, employment change) in the jobcentre: what the pool and
    # position caches check besides the rows' own updated_at (models.placements).
    lifecycle_changed_at: Mapped[datetime | None]


class Citizen(Base):
    """A borger in the pool: every Candidate field, plus import bookkeeping."""

    __tablename__ = "citizens"
    __table_args__ = (
        CheckConstraint("capacity_hours BETWEEN 1 AND 37", name="capacity_hours"),
        CheckConstraint("ly_months_last_24 BETWEEN 0 AND 24", name="ly_months_last_24"),
        one_of("citizens", "capacity_basis", CapacityBasis),
        one_of("citizens", "status", CitizenStatus),
        one_of("citizens", "gender", Gender),
        Index("ix_citizens_jobcenter_id_active_status", "jobcenter_id", "active", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    jobcenter_id: Mapped[int] = mapped_column(ForeignKey("jobcenters.id", ondelete="RESTRICT"))
    capacity_hours: Mapped[int]
    capacity_basis: Mapped[str] = mapped_column(String(16), default="estimated")
    competences: Mapped[list[str]] = mapped_column(default=list)
    cv_text: Mapped[str] = mapped_column(Text, default="")
    wishes: Mapped[list[str]] = mapped_column(default=list)
    driving_licence: Mapped[bool] = mapped_column(default=False)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    postcode: Mapped[str | None] = mapped_column(String(10))
    max_commute_km: Mapped[float | None]
    available_days: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    ly_months_last_24: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="available")
    gender: Mapped[str | None] = mapped_column(String(1))
    birth_year: Mapped[int | None]
    origin: Mapped[str | None] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # `fleksmatch import --sync` marks citizens missing from the file inactive; it never deletes them.
    active: Mapped[bool] = mapped_column(default=True)
    # Free-text skånehensyn the import could not map to a catalogue code: shown to consultants.
    unresolved_restriction_notes: Mapped[list[str]] = mapped_column(default=list)
    # When the current LY spell began (sent by the case system); the status history starts here.
    ly_since: Mapped[date | None]
    # Employed and looking for more hours: the remaining available_hours stay matchable (docs/lifecycle.md).
    seeks_more_hours: Mapped[bool] = mapped_column(default=False)
    # Folded, stemmed words of `competences` and `wishes` for /borgere's search (models.search_terms).
    # Kept in step by the ORM events below and, for the importer's bulk writes, by the importer itself.
    competence_terms: Mapped[str] = mapped_column(Text, default="")
    wish_terms: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jobcenter: Mapped[Jobcenter] = relationship(lazy="joined", innerjoin=True)
    restrictions: Mapped[list[CitizenRestriction]] = relationship(
        back_populates="citizen", cascade="all, delete-orphan", passive_deletes=True,
        order_by="CitizenRestriction.sort_order", lazy="selectin")
    status_changes: Mapped[list[CitizenStatusChange]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="noload")


class CitizenStatusChange(Base):
    """The status the case system (or an import) set, from the day it took effect. The lifecycle's own
    states (in fleksjob, in praktik) are derived from events and employments; see models.lifecycle."""

    __tablename__ = "citizen_status_changes"
    __table_args__ = (one_of("citizen_status_changes", "status", CitizenStatus),
                      Index("ix_citizen_status_changes_citizen_id_effective", "citizen_id", "effective"))

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    effective: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CitizenRestriction(Base):
    """One functional restriction (skånehensyn) of a citizen, by catalogue code."""

    __tablename__ = "citizen_restrictions"
    __table_args__ = (
        UniqueConstraint("citizen_id", "code"),
        one_of("citizen_restrictions", "severity", Severity),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    sort_order: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(64))
    value: Mapped[float | None]
    severity: Mapped[str] = mapped_column(String(8), default="hard")

    citizen: Mapped[Citizen] = relationship(back_populates="restrictions")


class Employer(Base):
    """A virksomhed."""

    __tablename__ = "employers"
    __table_args__ = (one_of("employers", "size", EmployerSize), one_of("employers", "sector", Sector))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    jobcenter_id: Mapped[int] = mapped_column(ForeignKey("jobcenters.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    size: Mapped[str] = mapped_column(String(10), default="small")
    sector: Mapped[str] = mapped_column(String(10), default="private")
    has_fleksjob_experience: Mapped[bool] = mapped_column(default=False)
    max_fleksjobbere: Mapped[int | None]
    # A consultant's override of "start with one" (migration 0007): several new fleksjobbere in one run.
    allow_several_new: Mapped[bool] = mapped_column(default=False)
    postcode: Mapped[str | None] = mapped_column(String(10))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # What a consultant needs to call the company (migration 0004); none of it is used for matching.
    cvr: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jobcenter: Mapped[Jobcenter] = relationship(lazy="joined", innerjoin=True)


class Position(Base):
    """A stilling: a bundle of tasks at one employer."""

    __tablename__ = "positions"
    __table_args__ = (
        one_of("positions", "status", PositionStatus),
        CheckConstraint("max_people >= 1", name="max_people"),
        CheckConstraint("min_hours_per_person BETWEEN 1 AND 37", name="min_hours_per_person"),
        Index("ix_positions_jobcenter_id_status", "jobcenter_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    jobcenter_id: Mapped[int] = mapped_column(ForeignKey("jobcenters.id", ondelete="RESTRICT"))
    employer_id: Mapped[str] = mapped_column(ForeignKey("employers.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    postcode: Mapped[str | None] = mapped_column(String(10))
    # The workplace's street address (its postcode gives lat/lon); shown, never geocoded further.
    address: Mapped[str | None] = mapped_column(String(200))
    max_people: Mapped[int] = mapped_column(default=1)
    min_hours_per_person: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jobcenter: Mapped[Jobcenter] = relationship(lazy="joined", innerjoin=True)
    employer: Mapped[Employer] = relationship(lazy="joined", innerjoin=True)
    tasks: Mapped[list[Task]] = relationship(
        back_populates="position", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Task.sort_order", lazy="selectin")


class Task(Base):
    """An opgave of a position. `task_id` is the id the caller gave, unique within its position."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("position_id", "task_id"),
        CheckConstraint("hours_per_week BETWEEN 1 AND 37", name="hours_per_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    hours_per_week: Mapped[int]
    competences: Mapped[list[str]] = mapped_column(default=list)
    # The Demands dict, only the demands the task actually makes (see schemas.Demands.active).
    demands: Mapped[dict[str, Any]] = mapped_column(default=dict)
    days: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    splittable: Mapped[bool] = mapped_column(default=True)

    position: Mapped[Position] = relationship(back_populates="tasks")


class BatchJob(Base):
    """A batch rematch with its progress. `jobcenter` None means every jobcenter."""

    __tablename__ = "batch_jobs"
    __table_args__ = (one_of("batch_jobs", "state", JobState),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    jobcenter: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_by: Mapped[str] = mapped_column(String(100))
    # The process running the job ("host:pid:nonce") and until when its claim holds: the runner renews
    # the lease while it works, so a job whose runner died is recognised and failed (service.core.jobs).
    runner: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]


# At most one queued or running rematch per jobcentre, whichever process starts it (migration 0002).
Index("uq_batch_jobs_active_jobcenter", BatchJob.jobcenter, unique=True,
      sqlite_where=text("state IN ('queued', 'running')"), postgresql_where=text("state IN ('queued', 'running')"))


class MatchRun(Base):
    """One stored MatchResponse for a position. The newest run per position is `current`; older runs
    are kept so outcomes stay attached to the proposals that were actually shown."""

    __tablename__ = "match_runs"
    __table_args__ = (one_of("match_runs", "source", MatchSource),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(10))
    # The jobcentre the run was made for: a position moved to another jobcentre does not show it there.
    jobcenter_id: Mapped[int | None] = mapped_column(ForeignKey("jobcenters.id", ondelete="CASCADE"), index=True)
    batch_job_id: Mapped[str | None] = mapped_column(
        ForeignKey("batch_jobs.id", ondelete="SET NULL"), index=True)
    # The MatchResponse as JSON, each proposal carrying its `proposal_id`.
    response: Mapped[dict[str, Any]]
    current: Mapped[bool] = mapped_column(default=True)

    proposals: Mapped[list[Proposal]] = relationship(
        back_populates="match_run", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Proposal.rank")


# At most one current run per position, whatever writes the table.
Index("uq_match_runs_current_position", MatchRun.position_id, unique=True,
      sqlite_where=text("current = 1"), postgresql_where=text("current"))


class Proposal(Base):
    """A matchforslag from a run. `status` is the furthest state any of its people has reached, or
    rejected/withdrawn when every person is (models.lifecycle.proposal_status); `persons` hold each person's."""

    __tablename__ = "proposals"
    __table_args__ = (
        one_of("proposals", "kind", ProposalKind),
        one_of("proposals", "status", ProposalStatus),
        Index("ix_proposals_position_id_status", "position_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    match_run_id: Mapped[str] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[str] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    people: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    hours_covered: Mapped[int]
    hours_requested: Mapped[int]
    objective: Mapped[float]
    rank: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The best single person a rematch keeps beside its split, for the consultant to choose (migration 0007).
    alternative: Mapped[bool] = mapped_column(default=False)

    match_run: Mapped[MatchRun] = relationship(back_populates="proposals")
    position: Mapped[Position] = relationship()
    persons: Mapped[list[ProposalPerson]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ProposalPerson.sort_order", lazy="selectin")
    events: Mapped[list[ProposalEvent]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True,
        order_by=lambda: (ProposalEvent.at, ProposalEvent.id))


class ProposalPerson(Base):
    """One person of a proposal, with the state their outcomes have reached (docs/lifecycle.md)."""

    __tablename__ = "proposal_people"
    __table_args__ = (
        UniqueConstraint("proposal_id", "candidate_id"),
        one_of("proposal_people", "status", ProposalStatus),
        Index("ix_proposal_people_candidate_id_status", "candidate_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(default=0)
    # [{"task_id", "hours_per_week"}] as proposed.
    assignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="open")

    proposal: Mapped[Proposal] = relationship(back_populates="persons")

    @property
    def hours(self) -> int:
        return sum(int(a["hours_per_week"]) for a in self.assignments)


class ProposalEvent(Base):
    """One recorded outcome for one person of a proposal. An annulled event (undo) is kept, marked."""

    __tablename__ = "proposal_events"
    __table_args__ = (
        one_of("proposal_events", "outcome", ProposalStatus, exclude=(ProposalStatus.open,)),
        one_of("proposal_events", "rejected_by", RejectedBy),
        one_of("proposal_events", "contract", ContractType),
        Index("ix_proposal_events_candidate_id", "candidate_id"),
        Index("ix_proposal_events_position_id", "position_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[str | None] = mapped_column(String(64))
    position_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))
    # The person's state before this event: undo returns to it.
    previous_status: Mapped[str] = mapped_column(String(12), default="open")
    # The day the event took effect (back-dated events from the case system); `at` is when it was recorded.
    effective_date: Mapped[date | None]
    end_date: Mapped[date | None]
    hours_per_week: Mapped[int | None]
    contract: Mapped[str | None] = mapped_column(String(12))
    rejected_by: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    annulled_at: Mapped[datetime | None]
    annulled_by: Mapped[str | None] = mapped_column(String(100))
    annul_reason: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[Proposal] = relationship(back_populates="events")


class Employment(Base):
    """A fleksjob created by a `hired` outcome; ended by PATCH /employments/{id}; annulled by undo."""

    __tablename__ = "employments"
    __table_args__ = (
        one_of("employments", "contract", ContractType),
        CheckConstraint("hours_per_week BETWEEN 1 AND 37", name="hours_per_week"),
        Index("ix_employments_citizen_id", "citizen_id"),
        Index("ix_employments_position_id", "position_id"),
        Index("ix_employments_jobcenter_id", "jobcenter_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    jobcenter_id: Mapped[int] = mapped_column(ForeignKey("jobcenters.id", ondelete="RESTRICT"))
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    position_id: Mapped[str] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"))
    employer_id: Mapped[str] = mapped_column(String(64))
    proposal_id: Mapped[str | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_events.id", ondelete="SET NULL"))
    hours_per_week: Mapped[int]
    start_date: Mapped[date]
    # A fixed-term contract's end, or the day an employment was ended; the citizen is back the day after.
    end_date: Mapped[date | None]
    contract: Mapped[str] = mapped_column(String(12))
    ended_reason: Mapped[str | None] = mapped_column(Text)
    ended_at: Mapped[datetime | None]
    annulled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tasks: Mapped[list[EmploymentTask]] = relationship(
        back_populates="employment", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="EmploymentTask.id")
    paid_hours: Mapped[list[PaidHours]] = relationship(
        back_populates="employment", cascade="all, delete-orphan", passive_deletes=True, order_by="PaidHours.month")


class EmploymentTask(Base):
    """The hours of one task an employment fills (what `hours_filled` of a task adds up)."""

    __tablename__ = "employment_tasks"
    __table_args__ = (UniqueConstraint("employment_id", "task_id"),
                      CheckConstraint("hours BETWEEN 1 AND 37", name="hours"))

    id: Mapped[int] = mapped_column(primary_key=True)
    employment_id: Mapped[str] = mapped_column(ForeignKey("employments.id", ondelete="CASCADE"))
    task_id: Mapped[str] = mapped_column(String(64))
    hours: Mapped[int]

    employment: Mapped[Employment] = relationship(back_populates="tasks")


class PaidHours(Base):
    """Paid hours of an employment in one month (eIndkomst løntimer), for SK3 (docs/kpis.md)."""

    __tablename__ = "paid_hours"
    __table_args__ = (UniqueConstraint("employment_id", "month"),
                      CheckConstraint("paid_hours >= 0 AND paid_hours <= 400", name="paid_hours"))

    id: Mapped[int] = mapped_column(primary_key=True)
    employment_id: Mapped[str] = mapped_column(ForeignKey("employments.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    paid_hours: Mapped[float]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    employment: Mapped[Employment] = relationship(back_populates="paid_hours")


class FollowUp(Base):
    """An opfølgning generated from an event, due on a working day (models.lifecycle)."""

    __tablename__ = "followups"
    __table_args__ = (
        one_of("followups", "kind", FollowupKind),
        Index("ix_followups_jobcenter_id_done_at_due_date", "jobcenter_id", "done_at", "due_date"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    jobcenter_id: Mapped[int] = mapped_column(ForeignKey("jobcenters.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date]
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"), index=True)
    position_id: Mapped[str | None] = mapped_column(String(64))
    proposal_id: Mapped[str | None] = mapped_column(String(32))
    employment_id: Mapped[str | None] = mapped_column(ForeignKey("employments.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_events.id", ondelete="CASCADE"))
    detail: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A web-UI login."""

    __tablename__ = "users"
    __table_args__ = (one_of("users", "role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    jobcenters: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # Shown on pages and on the udpluk, so an employer knows whom to call (migration 0004).
    full_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # sha256 of the secret in the consultant's follow-up calendar URL (Outlook cannot send a login).
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class ApiToken(Base):
    """An API bearer token. Only its sha256 hex digest is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    __table_args__ = (one_of("api_tokens", "role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    jobcenters: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None]  # None: never expires


class WebSession(Base):
    """A logged-in web UI session, server side: the cookie carries only a random secret whose sha256 is
    `token_hash`. Logout, deactivation and idle time delete or refuse the row, so a copied cookie dies too."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Base):
    """One failed login, by username and by client (`scope`), keyed by a hash: a password typed into the
    username field is never stored. Counted to throttle guessing (service.core.auth.throttle)."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_scope_key_hash_at", "scope", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(10))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Who touched which citizen's data, when and through which endpoint. No foreign key to citizens:
    the log must outlive a deleted citizen."""

    __tablename__ = "audit_entries"
    __table_args__ = (one_of("audit_entries", "action", AuditAction),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    citizen_id: Mapped[str | None] = mapped_column(String(64), index=True)
    jobcenter: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    endpoint: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)


@event.listens_for(Citizen, "before_insert")
@event.listens_for(Citizen, "before_update")
def _refresh_search_terms(_mapper: Any, _connection: Any, citizen: Citizen) -> None:
    """Whatever path writes a citizen through the ORM (store, API, web, demo), its search terms follow its
    competences and wishes. Core bulk writes (the importer) set the columns themselves."""
    citizen.competence_terms = terms_text(citizen.competences or ())
    citizen.wish_terms = terms_text(citizen.wishes or ())


__all__ = [
    "ApiToken", "AuditEntry", "Base", "BatchJob", "Citizen", "CitizenRestriction", "Employer", "Jobcenter",
    "LoginFailure", "MatchRun", "Position", "Proposal", "ProposalEvent", "Task", "User", "UTCDateTime", "WebSession",
    "utcnow", "CODED_COLUMNS", "CitizenStatusChange", "Employment", "EmploymentTask", "FollowUp", "PaidHours",
    "ProposalPerson",
]
