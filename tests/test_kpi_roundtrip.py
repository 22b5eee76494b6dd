"""The KPIs from the database equal the KPIs of the history that was stored, on SQLite and PostgreSQL: a
generated lifecycle (benchmarks/bench_kpi.py: LY spells, employments, leaving the scheme, paid hours with
gaps) written as the lifecycle stores it, read back by service.core.kpis in its few queries."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from benchmarks.bench_kpi import MONTHS, generate
from benchmarks.bench_kpi_db import JOBCENTER, _store
from models import orm
from models.db import make_engine, session_factory, session_scope
from models.kpis import compute_kpis
from models.vocabulary import Role
from service.core.auth.principal import Principal
from service.core.kpis import jobcenter_kpis, load_lifecycle


def test_a_stored_history_reads_back_period_for_period_and_figure_for_figure(db_url):
    histories, employments = generate(250, seed=14)
    _store(db_url, histories, employments)
    engine = make_engine(db_url)
    try:
        with session_scope(session_factory(engine)) as session:
            centre_id = session.scalar(select(orm.Jobcenter.id).where(orm.Jobcenter.name == JOBCENTER))
            loaded = load_lifecycle(session, centre_id)
            report = jobcenter_kpis(session, Principal("test", Role.admin, frozenset()), JOBCENTER, MONTHS[0],
                                    MONTHS[-1], endpoint="test", today=date(2026, 12, 31))
    finally:
        engine.dispose()
    assert {h.citizen_id: h.periods for h in loaded.histories} == {h.citizen_id: h.periods for h in histories}
    assert sorted(loaded.employments, key=lambda e: e.employment_id) == sorted(employments,
                                                                                key=lambda e: e.employment_id)
    direct = compute_kpis(histories, employments, MONTHS)
    assert [m.as_dict() for m in report.months] == [direct[month].as_dict() for month in MONTHS]
    assert any(m.sk3.denominator for m in report.months) and any(m.sk2.denominator for m in report.months)

