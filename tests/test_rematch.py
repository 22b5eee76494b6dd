"""`fleksmatch rematch`: batch assignment of a jobcentre's pool (or all of them), stored as the current
proposals; `--jobcenter` choice; determinism; and an interrupted or killed run, which must leave the
previous proposals exactly as they were.

Most tests copy one SQLite file that holds a small generated pool (three jobcentres) already rematched
once; the CLI is driven with typer's CliRunner, the kill with a real `fleksmatch rematch` process."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select as sql_select
from typer.testing import CliRunner

from matcher import match
from models import orm, placements, store
from models.db import make_engine, session_factory, upgrade_database
from models.placements import OutcomeRequest
from models.schemas import MatchOptions, MatchRequest
from service.cli import rematch as rematch_command
from service.cli import app
from service.demo.loader import load_pool_into_database
from service.demo.pool_generator import JOBCENTERS, generate_pool
from service.core.rematch import run_rematch
from db_support import database_session

SMALL_JOBCENTERS = JOBCENTERS[:3]          # Horsens, Struer, Aalborg
SMALL_NAMES = sorted(name for name, _m, _w in SMALL_JOBCENTERS)
FIRST_BY = "første kørsel"


# ---- databases ------------------------------------------------------------------------------------------

def load(url: str, pool) -> None:
    with database_session(url) as session:
        load_pool_into_database(session, pool)


def rematch_in_process(url: str, jobcenter: str | None = None, created_by: str = FIRST_BY):
    engine = make_engine(url)
    try:
        return run_rematch(session_factory(engine), jobcenter, created_by=created_by)
    finally:
        engine.dispose()


def mark_first_proposal_contacted(url: str) -> str:
    """An outcome recorded on a previous proposal: it must survive whatever a later run does."""
    with database_session(url) as session:
        proposal = session.scalars(sql_select(orm.Proposal).order_by(orm.Proposal.position_id)).first()
        placements.record_outcome(session, proposal, OutcomeRequest("contacted", proposal.persons[0].candidate_id),
                                  actor="konsulent", today=date.today())
        return proposal.id


@pytest.fixture(scope="module")
def small_pool():
    return generate_pool(60, 24, seed=7, jobcenters=SMALL_JOBCENTERS)


@pytest.fixture(scope="module")
def rematched_template(tmp_path_factory, small_pool) -> Path:
    """The small pool, rematched once, with one proposal marked contacted. Tests work on copies."""
    path = tmp_path_factory.mktemp("rematched") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    load(url, small_pool)
    rematch_in_process(url)
    mark_first_proposal_contacted(url)
    return path   # every engine is disposed: the WAL is checkpointed into the file


@pytest.fixture
def rematched_url(tmp_path, rematched_template) -> str:
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(rematched_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def seeded_url(db_url, small_pool) -> str:
    """The small pool in a fresh database of each backend, never rematched."""
    load(db_url, small_pool)
    return db_url


def snapshot(url: str) -> dict:
    """Every match run (id, current, JSON) and every proposal with its outcome history."""
    with database_session(url) as session:
        runs = {run.id: (run.position_id, run.current, run.source, run.created_by, run.response)
                for run in session.scalars(sql_select(orm.MatchRun))}
        proposals = {p.id: (p.match_run_id, p.position_id, p.kind, p.people, p.hours_covered, p.status,
                            [(e.outcome, e.reason, e.actor) for e in p.events])
                     for p in session.scalars(sql_select(orm.Proposal))}
        current = {position_id: run_id for run_id, (position_id, is_current, *_rest) in runs.items() if is_current}
        return {"runs": runs, "proposals": proposals, "current": current}


def positions_by_jobcenter(url: str) -> dict[str, str]:
    with database_session(url) as session:
        return {p.id: p.jobcenter for p in store.open_positions(session)}


def without_proposal_ids(response: dict) -> dict:
    proposals = [{k: v for k, v in p.items() if k != "proposal_id"} for p in response["proposals"]]
    return {**response, "proposals": proposals}


def cli(monkeypatch, tmp_path: Path, url: str, *args: str):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(app, ["rematch", *args])


def flat(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


# ---- storing the proposals ------------------------------------------------------------------------------

def test_rematch_stores_one_current_run_per_open_position(seeded_url, monkeypatch, tmp_path):
    with database_session(seeded_url) as session:
        filled = session.scalars(sql_select(orm.Position).order_by(orm.Position.id)).first()
        filled.status = "filled"
        # Citizens who are not available (or no longer active) are never proposed.
        citizens = session.scalars(sql_select(orm.Citizen).where(orm.Citizen.status == "available")
                                   .order_by(orm.Citizen.id)).all()
        away = {c.id for c in citizens[::6]}
        for i, citizen in enumerate(c for c in citizens if c.id in away):
            citizen.status, citizen.active = ("sick_leave", True) if i % 2 else ("available", False)

    result = cli(monkeypatch, tmp_path, seeded_url)
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "Genmatcher puljen" in output and "Resultat af genmatchning" in output
    open_ids = set(positions_by_jobcenter(seeded_url))
    assert filled.id not in open_ids
    assert re.search(rf"Åbne stillinger\W+{len(open_ids)}\W+{len(open_ids)}\W", output), output

    after = snapshot(seeded_url)
    assert set(after["current"]) == open_ids          # one current run per open position, none for the filled
    assert len(after["runs"]) == len(open_ids)
    rows = after["proposals"]
    for position_id, run_id in after["current"].items():
        _pid, _current, source, created_by, response = after["runs"][run_id]
        assert (source, created_by, response["position_id"]) == ("rematch", "cli", position_id)
        # The batch stores its one assignment per position, and beside a split the single alternative.
        kinds = [(p["kind"], p.get("alternative", False)) for p in response["proposals"]]
        assert kinds in ([], [("single", False)], [("split", False)], [("split", False), ("single", True)]), kinds
        stored = sorted((pid, row) for pid, row in rows.items() if row[0] == run_id)
        assert sorted(p["proposal_id"] for p in response["proposals"]) == [pid for pid, _row in stored]
        for proposal in response["proposals"]:
            row = rows[proposal["proposal_id"]]
            _run, row_position, kind, people, covered, status, events = row
            assert (row_position, kind, people, covered, status, events) == (
                position_id, proposal["kind"], proposal["people"], proposal["hours_covered"], "open", [])
            assert kind == ("single" if len(people) == 1 else "split")
            assert covered == sum(a["hours_per_week"] for p in people for a in p["assignments"]) > 0
    proposed = {p["candidate_id"] for row in rows.values() for p in row[3]}
    assert proposed and not proposed & away
    assert not any(cid in str(response) for *_r, response in after["runs"].values() for cid in away)


def test_proposals_are_feasible_within_capacity_and_the_jobcenter(rematched_url):
    with database_session(rematched_url) as session:
        positions = {p.id: p for p in store.open_positions(session)}
        candidates = {c.id: c for c in store.available_candidates(session)}
        proposals = [(run.position_id, p) for run in session.scalars(
            sql_select(orm.MatchRun).where(orm.MatchRun.current.is_(True))) for p in run.proposals
            if not p.alternative]   # the single kept beside a split is a choice, not a second placement
    assert len(proposals) >= len(positions) // 2
    hours: dict[str, int] = {}
    seen: dict[str, str] = {}
    for position_id, proposal in proposals:
        position = positions[position_id]
        tasks = {t.id: t for t in position.tasks}
        people = [candidates[p["candidate_id"]] for p in proposal.people]
        assert 1 <= len(people) <= position.people_limit
        # Feasibility is the ranking's verdict: each assigned task is one the person may do.
        response = match(MatchRequest(position=position, candidates=people,
                                      options=MatchOptions(limit=len(people), proposals=False)))
        feasible = {entry.candidate_id: set(entry.feasible_tasks) for entry in response.ranking}
        per_task: dict[str, int] = {}
        for person in proposal.people:
            cid = person["candidate_id"]
            assert candidates[cid].jobcenter == position.jobcenter, "proposed across jobcentres"
            assert cid not in seen, f"{cid} proposed to {seen.get(cid)} and {position_id}"
            seen[cid] = position_id
            total = sum(a["hours_per_week"] for a in person["assignments"])
            assert total >= position.min_hours_per_person
            hours[cid] = hours.get(cid, 0) + total
            for assignment in person["assignments"]:
                assert assignment["task_id"] in feasible.get(cid, set()), (cid, assignment)
                per_task[assignment["task_id"]] = per_task.get(assignment["task_id"], 0) + assignment["hours_per_week"]
                if not tasks[assignment["task_id"]].splittable:
                    assert sum(1 for p in proposal.people for a in p["assignments"]
                               if a["task_id"] == assignment["task_id"]) == 1
        assert all(per_task[t] <= tasks[t].hours_per_week for t in per_task)
    assert {c: h for c, h in hours.items() if h > candidates[c].capacity_hours} == {}


# ---- choosing the jobcentre -----------------------------------------------------------------------------

def test_unknown_jobcenter_exits_2_naming_the_known_ones_and_changes_nothing(rematched_url, monkeypatch, tmp_path):
    before = snapshot(rematched_url)
    result = cli(monkeypatch, tmp_path, rematched_url, "--jobcenter", "Atlantis")
    assert result.exit_code == 2, result.output
    output = flat(result.output)
    assert "jobcentret «Atlantis» findes ikke" in output
    assert "Kendte jobcentre: " + ", ".join(SMALL_NAMES) in output
    assert snapshot(rematched_url) == before
    assert not (tmp_path / "var").exists(), "no report for a run that never started"


def test_unknown_jobcenter_on_an_empty_database_says_to_import_first(sqlite_url, monkeypatch, tmp_path):
    result = cli(monkeypatch, tmp_path, sqlite_url, "--jobcenter", "Horsens")
    assert result.exit_code == 2
    assert "ingen endnu (importér en pulje først)" in flat(result.output)


def test_known_jobcenter_rematches_only_its_own_positions(rematched_url, monkeypatch, tmp_path):
    before = snapshot(rematched_url)
    jobcenter_of = positions_by_jobcenter(rematched_url)
    struer = {pid for pid, jc in jobcenter_of.items() if jc == "Struer"}
    assert struer and len(struer) < len(jobcenter_of)

    result = cli(monkeypatch, tmp_path, rematched_url, "--jobcenter", "Struer", "--report", "struer.xlsx")
    assert result.exit_code == 0, result.output
    after = snapshot(rematched_url)
    for pid, run_id in after["current"].items():
        if pid in struer:
            assert run_id not in before["runs"], f"{pid} kept its old run"
            assert after["runs"][run_id][2:4] == ("rematch", "cli")
        else:
            assert run_id == before["current"][pid]
    # Nothing stored before is lost: old runs stay (no longer current), proposals and outcomes unchanged.
    for run_id, (pid, was_current, *rest) in before["runs"].items():
        assert after["runs"][run_id] == (pid, was_current and pid not in struer, *rest)
    assert {k: v for k, v in after["proposals"].items() if k in before["proposals"]} == before["proposals"]
    new = [row for pid, row in after["proposals"].items() if pid not in before["proposals"]]
    assert new and {row[1] for row in new} <= struer

    from openpyxl import load_workbook
    assert load_workbook(tmp_path / "struer.xlsx").sheetnames == ["Oversigt", "Struer", "Forklaring"]


def test_known_jobcenter_without_open_positions_says_so(rematched_url, monkeypatch, tmp_path):
    with database_session(rematched_url) as session:
        store.get_or_create_jobcenter(session, "Lemvig")
    before = snapshot(rematched_url)
    result = cli(monkeypatch, tmp_path, rematched_url, "--jobcenter", "Lemvig")
    assert result.exit_code == 1
    assert "Ingen åbne stillinger i jobcenter Lemvig" in flat(result.output)
    assert snapshot(rematched_url) == before


# ---- determinism ----------------------------------------------------------------------------------------

def test_rematch_of_unchanged_data_proposes_the_same(rematched_url, monkeypatch, tmp_path):
    # The template's contact happened after its first rematch; one more rematch builds on it, and from then on
    # nothing changes.
    assert cli(monkeypatch, tmp_path, rematched_url, "--report", "efter-kontakt.xlsx").exit_code == 0
    before = snapshot(rematched_url)
    result = cli(monkeypatch, tmp_path, rematched_url, "--report", "igen.xlsx")
    assert result.exit_code == 0, result.output
    after = snapshot(rematched_url)
    assert set(after["current"]) == set(before["current"])
    assert len(after["runs"]) == len(before["runs"]) + len(before["current"])  # the previous runs are kept
    for pid, run_id in after["current"].items():
        old_run_id = before["current"][pid]
        assert run_id != old_run_id and after["runs"][old_run_id][1] is False
        assert without_proposal_ids(after["runs"][run_id][4]) == without_proposal_ids(before["runs"][old_run_id][4])

    def proposals_of(state, run_ids):
        return sorted((row[1], row[2], row[4], str(row[3])) for row in state["proposals"].values() if row[0] in run_ids)

    assert proposals_of(after, set(after["current"].values())) == proposals_of(before, set(before["current"].values()))


# ---- interruption ---------------------------------------------------------------------------------------

INTERRUPT_AT = {
    "while ranking": lambda done, total: done == 1,
    "while assigning": lambda done, total: done > total // 2,
    "just before writing": lambda done, total: done == total,
}


@pytest.mark.parametrize("moment", list(INTERRUPT_AT))
def test_ctrl_c_leaves_the_previous_proposals_intact(rematched_url, monkeypatch, tmp_path, moment):
    before = snapshot(rematched_url)
    assert any(row[6] for row in before["proposals"].values()), "the template holds a recorded outcome"
    original = rematch_command.run_rematch
    seen: list[tuple[int, int]] = []

    def interrupted(factory, jobcenter=None, *, progress, **kwargs):
        def report(done: int, total: int) -> None:
            progress(done, total)
            seen.append((done, total))
            if INTERRUPT_AT[moment](done, total):
                raise KeyboardInterrupt
        return original(factory, jobcenter, progress=report, **kwargs)

    monkeypatch.setattr(rematch_command, "run_rematch", interrupted)
    result = cli(monkeypatch, tmp_path, rematched_url)
    assert result.exit_code == 130, result.output
    assert "Afbrudt. Intet er ændret: de tidligere forslag er urørte." in flat(result.output)
    assert seen and INTERRUPT_AT[moment](*seen[-1])
    assert snapshot(rematched_url) == before
    assert not (tmp_path / "var").exists()


def test_ctrl_c_while_writing_rolls_back_every_position(rematched_url, monkeypatch, tmp_path):
    """The new runs are written in one transaction: stopped halfway through, none of them remains."""
    before = snapshot(rematched_url)
    original = store.store_match_run
    written: list[str] = []

    def store_then_stop(session, position_id, response, **kwargs):
        run = original(session, position_id, response, **kwargs)
        written.append(position_id)
        if len(written) == len(before["current"]) // 2:
            raise KeyboardInterrupt
        return run

    monkeypatch.setattr(store, "store_match_run", store_then_stop)
    result = cli(monkeypatch, tmp_path, rematched_url)
    assert result.exit_code == 130, result.output
    assert len(written) == len(before["current"]) // 2 > 1
    assert snapshot(rematched_url) == before


# ---- a real process, killed -----------------------------------------------------------------------------

CHILD = [sys.executable, "-m", "service.cli", "rematch"]
REPO = Path(__file__).resolve().parent.parent
PROGRESS = re.compile(rb"Genmatcher puljen.*?(\d+)/(\d+)")


@pytest.fixture(scope="module")
def large_template(tmp_path_factory) -> Path:
    """A pool over all ten jobcentres that takes the CLI a few seconds; Struer alone rematched before."""
    path = tmp_path_factory.mktemp("large") / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    load(url, generate_pool(200, 90, seed=5))
    rematch_in_process(url, "Struer")
    mark_first_proposal_contacted(url)
    return path


def start_rematch_in_a_terminal(url: str, cwd: Path) -> tuple[subprocess.Popen, int]:
    """`fleksmatch rematch` with its output on a pseudo-terminal, so rich draws the live progress bar."""
    master, slave = pty.openpty()
    env = {**os.environ, "FLEKSMATCH_DATABASE_URL": url, "COLUMNS": "120", "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(CHILD, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=cwd, env=env,
                             start_new_session=True)
    os.close(slave)
    return child, master


def read_until(master: int, child: subprocess.Popen, seen: bytearray, ready, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready(bytes(seen)):
        assert child.poll() is None, "the rematch ended on its own:\n" + seen.decode(errors="replace")
        assert time.monotonic() < deadline, "no progress shown:\n" + seen.decode(errors="replace")
        if select.select([master], [], [], 0.05)[0]:
            try:
                seen.extend(os.read(master, 65536))
            except OSError:   # EIO: the child closed the terminal; the next poll() says how it ended
                child.wait(10)


def drain(master: int, seen: bytearray) -> str:
    try:
        while select.select([master], [], [], 0.2)[0]:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            seen.extend(chunk)
    except OSError:   # EIO: the child closed its end
        pass
    os.close(master)
    return seen.decode(errors="replace")


def ranking_started(output: bytes) -> bool:
    """Progress is shown and still in the first half (ranking): the writing comes only after all of it."""
    return any(0 < int(done) <= int(total) // 2 for done, total in PROGRESS.findall(output))


def assigning_started(output: bytes) -> bool:
    """Progress is in the second half: OR-Tools is assigning (CP-SAT has its own Ctrl-C handling)."""
    return any(int(total) // 2 < int(done) < int(total) for done, total in PROGRESS.findall(output))


@pytest.mark.parametrize("sig, moment", [(signal.SIGKILL, ranking_started), (signal.SIGINT, assigning_started)],
                         ids=["kill-while-ranking", "ctrl-c-while-assigning"])
def test_stopped_process_leaves_the_database_whole_and_the_previous_proposals_current(
        large_template, tmp_path, sig, moment):
    path = tmp_path / "db.sqlite3"
    shutil.copyfile(large_template, path)
    url = f"sqlite:///{path}"
    before = snapshot(url)
    assert before["current"] and any(row[6] for row in before["proposals"].values())

    child, master = start_rematch_in_a_terminal(url, tmp_path)
    seen = bytearray()
    try:
        read_until(master, child, seen, moment)
        child.send_signal(sig)
        code = child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    output = drain(master, seen)

    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 130, output
        assert "Intet er ændret: de tidligere forslag er urørte" in flat(output)
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
    assert snapshot(url) == before
    assert not (tmp_path / "var").exists()

    # The database takes the next run normally.
    rematch_in_process(url, "Struer", created_by="næste kørsel")
    after = snapshot(url)
    assert set(after["current"]) == set(before["current"])
    assert all(after["runs"][run_id][3] == "næste kørsel" for run_id in after["current"].values())
    with database_session(url) as session:
        assert session.scalar(sql_select(func.count()).select_from(orm.MatchRun)) == 2 * len(before["runs"])
