"""Rematch jobs outside the request workers (issue 13, High 2): leases, heartbeats and abandoned jobs; one
active rematch per jobcentre across processes and the CLI; and a real `fleksmatch serve` whose job runner
process runs a rematch longer than the workers' health timeout, is killed mid-job, and is replaced."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from rich.console import Console
from sqlalchemy import select

from api_support import bearer
from models import orm
from models.db import make_engine, session_factory, session_scope
from models.orm import utcnow
from service.cli.rematch import EXIT_BUSY, run_rematch_command
from service.core.jobs import RematchBusy, recover_interrupted_jobs, runner_identity, submit_rematch
from db_support import database_session

REPO = Path(__file__).resolve().parent.parent


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _job(url: str, job_id: str) -> orm.BatchJob:
    with database_session(url) as session:
        return session.get(orm.BatchJob, job_id)


def _insert_running(url: str, job_id: str, runner: str, lease_seconds: float, jobcenter: str = "Horsens") -> None:
    engine = make_engine(url)
    now = utcnow()
    try:
        with session_scope(session_factory(engine)) as session:
            session.add(orm.BatchJob(id=job_id, jobcenter=jobcenter, state="running", created_by="test",
                                     created_at=now, started_at=now, runner=runner, heartbeat_at=now,
                                     lease_expires_at=now + timedelta(seconds=lease_seconds)))
    finally:
        engine.dispose()


def test_a_job_whose_runner_died_is_failed_and_a_new_rematch_starts(api):
    host = socket.gethostname()
    _insert_running(api.url, "dead", f"{host}:{_dead_pid()}:x", lease_seconds=600)
    accepted = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a"))
    assert accepted.status_code == 202, accepted.text
    api.client.app.state.rematch_runner.wait(accepted.json()["job_id"], 60)
    dead = api.client.get("/api/v1/jobs/dead", headers=api.as_("a")).json()
    assert dead["state"] == "failed" and "afbrudt" in dead["error"]


def test_a_job_whose_lease_ran_out_is_failed_but_a_live_one_is_left_alone(api):
    _insert_running(api.url, "stale", "other-host:1:x", lease_seconds=-1, jobcenter="Horsens")
    _insert_running(api.url, "live", "other-host:2:y", lease_seconds=600, jobcenter="Vejle")
    # A second server starting on the same database fails only what no live runner holds.
    assert recover_interrupted_jobs(api.client.app.state.session_factory) == 1
    assert _job(api.url, "stale").state == "failed"
    assert _job(api.url, "live").state == "running"
    busy = api.client.post("/api/v1/rematch", json={}, headers=api.as_("b"))
    assert busy.status_code == 409 and "Vejle" in busy.json()["detail"]
    assert api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")).status_code == 202


def test_a_live_runner_keeps_its_job_across_a_server_start(api):
    release = threading.Event()
    runner = api.client.app.state.rematch_runner
    runner._rematch = lambda factory, jobcenter, **kwargs: release.wait(20)
    job_id = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")).json()["job_id"]
    try:
        assert recover_interrupted_jobs(api.client.app.state.session_factory) == 0
        assert _job(api.url, job_id).state == "running"
    finally:
        release.set()
        runner.wait(job_id, 20)
    assert _job(api.url, job_id).state == "done"


def test_the_heartbeat_keeps_a_long_job_alive(api):
    release = threading.Event()
    runner = api.client.app.state.rematch_runner
    runner._lease_seconds = 1.0
    runner._rematch = lambda factory, jobcenter, **kwargs: release.wait(20)
    job_id = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")).json()["job_id"]
    try:
        time.sleep(2.5)  # more than two leases: only the heartbeat keeps it
        assert recover_interrupted_jobs(api.client.app.state.session_factory) == 0
        assert _job(api.url, job_id).lease_expires_at > utcnow()
    finally:
        release.set()
        runner.wait(job_id, 20)
    assert _job(api.url, job_id).state == "done"


def test_the_cli_takes_part_in_the_one_rematch_rule(api, monkeypatch):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", api.url)
    release = threading.Event()
    runner = api.client.app.state.rematch_runner
    runner._rematch = lambda factory, jobcenter, **kwargs: release.wait(20)
    job_id = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")).json()["job_id"]
    out = io.StringIO()
    try:
        code = run_rematch_command(Console(file=out, width=200), jobcenter="Horsens", report=None)
    finally:
        release.set()
        runner.wait(job_id, 20)
    text = out.getvalue()
    assert code == EXIT_BUSY
    assert "Der kører allerede en genmatchning for jobcenter Horsens" in text and job_id in text
    assert "Traceback" not in text
    # A rematch of every jobcentre conflicts with any jobcentre's, and the other way round.
    factory = api.client.app.state.session_factory
    everyone = submit_rematch(factory, None, created_by="test", runner=runner_identity())
    with pytest.raises(RematchBusy, match="alle jobcentre"):
        submit_rematch(factory, "Vejle", created_by="test")
    assert api.client.post("/api/v1/rematch", json={}, headers=api.as_("b")).status_code == 409
    del everyone


# ---- a real server with its job runner process ---------------------------------------------------------

# Long enough for a worker to start on a busy 2-core machine (uvicorn pings it while it imports), shorter
# than the rematch below.
HEALTH_TIMEOUT = 15.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load_pool(url: str) -> str:
    from service.core.auth.tokens import create_api_token
    from service.demo.loader import load_pool_into_database
    from service.demo.pool_generator import generate_pool

    with database_session(url) as session:
        load_pool_into_database(session, generate_pool(800, 200, jobcenters=[("Horsens", "Horsens", 1.0)]))
        return create_api_token(session, role="admin", jobcenters=[], name="drift")[1]


def _wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
def test_serve_runs_rematches_in_its_job_runner_and_survives_a_killed_runner(db_url, tmp_path):
    token = _load_pool(db_url)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "FLEKSMATCH_DATABASE_URL": db_url,
           "FLEKSMATCH_WORKER_HEALTHCHECK_SECONDS": str(HEALTH_TIMEOUT), "FLEKSMATCH_JOB_LEASE_SECONDS": "5",
           "FLEKSMATCH_METRICS_DIR": str(tmp_path / "metrics")}
    code = f"from service.http.server import run_server; run_server(port={port}, workers=2)"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=(tmp_path / "server.log").open("w"))
    base = f"http://127.0.0.1:{port}/api/v1"
    client = httpx.Client(base_url=base, headers=bearer(token), timeout=30)
    try:
        def healthy():
            try:
                return client.get("/health").status_code == 200
            except httpx.HTTPError:
                return False
        _wait_for(healthy, 300, "the server")

        # 1. A rematch longer than the health timeout finishes while the API keeps answering.
        job_id = client.post("/rematch", json={"jobcenter": "Horsens"}).json()["job_id"]
        answers, slowest = [], 0.0
        while True:
            started = time.monotonic()
            health, job = client.get("/health"), client.get(f"/jobs/{job_id}")
            slowest = max(slowest, time.monotonic() - started)
            answers += [health.status_code, job.status_code]
            if job.json()["state"] in ("done", "failed"):
                break
            assert time.monotonic() < started + 300
            time.sleep(0.2)
        finished = job.json()
        assert finished["state"] == "done", finished
        assert set(answers) == {200} and slowest < HEALTH_TIMEOUT, (set(answers), slowest)
        assert finished["done"] == finished["total"] > 0
        assert finished["summary"]["seconds"] > HEALTH_TIMEOUT, finished["summary"]
        runner_pid = int(_job(db_url, job_id).runner.split(":")[1])
        assert runner_pid != server.pid

        # 2. The runner is killed mid-job: the job is failed, a new runner starts, a new rematch runs.
        second = client.post("/rematch", json={"jobcenter": "Horsens"}).json()["job_id"]
        _wait_for(lambda: (client.get(f"/jobs/{second}").json()["done"] or 0) >= 1, 60, "the second job to run")
        os.kill(int(_job(db_url, second).runner.split(":")[1]), signal.SIGKILL)
        failed = _wait_for(lambda: (j := client.get(f"/jobs/{second}").json())["state"] == "failed" and j, 60,
                           "the killed job to be failed")
        assert "afbrudt" in failed["error"] and "tidligere forslag" in failed["error"]
        third = client.post("/rematch", json={"jobcenter": "Horsens"})
        assert third.status_code == 202, third.text
        done = _wait_for(lambda: (j := client.get(f"/jobs/{third.json()['job_id']}").json())["state"] in
                         ("done", "failed") and j, 300, "the third job")
        assert done["state"] == "done", done

        # 3. The metrics add up every process: both workers' requests and the runners' jobs.
        # (The runner counts a job just after marking it done: give it a moment.)
        def counted() -> str | None:
            text = client.get("/metrics").text
            return text if 'fleksmatch_rematch_jobs_total{state="done"} 2.0' in text else None
        text = _wait_for(counted, 30, "the metrics")
        assert 'fleksmatch_http_requests_total{method="GET",route="/api/v1/health",status="200"}' in text
    finally:
        client.close()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-3000:]
