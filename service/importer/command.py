"""`fleksmatch import PATH`: read, validate, write all-or-nothing, and print a Danish summary.

Exit codes: 0 everything imported; 1 refused because of invalid rows (nothing written); 2 the file or the
mapping cannot be used (nothing written); 3 imported with invalid rows skipped (--skip-invalid);
4 the database refused the import (nothing written).
"""

from __future__ import annotations

import csv
import gc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from models.chunks import chunked
from models.danish import counted
from service.core.audit import SYSTEM_ROLE, audit_many
from service.core.auth.principal import Principal
from service.core.spreadsheet import safe_row
from service.importer.mapping import ColumnPlan, Mapping, choose_table, default_mapping, load_mapping
from service.importer.readers import AccessBackend, ImportFileError, SourceTable, open_source
from service.importer.rows import RowIssue, Validation, validate_table
from service.importer.writer import TenantConflict, WriteResult, sync_missing, tenant_conflicts, write_pool

EXIT_OK, EXIT_INVALID_ROWS, EXIT_BAD_FILE, EXIT_PARTIAL, EXIT_DATABASE = 0, 1, 2, 3, 4
SHOWN_ISSUES = 25
TOP_PHRASES = 5
STALE_AFTER = timedelta(days=365)
REPORT_COLUMNS = ("Række", "BorgerID", "Kolonne", "Værdi", "Besked", "Type")
IMPORT_ENDPOINT = "fleksmatch import"


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while rows are validated and written: a large pool allocates
    millions of objects that all live until the end, and the collector would rescan them again and again
    (measured: about a sixth of the CPU time of a 100,000-row import). Reference counting still frees."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class ImportOutcome:
    table: SourceTable
    plan: ColumnPlan
    validation: Validation
    written: WriteResult | None = None
    deactivated: dict[str, int] = field(default_factory=dict)
    report: Path | None = None


def run_import(console: Console, path: Path, *, mapping: Path | None = None, jobcenter: str | None = None,
               skip_invalid: bool = False, sync: bool = False, access_backend: AccessBackend = "auto",
               database_url: str | None = None) -> int:
    """Import a pool file into the configured database (or `database_url`); returns the exit code."""
    with _bulk_allocation():
        return _run_import(console, Path(path), mapping=mapping, jobcenter=jobcenter, skip_invalid=skip_invalid,
                           sync=sync, access_backend=access_backend, database_url=database_url)


def _run_import(console: Console, path: Path, *, mapping: Path | None, jobcenter: str | None,
                skip_invalid: bool, sync: bool, access_backend: AccessBackend, database_url: str | None) -> int:
    try:
        layout = load_mapping(mapping) if mapping is not None else default_mapping()
        table, plan = _read(path, layout, jobcenter=jobcenter, access_backend=access_backend)
    except ImportFileError as exc:
        # soft_wrap: file names and paths stay whole (and copyable) on narrow terminals.
        console.print(f"[bold red]Fejl:[/] {exc}", soft_wrap=True)
        console.print("Intet er gemt.")
        return EXIT_BAD_FILE
    _print_source(console, table, plan)
    return _validate_and_write(console, path, table, plan, layout, jobcenter=jobcenter,
                               skip_invalid=skip_invalid, sync=sync, database_url=database_url)


def _validate_and_write(console: Console, path: Path, table: SourceTable, plan: ColumnPlan, layout: Mapping, *,
                        jobcenter: str | None, skip_invalid: bool, sync: bool, database_url: str | None) -> int:
    with console.status("Kontrollerer rækkerne …"):
        validation = validate_table(table, plan, layout, default_jobcenter=jobcenter)
    try:
        refuse_other_tenants(validation, layout, database_url)
    except SQLAlchemyError as exc:
        return _database_refused(console, exc)
    outcome = ImportOutcome(table=table, plan=plan, validation=validation)
    if validation.errors or validation.warnings:
        outcome.report = write_report(path, validation.errors + validation.warnings)
    refusal = _refusal(validation, skip_invalid=skip_invalid, sync=sync)
    if refusal:
        _print_issues(console, validation, outcome.report)
        console.print(f"[bold red]Importen er afvist:[/] {refusal}. Intet er gemt.")
        return EXIT_INVALID_ROWS
    try:
        _write(outcome, source=path, layout=layout, jobcenter=jobcenter, sync=sync, database_url=database_url)
    except SQLAlchemyError as exc:
        return _database_refused(console, exc)
    except ForeignRowsAppeared as exc:
        console.print(f"[bold red]Importen er afvist:[/] {exc} Intet er gemt.")
        return EXIT_INVALID_ROWS
    _print_issues(console, validation, outcome.report)
    print_summary(console, outcome)
    return EXIT_PARTIAL if validation.errors else EXIT_OK


def _read(path: Path, layout: Mapping, *, jobcenter: str | None, access_backend: AccessBackend
          ) -> tuple[SourceTable, ColumnPlan]:
    source = open_source(path, access_backend=access_backend)
    try:
        name, plan = choose_table(source, layout, jobcenter_given=bool(jobcenter and jobcenter.strip()))
        return source.read(name), plan
    finally:
        source.close()


def _refusal(validation: Validation, *, skip_invalid: bool, sync: bool) -> str | None:
    """Why nothing may be written, or None."""
    if validation.errors and not skip_invalid:
        return (f"{validation.invalid_rows} af {counted(validation.rows_read, 'række', 'rækker')} "
                f"{'er ugyldig' if validation.invalid_rows == 1 else 'er ugyldige'} "
                "(brug --skip-invalid for at importere de gyldige)")
    if not validation.valid:
        if sync:
            return "filen har ingen gyldige rækker, og --sync ville markere hele puljen inaktiv"
        return "filen har ingen gyldige rækker"
    return None


def _database_refused(console: Console, exc: SQLAlchemyError) -> int:
    console.print(f"[bold red]Fejl:[/] databasen afviste importen ({type(exc).__name__}: "
                  f"{str(exc).splitlines()[0]}). Intet er gemt.")
    return EXIT_DATABASE


class ForeignRowsAppeared(RuntimeError):
    """Between the check and the write, a citizen of the file was stored in another jobcentre."""


def _tenant_issue(conflict: TenantConflict, layout: Mapping) -> RowIssue:
    row = conflict.row
    return RowIssue(row.row, row.candidate.id, layout.column("citizen_id"), row.candidate.id, (
        f"borgeren hører til jobcenter {conflict.stored_jobcenter}, ikke {row.candidate.jobcenter}; en import "
        "kan ikke flytte eller ændre borgere i et andet jobcenter"))


def refuse_other_tenants(validation: Validation, layout: Mapping, database_url: str | None) -> None:
    """Rows whose BorgerID is stored under another jobcentre become invalid rows (a Danish row error):
    the usual all-or-nothing rule (or --skip-invalid) then applies to them."""
    from models.db import make_engine, session_factory, session_scope, upgrade_database

    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(session_factory(engine)) as session:
            conflicts = tenant_conflicts(session, validation.valid)
    finally:
        engine.dispose()
    for conflict in conflicts:
        validation.refuse(conflict.row, _tenant_issue(conflict, layout))
    validation.errors.sort(key=lambda issue: issue.row)


def _write(outcome: ImportOutcome, *, source: Path, layout: Mapping, jobcenter: str | None, sync: bool,
           database_url: str | None) -> None:
    from models.db import make_engine, session_factory, session_scope

    engine = make_engine(database_url)
    try:
        validation = outcome.validation
        with session_scope(session_factory(engine)) as session:
            if tenant_conflicts(session, validation.valid):
                raise ForeignRowsAppeared("en borger i filen blev gemt i et andet jobcenter under importen.")
            outcome.written = write_pool(session, validation.valid, columns=outcome.plan.index)
            if sync:
                keep = {row.candidate.id for row in validation.valid} | set(validation.invalid_ids)
                centres = {row.candidate.jobcenter for row in validation.valid}
                centres |= {name for name in validation.invalid_ids.values() if name}
                if jobcenter and jobcenter.strip():
                    centres.add(jobcenter.strip())
                deactivated = sync_missing(session, centres, keep)
                outcome.deactivated = {name: len(ids) for name, ids in deactivated.items()}
            else:
                deactivated = {}
            audit_import(session, source, outcome.written, deactivated)
    finally:
        engine.dispose()


def audit_import(session, source: Path, written: WriteResult, deactivated: dict[str, list[str]]) -> None:
    """One audit row per citizen the import created, changed or deactivated, in the import's transaction.
    The actor names the file; the role is `system` (no request, an operator's command)."""
    principal = Principal(actor=f"import:{source.name}"[:100], role=SYSTEM_ROLE, jobcenters=frozenset())
    detail = f"import af {source.name}"[:200]
    groups = [("create", written.created_ids), ("update", written.changed_ids)]
    for action, pairs in groups:
        for centre in sorted({name for _, name in pairs}):
            ids = [citizen_id for citizen_id, name in pairs if name == centre]
            for chunk in chunked(ids):
                audit_many(session, principal, action, IMPORT_ENDPOINT, chunk, jobcenter=centre, detail=detail)
    for centre, ids in sorted(deactivated.items()):
        for chunk in chunked(ids):
            audit_many(session, principal, "update", IMPORT_ENDPOINT, chunk, jobcenter=centre,
                       detail=f"{detail}: markeret inaktiv (--sync)"[:200])


# ---- the error report --------------------------------------------------------------------------------------

def report_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.importrapport.csv")


def write_report(source: Path, issues: list[RowIssue]) -> Path | None:
    """The issues as a `;` CSV Excel opens with æøå intact: next to the input, or in var/ when that folder
    cannot be written (None if neither can)."""
    for target in (report_path(source), Path("var") / report_path(source).name):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle, delimiter=";")
                writer.writerow(REPORT_COLUMNS)
                for issue in issues:
                    writer.writerow(safe_row((issue.row, issue.citizen_id, issue.column, issue.value, issue.message,
                                              issue.severity)))
            return target
        except OSError:
            continue
    return None


# ---- printing --------------------------------------------------------------------------------------------------

def _print_source(console: Console, table: SourceTable, plan: ColumnPlan) -> None:
    details = ", ".join(f"{key}: {value}" for key, value in table.details.items())
    console.print(f"Læser [bold]{table.source.name}[/], tabel '{table.name}' "
                  f"({counted(len(table.rows), 'række', 'rækker')}{', ' + details if details else ''})")
    if plan.unused:
        console.print(f"[yellow]Kolonner der ikke bruges:[/] {', '.join(plan.unused)}")


def _print_issues(console: Console, validation: Validation, report: Path | None) -> None:
    issues = validation.errors + validation.warnings
    if not issues:
        return
    title = f"{counted(len(validation.errors), 'fejl', 'fejl')} og {counted(len(validation.warnings), 'advarsel', 'advarsler')}"
    table = Table(title=title, title_justify="left")
    for column in ("Række", "BorgerID", "Kolonne", "Værdi", "Besked"):
        table.add_column(column, overflow="fold")
    for issue in issues[:SHOWN_ISSUES]:
        style = "red" if issue.severity == "fejl" else "yellow"
        table.add_row(str(issue.row), issue.citizen_id, issue.column, issue.value, issue.message, style=style)
    console.print(table)
    if len(issues) > SHOWN_ISSUES:
        console.print(f"… og {len(issues) - SHOWN_ISSUES} mere i rapporten.")
    if report is not None:
        console.print(f"Rapport: {report}", soft_wrap=True)
    else:
        console.print("[yellow]Rapporten kunne ikke skrives (hverken ved siden af filen eller i var/).[/]")


def _stale(validation: Validation, today: date) -> int:
    return sum(1 for row in validation.valid if row.updated and today - row.updated > STALE_AFTER)


def print_summary(console: Console, outcome: ImportOutcome, today: date | None = None) -> None:
    validation, written = outcome.validation, outcome.written or WriteResult()
    summary = Table(title="Importen er gennemført", title_justify="left", show_header=False)
    summary.add_column("", style="bold")
    summary.add_column("", justify="right")
    lines = [("Rækker læst", validation.rows_read), ("Nye borgere", written.new),
             ("Ændrede", written.changed), ("Uændrede", written.unchanged),
             ("Ugyldige (ikke importeret)", validation.invalid_rows)]
    if outcome.deactivated:
        lines.append(("Markeret inaktive (--sync)", sum(outcome.deactivated.values())))
    unresolved = validation.unresolved_phrases
    lines += [("Uafklarede skånehensyn", sum(unresolved.values())),
              ("Ukendte postnumre", sum(validation.unknown_postcodes.values())),
              ("Opdateret for over et år siden", _stale(validation, today or date.today()))]
    for label, value in lines:
        summary.add_row(label, str(value))
    console.print(summary)
    if unresolved:
        top = ", ".join(f"'{phrase}' ({count})" for phrase, count in _top(unresolved))
        console.print(f"Hyppigste uafklarede skånehensyn: {top}. De er gemt som noter og skal "
                      "gennemgås af en konsulent.")
    if validation.unknown_postcodes:
        codes = ", ".join(code for code, _ in _top(validation.unknown_postcodes))
        console.print(f"Ukendte postnumre (gemt uden placering): {codes}")
    _print_per_jobcenter(console, outcome)


def _top(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_PHRASES]


def _print_per_jobcenter(console: Console, outcome: ImportOutcome) -> None:
    written = outcome.written or WriteResult()
    invalid = outcome.validation.invalid_per_jobcenter
    names = sorted(set(written.per_jobcenter) | set(invalid) | set(outcome.deactivated))
    table = Table(title="Pr. jobcenter", title_justify="left")
    for column in ("Jobcenter", "Nye", "Ændrede", "Uændrede", "Ugyldige", "Inaktive"):
        table.add_column(column, justify="left" if column == "Jobcenter" else "right")
    for name in names:
        counts = written.per_jobcenter.get(name, Counter())
        table.add_row(name, str(counts["new"]), str(counts["changed"]), str(counts["unchanged"]),
                      str(invalid[name]), str(outcome.deactivated.get(name, 0)))
    console.print(table)


__all__ = ["EXIT_BAD_FILE", "EXIT_DATABASE", "EXIT_INVALID_ROWS", "EXIT_OK", "EXIT_PARTIAL",
           "ImportOutcome", "print_summary", "report_path", "run_import", "write_report"]
