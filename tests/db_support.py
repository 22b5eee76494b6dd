"""A unit of work on a test database named by its URL, for tests that look at (or seed) what was stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from models.db import make_engine, session_factory, session_scope


@contextmanager
def database_session(url: str) -> Iterator[Session]:
    """One session on an engine of its own (disposed afterwards): committed when the block succeeds."""
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
