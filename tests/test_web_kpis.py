"""The team leader's page (Nøgletal) through TestClient: who may open it, the three KPIs with targets and
national figures drawn as inline SVG, the fairness table, the citizens behind each number (audited), tenant
isolation and Danish errors."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kpi_seed import PASSWORD, app_on
from models import orm
from models.db import make_engine, session_factory, session_scope
from models.months import month_of, shift_month

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TODAY = date.today()
MONTH = month_of(TODAY)


@pytest.fixture
def app(tmp_path, monkeypatch):
    with app_on(tmp_path / "kpi-web.sqlite3", monkeypatch) as app:
        yield app


def login(app, username: str) -> TestClient:
    client = TestClient(app)
    token = CSRF.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD,
                                         "next": "/stillinger"})
    assert answer.status_code == 200, answer.text
    return client


def test_the_team_leader_sees_the_three_kpis_with_targets_and_national_figures(app):
    client = login(app, "tina")
    assert '>Nøgletal</a>' in client.get("/stillinger").text   # the nav link
    page = client.get("/nogletal")
    assert page.status_code == 200, page.text
    text = page.text
    assert "Nøgletal for jobcenter Horsens" in text
    assert text.count('<svg class="kpi-chart"') == 3 and "<script" not in text
    assert "SK1: Andel i fleksjob" in text and "62\u00a0%" in text and "mål 90\u00a0%" in text
    assert "5 af 8 fuldtidspersoner i ordningen er i fleksjob." in text
    assert "2 af 4 personer i fleksjob på højst 10 timer" in text
    assert "1 person kan ikke bedømmes, fordi løntimer mangler." in text
    assert "Hele landet nov 19: 84\u00a0%" in text and "Hele landet nov 19: 24\u00a0%" in text
    assert "ni kommuner i 2019: 55\u00a0%–79\u00a0%" in text
    assert "28 procentpoint fra målet" in text   # SK1 62.5 % against 90 %
    assert "Ingen forløb at måle på i måneden." in text   # SK2: no spell ended lately
    # 24 months by default, newest first in the table.
    assert f'value="{shift_month(MONTH, -23)}"' in text
    # The fairness table: 8 citizens available this period, all women born 1970.
    assert "Ligebehandling" in text and "Kvinde" in text and "50–59 år" in text
    assert "for få til at vurdere" in text


def test_every_figure_opens_the_citizens_behind_it_and_each_is_audited(app):
    client = login(app, "tina")
    sk1 = client.get(f"/nogletal/sk1?month={MONTH}").text
    rows = re.findall(r'/borgere/(H-[A-Z0-9]+)"', sk1)
    assert rows[:1] == ["H-L1"] and set(rows) == {"H-L1", "H-L2", "H-L3"}   # 20 months on LY: longest first
    assert "3 borgere var på ledighedsydelse i måneden." in sk1
    sk2 = client.get(f"/nogletal/sk2?month={MONTH}").text
    assert re.findall(r'/borgere/(H-[A-Z0-9]+)"', sk2) == ["H-L3"] and "1 forløb på ledighedsydelse" in sk2
    sk3 = client.get(f"/nogletal/sk3?month={MONTH}").text
    assert "2 personer i fleksjob" in sk3 and "H-J3" in sk3 and "H-J4" in sk3 and "H-J1" not in sk3
    assert "Mangler løntimer" in sk3 and "H-J5" in sk3 and shift_month(MONTH, -1) in sk3
    assert "20 timer" in sk3
    engine = make_engine(str(app.state.engine.url))
    try:
        with session_scope(session_factory(engine)) as session:
            audited = session.execute(select(orm.AuditEntry.citizen_id, orm.AuditEntry.actor).where(
                orm.AuditEntry.endpoint == "GET /nogletal/{kpi}")).all()
    finally:
        engine.dispose()
    assert {c for c, _ in audited} == {"H-L1", "H-L2", "H-L3", "H-E3", "H-E4", "H-E5"}
    assert {a for _, a in audited} == {"user:tina"}


def test_consultants_may_not_and_team_leaders_see_only_their_jobcentre(app):
    anna = login(app, "anna")
    assert '>Nøgletal</a>' not in anna.get("/stillinger").text
    refused = anna.get("/nogletal")
    assert refused.status_code == 403 and "teamledere og administratorer" in refused.text
    assert anna.get(f"/nogletal/sk1?month={MONTH}").status_code == 403
    tina = login(app, "tina")
    other = tina.get("/nogletal?jobcenter=Vejle")
    assert other.status_code == 403 and "Vejle" in other.text
    assert tina.get(f"/nogletal/sk1?jobcenter=Vejle&month={MONTH}").status_code == 403
    assert "V-L1" not in tina.get(f"/nogletal/sk1?month={MONTH}").text


def test_an_administrator_chooses_the_jobcentre(app):
    root = login(app, "root")
    first = root.get("/nogletal").text
    assert "Nøgletal for jobcenter Horsens" in first and '<option value="Vejle"' in first
    vejle = root.get("/nogletal?jobcenter=Vejle")
    assert vejle.status_code == 200 and "Nøgletal for jobcenter Vejle" in vejle.text
    assert "V-L1" in root.get(f"/nogletal/sk1?jobcenter=Vejle&month={MONTH}").text


def test_bad_input_is_a_danish_page(app):
    tina = login(app, "tina")
    wrong = tina.get("/nogletal?from=2026-13")
    assert wrong.status_code == 422 and "ÅÅÅÅ-MM" in wrong.text
    backwards = tina.get("/nogletal?from=2026-06&to=2026-01")
    assert backwards.status_code == 422 and "ligger efter" in backwards.text
    assert tina.get("/nogletal/sk9").status_code == 404
