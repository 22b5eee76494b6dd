"""Persistence operations shared by the importer, the API, the demo and the batch rematch.

Every function takes a Session and never commits: the caller owns the transaction, so an import or a
request is all-or-nothing (see models.db.session_scope). Functions may flush to surface constraint errors
where they happen. Keyword arguments left as None mean "keep what is stored" (e.g. a PUT from the case
system carries no postcode and must not erase the one an import set).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.orm import Session

from models import orm, schemas
from models.chunks import chunked
from models.orm import utcnow
from models.vocabulary import MatchSource, PositionStatus

JobcenterRef = str | orm.Jobcenter
# Per-session lookups kept in Session.info (strong references; the identity map's are weak).
_JOBCENTERS = "fleksmatch_jobcenters"
_CITIZENS = "fleksmatch_citizens"
_PRELOADED = "fleksmatch_preloaded_citizen_ids"


class NotFoundError(LookupError):
    """A referenced row does not exist. The message is Danish (it reaches consultants and integrators)."""


def new_id() -> str:
    return uuid.uuid4().hex


# ---- jobcenters ---------------------------------------------------------------------------------------


def get_jobcenter(session: Session, name: str) -> orm.Jobcenter | None:
    return session.scalars(select(orm.Jobcenter).where(orm.Jobcenter.name == name)).one_or_none()


def get_or_create_jobcenter(session: Session, name: str, *, municipality: str | None = None) -> orm.Jobcenter:
    name = name.strip()
    if not name:
        raise ValueError("jobcenter mangler navn")
    # An import resolves the same few names thousands of times: keep them for this session. An object
    # a rollback removed from the session is no longer `in session`, so the database is asked again.
    known: dict[str, orm.Jobcenter] = session.info.setdefault(_JOBCENTERS, {})
    jobcenter = known.get(name)
    if jobcenter is not None and jobcenter in session and jobcenter.name == name:
        return jobcenter
    jobcenter = get_jobcenter(session, name)
    if jobcenter is None:
        jobcenter = orm.Jobcenter(name=name, municipality=municipality, created_at=utcnow())
        session.add(jobcenter)
        session.flush()
    known[name] = jobcenter
    return jobcenter


def _jobcenter(session: Session, ref: JobcenterRef) -> orm.Jobcenter:
    return ref if isinstance(ref, orm.Jobcenter) else get_or_create_jobcenter(session, ref)


def _assign_changed(row: Any, values: dict[str, Any]) -> bool:
    """Set only the attributes that differ, so an unchanged upsert writes nothing."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


# ---- citizens -----------------------------------------------------------------------------------------


def _citizen_values(candidate: schemas.Candidate) -> dict[str, Any]:
    location = candidate.location
    return {
        "capacity_hours": candidate.capacity_hours,
        "capacity_basis": candidate.capacity_basis,
        "competences": list(candidate.competences),
        "cv_text": candidate.cv_text,
        "wishes": list(candidate.wishes),
        "driving_licence": candidate.driving_licence,
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
        "max_commute_km": candidate.max_commute_km,
        "available_days": list(candidate.available_days) if candidate.available_days is not None else None,
        "ly_months_last_24": candidate.ly_months_last_24,
        "status": candidate.status,
        "gender": candidate.gender,
        "birth_year": candidate.birth_year,
        "origin": candidate.origin,
        "attributes": dict(candidate.attributes),
    }


def _restriction_rows(citizen: orm.Citizen) -> list[tuple[str, float | None, str]]:
    return [(r.code, r.value, r.severity) for r in citizen.restrictions]


def _replace_restrictions(session: Session, citizen: orm.Citizen, wanted: list[tuple[str, float | None, str]]) -> None:
    if citizen.restrictions:
        citizen.restrictions.clear()
        # Deletes must reach the database before re-inserting the same (citizen, code) pairs.
        session.flush()
    citizen.restrictions.extend(
        orm.CitizenRestriction(code=code, value=value, severity=severity, sort_order=order)
        for order, (code, value, severity) in enumerate(wanted))


def _find_citizen(session: Session, citizen_id: str) -> orm.Citizen | None:
    """The stored or already-added citizen. New citizens stay pending until the caller's next flush, so
    an import of thousands inserts in batches instead of one flush per row."""
    citizen = session.info.get(_CITIZENS, {}).get(citizen_id)
    if citizen is not None and citizen in session:
        return citizen
    if citizen is None and citizen_id in session.info.get(_PRELOADED, ()):
        return None  # preload_citizens looked and it was not stored
    with session.no_autoflush:
        # Locked for the rest of the transaction (PostgreSQL; SQLite writers hold the database lock): two
        # upserts of one citizen then run one after the other, the second on what the first committed,
        # instead of both replacing the same restriction rows (a unique violation) — last writer wins.
        return _locked(session, orm.Citizen, citizen_id)


def _locked(session: Session, model: type, key: str) -> Any:
    """The row, locked FOR UPDATE and re-read (PostgreSQL; SQLite ignores the lock: its writers hold the
    database lock anyway). A row this transaction already changed is returned as it is: it is locked, and
    re-reading would drop the unflushed changes."""
    loaded = session.identity_map.get(session.identity_key(model, key))
    if loaded is not None and (loaded in session.new or session.is_modified(loaded)):
        return loaded
    return session.get(model, key, with_for_update=True, populate_existing=True)


class Keep:
    """The default of an optional upsert field: keep what is stored (None would mean "clear it")."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = Keep()


def upsert_citizen(session: Session, candidate: schemas.Candidate, *, postcode: str | None = None,
                   unresolved_notes: list[str] | None = None, ly_since: date | None | Keep = KEEP,
                   seeks_more_hours: bool | Keep = KEEP, today: date | None = None) -> tuple[orm.Citizen, bool]:
    """Create or update a citizen from a Candidate; returns (citizen, changed). The same data again
    changes nothing (updated_at untouched). A citizen that is upserted is active again. A new or changed
    status is recorded as a dated status change (effective `today`; for a new citizen from ly_since)."""
    if not candidate.jobcenter:
        raise ValueError(f"borger '{candidate.id}' mangler jobcenter")
    today = today or date.today()
    jobcenter = get_or_create_jobcenter(session, candidate.jobcenter)
    values = _citizen_values(candidate) | {"jobcenter": jobcenter, "active": True}
    if postcode is not None:
        values["postcode"] = postcode
    if unresolved_notes is not None:
        values["unresolved_restriction_notes"] = list(unresolved_notes)
    if ly_since is not KEEP:
        values["ly_since"] = ly_since
    if seeks_more_hours is not KEEP:
        values["seeks_more_hours"] = seeks_more_hours
    wanted = [(r.code, r.value, r.severity) for r in candidate.restrictions]

    citizen = _find_citizen(session, candidate.id)
    if citizen is None:
        now = utcnow()
        defaults = {"postcode": None, "unresolved_restriction_notes": [], "ly_since": None, "seeks_more_hours": False}
        citizen = orm.Citizen(**(defaults | values), id=candidate.id, created_at=now, updated_at=now)
        _replace_restrictions(session, citizen, wanted)
        session.add(citizen)
        session.info.setdefault(_CITIZENS, {})[citizen.id] = citizen
        _record_status(session, citizen, min(citizen.ly_since or today, today))
        return citizen, True

    status_before = citizen.status
    changed = _assign_changed(citizen, values)
    if citizen.status != status_before:
        _record_status(session, citizen, today)
    if _restriction_rows(citizen) != wanted:
        _replace_restrictions(session, citizen, wanted)
        changed = True
    if changed:
        citizen.updated_at = utcnow()
    return citizen, changed


def _record_status(session: Session, citizen: orm.Citizen, effective: date) -> None:
    # Through the relationship, so the unit of work inserts a new citizen before its first status change.
    citizen.status_changes.append(orm.CitizenStatusChange(status=citizen.status, effective=effective,
                                                          recorded_at=utcnow()))


def preload_citizens(session: Session, citizen_ids: Iterable[str]) -> int:
    """Load these citizens (with restrictions) into the session in a few queries, so a following run of
    upsert_citizen calls finds them without one query each. Returns how many exist."""
    ids = sorted(set(citizen_ids))
    # The identity map holds objects weakly: keep them referenced for the rest of this session's work.
    kept: dict[str, orm.Citizen] = session.info.setdefault(_CITIZENS, {})
    session.info.setdefault(_PRELOADED, set()).update(ids)
    with session.no_autoflush:
        for chunk in chunked(ids):
            query = select(orm.Citizen).where(orm.Citizen.id.in_(chunk))
            kept.update((citizen.id, citizen) for citizen in session.scalars(query).unique())
    return sum(1 for id in ids if id in kept)


def citizen_to_candidate(citizen: orm.Citizen) -> schemas.Candidate:
    location = None if citizen.lat is None or citizen.lon is None else {"lat": citizen.lat, "lon": citizen.lon}
    return schemas.Candidate.model_validate({
        "id": citizen.id,
        "jobcenter": citizen.jobcenter.name,
        "capacity_hours": citizen.capacity_hours,
        "capacity_basis": citizen.capacity_basis,
        "competences": citizen.competences,
        "cv_text": citizen.cv_text,
        "restrictions": [{"code": r.code, "value": r.value, "severity": r.severity} for r in citizen.restrictions],
        "wishes": citizen.wishes,
        "driving_licence": citizen.driving_licence,
        "location": location,
        "max_commute_km": citizen.max_commute_km,
        "available_days": citizen.available_days,
        "ly_months_last_24": citizen.ly_months_last_24,
        "status": citizen.status,
        "gender": citizen.gender,
        "birth_year": citizen.birth_year,
        "origin": citizen.origin,
        "attributes": citizen.attributes,
    })


def available_candidates(session: Session, jobcenter: str | None = None) -> list[schemas.Candidate]:
    """Active citizens with status `available`, optionally of one jobcenter, sorted by id."""
    query = (select(orm.Citizen)
             .where(orm.Citizen.active.is_(True), orm.Citizen.status == "available")
             .order_by(orm.Citizen.id))
    if jobcenter is not None:
        query = query.join(orm.Citizen.jobcenter).where(orm.Jobcenter.name == jobcenter)
    return [citizen_to_candidate(citizen) for citizen in session.scalars(query).unique()]


def missing_active_citizen_ids(session: Session, jobcenter: JobcenterRef, keep_ids: Iterable[str]) -> list[str]:
    """The jobcenter's active citizens whose ids are not in `keep_ids`, sorted."""
    center = jobcenter if isinstance(jobcenter, orm.Jobcenter) else get_jobcenter(session, jobcenter)
    if center is None:
        return []
    active_ids = session.scalars(select(orm.Citizen.id).where(
        orm.Citizen.jobcenter_id == center.id, orm.Citizen.active.is_(True))).all()
    return sorted(set(active_ids) - set(keep_ids))


def mark_missing_citizens_inactive(session: Session, jobcenter: JobcenterRef, keep_ids: Iterable[str]) -> int:
    """Deactivate the jobcenter's active citizens whose ids are not in `keep_ids` (import --sync).
    Nobody is deleted: outcomes and audit history stay attached. Returns how many were deactivated."""
    missing = missing_active_citizen_ids(session, jobcenter, keep_ids)
    now = utcnow()
    for chunk in chunked(missing):
        session.execute(update(orm.Citizen)
                        .where(orm.Citizen.id.in_(chunk))
                        .values(active=False, updated_at=now))
    return len(missing)


def delete_citizen(session: Session, citizen_id: str) -> bool:
    """Remove a citizen and their restrictions. Returns False when there was no such citizen."""
    citizen = session.get(orm.Citizen, citizen_id)
    if citizen is None:
        return False
    session.delete(citizen)
    session.flush()
    return True


# ---- employers and positions --------------------------------------------------------------------------


def upsert_employer(session: Session, employer: schemas.Employer, jobcenter: JobcenterRef, *,
                    postcode: str | None = None, location: schemas.Location | None = None,
                    details: schemas.EmployerDetails | None = None) -> orm.Employer:
    """Create or update an employer. Of `details` (CVR, address, contact person) only the fields set on the
    model are written: a caller that leaves a field out keeps what is stored, one that sets None clears it."""
    center = _jobcenter(session, jobcenter)
    values: dict[str, Any] = {
        "jobcenter": center,
        "name": employer.name,
        "size": employer.size,
        "sector": employer.sector,
        "has_fleksjob_experience": employer.has_fleksjob_experience,
        "max_fleksjobbere": employer.max_fleksjobbere,
        "allow_several_new": employer.allow_several_new,
    }
    if postcode is not None:
        values["postcode"] = postcode
    if location is not None:
        values |= {"lat": location.lat, "lon": location.lon}
    if details is not None:
        values |= details.model_dump(include=details.model_fields_set)
    row = _locked(session, orm.Employer, employer.id)
    if row is None:
        now = utcnow()
        row = orm.Employer(id=employer.id, created_at=now, updated_at=now, **values)
        session.add(row)
        session.flush()
    elif _assign_changed(row, values):
        row.updated_at = utcnow()
        session.flush()
    return row


def _task_values(task: schemas.Task, order: int) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "sort_order": order,
        "title": task.title,
        "description": task.description,
        "hours_per_week": task.hours_per_week,
        "competences": list(task.competences),
        "demands": task.demands.active(),
        "days": list(task.days) if task.days is not None else None,
        "splittable": task.splittable,
    }


def _stored_task_values(task: orm.Task) -> dict[str, Any]:
    return {key: getattr(task, key) for key in (
        "task_id", "sort_order", "title", "description", "hours_per_week", "competences", "demands", "days",
        "splittable")}


def upsert_position(session: Session, position: schemas.Position, jobcenter: JobcenterRef, *,
                    status: str = "open", postcode: str | None = None, address: str | None = None) -> orm.Position:
    """Create or update a position, its employer and its tasks (the given tasks replace the stored ones).
    `postcode` and `address` (the workplace's) left as None keep what is stored."""
    if status not in PositionStatus.codes():
        raise ValueError(f"ukendt status for stilling: '{status}'")
    center = _jobcenter(session, jobcenter)
    employer = upsert_employer(session, position.employer, center)
    location = position.location
    values: dict[str, Any] = {
        "jobcenter": center,
        "employer": employer,
        "title": position.title,
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
        "max_people": position.max_people,
        "min_hours_per_person": position.min_hours_per_person,
        "status": status,
    }
    if postcode is not None:
        values["postcode"] = postcode
    if address is not None:
        values["address"] = address or None
    wanted = [_task_values(task, order) for order, task in enumerate(position.tasks)]

    # Locked like a citizen (see _find_citizen): concurrent upserts must not replace the same task rows.
    row = _locked(session, orm.Position, position.id)
    if row is not None and row.status == PositionStatus.filled and status == PositionStatus.open:
        # `filled` is the lifecycle's verdict (every task's hours taken by employments): an upsert that
        # merely says "open" does not undo it; models.placements.refresh_position_status reopens it.
        values["status"] = PositionStatus.filled
    if row is None:
        now = utcnow()
        row = orm.Position(id=position.id, created_at=now, updated_at=now, **values)
        row.tasks = [orm.Task(**task) for task in wanted]
        session.add(row)
        session.flush()
        return row

    changed = _assign_changed(row, values)
    if [_stored_task_values(task) for task in row.tasks] != wanted:
        row.tasks.clear()
        session.flush()  # free the (position, task_id) pairs before re-inserting them
        row.tasks.extend(orm.Task(**task) for task in wanted)
        changed = True
    if changed:
        row.updated_at = utcnow()
        session.flush()
    return row


def set_place(row: orm.Employer | orm.Position, *, postcode: str | None, location: schemas.Location | None,
              address: str | None = None) -> bool:
    """Set where an employer or a workplace is, exactly as given (None clears: a consultant who empties the
    postcode field means it). Returns whether anything changed; a change bumps updated_at."""
    values: dict[str, Any] = {"postcode": postcode, "lat": location.lat if location else None,
                              "lon": location.lon if location else None, "address": address or None}
    changed = _assign_changed(row, values)
    if changed:
        row.updated_at = utcnow()
    return changed


def employer_to_schema(employer: orm.Employer) -> schemas.Employer:
    return schemas.Employer(
        id=employer.id, name=employer.name, size=employer.size, sector=employer.sector,
        has_fleksjob_experience=employer.has_fleksjob_experience, max_fleksjobbere=employer.max_fleksjobbere,
        allow_several_new=employer.allow_several_new,
    )


def position_to_schema(position: orm.Position) -> schemas.Position:
    location = None if position.lat is None or position.lon is None else {"lat": position.lat, "lon": position.lon}
    return schemas.Position.model_validate({
        "id": position.id,
        "title": position.title,
        "employer": employer_to_schema(position.employer),
        "location": location,
        "max_people": position.max_people,
        "min_hours_per_person": position.min_hours_per_person,
        "tasks": [{
            "id": task.task_id, "title": task.title, "description": task.description,
            "hours_per_week": task.hours_per_week, "competences": task.competences, "demands": task.demands,
            "days": task.days, "splittable": task.splittable,
        } for task in position.tasks],
        "jobcenter": position.jobcenter.name,
    })


def open_positions(session: Session, jobcenter: str | None = None) -> list[schemas.Position]:
    """Positions with status `open`, optionally of one jobcenter, sorted by id."""
    query = select(orm.Position).where(orm.Position.status == "open").order_by(orm.Position.id)
    if jobcenter is not None:
        query = query.join(orm.Position.jobcenter).where(orm.Jobcenter.name == jobcenter)
    return [position_to_schema(position) for position in session.scalars(query).unique()]


# ---- match runs and proposals -------------------------------------------------------------------------


def store_match_run(session: Session, position_id: str, response: schemas.MatchResponse, *, source: str,
                    created_by: str, batch_job_id: str | None = None) -> orm.MatchRun:
    """Store a MatchResponse as the position's current run (older runs are kept, no longer current).
    Each proposal gets a row and an id, written back into the stored JSON as `proposal_id`."""
    if response.position_id != position_id:
        raise ValueError(f"svaret gælder stilling '{response.position_id}', ikke '{position_id}'")
    if source not in MatchSource.codes():
        raise ValueError(f"ukendt kilde til matchkørsel: '{source}'")
    if session.get(orm.Position, position_id) is None:
        raise NotFoundError(f"stillingen '{position_id}' findes ikke")
    session.execute(update(orm.MatchRun)
                    .where(orm.MatchRun.position_id == position_id, orm.MatchRun.current.is_(True))
                    .values(current=False))
    payload = response.model_dump(mode="json")
    run = orm.MatchRun(id=new_id(), position_id=position_id, created_at=utcnow(), created_by=created_by,
                       source=source, batch_job_id=batch_job_id, current=True,
                       jobcenter_id=session.get(orm.Position, position_id).jobcenter_id)
    for rank, proposal in enumerate(payload["proposals"], start=1):
        proposal["proposal_id"] = new_id()
        run.proposals.append(orm.Proposal(
            id=proposal["proposal_id"], position_id=position_id, kind=proposal["kind"], people=proposal["people"],
            hours_covered=proposal["hours_covered"], hours_requested=proposal["hours_requested"],
            objective=proposal["objective"], rank=rank, status="open", alternative=bool(proposal.get("alternative")),
            persons=[orm.ProposalPerson(candidate_id=p["candidate_id"], sort_order=order,
                                        assignments=p["assignments"], status="open")
                     for order, p in enumerate(proposal["people"])]))
    run.response = payload
    session.add(run)
    session.flush()
    return run


def _without_rankings(session: Session) -> tuple[Any, Any]:
    """(new value, condition) in SQL: a retired run keeps its proposals (outcomes and history hang on them)
    but not its ranking and exclusions, which only the current run shows and which are most of its size (a
    big rematch wrote hundreds of MB). In SQL, so compacting never loads the documents."""
    if session.get_bind().dialect.name == "postgresql":
        return (text("json_build_object('position_id', match_runs.response -> 'position_id', 'ranking', "
                     "'[]'::json, 'excluded', '[]'::json, 'proposals', match_runs.response -> 'proposals')"),
                text("(json_array_length(match_runs.response -> 'ranking') > 0 "
                     "OR json_array_length(match_runs.response -> 'excluded') > 0)"))
    return (text("json_set(match_runs.response, '$.ranking', json('[]'), '$.excluded', json('[]'))"),
            text("(json_array_length(match_runs.response, '$.ranking') > 0 "
                 "OR json_array_length(match_runs.response, '$.excluded') > 0)"))


def current_match_run(session: Session, position_id: str) -> orm.MatchRun | None:
    """The position's current run, if it was made for the jobcentre the position belongs to now: a run of
    a position that moved carries the other jobcentre's citizens and is shown to nobody."""
    query = (select(orm.MatchRun)
             .join(orm.Position, orm.Position.id == orm.MatchRun.position_id)
             .where(orm.MatchRun.position_id == position_id, orm.MatchRun.current.is_(True),
                    orm.MatchRun.jobcenter_id == orm.Position.jobcenter_id))
    return session.scalars(query).one_or_none()


# Retired runs keep their full document this long, then only their proposals; runs without any outcome are
# deleted after RUN_RETENTION (the citizen page lists their proposals as history until then).
COMPACT_AFTER = timedelta(days=7)
RUN_RETENTION = timedelta(days=90)


def prune_match_runs(session: Session, *, compact_after: timedelta = COMPACT_AFTER,
                     older_than: timedelta = RUN_RETENTION) -> int:
    """Keep what the UI and outcomes need: retired runs older than `compact_after` lose their ranking and
    exclusions, and those older than `older_than` in which no proposal has an outcome are deleted (their
    proposals with them). Current runs and every run with an outcome keep their proposals. Returns how many
    runs were deleted."""
    now = utcnow()
    compacted, has_rankings = _without_rankings(session)
    session.execute(update(orm.MatchRun).where(
        orm.MatchRun.current.is_(False), orm.MatchRun.created_at < now - compact_after, has_rankings)
        .values(response=compacted))
    with_outcome = (select(orm.Proposal.match_run_id)
                    .where(or_(orm.Proposal.status != "open",
                               orm.Proposal.id.in_(select(orm.ProposalEvent.proposal_id)))))
    result = session.execute(delete(orm.MatchRun).where(
        orm.MatchRun.current.is_(False), orm.MatchRun.created_at < now - older_than,
        orm.MatchRun.id.not_in(with_outcome)))
    return result.rowcount or 0


__all__ = [
    "NotFoundError", "available_candidates", "citizen_to_candidate", "current_match_run", "delete_citizen",
    "get_jobcenter", "get_or_create_jobcenter", "mark_missing_citizens_inactive", "missing_active_citizen_ids",
    "new_id", "open_positions", "position_to_schema", "preload_citizens", "prune_match_runs", "set_place",
    "store_match_run", "upsert_citizen", "upsert_employer",
    "upsert_position",
]
