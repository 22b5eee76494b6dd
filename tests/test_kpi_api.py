"""Contract tests of GET /api/v1/kpis and GET /api/v1/fairness (docs/kpis.md) on SQLite and PostgreSQL:
figures computed from what the lifecycle recorded, the exact fields, defaults, Danish errors naming the
field, tenant isolation and the audit entry of every look at the figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from api_support import citizen_body
from models import orm
from models.db import make_engine, session_factory, session_scope
from models.months import first_day, month_of, shift_month

TODAY = date.today()
HIRE_MONTH = shift_month(month_of(TODAY), -3)
HIRE_DAY = first_day(HIRE_MONTH)
LY_SINCE = first_day(shift_month(HIRE_MONTH, -2))   # a spell of two months, ended by the hire


@pytest.fixture
def hired(api):
    """Horsens: three citizens on LY since LY_SINCE; B-A1 hired from the first day of HIRE_MONTH, 4 h/week,
    with paid hours for two months."""
    for n in range(1, 4):
        ok = api.client.put(f"/api/v1/citizens/B-A{n}", json=citizen_body(ly_since=LY_SINCE.isoformat()),
                            headers=api.as_("a"))
        assert ok.status_code == 200, ok.text
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=api.as_("a")).json()
    single = next(p for p in run["proposals"] if p["kind"] == "single")
    person = single["people"][0]["candidate_id"]
    answer = api.client.patch(f"/api/v1/proposals/{single['proposal_id']}", headers=api.as_("a"), json={
        "outcome": "hired", "candidate_id": person, "hours_per_week": 4, "contract": "permanent",
        "date": HIRE_DAY.isoformat()})
    assert answer.status_code == 200, answer.text
    employment = _citizen(api, person)["employments"][0]["employment_id"]
    for month, hours in ((HIRE_MONTH, 16), (shift_month(HIRE_MONTH, 1), 17.5)):
        ok = api.client.put(f"/api/v1/employments/{employment}/hours/{month}", json={"paid_hours": hours},
                            headers=api.as_("a"))
        assert ok.status_code == 200, ok.text
    return person


def _citizen(api, citizen_id: str) -> dict:
    return api.client.get(f"/api/v1/citizens/{citizen_id}", headers=api.as_("a")).json()


def _kpis(api, who: str = "a", **params):
    return api.client.get("/api/v1/kpis", params=params, headers=api.as_(who))


def test_kpis_of_the_hire_month_from_the_recorded_lifecycle(api, hired):
    answer = _kpis(api, **{"from": shift_month(HIRE_MONTH, -1), "to": HIRE_MONTH})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"jobcenter", "targets", "months"}
    assert body["jobcenter"] == "Horsens" and body["targets"] == {"sk1": 0.9, "sk2": 0.85, "sk3": 0.28}
    before, month = body["months"]
    assert before["month"] == shift_month(HIRE_MONTH, -1) and month["month"] == HIRE_MONTH
    # The month before: all three on LY the whole month, nobody in fleksjob; no spell has ended.
    assert before["sk1"] == {"value": 0.0, "numerator": 0.0, "denominator": 3.0}
    assert before["sk2"] == {"value": None, "numerator": 0.0, "denominator": 0.0}
    # The hire month: one of three full-time persons in fleksjob; one spell ended, after two months.
    assert month["sk1"]["numerator"] == pytest.approx(1.0) and month["sk1"]["denominator"] == pytest.approx(3.0)
    assert month["sk1"]["value"] == pytest.approx(1 / 3)
    assert month["sk2"] == {"value": 1.0, "numerator": 1.0, "denominator": 1.0}
    # Nobody has been 12 months in a small fleksjob yet.
    assert month["sk3"] == {"value": None, "numerator": 0.0, "denominator": 0.0}
    for entry in body["months"]:
        assert set(entry) == {"month", "sk1", "sk2", "sk3"}


def test_the_default_range_is_the_twelve_months_up_to_this_one(api, hired):
    months = [m["month"] for m in _kpis(api).json()["months"]]
    assert len(months) == 12 and months[-1] == month_of(TODAY) and months[0] == shift_month(month_of(TODAY), -11)


def test_an_ended_employment_opens_a_new_spell_and_counts_its_days(api, hired):
    employment = _citizen(api, hired)["employments"][0]["employment_id"]
    end = first_day(shift_month(HIRE_MONTH, 1)) + timedelta(days=14)   # the 15th: half of a 30/31-day month
    ok = api.client.patch(f"/api/v1/employments/{employment}", json={"end_date": end.isoformat()},
                          headers=api.as_("a"))
    assert ok.status_code == 200, ok.text
    month = shift_month(HIRE_MONTH, 1)
    sk1 = _kpis(api, **{"from": month, "to": month}).json()["months"][0]["sk1"]
    days = (first_day(shift_month(month, 1)) - first_day(month)).days
    assert sk1["numerator"] == pytest.approx(15 / days) and sk1["denominator"] == pytest.approx(3.0)


def test_bad_months_are_a_danish_422_naming_the_field(api):
    wrong = _kpis(api, to="2026-13")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"].endswith("to")
    backwards = _kpis(api, **{"from": "2026-05", "to": "2026-01"})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "from"
    assert "ligger efter" in backwards.json()["detail"]
    too_long = _kpis(api, **{"from": "2000-01", "to": "2026-01"})
    assert too_long.status_code == 422 and "højst 120" in too_long.json()["detail"]


def test_tenant_isolation_and_which_jobcentre(api, hired):
    assert _kpis(api, "b").json()["jobcenter"] == "Vejle"
    other = _kpis(api, "b", jobcenter="Horsens")
    assert other.status_code == 403 and "Horsens" in other.json()["detail"]
    assert api.client.get("/api/v1/fairness", params={"jobcenter": "Horsens"}, headers=api.as_("b")).status_code == 403
    # Vejle's figures do not see Horsens's hire.
    month = _kpis(api, "b", **{"from": HIRE_MONTH, "to": HIRE_MONTH}).json()["months"][0]
    assert month["sk1"]["numerator"] == 0.0
    # A case system of both jobcentres and an admin must say which one.
    for who in ("case", "admin"):
        unnamed = _kpis(api, who)
        assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "jobcenter"
    assert _kpis(api, "case", jobcenter="Horsens").status_code == 200
    unknown = _kpis(api, "admin", jobcenter="Atlantis")
    assert unknown.status_code == 404 and "Atlantis" in unknown.json()["detail"]
    assert api.client.get("/api/v1/kpis").status_code == 401


def test_fairness_fields_per_attribute_and_group(api, hired):
    first = (TODAY - timedelta(days=30)).isoformat()
    answer = api.client.get("/api/v1/fairness", params={"from": first, "to": TODAY.isoformat()},
                            headers=api.as_("a"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["jobcenter"] == "Horsens" and body["from"] == first and body["to"] == TODAY.isoformat()
    assert [a["attribute"] for a in body["attributes"]] == ["gender", "age_band"]
    women = next(g for g in body["attributes"][0]["groups"] if g["group"] == "f")
    # All three were available in the period (the hired one was proposed in it: the runs are today's); the
    # hire began before it. Women are the only gender group, so the best one.
    assert women["n"] == 3 and women["proposed_rate"] > 0 and women["hired_rate"] == 0.0
    assert women["proposed_ratio"] == 1.0 and women["proposed_flag"] is False
    assert women["hired_ratio"] is None and "for få til at vurdere" in women["note"]
    assert set(women) >= {"n", "proposed_rate", "hired_rate", "proposed_ratio", "hired_ratio", "proposed_flag",
                          "hired_flag", "note", "proposed_rate_ci"}
    bands = {g["group"] for g in body["attributes"][1]["groups"]}
    assert "age_50_59" in bands   # born 1970


def test_fairness_bad_dates_are_422(api):
    answer = api.client.get("/api/v1/fairness", params={"from": "2026-05-01", "to": "2026-01-01"},
                            headers=api.as_("a"))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "from"
    wrong = api.client.get("/api/v1/fairness", params={"to": "2026-02-30"}, headers=api.as_("a"))
    assert wrong.status_code == 422


def test_every_look_at_the_figures_is_in_the_audit_log(api, hired):
    _kpis(api)
    api.client.get("/api/v1/fairness", headers=api.as_("a"))
    engine = make_engine(api.url)
    try:
        with session_scope(session_factory(engine)) as session:
            rows = session.execute(select(orm.AuditEntry.endpoint, orm.AuditEntry.citizen_id,
                                          orm.AuditEntry.jobcenter).where(
                orm.AuditEntry.endpoint.in_(["GET /api/v1/kpis", "GET /api/v1/fairness"]))).all()
    finally:
        engine.dispose()
    assert sorted(rows) == [("GET /api/v1/fairness", None, "Horsens"), ("GET /api/v1/kpis", None, "Horsens")]


def test_the_bulk_loader_builds_the_same_history_as_the_citizen_endpoint(api, hired):
    """The KPIs read a whole jobcentre in a few queries; each citizen's history must be the one
    GET /citizens/{id} shows, praktik and employment included."""
    from service.core.kpis import load_lifecycle

    employment = _citizen(api, hired)["employments"][0]["employment_id"]
    api.client.patch(f"/api/v1/employments/{employment}", headers=api.as_("a"),
                     json={"end_date": (HIRE_DAY + timedelta(days=40)).isoformat()})
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=api.as_("a")).json()
    single = next(p for p in run["proposals"] if p["kind"] == "single")
    praktik = api.client.patch(f"/api/v1/proposals/{single['proposal_id']}", headers=api.as_("a"), json={
        "outcome": "praktik", "candidate_id": single["people"][0]["candidate_id"],
        "date": (TODAY - timedelta(days=10)).isoformat()})
    assert praktik.status_code == 200, praktik.text
    engine = make_engine(api.url)
    try:
        with session_scope(session_factory(engine)) as session:
            jobcenter = session.scalar(select(orm.Jobcenter.id).where(orm.Jobcenter.name == "Horsens"))
            loaded = {h.citizen_id: h for h in load_lifecycle(session, jobcenter).histories}
    finally:
        engine.dispose()
    assert set(loaded) == {"B-A1", "B-A2", "B-A3"}
    assert any(p.status == "in_praktik" for h in loaded.values() for p in h.periods)
    for citizen_id, history in loaded.items():
        shown = _citizen(api, citizen_id)["status_history"]
        assert [(p.status, p.start.isoformat(), p.end and p.end.isoformat()) for p in history.periods] == \
            [(s["status"], s["from"], s["to"]) for s in shown], citizen_id
