"""Alembic environment, configured in code by models.db (no alembic.ini).

models.db hands over an open connection in `config.attributes["connection"]` so a whole upgrade runs in
the caller's transaction; without one (e.g. `alembic` run by hand with our config) we connect to the
configured database ourselves.
"""

from alembic import context

from models.db import database_url, make_engine
from models.orm import Base

config = context.config
target_metadata = Base.metadata


def run_on(connection) -> None:
    # Batch mode lets later migrations ALTER tables on SQLite (by copying the table).
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = make_engine()
    try:
        with engine.begin() as own_connection:
            run_on(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
