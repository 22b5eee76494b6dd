"""`fleksmatch rematch`: the batch rematch with a progress bar, a summary table and the Excel report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from models import orm, store
from models.db import database_url, make_engine, session_factory, session_scope, upgrade_database
from service.core.jobs import RematchBusy, execute_job, runner_identity, submit_rematch
from service.core.rematch import RematchSummary, run_rematch
from service.reports.rematch_report import write_rematch_report

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


def print_summary(console: Console, summary: RematchSummary) -> None:
    table = Table(title="Resultat af genmatchning", show_lines=False)
    table.add_column("")
    table.add_column("FleksMatch", justify="right")
    table.add_column("Uden FleksMatch (grådig)", justify="right")
    fm, greedy = summary.coverage_counts, summary.greedy_coverage_counts
    table.add_row("Åbne stillinger", str(summary.positions_total), str(summary.positions_total))
    table.add_row("Fuldt dækket", str(fm["full"]), str(greedy["full"]))
    table.add_row("Delvist dækket", str(fm["partial"]), str(greedy["partial"]))
    table.add_row("Ikke dækket", str(fm["none"]), str(greedy["none"]))
    table.add_row("Timer dækket", f"{summary.hours_covered} af {summary.hours_requested}",
                  f"{summary.greedy_hours_covered} af {summary.hours_requested}")
    table.add_row("Borgere foreslået", str(summary.citizens_proposed), str(summary.greedy_citizens_proposed))
    table.add_row("Målværdi", f"{summary.objective:.1f}", f"{summary.greedy_objective:.1f}")
    console.print(table)
    bound = f" (øvre grænse {summary.lp_bound:.1f})" if summary.lp_bound else ""
    console.print(f"{summary.citizens_available} ledige borgere, {len(summary.jobcenters)} jobcentre, "
                  f"beregnet på {summary.seconds:.1f} s{bound}.")


def _jobcenter_exists(engine, name: str) -> bool:
    with session_scope(session_factory(engine)) as session:
        return store.get_jobcenter(session, name) is not None


def _unknown_jobcenter(console: Console, engine, name: str) -> int:
    with session_scope(session_factory(engine)) as session:
        known = session.scalars(select(orm.Jobcenter.name).order_by(orm.Jobcenter.name)).all()
    listing = ", ".join(known) if known else "ingen endnu (importér en pulje først)"
    console.print(f"[bold red]Fejl:[/] jobcentret «{name}» findes ikke. Kendte jobcentre: {listing}")
    return 2


def report_and_summary(console: Console, summary: RematchSummary, report: Path | None) -> Path:
    print_summary(console, summary)
    xlsx, csv = write_rematch_report(summary, report or default_report_path())
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
        summary = rematch_with_progress(console, session_factory(engine), jobcenter, created_by)
    except RematchBusy as busy:
        return busy_message(console, busy)
    except KeyboardInterrupt:
        console.print("[bold yellow]Afbrudt.[/] Intet er ændret: de tidligere forslag er urørte.")
        return EXIT_INTERRUPTED
    finally:
        if engine is not None:
            engine.dispose()
    if not summary.outcomes:
        where = f"i jobcenter {jobcenter}" if jobcenter else "i databasen"
        console.print(f"[bold yellow]Ingen åbne stillinger {where}.[/] Intet at genmatche.")
        return 1 if jobcenter else 0
    report_and_summary(console, summary, report)
    return 0
