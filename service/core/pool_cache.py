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
from datetime import date
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from matcher import PoolIndex
from models import orm, store
from service.core import pool
from service.core.pool import MatchPool, OpenSide, PoolState

T = TypeVar("T")
_JOBCENTER_ID = select(orm.Jobcenter.id).where(orm.Jobcenter.name == bindparam("jobcenter")).scalar_subquery()


def _aggregates(model: type) -> tuple[Any, Any]:
    return (select(func.count(model.id)).where(model.jobcenter_id == _JOBCENTER_ID).scalar_subquery(),
            select(func.max(model.updated_at)).where(model.jobcenter_id == _JOBCENTER_ID).scalar_subquery())


_LIFECYCLE = (select(orm.Jobcenter.lifecycle_changed_at)
              .where(orm.Jobcenter.name == bindparam("jobcenter")).scalar_subquery())

# Built once; only the jobcentre parameter changes between requests.
_CITIZEN_FINGERPRINT = select(*_aggregates(orm.Citizen), _LIFECYCLE)
_POSITION_FINGERPRINT = select(*_aggregates(orm.Position), *_aggregates(orm.Employer), _LIFECYCLE)


def citizen_fingerprint(session: Session, jobcenter: str) -> tuple[Any, ...]:
    """The jobcentre's citizens, its lifecycle stamp, and the day (holds and employments end by date)."""
    row = session.connection().execute(_CITIZEN_FINGERPRINT, {"jobcenter": jobcenter}).one()
    return (*row, date.today())


def position_fingerprint(session: Session, jobcenter: str) -> tuple[Any, ...]:
    row = session.connection().execute(_POSITION_FINGERPRINT, {"jobcenter": jobcenter}).one()
    return (*row, date.today())


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
        self._pools: dict[str, tuple[tuple[Any, ...], MatchPool]] = {}
        self._positions: dict[str, tuple[tuple[Any, ...], OpenSide]] = {}
        self._citizens = _Recent(CITIZEN_INDEX_ENTRIES)
        self._answers = _Recent(ANSWER_ENTRIES)

    def citizen_index(self, citizen: orm.Citizen, state: PoolState) -> PoolIndex | None:
        """A one-citizen PoolIndex of the citizen as matching sees them today (its competence features are
        the costly part), keyed by the row's updated_at and the hours their employments take; None when
        the citizen cannot be matched (employed and not seeking more hours, held by a praktik or contact)."""
        if not pool.available_status(citizen, state):
            return None
        key = (citizen.id, citizen.updated_at, state.committed.get(citizen.id, 0))
        index = self._citizens.get(key)
        if index is None:
            index = PoolIndex.build(pool.matchable([store.citizen_to_candidate(citizen)], state))
            self._citizens.put(key, index)
        return index

    def versioned_citizen_index(self, session: Session, citizen_id: str, updated_at: Any,
                                state: PoolState) -> tuple[Any, PoolIndex | None]:
        """citizen_index for a citizen known by id and the `updated_at` just read, with the `updated_at` of
        the data it holds: the row itself is loaded only when no index of that version is cached."""
        index = self._citizens.get((citizen_id, updated_at, state.committed.get(citizen_id, 0)))
        if index is not None and citizen_id not in state.held:
            return updated_at, index
        citizen = session.get(orm.Citizen, citizen_id)
        if citizen is None:  # deleted since its updated_at was read: an empty-handed answer would mislead
            raise LookupError(citizen_id)
        return citizen.updated_at, self.citizen_index(citizen, state)

    def answer(self, version: tuple[Any, ...], build: Callable[[], tuple[tuple[Any, ...], bytes]]) -> bytes:
        """The finished JSON answer for `version` (a tuple of every version the answer depends on, led by
        the kind of answer). `build` computes it and returns it with the versions it was actually built
        from, which is what it is kept under (data may have moved on since `version` was read)."""
        answer = self._answers.get(version)
        if answer is None:
            built_version, answer = build()
            self._answers.put(built_version, answer)
        return answer

    def match_pool(self, session: Session, jobcenter: str) -> MatchPool:
        """The jobcentre's pool as matching sees it today (index, lifecycle state, blocks)."""
        return self.versioned_match_pool(session, jobcenter)[1]

    def versioned_match_pool(self, session: Session, jobcenter: str) -> tuple[tuple[Any, ...], MatchPool]:
        """match_pool with the citizen fingerprint it was validated against, for a caller that checks later
        (in its write transaction) that the pool it matched is still the current one."""
        return self._validated(self._pools, jobcenter, citizen_fingerprint(session, jobcenter),
                               lambda: pool.load_match_pool(session, jobcenter))

    def open_side(self, session: Session, jobcenter: str) -> OpenSide:
        """The jobcentre's open positions, residual and prepared for supply-led ranking."""
        return self.versioned_open_side(session, jobcenter)[1]

    def versioned_open_side(self, session: Session, jobcenter: str) -> tuple[tuple[Any, ...], OpenSide]:
        """open_side with the fingerprint it was validated against."""
        return self._validated(self._positions, jobcenter, position_fingerprint(session, jobcenter),
                               lambda: pool.load_open_side(session, jobcenter))

    def _validated(self, entries: dict[str, tuple[tuple[Any, ...], T]], jobcenter: str, key: tuple[Any, ...],
                   build: Callable[[], T]) -> tuple[tuple[Any, ...], T]:
        """The jobcentre's cached entry while its fingerprint is still `key`, else built afresh and kept.
        Built outside the lock: two requests may build at once, and the later one's entry is kept."""
        with self._lock:
            cached = entries.get(jobcenter)
        if cached and cached[0] == key:
            return cached
        built = build()
        with self._lock:
            entries[jobcenter] = (key, built)
        return key, built


def position_version_key(row: orm.Position) -> tuple[Any, ...]:
    """Everything GET /positions/{id} shows depends on: the position (tasks and jobcentre changes bump its
    updated_at), its employer, and the lifecycle (status and filled hours) on this day. Compare
    service.http.deps.PositionVersion.key."""
    return ("position", row.id, row.updated_at, row.jobcenter.name, row.employer_id, row.employer.updated_at,
            row.status, row.jobcenter.lifecycle_changed_at, date.today())


__all__ = ["ANSWER_ENTRIES", "CITIZEN_INDEX_ENTRIES", "PoolCache", "citizen_fingerprint", "position_fingerprint",
           "position_version_key"]
