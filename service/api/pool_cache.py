"""Per-process caches of what matching reads on every request: a jobcentre's PoolIndex (demand side) and
its open positions as contract objects (supply side).

Building either from the database costs far more than matching with it. Each cache entry is keyed by a
cheap fingerprint query (row count and newest `updated_at`), so any upsert, status change, import or
deletion through any process invalidates it on the next request; nothing is ever served stale.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matcher import PoolIndex
from models import orm, store
from matcher.supply import OpenPositions


def _citizen_fingerprint(session: Session, jobcenter: str) -> tuple[Any, ...]:
    row = session.execute(
        select(func.count(orm.Citizen.id), func.max(orm.Citizen.updated_at))
        .join(orm.Jobcenter, orm.Citizen.jobcenter_id == orm.Jobcenter.id)
        .where(orm.Jobcenter.name == jobcenter)).one()
    return tuple(row)


def _position_fingerprint(session: Session, jobcenter: str) -> tuple[Any, ...]:
    positions = session.execute(
        select(func.count(orm.Position.id), func.max(orm.Position.updated_at))
        .join(orm.Jobcenter, orm.Position.jobcenter_id == orm.Jobcenter.id)
        .where(orm.Jobcenter.name == jobcenter)).one()
    employers = session.execute(
        select(func.count(orm.Employer.id), func.max(orm.Employer.updated_at))
        .join(orm.Jobcenter, orm.Employer.jobcenter_id == orm.Jobcenter.id)
        .where(orm.Jobcenter.name == jobcenter)).one()
    return tuple(positions) + tuple(employers)


# Single-citizen indexes kept for supply-led requests (a few kB each).
CITIZEN_INDEX_ENTRIES = 4096


class PoolCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[tuple[Any, ...], PoolIndex]] = {}
        self._positions: dict[str, tuple[tuple[Any, ...], OpenPositions]] = {}
        self._citizens: OrderedDict[tuple[str, Any], PoolIndex] = OrderedDict()

    def citizen_index(self, citizen: orm.Citizen) -> PoolIndex:
        """A one-citizen PoolIndex (its competence features are the costly part), keyed by the row's
        updated_at so any change rebuilds it."""
        key = (citizen.id, citizen.updated_at)
        with self._lock:
            index = self._citizens.get(key)
            if index is not None:
                self._citizens.move_to_end(key)
                return index
        index = PoolIndex.build([store.citizen_to_candidate(citizen)])
        with self._lock:
            self._citizens[key] = index
            while len(self._citizens) > CITIZEN_INDEX_ENTRIES:
                self._citizens.popitem(last=False)
        return index

    def pool_index(self, session: Session, jobcenter: str) -> PoolIndex:
        """The PoolIndex of the jobcentre's available citizens."""
        key = _citizen_fingerprint(session, jobcenter)
        with self._lock:
            cached = self._pools.get(jobcenter)
        if cached and cached[0] == key:
            return cached[1]
        index = PoolIndex.build(store.available_candidates(session, jobcenter))
        with self._lock:
            self._pools[jobcenter] = (key, index)
        return index

    def open_positions(self, session: Session, jobcenter: str) -> OpenPositions:
        """The jobcentre's open positions, prepared for supply-led ranking."""
        key = _position_fingerprint(session, jobcenter)
        with self._lock:
            cached = self._positions.get(jobcenter)
        if cached and cached[0] == key:
            return cached[1]
        positions = OpenPositions.build(store.open_positions(session, jobcenter))
        with self._lock:
            self._positions[jobcenter] = (key, positions)
        return positions
