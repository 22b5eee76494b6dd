"""The rematch report consultants open in Excel: a summary sheet, then one sheet per jobcentre with every
open position, the proposed citizens, hours per task and a short Danish explanation. A CSV with the same
rows is written beside it for systems that do not read Excel."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from service.core.spreadsheet import safe_row

if TYPE_CHECKING:
    from service.core.rematch import PositionOutcome, RematchSummary

POSITION_COLUMNS = [
    "Jobcenter", "Stilling-id", "Stilling", "Virksomhed", "Timer ønsket", "Timer dækket", "Dækning",
    "Foreslåede borgere", "Timer pr. opgave", "Forklaring", "Uden FleksMatch (grådig): timer dækket",
]
COVERAGE_LABELS = {"full": "Fuldt dækket", "partial": "Delvist dækket", "none": "Ikke dækket"}
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
# Excel refuses sheet names longer than 31 characters or containing these.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def position_row(outcome: PositionOutcome) -> list:
    return [
        outcome.jobcenter, outcome.position_id, outcome.position_title, outcome.employer_name,
        outcome.hours_requested, outcome.hours_covered, COVERAGE_LABELS[outcome.coverage],
        ", ".join(outcome.citizen_ids), outcome.hours_by_task_text, outcome.explanation,
        outcome.greedy_hours_covered,
    ]


def summary_rows(summary: RematchSummary) -> list[tuple[str, object, object]]:
    fm, greedy = summary.coverage_counts, summary.greedy_coverage_counts
    return [
        ("Åbne stillinger", summary.positions_total, summary.positions_total),
        ("Fuldt dækket", fm["full"], greedy["full"]),
        ("Delvist dækket", fm["partial"], greedy["partial"]),
        ("Ikke dækket", fm["none"], greedy["none"]),
        ("Timer dækket", summary.hours_covered, summary.greedy_hours_covered),
        ("Timer ønsket", summary.hours_requested, summary.hours_requested),
        ("Borgere foreslået", summary.citizens_proposed, summary.greedy_citizens_proposed),
        ("Målværdi (scorevægtede timer)", round(summary.objective, 2), round(summary.greedy_objective, 2)),
        ("Øvre grænse (LP-relaksering)", round(summary.lp_bound, 2), ""),
        ("Ledige borgere i puljen", summary.citizens_available, ""),
        ("Beregningstid (sekunder)", round(summary.seconds, 1), ""),
    ]


def _style_header(sheet, columns: int) -> None:
    for col in range(1, columns + 1):
        cell = sheet.cell(row=1, column=col)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"


def _fit_columns(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _sheet_title(name: str, used: set[str]) -> str:
    base = name.translate(_SHEET_FORBIDDEN).strip()[:31] or "Jobcenter"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _append_as_text(sheet, values: list) -> None:
    """Append a row whose text shows exactly as written: openpyxl stores a string starting with "=" as a
    formula, and titles and names come from case systems and imports, so Excel must never evaluate them."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def write_workbook(summary: RematchSummary, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Oversigt"
    sheet.append(["", "FleksMatch", "Uden FleksMatch (grådig)"])
    for row in summary_rows(summary):
        sheet.append(list(row))
    sheet.append([])
    sheet.append(["Kørt", summary.finished_at.strftime("%d-%m-%Y %H:%M"), ""])
    _append_as_text(sheet, ["Jobcentre", ", ".join(summary.jobcenters), ""])
    _style_header(sheet, 3)
    _fit_columns(sheet, [34, 20, 26])
    used = {"oversigt"}
    for jobcenter in summary.jobcenters:
        js = book.create_sheet(_sheet_title(jobcenter, used))
        js.append(POSITION_COLUMNS)
        for outcome in summary.outcomes:
            if outcome.jobcenter == jobcenter:
                _append_as_text(js, position_row(outcome))
        _style_header(js, len(POSITION_COLUMNS))
        _fit_columns(js, [14, 12, 30, 28, 8, 8, 14, 28, 40, 70, 12])
        for row in js.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def write_csv(summary: RematchSummary, path: Path) -> None:
    """Semicolon and UTF-8 with BOM: what Danish Excel opens correctly by double-click."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(POSITION_COLUMNS)
        for outcome in summary.outcomes:
            writer.writerow(safe_row(position_row(outcome)))


def write_rematch_report(summary: RematchSummary, xlsx_path: Path) -> tuple[Path, Path]:
    """Writes the workbook and a CSV beside it (same name, .csv); returns both paths."""
    xlsx_path = Path(xlsx_path)
    if xlsx_path.suffix.lower() != ".xlsx":
        xlsx_path = xlsx_path.with_suffix(".xlsx")
    csv_path = xlsx_path.with_suffix(".csv")
    write_workbook(summary, xlsx_path)
    write_csv(summary, csv_path)
    return xlsx_path, csv_path
