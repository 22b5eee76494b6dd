"""Every door audits the citizens it shows or changes (issue 13, Medium 8), and a run belongs to the
jobcentre it was made for (Medium 11): a position moved to another jobcentre does not show its old run
there, and the old run's proposals stay the old jobcentre's."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models import orm
from models.db import session_scope
from service.core.auth.users import create_user
from web_seed import cheap_password_hashing

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web(api, monkeypatch):
    cheap_password_hashing(monkeypatch)
    with session_scope(api.client.app.state.session_factory) as session:
        create_user(session, username="anna", password="anna-kodeord-1", role="consultant", jobcenters=["Horsens"])
        create_user(session, username="bo", password="bo-kodeord-22", role="consultant", jobcenters=["Vejle"])
    return api


def login(app, username: str, password: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = CSRF.search(client.get("/login").text).group(1)
    page = client.post("/login", data={"csrf_token": token, "username": username, "password": password,
                                       "next": "/stillinger"})
    assert page.status_code == 200 and page.url.path == "/stillinger", page.text[:300]
    return client, CSRF.search(page.text).group(1)


def _audit(api, **where) -> list[orm.AuditEntry]:
    with session_scope(api.client.app.state.session_factory) as session:
        query = select(orm.AuditEntry).order_by(orm.AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(orm.AuditEntry, key) == value)
        return list(session.scalars(query))


def test_web_pages_and_posts_audit_each_citizen(web):
    client, token = login(web.client.app, "anna", "anna-kodeord-1")
    # A Horsens citizen no task fits: excluded, with restriction-based reasons on the stilling page.
    excluded = {"capacity_hours": 4, "competences": ["rengøring"], "restrictions": [{"code": "no_food_contact"},
                                                                                     {"code": "max_lifting_kg", "value": 1}]}
    assert web.client.put("/api/v1/citizens/B-AX", json=excluded, headers=web.as_("a")).status_code == 201
    assert web.client.post("/api/v1/positions/S-A/proposals", headers=web.as_("a")).status_code == 201
    client.get("/stillinger/S-A")
    reads = {e.citizen_id for e in _audit(web, endpoint="GET /stillinger/S-A", action="read")}
    assert "B-AX" in reads and {"B-A1", "B-A2", "B-A3"} <= reads

    client.get("/borgere")
    listed = _audit(web, endpoint="GET /borgere", action="list")
    assert sorted(e.citizen_id for e in listed) == ["B-A1", "B-A2", "B-A3", "B-AX"]

    run = web.client.post("/api/v1/positions/S-A/proposals", headers=web.as_("a")).json()
    proposal = run["proposals"][0]
    answer = client.post(f"/forslag/{proposal['proposal_id']}/udfald", data={"csrf_token": token, "outcome": "contacted"})
    assert answer.status_code == 200
    changed = _audit(web, endpoint=f"POST /forslag/{proposal['proposal_id']}/udfald", action="update")
    assert sorted(e.citizen_id for e in changed) == sorted(p["candidate_id"] for p in proposal["people"])


def test_a_batch_rematch_audits_each_citizen_it_matched_once(web):
    job = web.client.post("/api/v1/rematch", json={}, headers=web.as_("a")).json()
    web.client.app.state.rematch_runner.wait(job["job_id"], 60)
    rows = _audit(web, endpoint="genmatchning")
    assert sorted(e.citizen_id for e in rows) == ["B-A1", "B-A2", "B-A3"]
    assert {(e.action, e.role, e.jobcenter) for e in rows} == {("match", "system", "Horsens")}
    assert all(e.actor.startswith("token:") and job["job_id"] in e.detail for e in rows)


def test_a_moved_position_does_not_show_its_old_run(web):
    old = web.ids["a"]["proposal"]
    case = web.as_("case")
    assert web.client.put("/api/v1/employers/V-A", json={"name": "Virksomhed A", "jobcenter": "Vejle"},
                          headers=case).status_code == 200
    moved = web.client.get("/api/v1/positions/S-A", headers=case).json()
    body = {"title": moved["title"], "employer_id": "V-A", "jobcenter": "Vejle", "tasks": moved["tasks"],
            "max_people": moved["max_people"]}
    assert web.client.put("/api/v1/positions/S-A", json=body, headers=case).status_code == 200

    # Vejle's consultant sees the position, but not Horsens' citizens from the old run.
    client, _ = login(web.client.app, "bo", "bo-kodeord-22")
    page = client.get("/stillinger/S-A").text
    assert "B-A1" not in page and "Der er ikke kørt en matchning" in page
    assert "B-A1" not in client.get("/stillinger/S-A/udpluk", params={"borger": "B-A1"}).text
    assert web.client.patch(f"/api/v1/proposals/{old}", json={"outcome": "contacted"},
                            headers=web.as_("b")).status_code == 404
    # The new jobcentre matches it afresh; that run is Vejle's.
    fresh = web.client.post("/api/v1/positions/S-A/proposals", headers=web.as_("b"))
    assert fresh.status_code == 201 and "B-A1" not in fresh.text
    assert "B-B1" in client.get("/stillinger/S-A").text
