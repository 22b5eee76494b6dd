"""`fleksmatch kpi` and `fleksmatch import-hours` (docs/cli.md), on SQLite and PostgreSQL: the figures per month
as a table and a workbook, and paid hours imported all-or-nothing with a Danish message per bad row."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rich.console import Console
from sqlalchemy import select

from kpi_seed import seed_kpi_jobcenter
from models import orm
from models.db import make_engine, session_factory, session_scope
from models.months import month_of, shift_month
from service.cli.kpi import run_kpi_command
from service.importer.hours import run_import_hours

TODAY = date.today()
MONTH = month_of(TODAY)


@pytest.fixture
def seeded(db_url, monkeypatch):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", db_url)
    engine = make_engine(db_url)
    with session_scope(session_factory(engine)) as session:
        seed_kpi_jobcenter(session, "Horsens", "H", TODAY)
        seed_kpi_jobcenter(session, "Vejle", "V", TODAY)
    yield db_url
    engine.dispose()


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=160), out


def _paid(url: str) -> dict[tuple[str, str], float]:
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            return {(e, m): h for e, m, h in session.execute(
                select(orm.PaidHours.employment_id, orm.PaidHours.month, orm.PaidHours.paid_hours))}
    finally:
        engine.dispose()


def test_kpi_prints_the_months_and_writes_the_workbook(seeded, tmp_path):
    console, out = _console()
    report = tmp_path / "nøgletal.xlsx"
    assert run_kpi_command(console, jobcenter="Horsens", from_month=shift_month(MONTH, -1), to_month=MONTH,
                           report=report) == 0
    text = out.getvalue()
    assert "Succeskriterier, jobcenter Horsens" in text and "Vejle" not in text
    assert "62\u00a0%" in text and "50\u00a0%" in text   # SK1 5/8, SK3 2/4
    assert "1 jobcenter)" in text
    sheet = load_workbook(report)["Nøgletal"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Jobcenter", "Måned", "SK1 andel", "SK1 tæller", "SK1 nævner")
    current = rows[-1]
    assert current[0] == "Horsens" and current[1] == MONTH
    assert current[2] == pytest.approx(5 / 8) and current[3] == pytest.approx(5.0) and current[4] == pytest.approx(8.0)
    assert current[5] is None                                   # SK2: no spell ended
    assert current[8:11] == (0.5, 2.0, 4.0) and current[11] == 1   # SK3 and the one without paid hours
    assert {"Mål og landstal", "Forklaring"} <= set(load_workbook(report).sheetnames)


def test_kpi_without_a_jobcentre_shows_every_one_and_refuses_bad_input(seeded):
    console, out = _console()
    assert run_kpi_command(console, jobcenter=None, from_month=MONTH, to_month=MONTH, report=None) == 0
    assert "jobcenter Horsens" in out.getvalue() and "jobcenter Vejle" in out.getvalue()
    console, out = _console()
    assert run_kpi_command(console, jobcenter="Atlantis", from_month=None, to_month=None, report=None) == 2
    assert "Atlantis" in out.getvalue() and "findes ikke" in out.getvalue()
    console, out = _console()
    assert run_kpi_command(console, jobcenter="Horsens", from_month="2026-13", to_month=None, report=None) == 2
    assert "ÅÅÅÅ-MM" in out.getvalue()


def _csv(tmp_path, lines: list[str], name: str = "loentimer.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_hours_by_employment_and_by_citizen(seeded, tmp_path):
    last = shift_month(MONTH, -1)
    path = _csv(tmp_path, ["Ansættelse;BorgerID;Måned;Timer",
                           f"H-J5;;{last};31,5",          # fills the month H-E5 was missing
                           f";H-E3;{MONTH};25",            # by citizen: their one employment in the month
                           f"H-J4;H-E4;{last[5:]}-{last[:4]};22"])  # MM-ÅÅÅÅ
    console, out = _console()
    assert run_import_hours(console, path) == 0, out.getvalue()
    assert "3 måneder" in out.getvalue()
    paid = _paid(seeded)
    assert paid[("H-J5", last)] == 31.5 and paid[("H-J3", MONTH)] == 25.0 and paid[("H-J4", last)] == 22.0
    # SK3 can now judge H-E5 (20 h in the first months and in this one: not progressed).
    console, _ = _console()
    run_kpi_command(console, jobcenter="Horsens", from_month=MONTH, to_month=MONTH, report=tmp_path / "k.xlsx")
    row = list(load_workbook(tmp_path / "k.xlsx")["Nøgletal"].iter_rows(values_only=True))[-1]
    assert row[8:12] == (0.4, 2.0, 5.0, 0)


def test_import_hours_is_all_or_nothing_with_a_message_per_row(seeded, tmp_path):
    before = _paid(seeded)
    path = _csv(tmp_path, ["Ansættelse;BorgerID;Måned;Timer",
                           f"H-J1;;{MONTH};12",             # fine on its own
                           f"H-J9;;{MONTH};12",             # no such employment
                           f"H-J2;;2026-13;12",             # no such month
                           f"H-J2;;{MONTH};401",            # too many hours
                           f";H-L1;{MONTH};10",             # a citizen without employment
                           f"H-J1;;{MONTH};13",             # the same employment and month twice
                           f"H-J3;H-E4;{MONTH};10",         # employment of another citizen
                           f"H-J3;;1999-01;10"])            # the employment did not run then
    console, out = _console()
    assert run_import_hours(console, path) == 1
    text = out.getvalue()
    for expected in ("Række 3", "ansættelsen findes ikke", "Række 4", "ÅÅÅÅ-MM", "Række 5", "mellem 0 og 400",
                     "Række 6", "ingen ansættelse", "Række 7", "allerede timer", "række 2", "Række 8",
                     "anden borger", "Række 9", "løb ikke", "7 rækker af 8 er ugyldige", "Intet er gemt"):
        assert expected in text, expected
    assert _paid(seeded) == before
    assert (tmp_path / "loentimer-fejl.csv").exists() or "Rapport:" in text


def test_import_hours_refuses_a_file_without_the_columns(seeded, tmp_path):
    path = _csv(tmp_path, ["Navn;Beløb", "x;1"])
    console, out = _console()
    assert run_import_hours(console, path) == 2
    assert "Ansættelse eller BorgerID" in out.getvalue() and "Måned" in out.getvalue()
    book = Workbook()
    book.active.append(["AnsættelsesID", "Måned", "Løntimer"])
    two_back = shift_month(MONTH, -2)
    book.active.append(["H-J1", date(int(two_back[:4]), int(two_back[5:]), 1), 17])   # Excel stores a date
    xlsx = tmp_path / "timer.xlsx"
    book.save(xlsx)
    console, out = _console()
    assert run_import_hours(console, xlsx) == 0, out.getvalue()
    assert _paid(seeded)[("H-J1", two_back)] == 17.0
    wrong = tmp_path / "timer.accdb"
    wrong.write_bytes(b"x")
    console, out = _console()
    assert run_import_hours(console, wrong) == 2 and ".csv og .xlsx" in out.getvalue()


def test_accounts_accept_the_team_leader_role_for_one_jobcentre(seeded, capsys):
    from service.cli.accounts import create_token_command

    console, out = _console()
    assert create_token_command(console, role="teamleader", jobcenters=["Horsens"], name="tl", expires_days=30) == 0
    token = capsys.readouterr().out.strip()
    console, out = _console()
    assert create_token_command(console, role="teamleader", jobcenters=[], name="tl", expires_days=30) != 0
    assert "en teamleder skal høre til præcis ét jobcenter" in out.getvalue()
    from fastapi.testclient import TestClient

    from api_support import bearer
    from service.http.app import create_app

    app = create_app(seeded)
    try:
        client = TestClient(app)
        assert client.get("/api/v1/kpis", headers=bearer(token)).json()["jobcenter"] == "Horsens"
        assert client.get("/api/v1/kpis", params={"jobcenter": "Vejle"}, headers=bearer(token)).status_code == 403
    finally:
        app.state.engine.dispose()


@given(year=st.integers(1990, 2100), month=st.integers(1, 12),
       form=st.sampled_from(["{y}-{m:02d}", "{y}{m:02d}", "{m}-{y}", "{m:02d}/{y}", "{y}.{m}", "{m}.{y}"]))
def test_every_accepted_month_form_reads_as_its_month(year: int, month: int, form: str) -> None:
    from service.importer.hours import parse_month_cell

    assert parse_month_cell(form.format(y=year, m=month)) == f"{year:04d}-{month:02d}"
    assert parse_month_cell(date(year, month, 28)) == f"{year:04d}-{month:02d}"


@pytest.mark.parametrize("bad", ["2026-13", "13-2026", "2026", "nov", "", "2026-00"])
def test_a_month_that_is_not_one_is_a_danish_cell_error(bad: str) -> None:
    from service.importer.hours import parse_month_cell
    from service.importer.rows import CellError

    with pytest.raises(CellError, match="ÅÅÅÅ-MM|mangler"):
        parse_month_cell(bad)
