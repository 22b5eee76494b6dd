"""The rematch report a team leader opens in Excel: a summary sheet, one sheet per jobcentre with every open
position (the proposed citizens, hours per task, a short Danish explanation, the outcome so far), and a
sheet that explains the columns and terms. Times are on the Copenhagen clock, as in the web UI; every
jobcentre sheet has a frozen header and an autofilter. Column names are plain Danish: the comparison is
"Samme opgave løst uden optimering" (each position takes the best free candidates in turn), not "grådig".
A CSV with the same rows is written beside it for systems that do not read Excel."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from models.danish import LOCAL_ZONE_LABEL, local_time
from service.core.spreadsheet import safe_row

if TYPE_CHECKING:
    from service.core.rematch import PositionOutcome, RematchSummary

BASELINE = "Samme opgave løst uden optimering"
BASELINE_COLUMN = f"{BASELINE}: timer dækket"
OUTCOME_COLUMN = "Udfald"
POSITION_COLUMNS = [
    "Jobcenter", "Stilling-id", "Stilling", "Virksomhed", "Timer ønsket", "Timer dækket", "Dækning",
    "Foreslåede borgere", "Timer pr. opgave", "Forklaring", OUTCOME_COLUMN, BASELINE_COLUMN,
]
COVERAGE_LABELS = {"full": "Fuldt dækket", "partial": "Delvist dækket", "none": "Ikke dækket"}
NOT_HANDLED = "Ikke behandlet"
OBJECTIVE_LABEL = "Velmatchede timer (timer × match, minus ½ pr. ekstra person)"
BOUND_LABEL = "Bedst mulige velmatchede timer (teoretisk loft)"
RUN_LABEL = f"Kørt ({LOCAL_ZONE_LABEL})"
EXPLANATION_SHEET = "Forklaring"
EXPLANATIONS = [
    ("Oversigt", "Hele kørslen: FleksMatch' forslag sammenlignet med samme opgave løst uden optimering."),
    (BASELINE, "Stillingerne tager på skift de bedst matchede ledige borgere, uden at se på helheden. "
               "Viser hvad optimeringen vinder."),
    ("Velmatchede timer", "Timer vægtet med hvor godt borgeren matcher (1 time med et perfekt match = 1). "
                          "Hver person ud over den første på en stilling trækker en halv time fra, så en "
                          "stilling kun deles, når det giver klart flere gode timer."),
    ("Teoretisk loft", "Det højeste antal velmatchede timer, nogen fordeling kunne nå. Jo tættere FleksMatch "
                       "er på loftet, jo mindre er der at vinde."),
    ("Dækning", "Fuldt dækket: alle ønskede timer har en borger. Delvist dækket: nogle timer mangler. "
                "Ikke dækket: ingen egnet borger."),
    ("Foreslåede borgere", "Borger-id'er som i sagssystemet; ingen borger foreslås til flere stillinger i samme "
                           "kørsel, og ingen får flere timer, end de kan arbejde."),
    ("Timer pr. opgave", "Hvor mange timer om ugen hver foreslået borger får på hver opgave."),
    ("Forklaring", "Hvorfor netop de borgere, og hvorfor timer mangler."),
    (OUTCOME_COLUMN, "Hvad konsulenterne har registreret på stillingens forslag (fx Kontaktet, Ansat). "
                     f"«{NOT_HANDLED}» betyder, at forslaget endnu ikke er fulgt op."),
    ("Tidspunkter", f"Alle tidspunkter er {LOCAL_ZONE_LABEL}, som i webgrænsefladen."),
]
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
# Excel refuses sheet names longer than 31 characters or containing these.
_SHEET_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def outcome_text(outcome: PositionOutcome, outcomes: Mapping[str, str] | None) -> str:
    """The recorded outcome of the position's proposals; a fresh proposal is "Ikke behandlet"."""
    if outcomes and outcome.position_id in outcomes:
        return outcomes[outcome.position_id]
    return NOT_HANDLED if outcome.citizen_ids else ""


def position_row(outcome: PositionOutcome, outcomes: Mapping[str, str] | None = None) -> list:
    return [
        outcome.jobcenter, outcome.position_id, outcome.position_title, outcome.employer_name,
        outcome.hours_requested, outcome.hours_covered, COVERAGE_LABELS[outcome.coverage],
        ", ".join(outcome.citizen_ids), outcome.hours_by_task_text, outcome.explanation,
        outcome_text(outcome, outcomes), outcome.greedy_hours_covered,
    ]


def summary_rows(summary: RematchSummary) -> list[tuple[str, object, object]]:
    """(label, FleksMatch, uden optimering): the summary sheet's rows, shared with the CLI's summary table."""
    fm, greedy = summary.coverage_counts, summary.greedy_coverage_counts
    return [
        ("Åbne stillinger", summary.positions_total, summary.positions_total),
        ("Fuldt dækket", fm["full"], greedy["full"]),
        ("Delvist dækket", fm["partial"], greedy["partial"]),
        ("Ikke dækket", fm["none"], greedy["none"]),
        ("Timer dækket", summary.hours_covered, summary.greedy_hours_covered),
        ("Timer ønsket", summary.hours_requested, summary.hours_requested),
        ("Borgere foreslået", summary.citizens_proposed, summary.greedy_citizens_proposed),
        (OBJECTIVE_LABEL, round(summary.objective, 2), round(summary.greedy_objective, 2)),
        (BOUND_LABEL, round(summary.lp_bound, 2), ""),
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


def _summary_sheet(book: Workbook, summary: RematchSummary) -> None:
    sheet = book.active
    sheet.title = "Oversigt"
    sheet.append(["", "FleksMatch", BASELINE])
    for row in summary_rows(summary):
        sheet.append(list(row))
    sheet.append([])
    sheet.append([RUN_LABEL, local_time(summary.finished_at).strftime("%d-%m-%Y %H:%M"), ""])
    _append_as_text(sheet, ["Jobcentre", ", ".join(summary.jobcenters), ""])
    _style_header(sheet, 3)
    _fit_columns(sheet, [58, 20, 34])


def _jobcenter_sheet(book: Workbook, title: str, rows: list[list]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(POSITION_COLUMNS)
    for row in rows:
        _append_as_text(sheet, row)
    _style_header(sheet, len(POSITION_COLUMNS))
    _fit_columns(sheet, [14, 12, 30, 28, 8, 8, 14, 28, 40, 70, 16, 14])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(POSITION_COLUMNS))}{max(sheet.max_row, 2)}"


def _explanation_sheet(book: Workbook) -> None:
    sheet = book.create_sheet(EXPLANATION_SHEET)
    sheet.append(["Begreb", "Betydning"])
    for term, text in EXPLANATIONS:
        sheet.append([term, text])
    _style_header(sheet, 2)
    _fit_columns(sheet, [34, 100])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)


def write_workbook(summary: RematchSummary, path: Path, outcomes: Mapping[str, str] | None = None) -> None:
    book = Workbook()
    _summary_sheet(book, summary)
    used = {"oversigt", EXPLANATION_SHEET.lower()}
    for jobcenter in summary.jobcenters:
        rows = [position_row(o, outcomes) for o in summary.outcomes if o.jobcenter == jobcenter]
        _jobcenter_sheet(book, _sheet_title(jobcenter, used), rows)
    _explanation_sheet(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def write_csv(summary: RematchSummary, path: Path, outcomes: Mapping[str, str] | None = None) -> None:
    """Semicolon and UTF-8 with BOM: what Danish Excel opens correctly by double-click."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(POSITION_COLUMNS)
        for outcome in summary.outcomes:
            writer.writerow(safe_row(position_row(outcome, outcomes)))


def write_rematch_report(summary: RematchSummary, xlsx_path: Path,
                         outcomes: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """Writes the workbook and a CSV beside it (same name, .csv); returns both paths. `outcomes` maps a
    position id to the Danish text of what has been recorded on its proposals (service.reports.outcomes)."""
    xlsx_path = Path(xlsx_path)
    if xlsx_path.suffix.lower() != ".xlsx":
        xlsx_path = xlsx_path.with_suffix(".xlsx")
    csv_path = xlsx_path.with_suffix(".csv")
    write_workbook(summary, xlsx_path, outcomes)
    write_csv(summary, csv_path, outcomes)
    return xlsx_path, csv_path
