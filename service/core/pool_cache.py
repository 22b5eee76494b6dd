"""Per-process caches of what matching reads on every request: a jobcentre's PoolIndex (demand side), its
open positions as contract objects (supply side), one-citizen indexes (supply-led requests), and finished
JSON answers (GET /positions/{id}, GET /citizens/{id}/proposals) keyed by every version they depend on.

Building any of them from the database costs far more than matching with it. Each entry is validated on
every use against a fingerprint read from the database, so any upsert, status change, import or deletion
through any process (other server workers, the CLI) is seen by the next request; nothing is served stale.

- a jobcentre's citizens: row count and newest `updated_at` of its citizens;
- a jobcentre's open positions: row count and newest `updated_at` of its positions and of its employers
  (a position carries its employer's details; a task change bumps its position's `updated_at`);
- one citizen: its `updated_at` (a restriction change bumps it);
- one position's answer: the position's `updated_at` and jobcentre, its employer's id and `updated_at`;
- one citizen's proposals: the citizen's `updated_at`, its jobcentre's open-positions fingerprint, `limit`
  (the ranking is a pure, deterministic function of these: docs/matching.md, "Determinism").

Each fingerprint is one prepared aggregate query over the jobcentre's index range, so checking costs a
fraction of a millisecond.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from matcher import PoolIndex
from matcher.supply import OpenPositions
from models import orm, store

_JOBCENTER_ID = select(orm.Jobcenter.id).where(orm.Jobcenter.name == bindparam("jobcenter")).scalar_subquery()


def _aggregates(model: type) -> tuple[Any, Any]:
    return (select(func.count(model.id)).where(model.jobcenter_id == _JOBCENTER_ID).scalar_subquery(),
            select(func.max(model.updated_at)).where(model.jobcenter_id == _JOBCENTER_ID).scalar_subquery())


# Built once; only the jobcentre parameter changes between requests.
_CITIZEN_FINGERPRINT = select(*_aggregates(orm.Citizen))
_POSITION_FINGERPRINT = select(*_aggregates(orm.Position), *_aggregates(orm.Employer))


def citizen_fingerprint(session: Session, jobcenter: str) -> tuple[Any, ...]:
    return tuple(session.connection().execute(_CITIZEN_FINGERPRINT, {"jobcenter": jobcenter}).one())


def position_fingerprint(session: Session, jobcenter: str) -> tuple[Any, ...]:
    return tuple(session.connection().execute(_POSITION_FINGERPRINT, {"jobcenter": jobcenter}).one())


# Single-citizen indexes kept for supply-led requests, and finished answers (a few kB each).
CITIZEN_INDEX_ENTRIES = 4096
ANSWER_ENTRIES = 4096


class _Recent:
    """A thread-safe least-recently-used map of bounded size."""

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._lock = threading.Lock()
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


class PoolCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pools: dict[str, tuple[tuple[Any, ...], PoolIndex]] = {}
        self._positions: dict[str, tuple[tuple[Any, ...], OpenPositions]] = {}
        self._citizens = _Recent(CITIZEN_INDEX_ENTRIES)
        self._answers = _Recent(ANSWER_ENTRIES)

    def citizen_index(self, citizen: orm.Citizen) -> PoolIndex:
        """A one-citizen PoolIndex (its competence features are the costly part), keyed by the row's
        updated_at so any change rebuilds it."""
        key = (citizen.id, citizen.updated_at)
        index = self._citizens.get(key)
        if index is None:
            index = PoolIndex.build([store.citizen_to_candidate(citizen)])
            self._citizens.put(key, index)
        return index

    def versioned_citizen_index(self, session: Session, citizen_id: str, updated_at: Any) -> tuple[Any, PoolIndex]:
        """citizen_index for a citizen known by id and the `updated_at` just read, with the `updated_at` of
        the data it holds: the row itself is loaded only when no index of that version is cached."""
        index = self._citizens.get((citizen_id, updated_at))
        if index is not None:
            return updated_at, index
        citizen = session.get(orm.Citizen, citizen_id)
        if citizen is None:  # deleted since its updated_at was read: an empty-handed answer would mislead
            raise LookupError(citizen_id)
        return citizen.updated_at, self.citizen_index(citizen)

    def answer(self, version: tuple[Any, ...], build: Callable[[], tuple[tuple[Any, ...], bytes]]) -> bytes:
        """The finished JSON answer for `version` (a tuple of every version the answer depends on, led by
        the kind of answer). `build` computes it and returns it with the versions it was actually built
        from, which is what it is kept under (data may have moved on since `version` was read)."""
        answer = self._answers.get(version)
        if answer is None:
            built_version, answer = build()
            self._answers.put(built_version, answer)
        return answer

    def pool_index(self, session: Session, jobcenter: str) -> PoolIndex:
        """The PoolIndex of the jobcentre's available citizens."""
        return self.versioned_pool_index(session, jobcenter)[1]

    def versioned_pool_index(self, session: Session, jobcenter: str) -> tuple[tuple[Any, ...], PoolIndex]:
        """pool_index with the citizen fingerprint it was validated against, for a caller that checks later
        (in its write transaction) that the pool it matched is still the current one."""
        key = citizen_fingerprint(session, jobcenter)
        with self._lock:
            cached = self._pools.get(jobcenter)
        if cached and cached[0] == key:
            return cached
        index = PoolIndex.build(store.available_candidates(session, jobcenter))
        with self._lock:
            self._pools[jobcenter] = (key, index)
        return key, index

    def open_positions(self, session: Session, jobcenter: str) -> OpenPositions:
        """The jobcentre's open positions, prepared for supply-led ranking."""
        return self.versioned_open_positions(session, jobcenter)[1]

    def versioned_open_positions(self, session: Session, jobcenter: str) -> tuple[tuple[Any, ...], OpenPositions]:
        """open_positions with the fingerprint it was validated against."""
        key = position_fingerprint(session, jobcenter)
        with self._lock:
            cached = self._positions.get(jobcenter)
        if cached and cached[0] == key:
            return cached
        positions = OpenPositions.build(store.open_positions(session, jobcenter))
        with self._lock:
            self._positions[jobcenter] = (key, positions)
        return key, positions


def position_version_key(row: orm.Position) -> tuple[Any, ...]:
    """Everything GET /positions/{id} shows depends on: the position (tasks, status and jobcentre changes
    bump its updated_at) and its employer. Compare service.http.deps.PositionVersion.key."""
    return ("position", row.id, row.updated_at, row.jobcenter.name, row.employer_id, row.employer.updated_at)


__all__ = ["ANSWER_ENTRIES", "CITIZEN_INDEX_ENTRIES", "PoolCache", "citizen_fingerprint", "position_fingerprint",
           "position_version_key"]
