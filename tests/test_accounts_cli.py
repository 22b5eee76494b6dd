"""Token expiry, `token list|revoke`, `user list|disable|set-password`, and accounts refusing an unknown
jobcentre (issue 13, Low)."""

from __future__ import annotations

import io
from datetime import timedelta

from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import select, update

from api_support import bearer
from models import orm
from models.db import make_engine, session_factory, session_scope
from service.cli.accounts import (
    create_token_command, create_user_command, disable_user_command, list_tokens_command, list_users_command,
    revoke_token_command, set_password_command,
)
from service.core.auth.users import authenticate
from service.http.app import create_app
from web_seed import cheap_password_hashing
from db_support import database_session


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200), out


def _sql(url: str, statement) -> None:
    with database_session(url) as session:
        session.execute(statement)


def test_tokens_expire_are_listed_and_revoked(sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    console, out = _console()
    assert create_token_command(console, role="consultant", jobcenters=["Horsens"], name="sag", expires_days=30) == 0
    token = capsys.readouterr().out.strip()
    assert "udløber" in out.getvalue()
    client = TestClient(create_app(sqlite_url))
    assert client.get("/api/v1/citizens/B-1", headers=bearer(token)).status_code == 404  # accepted, no such citizen

    listing, out = _console()
    assert list_tokens_command(listing) == 0
    assert "sag" in out.getvalue() and "gyldig" in out.getvalue()

    _sql(sqlite_url, update(orm.ApiToken).values(expires_at=orm.utcnow() - timedelta(seconds=1)))
    expired = client.get("/api/v1/citizens/B-1", headers=bearer(token))
    assert expired.status_code == 401 and "udløbet" in expired.json()["detail"]
    _sql(sqlite_url, update(orm.ApiToken).values(expires_at=None))
    assert client.get("/api/v1/citizens/B-1", headers=bearer(token)).status_code == 404

    revoke, out = _console()
    assert revoke_token_command(revoke, 1) == 0
    assert client.get("/api/v1/citizens/B-1", headers=bearer(token)).status_code == 401
    listing, out = _console()
    list_tokens_command(listing)
    assert "tilbagekaldt" in out.getvalue()
    missing, out = _console()
    assert revoke_token_command(missing, 99) == 2 and "findes ikke" in out.getvalue()


def test_an_unknown_jobcentre_is_refused_with_a_suggestion(sqlite_url, monkeypatch):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    console, out = _console()
    assert create_token_command(console, role="consultant", jobcenters=["Horsnes"]) == 2
    assert "jobcentret 'Horsnes' findes ikke; mente du 'Horsens'?" in out.getvalue()
    monkeypatch.setattr("sys.stdin", io.StringIO("et-langt-kodeord\n"))
    console, out = _console()
    assert create_user_command(console, username="anna", role="consultant", jobcenters=["Xyzzy"]) == 2
    assert "findes ikke" in out.getvalue()
    with database_session(sqlite_url) as session:
        assert session.scalars(select(orm.User)).all() == [] and session.scalars(select(orm.ApiToken)).all() == []


def test_users_are_listed_disabled_and_given_new_passwords(sqlite_url, monkeypatch):
    cheap_password_hashing(monkeypatch)
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("et-langt-kodeord\n"))
    assert create_user_command(_console()[0], username="anna", role="consultant", jobcenters=["Horsens"]) == 0
    listing, out = _console()
    assert list_users_command(listing) == 0 and "anna" in out.getvalue() and "aktiv" in out.getvalue()

    monkeypatch.setattr("sys.stdin", io.StringIO("et-nyt-kodeord-2\n"))
    assert set_password_command(_console()[0], "anna") == 0
    engine = make_engine(sqlite_url)
    with session_scope(session_factory(engine)) as session:
        assert authenticate(session, "anna", "et-langt-kodeord") is None
        assert authenticate(session, "anna", "et-nyt-kodeord-2") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    weak, out = _console()
    assert set_password_command(weak, "anna") == 2 and "mindst 10 tegn" in out.getvalue()

    assert disable_user_command(_console()[0], "anna") == 0
    with session_scope(session_factory(engine)) as session:
        assert authenticate(session, "anna", "et-nyt-kodeord-2") is None
    engine.dispose()
    listing, out = _console()
    list_users_command(listing)
    assert "deaktiveret" in out.getvalue()
    unknown, out = _console()
    assert disable_user_command(unknown, "ukendt") == 2 and "findes ikke" in out.getvalue()
