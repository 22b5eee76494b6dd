"""Loading the demo pool into a database (service.demo.loader): complete, idempotent, and summarised."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console
from sqlalchemy import func, select

from models import orm
from service.cli import demo
from service.demo.pool_generator import generate_pool, load_demo_pool
from db_support import database_session


@pytest.fixture(scope="module")
def pool():
    return load_demo_pool()


@pytest.fixture(scope="module")
def small_pool():
    return generate_pool(80, 30, seed=11)


def _load(url: str, pool) -> demo.LoadSummary:
    with database_session(url) as session:
        return demo.load_pool_into_database(session, pool)


def _counts(url: str) -> dict[str, int]:
    with database_session(url) as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (orm.Jobcenter, orm.Employer, orm.Position, orm.Task, orm.Citizen,
                              orm.CitizenRestriction)}


def _stamps(url: str) -> dict[str, object]:
    with database_session(url) as session:
        rows = [*session.execute(select(orm.Citizen.id, orm.Citizen.updated_at)),
                *session.execute(select(orm.Position.id, orm.Position.updated_at)),
                *session.execute(select(orm.Employer.id, orm.Employer.updated_at))]
        return dict(rows)


def test_demo_loads_the_whole_pool_once_and_then_changes_nothing(sqlite_url: str, pool) -> None:
    steps = [demo.step_prepare_database, demo.step_load_pool, demo.step_print_pool_statistics]
    output = StringIO()
    first = demo.run_demo(Console(file=output, width=160), url=sqlite_url, steps=steps)

    counts = _counts(sqlite_url)
    assert counts == {
        "jobcenters": len(pool.jobcenters), "employers": len(pool.employers), "positions": len(pool.positions),
        "tasks": sum(len(p.tasks) for p in pool.positions), "citizens": len(pool.citizens),
        "citizen_restrictions": sum(len(c.restrictions) for c in pool.citizens),
    }
    assert first.load.created["citizens"] == len(pool.citizens)
    assert first.load.created["positions"] == len(pool.positions)
    stamps = _stamps(sqlite_url)

    second = demo.run_demo(Console(file=StringIO(), width=160), url=sqlite_url, steps=steps)
    assert not second.load.wrote_anything
    assert second.load.unchanged["citizens"] == len(pool.citizens)
    assert second.load.unchanged["employers"] == len(pool.employers)
    assert _counts(sqlite_url) == counts
    assert _stamps(sqlite_url) == stamps

    text = output.getvalue()
    assert "Puljen pr. jobcenter" in text and "Horsens" in text and "Struer" in text
    assert "Arbejdsevne" in text and "Skånehensyn" in text
    stats = first.statistics
    assert stats.citizens == len(pool.citizens)
    assert sum(jc.positions for jc in stats.jobcenters) == len(pool.positions)
    assert sum(jc.hours_requested for jc in stats.jobcenters) == sum(p.hours_requested for p in pool.positions)
    assert sum(count for _label, count in stats.capacity_bands) == len(pool.citizens)


def test_stored_pool_reads_back_what_was_loaded(sqlite_url: str, small_pool) -> None:
    _load(sqlite_url, small_pool)
    with database_session(sqlite_url) as session:
        candidates, positions = demo.stored_pool(session, ["Horsens", "Struer"])
    mine = ("Horsens", "Struer")
    assert {c.id: c for c in candidates} == {c.id: c for c in small_pool.citizens if c.jobcenter in mine}
    assert {p.id: p for p in positions} == {p.id: p for p in small_pool.positions if p.jobcenter in mine}
    assert candidates and positions


def test_a_changed_record_is_updated_and_counted(sqlite_url: str, small_pool) -> None:
    _load(sqlite_url, small_pool)
    first = small_pool.citizens[0]
    changed = first.model_copy(update={"capacity_hours": first.capacity_hours % 10 + 1})
    edited = type(small_pool)(
        seed=small_pool.seed, jobcenters=small_pool.jobcenters, employers=small_pool.employers,
        positions=small_pool.positions, citizens=(changed, *small_pool.citizens[1:]),
        position_postcodes=small_pool.position_postcodes, citizen_postcodes=small_pool.citizen_postcodes)
    summary = _load(sqlite_url, edited)
    assert summary.changed == {"citizens": 1}
    assert summary.unchanged["citizens"] == len(small_pool.citizens) - 1
    assert not summary.created
    with database_session(sqlite_url) as session:
        assert session.get(orm.Citizen, changed.id).capacity_hours == changed.capacity_hours


def test_a_failing_load_writes_nothing(sqlite_url: str, small_pool) -> None:
    """One transaction: a pool whose last citizen breaks a database rule leaves no trace."""
    bad = small_pool.citizens[-1].model_copy(update={"jobcenter": ""})
    broken = type(small_pool)(
        seed=small_pool.seed, jobcenters=small_pool.jobcenters, employers=small_pool.employers,
        positions=small_pool.positions, citizens=(*small_pool.citizens[:-1], bad),
        position_postcodes=small_pool.position_postcodes, citizen_postcodes=small_pool.citizen_postcodes)
    with pytest.raises(ValueError):
        _load(sqlite_url, broken)
    assert set(_counts(sqlite_url).values()) == {0}
