"""The team leader's page (Nøgletal) in a real browser: Debian's Chromium, headless, through Playwright, against
the real app under uvicorn (tests/live_server.py) on a seeded SQLite file. Screenshots land in
test-artifacts/screenshots/ (kpi-*.png). Nothing is downloaded: the browser is /usr/bin/chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from live_server import live_server
from test_web_kpis import PASSWORD, seed
from web_seed import cheap_password_hashing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browsertest springes over: {CHROMIUM} findes ikke "
                                                      "(installér Debian-pakken chromium)"),
]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_team_leader_reads_the_kpis_and_opens_the_citizens_behind_them(tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    from service.http.app import create_app

    cheap_password_hashing(monkeypatch)
    monkeypatch.setenv("FLEKSMATCH_SECRET_KEY", "browser-test-secret")
    url = f"sqlite:///{tmp_path / 'kpi-browser.sqlite3'}"
    seed(url)
    app = create_app(url)
    try:
        with live_server(app) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(base_url=base_url, locale="da-DK",
                                              viewport={"width": 1280, "height": 900})
                context.set_default_timeout(20_000)
                page = context.new_page()
                blocked = []
                page.on("request", lambda r: blocked.append(r.url) if not r.url.startswith(base_url) else None)
                page.goto("/stillinger")
                page.get_by_label("Brugernavn").fill("tina")
                page.get_by_label("Adgangskode").fill(PASSWORD)
                page.get_by_role("button", name="Log ind").click()
                page.wait_for_url(re.compile(r"/stillinger$"))

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
            finally:
                browser.close()
    finally:
        app.state.engine.dispose()


def test_the_demo_history_as_a_team_leader_sees_it(tmp_path, monkeypatch):
    """Two years of the demo's fleksjob history beside a small generated pool: the charts have a history to
    show (the screenshot kpi-04-demo-historik.png), and nothing is fetched from elsewhere."""
    from playwright.sync_api import sync_playwright

    from models.db import make_engine, session_factory, session_scope, upgrade_database
    from service.core.auth.users import create_user
    from service.demo.fleksjob_history import record_fleksjob_history
    from service.demo.loader import load_pool_into_database
    from service.demo.pool_generator import JOBCENTERS, generate_pool
    from service.http.app import create_app

    cheap_password_hashing(monkeypatch)
    monkeypatch.setenv("FLEKSMATCH_SECRET_KEY", "browser-test-secret")
    url = f"sqlite:///{tmp_path / 'kpi-demo.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    with session_scope(session_factory(engine)) as session:
        load_pool_into_database(session, generate_pool(120, 30, seed=5, jobcenters=JOBCENTERS[:1]))
        record_fleksjob_history(session)
        create_user(session, username="tina", password=PASSWORD, role="teamleader", jobcenters=["Horsens"],
                    full_name="Tina Teamleder")
    engine.dispose()
    app = create_app(url)
    try:
        with live_server(app) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(base_url=base_url, locale="da-DK",
                                           viewport={"width": 1280, "height": 900}).new_page()
                outside = []
                page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
                page.goto("/nogletal")
                page.get_by_label("Brugernavn").fill("tina")
                page.get_by_label("Adgangskode").fill(PASSWORD)
                page.get_by_role("button", name="Log ind").click()
                page.wait_for_url(re.compile(r"/nogletal$"))
                figures = [int(text.split("\u00a0")[0]) for text in page.locator(".kpi-value").all_inner_texts()]
                assert 78 <= figures[0] <= 92 and 15 <= figures[2] <= 33, figures
                assert page.locator("svg.kpi-chart circle").count() > 60   # three charts of 24 months
                assert not outside, outside
                shot(page, "kpi-04-demo-historik")
            finally:
                browser.close()
    finally:
        app.state.engine.dispose()
