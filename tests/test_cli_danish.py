"""The CLI speaks Danish all the way down (typer's own help and error texts included) and its tables fit an
80-column terminal without cutting anything off."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from matcher import match
from models.schemas import MatchOptions, MatchRequest
from service.cli import app
from service.cli.demo import _capacity_table, _jobcenter_table, _restriction_table
from service.cli.danish_help import danish_message
from service.cli.console_views import print_ranking
from service.cli.rematch import print_summary
from service.core.rematch import PositionOutcome, RematchSummary
from service.demo.pool_generator import JOBCENTERS, generate_pool
from service.demo.statistics import pool_statistics
from db_support import database_session

ENGLISH = re.compile(r"\b(Usage|Options|Arguments|Commands|Show this message|required|default|Error|Try|Missing|"
                     r"Invalid value|No such|str|int|bool|path|range)\b|<list")
WIDTH = 80


def command_paths(command=None, path=()) -> list[tuple[str, ...]]:
    command = command or typer.main.get_command(app)
    paths = [path]
    for name, sub in getattr(command, "commands", {}).items():
        paths += command_paths(sub, (*path, name))
    return paths


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": str(WIDTH), "TERM": "dumb"},
                              prog_name="fleksmatch")


def test_every_command_is_found() -> None:
    names = {" ".join(p) for p in command_paths()}
    assert {"demo", "serve", "import", "rematch", "db upgrade", "token create", "user create", "audit list"} <= names


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "fleksmatch")
def test_help_is_danish_and_fits_80_columns(path) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Brug: fleksmatch" in result.output and "Vis denne hjælp og afslut." in result.output
    assert "Tilvalg" in result.output
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)
    assert max(len(line) for line in result.output.splitlines()) <= WIDTH


@pytest.mark.parametrize("args, danish", [
    (["user", "create"], "Argumentet 'BRUGERNAVN' mangler."),
    (["user", "create", "anne"], "Tilvalget '--role' mangler."),
    (["findes-ikke"], "Kommandoen 'findes-ikke' findes ikke."),
    (["serve", "--port", "mange"], "Ugyldig værdi for '--port': skal være et helt tal"),
    (["serve", "--workers", "0"], "Ugyldig værdi for '--workers': skal være mindst 1"),
    (["audit", "list", "--hvad"], "Tilvalget --hvad findes ikke."),
    (["db", "upgrade", "ekstra"], "Uventede ekstra argumenter: ekstra"),
])
def test_errors_are_danish(args, danish) -> None:
    result = run(*args)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert danish in text, text
    assert "Prøv 'fleksmatch" in text and "Fejl" in text
    assert not ENGLISH.search(result.output), ENGLISH.search(result.output)


def test_messages_the_table_does_not_know_pass_unchanged() -> None:
    assert danish_message("Borgeren findes ikke.") == "Borgeren findes ikke."
    assert danish_message("Missing option '--x'.") == "Tilvalget '--x' mangler."


# ---- tables at 80 columns -----------------------------------------------------------------------------

def rendered(*renderables) -> str:
    console = Console(file=io.StringIO(), width=WIDTH, record=True, color_system=None)
    for item in renderables:
        console.print(item)
    return console.export_text()


def fits(text: str) -> None:
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= WIDTH, text


@pytest.fixture(scope="module")
def pool():
    # The longest jobcentre names of the country, so the tables are tried at their widest.
    return generate_pool(120, 40, seed=5, jobcenters=JOBCENTERS)


def test_the_demo_tables_fit(pool) -> None:
    stats = pool_statistics(pool.citizens, pool.positions)
    fits(rendered(_jobcenter_table(stats), _capacity_table(stats), _restriction_table(stats)))


def test_the_ranking_and_the_summary_fit(pool) -> None:
    position = pool.positions[0]
    response = match(MatchRequest(position=position, candidates=pool.citizens, options=MatchOptions(limit=3)))
    console = Console(file=io.StringIO(), width=WIDTH, record=True, color_system=None)
    print_ranking(console, position, response)
    summary = RematchSummary(
        jobcenters=("Ringkøbing-Skjern",), citizens_available=12345, citizens_proposed=9876,
        greedy_citizens_proposed=8765, objective=123456.789, greedy_objective=98765.4, lp_bound=123500.1,
        seconds=1234.5, finished_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
        outcomes=tuple(PositionOutcome("Ringkøbing-Skjern", f"S-{n}", "Rengøring", "Bageriet", 30, 20, (), "", "", 10)
                       for n in range(3)))
    print_summary(console, summary)
    text = console.export_text()
    fits(text)
    assert "Samme opgave" in text and "123456,8" in text and "grådig" not in text


def test_the_audit_list_fits(sqlite_url, monkeypatch) -> None:
    from service.core.audit import audit
    from service.core.auth.principal import Principal

    with database_session(sqlite_url) as session:
        who = Principal(actor="token:12 sagssystemet i Ringkøbing-Skjern", role="case_system", jobcenters=frozenset())
        audit(session, who, "read", "GET /api/v1/citizens/B-00003/proposals?limit=100", citizen_id="B-00003",
              jobcenter="Ringkøbing-Skjern")
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    result = run("audit", "list")
    assert result.exit_code == 0, result.output
    fits(result.output)
    assert "dansk tid" in result.output and "Sagssystem" in result.output
