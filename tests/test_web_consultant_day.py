"""The consultant UI for a whole working day (TestClient): virksomheder, the stilling form's virksomhed
picker and workplace address, editing a citizen, import notes, search, the candidate list, "Hvorfor dette
forslag", people's names, the favicon."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from models import orm, store
from models.db import session_scope
from models.geo_data import location_for_postcode
from models.schemas import Candidate
from web_seed import position_form
from test_web_pages import anna, app, create_position, factory, login, match, template  # noqa: F401 - shared fixtures

# Two cleaners with an address: one in Horsens, one in Aalborg (about 100 km away), both with a commute limit.
NEAR = {"id": "B-7", "jobcenter": "Horsens", "capacity_hours": 6, "competences": ["rengøring"],
        "location": dict(zip(("lat", "lon"), location_for_postcode("8700"))), "max_commute_km": 15}
FAR = {"id": "B-8", "jobcenter": "Horsens", "capacity_hours": 6, "competences": ["rengøring"],
       "location": dict(zip(("lat", "lon"), location_for_postcode("9000"))), "max_commute_km": 20}


def add_citizens(factory, *citizens: dict) -> None:
    with session_scope(factory) as session:
        for citizen in citizens:
            store.upsert_citizen(session, Candidate.model_validate(citizen))


def create_employer(client: TestClient, token: str, **fields: str) -> str:
    data = {"csrf_token": token, "name": "Bageriet A/S", "cvr": "1234 5678", "address": "Søndergade 12",
            "postcode": "8700", "contact_name": "Mette Jensen", "contact_phone": "+45 76 29 10 00",
            "contact_email": "mette@bageriet.dk", "size": "micro", "sector": "private", "max_fleksjobbere": "2",
            **fields}
    response = client.post("/virksomheder/ny", data=data)
    assert response.status_code == 200 and "Virksomheden er oprettet" in response.text, response.text
    return response.url.path.rsplit("/", 1)[1]


# ---- virksomheder ---------------------------------------------------------------------------------------


def test_create_a_virksomhed_with_address_and_contact(anna, factory) -> None:
    client, token = anna
    employer_id = create_employer(client, token)
    with session_scope(factory) as session:
        row = session.get(orm.Employer, employer_id)
        assert (row.cvr, row.address, row.postcode, row.contact_name, row.contact_phone, row.contact_email) == (
            "12345678", "Søndergade 12", "8700", "Mette Jensen", "+45 76 29 10 00", "mette@bageriet.dk")
        assert (row.lat, row.lon) == location_for_postcode("8700")
        assert row.jobcenter.name == "Horsens" and row.size == "micro" and row.max_fleksjobbere == 2
    page = client.get(f"/virksomheder/{employer_id}").text
    for text in ("Bageriet A/S", "CVR 12345678", "Søndergade 12, 8700 Horsens", "Mette Jensen", "tel:+4576291000",
                 "Under 10 ansatte", "Nej – start med én fleksjobber", "Virksomheden har ingen stillinger endnu"):
        assert text in page, text
    listing = client.get("/virksomheder", params={"q": "bager"}).text
    assert "Bageriet A/S" in listing and "1 virksomhed<" in listing


def test_virksomhed_form_errors_are_danish_and_keep_what_was_typed(anna, factory) -> None:
    client, token = anna
    response = client.post("/virksomheder/ny", data={"csrf_token": token, "name": "", "cvr": "123",
                                                     "postcode": "87", "contact_email": "mette",
                                                     "contact_phone": "12"})
    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="name-fejl">Må ikke være tom<', page)
    assert re.search(r'id="cvr-fejl">CVR-nummeret skal være 8 cifre<', page)
    assert re.search(r'id="postcode-fejl">Postnummeret skal være 4 cifre', page)
    assert "E-mailadressen er ugyldig" in page and "Telefonnummeret skal have mindst 8 cifre" in page
    assert 'value="mette"' in page
    with session_scope(factory) as session:
        assert session.scalars(select(orm.Employer)).first() is None


def test_edit_a_virksomhed_and_clear_its_postcode(anna, factory) -> None:
    client, token = anna
    employer_id = create_employer(client, token)
    response = client.post(f"/virksomheder/{employer_id}/rediger", data={
        "csrf_token": token, "name": "Bageriet Horsens A/S", "postcode": "", "experience": "on"})
    assert "Virksomheden er gemt" in response.text and "Uden postnummer" in response.text
    with session_scope(factory) as session:
        row = session.get(orm.Employer, employer_id)
        assert row.name == "Bageriet Horsens A/S" and row.postcode is None and row.lat is None
        assert row.has_fleksjob_experience and row.cvr is None and row.contact_name is None


def test_an_unknown_postcode_is_kept_with_a_warning(anna, factory) -> None:
    client, token = anna
    employer_id = create_employer(client, token, postcode="8799")
    with session_scope(factory) as session:
        row = session.get(orm.Employer, employer_id)
        assert row.postcode == "8799" and row.lat is None
    assert "afstande kan ikke beregnes" in client.get(f"/virksomheder/{employer_id}").text


def test_virksomheder_of_another_jobcentre_answer_404(app, anna) -> None:
    client, token = anna
    employer_id = create_employer(client, token)
    with TestClient(app) as other:
        other_token = login(other, "bo")
        for path in (f"/virksomheder/{employer_id}", f"/virksomheder/{employer_id}/rediger"):
            assert other.get(path).status_code == 404, path
        assert other.post(f"/virksomheder/{employer_id}/rediger",
                          data={"csrf_token": other_token, "name": "Overtaget"}).status_code == 404
        assert "Bageriet" not in other.get("/virksomheder").text
        # Nor can a stilling be put at it.
        response = other.post("/stillinger/ny", data={"csrf_token": other_token,
                                                      **position_form(employer_choice=employer_id)})
        assert response.status_code == 422 and "Vælg en virksomhed fra listen." in response.text


# ---- a stilling at an existing virksomhed and a workplace address ------------------------------------------


def test_stilling_at_a_stored_virksomhed_gets_its_address_and_distances_apply(anna, factory) -> None:
    client, token = anna
    add_citizens(factory, NEAR, FAR)
    employer_id = create_employer(client, token)
    form = client.get(f"/stillinger/ny?virksomhed={employer_id}").text
    assert re.search(rf'<option value="{employer_id}" selected>Bageriet A/S · 8700 Horsens</option>', form)
    position_id = create_position(client, token, employer_choice=employer_id, employer_name="")
    with session_scope(factory) as session:
        row = session.get(orm.Position, position_id)
        assert row.employer_id == employer_id and row.employer.name == "Bageriet A/S"
        assert (row.postcode, row.address, row.lat, row.lon) == ("8700", "Søndergade 12", *location_for_postcode("8700"))
        assert session.scalars(select(orm.Employer)).all() == [row.employer]  # no new virksomhed
    page = match(client, token, position_id)
    assert "Arbejdssted: Søndergade 12, 8700 Horsens" in page
    card = page.split('id="kandidat-B-7"', 1)[1].split("</li>", 1)[0]
    assert re.search(r"<span>0 km</span>", card)
    why_not = page.split('id="hvorfor-ikke"', 1)[1]
    assert "B-8" in why_not and "For langt væk" in why_not and "borgeren højst 20 km" in why_not
    assert 'id="kandidat-B-8"' not in page


def test_workplace_postcode_overrides_the_virksomhed_and_a_new_virksomhed_gets_its_own(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token, employer_choice="", employer_name="Kantinen ApS",
                                  employer_cvr="87654321", employer_address="Torvet 1", employer_postcode="8700",
                                  workplace_address="Havnen 3", workplace_postcode="9000")
    with session_scope(factory) as session:
        row = session.get(orm.Position, position_id)
        assert (row.address, row.postcode, row.lat, row.lon) == ("Havnen 3", "9000", *location_for_postcode("9000"))
        employer = row.employer
        assert (employer.name, employer.cvr, employer.address, employer.postcode) == (
            "Kantinen ApS", "87654321", "Torvet 1", "8700")
        assert (employer.lat, employer.lon) == location_for_postcode("8700")


def test_a_stilling_without_an_address_says_distances_do_not_apply(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    assert "Arbejdsstedet har ingen adresse" in client.get(f"/stillinger/{position_id}").text


def test_editing_a_stilling_keeps_its_workplace(anna, factory) -> None:
    client, token = anna
    employer_id = create_employer(client, token)
    position_id = create_position(client, token, employer_choice=employer_id, employer_name="")
    form = client.get(f"/stillinger/{position_id}/rediger").text
    assert 'name="workplace_postcode" value="8700"' in form.replace('id="workplace_postcode" ', "")
    data = {"csrf_token": token, **position_form(employer_choice=employer_id, workplace_postcode="8700",
                                                 workplace_address="Søndergade 12",
                                                 **{"task-0-id": "t1", "task-1-id": "t2"})}
    assert "Stillingen er gemt" in client.post(f"/stillinger/{position_id}/rediger", data=data).text
    with session_scope(factory) as session:
        assert session.get(orm.Position, position_id).lat is not None


# ---- the candidate list ---------------------------------------------------------------------------------


def candidate_ids(page: str) -> list[str]:
    return re.findall(r'<li class="panel candidate" id="kandidat-([^"]+)"', page)


def test_candidates_can_be_filtered_sorted_and_shown_ten_at_a_time(anna, factory) -> None:
    client, token = anna
    many = [{"id": f"C-{n:02d}", "jobcenter": "Horsens", "capacity_hours": 1 + n % 6,
             "competences": ["rengøring"] if n % 2 else ["lager"]} for n in range(1, 24)]
    add_citizens(factory, *many)
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    shown = candidate_ids(page)
    assert len(shown) == 10 and "Vis flere kandidater" in page
    assert re.search(r"Viser 10 af \d+ kandidater\.", page)
    more = client.get(f"/stillinger/{position_id}", params={"vis": "20"}).text
    assert candidate_ids(more)[:10] == shown and len(candidate_ids(more)) == 20
    only = client.get(f"/stillinger/{position_id}", params={"kun_kompetence": "1", "vis": "200"}).text
    assert candidate_ids(only) and all(c not in candidate_ids(only) for c in ("C-02", "C-04"))
    assert "der passer til filteret" in only
    by_hours = client.get(f"/stillinger/{position_id}", params={"sorter": "timer", "min_timer": "5", "vis": "200"}).text
    hours = [int(h) for h in re.findall(r'<span>(\d+) timer? pr\. uge</span>', by_hours)]
    assert hours and hours == sorted(hours, reverse=True) and min(hours) >= 5
    nothing = client.get(f"/stillinger/{position_id}", params={"max_km": "5"}).text
    assert candidate_ids(nothing) == [] and "Ingen kandidater passer til filteret" in nothing


def test_every_proposal_says_why_and_general_notes_stand_once(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    whys = page.count('class="why-proposal"')
    assert whys == page.count('class="panel proposal"') >= 1
    assert "Hvorfor dette forslag:" in page and "0,3 velmatchet time" in page
    assert page.count("Arbejdsevne er estimeret: overvej 4 ugers virksomhedspraktik") == 1
    assert "(gælder " in page


def test_hvorfor_ikke_names_each_restriction_once(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    why_not = match(client, token, position_id).split('id="hvorfor-ikke"', 1)[1]
    row = why_not.split(">B-4<", 1)[1].split("</tr>", 1)[0]
    assert row.count("Ikke rengøringsmidler/kemikalier") == 1 and row.count("Ikke kontakt med fødevarer") == 1


def test_pages_show_people_by_name(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    assert "Anna Andersen · Horsens" in page
    assert "af Anna Andersen." in page and "user:anna" not in page


def test_the_udpluk_gives_the_consultants_name_and_phone(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    match(client, token, position_id)
    body = client.get(f"/stillinger/{position_id}/udpluk", params={"borger": ["B-1"]}).text.split("<main", 1)[1]
    assert "Kontakt: <strong>Anna Andersen</strong>, tlf. <span class=\"nowrap\">+45 76 29 10 00</span>, " \
           "anna@horsens.example" in body


def test_favicon_is_served(app) -> None:
    client = TestClient(app)
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in client.get("/login").text


# ---- editing a citizen ----------------------------------------------------------------------------------


def test_edit_a_citizen_audits_the_fields_changed(anna, factory) -> None:
    client, token = anna
    form = client.get("/borgere/B-2/rediger").text
    assert "overskrives ved import" in form and "PUT /api/v1/citizens/B-2" in form
    response = client.post("/borgere/B-2/rediger", data={
        "csrf_token": token, "status": "available", "capacity_hours": "6", "capacity_basis": "measured",
        "competences": "kantinearbejde\nkøkkenhjælp, opvask", "wishes": "kantine",
        "r-no_heights": "on", "r-no_heights-severity": "soft", "r-max_lifting_kg": "on", "r-max_lifting_kg-value": "7,5",
        "available_days": ["mon", "wed"], "postcode": "8700", "max_commute_km": "12"})
    assert "Borgeren er gemt." in response.text
    with session_scope(factory) as session:
        citizen = session.get(orm.Citizen, "B-2")
        assert (citizen.capacity_hours, citizen.capacity_basis) == (6, "measured")
        assert citizen.competences == ["kantinearbejde", "køkkenhjælp", "opvask"] and citizen.wishes == ["kantine"]
        assert [(r.code, r.value, r.severity) for r in citizen.restrictions] == [
            ("max_lifting_kg", 7.5, "hard"), ("no_heights", None, "soft")]
        assert citizen.available_days == ["mon", "wed"] and citizen.max_commute_km == 12
        assert (citizen.postcode, citizen.lat, citizen.lon) == ("8700", *location_for_postcode("8700"))
        assert citizen.gender == "m" and citizen.birth_year == 1975  # untouched
        entry = session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.citizen_id == "B-2",
                                                             orm.AuditEntry.action == "update")).one()
        assert entry.actor == "user:anna" and entry.endpoint == "POST /borgere/B-2/rediger"
        for label in ("Arbejdsevne (timer pr. uge)", "Kompetencer", "Skånehensyn", "Dage", "Postnummer"):
            assert label in entry.detail
        assert "Status" not in entry.detail  # unchanged fields are not named
        assert "køkken" in citizen.competence_terms


def test_citizen_form_errors_are_danish_and_nothing_is_written(anna, factory) -> None:
    client, token = anna
    response = client.post("/borgere/B-1/rediger", data={
        "csrf_token": token, "status": "available", "capacity_hours": "40", "capacity_basis": "estimated",
        "r-max_lifting_kg": "on", "r-max_lifting_kg-value": "", "postcode": "12"})
    assert response.status_code == 422
    assert "Borgeren er ikke gemt." in response.text and "Må højst være 37" in response.text
    assert "kræver en værdi" in response.text and "Postnummeret skal være 4 cifre" in response.text
    with session_scope(factory) as session:
        assert session.get(orm.Citizen, "B-1").capacity_hours == 5
        assert session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.action == "update")).first() is None


def test_an_import_note_becomes_a_catalogue_restriction_in_one_step(anna, factory) -> None:
    client, token = anna
    with session_scope(factory) as session:
        session.get(orm.Citizen, "B-3").unresolved_restriction_notes = ["tåler ikke støj", "skal have pauser"]
    page = client.get("/borgere/B-3").text
    assert re.search(r'<option value="no_noise" selected>Ikke støjende miljø</option>', page)  # the close reading
    response = client.post("/borgere/B-3/noter", data={"csrf_token": token, "note": "tåler ikke støj",
                                                       "code": "no_noise", "severity": "soft"})
    assert "Registreret som skånehensyn: Ikke støjende miljø." in response.text
    dismissed = client.post("/borgere/B-3/noter", data={"csrf_token": token, "note": "skal have pauser",
                                                        "action": "dismiss"})
    assert "Noten er fjernet." in dismissed.text
    with session_scope(factory) as session:
        citizen = session.get(orm.Citizen, "B-3")
        assert citizen.unresolved_restriction_notes == []
        assert [(r.code, r.value, r.severity) for r in citizen.restrictions] == [
            ("max_lifting_kg", 5, "hard"), ("no_noise", None, "soft")]
        details = [e.detail for e in session.scalars(select(orm.AuditEntry).where(
            orm.AuditEntry.citizen_id == "B-3", orm.AuditEntry.action == "update").order_by(orm.AuditEntry.id))]
        assert details == ["Note registreret som skånehensyn no_noise (soft): tåler ikke støj",
                           "Note fjernet uden skånehensyn: skal have pauser"]
    stale = client.post("/borgere/B-3/noter", data={"csrf_token": token, "note": "tåler ikke støj", "code": "no_noise"})
    assert "Noten findes ikke længere" in stale.text


def test_a_note_with_a_lifting_limit_needs_the_kilos(anna, factory) -> None:
    client, token = anna
    with session_scope(factory) as session:
        session.get(orm.Citizen, "B-4").unresolved_restriction_notes = ["må ikke løfte tungt"]
    refused = client.post("/borgere/B-4/noter", data={"csrf_token": token, "note": "må ikke løfte tungt",
                                                      "code": "max_lifting_kg", "value": ""})
    assert "Maks. løft (kg): angiv et tal" in refused.text
    client.post("/borgere/B-4/noter", data={"csrf_token": token, "note": "må ikke løfte tungt",
                                            "code": "max_lifting_kg", "value": "8"})
    with session_scope(factory) as session:
        assert ("max_lifting_kg", 8) in [(r.code, r.value) for r in session.get(orm.Citizen, "B-4").restrictions]


def test_another_jobcentre_cannot_edit_a_citizen(app) -> None:
    with TestClient(app) as other:
        token = login(other, "bo")
        assert other.get("/borgere/B-1/rediger").status_code == 404
        assert other.post("/borgere/B-1/rediger", data={"csrf_token": token, "capacity_hours": "9"}).status_code == 404
        assert other.post("/borgere/B-1/noter", data={"csrf_token": token, "note": "x"}).status_code == 404


# ---- search ---------------------------------------------------------------------------------------------


def test_borgere_search_with_danish_letters_and_filters(anna) -> None:
    client, _ = anna
    for query, expected in (("rengøring", {"B-1", "B-3"}), ("køkken", {"B-2"}), ("Køkkenhjælper", {"B-2"})):
        page = client.get("/borgere", params={"q": query}).text
        assert set(re.findall(r'/borgere/(B-\d)"', page)) == expected, query
    page = client.get("/borgere", params={"ly_fra": "15"}).text
    assert set(re.findall(r'/borgere/(B-\d)"', page)) == {"B-1"} and "1 borger<" in page


# ---- the API's employer fields --------------------------------------------------------------------------


def test_put_employer_keeps_details_it_does_not_send(app, factory) -> None:
    from api_support import bearer, make_tokens

    url = str(app.state.engine.url)
    tokens = make_tokens(url)
    client = TestClient(app)
    first = client.put("/api/v1/employers/V-9", headers=bearer(tokens["a"]), json={
        "name": "Bageriet A/S", "cvr": "12345678", "contact_name": "Mette Jensen", "contact_phone": "76291000"})
    assert first.status_code == 201 and first.json()["contact_name"] == "Mette Jensen"
    again = client.put("/api/v1/employers/V-9", headers=bearer(tokens["a"]), json={"name": "Bageriet A/S"})
    assert again.status_code == 200 and again.json()["cvr"] == "12345678"
    cleared = client.put("/api/v1/employers/V-9", headers=bearer(tokens["a"]), json={"name": "Bageriet A/S", "cvr": None})
    assert cleared.json()["cvr"] is None and cleared.json()["contact_phone"] == "76291000"
    bad = client.put("/api/v1/employers/V-9", headers=bearer(tokens["a"]), json={"name": "B", "cvr": "12"})
    assert bad.status_code == 422 and "CVR-nummeret skal være 8 cifre" in bad.text
