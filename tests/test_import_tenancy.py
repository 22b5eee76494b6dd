"""The importer keeps to the import's jobcentre and audits what it writes (issue 13, High 3): a row whose
BorgerID belongs to another jobcentre is a Danish row error (all-or-nothing as usual), and every citizen an
import creates, changes or deactivates gets an audit row naming the file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import orm
from models.schemas import Candidate
from models.store import upsert_citizen
from service.importer.command import EXIT_INVALID_ROWS, EXIT_OK, EXIT_PARTIAL, report_path
from test_import_csv_excel import invoke, write_csv
from db_support import database_session

ROW_OTHER = ["B-ODENSE", "", "9", "målt", "kantine", "", "", "", "Nej", "2", "ledig", ""]
ROW_NEW = ["B-NY", "", "4", "estimeret", "rengøring", "", "", "", "Nej", "3", "ledig", ""]


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch, db_url: str) -> str:
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", db_url)
    with database_session(db_url) as session:
        upsert_citizen(session, Candidate(id="B-ODENSE", jobcenter="Odense", capacity_hours=3))
        upsert_citizen(session, Candidate(id="B-GL", jobcenter="Horsens", capacity_hours=5))
    return db_url


def _stored(url: str) -> tuple[dict[str, tuple[str, int, bool]], list[tuple]]:
    with database_session(url) as session:
        citizens = {c.id: (c.jobcenter.name, c.capacity_hours, c.active) for c in session.scalars(select(orm.Citizen))}
        audit = [(e.citizen_id, e.action, e.actor, e.role, e.jobcenter, e.endpoint)
                 for e in session.scalars(select(orm.AuditEntry).order_by(orm.AuditEntry.id))]
        return citizens, audit


def test_a_row_of_another_jobcentre_refuses_the_import(db, tmp_path):
    path = write_csv(tmp_path / "pulje.csv", [ROW_OTHER, ROW_NEW])
    result = invoke(str(path), "--jobcenter", "Horsens")
    assert result.exit_code == EXIT_INVALID_ROWS, result.output
    citizens, audit = _stored(db)
    assert citizens["B-ODENSE"] == ("Odense", 3, True) and "B-NY" not in citizens
    assert audit == []
    report = report_path(path).read_text(encoding="utf-8-sig")
    assert "borgeren hører til jobcenter Odense, ikke Horsens" in report and "B-ODENSE" in report


def test_skip_invalid_imports_the_others_and_leaves_the_foreign_citizen_alone(db, tmp_path):
    path = write_csv(tmp_path / "pulje.csv", [ROW_OTHER, ROW_NEW])
    # A jobcentre column naming the other jobcentre is no way around it either.
    other_in_column = [ROW_OTHER[0], "Horsens", *ROW_OTHER[2:]]
    write_csv(path, [other_in_column, [ROW_NEW[0], "Horsens", *ROW_NEW[2:]]])
    result = invoke(str(path), "--skip-invalid")
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "hører til jobcenter Odense" in report_path(path).read_text(encoding="utf-8-sig")
    citizens, _ = _stored(db)
    assert citizens["B-ODENSE"] == ("Odense", 3, True)
    assert citizens["B-NY"] == ("Horsens", 4, True)


def test_an_import_audits_every_citizen_it_creates_changes_or_deactivates(db, tmp_path):
    changed = ["B-GL", "", "6", "estimeret", "pedel", "", "", "", "Nej", "1", "ledig", ""]
    path = write_csv(tmp_path / "horsens.csv", [changed, ROW_NEW])
    assert invoke(str(path), "--jobcenter", "Horsens").exit_code == EXIT_OK
    _, audit = _stored(db)
    assert sorted(audit) == [
        ("B-GL", "update", "import:horsens.csv", "system", "Horsens", "fleksmatch import"),
        ("B-NY", "create", "import:horsens.csv", "system", "Horsens", "fleksmatch import"),
    ]
    assert invoke(str(path), "--jobcenter", "Horsens").exit_code == EXIT_OK   # unchanged: nothing written
    assert len(_stored(db)[1]) == 2
    only_new = write_csv(tmp_path / "kun-ny.csv", [ROW_NEW])
    assert invoke(str(only_new), "--jobcenter", "Horsens", "--sync").exit_code == EXIT_OK
    citizens, audit = _stored(db)
    assert citizens["B-GL"][2] is False
    assert audit[-1][:3] == ("B-GL", "update", "import:kun-ny.csv")
