"""`fleksmatch import` with pool-shaped CSV and Excel files: Danish exports (cp1252/UTF-8 BOM, `;`/`,`,
decimal comma, dd-mm-åååå, Ja/Nej), all-or-nothing, --skip-invalid, mappings, idempotence and --sync."""

import csv
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from models import orm
from models.db import make_engine, session_factory
from models.schemas import Candidate
from models.store import upsert_citizen
from service.cli import app
from service.importer.command import EXIT_BAD_FILE, EXIT_INVALID_ROWS, EXIT_OK, EXIT_PARTIAL, report_path
from service.importer.readers import decode, sniff_delimiter
from service.importer.rows import CellError, parse_bool, parse_capacity, parse_date, parse_postcode

HEADER = ["BorgerID", "Jobcenter", "Arbejdsevne timer", "Arbejdsevne vurderet", "Kompetencer", "Skånehensyn",
          "Ønsker", "Postnr", "Kørekort", "Ledighedsmåneder", "Status", "Opdateret"]
GOOD = [
    ["B-1", "Horsens", "5", "estimeret", "rengøring, kantine",
     "maks. løft 5 kg; ikke kontakt med fødevarer (mindre central)", "kantine", "8700", "Ja", "19", "ledig",
     "01-02-2025"],
    ["B-2", "Horsens", "7,5", "målt i praktik", "lager, pakning", "har ondt i ryggen; ikke støv", "",
     "9999", "Nej", "3", "sygemeldt", "15-03-2025"],
    ["B-3", "Vejle", "12", "målt", "kontor", "", "kontor", "", "nej", "0", "i praktik", ""],
]
BAD = ["B-4", "Horsens", "fire", "estimeret", "pedel", "ingen trapper", "", "8700", "Måske", "30", "ledig",
       "31-02-2025"]


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ";", encoding: str = "cp1252",
              header: list[str] = HEADER) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch, db_url: str) -> str:
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", db_url)
    return db_url


def invoke(*args: str):
    result = CliRunner().invoke(app, ["import", *args])
    assert "Traceback" not in result.output, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result


def figure(output: str, label: str) -> int:
    found = re.search(re.escape(label) + r"\s*│\s*(\d+)", output)
    assert found, output
    return int(found.group(1))


def flat(output: str) -> str:
    return " ".join(output.split())


def citizens(url: str) -> dict[str, orm.Citizen]:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            rows = session.scalars(select(orm.Citizen).order_by(orm.Citizen.id)).unique().all()
            return {row.id: row for row in rows}
    finally:
        engine.dispose()


def read_report(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


# ---- encodings and delimiters ------------------------------------------------------------------------------

def test_decode_detects_bom_utf8_cp1252_and_latin1() -> None:
    assert decode("æøå".encode("utf-8-sig")) == ("æøå", "utf-8-sig")
    assert decode("æøå".encode("utf-8")) == ("æøå", "utf-8")
    assert decode("Kørekort – ja".encode("cp1252")) == ("Kørekort – ja", "cp1252")
    assert decode(b"\xe6\xf8\xe5\x81") == ("æøå\x81", "latin-1")  # 0x81 is undefined in cp1252


def test_delimiter_is_read_from_the_header_not_from_decimal_commas() -> None:
    assert sniff_delimiter("BorgerID;Arbejdsevne timer\nB-1;7,5\nB-2;2,5\n") == ";"
    assert sniff_delimiter('BorgerID,Arbejdsevne timer\nB-1,"7,5"\n') == ","
    assert sniff_delimiter("BorgerID\tJobcenter\nB-1\tHorsens\n") == "\t"


# ---- all-or-nothing and --skip-invalid ---------------------------------------------------------------------

def test_cp1252_semicolon_file_with_a_bad_row_is_refused_then_imported_with_skip_invalid(
        tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", GOOD[:2] + [BAD] + GOOD[2:])
    assert "ø".encode("cp1252") in path.read_bytes()

    refused = invoke(str(path))
    assert refused.exit_code == EXIT_INVALID_ROWS
    assert "Intet er gemt" in flat(refused.output)
    assert citizens(db) == {}
    report = report_path(path)
    assert f"Rapport: {report}" in refused.output
    errors = [row for row in read_report(report) if row["Type"] == "fejl"]
    assert {(row["Række"], row["BorgerID"], row["Kolonne"]) for row in errors} == {
        ("4", "B-4", "Arbejdsevne timer"), ("4", "B-4", "Kørekort"), ("4", "B-4", "Ledighedsmåneder"),
        ("4", "B-4", "Opdateret")}
    by_column = {row["Kolonne"]: row for row in errors}
    assert by_column["Arbejdsevne timer"]["Værdi"] == "fire"
    assert by_column["Kørekort"]["Besked"] == "Kørekort skal være Ja eller Nej"

    partial = invoke(str(path), "--skip-invalid")
    assert partial.exit_code == EXIT_PARTIAL
    assert figure(partial.output, "Nye borgere") == 3
    assert figure(partial.output, "Ugyldige (ikke importeret)") == 1
    stored = citizens(db)
    assert sorted(stored) == ["B-1", "B-2", "B-3"]
    b1, b2, b3 = stored["B-1"], stored["B-2"], stored["B-3"]
    assert [(r.code, r.value, r.severity) for r in b1.restrictions] == [
        ("max_lifting_kg", 5.0, "hard"), ("no_food_contact", None, "soft")]
    assert (b1.capacity_hours, b1.capacity_basis, b1.competences, b1.wishes) == (
        5, "estimated", ["rengøring", "kantine"], ["kantine"])
    assert (b1.driving_licence, b1.ly_months_last_24, b1.status, b1.jobcenter.name) == (
        True, 19, "available", "Horsens")
    assert b1.postcode == "8700" and b1.lat is not None and b1.lon is not None
    # 7,5 hours is rounded down; the unknown postcode is kept without a location; the phrase is a note.
    assert (b2.capacity_hours, b2.capacity_basis, b2.status) == (7, "measured", "sick_leave")
    assert (b2.postcode, b2.lat, b2.lon) == ("9999", None, None)
    assert b2.unresolved_restriction_notes == ["har ondt i ryggen"]
    assert [r.code for r in b2.restrictions] == ["no_dust"]
    assert (b3.status, b3.capacity_basis, b3.jobcenter.name, b3.restrictions) == ("in_praktik", "measured", "Vejle", [])
    assert figure(partial.output, "Uafklarede skånehensyn") == 1
    assert "'har ondt i ryggen' (1)" in flat(partial.output)
    assert figure(partial.output, "Ukendte postnumre") == 1


def test_utf8_bom_comma_file_with_quoted_decimal_commas(tmp_path: Path, db: str) -> None:
    rows = [["B-10", "Aarhus", "2,5", "estimeret", "have, pedel", "ikke udendørs arbejde, helst ikke støj",
             "have", "8000", "JA", "24", "ansat", "2025-06-01"]]
    path = write_csv(tmp_path / "pulje.csv", rows, delimiter=",", encoding="utf-8-sig")
    result = invoke(str(path))
    assert result.exit_code == EXIT_OK, result.output
    assert "utf-8-sig" in result.output
    citizen = citizens(db)["B-10"]
    assert (citizen.capacity_hours, citizen.status, citizen.driving_licence) == (2, "employed", True)
    assert citizen.competences == ["have", "pedel"]
    assert [(r.code, r.severity) for r in citizen.restrictions] == [("no_outdoor_work", "hard"), ("no_noise", "soft")]


def test_headers_match_regardless_of_case_whitespace_and_descriptions(tmp_path: Path, db: str) -> None:
    header = ["  borgerid ", "JOBCENTER", "Arbejdsevne  timer", "Arbejdsevne vurderet (estimeret | målt i praktik)",
              "Kompetencer (komma-liste)", "skånehensyn", "Ønsker", "postnr", "kørekort", "Ledighedsmåneder",
              "Status (ledig | sygemeldt | i praktik | ansat)", "Opdateret"]
    path = write_csv(tmp_path / "pulje.csv", GOOD[:1], header=header)
    assert invoke(str(path)).exit_code == EXIT_OK
    assert citizens(db)["B-1"].competences == ["rengøring", "kantine"]


def test_a_delimiter_inside_an_unquoted_value_is_a_row_error(tmp_path: Path, db: str) -> None:
    path = tmp_path / "pulje.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(GOOD[0]) + "\n", encoding="utf-8")  # `;` in Skånehensyn
    result = invoke(str(path))
    assert result.exit_code == EXIT_INVALID_ROWS
    assert any("flere gange" in r["Besked"] or "mere end overskriften" in r["Besked"]
               for r in read_report(report_path(path)))
    assert citizens(db) == {}


# ---- Excel ------------------------------------------------------------------------------------------------------

def test_xlsx_with_typed_cells_title_sheet_and_sheet_row_numbers(tmp_path: Path, db: str) -> None:
    book = Workbook()
    notes = book.active
    notes.title = "Forside"
    notes.append(["Puljen pr. 1. marts"])
    sheet = book.create_sheet("Pulje")
    sheet.append(HEADER)
    sheet.append([1001, "Horsens", 6, "Estimeret", "rengøring", "ikke vådt arbejde", None, 8700, True, 12.0,
                  "Ledig", datetime(2025, 3, 1)])
    sheet.append([None] * len(HEADER))  # a blank row keeps its number in the sheet
    sheet.append([1002, "Horsens", 0, "estimeret", None, None, None, "8700", "nej", 2, "ledig", "01-03-2025"])
    sheet.append([1003, "Horsens", 3.0, "målt i praktik", "lager", "Maks. løft 10 kg", "lager", None, "Nej", 0,
                  "sygemeldt", "01.03.2025"])
    path = tmp_path / "pulje.xlsx"
    book.save(path)

    result = invoke(str(path), "--skip-invalid")
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "tabel 'Pulje'" in flat(result.output)
    errors = read_report(report_path(path))
    assert [(e["Række"], e["BorgerID"], e["Kolonne"]) for e in errors] == [("4", "1002", "Arbejdsevne timer")]
    stored = citizens(db)
    assert sorted(stored) == ["1001", "1003"]
    first = stored["1001"]
    assert (first.driving_licence, first.ly_months_last_24, first.postcode) == (True, 12, "8700")
    assert [(r.code, r.value) for r in stored["1003"].restrictions] == [("max_lifting_kg", 10.0)]


def test_a_damaged_xlsx_is_a_danish_error(tmp_path: Path, db: str) -> None:
    path = tmp_path / "pulje.xlsx"
    path.write_bytes(b"not a zip file")
    result = invoke(str(path))
    assert result.exit_code == EXIT_BAD_FILE
    assert "kan ikke åbnes som Excel-fil" in flat(result.output)


# ---- mapping files ---------------------------------------------------------------------------------------------

def test_a_mapping_file_renames_columns_and_translates_values(tmp_path: Path, db: str) -> None:
    header = ["Borger nr.", "Timer pr. uge", "Skånebehov", "Borgerstatus", "Har kørekort", "Ekstra"]
    path = write_csv(tmp_path / "andet.csv", [["X-1", "4", "ikke kundekontakt", "Syg", "B", "ignoreret"]],
                     header=header)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  BorgerID: Borger nr.\n  Arbejdsevne timer: Timer pr. uge\n  Skånehensyn: Skånebehov\n"
        "  Status: Borgerstatus\n  Kørekort: Har kørekort\n"
        "values:\n  Status:\n    Syg: sygemeldt\n  Kørekort:\n    B: Ja\n", encoding="utf-8")
    result = invoke(str(path), "--mapping", str(mapping), "--jobcenter", "Horsens")
    assert result.exit_code == EXIT_OK, result.output
    assert "Ekstra" in result.output  # unused columns are named
    citizen = citizens(db)["X-1"]
    assert (citizen.status, citizen.driving_licence, citizen.jobcenter.name) == ("sick_leave", True, "Horsens")
    assert [r.code for r in citizen.restrictions] == ["no_customer_contact"]


def test_bundled_example_mapping_is_valid() -> None:
    from service.importer.mapping import load_mapping

    example = load_mapping(Path(__file__).resolve().parents[1] / "data" / "mappings" / "example.yaml")
    assert example.columns["citizen_id"] == "Borger nr." and example.columns["updated"] is None
    assert example.values["status"]["aktiv"] == "ledig"


def test_bad_mapping_file_is_a_danish_error(tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", GOOD[:1])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Borgernummer: Nr\n", encoding="utf-8")
    result = invoke(str(path), "--mapping", str(mapping))
    assert result.exit_code == EXIT_BAD_FILE
    assert "ukendt standardkolonne 'Borgernummer'" in flat(result.output)


# ---- bad files ----------------------------------------------------------------------------------------------------

def test_missing_required_columns_are_named(tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", [["B-1", "Horsens"]], header=["BorgerID", "Jobcenter"])
    result = invoke(str(path))
    assert result.exit_code == EXIT_BAD_FILE
    message = flat(result.output)
    assert "'pulje.csv' mangler de påkrævede kolonner 'Arbejdsevne timer', 'Skånehensyn'" in message


@pytest.mark.parametrize("name, expected", [
    ("findes-ikke.csv", "findes ikke"), ("pulje.xls", "gamle Excel-format"), ("pulje.pdf", "kan ikke importeres")])
def test_unreadable_or_wrong_type_files(tmp_path: Path, db: str, name: str, expected: str) -> None:
    path = tmp_path / name
    if name != "findes-ikke.csv":
        path.write_bytes(b"%PDF-1.4")
    result = invoke(str(path))
    assert result.exit_code == EXIT_BAD_FILE
    assert expected in flat(result.output)


def test_jobcenter_is_required_unless_given(tmp_path: Path, db: str) -> None:
    header = [h for h in HEADER if h != "Jobcenter"]
    rows = [[cell for i, cell in enumerate(GOOD[0]) if HEADER[i] != "Jobcenter"]]
    path = write_csv(tmp_path / "pulje.csv", rows, header=header)
    assert invoke(str(path)).exit_code == EXIT_BAD_FILE
    assert invoke(str(path), "--jobcenter", "Horsens").exit_code == EXIT_OK
    assert citizens(db)["B-1"].jobcenter.name == "Horsens"


# ---- upsert, idempotence, --sync -------------------------------------------------------------------------------------

def test_reimport_changes_nothing_and_changed_rows_are_counted(tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", GOOD)
    assert invoke(str(path)).exit_code == EXIT_OK
    before = {cid: c.updated_at for cid, c in citizens(db).items()}

    again = invoke(str(path))
    assert again.exit_code == EXIT_OK
    assert (figure(again.output, "Nye borgere"), figure(again.output, "Ændrede"),
            figure(again.output, "Uændrede")) == (0, 0, 3)
    assert {cid: c.updated_at for cid, c in citizens(db).items()} == before

    edited = [row[:] for row in GOOD]
    edited[0][5] = "maks. løft 3 kg"
    edited[1][2] = "9"
    write_csv(path, edited)
    changed = invoke(str(path))
    assert (figure(changed.output, "Nye borgere"), figure(changed.output, "Ændrede"),
            figure(changed.output, "Uændrede")) == (0, 2, 1)
    stored = citizens(db)
    assert [(r.code, r.value) for r in stored["B-1"].restrictions] == [("max_lifting_kg", 3.0)]
    assert stored["B-2"].capacity_hours == 9 and stored["B-3"].updated_at == before["B-3"]


def test_import_keeps_fields_the_file_has_no_column_for(tmp_path: Path, db: str) -> None:
    engine = make_engine(db)
    with session_factory(engine)() as session:
        upsert_citizen(session, Candidate(id="B-1", jobcenter="Horsens", capacity_hours=3,
                                          cv_text="Har gjort rent på skole i 10 år", max_commute_km=15))
        session.commit()
    engine.dispose()
    path = write_csv(tmp_path / "pulje.csv", GOOD[:1])
    assert invoke(str(path)).exit_code == EXIT_OK
    citizen = citizens(db)["B-1"]
    assert (citizen.capacity_hours, citizen.cv_text, citizen.max_commute_km) == (
        5, "Har gjort rent på skole i 10 år", 15)


def test_missing_citizens_are_left_alone_unless_sync(tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", GOOD)
    assert invoke(str(path)).exit_code == EXIT_OK
    write_csv(path, GOOD[:1])  # B-2 (Horsens) and B-3 (Vejle) are gone from the file

    assert invoke(str(path)).exit_code == EXIT_OK
    assert all(c.active for c in citizens(db).values())

    synced = invoke(str(path), "--sync")
    assert synced.exit_code == EXIT_OK
    assert figure(synced.output, "Markeret inaktive (--sync)") == 1
    stored = citizens(db)
    assert sorted(stored) == ["B-1", "B-2", "B-3"]  # never deleted
    # Only the jobcentres in the file are synced: Vejle's citizen is untouched.
    assert (stored["B-1"].active, stored["B-2"].active, stored["B-3"].active) == (True, False, True)

    write_csv(path, GOOD)
    back = invoke(str(path))
    assert figure(back.output, "Ændrede") == 1 and citizens(db)["B-2"].active


def test_sync_never_deactivates_citizens_whose_rows_were_invalid(tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", GOOD[:2])
    assert invoke(str(path)).exit_code == EXIT_OK
    broken = GOOD[1][:]
    broken[2] = "mange"
    write_csv(path, [GOOD[0], broken])
    assert invoke(str(path), "--sync", "--skip-invalid").exit_code == EXIT_PARTIAL
    assert citizens(db)["B-2"].active


def test_sync_with_no_valid_rows_is_refused(tmp_path: Path, db: str) -> None:
    path = write_csv(tmp_path / "pulje.csv", GOOD)
    assert invoke(str(path)).exit_code == EXIT_OK
    write_csv(path, [])
    result = invoke(str(path), "--sync", "--jobcenter", "Horsens")
    assert result.exit_code == EXIT_INVALID_ROWS
    assert "ingen gyldige rækker" in flat(result.output)
    assert all(c.active for c in citizens(db).values())


# ---- cell parsers --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("parse, raw, expected", [
    *((parse_postcode, raw, expected) for raw, expected in (
        ("8700", "8700"), (8700, "8700"), (800.0, "0800"), ("DK-8700", "8700"), ("", None), (None, None))),
    *((parse_date, raw, expected) for raw, expected in (
        ("01-02-2025", date(2025, 2, 1)), ("1.2.2025", date(2025, 2, 1)), ("01/02/2025", date(2025, 2, 1)),
        ("2025-02-01", date(2025, 2, 1)), ("2025-02-01 00:00:00", date(2025, 2, 1)),
        (datetime(2025, 2, 1, 13, 5), date(2025, 2, 1)), (None, None))),
    *((parse_capacity, raw, expected) for raw, expected in (
        ("5", (5, None)), ("7,5", (7, "rundet ned til 7 hele timer pr. uge")), (7.0, (7, None)),
        ("6 timer", (6, None)), ("37", (37, None)))),
])
def test_cells_are_read(parse, raw, expected) -> None:
    assert parse(raw) == expected


@pytest.mark.parametrize("raw, expected", [("Ja", True), ("nej", False), ("X", True), ("-1", True), (True, True),
                                           (0, False), ("", False), (None, False)])
def test_yes_no(raw, expected) -> None:
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("parse, raw", [
    *((parse_postcode, raw) for raw in ("87000", "Horsens", "87 00 1")),
    *((parse_date, raw) for raw in ("31-02-2025", "02-2025", "i går")),
    *((parse_capacity, raw) for raw in ("0,5", "38", "", "fem", "-2")),
])
def test_unusable_cells_are_refused(parse, raw) -> None:
    with pytest.raises(CellError):
        parse(raw)
