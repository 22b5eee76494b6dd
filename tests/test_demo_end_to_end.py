"""`fleksmatch demo` end to end: every demo step on a small pool (fast), and the real command on the bundled
demo pool twice (slow): pool stored once, current proposals for every open position, a report on disk."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console
from sqlalchemy import func, select
from typer.testing import CliRunner

from models import orm
from service.cli import demo
from service.cli import app
from service.demo.pool_generator import JOBCENTERS, generate_pool, load_demo_pool, pool_to_json
from db_support import database_session

REPORT = re.compile(r"Rapport: (\S+\.xlsx) \(og (\S+\.csv)\)")
COUNTED = (orm.Jobcenter, orm.Employer, orm.Position, orm.Task, orm.Citizen, orm.CitizenRestriction)


def flat(text: str) -> str:
    return " ".join(text.split())


def database_state(url: str) -> dict:
    """Row counts of the pool, and per open position its current run (id, creator, proposals)."""
    with database_session(url) as session:
        counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                  for model in COUNTED}
        open_ids = set(session.scalars(select(orm.Position.id).where(orm.Position.status == "open")))
        current = {run.position_id: (run.id, run.source, run.created_by,
                                     [(p.kind, p.people, p.hours_covered) for p in run.proposals])
                   for run in session.scalars(select(orm.MatchRun).where(orm.MatchRun.current.is_(True)))}
        runs = session.scalar(select(func.count()).select_from(orm.MatchRun))
        return {"counts": counts, "open": open_ids, "current": current, "runs": runs}


def expected_counts(pool) -> dict[str, int]:
    return {
        "jobcenters": len(pool.jobcenters), "employers": len(pool.employers), "positions": len(pool.positions),
        "tasks": sum(len(p.tasks) for p in pool.positions), "citizens": len(pool.citizens),
        "citizen_restrictions": sum(len(c.restrictions) for c in pool.citizens),
    }


def reported_paths(output: str, cwd: Path) -> tuple[Path, Path]:
    found = REPORT.search(flat(output))
    assert found, output
    return cwd / found.group(1), cwd / found.group(2)


def test_every_demo_step_runs_on_a_small_pool(sqlite_url, tmp_path, monkeypatch):
    """DEMO_STEPS as they are, on a generated pool in place of the bundled one."""
    pool = generate_pool(50, 20, seed=3, jobcenters=JOBCENTERS[:2])
    pool_file = tmp_path / "lille-pulje.json"
    pool_file.write_text(pool_to_json(pool), encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def use_small_pool(context: demo.DemoContext) -> None:
        context.pool_path = pool_file

    out = StringIO()
    context = demo.run_demo(Console(file=out, width=200), url=sqlite_url, steps=[use_small_pool, *demo.DEMO_STEPS])
    output = out.getvalue()

    assert "Demo-puljen lille-pulje.json er indlæst" in output
    assert "Eksempler: de bedste kandidater til en stilling" in output
    assert "Genmatcher puljen" in output and "Resultat af genmatchning" in output
    xlsx, csv_path = reported_paths(output, tmp_path)
    assert xlsx == tmp_path / context.results["report"] and xlsx.is_file() and csv_path.is_file()
    assert xlsx.parent == tmp_path / "var" / "reports"

    assert "Demo-forløb registreret på" in output
    state = database_state(sqlite_url)
    assert state["counts"] == expected_counts(pool)
    assert state["open"] and set(state["current"]) >= state["open"]
    rematched = {pid: run for pid, run in state["current"].items() if pid in state["open"]}
    assert {(source, by) for _id, source, by, _p in rematched.values()} == {("rematch", "demo")}
    summary = context.results["rematch"]
    assert summary.positions_total <= len(state["open"])  # open positions with nothing left get an empty run
    assert summary.citizens_proposed == len({p["candidate_id"] for *_r, proposals in rematched.values()
                                             for _k, people, _h in proposals for p in people})
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Oversigt", *sorted(name for name, _m, _w in JOBCENTERS[:2]), "Forklaring"]


@pytest.mark.slow
def test_fleksmatch_demo_twice_on_the_bundled_pool(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    pool = load_demo_pool()
    runner = CliRunner()

    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    xlsx, csv_path = reported_paths(first.output, tmp_path)
    assert xlsx.is_file() and csv_path.is_file()
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Oversigt", *sorted(jc["name"] for jc in pool.jobcenters), "Forklaring"]
    matched = int(re.search(r"Åbne stillinger\D+(\d+)", flat(first.output)).group(1))
    assert sum(book[name].max_row - 1 for name in book.sheetnames[1:-1]) == matched
    assert "Demo-forløb registreret på" in flat(first.output)
    once = database_state(url)
    assert once["counts"] == expected_counts(pool)
    assert set(once["current"]) == {p.id for p in pool.positions} and once["open"] <= set(once["current"])
    history_runs = once["runs"] - len(once["open"])  # the demo's case history matched some positions first
    assert 0 < history_runs < len(pool.positions) and matched <= len(once["open"])
    assert {(source, by) for pid, (_id, source, by, _p) in once["current"].items()
            if pid in once["open"]} == {("rematch", "demo")}

    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output
    assert "Databasen indeholdt allerede puljen uændret; intet er skrevet." in flat(second.output)
    assert "Demo-forløbene (ansættelser, praktikker, afslag) er allerede registreret." in flat(second.output)
    assert reported_paths(second.output, tmp_path)[0].is_file()
    twice = database_state(url)
    assert twice["counts"] == once["counts"]                 # the pool is not loaded twice
    assert twice["open"] == once["open"]                      # nor its history recorded twice
    assert twice["runs"] == once["runs"] + len(once["open"])  # a new current run per open position, the old kept
    assert set(twice["current"]) == set(once["current"])
    for position_id in once["open"]:
        run_id, *_rest, proposals = twice["current"][position_id]
        assert run_id != once["current"][position_id][0]
        assert proposals == once["current"][position_id][3], f"{position_id}: the same data gave other proposals"
