"""CSV outputs never hand a spreadsheet a formula (issue 13, Medium 7): the rematch CSV and the import error
report quote text that starts with =, +, -, @, a tab or a carriage return, as the xlsx already does."""

from __future__ import annotations

import csv
from pathlib import Path

from service.core.spreadsheet import safe_cell
from service.importer.command import write_report
from service.importer.rows import RowIssue
from service.reports.rematch_report import POSITION_COLUMNS, write_rematch_report
from test_reports import outcome, summary_of

ATTACKS = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://x\")", "@SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "\t=1+1"]


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_the_rematch_csv_quotes_formulas(tmp_path):
    outcomes = [outcome("Horsens", f"S-{n}", 5, 0, title=attack, employer=attack) for n, attack in enumerate(ATTACKS)]
    _, csv_path = write_rematch_report(summary_of(*outcomes), tmp_path / "r.xlsx")
    rows = _rows(csv_path)[1:]
    title, employer = POSITION_COLUMNS.index("Stilling"), POSITION_COLUMNS.index("Virksomhed")
    assert [row[title] for row in rows] == ["'" + attack for attack in ATTACKS]
    assert [row[employer] for row in rows] == ["'" + attack for attack in ATTACKS]
    assert rows[0][POSITION_COLUMNS.index("Timer ønsket")] == "5"  # numbers stay numbers


def test_the_import_report_quotes_formulas(tmp_path):
    issues = [RowIssue(2, attack, "BorgerID", attack, "ugyldig", "fejl") for attack in ATTACKS]
    report = write_report(tmp_path / "pulje.csv", issues)
    rows = _rows(report)[1:]
    assert [row[1] for row in rows] == ["'" + attack for attack in ATTACKS]
    assert [row[3] for row in rows] == ["'" + attack for attack in ATTACKS]
    assert rows[0][0] == "2"


def test_plain_text_and_numbers_are_untouched():
    assert safe_cell("Rengøring") == "Rengøring" and safe_cell(-5) == -5 and safe_cell("") == ""
