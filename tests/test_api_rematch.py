"""Batch rematch through the API: progress in GET /jobs/{id}, and a process killed mid-run leaves the
previous match runs and proposals current and intact (both database backends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sqlalchemy import select

from models import orm
from service.core.jobs import recover_interrupted_jobs
from db_support import database_session

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent


def _snapshot(url: str) -> dict:
    """Every position's current run and every proposal with its outcome history."""
    with database_session(url) as session:
        current = {run.position_id: run.id for run in session.scalars(
            select(orm.MatchRun).where(orm.MatchRun.current.is_(True)))}
        proposals = {p.id: (p.match_run_id, p.status, p.people, [(e.outcome, e.reason) for e in p.events])
                     for p in session.scalars(select(orm.Proposal))}
        jobs = {j.id: (j.state, j.done, j.total) for j in session.scalars(select(orm.BatchJob))}
        return {"current": current, "proposals": proposals, "jobs": jobs}


def test_rematch_reports_progress_and_replaces_the_current_runs(api):
    before = _snapshot(api.url)
    accepted = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a"))
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    assert accepted.json()["status_url"] == f"/api/v1/jobs/{job_id}"
    api.client.app.state.rematch_runner.wait(job_id, 60)
    job = api.client.get(f"/api/v1/jobs/{job_id}", headers=api.as_("a")).json()
    assert job["state"] == "done", job
    assert job["total"] > 0 and job["done"] == job["total"]
    assert job["summary"]["positions"] == 1 and job["finished_at"]
    after = _snapshot(api.url)
    assert after["current"]["S-A"] != before["current"]["S-A"]      # A's position got a new run
    assert after["current"]["S-B"] == before["current"]["S-B"]      # B was not touched


KILLED_CHILD = textwrap.dedent("""
    import pathlib, sys, time
    url, token, marker = sys.argv[1:4]
    import service.core.rematch as rematch
    from fastapi.testclient import TestClient
    from service.http.app import create_app

    original = rematch.run_rematch

    def paused(factory, jobcenter, *, progress, **kwargs):
        def report(done, total):
            progress(done, total)
            pathlib.Path(marker).write_text(f"{done}/{total}")
            time.sleep(120)  # stays mid-run until the test kills the process
        return original(factory, jobcenter, progress=report, **kwargs)

    app = create_app(url)
    app.state.rematch_runner._rematch = paused
    client = TestClient(app)
    answer = client.post("/api/v1/rematch", json={}, headers={"Authorization": "Bearer " + token})
    print(answer.status_code, answer.json()["job_id"], flush=True)
    time.sleep(120)
""")


def test_killed_rematch_leaves_previous_proposals_current_and_intact(api, tmp_path):
    h = api.as_("a")
    pid = api.ids["a"]["proposal"]
    api.client.patch(f"/api/v1/proposals/{pid}", json={"outcome": "contacted"}, headers=h)
    before = _snapshot(api.url)
    marker = tmp_path / "mid-run"
    script = tmp_path / "child.py"
    script.write_text(KILLED_CHILD)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, str(script), api.url, api.tokens["a"], str(marker)], cwd=REPO, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the rematch process ended before it was killed"
            assert time.monotonic() < deadline, "the rematch never reported progress"
            time.sleep(0.05)
        # Progress is persisted while the job runs.
        mid = _snapshot(api.url)
        (job_id, (state, done, total)), = [(k, v) for k, v in mid["jobs"].items() if k not in before["jobs"]]
        assert state == "running" and 1 <= done < total
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    after = _snapshot(api.url)
    assert after["current"] == before["current"]
    assert after["proposals"] == before["proposals"]
    assert after["proposals"][pid][1] == "contacted"
    # The next server start marks the dead job failed, and a new rematch is accepted and completes.
    assert recover_interrupted_jobs(api.client.app.state.session_factory) == 1
    job = api.client.get(f"/api/v1/jobs/{job_id}", headers=h).json()
    assert job["state"] == "failed" and "tidligere forslag" in job["error"]
    again = api.client.post("/api/v1/rematch", json={}, headers=h)
    assert again.status_code == 202
    api.client.app.state.rematch_runner.wait(again.json()["job_id"], 60)
    assert _snapshot(api.url)["current"]["S-A"] != before["current"]["S-A"]
