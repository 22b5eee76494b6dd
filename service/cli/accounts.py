"""`fleksmatch token create` and `fleksmatch user create`: return exit codes, print Danish messages."""

from __future__ import annotations

import getpass
import sys

from rich.console import Console

from models.db import make_engine, session_factory, session_scope, upgrade_database
from service.core.auth.tokens import create_api_token
from service.core.auth.users import create_user


def create_token_command(console: Console, *, role: str, jobcenters: list[str], name: str = "") -> int:
    """The token alone goes to stdout (so `TOKEN=$(fleksmatch token create …)` works); messages go to
    `console`, which the CLI points at stderr."""
    upgrade_database()
    engine = make_engine()
    try:
        with session_scope(session_factory(engine)) as session:
            row, token = create_api_token(session, role=role, jobcenters=jobcenters, name=name)
            scope = ", ".join(row.jobcenters) if row.jobcenters else "alle jobcentre"
    except ValueError as exc:
        console.print(f"[bold red]Fejl:[/] {exc}")
        return 2
    finally:
        engine.dispose()
    console.print(f"API-nøgle oprettet (rolle {role}, {scope}). Gem den nu; den vises ikke igen:")
    # Plain print: no wrapping or markup may alter the secret.
    print(token)
    return 0


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
        return 2
    upgrade_database()
    engine = make_engine()
    try:
        with session_scope(session_factory(engine)) as session:
            user = create_user(session, username=username, password=password, role=role, jobcenters=jobcenters,
                               full_name=full_name, phone=phone, email=email)
            scope = ", ".join(user.jobcenters) if user.jobcenters else "alle jobcentre"
            shown = f"{user.full_name} ({username})" if user.full_name else username
    except ValueError as exc:
        console.print(f"[bold red]Fejl:[/] {exc}")
        return 2
    finally:
        engine.dispose()
    console.print(f"Brugeren {shown} er oprettet (rolle {role}, {scope}).")
    if not full_name:
        console.print("Tip: giv et fuldt navn og telefon (--name, --phone), så udplukket viser, hvem "
                      "virksomheden skal ringe til.")
    return 0
