"""A consultant's working day in a real browser (Debian's Chromium through Playwright): a virksomhed and a
stilling at an address, so distances and commute limits apply; editing a citizen's skånehensyn and seeing
the ranking change; searching «rengøring» and «køkken»; filtering candidates; the udpluk with the
consultant's name and phone; an import note made a restriction. Screenshots of every page land in
test-artifacts/screenshots/ (names in SCREENSHOT_NAMES)."""

from __future__ import annotations

import re

import pytest

from models import orm, store
from models.db import session_scope
from models.geo_data import location_for_postcode
from models.schemas import Candidate
from test_web_browser import (  # noqa: F401 - shared fixtures
    CHROMIUM, browser, fill_task, logged_in_page, page_for, server, shot,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"browsertest springes over: {CHROMIUM} findes ikke"),
]

SCREENSHOT_NAMES = (
    "20-virksomheder", "21-ny-virksomhed", "22-virksomhed", "23-ny-stilling-hos-virksomhed", "24-stilling-afstande",
    "25-rediger-borger", "26-stilling-efter-rettelse", "27-borgere-rengoering", "28-borgere-koekken",
    "29-kandidater-filtreret", "30-hvorfor-dette-forslag", "31-udpluk-kontakt", "32-borger-note",
)


def at(postcode: str) -> dict:
    lat, lon = location_for_postcode(postcode)
    return {"lat": lat, "lon": lon}


def add_citizens(app, *citizens: dict) -> None:
    with session_scope(app.state.session_factory) as session:
        for citizen in citizens:
            store.upsert_citizen(session, Candidate.model_validate({"jobcenter": "Horsens", **citizen}))


def new_stilling(page, title: str = "Rengøring og kantine") -> None:
    page.get_by_role("link", name="Ny stilling").first.click()
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Virksomhedens navn").fill("Bageriet A/S")
    page.get_by_label("Højst antal personer").fill("2")
    fill_task(page, 1, "Rengøring af kontorer", "6", "rengøring", ["Rengøringsmidler/kemikalier", "Stående arbejde"],
              lifting="8")
    fill_task(page, 2, "Kantine", "4", "kantine", ["Kontakt med fødevarer"])
    page.get_by_role("button", name="Gem stilling").click()
    page.get_by_text("Stillingen er oprettet.").wait_for()
    page.get_by_role("button", name="Find kandidater").click()
    page.get_by_text("Matchningen er kørt").wait_for()


def ranked_ids(page) -> list[str]:
    return [re.sub(r"^\d+\.\s*", "", h) for h in page.locator("li.candidate h3").all_inner_texts()]


def test_a_virksomhed_and_a_stilling_at_its_address_apply_distances(server, page_for) -> None:
    base_url, app = server
    add_citizens(app, {"id": "B-7", "capacity_hours": 6, "competences": ["rengøring"], "location": at("8700"),
                       "max_commute_km": 15},
                 {"id": "B-8", "capacity_hours": 6, "competences": ["rengøring"], "location": at("9000"),
                  "max_commute_km": 20})
    page = logged_in_page(page_for, base_url, "anna")
    page.get_by_role("link", name="Virksomheder").click()
    page.get_by_role("heading", name="Virksomheder").wait_for()
    shot(page, "20-virksomheder")
    page.get_by_role("link", name="Ny virksomhed").click()
    page.get_by_label("Navn", exact=True).fill("Rengøringshuset ApS")
    page.get_by_label("CVR-nummer").fill("3141 5926")
    page.get_by_label("Adresse", exact=True).fill("Søndergade 12")
    page.get_by_label("Postnummer").fill("8700")
    page.get_by_role("textbox", name="Kontaktperson").fill("Mette Jensen")
    page.get_by_label("Telefon").fill("76 29 10 00")
    page.get_by_label("E-mail").fill("mette@rengoeringshuset.example")
    page.get_by_label("Højst antal fleksjobbere").fill("2")
    shot(page, "21-ny-virksomhed")
    page.get_by_role("button", name="Gem virksomhed").click()
    page.get_by_text("Virksomheden er oprettet.").wait_for()
    main = page.locator("main")
    assert "CVR 31415926" in main.inner_text() and "Søndergade 12, 8700 Horsens" in main.inner_text()
    assert main.get_by_role("link", name="76 29 10 00").get_attribute("href") == "tel:76291000"
    shot(page, "22-virksomhed")

    page.get_by_role("link", name="Ny stilling hos virksomheden").click()
    assert page.get_by_label("Vælg virksomhed").input_value().startswith("V-")
    page.get_by_label("Titel", exact=True).fill("Rengøring af kontorer")
    fill_task(page, 1, "Rengøring af kontorer", "6", "rengøring", ["Stående arbejde"])
    shot(page, "23-ny-stilling-hos-virksomhed")
    page.get_by_role("button", name="Gem stilling").click()
    page.get_by_text("Stillingen er oprettet.").wait_for()
    assert page.get_by_text("Arbejdssted: Søndergade 12, 8700 Horsens").is_visible()
    page.get_by_role("button", name="Find kandidater").click()
    page.get_by_text("Matchningen er kørt").wait_for()
    near = page.locator("#kandidat-B-7")
    assert near.get_by_text("0 km", exact=True).is_visible()
    assert page.locator("#kandidat-B-8").count() == 0           # 100 km away, at most 20 km
    why_not = page.locator("#hvorfor-ikke + details")
    why_not.locator("summary").click()
    far = why_not.locator("tr", has_text="B-8")
    assert "For langt væk" in far.inner_text() and "borgeren højst 20 km" in far.inner_text()
    shot(page, "24-stilling-afstande")


def test_editing_a_citizens_skaanehensyn_changes_the_ranking(server, page_for) -> None:
    base_url, _ = server
    page = logged_in_page(page_for, base_url, "anna")
    new_stilling(page, "Rengøring og kantine (rettelse)")
    stilling = page.url
    assert "B-1" in ranked_ids(page)
    page.goto("/borgere/B-1")
    page.get_by_role("link", name="Rediger borger").click()
    page.get_by_role("heading", name="Rediger borger B-1").wait_for()
    assert page.get_by_text("Sagssystemet er kilden til borgerens oplysninger.").is_visible()
    row = page.locator("tr", has_text="Ikke længerevarende stående arbejde")
    row.get_by_role("checkbox").check()
    row.get_by_role("combobox").select_option("hard")
    shot(page, "25-rediger-borger")
    page.get_by_role("button", name="Gem borger").click()
    page.get_by_text("Borgeren er gemt. Ændret: skånehensyn.").wait_for()
    assert page.locator("#skaanehensyn").locator("xpath=..").get_by_text("Ikke længerevarende stående arbejde").is_visible()
    page.goto(stilling)
    page.get_by_role("button", name="Kør matchning igen").click()
    page.get_by_text("Matchningen er kørt").wait_for()
    assert "B-1" not in ranked_ids(page)                       # both tasks need standing now
    why_not = page.locator("#hvorfor-ikke + details")
    why_not.locator("summary").click()
    assert "Ikke længerevarende stående arbejde" in why_not.locator("tr", has_text="B-1").inner_text()
    shot(page, "26-stilling-efter-rettelse")


@pytest.mark.parametrize("query, expected, name", [
    ("rengøring", {"B-1", "B-3"}, "27-borgere-rengoering"), ("køkken", {"B-2"}, "28-borgere-koekken"),
])
def test_searching_borgere_with_danish_letters(server, page_for, query, expected, name) -> None:
    base_url, _ = server
    page = logged_in_page(page_for, base_url, "anna")
    page.get_by_role("link", name="Borgere").click()
    page.get_by_label("Søg").fill(query)
    page.get_by_role("button", name="Søg").click()
    page.wait_for_url(re.compile(r"/borgere\?"))
    hits = set(page.locator("tbody td.id a").all_inner_texts())
    assert expected <= hits and hits <= {"B-1", "B-2", "B-3", "B-4", "B-7", "B-8"}
    shot(page, name)


def test_filtering_candidates_and_why_this_proposal(server, page_for) -> None:
    base_url, app = server
    add_citizens(app, *({"id": f"C-{n:02d}", "capacity_hours": 1 + n % 6,
                         "competences": ["rengøring"] if n % 2 else ["lager"]} for n in range(1, 16)))
    page = logged_in_page(page_for, base_url, "anna")
    new_stilling(page, "Rengøring og kantine (filter)")
    assert page.locator("li.candidate").count() == 10
    page.get_by_role("button", name="Vis flere kandidater").click()
    page.wait_for_url(re.compile(r"vis=20"))
    assert page.locator("li.candidate").count() > 10
    page.get_by_label("Kun med kompetencematch").check()
    page.get_by_label("Mindst timer pr. uge").fill("4")
    page.get_by_label("Sortér efter").select_option("timer")
    page.get_by_role("button", name="Vis kandidater").click()
    page.wait_for_url(re.compile(r"kun_kompetence=1"))
    cards = page.locator("li.candidate")
    assert cards.count() >= 1
    hours = [int(re.search(r"(\d+) timer? pr\. uge", t).group(1)) for t in cards.locator("header").all_inner_texts()]
    assert hours == sorted(hours, reverse=True) and min(hours) >= 4
    assert all("Ingen direkte match" not in t for t in cards.all_inner_texts())
    assert page.get_by_text("der passer til filteret").is_visible()
    shot(page, "29-kandidater-filtreret")
    why = page.locator("details.why-proposal").first
    why.locator("summary").click()
    # The form's new virksomhed has no fleksjob experience: the explanation names the "start with one" rule.
    assert "Virksomheden har ikke erfaring med fleksjob" in why.inner_text()
    why.screenshot(path=str(shot_path("30-hvorfor-dette-forslag")))


def test_the_udpluk_gives_the_consultants_name_and_phone(server, page_for) -> None:
    base_url, _ = server
    page = logged_in_page(page_for, base_url, "anna")
    new_stilling(page, "Rengøring og kantine (udpluk)")
    split = page.locator("article.proposal", has_text="Delt stilling").first
    split.get_by_role("link", name="Udpluk til virksomheden").click()
    page.get_by_role("heading", name="Udpluk til virksomheden").wait_for()
    contact = page.locator(".letterhead .contact").inner_text()
    assert contact == "Kontakt: Anna Andersen, tlf. +45 76 29 10 00, anna@horsens.example"
    page.emulate_media(media="print")
    assert page.locator(".letterhead .contact").is_visible()  # printed for the employer
    shot(page, "31-udpluk-kontakt")


def test_an_import_note_becomes_a_restriction(server, page_for) -> None:
    base_url, app = server
    with session_scope(app.state.session_factory) as session:
        session.get(orm.Citizen, "B-4").unresolved_restriction_notes = ["tåler ikke støj"]
    page = logged_in_page(page_for, base_url, "anna")
    page.goto("/borgere/B-4")
    note = page.locator("li.note")
    assert note.get_by_label("Skånehensyn").input_value() == "no_noise"
    shot(page, "32-borger-note")
    note.get_by_role("button", name="Registrér som skånehensyn").click()
    page.get_by_text("Registreret som skånehensyn: Ikke støjende miljø.").wait_for()
    assert page.locator("li.note").count() == 0


def shot_path(name: str):
    from test_web_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
