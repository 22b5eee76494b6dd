"""Write validated rows to the database: upsert by BorgerID inside the caller's transaction.

Bulk path (instead of models.store.upsert_citizen per row, which loads and flushes one citizen at a time
and is too slow for pools of 100,000): the stored citizens of the file are loaded in a few chunked
queries, compared in memory, and new, changed and restriction rows are written with executemany. The
result is what store.upsert_citizen would store, with one difference on purpose: an import only writes
the fields the file has columns for, so a CV text or a commute limit set through the API survives a pool
import. Core writes bypass the ORM's events, so the search terms of competences and wishes are set here. Jobcentres and --sync go through models.store.

Nothing here commits: the caller's session_scope makes the whole import one transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from models import orm
from models.orm import utcnow
from models.search_terms import terms_text
from models.store import get_or_create_jobcenter, mark_missing_citizens_inactive, missing_active_citizen_ids
from service.importer.rows import ValidRow

CHUNK = 1000  # ids per IN (...) query: under every backend's bound-parameter limit
T = TypeVar("T")

# Importer field (a column of the file) → the citizen attributes it owns.
OWNED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "capacity_hours": ("capacity_hours",),
    "capacity_basis": ("capacity_basis",),
    "competences": ("competences", "competence_terms"),
    "wishes": ("wishes", "wish_terms"),
    "postcode": ("postcode", "lat", "lon"),
    "driving_licence": ("driving_licence",),
    "ly_months": ("ly_months_last_24",),
    "status": ("status",),
    "restrictions": ("unresolved_restriction_notes",),
    "ly_since": ("ly_since",),
    "seeks_more_hours": ("seeks_more_hours",),
}
ALWAYS_OWNED = ("jobcenter_id", "active")

Restrictions = list[tuple[str, float | None, str]]


@dataclass
class WriteResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    per_jobcenter: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # (citizen id, jobcentre) of every citizen written, for the audit log.
    created_ids: list[tuple[str, str]] = field(default_factory=list)
    changed_ids: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TenantConflict:
    """A row whose BorgerID is stored in another jobcentre than the row's: an import never moves or
    overwrites a citizen of another jobcentre."""

    row: ValidRow
    stored_jobcenter: str


def tenant_conflicts(session: Session, rows: list[ValidRow]) -> list[TenantConflict]:
    """The rows whose citizen is stored under another jobcentre than the one the row imports into."""
    citizens, centres = orm.Citizen.__table__, orm.Jobcenter.__table__
    stored: dict[str, str] = {}
    ids = [row.candidate.id for row in rows]
    for chunk in _chunks(ids):
        query = (select(citizens.c.id, centres.c.name).join(centres, citizens.c.jobcenter_id == centres.c.id)
                 .where(citizens.c.id.in_(chunk)))
        stored.update(session.execute(query).all())
    return [TenantConflict(row, stored[row.candidate.id]) for row in rows
            if row.candidate.id in stored and stored[row.candidate.id] != row.candidate.jobcenter]


def _chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _all_values(row: ValidRow, jobcenter_id: int) -> dict[str, Any]:
    candidate = row.candidate
    location = candidate.location
    return {
        "jobcenter_id": jobcenter_id,
        "capacity_hours": candidate.capacity_hours,
        "capacity_basis": candidate.capacity_basis,
        "competences": list(candidate.competences),
        "competence_terms": terms_text(candidate.competences),
        "wishes": list(candidate.wishes),
        "wish_terms": terms_text(candidate.wishes),
        "driving_licence": candidate.driving_licence,
        "postcode": row.postcode,
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
        "ly_months_last_24": candidate.ly_months_last_24,
        "status": candidate.status,
        "unresolved_restriction_notes": list(row.unresolved),
        "ly_since": row.ly_since,
        "seeks_more_hours": row.seeks_more_hours,
        "active": True,
    }


def _new_citizen(row: ValidRow, values: dict[str, Any], now: Any) -> dict[str, Any]:
    candidate = row.candidate
    return values | {
        "id": candidate.id, "cv_text": candidate.cv_text, "max_commute_km": candidate.max_commute_km,
        "available_days": candidate.available_days, "gender": candidate.gender,
        "birth_year": candidate.birth_year, "origin": candidate.origin, "attributes": dict(candidate.attributes),
        "created_at": now, "updated_at": now,
    }


def _wanted_restrictions(row: ValidRow) -> Restrictions:
    return [(r.code, r.value, r.severity) for r in row.candidate.restrictions]


def _load_existing(session: Session, ids: list[str], attributes: tuple[str, ...]
                   ) -> tuple[dict[str, dict[str, Any]], dict[str, Restrictions]]:
    citizens = orm.Citizen.__table__
    restrictions = orm.CitizenRestriction.__table__
    stored: dict[str, dict[str, Any]] = {}
    stored_restrictions: dict[str, Restrictions] = defaultdict(list)
    columns = [citizens.c.id, *(citizens.c[name] for name in attributes)]
    for chunk in _chunks(ids):
        for citizen_id, *values in session.execute(select(*columns).where(citizens.c.id.in_(chunk))).all():
            stored[citizen_id] = dict(zip(attributes, values))
        query = (select(restrictions.c.citizen_id, restrictions.c.code, restrictions.c.value,
                        restrictions.c.severity)
                 .where(restrictions.c.citizen_id.in_(chunk))
                 .order_by(restrictions.c.citizen_id, restrictions.c.sort_order, restrictions.c.id))
        for citizen_id, code, value, severity in session.execute(query).all():
            stored_restrictions[citizen_id].append((code, value, severity))
    return stored, stored_restrictions


def _restriction_rows(citizen_id: str, wanted: Restrictions) -> Iterable[dict[str, Any]]:
    return ({"citizen_id": citizen_id, "sort_order": order, "code": code, "value": value, "severity": severity}
            for order, (code, value, severity) in enumerate(wanted))


def write_pool(session: Session, rows: list[ValidRow], *, columns: Iterable[str]) -> WriteResult:
    """Upsert `rows` (the file has the importer fields in `columns`). Returns the counts per jobcentre."""
    attributes = ALWAYS_OWNED + tuple(a for key in columns for a in OWNED_ATTRIBUTES.get(key, ()))
    result = WriteResult()
    jobcenter_ids = {name: get_or_create_jobcenter(session, name).id
                     for name in sorted({row.candidate.jobcenter for row in rows if row.candidate.jobcenter})}
    stored, stored_restrictions = _load_existing(session, [row.candidate.id for row in rows], attributes)
    now = utcnow()
    today = date.today()
    status_changes: list[dict[str, Any]] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    replaced: list[str] = []
    new_restrictions: list[dict[str, Any]] = []
    for row in rows:
        citizen_id, jobcenter = row.candidate.id, row.candidate.jobcenter
        values = _all_values(row, jobcenter_ids[jobcenter])
        wanted = _wanted_restrictions(row)
        old = stored.get(citizen_id)
        if old is None:
            inserts.append(_new_citizen(row, values, now))
            status_changes.append(_status_change(citizen_id, values["status"], min(row.ly_since or today, today), now))
            new_restrictions.extend(_restriction_rows(citizen_id, wanted))
            result.created_ids.append((citizen_id, jobcenter))
            result.new += 1
            result.per_jobcenter[jobcenter]["new"] += 1
            continue
        owned = {name: values[name] for name in attributes}
        restrictions_changed = stored_restrictions.get(citizen_id, []) != wanted
        if all(old[name] == value for name, value in owned.items()) and not restrictions_changed:
            result.unchanged += 1
            result.per_jobcenter[jobcenter]["unchanged"] += 1
            continue
        updates.append({"b_id": citizen_id, **owned, "updated_at": now})
        if "status" in owned and old["status"] != owned["status"]:
            status_changes.append(_status_change(citizen_id, owned["status"], today, now))
        if restrictions_changed:
            replaced.append(citizen_id)
            new_restrictions.extend(_restriction_rows(citizen_id, wanted))
        result.changed_ids.append((citizen_id, jobcenter))
        result.changed += 1
        result.per_jobcenter[jobcenter]["changed"] += 1
    _execute(session, inserts, updates, replaced, new_restrictions, attributes)
    for chunk in _chunks(status_changes, 5000):
        session.execute(orm.CitizenStatusChange.__table__.insert(), chunk)
    return result


def _status_change(citizen_id: str, status: str, effective: date, now: Any) -> dict[str, Any]:
    """A dated base status (the lifecycle's status history starts from these; models.placements)."""
    return {"citizen_id": citizen_id, "status": status, "effective": effective, "recorded_at": now}


def _execute(session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]],
             replaced: list[str], new_restrictions: list[dict[str, Any]], attributes: tuple[str, ...]) -> None:
    citizens = orm.Citizen.__table__
    restrictions = orm.CitizenRestriction.__table__
    for chunk in _chunks(inserts, 5000):
        session.execute(citizens.insert(), chunk)
    if updates:
        statement = (update(citizens).where(citizens.c.id == bindparam("b_id"))
                     .values({name: bindparam(name) for name in (*attributes, "updated_at")}))
        for chunk in _chunks(updates, 5000):
            session.connection().execute(statement, chunk)
    for chunk in _chunks(replaced):
        session.execute(delete(restrictions).where(restrictions.c.citizen_id.in_(chunk)))
    for chunk in _chunks(new_restrictions, 5000):
        session.execute(restrictions.insert(), chunk)


def sync_missing(session: Session, jobcenters: Iterable[str], keep_ids: set[str]) -> dict[str, list[str]]:
    """--sync: deactivate (never delete) the active citizens of these jobcentres that the file lacks.
    Returns the deactivated ids per jobcentre."""
    deactivated = {}
    for name in sorted(set(jobcenters)):
        deactivated[name] = missing_active_citizen_ids(session, name, keep_ids)
        mark_missing_citizens_inactive(session, name, keep_ids)
    return deactivated


__all__ = ["OWNED_ATTRIBUTES", "TenantConflict", "WriteResult", "sync_missing", "tenant_conflicts", "write_pool"]
