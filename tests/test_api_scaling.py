"""What lets the API run as several worker processes under load: the `serve --workers` option, the
database as the authority for one rematch per jobcentre, caches that every process's writes invalidate,
matching outside the write lock, and the group-committed audit log."""

from __future__ import annotations

import pickle
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

import service.core.matching as matching
import service.http.server as server
from api_support import citizen_body, position_body
from models import orm
from models.db import head_revision, make_engine, session_factory, session_scope
from service.cli import app as cli
from service.core.audit import _rows, audit_writer
from service.core.auth.principal import Principal
from service.http.app import create_app
from db_support import database_session


@pytest.fixture
def other_worker(api):
    """A second app on the same database: another worker process as far as caches, locks and the rematch
    runner are concerned (nothing in memory is shared)."""
    client = TestClient(create_app(api.url), raise_server_exceptions=False)
    yield client
    client.app.state.engine.dispose()


# ---- serve --workers ----------------------------------------------------------------------------------


def test_serve_passes_workers_and_defaults_to_the_cpu_cores(monkeypatch):
    calls = []
    run_server = server.run_server
    monkeypatch.setattr(server, "run_server", lambda **kwargs: calls.append(kwargs))
    runner = CliRunner()
    assert runner.invoke(cli, ["serve", "--workers", "3", "--port", "8123"]).exit_code == 0
    assert runner.invoke(cli, ["serve"]).exit_code == 0
    assert calls == [{"host": "127.0.0.1", "port": 8123, "workers": 3},
                     {"host": "127.0.0.1", "port": 8000, "workers": None}]
    refused = runner.invoke(cli, ["serve", "--workers", "0"])
    assert refused.exit_code == 2 and len(calls) == 2
    monkeypatch.setattr(server.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert server.default_workers() == 3
    with pytest.raises(ValueError):
        run_server(workers=0)


def test_run_server_migrates_once_and_hands_the_database_and_one_secret_to_the_workers(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(server, "serve", lambda config: seen.update(config=config))
    monkeypatch.delenv("FLEKSMATCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", "sqlite:///unused.sqlite3")
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    server.run_server(port=8124, database_url=url, workers=2)
    config = seen["config"]
    assert config.factory is True and config.workers == 2 and config.port == 8124
    assert config.app.func is server.worker_app
    settings = config.app.args[0]
    assert settings.database_url == url  # handed over in the settings, not in the environment
    assert server.os.environ["FLEKSMATCH_DATABASE_URL"] == "sqlite:///unused.sqlite3"
    assert "FLEKSMATCH_SECRET_KEY" not in server.os.environ
    assert len(settings.secret_key.get_secret_value()) >= 32  # one key, so logins hold on every worker
    assert pickle.loads(pickle.dumps(config.app)).args[0] == settings  # survives the spawn into a worker
    engine = make_engine(url)
    try:
        with engine.connect() as connection:  # migrated by the parent, before any worker starts
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
    finally:
        engine.dispose()


# ---- one rematch per jobcentre, across processes ------------------------------------------------------


def test_a_second_worker_gets_409_while_the_first_runs_a_rematch(api, other_worker):
    release = threading.Event()
    runner = api.client.app.state.rematch_runner
    runner._rematch = lambda factory, jobcenter, **kwargs: release.wait(10)
    try:
        first = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a"))
        assert first.status_code == 202
        second = other_worker.post("/api/v1/rematch", json={}, headers=api.as_("a"))
        assert second.status_code == 409 and "Horsens" in second.json()["detail"]
        # The other worker may still rematch another jobcentre.
        other_worker.app.state.rematch_runner._rematch = lambda factory, jobcenter, **kwargs: None
        assert other_worker.post("/api/v1/rematch", json={}, headers=api.as_("b")).status_code == 202
    finally:
        release.set()
        runner.wait(first.json()["job_id"], 10)
    assert other_worker.post("/api/v1/rematch", json={}, headers=api.as_("a")).status_code == 202


def test_the_database_refuses_a_second_active_job_for_a_jobcentre(db_url):
    engine = make_engine(db_url)
    factory = session_factory(engine)
    try:
        with session_scope(factory) as session:
            session.add(orm.BatchJob(id="j1", jobcenter="Horsens", state="running", created_by="a"))
            session.add(orm.BatchJob(id="j2", jobcenter="Horsens", state="done", created_by="a"))
            session.add(orm.BatchJob(id="j3", jobcenter="Vejle", state="queued", created_by="a"))
        with pytest.raises(IntegrityError), session_scope(factory) as session:
            session.add(orm.BatchJob(id="j4", jobcenter="Horsens", state="queued", created_by="b"))
    finally:
        engine.dispose()


# ---- caches invalidated by writes through any process -------------------------------------------------


def test_citizen_proposals_follow_position_and_citizen_changes_from_another_worker(api, other_worker):
    h = api.as_("a")
    first = api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json()
    assert [p["position_id"] for p in first["positions"]] == ["S-A"]
    assert api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json() == first  # served again

    renamed = other_worker.put("/api/v1/positions/S-A", json=position_body("V-A", title="Kantine og rengøring"),
                               headers=h)
    assert renamed.status_code == 200
    assert api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json()["positions"][0]["title"] == \
        "Kantine og rengøring"

    other_worker.put("/api/v1/citizens/B-A1", json=citizen_body(capacity_hours=3), headers=h)
    assert api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json()["positions"][0]["hours_offered"] == 3

    other_worker.put("/api/v1/employers/V-A", json={"name": "Nyt navn A/S"}, headers=h)
    assert api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json()["positions"][0]["employer_name"] == \
        "Nyt navn A/S"

    closed = other_worker.put("/api/v1/positions/S-A", json=position_body("V-A", status="closed"), headers=h)
    assert closed.status_code == 200
    after = api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json()
    assert after["positions"] == [] and after["positions_considered"] == 0


def test_position_answer_follows_changes_to_the_position_its_tasks_and_its_employer(api, other_worker):
    h = api.as_("a")
    before = api.client.get("/api/v1/positions/S-A", headers=h).json()
    assert before["tasks"][0]["hours_per_week"] == 5
    changed_tasks = position_body("V-A")
    changed_tasks["tasks"][0]["hours_per_week"] = 7
    other_worker.put("/api/v1/positions/S-A", json=changed_tasks, headers=h)
    assert api.client.get("/api/v1/positions/S-A", headers=h).json()["tasks"][0]["hours_per_week"] == 7
    other_worker.put("/api/v1/employers/V-A", json={"name": "Omdøbt ApS"}, headers=h)
    assert api.client.get("/api/v1/positions/S-A", headers=h).json()["employer"]["name"] == "Omdøbt ApS"
    # A cached answer is still scoped: another jobcentre's consultant gets 404, as before.
    assert api.client.get("/api/v1/positions/S-A", headers=api.as_("b")).status_code == 404


def test_every_proposals_read_is_audited_even_when_the_answer_is_reused(api):
    h = api.as_("a")
    for _ in range(3):
        assert api.client.get("/api/v1/citizens/B-A2/proposals", headers=h).status_code == 200
    with database_session(api.url) as session:
        reads = session.scalar(select(func.count()).select_from(orm.AuditEntry).where(
            orm.AuditEntry.citizen_id == "B-A2", orm.AuditEntry.action == "read"))
    assert reads == 3


# ---- matching outside the write lock ------------------------------------------------------------------


def test_a_position_changed_while_it_was_matched_is_matched_again(api, monkeypatch):
    h = api.as_("a")
    real = matching.compute_match
    titles = []

    def compute_while_someone_edits(session, row, **kwargs):
        titles.append(row.title)
        if len(titles) == 1:  # the case system renames the position during the first match
            other = TestClient(api.client.app)
            assert other.put("/api/v1/positions/S-A", json=position_body("V-A", title="Ny titel"),
                             headers=h).status_code == 200
        return real(session, row, **kwargs)

    monkeypatch.setattr(matching, "compute_match", compute_while_someone_edits)
    answer = api.client.post("/api/v1/positions/S-A/proposals", headers=h)
    assert answer.status_code == 201, answer.text
    assert titles == ["Rengøring og kantine", "Ny titel"]  # the stored run was computed on the new data


def test_matching_a_closed_position_is_still_refused(api):
    h = api.as_("a")
    api.client.put("/api/v1/positions/S-A", json=position_body("V-A", status="closed"), headers=h)
    assert api.client.post("/api/v1/positions/S-A/proposals", headers=h).status_code == 409


# ---- audit group commit -------------------------------------------------------------------------------


def test_concurrent_audit_entries_are_each_committed_once(db_url):
    engine = make_engine(db_url)
    writer, principal = audit_writer(engine), Principal("test", "admin", frozenset())
    failures = []

    def log(k: int) -> None:
        try:
            for i in range(25):
                writer.write(_rows(principal, "read", "GET /x", [f"B-{k}-{i}"], jobcenter=None, detail=None))
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=log, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        with engine.connect() as connection:
            total, distinct = connection.execute(select(
                func.count(), func.count(func.distinct(orm.AuditEntry.citizen_id)))).one()
    finally:
        engine.dispose()
    assert failures == [] and total == distinct == 200
