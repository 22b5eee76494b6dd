"""Background batch rematch for the API: one thread per job, its own sessions, progress in BatchJob rows.

At most one rematch runs per jobcentre; a second request gets 409. The database decides, since the API may
run as several worker processes: a unique index over the jobcentre of queued and running jobs (migration
0002) refuses a second active job whichever process inserts it. The check before the insert only words the
answer (it names the running job); it runs in a write transaction, so on SQLite it cannot go stale before
the insert. The job then runs as a thread of the process that accepted it. The rematch core
(service.core.rematch.run_rematch) writes every new proposal in one final transaction, so a job that fails or
whose process is killed leaves the previous proposals current.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import orm, store
from models.db import session_scope
from models.orm import utcnow
from models.vocabulary import ACTIVE_JOB_STATES
from service.core.rematch import run_rematch
from service.core.transactions import write_transaction

log = logging.getLogger("fleksmatch.jobs")
# Progress is written at most this often (seconds): enough to follow, too rare to contend for the writer.
PROGRESS_INTERVAL = 0.5


class RematchBusy(RuntimeError):
    """A rematch is already queued or running for the jobcentre; the message is Danish and names it."""


class RematchRunner:
    def __init__(self, factory: sessionmaker[Session], rematch: Callable[..., object] | None = None) -> None:
        self._factory = factory
        self._rematch = rematch or run_rematch
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}

    def start(self, jobcenter: str, *, created_by: str) -> orm.BatchJob:
        busy = f"Der kører allerede en genmatchning for jobcenter {jobcenter}"
        with self._lock:
            session = self._factory()
            try:
                with write_transaction(session):
                    running = session.scalars(select(orm.BatchJob.id).where(
                        orm.BatchJob.jobcenter == jobcenter, orm.BatchJob.state.in_(ACTIVE_JOB_STATES))).first()
                    if running is not None:
                        raise RematchBusy(f"{busy} (kørsel {running}).")
                    job = orm.BatchJob(id=store.new_id(), jobcenter=jobcenter, state="queued", done=0, total=0,
                                       created_at=utcnow(), created_by=created_by[:100])
                    session.add(job)
            except IntegrityError:  # another process inserted its job after our check (PostgreSQL)
                raise RematchBusy(f"{busy}.") from None
            finally:
                session.close()
        thread = threading.Thread(target=self._run, args=(job.id, jobcenter, created_by), daemon=True,
                                  name=f"rematch-{job.id[:8]}")
        self._threads[job.id] = thread
        thread.start()
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job's thread ends (tests and the CLI)."""
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def _set(self, job_id: str, **values: object) -> None:
        with session_scope(self._factory) as session:
            session.execute(update(orm.BatchJob).where(orm.BatchJob.id == job_id).values(**values))

    def _run(self, job_id: str, jobcenter: str, created_by: str) -> None:
        self._set(job_id, state="running", started_at=utcnow())
        last = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if done >= total or now - last >= PROGRESS_INTERVAL:
                last = now
                self._set(job_id, done=done, total=total)

        try:
            summary = self._rematch(self._factory, jobcenter, progress=progress, created_by=created_by[:100],
                                    batch_job_id=job_id)
            as_dict = summary.as_dict() if hasattr(summary, "as_dict") else None
            self._set(job_id, state="done", finished_at=utcnow(), summary=as_dict)
        except Exception:
            log.exception("Genmatchning %s fejlede", job_id)
            self._set(job_id, state="failed", finished_at=utcnow(),
                      error="Genmatchningen fejlede; de tidligere forslag gælder stadig. Fejlen er logget.")
        finally:
            self._threads.pop(job_id, None)


def recover_interrupted_jobs(factory: sessionmaker[Session]) -> int:
    """At server start: jobs left queued or running by a process that died are marked failed, so they
    neither block new rematches nor look alive. Their previous proposals were never touched."""
    with session_scope(factory) as session:
        result = session.execute(update(orm.BatchJob).where(orm.BatchJob.state.in_(ACTIVE_JOB_STATES)).values(
            state="failed", finished_at=utcnow(),
            error="Kørslen blev afbrudt (serveren stoppede); de tidligere forslag gælder stadig."))
        return result.rowcount or 0


__all__ = ["RematchBusy", "RematchRunner", "recover_interrupted_jobs"]
