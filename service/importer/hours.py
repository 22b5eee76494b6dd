"""`fleksmatch import-hours FILE`: paid hours per month (eIndkomst løntimer) from a CSV or Excel export, for SK3
(docs/kpis.md, docs/cli.md).

Each row names an employment, by its id or by the citizen's BorgerID (then the one employment the citizen had
in that month), a month and the paid hours. All or nothing, like the pool import: any invalid row refuses the
whole file with a Danish message per row (printed, and written as a `;` CSV report beside the file), and
nothing is written. The same employment and month again replaces the earlier figure.

Exit codes: 0 imported; 1 refused for invalid rows; 2 the file cannot be used; 4 the database refused.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models import orm, placements
from models.chunks import chunked
from models.danish import counted, fold
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.months import first_day, last_day, month_key
from service.core.audit import SYSTEM_ROLE, audit_many
from service.core.auth.principal import Principal
from service.importer.command import EXIT_BAD_FILE, EXIT_DATABASE, EXIT_INVALID_ROWS, EXIT_OK, write_report
from service.importer.readers import CSV_SUFFIXES, EXCEL_SUFFIXES, ImportFileError, SourceTable, open_source
from service.importer.rows import CellError, RowIssue, cell_text, parse_number

MAX_PAID_HOURS = 400
"""The database's bound on one month's paid hours (more than full time every day of a month)."""
SHOWN_ISSUES = 25
ENDPOINT = "fleksmatch import-hours"

# Accepted column names, folded (lower case, single spaces); the first found is used.
COLUMNS: dict[str, tuple[str, ...]] = {
    "employment_id": ("employment_id", "ansættelse", "ansættelsesid", "ansættelses-id", "ansaettelse_id",
                      "ansættelse_id"),
    "citizen_id": ("borgerid", "borger_id", "borger-id", "citizen_id", "cpr-løbenummer"),
    "month": ("måned", "maaned", "month", "periode", "lønperiode"),
    "paid_hours": ("timer", "løntimer", "loentimer", "paid_hours", "hours", "betalte timer"),
}
LABELS = {"employment_id": "Ansættelse", "citizen_id": "BorgerID", "month": "Måned", "paid_hours": "Timer"}
_MONTH_FIRST = re.compile(r"^(\d{1,2})[-./ ](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[-./ ]?(\d{1,2})(?:[-./ ]\d{1,2})?$")


@dataclass(frozen=True)
class HoursRow:
    row: int
    employment_id: str | None
    citizen_id: str | None
    month: str
    paid_hours: float


@dataclass
class HoursValidation:
    rows_read: int = 0
    valid: list[HoursRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)

    def fail(self, number: int, who: str, column: str, value: Any, message: str) -> None:
        self.errors.append(RowIssue(number, who, LABELS[column], cell_text(value) or "", message))


# ---- reading and checking the cells ------------------------------------------------------------------------


def parse_month_cell(value: Any) -> str:
    """"2026-11", "202611", "11-2026", "11/2026", or a date (its month: Excel often stores months as dates)."""
    if isinstance(value, (datetime, date)):
        return month_key(value.year, value.month)
    text = cell_text(value)
    if text is None:
        raise CellError("mangler")
    found = _YEAR_FIRST.match(text)
    year, month = (found.group(1), found.group(2)) if found else (None, None)
    if not found and (found := _MONTH_FIRST.match(text)):
        month, year = found.group(1), found.group(2)
    if year is None or not 1 <= int(month) <= 12:
        raise CellError("skal være en måned som ÅÅÅÅ-MM, fx 2026-11")
    return month_key(int(year), int(month))


def parse_hours_cell(value: Any) -> float:
    hours = parse_number(value)
    if hours is None:
        raise CellError("mangler")
    if not 0 <= hours <= MAX_PAID_HOURS:
        raise CellError(f"skal være mellem 0 og {MAX_PAID_HOURS} timer")
    return hours


def column_plan(table: SourceTable) -> dict[str, int]:
    """Which column holds what; ImportFileError naming what is missing."""
    folded = {fold(str(name)): index for index, name in enumerate(table.columns) if name is not None}
    plan = {key: next((folded[name] for name in names if name in folded), None) for key, names in COLUMNS.items()}
    missing = [LABELS[key] for key in ("month", "paid_hours") if plan[key] is None]
    if plan["employment_id"] is None and plan["citizen_id"] is None:
        missing.insert(0, "Ansættelse eller BorgerID")
    if missing:
        raise ImportFileError(f"'{table.source.name}' mangler kolonnen {' og '.join(missing)} "
                              f"(fandt: {', '.join(str(c) for c in table.columns) or 'ingen'})")
    return {key: index for key, index in plan.items() if index is not None}


def validate_cells(table: SourceTable, plan: dict[str, int]) -> HoursValidation:
    result = HoursValidation()
    for number, cells in table.rows:
        values = {key: cells[index] if index < len(cells) else None for key, index in plan.items()}
        if all(cell_text(v) is None for v in values.values()):
            continue  # a blank line
        result.rows_read += 1
        employment_id, citizen_id = cell_text(values.get("employment_id")), cell_text(values.get("citizen_id"))
        who = citizen_id or employment_id or ""
        if employment_id is None and citizen_id is None:
            column = "employment_id" if "employment_id" in plan else "citizen_id"
            result.fail(number, who, column, None, "mangler: angiv ansættelsen eller borgeren")
        parsed = {}
        for key, parser in (("month", parse_month_cell), ("paid_hours", parse_hours_cell)):
            try:
                parsed[key] = parser(values[key])
            except CellError as exc:
                result.fail(number, who, key, values[key], str(exc))
        if len(parsed) == 2 and (employment_id or citizen_id):
            result.valid.append(HoursRow(number, employment_id, citizen_id, parsed["month"], parsed["paid_hours"]))
    return result


# ---- checking against the database --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Employment:
    id: str
    citizen_id: str
    start: date
    end: date | None
    annulled: bool


def resolve_employments(session: Session, validation: HoursValidation) -> list[tuple[HoursRow, _Employment]]:
    """Each valid row with its employment; rows whose employment cannot be found or is ambiguous become errors,
    as does the same employment and month twice in the file."""
    by_id, by_citizen = _load(session, validation.valid)
    resolved: list[tuple[HoursRow, _Employment]] = []
    for row in validation.valid:
        employment = _employment_of(row, by_id, by_citizen, validation)
        if employment is not None:
            resolved.append((row, employment))
    seen: dict[tuple[str, str], int] = {}
    unique = []
    for row, employment in resolved:
        first = seen.setdefault((employment.id, row.month), row.row)
        if first != row.row:
            validation.fail(row.row, row.citizen_id or employment.citizen_id, "month", row.month,
                            f"ansættelse {employment.id} har allerede timer for {row.month} i række {first}")
        else:
            unique.append((row, employment))
    return unique


def _load(session: Session, rows: list[HoursRow]) -> tuple[dict[str, _Employment], dict[str, list[_Employment]]]:
    columns = (orm.Employment.id, orm.Employment.citizen_id, orm.Employment.start_date, orm.Employment.end_date,
               orm.Employment.annulled_at)
    found: dict[str, _Employment] = {}
    for key, column in (("employment_id", orm.Employment.id), ("citizen_id", orm.Employment.citizen_id)):
        ids = sorted({getattr(row, key) for row in rows if getattr(row, key)})
        for chunk in chunked(ids):
            for eid, cid, start, end, annulled in session.execute(select(*columns).where(column.in_(chunk))):
                found[eid] = _Employment(eid, cid, start, end, annulled is not None)
    by_citizen: dict[str, list[_Employment]] = defaultdict(list)
    for employment in sorted(found.values(), key=lambda e: (e.start, e.id)):
        if not employment.annulled:
            by_citizen[employment.citizen_id].append(employment)
    return found, by_citizen


def _employment_of(row: HoursRow, by_id: dict[str, _Employment], by_citizen: dict[str, list[_Employment]],
                   validation: HoursValidation) -> _Employment | None:
    first, last = first_day(row.month), last_day(row.month)
    if row.employment_id:
        employment = by_id.get(row.employment_id)
        who = row.citizen_id or (employment.citizen_id if employment else "")
        if employment is None or employment.annulled:
            validation.fail(row.row, who, "employment_id", row.employment_id,
                            "ansættelsen findes ikke" if employment is None else "ansættelsen er annulleret")
            return None
        if row.citizen_id and row.citizen_id != employment.citizen_id:
            validation.fail(row.row, row.citizen_id, "citizen_id", row.citizen_id,
                            f"ansættelse {employment.id} tilhører en anden borger")
            return None
        if employment.start > last or (employment.end is not None and employment.end < first):
            validation.fail(row.row, who, "month", row.month,
                            f"ansættelse {employment.id} løb ikke i {row.month}")
            return None
        return employment
    running = [e for e in by_citizen.get(row.citizen_id or "", [])
               if e.start <= last and (e.end is None or e.end >= first)]
    if len(running) != 1:
        message = (f"borgeren havde ingen ansættelse i {row.month}" if not running else
                   f"borgeren havde {len(running)} ansættelser i {row.month} "
                   f"({', '.join(e.id for e in running)}): angiv ansættelsen")
        validation.fail(row.row, row.citizen_id or "", "citizen_id", row.citizen_id, message)
        return None
    return running[0]


# ---- the command ------------------------------------------------------------------------------------------------


def read_table(path: Path) -> SourceTable:
    if path.suffix.lower() not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        raise ImportFileError(f"løntimer kan importeres fra .csv og .xlsx, ikke '{path.suffix or '(ingen)'}' "
                              f"({path.name})")
    source = open_source(path)
    try:
        names = source.table_names()
        if not names:
            raise ImportFileError(f"'{path.name}' indeholder ingen tabel")
        return source.read(names[0])
    finally:
        source.close()


def import_hours(session: Session, path: Path) -> tuple[HoursValidation, int]:
    """Validate the file against the database and, when every row is valid, write it (in the caller's
    transaction). Returns the validation and the number of figures written (0 when refused)."""
    table = read_table(path)
    validation = validate_cells(table, column_plan(table))
    resolved = resolve_employments(session, validation)
    if validation.errors:
        validation.errors.sort(key=lambda issue: issue.row)
        return validation, 0
    written = placements.set_paid_hours_many(session, [(e.id, row.month, row.paid_hours) for row, e in resolved])
    principal = Principal(actor=f"import:{path.name}"[:100], role=SYSTEM_ROLE, jobcenters=frozenset())
    audit_many(session, principal, "update", ENDPOINT, sorted({e.citizen_id for _, e in resolved}),
               detail=f"løntimer importeret fra {path.name}"[:200])
    return validation, written


def run_import_hours(console: Console, path: Path, *, database_url: str | None = None) -> int:
    path = Path(path)
    try:
        upgrade_database(database_url)
        engine = make_engine(database_url)
    except SQLAlchemyError as exc:
        console.print(f"[bold red]Fejl:[/] databasen kunne ikke åbnes: {exc.__class__.__name__}")
        return EXIT_DATABASE
    try:
        with session_scope(session_factory(engine)) as session:
            validation, written = import_hours(session, path)
            if validation.errors:
                session.rollback()
    except ImportFileError as exc:
        console.print(f"[bold red]Fejl:[/] {exc}", soft_wrap=True)
        console.print("Intet er gemt.")
        return EXIT_BAD_FILE
    except SQLAlchemyError as exc:
        console.print(f"[bold red]Fejl:[/] databasen afviste importen ({exc.__class__.__name__}). Intet er gemt.")
        return EXIT_DATABASE
    finally:
        engine.dispose()
    if validation.errors:
        _print_errors(console, validation, write_report(path, validation.errors))
        return EXIT_INVALID_ROWS
    console.print(f"Løntimer importeret fra [bold]{path.name}[/]: "
                  f"{counted(written, 'måned', 'måneder')} med betalte timer "
                  f"({counted(validation.rows_read, 'række', 'rækker')} læst).")
    return EXIT_OK


def _print_errors(console: Console, validation: HoursValidation, report: Path | None) -> None:
    bad_rows = len({issue.row for issue in validation.errors})
    for issue in validation.errors[:SHOWN_ISSUES]:
        value = f" «{issue.value}»" if issue.value else ""
        console.print(f"  Række {issue.row}, {issue.column}{value}: {issue.message}.", soft_wrap=True)
    if len(validation.errors) > SHOWN_ISSUES:
        console.print(f"  … og {len(validation.errors) - SHOWN_ISSUES} mere i rapporten.")
    if report is not None:
        console.print(f"Rapport: {report}", soft_wrap=True)
    console.print(f"[bold red]Importen er afvist:[/] {counted(bad_rows, 'række', 'rækker')} af "
                  f"{validation.rows_read} er ugyldige. Intet er gemt.")


__all__ = ["import_hours", "parse_hours_cell", "parse_month_cell", "run_import_hours"]
