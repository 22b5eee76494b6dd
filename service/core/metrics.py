"""Prometheus metrics of every FleksMatch process: requests, matches and rematch jobs.

Under `fleksmatch serve` several uvicorn workers and the job runner each count for themselves;
prometheus-client's multiprocess mode lets them share files in one directory (Settings.metrics_dir) that
GET /api/v1/metrics adds up. prometheus-client takes that directory only from its environment variable, so
`configure_metrics` sets it, in the worker or runner process itself and before any metric exists (this module
imports prometheus-client only when first used): the one place FleksMatch writes the environment. Without it
(tests, a single `create_app`) the metrics live in this process's registry.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_lock = threading.Lock()
_metrics: Metrics | None = None
_multiprocess = False


def prepare_metrics_dir(directory: Path) -> Path:
    """A clean directory for a new server (files of a previous run would be added up again)."""
    directory = directory.resolve()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def configure_metrics(directory: Path) -> None:
    """Count in multiprocess mode, in `directory` (prepared by the server's parent process)."""
    global _multiprocess
    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory.resolve())
    from prometheus_client import values

    with _lock:
        if _metrics is None:
            values.ValueClass = values.MultiProcessValue()
            _multiprocess = True


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self.requests = Counter("fleksmatch_http_requests", "HTTP-forespørgsler", ["method", "route", "status"])
        self.request_seconds = Histogram("fleksmatch_http_request_seconds", "Svartid for HTTP-forespørgsler",
                                         ["method", "route"])
        self.matches = Counter("fleksmatch_matches", "Matchninger af én stilling", ["kind"])
        self.match_seconds = Histogram("fleksmatch_match_seconds", "Tid for én matchning", ["kind"],
                                       buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
        self.match_candidates = Histogram("fleksmatch_match_candidates", "Kandidater i én matchning", ["kind"],
                                          buckets=(10, 100, 500, 1000, 2500, 5000, 10000))
        self.rematch_jobs = Counter("fleksmatch_rematch_jobs", "Afsluttede genmatchninger", ["state"])
        self.rematch_seconds = Histogram("fleksmatch_rematch_seconds", "Varighed af en genmatchning",
                                         buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600))
        self.rematch_running = Gauge("fleksmatch_rematch_running", "Genmatchninger i gang lige nu",
                                     multiprocess_mode="livesum")


def metrics() -> Metrics:
    """This process's metrics, created on first use (after configure_metrics, when that is called)."""
    global _metrics
    with _lock:
        if _metrics is None:
            _metrics = Metrics()
        return _metrics


def exposition() -> tuple[bytes, str]:
    """The metrics of every process of this server in Prometheus' text format, and its content type."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    metrics()
    if not _multiprocess:
        return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def process_ended(pid: int, directory: Path) -> None:
    """Drop a dead process's live gauges from the shared directory (the server's parent calls it)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, str(directory))


def observe(histogram: Any, seconds: float, **labels: str) -> None:
    (histogram.labels(**labels) if labels else histogram).observe(seconds)


__all__ = ["Metrics", "configure_metrics", "exposition", "metrics", "observe", "prepare_metrics_dir",
           "process_ended"]
