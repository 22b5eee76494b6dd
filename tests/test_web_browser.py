"""The consultant UI in a real browser: Debian's Chromium, headless, driven by Playwright (sync API).

The server is the real app (service.http.app.create_app) under uvicorn in a thread, on a free port, against a
seeded temporary SQLite database. Screenshots of the key pages land in test-artifacts/screenshots/
(git-ignored). Nothing is ever downloaded: the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from web_seed import PASSWORDS, cheap_password_hashing, copy_of, seed_position, seeded_template

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browsertest springes over: {CHROMIUM} findes ikke "
                                                      "(installér Debian-pakken chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    import uvicorn

    from service.http.app import create_app

    with pytest.MonkeyPatch.context() as monkeypatch:
        cheap_password_hashing(monkeypatch)
        monkeypatch.setenv("FLEKSMATCH_SECRET_KEY", "browser-test-secret")
        directory = tmp_path_factory.mktemp("browser")
        app = create_app(copy_of(seeded_template(directory), directory))
        port = _free_port()
        uvicorn_server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                       lifespan="off"))
        thread = threading.Thread(target=uvicorn_server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not uvicorn_server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("uvicorn startede ikke")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}", app
        finally:
            uvicorn_server.should_exit = True
            thread.join(timeout=10)
            app.state.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page_for(browser):
    contexts = []

    def make(base_url: str):
        context = browser.new_context(base_url=base_url, locale="da-DK", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def log_in(page, username: str, password: str | None = None, start: str = "/stillinger") -> None:
    """Open `start`, log in on the form it sends a visitor to (the seed's password unless told) and be back."""
    page.goto(start)
    assert "/login" in page.url
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password or PASSWORDS[username])
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(rf"{re.escape(start)}$"))


def logged_in_page(page_for, base_url: str, username: str):
    """A new page of its own browser context, with `username` logged in."""
    page = page_for(base_url)
    log_in(page, username)
    return page


def fill_task(page, number: int, title: str, hours: str, competences: str, demands: list[str],
              lifting: str = "") -> None:
    task = page.get_by_role("group", name=re.compile(rf"^Opgave {number}"))
    task.get_by_label("Opgavens titel").fill(title)
    task.get_by_label("Timer pr. uge").fill(hours)
    task.get_by_label("Kompetencer").fill(competences)
    if lifting:
        task.get_by_label("Løft (kg)", exact=True).fill(lifting)
    demand_group = task.get_by_role("group", name="Krav i opgaven")
    for label in demands:
        demand_group.get_by_label(label, exact=True).check()
    assert task.get_by_label("Kan deles mellem flere personer").is_checked()


def test_consultant_flow_from_vacancy_to_udpluk(server, page_for) -> None:
    base_url, _ = server
    page = page_for(base_url)
    page.goto("/login")
    assert page.locator("html").get_attribute("lang") == "da"
    shot(page, "01-log-ind")
    log_in(page, "anna")

    # A vacancy taken over the phone: two tasks, demands as Danish checkboxes.
    page.get_by_role("link", name="Ny stilling").first.click()
    page.get_by_label("Titel", exact=True).fill("Rengøring og kantine")
    page.get_by_label("Virksomhedens navn").fill("Bageriet A/S")
    page.get_by_label("Højst antal personer").fill("2")
    fill_task(page, 1, "Rengøring af kontorer", "6", "rengøring", ["Rengøringsmidler/kemikalier", "Stående arbejde"],
              lifting="8")
    fill_task(page, 2, "Kantine", "4", "kantine", ["Kontakt med fødevarer"])
    shot(page, "02-ny-stilling")
    page.get_by_role("button", name="Gem stilling").click()
    page.get_by_text("Stillingen er oprettet.").wait_for()

    # Ranked candidates and a split proposal.
    page.get_by_role("button", name="Find kandidater").click()
    page.get_by_text("Matchningen er kørt").wait_for()
    candidates = page.locator("#kandidater + form li.candidate")
    assert candidates.count() >= 2
    assert candidates.first.get_by_role("heading", name=re.compile(r"^1\. B-\d")).is_visible()
    assert candidates.first.get_by_text("Hvorfor").is_visible()
    split = page.locator("article.proposal", has_text="Delt stilling").first
    assert split.get_by_text("Dækket 9 af 10 timer").is_visible()
    bars = split.locator(".person-row")
    assert bars.count() == 2
    widths = [bar.locator(".segment").first.bounding_box()["width"] for bar in bars.all()]
    assert widths[0] != widths[1]  # 5 and 4 hours are drawn at different lengths
    why_not = page.locator("#hvorfor-ikke + details")
    assert why_not.get_attribute("open") is None  # collapsed by default
    shot(page, "03-stilling-forslag")
    why_not.locator("summary").click()
    assert why_not.get_by_text("B-4").first.is_visible()

    # Record "Kontaktet" for one person of the split proposal.
    person = split.locator("details.person-outcome", has_text="Udfald for B-1")
    person.locator("summary").click()
    person.get_by_role("button", name="Kontaktet").click()
    page.get_by_text("Udfald registreret for B-1: Kontaktet.").wait_for()
    split = page.locator("article.proposal", has_text="Delt stilling").first
    assert split.locator("h3 .badge").inner_text() == "Kontaktet"
    assert split.locator("details.person-outcome", has_text="Udfald for B-2").locator(".badge").inner_text() == \
        "Ikke behandlet"  # the other person of the split is untouched
    shot(page, "04-stilling-kontaktet")

    # The udpluk for the employer: relevant restrictions only.
    split.get_by_role("link", name="Udpluk til virksomheden").click()
    page.get_by_role("heading", name="Udpluk til virksomheden").wait_for()
    main = page.locator("main")
    text = main.inner_text()
    assert "Kandidat 1" in text and "Kandidat 2" in text
    assert "Ikke kontakt med fødevarer" in text       # B-1: concerns the canteen task
    assert "Ikke kontakt med dyr" not in text          # B-1: no task involves animals
    assert "Ikke arbejde i højder" not in text          # B-2: no task involves heights
    assert "1968" not in text and "ledighedsydelse" not in text.lower()
    shot(page, "05-udpluk")
    page.emulate_media(media="print")
    assert page.locator("header.topbar").is_hidden()  # the print stylesheet hides navigation
    shot(page, "06-udpluk-udskrift")
    page.emulate_media(media="screen")

    # The borger page: profile, suggestions, history.
    page.goto("/borgere/B-1")
    assert page.get_by_role("heading", name="Skånehensyn").is_visible()
    history = page.locator("#historik ~ table")
    assert history.get_by_text("Rengøring og kantine").first.is_visible()
    assert history.get_by_role("cell", name="Kontaktet").is_visible()
    shot(page, "07-borger")


def test_keyboard_skip_link_and_visible_focus(server, page_for) -> None:
    base_url, _ = server
    page = logged_in_page(page_for, base_url, "anna")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Spring til indhold"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    assert page.url.endswith("#indhold")
    # Every visible form field has an accessible name (a label).
    page.goto("/stillinger/ny")
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.name)""")
    assert unnamed == []


def test_consultant_from_another_jobcentre_gets_404(server, page_for) -> None:
    base_url, app = server
    seed_position(app.state.session_factory, position_id="S-HORSENS-1", jobcenter="Horsens")
    page = logged_in_page(page_for, base_url, "bo")
    for path in ("/stillinger/S-HORSENS-1", "/stillinger/S-HORSENS-1/udpluk", "/borgere/B-1"):
        response = page.goto(path)
        assert response.status == 404, path
        assert page.get_by_role("heading", name="Siden findes ikke").is_visible()
    shot(page, "08-anden-jobcenter-404")


def test_form_post_without_csrf_token_is_refused(server, page_for) -> None:
    base_url, _ = server
    page = logged_in_page(page_for, base_url, "anna")
    page.goto("/stillinger/ny")
    page.get_by_label("Titel", exact=True).fill("Uden nøgle")
    page.evaluate("() => document.querySelector('main form input[name=csrf_token]').remove()")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Gem stilling").click()
    assert posted.value.status == 403
    assert page.get_by_text("sikkerhedsnøglen mangler").is_visible()
