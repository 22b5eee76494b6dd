"""Server-side sessions and login throttling of the consultant UI (issue 13, Medium 9 and 10): logout,
deactivation and 30 idle minutes really end a session, copied cookie or not; failed logins are throttled
per username and per client with a Danish 429 and Retry-After, without locking the right user out for long."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from models import orm
from models.db import session_scope
from service.core.auth import throttle
from test_web_pages import CSRF, anna, app, factory, login, template  # noqa: F401 - shared fixtures
from web_seed import PASSWORDS


def _copy_of(client: TestClient, app) -> TestClient:
    thief = TestClient(app)
    thief.cookies.update(client.cookies)
    return thief


def test_logout_ends_the_session_for_a_copied_cookie_too(anna, app) -> None:
    client, token = anna
    thief = _copy_of(client, app)
    assert thief.get("/stillinger", follow_redirects=False).status_code == 200
    client.post("/logout", data={"csrf_token": token})
    assert thief.get("/stillinger", follow_redirects=False).status_code == 303


def test_an_idle_session_ends_after_30_minutes(anna, factory) -> None:
    client, _ = anna
    with session_scope(factory) as session:
        session.execute(update(orm.WebSession).values(
            last_seen_at=orm.utcnow() - timedelta(minutes=29)))
    assert client.get("/stillinger", follow_redirects=False).status_code == 200  # and is kept alive
    with session_scope(factory) as session:
        seen = session.scalar(select(orm.WebSession.last_seen_at))
        assert orm.utcnow() - seen < timedelta(minutes=1)
        session.execute(update(orm.WebSession).values(last_seen_at=orm.utcnow() - timedelta(minutes=31)))
    assert client.get("/stillinger", follow_redirects=False).status_code == 303


def test_deactivating_ends_sessions_server_side(anna, app, factory) -> None:
    """At once, for the user's own cookie and for a copied one."""
    client, _ = anna
    thief = _copy_of(client, app)
    with session_scope(factory) as session:
        session.scalars(select(orm.User).where(orm.User.username == "anna")).one().active = False
    assert client.get("/stillinger", follow_redirects=False).status_code == 303
    assert thief.get("/stillinger", follow_redirects=False).status_code == 303


def _attempt(client: TestClient, username: str, password: str):
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"csrf_token": token, "username": username, "password": password,
                                       "next": "/stillinger"}, follow_redirects=False)


def test_wrong_passwords_are_throttled_per_username(app, factory) -> None:
    client = TestClient(app)
    statuses = [_attempt(client, "anna", "forkert-kodeord").status_code for _ in range(throttle.LIMITS["user"])]
    assert statuses == [401] * throttle.LIMITS["user"]
    refused = _attempt(client, "anna", PASSWORDS["anna"])  # even the right password waits
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= throttle.BASE_DELAY.total_seconds()
    assert "For mange mislykkede forsøg. Vent" in refused.text and "sekunder" in refused.text
    # Another user from the same client is not held up.
    assert _attempt(client, "bo", PASSWORDS["bo"]).status_code == 303
    # Once the wait is over, the right password works and clears the count.
    with session_scope(factory) as session:
        session.execute(update(orm.LoginFailure).values(at=orm.utcnow() - timedelta(seconds=20)))
    assert _attempt(TestClient(app), "anna", PASSWORDS["anna"]).status_code == 303
    with session_scope(factory) as session:
        assert session.scalar(select(orm.LoginFailure.id).where(orm.LoginFailure.scope == "user")) is None


def test_many_usernames_from_one_client_are_throttled(app) -> None:
    client = TestClient(app)
    for n in range(throttle.LIMITS["client"]):
        assert _attempt(client, f"gæt{n}", "forkert-kodeord").status_code == 401
    assert _attempt(client, "anna", PASSWORDS["anna"]).status_code == 429


def test_the_wait_is_short_and_bounded() -> None:
    assert throttle.MAX_DELAY <= timedelta(minutes=2)
