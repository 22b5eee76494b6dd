"""The access log of citizen data: who read or changed which citizen, when, and through which endpoint.

Entries are added to the caller's session, so an audit row is committed together with the work it
describes (a change that rolls back leaves no audit row claiming it happened; a read is logged in the same
transaction that answers it). Admins list the log through GET /api/v1/audit or `fleksmatch audit list`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models import orm
from models.orm import utcnow
from service.auth.principal import Principal


def audit(session: Session, principal: Principal, action: str, endpoint: str, *, citizen_id: str | None = None,
          jobcenter: str | None = None, detail: str | None = None) -> None:
    """Log one access to one citizen's data (or, without citizen_id, an access to no particular citizen)."""
    audit_many(session, principal, action, endpoint, [citizen_id], jobcenter=jobcenter, detail=detail)


def audit_many(session: Session, principal: Principal, action: str, endpoint: str,
               citizen_ids: Iterable[str | None], *, jobcenter: str | None = None, detail: str | None = None) -> None:
    """One row per citizen, written as a single multi-row insert (a match touches many citizens)."""
    if action not in orm.AUDIT_ACTIONS:
        raise ValueError(f"ukendt audit-handling '{action}'")
    now = utcnow()
    rows = [{"at": now, "actor": principal.actor[:100], "role": principal.role, "citizen_id": citizen_id,
             "jobcenter": jobcenter, "action": action, "endpoint": endpoint[:200], "detail": detail}
            for citizen_id in dict.fromkeys(citizen_ids)]
    if rows:
        session.execute(insert(orm.AuditEntry), rows)


def audit_read(session: Session, principal: Principal, endpoint: str, *, citizen_id: str,
               jobcenter: str | None = None) -> None:
    """Log and commit a read. The read transaction is ended first, so the audit entry's own transaction
    starts with its write (on SQLite it then queues for the write lock instead of failing on a stale
    read snapshot when many requests run at once). The entry is committed before the answer is sent."""
    session.commit()
    audit(session, principal, "read", endpoint, citizen_id=citizen_id, jobcenter=jobcenter)
    session.commit()


def audit_entries(session: Session, *, citizen_id: str | None = None, jobcenter: str | None = None,
                  limit: int = 100, offset: int = 0) -> list[orm.AuditEntry]:
    """Newest first."""
    query = select(orm.AuditEntry).order_by(orm.AuditEntry.at.desc(), orm.AuditEntry.id.desc())
    if citizen_id is not None:
        query = query.where(orm.AuditEntry.citizen_id == citizen_id)
    if jobcenter is not None:
        query = query.where(orm.AuditEntry.jobcenter == jobcenter)
    return list(session.scalars(query.offset(offset).limit(limit)))


ACTION_LABELS = {"read": "læst", "create": "oprettet", "update": "ændret", "delete": "slettet",
                 "list": "vist i liste", "match": "matchet"}


def print_audit_log(console: Console, citizen_id: str | None = None, limit: int = 100) -> None:
    """`fleksmatch audit list`: the newest entries of the configured database as a table."""
    from models.db import make_engine, session_factory, session_scope

    engine = make_engine()
    try:
        with session_scope(session_factory(engine)) as session:
            entries = audit_entries(session, citizen_id=citizen_id, limit=limit)
    finally:
        engine.dispose()
    if not entries:
        console.print("Ingen opslag i adgangsloggen" + (f" for borger {citizen_id}." if citizen_id else "."))
        return
    table = Table(title="Adgangslog over borgerdata (nyeste først)")
    for column in ("Tidspunkt (UTC)", "Bruger", "Rolle", "Borger", "Jobcenter", "Handling", "Endpoint"):
        table.add_column(column)
    for entry in entries:
        table.add_row(entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.actor, entry.role, entry.citizen_id or "–",
                      entry.jobcenter or "–", ACTION_LABELS.get(entry.action, entry.action), entry.endpoint)
    console.print(table)


__all__ = ["ACTION_LABELS", "audit", "audit_entries", "audit_many", "audit_read", "print_audit_log"]
