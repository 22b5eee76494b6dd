"""`fleksmatch kpi`: SK1–SK3 per month for one jobcentre or every one, as a table and optionally as an Excel
workbook (docs/cli.md, docs/kpis.md). Also the demo's "this month" table (`print_current_kpis`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import orm
from models.danish import counted, percent
from models.db import database_url, make_engine, session_factory, session_scope, upgrade_database
from models.kpis import TARGETS, MonthKpis
from models.months import month_of
from models.vocabulary import Role
from service.core.auth.principal import Principal
from service.core.kpis import KpiRequestError, jobcenter_kpis
from service.reports.kpi_report import write_kpi_report

CLI_PRINCIPAL = Principal(actor="cli", role=Role.admin, jobcenters=frozenset())
ENDPOINT = "fleksmatch kpi"
NARROW = {"box": box.SIMPLE_HEAD, "show_edge": False, "padding": (0, 1, 0, 0), "title_justify": "left"}


def _cell(month: MonthKpis, kpi: str) -> str:
    value = getattr(month, kpi)
    return percent(value.value)


def kpi_table(title: str, rows: list[tuple[str, MonthKpis]], first_header: str) -> Table:
    table = Table(title=title, caption_justify="left", **NARROW)
    table.add_column(first_header, no_wrap=True)
    for kpi in ("sk1", "sk2", "sk3"):
        table.add_column(f"{kpi.upper()}\nmål {percent(TARGETS[kpi])}", justify="right", no_wrap=True)
    table.add_column("SK3\nnævner", justify="right", no_wrap=True)
    for label, month in rows:
        table.add_row(label, _cell(month, "sk1"), _cell(month, "sk2"), _cell(month, "sk3"),
                      f"{month.sk3.denominator:.0f}")
    return table


def all_figures(session: Session, jobcenters: list[str], from_month: str | None, to_month: str | None,
                today: date) -> list[tuple[str, list[MonthKpis]]]:
    return [(name, jobcenter_kpis(session, CLI_PRINCIPAL, name, from_month, to_month, endpoint=ENDPOINT,
                                  today=today).months) for name in jobcenters]


def print_current_kpis(console: Console, factory: sessionmaker, today: date | None = None) -> None:
    """This month's SK1–SK3 per jobcentre (the demo's last table)."""
    today = today or date.today()
    month = month_of(today)
    with session_scope(factory) as session:
        names = list(session.scalars(select(orm.Jobcenter.name).order_by(orm.Jobcenter.name)))
        figures = all_figures(session, names, month, month, today)
    console.print(kpi_table(f"Succeskriterier {month} pr. jobcenter",
                            [(name, months[0]) for name, months in figures], "Jobcenter"))


def run_kpi_command(console: Console, *, jobcenter: str | None, from_month: str | None, to_month: str | None,
                    report: Path | None, today: date | None = None) -> int:
    today = today or date.today()
    upgrade_database()
    console.print(f"Database: {database_url(redact=True)}")
    engine = make_engine()
    try:
        with session_scope(session_factory(engine)) as session:
            names = [jobcenter] if jobcenter else list(
                session.scalars(select(orm.Jobcenter.name).order_by(orm.Jobcenter.name)))
            if not names:
                console.print("[bold yellow]Ingen jobcentre i databasen.[/] Importér en pulje først.")
                return 1
            try:
                figures = all_figures(session, names, from_month, to_month, today)
            except KpiRequestError as exc:
                console.print(f"[bold red]Fejl:[/] {exc}")
                return 2
    finally:
        engine.dispose()
    for name, months in figures:
        console.print(kpi_table(f"Succeskriterier, jobcenter {name}", [(m.month, m) for m in months], "Måned"))
    if report is not None:
        if report.suffix.lower() != ".xlsx":
            console.print(f"[bold red]Fejl:[/] rapporten skal være en .xlsx-fil, ikke «{report.name}».")
            return 2
        written = write_kpi_report(report, figures)
        console.print(f"Rapport: [bold]{written}[/] ({counted(len(figures), 'jobcenter', 'jobcentre')})")
    return 0


__all__ = ["print_current_kpis", "run_kpi_command"]
