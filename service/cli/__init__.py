"""The `fleksmatch` command line (docs/cli.md). Each command delegates to the module that owns the work;
this file only parses arguments and turns failures into Danish messages and exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from service.cli.danish_help import OPTIONS_METAVAR, SUBCOMMAND_METAVAR, install

install()  # typer's own words ("Usage", "Show this message and exit.") in Danish

DANISH = {"options_metavar": OPTIONS_METAVAR, "subcommand_metavar": SUBCOMMAND_METAVAR, "no_args_is_help": True}
app = typer.Typer(help="FleksMatch: matchning af fleksjobbere og virksomheder.", pretty_exceptions_enable=False,
                  add_completion=False, **DANISH)
db_app = typer.Typer(help="Databasen.", **DANISH)
token_app = typer.Typer(help="API-nøgler til sagssystemet og integrationer.", **DANISH)
user_app = typer.Typer(help="Brugere til webgrænsefladen.", **DANISH)
audit_app = typer.Typer(help="Adgangslog over opslag i borgerdata.", **DANISH)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")

console = Console()


def fail(message: str, code: int = 1) -> None:
    console.print(f"[bold red]Fejl:[/] {message}")
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Opdater databasens skema til nyeste version (Alembic)."""
    from models.db import database_url, upgrade_database

    upgrade_database()
    console.print(f"Databasen er opdateret: {database_url(redact=True)}")


@app.command("demo")
def demo_command() -> None:
    """Indlæs demo-puljen, kør en samlet genmatchning og skriv en rapport."""
    from service.cli.demo import run_demo
    from service.cli.rematch import busy_message
    from service.core.jobs import RematchBusy

    try:
        run_demo(console)
    except RematchBusy as busy:
        raise typer.Exit(busy_message(console, busy)) from None


@app.command("serve")
def serve_command(host: str = typer.Option("127.0.0.1", help="Adresse der lyttes på"),
          port: int = typer.Option(8000, help="Port"),
          workers: Optional[int] = typer.Option(None, "--workers", min=1,
                                                help="Antal arbejdsprocesser (standard: antal CPU-kerner)")) -> None:
    """Start web-API og konsulentgrænseflade."""
    from service.http.server import run_server

    run_server(host=host, port=port, workers=workers)


@app.command("import")
def import_pool(path: Path = typer.Argument(..., metavar="FIL", help="Fil: .accdb/.mdb, .xlsx eller .csv"),
                mapping: Optional[Path] = typer.Option(None, "--mapping", help="YAML-fil der omdøber kolonner"),
                jobcenter: Optional[str] = typer.Option(None, "--jobcenter", help="Jobcenter for rækker uden jobcenter"),
                skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Importér gyldige rækker, rapportér resten"),
                sync: bool = typer.Option(False, "--sync", help="Markér borgere der mangler i filen som inaktive")) -> None:
    """Importér en borgerpulje fra Access, Excel eller CSV."""
    from service.importer.command import run_import

    raise typer.Exit(run_import(console, path, mapping=mapping, jobcenter=jobcenter,
                                skip_invalid=skip_invalid, sync=sync))


@app.command("rematch")
def rematch_command(jobcenter: Optional[str] = typer.Option(None, "--jobcenter", help="Kun dette jobcenter"),
            report: Optional[Path] = typer.Option(None, "--report", help="Excel-rapport (.xlsx)")) -> None:
    """Genmatch hele puljen mod alle åbne stillinger og gem forslagene."""
    from service.cli.rematch import run_rematch_command

    raise typer.Exit(run_rematch_command(console, jobcenter=jobcenter, report=report))


@app.command("kpi")
def kpi_command(jobcenter: Optional[str] = typer.Option(None, "--jobcenter", help="Kun dette jobcenter (standard: alle)"),
                from_month: Optional[str] = typer.Option(None, "--from", metavar="ÅÅÅÅ-MM", help="Første måned (standard: 11 måneder før --to)"),
                to_month: Optional[str] = typer.Option(None, "--to", metavar="ÅÅÅÅ-MM", help="Sidste måned (standard: denne)"),
                report: Optional[Path] = typer.Option(None, "--report", help="Excel-rapport (.xlsx)")) -> None:
    """Vis succeskriterierne SK1–SK3 pr. måned (og skriv dem i en Excel-rapport)."""
    from service.cli.kpi import run_kpi_command

    raise typer.Exit(run_kpi_command(console, jobcenter=jobcenter, from_month=from_month, to_month=to_month,
                                     report=report))


@app.command("import-hours")
def import_hours_command(path: Path = typer.Argument(..., metavar="FIL", help="Løntimer fra eIndkomst: .xlsx eller .csv")) -> None:
    """Importér betalte timer pr. måned (eIndkomst løntimer) til ansættelserne: alt eller intet."""
    from service.importer.hours import run_import_hours

    raise typer.Exit(run_import_hours(console, path))


@token_app.command("create")
def token_create(role: str = typer.Option(..., "--role", help="consultant, teamleader, case_system eller admin"),
                 jobcenter: list[str] = typer.Option([], "--jobcenter", help="Jobcenter (kan gentages)"),
                 name: str = typer.Option("", "--name", help="Beskrivelse af nøglen"),
                 expires_days: int = typer.Option(365, "--expires-days", help="Dage til nøglen udløber (0: aldrig)")
                 ) -> None:
    """Opret en API-nøgle. Nøglen vises kun denne ene gang."""
    from service.cli.accounts import create_token_command

    raise typer.Exit(create_token_command(Console(stderr=True), role=role, jobcenters=jobcenter, name=name,
                                          expires_days=expires_days))


@token_app.command("list")
def token_list() -> None:
    """Vis alle API-nøgler (id, rolle, jobcentre, brug, udløb, status)."""
    from service.cli.accounts import list_tokens_command

    raise typer.Exit(list_tokens_command(console))


@token_app.command("revoke")
def token_revoke(token_id: int = typer.Argument(..., help="Nøglens id (se token list)")) -> None:
    """Tilbagekald en API-nøgle; den afvises fra næste forespørgsel."""
    from service.cli.accounts import revoke_token_command

    raise typer.Exit(revoke_token_command(console, token_id))


@user_app.command("create")
def user_create(username: str = typer.Argument(..., metavar="BRUGERNAVN", help="Brugernavnet der logges ind med"),
                role: str = typer.Option(..., "--role", help="consultant, teamleader eller admin"),
                jobcenter: list[str] = typer.Option([], "--jobcenter", help="Jobcenter (kan gentages)"),
                name: str = typer.Option("", "--name", help="Fulde navn, fx \"Anne Hansen\" (vises på siderne)"),
                phone: str = typer.Option("", "--phone", help="Telefon (står på udplukket til virksomheden)"),
                email: str = typer.Option("", "--email", help="E-mail (står på udplukket til virksomheden)")) -> None:
    """Opret en bruger til webgrænsefladen. Adgangskoden spørges om, eller læses fra stdin."""
    from service.cli.accounts import create_user_command

    raise typer.Exit(create_user_command(console, username=username, role=role, jobcenters=jobcenter,
                                         full_name=name, phone=phone, email=email))


@user_app.command("list")
def user_list() -> None:
    """Vis alle brugere og om de er aktive."""
    from service.cli.accounts import list_users_command

    raise typer.Exit(list_users_command(console))


@user_app.command("disable")
def user_disable(username: str = typer.Argument(...)) -> None:
    """Deaktivér en bruger; alle brugerens sessioner ophører straks."""
    from service.cli.accounts import disable_user_command

    raise typer.Exit(disable_user_command(console, username))


@user_app.command("set-password")
def user_set_password(username: str = typer.Argument(...)) -> None:
    """Giv en bruger en ny adgangskode (spørges om, eller læses fra stdin); brugeren logges ud overalt."""
    from service.cli.accounts import set_password_command

    raise typer.Exit(set_password_command(console, username))


@audit_app.command("list")
def audit_list(citizen: Optional[str] = typer.Option(None, "--citizen", help="Kun denne borger"),
               limit: int = typer.Option(100, "--limit", help="Højst så mange opslag")) -> None:
    """Vis de seneste opslag i borgerdata."""
    from service.cli.audit import print_audit_log

    print_audit_log(console, citizen_id=citizen, limit=limit)

