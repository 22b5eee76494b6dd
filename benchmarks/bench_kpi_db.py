"""KPIs from the database: `service.core.kpis.jobcenter_kpis` (load one jobcentre's lifecycle in a few queries,
build every citizen's status history, compute SK1–SK3) for 24 months, on SQLite.

One jobcentre of 20,000 citizens (more than København's fleksjob population) from bench_kpi's generated
history, written as the lifecycle stores it: citizens with `ly_since`, dated status changes, employments and
their paid hours. Only the use case is timed, as the API and the team leader's page call it. Also checks that
the figures from the database equal those computed from the generated history directly.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from benchmarks.bench_kpi import MONTHS, generate
from models import orm
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.kpis import compute_kpis
from models.vocabulary import Role
from service.core.auth.principal import Principal
from service.core.kpis import jobcenter_kpis

CITIZENS = 20_000
JOBCENTER = "København"
STAMP = datetime(2020, 1, 1, tzinfo=timezone.utc)


def _store(url: str, histories, employments) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with session_scope(session_factory(engine)) as session:
            centre = orm.Jobcenter(name=JOBCENTER, municipality=JOBCENTER)
            session.add(centre)
            session.flush()
            session.add(orm.Employer(id="V-1", jobcenter_id=centre.id, name="Arbejdspladsen"))
            session.flush()
            session.add(orm.Position(id="S-1", jobcenter_id=centre.id, employer_id="V-1", title="Fleksjob",
                                     status="filled"))
            session.flush()
            citizens, changes = [], []
            for history in histories:
                first = history.periods[0].start
                created = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
                citizens.append({"id": history.citizen_id, "jobcenter_id": centre.id, "capacity_hours": 10,
                                 "ly_since": first, "status": "available", "created_at": created,
                                 "updated_at": created})
                # The case system's statuses; the days of an employment are in fleksjob by the lifecycle.
                base = [(p.start, p.status) for p in history.periods if p.status != "employed"]
                if history.periods[0].status == "employed":
                    base.insert(0, (first, "available"))
                changes += [{"citizen_id": history.citizen_id, "status": status, "effective": effective,
                             "recorded_at": STAMP} for effective, status in base]
            session.execute(orm.Citizen.__table__.insert(), citizens)
            session.execute(orm.CitizenStatusChange.__table__.insert(), changes)
            session.execute(orm.Employment.__table__.insert(), [
                {"id": e.employment_id, "jobcenter_id": centre.id, "citizen_id": e.citizen_id, "position_id": "S-1",
                 "employer_id": "V-1", "hours_per_week": e.hours_per_week, "start_date": e.start,
                 "end_date": e.end, "contract": "permanent", "created_at": STAMP} for e in employments])
            session.execute(orm.PaidHours.__table__.insert(), [
                {"employment_id": e.employment_id, "month": month, "paid_hours": hours, "recorded_at": STAMP}
                for e in employments for month, hours in e.paid_hours.items()])
    finally:
        engine.dispose()


def main() -> None:
    histories, employments = generate(CITIZENS)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'kpi.sqlite3'}"
        _store(url, histories, employments)
        engine = make_engine(url)
        try:
            with session_scope(session_factory(engine)) as session:
                started, cpu = time.perf_counter(), time.process_time()
                report = jobcenter_kpis(session, Principal("bench", Role.admin, frozenset()), JOBCENTER,
                                        MONTHS[0], MONTHS[-1], endpoint="bench", today=date(2026, 12, 31))
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            engine.dispose()
    direct = compute_kpis(histories, employments, MONTHS)
    same = all(m.as_dict() == direct[m.month].as_dict() for m in report.months)
    print(f"kpi_db citizens={len(histories)} employments={len(employments)} months={len(MONTHS)} "
          f"seconds={seconds:.2f} cpu_seconds={cpu:.2f} same_as_pure={same}", flush=True)


if __name__ == "__main__":
    main()
