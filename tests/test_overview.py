"""service.core.overview (what Overblik lists) and the calendar URL's secret, on SQLite and PostgreSQL: the
queries behind the consultant's start page, built on data recorded through the API."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from api_support import citizen_body
from models import orm
from models.db import make_engine, session_factory, session_scope
from service.core.auth.calendar_tokens import calendar_user, renew_calendar_token
from service.core.auth.users import create_user
from service.core.overview import overview

TODAY = date.today()


def _overview(api, key: str = "a", today: date = TODAY):
    engine = make_engine(api.url)
    try:
        with session_scope(session_factory(engine)) as session:
            centre = session.scalar(select(orm.Jobcenter.id).where(orm.Jobcenter.name == api.ids[key]["jobcenter"]))
            found = overview(session, [centre], today)
            return found, found.citizen_ids(), [line.position.id for line in found.unhandled], \
                [line.position.id for line in found.stale], [(f.kind, f.due_date) for f in found.overdue]
    finally:
        engine.dispose()


def test_overview_follows_the_lifecycle(api) -> None:
    headers = api.as_("a")
    assert api.client.put("/api/v1/citizens/B-A9", json=citizen_body(ly_months_last_24=20, competences=["lager"]),
                          headers=headers).status_code == 201
    found, ids, unhandled, stale, overdue = _overview(api)
    assert "B-A9" in [c.id for c in found.ly_line] and "B-A1" not in [c.id for c in found.ly_line]
    assert found.counts["ly_line"] == 1
    assert unhandled == ["S-A"] and stale == []        # the seed's run: nobody has handled its proposals
    api.client.put("/api/v1/citizens/B-A1", json=citizen_body(cv_text="Har også arbejdet i kantine"),
                   headers=headers)
    found, ids, unhandled, stale, overdue = _overview(api)
    assert stale == ["S-A"] and unhandled == []        # an edit of one of its citizens made a proposal stale
    assert api.client.post("/api/v1/positions/S-A/proposals", headers=headers).status_code == 201
    found, ids, unhandled, stale, overdue = _overview(api)
    assert unhandled == ["S-A"] and stale == [] and overdue == []
    proposal = api.client.get("/api/v1/positions/S-A/proposals", headers=headers).json()["proposals"][0]
    person = proposal["people"][0]["candidate_id"]
    start = TODAY - timedelta(days=14)
    answer = api.client.patch(f"/api/v1/proposals/{proposal['proposal_id']}", headers=headers, json={
        "outcome": "hired", "candidate_id": person, "hours_per_week": 3, "contract": "permanent",
        "date": start.isoformat()})
    assert answer.status_code == 200, answer.text
    found, ids, unhandled, stale, overdue = _overview(api)
    assert unhandled == [] and [kind for kind, _ in overdue] == ["first_week_call"]
    assert person in ids and "B-A9" in ids
    assert found.due_today == [] and found.upcoming == []
    other, other_ids, *_ = _overview(api, "b")
    assert other.overdue == [] and person not in other_ids   # the other jobcentre sees none of it
    api.client.put("/api/v1/citizens/B-A9", json=citizen_body(ly_months_last_24=20, competences=["lager"],
                                                              status="inactive"), headers=headers)
    assert "B-A9" not in [c.id for c in _overview(api)[0].ly_line]


def test_calendar_secrets_are_stored_hashed_and_renewing_replaces_them(db_url) -> None:
    engine = make_engine(db_url)
    try:
        factory = session_factory(engine)
        with session_scope(factory) as session:
            user = create_user(session, username="cal", password="kalender-kode-1", role="consultant",
                               jobcenters=["Horsens"])
            first = renew_calendar_token(session, user)
            assert user.calendar_token_hash and first not in user.calendar_token_hash
        with session_scope(factory) as session:
            assert calendar_user(session, first).username == "cal"
            user = session.scalar(select(orm.User).where(orm.User.username == "cal"))
            second = renew_calendar_token(session, user)
        with session_scope(factory) as session:
            assert calendar_user(session, first) is None and calendar_user(session, second).username == "cal"
            assert calendar_user(session, "fm_" + "x" * 40) is None and calendar_user(session, "") is None
    finally:
        engine.dispose()
