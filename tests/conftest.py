"""Shared fixtures: fresh databases migrated to head, on SQLite always and on PostgreSQL when
FLEKSMATCH_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test).

- `db_url`       URL of a fresh database at the newest migration; runs as [sqlite] and [postgresql]
                 (the latter is skipped when no PostgreSQL is configured).
- `empty_db_url` the same fresh database before any migration (for tests of the migrations themselves).
- `sqlite_url`   like `db_url`, SQLite only, for tests that need not run on both backends.
- `engine`, `session` built on `db_url`; the session is rolled back and closed after the test.

Nothing touches a database at import time. On PostgreSQL every database is a schema (`fm_<hex>`)
selected through search_path in the URL and dropped afterwards: `empty_db_url` creates one per test;
`db_url` migrates one per test session (per xdist worker) and, before each test, deletes every row and
restarts the id sequences: the same fresh state as a new schema at a fraction of the cost.
SQLite tests get a copy of one migrated file.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from models.db import make_engine, normalise_url, session_factory, upgrade_database
from models.orm import Base
from models.settings import load_settings

PG_ENV = "FLEKSMATCH_TEST_DATABASE_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per test session (per xdist worker); tests get copies of it."""
    path = tmp_path_factory.mktemp("db-template") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")  # closes its connections, so the WAL is checkpointed
    return path


def _fresh_sqlite(tmp_path: Path, template: Path | None) -> str:
    path = tmp_path / f"fleksmatch-{uuid.uuid4().hex[:8]}.sqlite3"
    if template is not None:
        shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@contextmanager
def _postgres_schema() -> Iterator[str]:
    """A URL whose search_path is a new, empty schema; the schema is dropped on exit."""
    base = load_settings().test_database_url
    if not base:
        pytest.skip(f"PostgreSQL-test springes over: {PG_ENV} er ikke sat")
    schema = f"fm_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalise_url(make_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            # A test that leaks an open transaction would block this forever; fail visibly instead.
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_migrated() -> Iterator[tuple[str, Engine]]:
    with _postgres_schema() as url:
        upgrade_database(url)
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    """Delete every row, children first, and restart the id sequences (DELETE on near-empty tables is
    ten times faster than TRUNCATE, which rewrites each table)."""
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        sequences = connection.scalars(text(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()"))
        for sequence in sequences.all():
            connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield _fresh_sqlite(tmp_path, None)
        return
    with _postgres_schema() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return _fresh_sqlite(tmp_path, request.getfixturevalue("_sqlite_template"))
    url, engine = request.getfixturevalue("_postgres_migrated")
    _empty_all_tables(engine)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    return _fresh_sqlite(tmp_path, _sqlite_template)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def api(db_url):
    """The API app on a fresh database seeded with two jobcentres' tokens and data (tests/api_support.py).
    Test files that need another setup define their own `api`, which overrides this one."""
    from api_support import make_api

    api = make_api(db_url)
    api.seed()
    yield api
    api.client.app.state.engine.dispose()
