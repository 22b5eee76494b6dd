"""`fleksmatch audit list`: the newest entries of the access log as a table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from models.db import make_engine, session_factory, session_scope
from models.vocabulary import AuditAction
from service.core.audit import audit_entries


def print_audit_log(console: Console, citizen_id: str | None = None, limit: int = 100) -> None:
    """The newest entries of the configured database, newest first."""
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
                      entry.jobcenter or "–", AuditAction.label_of(entry.action), entry.endpoint)
    console.print(table)


__all__ = ["print_audit_log"]
