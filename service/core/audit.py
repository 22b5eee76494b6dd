"""The access log of citizen data: who read or changed which citizen, when, and through which endpoint.

Entries of changes are added to the caller's session, so an audit row is committed together with the work
it describes (a change that rolls back leaves no audit row claiming it happened). An API read is logged by
`audit_read`, which returns only once its entry is committed, so no answer leaves before its log entry.
Admins list the log through GET /api/v1/audit or `fleksmatch audit list` (service.cli.audit).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from models import orm
from models.orm import utcnow
from models.vocabulary import AuditAction
from service.core.auth.principal import Principal
from service.core.transactions import process_write_lock

_AUDIT_INSERT = insert(orm.AuditEntry.__table__)
# The role of entries written by no request: an import, a batch rematch. Their actor names the trigger
# ("import:<file>", the rematch's created_by).
SYSTEM_ROLE = "system"


def audit(session: Session, principal: Principal, action: str, endpoint: str, *, citizen_id: str | None = None,
          jobcenter: str | None = None, detail: str | None = None) -> None:
    """Log one access to one citizen's data (or, without citizen_id, an access to no particular citizen)."""
    audit_many(session, principal, action, endpoint, [citizen_id], jobcenter=jobcenter, detail=detail)


def audit_many(session: Session, principal: Principal, action: str, endpoint: str,
               citizen_ids: Iterable[str | None], *, jobcenter: str | None = None, detail: str | None = None) -> None:
    """One row per citizen, written as a single (multi-row) Core INSERT on the session's connection: the
    audit table has no relationships, so the ORM's bulk machinery would only add cost."""
    rows = _rows(principal, action, endpoint, citizen_ids, jobcenter=jobcenter, detail=detail)
    if rows:
        session.connection().execute(_AUDIT_INSERT, rows)


def _rows(principal: Principal, action: str, endpoint: str, citizen_ids: Iterable[str | None], *,
          jobcenter: str | None, detail: str | None) -> list[dict]:
    if action not in AuditAction.codes():
        raise ValueError(f"ukendt audit-handling '{action}'")
    now = utcnow()
    return [{"at": now, "actor": principal.actor[:100], "role": principal.role, "citizen_id": citizen_id,
             "jobcenter": jobcenter, "action": action, "endpoint": endpoint[:200], "detail": detail}
            for citizen_id in dict.fromkeys(citizen_ids)]


def audit_read(session: Session, principal: Principal, endpoint: str, *, citizen_id: str,
               jobcenter: str | None = None) -> None:
    """Log a read and return once the entry is committed (before the answer is sent). The read transaction
    is ended first; the entry is then written by the database's AuditWriter, together with the entries of
    reads that arrived meanwhile, in one short write transaction (group commit)."""
    audit_reads(session, principal, endpoint, {jobcenter: [citizen_id]})


def audit_reads(session: Session, principal: Principal, endpoint: str,
                citizens_by_jobcenter: dict[str | None, list[str]]) -> None:
    """audit_read for several citizens (grouped by their jobcentre) in one group commit."""
    rows = [row for jobcenter, ids in sorted(citizens_by_jobcenter.items(), key=lambda kv: str(kv[0]))
            for row in _rows(principal, "read", endpoint, ids, jobcenter=jobcenter, detail=None)]
    session.commit()
    if rows:
        audit_writer(session.get_bind()).write(rows)


class AuditWriter:
    """Group commit of audit entries for one database, in this process.

    Under load many requests log a read at the same moment. Each in a transaction of its own, they queue for
    SQLite's single writer one by one, and every transaction costs its BEGIN and COMMIT. Here the request
    that finds no write under way becomes the writer (the leader): it inserts every entry handed over so far
    in one transaction and commits. Requests arriving meanwhile wait; when the leader has committed, it wakes
    those its batch carried and hands the lead to the oldest request still waiting, whose batch holds every
    entry that came in since. No entry is reported written before it is committed; a failure is raised in
    every request of its batch. No thread of its own: alone, a request simply writes its entry.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)  # the registry below is keyed weakly by this engine
        self._guard = threading.Lock()
        self._pending: list[_Handover] = []
        self._writing = False

    def write(self, rows: list[dict]) -> None:
        me = _Handover(rows)
        with self._guard:
            self._pending.append(me)
            lead = not self._writing
            self._writing = True
        if not lead:
            me.done.wait()
            if not me.lead:  # written (or failed) in a leader's batch
                if me.error is not None:
                    raise me.error
                return
        self._lead()
        if me.error is not None:
            raise me.error

    def _lead(self) -> None:
        with self._guard:
            batch, self._pending = self._pending, []
        try:
            self._insert(batch)
        except Exception as exc:  # every request of the batch answers with the failure
            for handover in batch:
                handover.error = exc
        finally:  # whatever happened, nobody may be left waiting
            for handover in batch[1:]:
                handover.done.set()
            with self._guard:
                if self._pending:
                    successor = self._pending[0]
                    successor.lead = True
                    successor.done.set()
                else:
                    self._writing = False

    def _insert(self, batch: list[_Handover]) -> None:
        engine = self._engine()
        if engine is None:
            raise RuntimeError("databaseforbindelsen er lukket")
        with process_write_lock(engine), engine.execution_options(sqlite_begin_immediate=True).begin() as connection:
            connection.execute(_AUDIT_INSERT, [row for handover in batch for row in handover.rows])


class _Handover:
    __slots__ = ("done", "error", "lead", "rows")

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.done = threading.Event()
        self.error: Exception | None = None
        self.lead = False


_writers: weakref.WeakKeyDictionary[Engine, AuditWriter] = weakref.WeakKeyDictionary()
_writers_guard = threading.Lock()


def audit_writer(engine: Engine) -> AuditWriter:
    """The AuditWriter of this engine (one per engine and process)."""
    with _writers_guard:
        writer = _writers.get(engine)
        if writer is None:
            writer = _writers[engine] = AuditWriter(engine)
        return writer


def audit_entries(session: Session, *, citizen_id: str | None = None, jobcenter: str | None = None,
                  limit: int = 100, offset: int = 0) -> list[orm.AuditEntry]:
    """Newest first."""
    query = select(orm.AuditEntry).order_by(orm.AuditEntry.at.desc(), orm.AuditEntry.id.desc())
    if citizen_id is not None:
        query = query.where(orm.AuditEntry.citizen_id == citizen_id)
    if jobcenter is not None:
        query = query.where(orm.AuditEntry.jobcenter == jobcenter)
    return list(session.scalars(query.offset(offset).limit(limit)))


__all__ = ["SYSTEM_ROLE", "AuditWriter", "audit", "audit_entries", "audit_many", "audit_read", "audit_reads",
           "audit_writer"]
