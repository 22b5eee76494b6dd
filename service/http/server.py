"""`fleksmatch serve`: migrate the database and fail abandoned jobs once, start the job runner process, then
run uvicorn with several worker processes; the job runner stops with them.

Each worker builds its own app (engine, caches) with `worker_app` from the Settings object the parent hands
it (pickled into the spawned process), so the parent never edits the environment to pass configuration on
(each process sets prometheus-client's directory variable for itself, see service.core.metrics). Everything the workers must
agree on lives in the database: the caches validate against it on every use, and rematch jobs are rows that
the workers queue and the job runner claims under a lease (service.core.jobs). Rematches never run in a
request worker: a long one starved the worker's health ping and uvicorn killed it mid-job. Without a
configured secret key the parent draws one random key for all its workers, so a login holds on every worker
until the server restarts.
"""

from __future__ import annotations

import os
from functools import partial

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from models.db import make_engine, session_factory, upgrade_database
from models.settings import Settings, load_settings
from service.core.job_runner import JobRunnerProcess
from service.core.jobs import recover_interrupted_jobs
from service.core.metrics import configure_metrics, prepare_metrics_dir
from service.http.observability import configure_logging


def default_workers() -> int:
    """One worker per CPU core this process may run on, at least one."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores)


def run_server(host: str = "127.0.0.1", port: int = 8000, database_url: str | None = None,
               workers: int | None = None, settings: Settings | None = None) -> None:
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError("der skal være mindst én arbejdsproces (--workers)")
    settings = worker_settings(settings or load_settings(), database_url)
    upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        recover_interrupted_jobs(session_factory(engine))
    finally:
        engine.dispose()
    # The workers and the runner count in this directory (each configures itself: see service.core.metrics).
    settings = settings.model_copy(update={"metrics_dir": prepare_metrics_dir(settings.metrics_dir)})
    runner = JobRunnerProcess(settings)
    runner.start()
    try:
        # Our own handlers answer every error and our middleware writes the access log (JSON, request id).
        serve(uvicorn.Config(partial(worker_app, settings), factory=True, host=host, port=port, workers=workers,
                             server_header=False, proxy_headers=False, access_log=False,
                             timeout_worker_healthcheck=settings.worker_healthcheck_seconds))
    finally:
        runner.stop()


def worker_settings(settings: Settings, database_url: str | None = None) -> Settings:
    """What every worker runs with: the given database, and one secret key shared by all of them."""
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    if settings.secret_key is None:
        from service.http.web import random_secret_key

        settings = settings.with_secret_key(random_secret_key())
    return settings


def serve(config: uvicorn.Config) -> None:
    """Run uvicorn on `config`: one process, or a supervisor of `config.workers` spawned processes that
    share the parent's socket (what `uvicorn.run` does, without requiring the app as an import string)."""
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


def worker_app(settings: Settings) -> FastAPI:
    """The app of one worker process, on the database the parent migrated. It only queues rematches: the
    job runner process runs them."""
    configure_metrics(settings.metrics_dir)
    configure_logging()
    from service.http.app import create_app

    return create_app(settings=settings, run_jobs_in_process=False)


__all__ = ["default_workers", "run_server", "serve", "worker_app", "worker_settings"]
