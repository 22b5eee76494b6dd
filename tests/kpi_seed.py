"""A small jobcentre with a lifecycle history whose KPIs are known by hand, written straight into the tables the
KPIs read (citizens with ly_since and status changes, employments, paid hours). Relative to `today`, so the
current month always has the figures below.

Horsens (prefix "H"), on the current month:
- on LY: H-L1 (since 20 months), H-L2 (since 8 months), H-L3 (since 5 months and a week: approaching 6 months);
- in fleksjob: H-E1…H-E5, 8 h/week since 14 months (started on the first of the month): H-E1 and H-E2
  progressed (20 h paid in the first months, 30 h lately), H-E3 and H-E4 did not (20 h throughout), H-E5 has
  no paid hours reported for last month;
so SK1 = 5 / 8, SK3 = 2 / 4 with one person missing hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from models import orm
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.months import add_months, first_day, month_of, shift_month
from service.core.auth.users import create_user
from service.http.app import create_app
from web_seed import cheap_password_hashing

CREATED = datetime(2020, 1, 1, tzinfo=timezone.utc)
USERS = {"tina": ("teamleader", ["Horsens"]), "anna": ("consultant", ["Horsens"]), "root": ("admin", [])}
PASSWORD = "et-langt-kodeord-1"


def seed_two_jobcenters(session: Session) -> None:
    """Horsens ("H") and Vejle ("V") as above, and USERS: Horsens' team leader and consultant, and an admin."""
    today = date.today()
    seed_kpi_jobcenter(session, "Horsens", "H", today)
    seed_kpi_jobcenter(session, "Vejle", "V", today)
    for username, (role, jobcenters) in USERS.items():
        create_user(session, username=username, password=PASSWORD, role=role, jobcenters=jobcenters,
                    full_name=username.title())


@contextmanager
def app_on(database: Path, monkeypatch: pytest.MonkeyPatch,
           fill: Callable[[Session], None] = seed_two_jobcenters) -> Iterator[FastAPI]:
    """The real app on a new SQLite file, after `fill` wrote its rows in one transaction."""
    cheap_password_hashing(monkeypatch)
    monkeypatch.setenv("FLEKSMATCH_SECRET_KEY", "test-secret")
    url = f"sqlite:///{database}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            fill(session)
    finally:
        engine.dispose()
    app = create_app(url)
    try:
        yield app
    finally:
        app.state.engine.dispose()


def seed_kpi_jobcenter(session: Session, name: str, prefix: str, today: date) -> None:
    jobcenter = orm.Jobcenter(name=name, municipality=name)
    session.add(jobcenter)
    session.flush()
    employer = orm.Employer(id=f"V-{prefix}", jobcenter_id=jobcenter.id, name=f"Virksomhed {prefix}")
    session.add(employer)
    session.flush()
    position = orm.Position(id=f"S-{prefix}", jobcenter_id=jobcenter.id, employer_id=employer.id,
                            title="Lager og pakning", status="filled")
    session.add(position)
    session.flush()
    for number, months in ((1, 20), (2, 8)):
        _citizen(session, jobcenter, f"{prefix}-L{number}", add_months(today, -months), "available")
    _citizen(session, jobcenter, f"{prefix}-L3", date.fromordinal(add_months(today, -5).toordinal() - 7), "available")
    start = first_day(shift_month(month_of(today), -14))
    for number in range(1, 6):
        citizen_id = f"{prefix}-E{number}"
        _citizen(session, jobcenter, citizen_id, add_months(start, -3), "available")
        employment = orm.Employment(id=f"{prefix}-J{number}", jobcenter_id=jobcenter.id, citizen_id=citizen_id,
                                    position_id=position.id, employer_id=employer.id, hours_per_week=8,
                                    start_date=start, contract="permanent", created_at=CREATED)
        session.add(employment)
        session.flush()
        for back in range(0, 15):
            month = shift_month(month_of(today), -back)
            if number == 5 and back == 1:
                continue
            late = back <= 3
            hours = 30.0 if late and number <= 2 else 20.0
            session.add(orm.PaidHours(employment_id=employment.id, month=month, paid_hours=hours, recorded_at=CREATED))
    session.flush()


def _citizen(session: Session, jobcenter: orm.Jobcenter, citizen_id: str, ly_since: date, status: str) -> None:
    # Recorded the day the spell began: the status history starts at the earlier of the two.
    created = datetime(ly_since.year, ly_since.month, ly_since.day, 12, tzinfo=timezone.utc)
    session.add(orm.Citizen(id=citizen_id, jobcenter_id=jobcenter.id, capacity_hours=10, ly_since=ly_since,
                            status=status, gender="f", birth_year=1970, created_at=created, updated_at=created))
    session.flush()
    session.add(orm.CitizenStatusChange(citizen_id=citizen_id, status=status, effective=ly_since, recorded_at=CREATED))
