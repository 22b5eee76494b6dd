"""Loading a generated pool (the demo pool, benchmark pools) into the database through the store
functions, idempotently: rows that already hold the same data are left untouched."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm, store
from models.chunks import chunked
from models.schemas import Candidate, Position
from service.demo.pool_generator import Pool


@dataclass
class LoadSummary:
    """What loading a pool did to the database: rows created and rows changed, per kind."""

    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def wrote_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.changed.values()))


def load_pool_into_database(session: Session, pool: Pool) -> LoadSummary:
    """Upsert every jobcentre, employer, position and citizen of `pool` (the caller owns the transaction).
    Stored rows that already hold the same data are left untouched, so loading twice changes nothing."""
    summary = LoadSummary()
    jobcenters = {jc["name"]: _jobcenter(session, jc, summary) for jc in pool.jobcenters}
    stamps = _preload(session, orm.Employer, [e.employer.id for e in pool.employers])
    for pooled in pool.employers:
        row = store.upsert_employer(session, pooled.employer, jobcenters[pooled.jobcenter],
                                    postcode=pooled.postcode, location=pooled.location)
        _count(summary, "employers", stamps, row)
    stamps = _preload(session, orm.Position, [p.id for p in pool.positions])
    for position in pool.positions:
        row = store.upsert_position(session, position, jobcenters[position.jobcenter],
                                    postcode=pool.position_postcodes[position.id])
        _count(summary, "positions", stamps, row)
    stamps = _preload(session, orm.Citizen, [c.id for c in pool.citizens])
    for candidate in pool.citizens:
        row, _changed = store.upsert_citizen(session, candidate, postcode=pool.citizen_postcodes[candidate.id])
        _count(summary, "citizens", stamps, row)
    return summary


def _jobcenter(session: Session, jobcenter: dict[str, str], summary: LoadSummary) -> orm.Jobcenter:
    existed = store.get_jobcenter(session, jobcenter["name"]) is not None
    row = store.get_or_create_jobcenter(session, jobcenter["name"], municipality=jobcenter.get("municipality"))
    (summary.unchanged if existed else summary.created)["jobcenters"] += 1
    return row


def _preload(session: Session, model: type[orm.Base], ids: list[str]) -> dict[str, Any]:
    """Load the stored rows among `ids` in a few queries (the upserts then find them in the session) and
    return their updated_at, to tell created, changed and unchanged rows apart afterwards."""
    stamps: dict[str, Any] = {}
    for chunk in chunked(ids):
        query = select(model).where(model.id.in_(chunk))
        stamps.update((row.id, row.updated_at) for row in session.scalars(query).unique())
    return stamps


def _count(summary: LoadSummary, kind: str, stamps: dict[str, Any], row: Any) -> None:
    if row.id not in stamps:
        summary.created[kind] += 1
    elif stamps[row.id] != row.updated_at:
        summary.changed[kind] += 1
    else:
        summary.unchanged[kind] += 1


def stored_pool(session: Session, jobcenters: Iterable[str]) -> tuple[list[Candidate], list[Position]]:
    """Active citizens and open positions of the given jobcentres, as stored."""
    names = list(jobcenters)
    citizens = session.scalars(
        select(orm.Citizen).join(orm.Citizen.jobcenter)
        .where(orm.Citizen.active.is_(True), orm.Jobcenter.name.in_(names)).order_by(orm.Citizen.id)).unique()
    candidates = [store.citizen_to_candidate(c) for c in citizens]
    positions = [p for name in names for p in store.open_positions(session, name)]
    return candidates, positions

