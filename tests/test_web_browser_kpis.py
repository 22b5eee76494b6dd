"""The team leader's page (Nøgletal) in a real browser: Debian's Chromium, headless, through Playwright, against
the real app under uvicorn (tests/live_server.py) on a seeded SQLite file. Screenshots land in
test-artifacts/screenshots/ (kpi-*.png). Nothing is downloaded: the browser is /usr/bin/chromium."""

from __future__ import annotations

import re

import pytest

from kpi_seed import PASSWORD, app_on
from live_server import live_server
from test_web_browser import CHROMIUM, browser, log_in, page_for, shot  # noqa: F401 - shared fixtures

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browsertest springes over: {CHROMIUM} findes ikke "
                                                      "(installér Debian-pakken chromium)"),
]


def fetched_elsewhere(page, base_url: str) -> list[str]:
    """The requests the page makes to anywhere but the app (filled in as the page loads)."""
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    return outside


def test_team_leader_reads_the_kpis_and_opens_the_citizens_behind_them(tmp_path, monkeypatch, page_for):
    with app_on(tmp_path / "kpi-browser.sqlite3", monkeypatch) as app, live_server(app) as base_url:
        page = page_for(base_url)
        blocked = fetched_elsewhere(page, base_url)
        log_in(page, "tina", PASSWORD)

        page.get_by_role("link", name="Nøgletal").click()
        page.wait_for_url(re.compile(r"/nogletal$"))
        assert page.get_by_role("heading", name="Nøgletal for jobcenter Horsens").is_visible()
        charts = page.locator("svg.kpi-chart")
        assert charts.count() == 3
        for index in range(3):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100
        assert page.get_by_role("img", name="SK1: Andel i fleksjob").is_visible()
        assert page.get_by_role("heading", name="Ligebehandling").is_visible()
        assert not blocked, f"hentede noget udefra: {blocked}"
        shot(page, "kpi-01-nogletal")

        page.get_by_role("link", name=re.compile(r"^Borgere på ledighedsydelse, længst først")).click()
        page.wait_for_url(re.compile(r"/nogletal/sk1\?month="))
        rows = page.locator("tbody tr")
        assert rows.count() == 3 and rows.first.locator("a").inner_text() == "H-L1"
        shot(page, "kpi-02-sk1-borgere")

        page.get_by_role("link", name="Tilbage til nøgletal").click()
        page.get_by_role("link", name=re.compile(r"^Ansættelser hvor timerne ikke er steget")).click()
        assert page.get_by_role("heading", name="Mangler løntimer").is_visible()
        shot(page, "kpi-03-sk3-ansaettelser")


def demo_history(session) -> None:
    """Two years of the demo's fleksjob history beside a small generated pool of Horsens, and its team leader."""
    from service.core.auth.users import create_user
    from service.demo.fleksjob_history import record_fleksjob_history
    from service.demo.loader import load_pool_into_database
    from service.demo.pool_generator import JOBCENTERS, generate_pool

    load_pool_into_database(session, generate_pool(120, 30, seed=5, jobcenters=JOBCENTERS[:1]))
    record_fleksjob_history(session)
    create_user(session, username="tina", password=PASSWORD, role="teamleader", jobcenters=["Horsens"],
                full_name="Tina Teamleder")


def test_the_demo_history_as_a_team_leader_sees_it(tmp_path, monkeypatch, page_for):
    """The charts have a history to show (the screenshot kpi-04-demo-historik.png), and nothing is fetched from
    elsewhere."""
    with app_on(tmp_path / "kpi-demo.sqlite3", monkeypatch, demo_history) as app, live_server(app) as base_url:
        page = page_for(base_url)
        outside = fetched_elsewhere(page, base_url)
        log_in(page, "tina", PASSWORD, start="/nogletal")
        figures = [int(text.split("\u00a0")[0]) for text in page.locator(".kpi-value").all_inner_texts()]
        assert 78 <= figures[0] <= 92 and 15 <= figures[2] <= 33, figures
        assert page.locator("svg.kpi-chart circle").count() > 60   # three charts of 24 months
        assert not outside, outside
        shot(page, "kpi-04-demo-historik")
