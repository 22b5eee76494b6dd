"""`fleksmatch token create`, `user create` and `audit list` against a fresh database."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import select

from api_support import bearer, citizen_body
from models import orm
from service.cli.accounts import create_token_command, create_user_command
from service.cli.audit import print_audit_log
from service.core.auth.tokens import hash_token
from service.core.auth.users import authenticate
from service.http.app import create_app
from db_support import database_session


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200), out


def test_token_create_prints_once_stores_only_the_hash_and_works(sqlite_url, monkeypatch, capsys):
    from fastapi.testclient import TestClient

    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    console, _ = _console()
    assert create_token_command(console, role="consultant", jobcenters=["Horsens"], name="sag") == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("fm_") and "\n" not in token, "stdout must carry the token alone"
    with database_session(sqlite_url) as session:
        row = session.scalars(select(orm.ApiToken)).one()
        assert row.token_hash == hash_token(token) and token not in (row.name, row.token_hash)
    client = TestClient(create_app(sqlite_url))
    assert client.put("/api/v1/citizens/B-1", json=citizen_body(), headers=bearer(token)).status_code == 201
    bad, _ = _console()
    assert create_token_command(bad, role="consultant", jobcenters=[], name="") == 2
    assert create_token_command(bad, role="chef", jobcenters=["Horsens"], name="") == 2

    listing, out = _console()
    print_audit_log(listing, citizen_id="B-1", limit=10)
    assert "B-1" in out.getvalue() and "oprettet" in out.getvalue() and "PUT /api/v1/citizens/{id}" in out.getvalue()


def test_user_create_reads_the_password_from_stdin(sqlite_url, monkeypatch):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("et-langt-kodeord\n"))
    console, _ = _console()
    assert create_user_command(console, username="anna", role="consultant", jobcenters=["Horsens"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    failed, out = _console()
    assert create_user_command(failed, username="bo", role="consultant", jobcenters=["Horsens"]) == 2
    assert "mindst 10 tegn" in out.getvalue()
    with database_session(sqlite_url) as session:
        assert authenticate(session, "anna", "et-langt-kodeord").jobcenters == ["Horsens"]
        assert authenticate(session, "anna", "forkert-kodeord") is None
        assert authenticate(session, "ukendt", "et-langt-kodeord") is None
