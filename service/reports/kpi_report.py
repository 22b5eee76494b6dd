"""The KPI workbook a team leader opens in Excel (`fleksmatch kpi --report FILE.xlsx`): one row per jobcentre and
month with SK1–SK3 as percentages and their numerators and denominators, a sheet with the targets and the
national figures of STAR's report, and a sheet explaining the columns (docs/kpis.md)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models.kpis import NATIONAL, NATIONAL_MONTH, SK2_REPORT_RANGE, TARGETS, MonthKpis
from service.core.spreadsheet import safe_row

KPIS = ("sk1", "sk2", "sk3")
COLUMNS = ["Jobcenter", "Måned"] + [f"{kpi.upper()} {what}" for kpi in KPIS
                                    for what in ("andel", "tæller", "nævner")] + ["SK3 uden løntimer"]
EXPLANATIONS = [
    ("SK1", "Fuldtidspersoner i fleksjob ud af alle fuldtidspersoner i ordningen (fleksjob og ledighedsydelse). "
            "En person tæller med den andel af månedens dage, personen var i tilstanden. Mål: mindst 90 %."),
    ("SK2", "Afsluttede ledighedsydelsesforløb med en varighed under 6 måneder ud af alle afsluttede forløb, "
            "blandt forløb der sluttede i de tre måneder til og med måneden. Mål: mindst 85 %."),
    ("SK3", "Personer i fleksjob på højst 10 timer om ugen i mindst 12 måneder, der i hver af de seneste tre "
            "måneder har fået løn for flere timer end i hver af de første tre. Mål: mindst 28 %."),
    ("SK3 uden løntimer", "Personer SK3 ikke kan bedømme, fordi løntimer for en af de seks måneder mangler; de "
                          "indgår hverken i tæller eller nævner."),
    ("Andel", "Tæller ÷ nævner. Tom, når nævneren er 0."),
]


def write_kpi_report(path: Path, figures: Iterable[tuple[str, list[MonthKpis]]]) -> Path:
    """Write the workbook; `figures` are (jobcentre, its months). Returns the path written."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Nøgletal"
    sheet.append(COLUMNS)
    for jobcenter, months in figures:
        for month in months:
            row: list[object] = [jobcenter, month.month]
            for kpi in KPIS:
                value = getattr(month, kpi)
                row += [value.value, value.numerator, value.denominator]
            sheet.append(safe_row(row + [month.sk3_missing_hours]))
    for column in range(3, 3 + 3 * len(KPIS), 3):
        for cell in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell[0].number_format = "0%"
    _header(sheet, widths=[16, 10] + [11] * (3 * len(KPIS)) + [18])
    _targets(book.create_sheet("Mål og landstal"))
    explained = book.create_sheet("Forklaring")
    explained.append(["Kolonne", "Betydning"])
    for row in EXPLANATIONS:
        explained.append(list(row))
    _header(explained, widths=[20, 110])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _targets(sheet) -> None:
    sheet.append(["Succeskriterie", "Mål", f"Hele landet {NATIONAL_MONTH}", "Bemærkning"])
    notes = {"sk2": f"Intet landstal i rapporten; de ni fulgte kommuner lå fra {SK2_REPORT_RANGE[0]:.0%} "
                    f"til {SK2_REPORT_RANGE[1]:.0%}."}
    for kpi in KPIS:
        national = NATIONAL.get(kpi)
        sheet.append([kpi.upper(), TARGETS[kpi], national.value if national else None, notes.get(kpi, "")])
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=3):
        for cell in row:
            cell.number_format = "0%"
    _header(sheet, widths=[16, 8, 18, 80])


def _header(sheet, widths: list[int]) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


__all__ = ["COLUMNS", "write_kpi_report"]
