"""`fleksmatch rematch`: the batch rematch with a progress bar, a summary table and the Excel report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from models import orm, store
from models.danish import counted, number
from models.db import database_url, make_engine, session_factory, session_scope, upgrade_database
from service.core.jobs import RematchBusy, execute_job, runner_identity, submit_rematch
from service.core.rematch import RematchSummary, run_rematch
from service.reports.outcomes import position_outcomes
from service.reports.rematch_report import BASELINE, summary_rows, write_rematch_report

EXIT_BUSY = 3
EXIT_INTERRUPTED = 130


def default_report_path() -> Path:
    """var/reports/genmatch-<time>.xlsx, never overwriting an earlier report from the same second."""
    folder, stamp = Path("var") / "reports", f"genmatch-{datetime.now():%Y%m%d-%H%M%S}"
    path, n = folder / f"{stamp}.xlsx", 2
    while path.exists():
        path, n = folder / f"{stamp}-{n}.xlsx", n + 1
    return path


def rematch_with_progress(console: Console, factory: sessionmaker, jobcenter: str | None,
                          created_by: str = "cli") -> RematchSummary:
    """Run the rematch as a job of this process, under the same one-active-rematch rule as the API's (and
    visible to it through GET /jobs/{id}). Raises RematchBusy (Danish) when one is already running."""
    runner = runner_identity()
    job = submit_rematch(factory, jobcenter, created_by=created_by, runner=runner)
    with Progress(TextColumn("[bold]Genmatcher puljen"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task("genmatch", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        # run_rematch looked up here at call time: tests replace it in this module.
        return execute_job(factory, job, runner, progress=progress, rematch=run_rematch)


def busy_message(console: Console, busy: RematchBusy) -> int:
    console.print(f"[bold red]Fejl:[/] {busy} Vent til den er færdig, og prøv igen. Intet er ændret.")
    return EXIT_BUSY


def _cell(value: object) -> str:
    return number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def print_summary(console: Console, summary: RematchSummary) -> None:
    """The report's summary rows (plain Danish, Danish numbers), narrow enough for an 80-column terminal."""
    table = Table(title="Resultat af genmatchning", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  padding=(0, 1, 0, 0))
    table.add_column("", overflow="fold", ratio=1)
    table.add_column("FleksMatch", justify="right", no_wrap=True)
    table.add_column(BASELINE.replace("opgave ", "opgave\n"), justify="right", no_wrap=True)
    shown = [row for row in summary_rows(summary) if row[2] != ""]
    for label, ours, theirs in shown:
        if label == "Timer dækket":
            ours, theirs = f"{ours} af {summary.hours_requested}", f"{theirs} af {summary.hours_requested}"
        elif label == "Timer ønsket":
            continue
        table.add_row(label, _cell(ours), _cell(theirs))
    console.print(table)
    bound = f" (teoretisk loft {number(summary.lp_bound)})" if summary.lp_bound else ""
    console.print(f"{counted(summary.citizens_available, 'ledig borger', 'ledige borgere')}, "
                  f"{counted(len(summary.jobcenters), 'jobcenter', 'jobcentre')}, "
                  f"beregnet på {number(summary.seconds)} s{bound}.")


def _jobcenter_exists(engine, name: str) -> bool:
    with session_scope(session_factory(engine)) as session:
        return store.get_jobcenter(session, name) is not None


def _unknown_jobcenter(console: Console, engine, name: str) -> int:
    with session_scope(session_factory(engine)) as session:
        known = session.scalars(select(orm.Jobcenter.name).order_by(orm.Jobcenter.name)).all()
    listing = ", ".join(known) if known else "ingen endnu (importér en pulje først)"
    console.print(f"[bold red]Fejl:[/] jobcentret «{name}» findes ikke. Kendte jobcentre: {listing}")
    return 2


def report_and_summary(console: Console, summary: RematchSummary, report: Path | None,
                       factory: sessionmaker | None = None) -> Path:
    """Print the summary and write the report; with `factory`, the report's "Udfald" column shows what is
    recorded on each position's proposals."""
    print_summary(console, summary)
    outcomes = None
    if factory is not None:
        with session_scope(factory) as session:
            outcomes = position_outcomes(session, [o.position_id for o in summary.outcomes])
    xlsx, csv = write_rematch_report(summary, report or default_report_path(), outcomes)
    console.print(f"Rapport: [bold]{xlsx}[/] (og {csv})")
    return xlsx


def run_rematch_command(console: Console, jobcenter: str | None = None, report: Path | None = None,
                        created_by: str = "cli") -> int:
    engine = None
    try:
        upgrade_database()
        console.print(f"Database: {database_url(redact=True)}")
        engine = make_engine()
        if jobcenter and not _jobcenter_exists(engine, jobcenter):
            return _unknown_jobcenter(console, engine, jobcenter)
        try:
            summary = rematch_with_progress(console, session_factory(engine), jobcenter, created_by)
        except RematchBusy as busy:
            return busy_message(console, busy)
        except KeyboardInterrupt:
            console.print("[bold yellow]Afbrudt.[/] Intet er ændret: de tidligere forslag er urørte.")
            return EXIT_INTERRUPTED
        if not summary.outcomes:
            where = f"i jobcenter {jobcenter}" if jobcenter else "i databasen"
            console.print(f"[bold yellow]Ingen åbne stillinger {where}.[/] Intet at genmatche.")
            return 1 if jobcenter else 0
        report_and_summary(console, summary, report, session_factory(engine))
    finally:
        if engine is not None:
            engine.dispose()
    return 0
