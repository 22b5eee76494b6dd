"""The FastAPI application factory: API routers under /api/v1, problem+json errors, body size limit,
and the consultant web UI under /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from models.db import make_engine, normalise_url, session_factory
from models.settings import Settings, load_settings
from service.core.jobs import RematchRunner
from service.core.pool_cache import PoolCache
from service.http.api import (
    audit, citizens, employers, employments, followups, health, jobs, kpis, match, metrics, positions, proposals,
)
from service.http.api.common import API_PREFIX
from service.http.observability import RequestContext
from service.http.limits import MAX_BODY_BYTES, BodySizeLimit, TextGuard
from service.http.problems import ProblemDetails, install_problem_handlers
from service.http.web import install as install_web_ui

DESCRIPTION = f"""
FleksMatch matcher borgere i fleksjob med virksomheders opgaver: kompetencer og skånehensyn mod
arbejdsopgaver, arbejdsintensitet og opgaveomfang.

**Adgang.** Alle endpoints undtagen `/health` kræver `Authorization: Bearer <nøgle>`. Nøgler oprettes med
`fleksmatch token create --role ROLLE --jobcenter NAVN` og vises kun én gang. Roller: `consultant` (ét
jobcenter), `case_system` (de angivne jobcentre) og `admin` (alle). Et objekt i et jobcenter, nøglen ikke
dækker, besvares med 404, præcis som hvis det ikke fandtes.

**Fejl** er `application/problem+json` (RFC 9457) med dansk `detail`; valideringsfejl (422) har desuden
`errors`: en liste af `{{field, message}}` med feltets sti.

**Størrelse.** Forespørgsler over {MAX_BODY_BYTES // (1024 * 1024)} MB afvises med 413.

**Adgangslog.** Hvert opslag i og hver ændring af en borgers data logges (hvem, borger, endpoint, tidspunkt).
"""

TAGS = [
    {"name": "Borgere", "description": "Borgere i puljen (fra sagssystemet)."},
    {"name": "Virksomheder og stillinger", "description": "Virksomheder, stillinger og deres opgaver."},
    {"name": "Matchning", "description": "Statsløs matchning efter kontrakten."},
    {"name": "Matchforslag", "description": "Udfald pr. person i gemte matchforslag, fortryd, og stillingens forslag."},
    {"name": "Ansættelser", "description": "Ansættelser skabt af udfaldet `hired`: afslutning og betalte timer."},
    {"name": "Opfølgning", "description": "Opfølgninger efter udfald, som liste og som kalender (iCalendar)."},
    {"name": "Genmatchning", "description": "Samlet genmatchning af et jobcenters pulje i baggrunden."},
    {"name": "Nøgletal", "description": "STARs succeskriterier SK1–SK3 pr. måned og overvågning af ligebehandling."},
    {"name": "Adgangslog", "description": "Log over opslag i borgerdata."},
    {"name": "Drift", "description": "Drift og overvågning."},
]


# Worker threads for sync routes and dependencies, per process (Starlette's default is 40). Requests spend
# nearly all their time on CPU under the GIL, so 40 threads only contend for it: under load each request
# then cost a quarter more CPU and latency rose accordingly. Several processes (`--workers`) give
# parallelism; a few threads per process overlap the short database waits.
WORKER_THREADS = 8


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(database_url: str | None = None, *, settings: Settings | None = None,
               run_jobs_in_process: bool = True) -> FastAPI:
    """The app with `settings` (default: from the environment), on `database_url` when given. The schema
    must be migrated already (`fleksmatch db upgrade`; `run_server` does it). With `run_jobs_in_process`
    a rematch runs in a thread of this process (tests, a single process); `fleksmatch serve` turns it off
    and runs rematches in its job runner process instead (service.core.job_runner)."""
    settings = settings or load_settings()
    if database_url is not None:
        settings = settings.model_copy(update={"database_url": database_url})
    app = FastAPI(title="FleksMatch API", version="1.0.0", description=DESCRIPTION, openapi_tags=TAGS,
                  lifespan=_lifespan)
    app.state.settings = settings
    engine = make_engine(settings.database_url, **_pool_options(settings.database_url))
    app.state.engine = engine
    # Requests that may write use this view of the engine: on SQLite their transactions take the write
    # lock when they begin (models.db), so concurrent writers queue instead of failing.
    app.state.write_engine = engine.execution_options(sqlite_begin_immediate=True)
    app.state.session_factory = session_factory(engine)
    app.state.pool_cache = PoolCache()
    app.state.rematch_runner = RematchRunner(app.state.session_factory, in_process=run_jobs_in_process,
                                             lease_seconds=settings.job_lease_seconds)
    install_problem_handlers(app)
    app.add_middleware(TextGuard)  # inside the size limit: it reads only bodies that passed it
    app.add_middleware(BodySizeLimit, max_bytes=MAX_BODY_BYTES)
    for area in (health, match, citizens, employers, positions, proposals, employments, followups, jobs, kpis,
                 audit, metrics):
        app.include_router(area.router, prefix=API_PREFIX)
    _register_problem_schema(app)
    install_web_ui(app, settings)
    app.add_middleware(RequestContext)  # outermost: every answer, errors included, carries the request id
    return app


def _pool_options(database_url: str) -> dict:
    """Somewhat more pooled connections than worker threads (sessions are closed on the event loop, after
    the thread is free), but few enough that several server workers stay well inside PostgreSQL's default
    max_connections (100); in-memory SQLite has no pool."""
    url = normalise_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return {}
    return {"pool_size": 12, "max_overflow": 8, "pool_timeout": 60}


def _register_problem_schema(app: FastAPI) -> None:
    """Error responses reference ProblemDetails by $ref; make sure the component exists."""
    original = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
        # Its nested models (FieldErrorModel) are referenced as components too: hoist them there.
        for name, definition in problem.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault("ProblemDetails", problem)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["create_app"]
