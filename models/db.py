"""Database connection, sessions and schema migrations.

SQLite (a file under ./var/) is the embedded default; `FLEKSMATCH_DATABASE_URL` (models.settings) selects
PostgreSQL (`postgresql+psycopg://…`). The schema is created and changed only by the Alembic migrations in
models/migrations, which are configured here in code so no alembic.ini is needed. To write a new
migration: `python -c "from alembic import command; from models.db import alembic_config;
command.revision(alembic_config(), autogenerate=True, message='...')"` against an up-to-date database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from models.settings import load_settings

if TYPE_CHECKING:  # Alembic is imported only when migrating: the API and matcher start faster without it.
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# How long a SQLite writer waits for another writer's lock before giving up (seconds).
SQLITE_BUSY_TIMEOUT = 30


def database_url(redact: bool = False) -> str:
    """The configured database URL; with `redact`, any password is masked (for printing)."""
    url = normalise_url(load_settings().database_url)
    return url.render_as_string(hide_password=redact)


def normalise_url(url: str | URL) -> URL:
    """Plain `postgresql://` / `postgres://` URLs get the psycopg 3 driver we install."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: the configured one). SQLite gets foreign keys, WAL and real
    transactions (so migrations and savepoints are atomic); PostgreSQL gets connection health checks."""
    parsed = normalise_url(url if url is not None else database_url())
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **kwargs)


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    file_backed = url.database not in (None, "", ":memory:") and not url.database.startswith("file:")
    if file_backed:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3's legacy mode would autocommit DDL and break SAVEPOINT; we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if file_backed:
            # Readers do not block the writer: the API stays responsive during a batch rematch.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A unit of work that will write may ask for the write lock up front (execution option
        # `sqlite_begin_immediate`): it then waits for other writers instead of failing with "database is
        # locked" when its read snapshot went stale before its first write (concurrent API requests).
        immediate = connection.get_execution_options().get("sqlite_begin_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (the API serialises them afterwards)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: Callable[[], Session]) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back on any error, always close."""
    session = factory()
    try:
        with committing(session):
            yield session
    finally:
        session.close()


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """Commit the session when the block succeeds, roll it back on any error."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code. With `connection`, migrations run on it (inside its
    transaction); without, env.py connects to the configured database."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_database(url: str | URL | None = None, revision: str = "head") -> None:
    """Bring the database schema to `revision` (default the newest), atomically."""
    from alembic import command

    _run_migration(url, lambda config: command.upgrade(config, revision))


def downgrade_database(url: str | URL | None, revision: str) -> None:
    """Take the schema back to `revision` (`base` removes every table). For development and tests."""
    from alembic import command

    _run_migration(url, lambda config: command.downgrade(config, revision))


def _run_migration(url: str | URL | None, run: Callable[[Config], None]) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            run(alembic_config(connection))
    finally:
        engine.dispose()


__all__ = [
    "alembic_config", "committing", "database_url", "downgrade_database", "head_revision", "make_engine",
    "normalise_url", "session_factory", "session_scope", "upgrade_database",
]
