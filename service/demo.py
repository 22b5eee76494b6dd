"""`fleksmatch demo`: a guided run over the bundled demo pool (data/demo/pool.json).

The demo is a sequence of named steps over one shared DemoContext; `run_demo` runs `DEMO_STEPS` in order.
Later stages (ranking examples, batch rematch, report) are added by appending their step functions to
DEMO_STEPS; each step reads what earlier steps left on the context and may add its own results.

Stage 1 (this module): bring the database schema up to date, load the demo pool in one transaction
(idempotent: a second run changes nothing) and print statistics of the pool as stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from models import orm, store
from models.catalogue import load_catalogue
from models.db import database_url, make_engine, session_factory, session_scope, upgrade_database
from matcher import match
from models.schemas import Candidate, MatchOptions, MatchRequest, Position
from service.console_views import print_ranking
from service.rematch_command import rematch_with_progress, report_and_summary
from service.pool_generator import (
    DEMO_POOL_PATH,
    PHYSICAL_RESTRICTIONS,
    PSYCHOLOGICAL_RESTRICTIONS,
    Pool,
    load_demo_pool,
)

# Capacity bands shown in the statistics (hours/week), as the reports group them (002 p. 15).
CAPACITY_BANDS: tuple[tuple[str, int, int], ...] = (
    ("1–3 timer", 1, 3), ("4–7 timer", 4, 7), ("8–10 timer", 8, 10), ("11–15 timer", 11, 15),
    ("over 15 timer", 16, 37),
)
PRELOAD_CHUNK = 500   # ids per IN (...) query: under every backend's bound-parameter limit
REASON_LABELS = {"physical": "Fysiske", "psychological": "Psykiske", "combined": "Kombinerede"}


@dataclass
class LoadSummary:
    """What loading a pool did to the database: rows created and rows changed, per kind."""

    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def wrote_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.changed.values()))


@dataclass
class DemoContext:
    """Shared by the demo steps. `results` is where later steps put what they produce (by step name)."""

    console: Console
    url: str | None = None
    pool_path: Path = DEMO_POOL_PATH
    engine: Engine | None = None
    sessions: sessionmaker[Session] | None = None
    pool: Pool | None = None
    load: LoadSummary | None = None
    statistics: PoolStatistics | None = None
    results: dict[str, Any] = field(default_factory=dict)


DemoStep = Callable[[DemoContext], None]


# ---- loading ----------------------------------------------------------------------------------------------

def load_pool_into_database(session: Session, pool: Pool) -> LoadSummary:
    """Upsert every jobcentre, employer, position and citizen of `pool` (the caller owns the transaction).
    Stored rows that already hold the same data are left untouched, so loading twice changes nothing."""
    summary = LoadSummary()
    jobcenters = {jc["name"]: _jobcenter(session, jc, summary) for jc in pool.jobcenters}
    stamps = _preload(session, orm.Employer, [e.employer.id for e in pool.employers])
    for pooled in pool.employers:
        row = store.upsert_employer(session, pooled.employer, jobcenters[pooled.jobcenter],
                                    postcode=pooled.postcode, location=pooled.location)
        _count(summary, "employers", stamps, row)
    stamps = _preload(session, orm.Position, [p.id for p in pool.positions])
    for position in pool.positions:
        row = store.upsert_position(session, position, jobcenters[position.jobcenter],
                                    postcode=pool.position_postcodes[position.id])
        _count(summary, "positions", stamps, row)
    stamps = _preload(session, orm.Citizen, [c.id for c in pool.citizens])
    for candidate in pool.citizens:
        row, _changed = store.upsert_citizen(session, candidate, postcode=pool.citizen_postcodes[candidate.id])
        _count(summary, "citizens", stamps, row)
    return summary


def _jobcenter(session: Session, jobcenter: dict[str, str], summary: LoadSummary) -> orm.Jobcenter:
    existed = store.get_jobcenter(session, jobcenter["name"]) is not None
    row = store.get_or_create_jobcenter(session, jobcenter["name"], municipality=jobcenter.get("municipality"))
    (summary.unchanged if existed else summary.created)["jobcenters"] += 1
    return row


def _preload(session: Session, model: type[orm.Base], ids: list[str]) -> dict[str, Any]:
    """Load the stored rows among `ids` in a few queries (the upserts then find them in the session) and
    return their updated_at, to tell created, changed and unchanged rows apart afterwards."""
    stamps: dict[str, Any] = {}
    for start in range(0, len(ids), PRELOAD_CHUNK):
        query = select(model).where(model.id.in_(ids[start:start + PRELOAD_CHUNK]))
        stamps.update((row.id, row.updated_at) for row in session.scalars(query).unique())
    return stamps


def _count(summary: LoadSummary, kind: str, stamps: dict[str, Any], row: Any) -> None:
    if row.id not in stamps:
        summary.created[kind] += 1
    elif stamps[row.id] != row.updated_at:
        summary.changed[kind] += 1
    else:
        summary.unchanged[kind] += 1


# ---- statistics -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class JobcenterStatistics:
    name: str
    citizens: int
    available: int
    capacity_available: int      # sum of the available citizens' capacity_hours
    employers: int
    positions: int
    tasks: int
    hours_requested: int


@dataclass(frozen=True)
class PoolStatistics:
    jobcenters: tuple[JobcenterStatistics, ...]
    capacity_bands: tuple[tuple[str, int], ...]      # (label, citizens)
    capacity_estimated: int
    restriction_reasons: Counter[str]                # physical / psychological / combined -> citizens
    restriction_codes: Counter[str]                  # code -> citizens with it
    soft_restrictions: int
    restrictions: int

    @property
    def citizens(self) -> int:
        return sum(jc.citizens for jc in self.jobcenters)


def pool_statistics(candidates: Iterable[Candidate], positions: Iterable[Position]) -> PoolStatistics:
    """Statistics of citizens and open positions, per jobcentre and overall."""
    candidates, positions = list(candidates), list(positions)
    names = sorted({c.jobcenter for c in candidates} | {p.jobcenter for p in positions}, key=str)
    per_jobcenter = []
    for name in names:
        mine = [c for c in candidates if c.jobcenter == name]
        available = [c for c in mine if c.status == "available"]
        open_here = [p for p in positions if p.jobcenter == name]
        per_jobcenter.append(JobcenterStatistics(
            name=name, citizens=len(mine), available=len(available),
            capacity_available=sum(c.capacity_hours for c in available),
            employers=len({p.employer.id for p in open_here}), positions=len(open_here),
            tasks=sum(len(p.tasks) for p in open_here), hours_requested=sum(p.hours_requested for p in open_here)))
    bands = tuple((label, sum(1 for c in candidates if low <= c.capacity_hours <= high))
                  for label, low, high in CAPACITY_BANDS)
    restrictions = [r for c in candidates for r in c.restrictions]
    return PoolStatistics(
        jobcenters=tuple(per_jobcenter), capacity_bands=bands,
        capacity_estimated=sum(1 for c in candidates if c.capacity_basis == "estimated"),
        restriction_reasons=Counter(_restriction_reason(c) for c in candidates if c.restrictions),
        restriction_codes=Counter(r.code for r in restrictions),
        soft_restrictions=sum(1 for r in restrictions if r.severity == "soft"), restrictions=len(restrictions))


def _restriction_reason(candidate: Candidate) -> str:
    """Which kind of skånehensyn a citizen has: only physical, only psychological, or both."""
    codes = {r.code for r in candidate.restrictions}
    if codes <= set(PHYSICAL_RESTRICTIONS):
        return "physical"
    if codes <= set(PSYCHOLOGICAL_RESTRICTIONS):
        return "psychological"
    return "combined"


def stored_pool(session: Session, jobcenters: Iterable[str]) -> tuple[list[Candidate], list[Position]]:
    """Active citizens and open positions of the given jobcentres, as stored."""
    names = list(jobcenters)
    citizens = session.scalars(
        select(orm.Citizen).join(orm.Citizen.jobcenter)
        .where(orm.Citizen.active.is_(True), orm.Jobcenter.name.in_(names)).order_by(orm.Citizen.id)).unique()
    candidates = [store.citizen_to_candidate(c) for c in citizens]
    positions = [p for name in names for p in store.open_positions(session, name)]
    return candidates, positions


# ---- printing ---------------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "–"


def print_load_summary(console: Console, summary: LoadSummary, path: Path) -> None:
    kinds = (("jobcenters", "jobcentre"), ("employers", "virksomheder"), ("positions", "stillinger"),
             ("citizens", "borgere"))
    parts = [f"{summary.created[k] + summary.changed[k] + summary.unchanged[k]} {label}" for k, label in kinds]
    console.print(f"Demo-puljen [bold]{path.name}[/] er indlæst: {', '.join(parts)}.")
    if summary.wrote_anything:
        created = ", ".join(f"{summary.created[k]} {label}" for k, label in kinds if summary.created[k])
        changed = ", ".join(f"{summary.changed[k]} {label}" for k, label in kinds if summary.changed[k])
        console.print(f"  Nye: {created or 'ingen'}. Opdaterede: {changed or 'ingen'}.")
    else:
        console.print("  Databasen indeholdt allerede puljen uændret; intet er skrevet.")


def print_pool_statistics(console: Console, stats: PoolStatistics) -> None:
    console.print(_jobcenter_table(stats))
    console.print(_capacity_table(stats))
    console.print(_restriction_table(stats))


def _jobcenter_table(stats: PoolStatistics) -> Table:
    table = Table(title="Puljen pr. jobcenter", title_justify="left")
    for header in ("Jobcenter", "Borgere", "Tilgængelige", "Timer til rådighed", "Virksomheder", "Stillinger",
                   "Opgaver", "Timer efterspurgt"):
        table.add_column(header, justify="left" if header == "Jobcenter" else "right")
    for jc in stats.jobcenters:
        table.add_row(jc.name, str(jc.citizens), str(jc.available), str(jc.capacity_available), str(jc.employers),
                      str(jc.positions), str(jc.tasks), str(jc.hours_requested))
    columns = ("citizens", "available", "capacity_available", "employers", "positions", "tasks", "hours_requested")
    table.add_row("I alt", *(str(sum(getattr(jc, column) for jc in stats.jobcenters)) for column in columns),
                  style="bold")
    return table


def _capacity_table(stats: PoolStatistics) -> Table:
    table = Table(title="Arbejdsevne (timer pr. uge)", title_justify="left")
    table.add_column("Timer")
    table.add_column("Borgere", justify="right")
    table.add_column("Andel", justify="right")
    for label, count in stats.capacity_bands:
        table.add_row(label, str(count), _share(count, stats.citizens))
    table.caption = f"Estimeret arbejdsevne: {_share(stats.capacity_estimated, stats.citizens)}, resten målt i praktik"
    return table


def _restriction_table(stats: PoolStatistics) -> Table:
    catalogue = load_catalogue()
    table = Table(title="Skånehensyn", title_justify="left")
    table.add_column("Skånehensyn")
    table.add_column("Borgere", justify="right")
    table.add_column("Andel", justify="right")
    for reason, label in REASON_LABELS.items():
        count = stats.restriction_reasons[reason]
        table.add_row(f"{label} skånehensyn", str(count), _share(count, stats.citizens), style="bold")
    for code, count in sorted(stats.restriction_codes.items(), key=lambda item: (-item[1], item[0]))[:10]:
        table.add_row(f"  {catalogue.restrictions[code].label}", str(count), _share(count, stats.citizens))
    table.caption = (f"{stats.restrictions} skånehensyn i alt, heraf "
                     f"{_share(stats.soft_restrictions, stats.restrictions)} mindre centrale (bløde)")
    return table


# ---- the steps --------------------------------------------------------------------------------------------

def step_prepare_database(context: DemoContext) -> None:
    """Bring the schema to the newest migration and open sessions on the database."""
    upgrade_database(context.url)
    context.engine = make_engine(context.url)
    context.sessions = session_factory(context.engine)
    shown = database_url(redact=True) if context.url is None else context.url
    context.console.print(f"Database: {shown}")


def step_load_pool(context: DemoContext) -> None:
    """Load the demo pool in one transaction: all of it or, on any error, nothing."""
    context.pool = load_demo_pool(context.pool_path)
    with context.console.status("Indlæser demo-puljen…"), session_scope(context.sessions) as session:
        context.load = load_pool_into_database(session, context.pool)
    print_load_summary(context.console, context.load, context.pool_path)


def step_print_pool_statistics(context: DemoContext) -> None:
    """Statistics of the demo jobcentres as stored in the database."""
    with session_scope(context.sessions) as session:
        candidates, positions = stored_pool(session, [jc["name"] for jc in context.pool.jobcenters])
    context.statistics = pool_statistics(candidates, positions)
    print_pool_statistics(context.console, context.statistics)


# Positions shown with their ranking: one per jobcentre, the first few, so the demo reads the same every run.
RANKING_EXAMPLES = 3


def step_show_ranking_examples(context: DemoContext) -> None:
    """A few positions with their top candidates and why: what a consultant sees when asking for candidates."""
    with session_scope(context.sessions) as session:
        candidates = store.available_candidates(session)
        positions = store.open_positions(session)
    shown: dict[str, Position] = {}
    for position in positions:
        shown.setdefault(position.jobcenter or "", position)
    context.console.print()
    context.console.print("[bold]Eksempler: de bedste kandidater til en stilling[/]")
    for position in list(shown.values())[:RANKING_EXAMPLES]:
        pool = [c for c in candidates if c.jobcenter == position.jobcenter]
        response = match(MatchRequest(position=position, candidates=pool,
                                      options=MatchOptions(limit=3, proposals=False)))
        print_ranking(context.console, position, response)


def step_rematch(context: DemoContext) -> None:
    """Batch assignment of the whole demo pool, with a progress bar, stored as the current proposals."""
    context.console.print()
    summary = rematch_with_progress(context.console, context.sessions, None, created_by="demo")
    context.results["rematch"] = summary


def step_report(context: DemoContext) -> None:
    """Summary versus the greedy baseline, and the Excel report consultants open."""
    context.results["report"] = report_and_summary(context.console, context.results["rematch"], None)
    context.console.print("Start webgrænsefladen med [bold]make serve[/] og se forslagene pr. stilling.")


DEMO_STEPS: list[DemoStep] = [step_prepare_database, step_load_pool, step_print_pool_statistics,
                              step_show_ranking_examples, step_rematch, step_report]


def run_demo(console: Console, *, url: str | None = None, steps: Iterable[DemoStep] | None = None) -> DemoContext:
    """Run the demo steps in order (default DEMO_STEPS) on the configured database, or on `url`."""
    context = DemoContext(console=console, url=url)
    try:
        for step in DEMO_STEPS if steps is None else steps:
            step(context)
    finally:
        if context.engine is not None:
            context.engine.dispose()
    return context
