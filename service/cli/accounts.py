"""`fleksmatch token create|list|revoke` and `fleksmatch user create|list|disable|set-password`: return exit
codes, print Danish messages."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.orm import utcnow
from service.core.auth.jobcenters import jobcenter_problem
from service.core.auth.tokens import create_api_token, list_tokens, revoke_token, usable
from service.core.auth.users import create_user, disable_user, list_users, set_password

EXIT_REFUSED = 2
DEFAULT_TOKEN_DAYS = 365


@contextmanager
def _database() -> Iterator[Session]:
    upgrade_database()
    engine = make_engine()
    try:
        with session_scope(session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _run(console: Console, work: Callable[[Session], Any]) -> tuple[int, Any]:
    """Run `work` in one transaction; a ValueError (Danish) is printed and refuses everything."""
    try:
        with _database() as session:
            return 0, work(session)
    except ValueError as exc:
        console.print(f"[bold red]Fejl:[/] {exc}")
        return EXIT_REFUSED, None


def _known_jobcenters(session: Session, jobcenters: list[str]) -> None:
    problem = jobcenter_problem(session, jobcenters)
    if problem:
        raise ValueError(problem)


def _day(moment: Any) -> str:
    return moment.strftime("%d-%m-%Y") if moment else "–"


# ---- tokens -----------------------------------------------------------------------------------------------


def create_token_command(console: Console, *, role: str, jobcenters: list[str], name: str = "",
                         expires_days: int = DEFAULT_TOKEN_DAYS) -> int:
    """The token alone goes to stdout (so `TOKEN=$(fleksmatch token create …)` works); messages go to
    `console`, which the CLI points at stderr. `expires_days` 0: the token never expires."""
    if expires_days < 0:
        console.print("[bold red]Fejl:[/] --expires-days skal være 0 (udløber aldrig) eller flere dage")
        return EXIT_REFUSED

    def work(session: Session) -> tuple[Any, str, str]:
        _known_jobcenters(session, jobcenters)
        expires = utcnow() + timedelta(days=expires_days) if expires_days else None
        row, token = create_api_token(session, role=role, jobcenters=jobcenters, name=name, expires_at=expires)
        return row, token, ", ".join(row.jobcenters) if row.jobcenters else "alle jobcentre"

    code, made = _run(console, work)
    if code:
        return code
    row, token, scope = made
    until = f"udløber {_day(row.expires_at)}" if row.expires_at else "udløber aldrig"
    console.print(f"API-nøgle {row.id} oprettet (rolle {role}, {scope}, {until}). Gem den nu; den vises ikke igen:")
    # Plain print: no wrapping or markup may alter the secret.
    print(token)
    return 0


def list_tokens_command(console: Console) -> int:
    def rows(session: Session) -> Iterator[tuple[str, ...]]:
        for row in list_tokens(session):
            status = "tilbagekaldt" if row.revoked else ("gyldig" if usable(row) else "udløbet")
            yield (str(row.id), row.name or "–", row.role, ", ".join(row.jobcenters) or "alle",
                   _day(row.created_at), _day(row.last_used_at), _day(row.expires_at) if row.expires_at
                   else "aldrig", status)

    return _print_listing(console, "API-nøgler",
                          ("Id", "Navn", "Rolle", "Jobcentre", "Oprettet", "Sidst brugt", "Udløber", "Status"), rows)


def _print_listing(console: Console, title: str, columns: tuple[str, ...],
                   rows: Callable[[Session], Iterable[tuple[str, ...]]]) -> int:
    """A table of what `rows` reads; on failure only the error (and its exit code)."""
    def work(session: Session) -> Table:
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(column)
        for row in rows(session):
            table.add_row(*row)
        return table

    code, table = _run(console, work)
    if not code:
        console.print(table)
    return code


def revoke_token_command(console: Console, token_id: int) -> int:
    def work(session: Session) -> None:
        if revoke_token(session, token_id) is None:
            raise ValueError(f"API-nøgle {token_id} findes ikke (se fleksmatch token list)")

    code, _ = _run(console, work)
    if not code:
        console.print(f"API-nøgle {token_id} er tilbagekaldt; den afvises fra næste forespørgsel.")
    return code


# ---- users ------------------------------------------------------------------------------------------------


def _read_password(console: Console) -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Adgangskode: ")
    second = getpass.getpass("Gentag adgangskode: ")
    if first != second:
        console.print("[bold red]Fejl:[/] de to adgangskoder er forskellige")
        return None
    return first


def create_user_command(console: Console, *, username: str, role: str, jobcenters: list[str],
                        full_name: str = "", phone: str = "", email: str = "") -> int:
    password = _read_password(console)
    if password is None:
        return EXIT_REFUSED

    def work(session: Session) -> str:
        _known_jobcenters(session, jobcenters)
        user = create_user(session, username=username, password=password, role=role, jobcenters=jobcenters,
                           full_name=full_name or None, phone=phone or None, email=email or None)
        scope = ", ".join(user.jobcenters) if user.jobcenters else "alle jobcentre"
        shown = f"{user.full_name} ({username})" if user.full_name else f"'{username}'"
        return f"Brugeren {shown} er oprettet (rolle {role}, {scope})."

    code, done = _run(console, work)
    if not code:
        console.print(done)
        if not full_name:
            console.print("Tip: giv et fuldt navn og telefon (--name, --phone), så udplukket viser, hvem "
                          "virksomheden skal ringe til.")
    return code


def list_users_command(console: Console) -> int:
    def rows(session: Session) -> Iterator[tuple[str, ...]]:
        for user in list_users(session):
            yield (user.username, user.role, ", ".join(user.jobcenters) or "alle", _day(user.created_at),
                   "aktiv" if user.active else "deaktiveret")

    return _print_listing(console, "Brugere", ("Brugernavn", "Rolle", "Jobcentre", "Oprettet", "Status"), rows)


def disable_user_command(console: Console, username: str) -> int:
    code, _ = _run(console, lambda session: disable_user(session, username))
    if not code:
        console.print(f"Brugeren '{username}' er deaktiveret og logget ud overalt.")
    return code


def set_password_command(console: Console, username: str) -> int:
    password = _read_password(console)
    if password is None:
        return EXIT_REFUSED
    code, _ = _run(console, lambda session: set_password(session, username, password))
    if not code:
        console.print(f"Brugeren '{username}' har fået en ny adgangskode og er logget ud overalt.")
    return code
