"""The rematch report (service.reports.rematch_report): the workbook and CSV consultants open, checked with openpyxl.

Unit tests build a RematchSummary by hand; the integration test runs `fleksmatch rematch --report` on a
small generated pool and holds every row of the workbook to the proposals stored in the database."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from models import orm, placements
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.placements import OutcomeRequest
from service.cli import app
from service.demo.loader import load_pool_into_database
from service.demo.pool_generator import JOBCENTERS, generate_pool
from service.core.rematch import PositionOutcome, RematchSummary
from service.reports.rematch_report import (
    BASELINE, BASELINE_COLUMN, BOUND_LABEL, COVERAGE_LABELS, EXPLANATION_SHEET, OBJECTIVE_LABEL, POSITION_COLUMNS,
    RUN_LABEL, write_rematch_report,
)
from db_support import database_session

# What the issue asks every jobcentre sheet to show, and the summary sheet to compare.
REQUIRED_COLUMNS = ("Stilling", "Virksomhed", "Foreslåede borgere", "Timer pr. opgave", "Forklaring")
COL = {name: index for index, name in enumerate(POSITION_COLUMNS)}


def outcome(jobcenter: str, position_id: str, requested: int, covered: int, citizens: tuple[str, ...] = (),
            greedy: int = 0, title: str = "Rengøring", employer: str = "Bageriet A/S") -> PositionOutcome:
    hours_text = "; ".join(f"{c}: Rengøring {covered // max(len(citizens), 1)} t" for c in citizens)
    return PositionOutcome(
        jobcenter=jobcenter, position_id=position_id, position_title=title, employer_name=employer,
        hours_requested=requested, hours_covered=covered, citizen_ids=citizens, hours_by_task_text=hours_text,
        explanation="Foreslået: " + ", ".join(citizens) if citizens else "Ingen egnet borger.",
        greedy_hours_covered=greedy)


def summary_of(*outcomes: PositionOutcome, citizens_proposed: int = 0, greedy_citizens: int = 0) -> RematchSummary:
    return RematchSummary(
        jobcenters=tuple(sorted({o.jobcenter for o in outcomes})), outcomes=outcomes, citizens_available=40,
        citizens_proposed=citizens_proposed, greedy_citizens_proposed=greedy_citizens, objective=12.345,
        greedy_objective=9.876, lp_bound=13.5, seconds=1.23,
        finished_at=datetime(2026, 3, 2, 14, 5, tzinfo=timezone.utc))


def sheet_rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def summary_table(book) -> dict[str, tuple]:
    """The summary sheet as label -> (FleksMatch, uden optimering)."""
    return {row[0]: (row[1], row[2]) for row in sheet_rows(book["Oversigt"])[1:] if row[0]}


def read_csv(path: Path) -> list[list[str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf"), "Danish Excel needs the UTF-8 BOM"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


# ---- the report on its own ------------------------------------------------------------------------------

@pytest.fixture
def summary() -> RematchSummary:
    return summary_of(
        outcome("Horsens", "S-2", 6, 6, ("B-1", "B-2"), greedy=4),
        outcome("Horsens", "S-1", 10, 4, ("B-3",), greedy=4),
        outcome("Aalborg", "S-9", 5, 0, (), greedy=0),
        citizens_proposed=3, greedy_citizens=2)


def test_workbook_has_a_summary_sheet_then_one_sheet_per_jobcenter(summary, tmp_path):
    xlsx, csv_path = write_rematch_report(summary, tmp_path / "rapport.xlsx")
    assert (xlsx, csv_path) == (tmp_path / "rapport.xlsx", tmp_path / "rapport.csv")
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Oversigt", "Aalborg", "Horsens", EXPLANATION_SHEET]
    for name in ("Aalborg", "Horsens"):
        header = sheet_rows(book[name])[0]
        assert header == POSITION_COLUMNS
        assert set(REQUIRED_COLUMNS) <= set(header)
        assert book[name].freeze_panes == "A2"
    horsens = sheet_rows(book["Horsens"])[1:]
    # Rows keep the summary's order (the order of the outcomes), only this jobcentre's positions.
    assert [row[COL["Stilling-id"]] for row in horsens] == ["S-2", "S-1"]
    assert horsens[0][COL["Foreslåede borgere"]] == "B-1, B-2"
    assert horsens[0][COL["Timer dækket"]] == 6 and horsens[0][COL["Timer ønsket"]] == 6
    assert [row[COL["Dækning"]] for row in horsens] == ["Fuldt dækket", "Delvist dækket"]
    aalborg = sheet_rows(book["Aalborg"])[1:]
    assert len(aalborg) == 1
    assert aalborg[0][COL["Dækning"]] == "Ikke dækket" and aalborg[0][COL["Foreslåede borgere"]] in ("", None)


def test_summary_sheet_compares_fleksmatch_with_greedy(summary, tmp_path):
    book = load_workbook(write_rematch_report(summary, tmp_path / "r.xlsx")[0])
    assert sheet_rows(book["Oversigt"])[0][1:] == ["FleksMatch", BASELINE]
    table = summary_table(book)
    assert table["Åbne stillinger"] == (3, 3)
    assert table["Fuldt dækket"] == (1, 0)
    assert table["Delvist dækket"] == (1, 2)
    assert table["Ikke dækket"] == (1, 1)
    assert table["Timer dækket"] == (10, 8)
    assert table["Timer ønsket"] == (21, 21)
    assert table["Borgere foreslået"] == (3, 2)
    assert table[OBJECTIVE_LABEL] == (12.35, 9.88)
    assert table["Ledige borgere i puljen"][0] == 40
    assert table[RUN_LABEL][0] == "02-03-2026 15:05"  # 14:05 UTC is 15:05 in Copenhagen (winter time)
    assert table["Jobcentre"][0] == "Aalborg, Horsens"


def test_csv_holds_the_same_rows_as_the_jobcenter_sheets(summary, tmp_path):
    xlsx, csv_path = write_rematch_report(summary, tmp_path / "r.xlsx")
    rows = read_csv(csv_path)
    assert rows[0] == POSITION_COLUMNS
    book = load_workbook(xlsx)
    from_sheets = [row for name in book.sheetnames[1:-1] for row in sheet_rows(book[name])[1:]]
    as_text = sorted([["" if v is None else str(v) for v in row] for row in from_sheets])
    assert sorted(rows[1:]) == as_text
    assert len(rows) == 1 + len(summary.outcomes)


@pytest.mark.parametrize("asked, written", [
    ("rapport", "rapport.xlsx"), ("rapport.XLSX", "rapport.XLSX"), ("ud/af/mappe/r.csv", "ud/af/mappe/r.xlsx"),
])
def test_report_path_gets_the_xlsx_suffix_and_missing_folders(summary, tmp_path, asked, written):
    xlsx, csv_path = write_rematch_report(summary, tmp_path / asked)
    assert xlsx == tmp_path / written and xlsx.is_file()
    assert csv_path == xlsx.with_suffix(".csv") and csv_path.is_file()
    assert load_workbook(xlsx).sheetnames[0] == "Oversigt"


def test_sheet_names_are_valid_and_distinct_for_awkward_jobcenter_names(tmp_path):
    long = "Jobcenter Ringkøbing-Skjern og Omegn"
    names = ["Vest/Nord: [test]*?", long, long + " 2", "OVERSIGT", "horsens", "Horsens", "forklaring"]
    report = summary_of(*(outcome(name, f"S-{i}", 4, 0) for i, name in enumerate(names)))
    book = load_workbook(write_rematch_report(report, tmp_path / "r.xlsx")[0])
    titles = book.sheetnames
    assert len(titles) == 2 + len(names)  # the summary, one per jobcentre, the explanation
    assert titles[-1] == EXPLANATION_SHEET
    assert len({t.lower() for t in titles}) == len(titles)
    for title in titles:
        assert len(title) <= 31 and not set(title) & set("[]:*?/\\")
    # Every position still lands in exactly one sheet, the one of its own jobcentre.
    found = {row[COL["Stilling-id"]]: row[COL["Jobcenter"]]
             for title in titles[1:-1] for row in sheet_rows(book[title])[1:]}
    assert found == {f"S-{i}": name for i, name in enumerate(names)}


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    """Titles and names come from case systems and imports: Excel must show them, never evaluate them."""
    report = summary_of(outcome("Horsens", "S-1", 4, 0, title="=HYPERLINK(\"http://x\",\"klik\")",
                                employer="+45 Rengøring"))
    book = load_workbook(write_rematch_report(report, tmp_path / "r.xlsx")[0])
    row = next(book["Horsens"].iter_rows(min_row=2, max_row=2))
    title, employer = row[COL["Stilling"]], row[COL["Virksomhed"]]
    assert title.value == "=HYPERLINK(\"http://x\",\"klik\")" and title.data_type == "s"
    assert employer.value == "+45 Rengøring" and employer.data_type == "s"


# ---- the report of a real rematch, against the database -------------------------------------------------

@pytest.fixture(scope="module")
def rematched(tmp_path_factory):
    """A small pool over three jobcentres, rematched by the CLI with --report; (url, output, xlsx path)."""
    folder = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    upgrade_database(url)
    with database_session(url) as session:
        load_pool_into_database(session, generate_pool(60, 24, seed=7, jobcenters=JOBCENTERS[:3]))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEKSMATCH_DATABASE_URL", url)
        mp.setenv("COLUMNS", "200")
        mp.chdir(folder)
        result = CliRunner().invoke(app, ["rematch", "--report", "ud/genmatch.xlsx"])
    assert result.exit_code == 0, result.output
    return url, result.output, folder / "ud" / "genmatch.xlsx"


def stored_state(url: str) -> dict:
    with database_session(url) as session:
        positions = {p.id: p for p in session.scalars(select(orm.Position).where(orm.Position.status == "open"))}
        capacity = dict(session.execute(select(orm.Citizen.id, orm.Citizen.capacity_hours)).all())
        runs = {run.position_id: run for run in session.scalars(
            select(orm.MatchRun).where(orm.MatchRun.current.is_(True)))}
        return {
            "positions": {pid: (p.jobcenter.name, p.title, p.employer.name, sum(t.hours_per_week for t in p.tasks))
                          for pid, p in positions.items()},
            # The batch's assignment; the single kept beside a split is a choice, not a placement.
            "proposals": {pid: [(pr.people, pr.hours_covered) for pr in run.proposals if not pr.alternative]
                          for pid, run in runs.items()},
            "capacity": capacity,
        }


def test_report_path_is_printed_and_both_files_exist(rematched):
    _url, output, xlsx = rematched
    assert xlsx.is_file() and xlsx.with_suffix(".csv").is_file()
    assert re.search(r"Rapport: ud/genmatch\.xlsx \(og ud/genmatch\.csv\)", output), output


def test_every_open_position_has_one_row_consistent_with_its_stored_proposal(rematched):
    url, _output, xlsx = rematched
    state = stored_state(url)
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Oversigt", *sorted({jc for jc, *_ in state["positions"].values()}), EXPLANATION_SHEET]
    rows = {}
    for name in book.sheetnames[1:-1]:
        assert sheet_rows(book[name])[0] == POSITION_COLUMNS
        for row in sheet_rows(book[name])[1:]:
            assert row[COL["Jobcenter"]] == name
            assert row[COL["Stilling-id"]] not in rows, "a position is listed twice"
            rows[row[COL["Stilling-id"]]] = row
    assert set(rows) == set(state["positions"])

    for pid, row in rows.items():
        jobcenter, title, employer, requested = state["positions"][pid]
        assert (row[COL["Stilling"]], row[COL["Virksomhed"]], row[COL["Timer ønsket"]]) == (title, employer, requested)
        stored = state["proposals"][pid]
        assert len(stored) <= 1, "the batch stores at most one proposal per position"
        people, covered = stored[0] if stored else ([], 0)
        assigned = sum(a["hours_per_week"] for person in people for a in person["assignments"])
        assert row[COL["Timer dækket"]] == covered == assigned
        assert (row[COL["Foreslåede borgere"]] or "") == ", ".join(p["candidate_id"] for p in people)
        expected_label = "none" if covered == 0 else "full" if covered >= requested else "partial"
        assert row[COL["Dækning"]] == COVERAGE_LABELS[expected_label]
        # Each proposed citizen's hours per task are spelled out, in the stored order.
        segments = (row[COL["Timer pr. opgave"]] or "").split("; ") if people else []
        assert [s.split(": ", 1)[0] for s in segments] == [p["candidate_id"] for p in people]
        for segment, person in zip(segments, people):
            hours = [int(h) for h in re.findall(r" (\d+) t(?=,|$)", segment)]
            assert hours == [a["hours_per_week"] for a in person["assignments"]]
        assert row[COL["Forklaring"]], "every row explains itself"
        assert 0 <= row[COL[BASELINE_COLUMN]] <= requested


def test_no_citizen_is_proposed_twice_or_above_capacity(rematched):
    url, _output, _xlsx = rematched
    state = stored_state(url)
    hours: dict[str, int] = {}
    positions_of: dict[str, list[str]] = {}
    for pid, stored in state["proposals"].items():
        for people, _covered in stored:
            for person in people:
                positions_of.setdefault(person["candidate_id"], []).append(pid)
                hours[person["candidate_id"]] = hours.get(person["candidate_id"], 0) + sum(
                    a["hours_per_week"] for a in person["assignments"])
    assert hours, "the small pool should place somebody"
    assert {c: ps for c, ps in positions_of.items() if len(ps) > 1} == {}
    assert {c: h for c, h in hours.items() if h > state["capacity"][c]} == {}


def test_summary_sheet_agrees_with_the_rows_and_the_database(rematched):
    url, _output, xlsx = rematched
    state = stored_state(url)
    book = load_workbook(xlsx)
    rows = [row for name in book.sheetnames[1:-1] for row in sheet_rows(book[name])[1:]]
    table = summary_table(book)
    coverage = [row[COL["Dækning"]] for row in rows]
    assert table["Åbne stillinger"][0] == len(rows) == len(state["positions"])
    for label in COVERAGE_LABELS.values():
        assert table[label][0] == coverage.count(label)
    proposed = {p["candidate_id"] for stored in state["proposals"].values() for people, _ in stored for p in people}
    assert table["Borgere foreslået"][0] == len(proposed)
    assert table["Timer dækket"][0] == sum(row[COL["Timer dækket"]] for row in rows)
    assert table["Timer dækket"][1] == sum(row[COL[BASELINE_COLUMN]] for row in rows)
    assert table["Timer ønsket"][0] == sum(row[COL["Timer ønsket"]] for row in rows)
    greedy_rows = [row[COL[BASELINE_COLUMN]] for row in rows]
    assert table["Ikke dækket"][1] == sum(1 for h in greedy_rows if h == 0)
    # The solver's objective is never below the greedy baseline, and never above the LP bound.
    objective, greedy = table[OBJECTIVE_LABEL]
    assert greedy <= objective <= table[BOUND_LABEL][0] + 0.01


def test_csv_beside_the_workbook_lists_every_position(rematched):
    _url, _output, xlsx = rematched
    rows = read_csv(xlsx.with_suffix(".csv"))
    book = load_workbook(xlsx)
    from_sheets = [row for name in book.sheetnames[1:-1] for row in sheet_rows(book[name])[1:]]
    assert rows[0] == POSITION_COLUMNS
    assert sorted(r[COL["Stilling-id"]] for r in rows[1:]) == sorted(r[COL["Stilling-id"]] for r in from_sheets)
    by_id = {r[COL["Stilling-id"]]: r for r in rows[1:]}
    for row in from_sheets:
        assert by_id[row[COL["Stilling-id"]]][COL["Timer dækket"]] == str(row[COL["Timer dækket"]])


# ---- what a team leader needs: local time, filters, outcomes, plain words, an explanation ---------------

def test_every_jobcentre_sheet_has_a_frozen_header_and_an_autofilter(summary, tmp_path):
    book = load_workbook(write_rematch_report(summary, tmp_path / "r.xlsx")[0])
    for name in book.sheetnames[1:-1]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:L{sheet.max_row}"
        assert sheet["L1"].value == POSITION_COLUMNS[-1]


def test_column_and_row_names_are_plain_danish(summary, tmp_path):
    book = load_workbook(write_rematch_report(summary, tmp_path / "r.xlsx")[0])
    words = [str(cell) for name in book.sheetnames for row in sheet_rows(book[name]) for cell in row if cell]
    header_and_labels = POSITION_COLUMNS + [row[0] for row in sheet_rows(book["Oversigt"]) if row[0]]
    for jargon in ("grådig", "Målværdi", "LP", "relaksering", "objective", "greedy", "UTC"):
        assert not any(jargon in label for label in header_and_labels), jargon
    assert BASELINE_COLUMN == "Samme opgave løst uden optimering: timer dækket"
    assert any("uden optimering" in word for word in words)


def test_the_outcome_column_says_what_was_recorded(summary, tmp_path):
    outcomes = {"S-2": "Ansat: B-1 · Kontaktet: B-2"}
    xlsx, csv_path = write_rematch_report(summary, tmp_path / "r.xlsx", outcomes)
    rows = {row[COL["Stilling-id"]]: row for row in sheet_rows(load_workbook(xlsx)["Horsens"])[1:]}
    assert rows["S-2"][COL["Udfald"]] == "Ansat: B-1 · Kontaktet: B-2"
    assert rows["S-1"][COL["Udfald"]] == "Ikke behandlet"        # proposed, nothing recorded yet
    aalborg = sheet_rows(load_workbook(xlsx)["Aalborg"])[1]
    assert aalborg[COL["Udfald"]] in ("", None)                    # nobody proposed, nothing to record
    assert {r[COL["Stilling-id"]]: r[COL["Udfald"]] for r in read_csv(csv_path)[1:]}["S-2"] == outcomes["S-2"]


def test_the_run_time_is_copenhagen_time_in_summer_too(tmp_path):
    report = summary_of(outcome("Horsens", "S-1", 4, 0))
    summer = RematchSummary(**{**report.__dict__, "finished_at": datetime(2026, 7, 1, 22, 30, tzinfo=timezone.utc)})
    table = summary_table(load_workbook(write_rematch_report(summer, tmp_path / "r.xlsx")[0]))
    assert table[RUN_LABEL][0] == "02-07-2026 00:30" and RUN_LABEL == "Kørt (dansk tid)"


def test_the_explanation_sheet_explains_every_column_a_reader_asks_about(summary, tmp_path):
    book = load_workbook(write_rematch_report(summary, tmp_path / "r.xlsx")[0])
    rows = sheet_rows(book[EXPLANATION_SHEET])
    assert rows[0] == ["Begreb", "Betydning"]
    terms = {row[0] for row in rows[1:]}
    assert {BASELINE, "Velmatchede timer", "Teoretisk loft", "Dækning", "Udfald", "Forklaring"} <= terms
    assert all(row[1] and len(row[1]) > 20 for row in rows[1:])


def test_the_report_of_a_real_rematch_shows_recorded_outcomes(tmp_path):
    from service.reports.outcomes import position_outcomes

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        factory = session_factory(engine)
        with session_scope(factory) as session:
            load_pool_into_database(session, generate_pool(30, 10, seed=3, jobcenters=JOBCENTERS[:1]))
        from service.core.rematch import run_rematch
        summary = run_rematch(factory, None, created_by="test")
        with session_scope(factory) as session:
            proposal = session.scalars(select(orm.Proposal).join(orm.MatchRun).where(orm.MatchRun.current.is_(True))
                                       .order_by(orm.Proposal.position_id)).first()
            placements.record_outcome(session, proposal, OutcomeRequest("contacted", proposal.persons[0].candidate_id),
                                      actor="test", today=date.today())
            people = ", ".join(p["candidate_id"] for p in proposal.people)
            outcomes = position_outcomes(session, [o.position_id for o in summary.outcomes])
        assert outcomes[proposal.position_id] == f"Kontaktet: {people}"
        assert {v for k, v in outcomes.items() if k != proposal.position_id} <= {"Ikke behandlet"}
        xlsx, _ = write_rematch_report(summary, tmp_path / "r.xlsx", outcomes)
        rows = [row for name in load_workbook(xlsx).sheetnames[1:-1] for row in sheet_rows(load_workbook(xlsx)[name])[1:]]
        assert {row[COL["Stilling-id"]]: row[COL["Udfald"]] for row in rows}[proposal.position_id] == f"Kontaktet: {people}"
    finally:
        engine.dispose()
