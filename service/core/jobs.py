"""Batch rematch jobs: submit, claim, run with a lease and heartbeat, and fail jobs whose runner died.

A job is a BatchJob row. Whoever runs it (the job runner process beside `fleksmatch serve`, an app running
jobs in-process for tests and `create_app` users, or `fleksmatch rematch`) writes its identity
("host:pid:nonce") into `runner` and holds a lease (`lease_expires_at`) that a heartbeat thread renews
while the job works. A running job whose lease ran out, or whose runner process on this host no longer
exists, is failed by the next submitter, runner poll or server start: it never blocks its jobcentre for
good, and a live job of another process is never touched.

One active rematch per jobcentre, whatever process or command starts it: submissions are serialised (on
PostgreSQL by a transaction-scoped advisory lock, on SQLite by the write lock) and checked, and the unique
index of migration 0002 refuses a second active job per jobcentre as a last line. A rematch of every
jobcentre (jobcenter None) conflicts with any active job and any job with it. The rematch core
(service.core.rematch.run_rematch) writes every new proposal in one final transaction, so a job that fails
or whose process is killed leaves the previous proposals current.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import orm, store
from models.db import session_scope
from models.orm import utcnow
from models.vocabulary import ACTIVE_JOB_STATES, JobState
from service.core.metrics import metrics
from service.core.rematch import run_rematch
from service.core.transactions import write_transaction

log = logging.getLogger("fleksmatch.jobs")
# Progress is written at most this often (seconds): enough to follow, too rare to contend for the writer.
PROGRESS_INTERVAL = 0.5
DEFAULT_LEASE_SECONDS = 60.0
# Any constant shared by every submitter: the key of the PostgreSQL advisory lock around submissions.
SUBMIT_LOCK_KEY = 0x464D4A4F42  # "FMJOB"
INTERRUPTED = "Kørslen blev afbrudt (jobkøreren stoppede); de tidligere forslag gælder stadig."
FAILED = "Genmatchningen fejlede; de tidligere forslag gælder stadig. Fejlen er logget."

Rematch = Callable[..., Any]


class RematchBusy(RuntimeError):
    """A rematch is already queued or running for the jobcentre; the message is Danish and names it."""


def runner_identity() -> str:
    """This process as a job runner: host and pid (so a dead runner on this host is recognised at once)
    and a nonce (so a reused pid is never taken for the old runner)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def runner_is_dead(runner: str | None) -> bool:
    """True only when the runner ran on this host and its process no longer exists."""
    if not runner:
        return False
    host, _, rest = runner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# ---- submitting --------------------------------------------------------------------------------------


def _busy_message(jobcenter: str | None, running: orm.BatchJob) -> str:
    where = f"jobcenter {jobcenter}" if jobcenter else "alle jobcentre"
    if running.jobcenter != jobcenter:
        where += f" (kørsel {running.id} for {running.jobcenter or 'alle jobcentre'} er i gang)"
        return f"Der kører allerede en genmatchning, der omfatter {where}."
    return f"Der kører allerede en genmatchning for {where} (kørsel {running.id})."


def _serialise_submissions(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SUBMIT_LOCK_KEY})


def submit_rematch(factory: sessionmaker[Session], jobcenter: str | None, *, created_by: str,
                   runner: str | None = None, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> orm.BatchJob:
    """A new job for the jobcentre (None: every jobcentre): queued for the job runner, or, with `runner`,
    already claimed by that runner. Raises RematchBusy (Danish) when a conflicting job is active."""
    busy = f"Der kører allerede en genmatchning for {f'jobcenter {jobcenter}' if jobcenter else 'alle jobcentre'}."
    session = factory()
    try:
        with write_transaction(session):
            _serialise_submissions(session)
            fail_abandoned_jobs(session)
            conflicts = select(orm.BatchJob).where(orm.BatchJob.state.in_(ACTIVE_JOB_STATES))
            if jobcenter is not None:
                conflicts = conflicts.where(or_(orm.BatchJob.jobcenter == jobcenter, orm.BatchJob.jobcenter.is_(None)))
            running = session.scalars(conflicts.order_by(orm.BatchJob.created_at)).first()
            if running is not None:
                raise RematchBusy(_busy_message(jobcenter, running))
            now = utcnow()
            job = orm.BatchJob(id=store.new_id(), jobcenter=jobcenter, state=JobState.queued, done=0, total=0,
                               created_at=now, created_by=created_by[:100])
            if runner is not None:
                _claimed(job, runner, now, lease_seconds)
            session.add(job)
    except IntegrityError:  # the database's own rule (migration 0002) caught what the check did not
        raise RematchBusy(busy) from None
    finally:
        session.close()
    return job


def _claimed(job: orm.BatchJob, runner: str, now: datetime, lease_seconds: float) -> None:
    job.state, job.runner, job.started_at = JobState.running, runner, now
    job.heartbeat_at, job.lease_expires_at = now, now + timedelta(seconds=lease_seconds)


def claim_next(factory: sessionmaker[Session], runner: str, *,
               lease_seconds: float = DEFAULT_LEASE_SECONDS) -> orm.BatchJob | None:
    """The oldest queued job, now claimed by `runner`; None when nothing waits. Two runners may race for
    the same job: the conditional update gives it to exactly one."""
    with session_scope(factory) as session:
        candidate = session.scalars(select(orm.BatchJob.id).where(orm.BatchJob.state == JobState.queued)
                                    .order_by(orm.BatchJob.created_at, orm.BatchJob.id)).first()
        if candidate is None:
            return None
        now = utcnow()
        claimed = session.execute(update(orm.BatchJob).where(
            orm.BatchJob.id == candidate, orm.BatchJob.state == JobState.queued).values(
            state=JobState.running, runner=runner, started_at=now, heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease_seconds)))
        if claimed.rowcount != 1:
            return None
        return session.get(orm.BatchJob, candidate)


# ---- failing what nobody runs any more -----------------------------------------------------------------


def fail_abandoned_jobs(session: Session) -> int:
    """Mark failed every running job whose lease ran out or whose runner process on this host is gone.
    Does not commit. Their previous proposals were never touched."""
    now = utcnow()
    running = session.execute(select(orm.BatchJob.id, orm.BatchJob.runner, orm.BatchJob.lease_expires_at)
                              .where(orm.BatchJob.state == JobState.running)).all()
    abandoned = [row.id for row in running
                 if row.lease_expires_at is None or row.lease_expires_at < now or runner_is_dead(row.runner)]
    if abandoned:
        session.execute(update(orm.BatchJob).where(orm.BatchJob.id.in_(abandoned),
                                                   orm.BatchJob.state == JobState.running)
                        .values(state=JobState.failed, finished_at=now, error=INTERRUPTED))
        log.warning("Genmatchning(er) uden levende jobkører markeret fejlet: %s", ", ".join(abandoned))
    return len(abandoned)


def recover_interrupted_jobs(factory: sessionmaker[Session]) -> int:
    """At server start (and whenever asked): fail the jobs no live runner holds, so they neither block new
    rematches nor look alive. A job another live process runs is left alone. Returns how many failed."""
    with session_scope(factory) as session:
        return fail_abandoned_jobs(session)


# ---- running one job -----------------------------------------------------------------------------------


class _Lease:
    """The runner's hold on one job: progress and a heartbeat thread renew it; once lost (another process
    failed the job), nothing more is written to the job."""

    def __init__(self, factory: sessionmaker[Session], job_id: str, runner: str, lease_seconds: float) -> None:
        self.factory, self.job_id, self.runner, self.lease_seconds = factory, job_id, runner, lease_seconds
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"lease-{job_id[:8]}")

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_seconds / 4):
            try:
                self.write()
            except Exception:  # a missed heartbeat is retried; the lease has room for three
                log.exception("Hjerteslag for kørsel %s kunne ikke skrives", self.job_id)

    def write(self, **values: object) -> bool:
        """Renew the lease (and set `values`) while the job is still ours; False once it is not."""
        if self.lost:
            return False
        now = utcnow()
        with session_scope(self.factory) as session:
            result = session.execute(update(orm.BatchJob).where(
                orm.BatchJob.id == self.job_id, orm.BatchJob.runner == self.runner,
                orm.BatchJob.state == JobState.running).values(
                heartbeat_at=now, lease_expires_at=now + timedelta(seconds=self.lease_seconds), **values))
            if result.rowcount != 1:
                self.lost = True
                log.error("Kørsel %s er ikke længere denne jobkørers; intet mere skrives til den", self.job_id)
        return not self.lost


def execute_job(factory: sessionmaker[Session], job: orm.BatchJob, runner: str, *, rematch: Rematch = run_rematch,
                lease_seconds: float = DEFAULT_LEASE_SECONDS,
                progress: Callable[[int, int], None] | None = None) -> Any:
    """Run a job `runner` has claimed: the rematch with progress and heartbeat, then done or failed.
    Returns the rematch's summary; re-raises what the rematch raised (after marking the job failed)."""
    last, started = 0.0, time.perf_counter()
    counters = metrics()
    counters.rematch_running.inc()
    try:
        summary = _execute(factory, job, runner, rematch, lease_seconds, progress)
    except BaseException:
        counters.rematch_jobs.labels(state=JobState.failed).inc()
        raise
    finally:
        counters.rematch_running.dec()
        counters.rematch_seconds.observe(time.perf_counter() - started)
    counters.rematch_jobs.labels(state=JobState.done).inc()
    with session_scope(factory) as session:
        store.prune_match_runs(session)
    return summary


def _execute(factory: sessionmaker[Session], job: orm.BatchJob, runner: str, rematch: Rematch,
             lease_seconds: float, progress: Callable[[int, int], None] | None) -> Any:
    last = 0.0
    with _Lease(factory, job.id, runner, lease_seconds) as lease:

        def report(done: int, total: int) -> None:
            nonlocal last
            if progress is not None:
                progress(done, total)
            now = time.monotonic()
            if done >= total or now - last >= PROGRESS_INTERVAL:
                last = now
                lease.write(done=done, total=total)

        try:
            summary = rematch(factory, job.jobcenter, progress=report, created_by=job.created_by[:100],
                              batch_job_id=job.id)
        except BaseException as exc:
            if isinstance(exc, Exception):
                log.exception("Genmatchning %s fejlede", job.id)
            lease.write(state=JobState.failed, finished_at=utcnow(),
                        error=FAILED if isinstance(exc, Exception) else INTERRUPTED)
            raise
        as_dict = summary.as_dict() if hasattr(summary, "as_dict") else None
        lease.write(state=JobState.done, finished_at=utcnow(), summary=as_dict)
    return summary


# ---- in-process runner (tests, create_app without a job runner process) ---------------------------------


class RematchRunner:
    """What the API's POST /rematch calls. `in_process` (the default): the job runs in a thread of this
    process, claimed by it at submission. Otherwise the job is only queued, for the job runner process
    that `fleksmatch serve` starts beside its workers (service.core.job_runner)."""

    def __init__(self, factory: sessionmaker[Session], rematch: Rematch | None = None, *, in_process: bool = True,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self._factory = factory
        self._rematch = rematch or run_rematch
        self._in_process = in_process
        self._lease_seconds = lease_seconds
        self._identity = runner_identity()
        self._threads: dict[str, threading.Thread] = {}

    def start(self, jobcenter: str | None, *, created_by: str) -> orm.BatchJob:
        runner = self._identity if self._in_process else None
        job = submit_rematch(self._factory, jobcenter, created_by=created_by, runner=runner,
                             lease_seconds=self._lease_seconds)
        if runner is not None:
            thread = threading.Thread(target=self._run, args=(job,), daemon=True, name=f"rematch-{job.id[:8]}")
            self._threads[job.id] = thread
            thread.start()
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job's thread ends (tests)."""
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)

    def _run(self, job: orm.BatchJob) -> None:
        try:
            execute_job(self._factory, job, self._identity, rematch=self._rematch, lease_seconds=self._lease_seconds)
        except Exception:  # already logged and recorded on the job
            pass
        finally:
            self._threads.pop(job.id, None)


__all__ = ["DEFAULT_LEASE_SECONDS", "INTERRUPTED", "RematchBusy", "RematchRunner", "claim_next", "execute_job",
           "fail_abandoned_jobs", "recover_interrupted_jobs", "runner_identity", "runner_is_dead", "submit_rematch"]
