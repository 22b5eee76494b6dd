"""Reading real Access files (shared/fixtures/access) with both backends, and refusing them as pools.

The fixtures are generic sample databases, not pool files: creating .accdb/.mdb files needs Microsoft
Access (or a JVM library such as Jackcess), which this environment does not have. Pool-shaped imports are
tested through CSV and Excel in test_import_csv_excel.py; the Access path shares everything after reading.
"""

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from models.db import make_engine, session_factory
from models.orm import Citizen
from service.cli import app
from service.importer.command import EXIT_BAD_FILE, EXIT_PARTIAL, run_import
from service.importer.mapping import choose_table, default_mapping, load_mapping
from service.importer.readers import ImportFileError, mdbtools_available, open_source

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "access"
SAMPLE = FIXTURES / "ASampleDatabase.accdb"
DATES = FIXTURES / "DateTestDatabase.mdb"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"Access-fixtures mangler: {FIXTURES}")

BACKENDS = [
    pytest.param("mdbtools", marks=pytest.mark.skipif(not mdbtools_available(), reason="mdbtools er ikke installeret")),
    pytest.param("access-parser"),
]
ASSET_COLUMNS = ["Asset No", "Asset Category", "Make", "Model", "Description", "Owner", "Serial No", "Acquired",
                 "Cost", "Warranty", "Tax Scale", "Supplier No", "Comments"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_lists_only_user_tables(backend: str) -> None:
    assert open_source(SAMPLE, backend).table_names() == ["Asset Items"]
    assert open_source(DATES, backend).table_names() == ["DateTest"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_table_with_spaces_in_its_name_reads_completely(backend: str) -> None:
    source = open_source(SAMPLE, backend)
    table = source.read("Asset Items")
    assert table.columns == ASSET_COLUMNS
    assert source.columns("Asset Items") == ASSET_COLUMNS
    assert len(table.rows) == 65
    assert [number for number, _ in table.rows] == list(range(1, 66))  # record numbers as Access shows them
    first, last = table.rows[0][1], table.rows[-1][1]
    assert first[:7] == ["30050", "Computer Hardware", "GEO Rocket", "220ZX", "Computer", "Sales", "344-667"]
    assert str(first[7]).startswith("1997-09-02")
    assert int(first[9]) == 12
    assert last[:6] == ["30118", "Office Furniture", "Davis Reece", "Esquire", "Directors Desk", "Management"]
    assert table.details["backend"] == backend


@pytest.mark.parametrize("backend", BACKENDS)
def test_mdb_values_and_line_breaks_inside_fields(backend: str) -> None:
    table = open_source(DATES, backend).read("DateTest")
    assert table.columns == ["IDCol", "DateTimeCol", "DateCol", "TimeCol", "LongTextCol", "ShortTextCol"]
    assert len(table.rows) == 6
    by_id = {int(cells[0]): cells for _, cells in table.rows}
    assert sorted(by_id) == [1, 2, 3, 4, 5, 6]
    assert by_id[1][4:] == ["Hello", "Hello"]
    assert str(by_id[1][1]).startswith("2021-12-02")
    assert by_id[6][4] == "New line\nin field" and by_id[6][5] == "No new line"


def test_both_backends_read_the_same_text() -> None:
    if not mdbtools_available():
        pytest.skip("mdbtools er ikke installeret")
    a = open_source(SAMPLE, "mdbtools").read("Asset Items")
    b = open_source(SAMPLE, "access-parser").read("Asset Items")
    text_columns = [i for i, name in enumerate(ASSET_COLUMNS) if name not in ("Acquired", "Cost", "Warranty")]
    assert [[row[i] or None for i in text_columns] for _, row in a.rows] == \
           [[row[i] or None for i in text_columns] for _, row in b.rows]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", [SAMPLE, DATES], ids=lambda p: p.name)
def test_no_pool_table_is_a_danish_error_listing_the_tables(backend: str, path: Path) -> None:
    with pytest.raises(ImportFileError) as error:
        choose_table(open_source(path, backend), default_mapping(), jobcenter_given=False)
    message = str(error.value)
    assert "ingen genkendelig borgerpulje" in message
    assert path.name in message
    assert ("'Asset Items'" if path == SAMPLE else "'DateTest'") in message
    assert "'BorgerID'" in message


def test_cli_refuses_an_access_file_without_a_pool(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(app, ["import", str(SAMPLE), "--jobcenter", "Horsens"])
    assert result.exit_code == EXIT_BAD_FILE
    assert "ingen genkendelig borgerpulje" in result.output and "Asset Items" in result.output
    assert "Intet er gemt" in result.output
    assert "Traceback" not in result.output


def test_a_mapping_naming_a_missing_table_lists_the_tables(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("table: Borgere\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="ingen tabel 'Borgere'; fundet: 'Asset Items'"):
        choose_table(open_source(SAMPLE), load_mapping(mapping), jobcenter_given=False)


def test_a_damaged_access_file_is_a_danish_error(tmp_path: Path) -> None:
    broken = tmp_path / "pulje.accdb"
    broken.write_bytes(SAMPLE.read_bytes()[:3000])
    with pytest.raises(ImportFileError, match="kan ikke læses som Access-database"):
        open_source(broken).table_names()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_access_table_imports_end_to_end_through_a_mapping(backend: str, tmp_path: Path, sqlite_url: str) -> None:
    """The sample table read as if it were a pool (Asset No → BorgerID, Warranty → hours): the whole
    Access path, with the one record whose Warranty is 0 refused as an invalid capacity."""
    copy = tmp_path / SAMPLE.name  # the report is written next to the input: keep the shared fixtures clean
    copy.write_bytes(SAMPLE.read_bytes())
    mapping = tmp_path / "asset.yaml"
    mapping.write_text("table: Asset Items\ncolumns:\n  BorgerID: Asset No\n  Jobcenter: null\n"
                       "  Arbejdsevne timer: Warranty\n  Skånehensyn: Comments\n  Kompetencer: Asset Category\n"
                       "  Ønsker: Description\n", encoding="utf-8")
    console = Console(file=io.StringIO(), width=200)
    code = run_import(console, copy, mapping=mapping, jobcenter="Horsens", skip_invalid=True,
                      access_backend=backend, database_url=sqlite_url)
    output = console.file.getvalue()
    assert code == EXIT_PARTIAL, output
    assert f"backend: {backend}" in output
    engine = make_engine(sqlite_url)
    with session_factory(engine)() as session:
        stored = {c.id: c for c in session.query(Citizen).all()}
        assert len(stored) == 64 and "30118" not in stored
        first = stored["30050"]
        assert (first.capacity_hours, first.competences, first.wishes, first.jobcenter.name) == (
            12, ["Computer Hardware"], ["Computer"], "Horsens")
    engine.dispose()
    report = (tmp_path / "ASampleDatabase.importrapport.csv").read_text(encoding="utf-8-sig")
    assert "65;30118;Warranty;0;Warranty skal være mindst 1 time pr. uge;fejl" in report
