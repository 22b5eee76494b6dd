"""`fleksmatch audit list`: the newest entries of the access log as a table."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from models.danish import LOCAL_ZONE_LABEL, local_time
from models.db import make_engine, session_factory, session_scope
from models.vocabulary import AuditAction, Role
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
    table = Table(title="Adgangslog over borgerdata (nyeste først)", title_justify="left", box=box.SIMPLE_HEAD,
                  show_edge=False, padding=(0, 1, 0, 0))
    table.add_column(f"Tidspunkt ({LOCAL_ZONE_LABEL})", no_wrap=True)
    table.add_column("Bruger", overflow="fold")
    table.add_column("Borger", no_wrap=True)
    table.add_column("Jobcenter", overflow="fold")
    table.add_column("Handling", overflow="fold")
    table.add_column("Endpoint", overflow="fold", ratio=1)
    for entry in entries:
        table.add_row(local_time(entry.at).strftime("%d.%m.%Y %H:%M:%S"), f"{entry.actor}\n{Role.label_of(entry.role)}",
                      entry.citizen_id or "–", entry.jobcenter or "–", AuditAction.label_of(entry.action),
                      entry.endpoint)
    console.print(table)


__all__ = ["print_audit_log"]
