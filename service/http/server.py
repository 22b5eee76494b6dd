"""`fleksmatch serve`: migrate the database and recover interrupted jobs once, then run uvicorn with several
worker processes.

Each worker builds its own app (engine, caches, rematch runner) from the environment with `worker_app`; the
parent hands the database URL over in FLEKSMATCH_DATABASE_URL. Everything the workers must agree on lives in
the database: the caches validate against it on every use, and the one-rematch-per-jobcentre rule is a
unique index (migration 0002). A rematch runs as a thread of the worker that accepted it.
"""

from __future__ import annotations

import logging
import os
import secrets

import uvicorn
from fastapi import FastAPI

from models.db import ENV_VAR, make_engine, session_factory, upgrade_database
from models.db import database_url as configured_database_url
from service.core.jobs import recover_interrupted_jobs

log = logging.getLogger("fleksmatch.server")


def default_workers() -> int:
    """One worker per CPU core this process may run on, at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def run_server(host: str = "127.0.0.1", port: int = 8000, database_url: str | None = None,
               workers: int | None = None) -> None:
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError("der skal være mindst én arbejdsproces (--workers)")
    url = database_url or configured_database_url()
    upgrade_database(url)
    engine = make_engine(url)
    try:
        recover_interrupted_jobs(session_factory(engine))
    finally:
        engine.dispose()
    os.environ[ENV_VAR] = url
    if workers > 1:
        _share_secret_key()
    # Our own handlers answer every error; uvicorn's access log stays on for operations.
    uvicorn.run("service.http.server:worker_app", factory=True, host=host, port=port, workers=workers,
                server_header=False, proxy_headers=False)


def worker_app() -> FastAPI:
    """The app of one worker process, on the database the parent migrated."""
    from service.http.app import create_app

    return create_app()


def _share_secret_key() -> None:
    """Without a configured key each worker would sign web sessions with its own random one, and a login
    would hold only on the worker that made it. One random key for all workers of this server keeps the
    single-process behaviour: logins last until the server restarts."""
    from service.http.web import SECRET_ENV

    if os.environ.get(SECRET_ENV):
        return
    log.warning("%s er ikke sat: sessioner signeres med en tilfældig nøgle og ophører ved genstart.", SECRET_ENV)
    os.environ[SECRET_ENV] = secrets.token_urlsafe(48)


__all__ = ["default_workers", "run_server", "worker_app"]
