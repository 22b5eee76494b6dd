"""The job runner process: runs queued rematches outside the web server's request workers.

`fleksmatch serve` starts one (JobRunnerProcess) beside its uvicorn workers and stops it with them; the
workers only queue jobs (service.core.jobs). A rematch of a few thousand citizens keeps a CPU busy for
minutes: in a request worker it starved that worker's health ping and uvicorn killed it mid-job. Here it
holds a lease that a heartbeat renews; if this process dies, the lease runs out (or, on the same host, the
dead pid is seen at once), the job is failed, and the supervisor starts a new runner.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from typing import Any

from sqlalchemy import update

from models import orm
from models.db import make_engine, session_factory, session_scope
from models.orm import utcnow
from models.settings import Settings
from models.vocabulary import JobState
from service.core.metrics import process_ended
from service.core.jobs import INTERRUPTED, claim_next, execute_job, recover_interrupted_jobs, runner_identity

log = logging.getLogger("fleksmatch.jobs")
POLL_SECONDS = 0.5
RESTART_DELAY_SECONDS = 1.0


def run_job_runner(settings: Settings, *, stop: Any = None, install_signals: bool = True) -> None:
    """The runner's main loop, until SIGTERM/SIGINT (or `stop`, an Event, is set): fail abandoned jobs,
    claim the oldest queued one, run it with its lease. A job still running when told to stop is marked
    interrupted; its previous proposals stay current."""
    stopping = threading.Event()
    if install_signals:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
    from service.core.logs import configure_logging
    from service.core.metrics import configure_metrics

    configure_metrics(settings.metrics_dir)
    configure_logging()
    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    identity = runner_identity()
    log.info("Jobkøreren kører (%s)", identity)

    def told_to_stop() -> bool:
        return stopping.is_set() or (stop is not None and stop.is_set())

    try:
        while not told_to_stop():
            try:
                recover_interrupted_jobs(factory)
                job = claim_next(factory, identity, lease_seconds=settings.job_lease_seconds)
            except Exception:  # the database may be briefly away; try again at the next poll
                log.exception("Jobkøreren kunne ikke hente en kørsel")
                job = None
            if job is None:
                stopping.wait(POLL_SECONDS)
                continue
            worker = threading.Thread(target=_run_quietly, args=(factory, job, identity, settings), daemon=True,
                                      name=f"rematch-{job.id[:8]}")
            worker.start()
            while worker.is_alive() and not told_to_stop():
                worker.join(POLL_SECONDS)
            if worker.is_alive():
                _mark_interrupted(factory, job.id, identity)
                return  # the daemon thread ends with the process; its transaction is rolled back
    finally:
        engine.dispose()


def _run_quietly(factory: Any, job: orm.BatchJob, identity: str, settings: Settings) -> None:
    try:
        execute_job(factory, job, identity, lease_seconds=settings.job_lease_seconds)
    except Exception:  # logged and recorded on the job by execute_job
        pass


def _mark_interrupted(factory: Any, job_id: str, identity: str) -> None:
    with session_scope(factory) as session:
        session.execute(update(orm.BatchJob).where(
            orm.BatchJob.id == job_id, orm.BatchJob.runner == identity, orm.BatchJob.state == JobState.running)
            .values(state=JobState.failed, finished_at=utcnow(), error=INTERRUPTED))


class JobRunnerProcess:
    """Starts the job runner as a spawned process, restarts it if it dies, and stops it on `stop()`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True, name="job-runner-watch")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._spawn()
        self._watcher.start()

    def _spawn(self) -> None:
        self._process = self._context.Process(target=run_job_runner, args=(self._settings,),
                                              name="fleksmatch-jobs", daemon=False)
        self._process.start()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            self._process.join(POLL_SECONDS)
            if self._process.is_alive() or self._stopping.is_set():
                continue
            log.error("Jobkøreren stoppede (kode %s); den startes igen", self._process.exitcode)
            process_ended(self._process.pid, self._settings.metrics_dir)
            if self._stopping.wait(RESTART_DELAY_SECONDS):
                return
            self._spawn()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        if self._watcher.is_alive():
            self._watcher.join(timeout)
        process = self._process
        if process is None or not process.is_alive():
            return
        process.terminate()
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(timeout)


__all__ = ["JobRunnerProcess", "run_job_runner"]
