"""`fleksmatch demo`: a guided run over the bundled demo pool (data/demo/pool.json).

The demo is a sequence of named steps over one shared DemoContext; `run_demo` runs `DEMO_STEPS` in order.
Each step reads what earlier steps left on the context and may add its own results: bring the schema up to
date, load the demo pool in one transaction (idempotent: a second run changes nothing), print statistics of
the pool as stored, show ranking examples, rematch with a progress bar, and write the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from matcher import rank
from models import orm, store
from models.catalogue import load_catalogue
from models.danish import and_list, counted
from models.db import database_url, make_engine, session_factory, session_scope, upgrade_database
from models.schemas import MatchOptions, MatchResponse, Position
from service.cli.console_views import print_ranking
from service.cli.rematch import rematch_with_progress, report_and_summary
from service.core import pool
from service.core.auth.users import create_user
from service.cli.kpi import print_current_kpis
from service.demo.fleksjob_history import FleksjobSummary, record_fleksjob_history
from service.demo.history import HistorySummary, record_demo_history
from service.demo.loader import LoadSummary, load_pool_into_database, stored_pool
from service.demo.once import Summary
from service.demo.pool_generator import DEMO_POOL_PATH, Pool, load_demo_pool
from service.demo.statistics import PoolStatistics, pool_statistics

Recorded = TypeVar("Recorded", bound=Summary)
REASON_LABELS = {"physical": "Fysiske", "psychological": "Psykiske", "combined": "Kombinerede"}


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


# ---- printing ---------------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "–"


KINDS = (("jobcenters", "jobcenter", "jobcentre"), ("employers", "virksomhed", "virksomheder"),
         ("positions", "stilling", "stillinger"), ("citizens", "borger", "borgere"))


def print_load_summary(console: Console, summary: LoadSummary, path: Path) -> None:
    parts = [counted(summary.created[k] + summary.changed[k] + summary.unchanged[k], one, many)
             for k, one, many in KINDS]
    console.print(f"Demo-puljen [bold]{path.name}[/] er indlæst: {and_list(parts)}.")
    if summary.wrote_anything:
        created = and_list(counted(summary.created[k], one, many) for k, one, many in KINDS if summary.created[k])
        changed = and_list(counted(summary.changed[k], one, many) for k, one, many in KINDS if summary.changed[k])
        console.print(f"  Nye: {created or 'ingen'}. Opdaterede: {changed or 'ingen'}.")
    else:
        console.print("  Databasen indeholdt allerede puljen uændret; intet er skrevet.")


def print_pool_statistics(console: Console, stats: PoolStatistics) -> None:
    console.print(_jobcenter_table(stats))
    console.print(_capacity_table(stats))
    console.print(_restriction_table(stats))


# Narrow tables (no side borders, one space between columns, two-line headers) fit an 80-column terminal.
NARROW = {"box": box.SIMPLE_HEAD, "show_edge": False, "padding": (0, 1, 0, 0), "title_justify": "left"}


def _jobcenter_table(stats: PoolStatistics) -> Table:
    table = Table(title="Puljen pr. jobcenter", **NARROW)
    for header in ("Jobcenter", "Borgere", "Ledige", "Ledige\ntimer", "Virksom-\nheder", "Stillinger", "Opgaver",
                   "Timer\nsøgt"):
        table.add_column(header, justify="left" if header == "Jobcenter" else "right", no_wrap=True)
    for jc in stats.jobcenters:
        table.add_row(jc.name, str(jc.citizens), str(jc.available), str(jc.capacity_available), str(jc.employers),
                      str(jc.positions), str(jc.tasks), str(jc.hours_requested))
    columns = ("citizens", "available", "capacity_available", "employers", "positions", "tasks", "hours_requested")
    table.add_row("I alt", *(str(sum(getattr(jc, column) for jc in stats.jobcenters)) for column in columns),
                  style="bold")
    return table


def _capacity_table(stats: PoolStatistics) -> Table:
    table = Table(title="Arbejdsevne (timer pr. uge)", caption_justify="left", **NARROW)
    table.add_column("Timer")
    table.add_column("Borgere", justify="right")
    table.add_column("Andel", justify="right")
    for label, count in stats.capacity_bands:
        table.add_row(label, str(count), _share(count, stats.citizens))
    table.caption = f"Estimeret arbejdsevne: {_share(stats.capacity_estimated, stats.citizens)}, resten målt i praktik"
    return table


def _restriction_table(stats: PoolStatistics) -> Table:
    catalogue = load_catalogue()
    table = Table(title="Skånehensyn", caption_justify="left", **NARROW)
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


def step_record_history(context: DemoContext) -> None:
    """Back-dated outcomes on some positions, recorded as consultants record them (service.demo.history)."""
    def described(summary: HistorySummary) -> str:
        parts = [f"{summary.outcomes[k]} {label}" for k, label in HISTORY_LABELS if summary.outcomes.get(k)]
        return f"Demo-forløb registreret på {counted(summary.positions, 'stilling', 'stillinger')}: {and_list(parts)}."

    _record_step(context, "history", record_demo_history, "Registrerer demo-forløb…",
                 "Demo-forløbene (ansættelser, praktikker, afslag) er allerede registreret.", described)


def step_record_fleksjob_history(context: DemoContext) -> None:
    """Two years of fleksjob history beside the pool (service.demo.fleksjob_history), for the KPIs."""
    def described(summary: FleksjobSummary) -> str:
        return (f"To års fleksjobforløb registreret: {counted(summary.citizens, 'borger', 'borgere')} i "
                f"fleksjob eller tidligere i fleksjob, {counted(summary.employments, 'ansættelse', 'ansættelser')} "
                f"og {counted(summary.paid_months, 'måned', 'måneder')} med løntimer.")

    _record_step(context, "fleksjob_history", record_fleksjob_history, "Registrerer to års fleksjobforløb…",
                 "To års fleksjobforløb er allerede registreret.", described)


def _record_step(context: DemoContext, key: str, record: Callable[[Session], Recorded], working: str,
                 already_there: str, described: Callable[[Recorded], str]) -> None:
    """Record one part of the demo's history in its own transaction and say what it recorded, or that a run
    before this one did."""
    with context.console.status(working), session_scope(context.sessions) as session:
        summary = record(session)
    context.results[key] = summary
    context.console.print(f"  {already_there}" if summary.already_there else described(summary))


def step_print_kpis(context: DemoContext) -> None:
    """This month's SK1–SK3 per jobcentre (docs/kpis.md)."""
    context.console.print()
    print_current_kpis(context.console, context.sessions)
    context.console.print("Teamledere ser tallene pr. måned under [bold]Nøgletal[/] i webgrænsefladen "
                          f"(log ind som [bold]{DEMO_TEAMLEADER['username']}[/], adgangskode "
                          f"[bold]{DEMO_TEAMLEADER['password']}[/]) og med [bold]fleksmatch kpi[/].")


HISTORY_LABELS = (("hired", "ansat"), ("hired_then_ended", "ansat og siden stoppet"), ("praktik", "i praktik"),
                  ("contacted", "kontaktet"), ("rejected", "afvist"), ("withdrawn", "trukket tilbage"))


def step_print_pool_statistics(context: DemoContext) -> None:
    """Statistics of the demo jobcentres as stored in the database."""
    with session_scope(context.sessions) as session:
        candidates, positions = stored_pool(session, [jc["name"] for jc in context.pool.jobcenters])
    pooled = {citizen.id for citizen in context.pool.citizens}  # not the fleksjob history's citizens
    candidates = [candidate for candidate in candidates if candidate.id in pooled]
    context.statistics = pool_statistics(candidates, positions)
    print_pool_statistics(context.console, context.statistics)


# Positions shown with their ranking: one per jobcentre, the first few, so the demo reads the same every run.
RANKING_EXAMPLES = 3


def step_show_ranking_examples(context: DemoContext) -> None:
    """A few positions with their top candidates and why: what a consultant sees when asking for candidates
    (the pool and the positions as the recorded outcomes leave them)."""
    context.console.print()
    context.console.print("[bold]Eksempler: de bedste kandidater til en stilling[/]")
    options = MatchOptions(limit=3, proposals=False)
    with session_scope(context.sessions) as session:
        shown: dict[str, Position] = {}
        for position in store.open_positions(session):
            shown.setdefault(position.jobcenter or "", position)
        for position in list(shown.values())[:RANKING_EXAMPLES]:
            match_pool = pool.load_match_pool(session, position.jobcenter)
            left = pool.residual(position, match_pool.state)
            if left is None:
                continue
            ranking, excluded, _ = rank(left, match_pool.index, options, blocks=match_pool.blocks)
            print_ranking(context.console, left, MatchResponse(position_id=left.id, ranking=ranking,
                                                               excluded=excluded))


def step_rematch(context: DemoContext) -> None:
    """Batch assignment of the whole demo pool, with a progress bar, stored as the current proposals."""
    context.console.print()
    summary = rematch_with_progress(context.console, context.sessions, None, created_by="demo")
    context.results["rematch"] = summary


def step_report(context: DemoContext) -> None:
    """Summary versus the same task solved without optimisation, and the Excel report."""
    context.results["report"] = report_and_summary(context.console, context.results["rematch"], None,
                                                   context.sessions)


# A login for trying the web UI on the demo data. The password is printed and documented: demo data only.
DEMO_USER = {"username": "demo", "password": "demo-kodeord", "role": "consultant", "jobcenters": ["Horsens"],
             "full_name": "Dorte Demo", "phone": "+45 70 10 20 30", "email": "dorte.demo@jobcenter.example"}


DEMO_TEAMLEADER = {"username": "teamleder", "password": "demo-kodeord", "role": "teamleader",
                   "jobcenters": ["Horsens"], "full_name": "Tove Teamleder"}


def step_demo_consultant(context: DemoContext) -> None:
    """Create the demo consultant and team leader (once) and say how to log in."""
    with session_scope(context.sessions) as session:
        for account in (DEMO_USER, DEMO_TEAMLEADER):
            exists = session.scalar(select(orm.User).where(orm.User.username == account["username"])) is not None
            if not exists:
                create_user(session, **account)
    user = DEMO_USER
    context.console.print()
    context.console.print(f"Start webgrænsefladen med [bold]make serve[/] og åbn http://127.0.0.1:8000. "
                          f"Log ind som demo-konsulent i jobcenter {user['jobcenters'][0]}: brugernavn "
                          f"[bold]{user['username']}[/], adgangskode [bold]{user['password']}[/] "
                          "(kun til demo-data).")


DEMO_STEPS: list[DemoStep] = [step_prepare_database, step_load_pool, step_record_history, step_print_pool_statistics,
                              step_show_ranking_examples, step_rematch, step_report, step_record_fleksjob_history,
                              step_demo_consultant, step_print_kpis]


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
