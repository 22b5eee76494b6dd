"""The consultant web UI through TestClient: login and session, CSRF, tenant isolation, Danish form errors,
matching and outcomes, and data minimisation on the udpluk."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models import orm
from models.db import session_scope
from models.schemas import Candidate, Position
from service.http.app import create_app
from service.http.web.auth_state import safe_next
from service.http.web.udpluk import relevant_restrictions
from web_seed import PASSWORDS, cheap_password_hashing, copy_of, position_form, seed_position, seeded_template

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        cheap_password_hashing(monkeypatch)
        return seeded_template(tmp_path_factory.mktemp("web"))


@pytest.fixture
def app(template, tmp_path, monkeypatch: pytest.MonkeyPatch):
    cheap_password_hashing(monkeypatch)
    monkeypatch.setenv("FLEKSMATCH_SECRET_KEY", "test-secret")
    app = create_app(copy_of(template, tmp_path))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def factory(app):
    return app.state.session_factory


def login(client: TestClient, username: str) -> str:
    """Log in through the form; returns the CSRF token of the new session."""
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": username,
                                           "password": PASSWORDS[username], "next": "/stillinger"})
    assert response.status_code == 200 and response.url.path == "/stillinger"
    return CSRF.search(response.text).group(1)


@pytest.fixture
def anna(app) -> Iterator[tuple[TestClient, str]]:
    with TestClient(app) as client:
        yield client, login(client, "anna")


def create_position(client: TestClient, token: str, **overrides) -> str:
    response = client.post("/stillinger/ny", data={"csrf_token": token, **position_form(**overrides)})
    assert response.status_code == 200, response.text
    assert "Stillingen er oprettet" in response.text
    return response.url.path.rsplit("/", 1)[1]


def match(client: TestClient, token: str, position_id: str) -> str:
    response = client.post(f"/stillinger/{position_id}/match", data={"csrf_token": token})
    assert response.status_code == 200
    return response.text


# ---- login, session, headers --------------------------------------------------------------------------


def test_pages_redirect_to_login_when_not_logged_in(app) -> None:
    client = TestClient(app)
    response = client.get("/stillinger/S-1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fstillinger%2FS-1"
    page = client.get("/login")
    assert '<html lang="da">' in page.text
    assert 'for="username"' in page.text and 'for="password"' in page.text


def test_wrong_password_is_refused_in_danish(app) -> None:
    client = TestClient(app)
    token = CSRF.search(client.get("/login").text).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": "anna", "password": "forkert-kode-1"})
    assert response.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in response.text
    assert client.get("/stillinger", follow_redirects=False).status_code == 303


def test_session_cookie_is_httponly_and_samesite(app) -> None:
    client = TestClient(app)
    cookie = client.get("/login").headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()


def test_pages_are_not_cached_and_not_framed(anna) -> None:
    client, _ = anna
    response = client.get("/stillinger")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'none'" in response.headers["content-security-policy"]


def test_logout_ends_the_session(anna) -> None:
    client, token = anna
    response = client.post("/logout", data={"csrf_token": token})
    assert response.url.path == "/login" and "Du er logget ud." in response.text
    assert client.get("/stillinger", follow_redirects=False).status_code == 303


def test_login_ends_after_a_working_day(anna, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = anna
    assert client.get("/stillinger", follow_redirects=False).status_code == 200
    monkeypatch.setattr("service.http.web.auth.SESSION_MAX_AGE", -1)  # every login is now older than the limit
    assert client.get("/stillinger", follow_redirects=False).status_code == 303


# Deactivation: tests/test_web_sessions_and_throttle.py (the user's own cookie and a copied one).


@pytest.mark.parametrize("target, expected", [
    ("/stillinger/S-1", "/stillinger/S-1"), ("//evil.example", "/overblik"),
    ("https://evil.example/", "/overblik"), ("/\\evil.example", "/overblik"), ("", "/overblik"),
])
def test_login_redirects_only_to_local_paths(target: str, expected: str) -> None:
    assert safe_next(target) == expected


# ---- CSRF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forkert-token"])
def test_form_post_without_valid_csrf_token_is_refused(anna, factory, token) -> None:
    client, _ = anna
    data = position_form()
    if token:
        data["csrf_token"] = token
    response = client.post("/stillinger/ny", data=data)
    assert response.status_code == 403
    assert "sikkerhedsnøglen" in response.text
    with session_scope(factory) as session:
        assert session.scalars(select(orm.Position)).first() is None


def test_login_form_also_needs_the_csrf_token(app) -> None:
    client = TestClient(app)
    client.get("/login")
    response = client.post("/login", data={"username": "anna", "password": PASSWORDS["anna"]})
    assert response.status_code == 403
    assert "Siden var udløbet." in response.text and 'name="csrf_token"' in response.text
    assert client.get("/stillinger", follow_redirects=False).status_code == 303


def test_csrf_token_changes_at_login(app) -> None:
    client = TestClient(app)
    before = CSRF.search(client.get("/login").text).group(1)
    after = login(client, "anna")
    assert before != after
    assert client.post("/logout", data={"csrf_token": before}).status_code == 403


# ---- stillinger: create, validate, edit, list ---------------------------------------------------------


def test_create_position_with_two_tasks(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    with session_scope(factory) as session:
        row = session.get(orm.Position, position_id)
        assert row.jobcenter.name == "Horsens" and row.employer.name == "Bageriet A/S"
        assert [(t.task_id, t.title, t.hours_per_week) for t in row.tasks] == [
            ("t1", "Rengøring af kontorer", 6), ("t2", "Kantine", 4)]
        assert row.tasks[0].demands == {"lifting_kg": 8, "chemicals": True, "standing": True}
        assert row.tasks[1].demands == {"food_contact": True}
    page = client.get(f"/stillinger/{position_id}").text
    assert "Rengøring af kontorer" in page and "Rengøringsmidler/kemikalier" in page and "Løft op til 8 kg" in page


def test_validation_errors_are_danish_and_next_to_the_field(anna, factory) -> None:
    client, token = anna
    response = client.post("/stillinger/ny", data={"csrf_token": token, **position_form(
        title="", **{"task-0-hours": "40", "task-1-hours": "to"})})
    assert response.status_code == 422
    page = response.text
    assert re.search(r'id="title-fejl">Må ikke være tom<', page)
    assert re.search(r'id="task-0-hours-fejl">Må højst være 37<', page)
    assert re.search(r'id="task-1-hours-fejl">Skal være et helt tal<', page)
    # Each message is tied to its input for screen readers, and the typed values are kept.
    assert re.search(r'id="task-0-hours"[^>]*value="40"[^>]*aria-describedby="task-0-hours-hint task-0-hours-fejl"',
                     page, re.S)
    assert "Stillingen er ikke gemt." in page
    with session_scope(factory) as session:
        assert session.scalars(select(orm.Position)).first() is None


def test_a_position_needs_a_task(anna) -> None:
    client, token = anna
    data = {k: v for k, v in position_form().items() if not k.startswith("task-")}
    response = client.post("/stillinger/ny", data={"csrf_token": token, **data})
    assert response.status_code == 422
    assert "Angiv mindst én opgave med titel og timer." in response.text


def test_add_task_button_offers_another_blank_task(anna) -> None:
    client, token = anna
    response = client.post("/stillinger/ny", data={"csrf_token": token, **position_form(action="add_task")})
    assert response.status_code == 200
    assert 'name="task-2-title"' in response.text and 'value="Kantine"' in response.text


def test_edit_position_changes_tasks_and_status(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    form = client.get(f"/stillinger/{position_id}/rediger").text
    assert 'value="Rengøring af kontorer"' in form and 'name="task-2-title"' in form
    data = {"csrf_token": token, **position_form(status="filled", **{
        "task-0-id": "t1", "task-1-id": "t2", "task-1-remove": "on",
        "task-2-title": "Opvask", "task-2-hours": "2", "task-2-demands": ["wet_work"]})}
    response = client.post(f"/stillinger/{position_id}/rediger", data=data)
    assert "Stillingen er gemt." in response.text
    with session_scope(factory) as session:
        row = session.get(orm.Position, position_id)
        assert row.status == "filled"
        assert [(t.task_id, t.title) for t in row.tasks] == [("t1", "Rengøring af kontorer"), ("t2", "Opvask")]


def test_position_list_search_and_status_filter(anna, factory) -> None:
    client, token = anna
    create_position(client, token)
    create_position(client, token, title="Pakkearbejde", employer_name="Lageret ApS")
    page = client.get("/stillinger", params={"q": "bager"}).text
    assert "Rengøring og kantine" in page and "Pakkearbejde" not in page
    assert "Pakkearbejde" in client.get("/stillinger", params={"q": "lageret"}).text
    assert "Ingen stillinger matcher" in client.get("/stillinger", params={"status": "closed"}).text
    assert "Pakkearbejde" in client.get("/stillinger", params={"status": "alle"}).text


# ---- tenant isolation ---------------------------------------------------------------------------------


def test_consultant_from_another_jobcentre_gets_404(app, anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    proposal_id = re.search(r"/forslag/([0-9a-f]+)/udfald", page).group(1)
    with TestClient(app) as other:
        other_token = login(other, "bo")
        for path in (f"/stillinger/{position_id}", f"/stillinger/{position_id}/rediger",
                     f"/stillinger/{position_id}/udpluk?borger=B-1", "/borgere/B-1"):
            response = other.get(path)
            assert response.status_code == 404, path
            assert "findes ikke" in response.text
            assert "Rengøring og kantine" not in response.text and "rengøringsassistent" not in response.text
        for path, data in ((f"/stillinger/{position_id}/match", {}),
                           (f"/forslag/{proposal_id}/udfald", {"outcome": "hired"}),
                           (f"/stillinger/{position_id}/rediger", position_form())):
            assert other.post(path, data={"csrf_token": other_token, **data}).status_code == 404, path
        assert "Rengøring og kantine" not in other.get("/stillinger", params={"status": "alle"}).text
        assert "B-1" not in other.get("/borgere").text
    with session_scope(factory) as session:
        assert session.scalars(select(orm.ProposalEvent)).first() is None
        assert session.get(orm.Position, position_id).title == "Rengøring og kantine"


def test_unknown_and_foreign_ids_answer_the_same(anna, factory) -> None:
    client, _ = anna
    seed_position(factory)
    foreign = client.get("/stillinger/S-VEJLE")
    missing = client.get("/stillinger/S-FINDES-IKKE")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.text.replace("S-VEJLE", "X") == missing.text.replace("S-FINDES-IKKE", "X")


# ---- matching, proposals, outcomes --------------------------------------------------------------------


def test_match_shows_ranking_explanations_split_and_exclusions(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    assert "Delt stilling" in page
    assert "Dækket 9 af 10 timer" in page  # B-1 cleans 5 h, B-2 does the canteen 4 h
    assert re.search(r'<h3>\d+\. <a href="[^"]*/borgere/B-1">B-1</a></h3>', page)
    assert "Rengøring: har arbejdet som rengøringsassistent" in page  # plain Danish, read aloud
    # "Hvorfor ikke" is collapsed by default and names the reason.
    hvorfor_ikke = page.split('id="hvorfor-ikke"', 1)[1]
    assert "<details>" in hvorfor_ikke and "<details open" not in hvorfor_ikke
    assert "B-4" in hvorfor_ikke and "Skånehensyn" in hvorfor_ikke
    # The bars are proportional: 5 of 10 requested hours is half the track.
    assert re.search(r'class="segment t0" style="width: 50\.0%"', page)


def test_record_outcomes_per_person_and_rejection_needs_a_reason(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    proposal_id = re.search(r"/forslag/([0-9a-f]+)/udfald", page).group(1)
    person = {"csrf_token": token, "candidate_id": "B-1"}
    response = client.post(f"/forslag/{proposal_id}/udfald", data=person | {"outcome": "contacted"})
    assert "Udfald registreret for B-1: Kontaktet." in response.text
    refused = client.post(f"/forslag/{proposal_id}/udfald", data=person | {"outcome": "rejected"})
    assert refused.status_code == 422
    assert "Skriv en begrundelse, når forslaget afvises." in refused.text
    client.post(f"/forslag/{proposal_id}/udfald", data=person | {"outcome": "rejected",
                                                                 "reason": "Virksomheden ansatte internt"})
    with session_scope(factory) as session:
        proposal = session.get(orm.Proposal, proposal_id)
        assert {p.candidate_id: p.status for p in proposal.persons}["B-1"] == "rejected"
        assert [(e.candidate_id, e.outcome, e.reason, e.rejected_by, e.actor) for e in proposal.events] == [
            ("B-1", "contacted", None, None, "user:anna"),
            ("B-1", "rejected", "Virksomheden ansatte internt", "jobcenter", "user:anna")]
    backward = client.post(f"/forslag/{proposal_id}/udfald", data=person | {"outcome": "contacted"})
    assert backward.status_code == 409 and "afvist" in backward.text
    assert client.post(f"/forslag/{proposal_id}/udfald",
                       data=person | {"outcome": "married"}).status_code == 422


def test_a_hire_from_the_stilling_page_needs_hours_within_capacity(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    proposal_id = re.search(r"/forslag/([0-9a-f]+)/udfald", match(client, token, position_id)).group(1)
    person = {"csrf_token": token, "candidate_id": "B-1", "outcome": "hired", "date": "2026-12-07"}
    too_many = client.post(f"/forslag/{proposal_id}/udfald", data=person | {"hours_per_week": "9"})
    assert too_many.status_code == 422 and "9 timer er for mange" in too_many.text
    hired = client.post(f"/forslag/{proposal_id}/udfald", data=person | {"hours_per_week": "4"})
    assert "Udfald registreret for B-1: Ansat." in hired.text
    with session_scope(factory) as session:
        employment = session.scalars(select(orm.Employment)).one()
        assert (employment.citizen_id, employment.hours_per_week, str(employment.start_date)) == ("B-1", 4, "2026-12-07")


def test_closed_position_is_not_matched(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    with session_scope(factory) as session:
        session.get(orm.Position, position_id).status = "closed"
    page = match(client, token, position_id)
    assert "er ikke åben" in page
    with session_scope(factory) as session:
        assert session.scalars(select(orm.MatchRun)).first() is None


# ---- udpluk -------------------------------------------------------------------------------------------


def test_udpluk_shows_only_what_concerns_the_tasks(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    match(client, token, position_id)
    page = client.get(f"/stillinger/{position_id}/udpluk", params={"borger": ["B-1", "B-2"]}).text
    body = page.split("<main", 1)[1]
    assert "Udpluk til virksomheden" in body and "Kandidat 1" in body and "Kandidat 2" in body
    assert "rengøringsassistent" in body and "kantinearbejde" in body
    # Relevant: food contact (the canteen task) for B-1, chemicals (the cleaning task) for B-2.
    assert "Ikke kontakt med fødevarer" in body and "Ikke rengøringsmidler/kemikalier" in body
    # Unrelated to every task: animals (B-1) and heights (B-2) are left out.
    assert "dyr" not in body and "højder" not in body
    # No LY months, no demographics, no CV free text.
    for forbidden in ("ledighedsydelse", "19 af", "19 måneder", "1968", "1975", "Kvinde", "Mand", "Alder",
                      "skole i 10 år"):
        assert forbidden not in body, forbidden


def test_udpluk_from_a_proposal_lists_its_people_and_hours(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    page = match(client, token, position_id)
    split_id = re.search(r'id="forslag-([0-9a-f]+)"[^>]*>\s*<h3[^>]*>Forslag \d+: Delt stilling', page).group(1)
    body = client.get(f"/stillinger/{position_id}/udpluk", params={"forslag": split_id}).text.split("<main", 1)[1]
    assert "Rengøring af kontorer: 5 timer pr. uge" in body and "Kantine: 4 timer pr. uge" in body


def test_udpluk_ignores_citizens_never_matched(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    match(client, token, position_id)
    body = client.get(f"/stillinger/{position_id}/udpluk", params={"borger": ["B-4", "V-1"]}).text
    assert "Ingen kandidater er valgt" in body and "V-1" not in body and "B-4" not in body


def test_relevant_restrictions_by_task_demand() -> None:
    position = Position.model_validate({
        "id": "S-1", "title": "Lager", "employer": {"id": "V-1", "name": "Lageret"},
        "tasks": [{"id": "t1", "title": "Pakning", "hours_per_week": 4, "demands": {"lifting_kg": 3, "standing": True}},
                  {"id": "t2", "title": "Opfyldning", "hours_per_week": 2, "demands": {"lifting_kg": 12}}]})
    candidate = Candidate.model_validate({"id": "B-1", "capacity_hours": 5, "restrictions": [
        {"code": "max_lifting_kg", "value": 10}, {"code": "no_prolonged_standing", "severity": "soft"},
        {"code": "no_food_contact"}]})
    lines = {r.label: r for r in relevant_restrictions(candidate, position)}
    assert set(lines) == {"Maks. løft 10 kg", "Ikke længerevarende stående arbejde"}
    assert lines["Maks. løft 10 kg"].kind == "cannot" and lines["Maks. løft 10 kg"].tasks == ("Opfyldning",)
    assert lines["Ikke længerevarende stående arbejde"].kind == "accommodate"
    light = position.model_copy(update={"tasks": position.tasks[:1]})
    (only,) = relevant_restrictions(candidate, light)[:1]
    assert only.kind == "limit" and "3 kg" in only.text


# ---- borger -------------------------------------------------------------------------------------------


def test_citizen_page_profile_suggestions_history_and_audit(anna, factory) -> None:
    client, token = anna
    position_id = create_position(client, token)
    match(client, token, position_id)
    body = client.get("/borgere/B-1").text.split("<main", 1)[1]
    assert "Ikke kontakt med fødevarer" in body and "centralt" in body
    assert "Rengøring og kantine" in body.split('id="foreslaaede"', 1)[1]     # supply-led suggestion
    assert "Delt stilling" in body.split('id="historik"', 1)[1]               # proposal history
    assert "1968" not in body and "Kvinde" not in body
    with session_scope(factory) as session:
        reads = session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.citizen_id == "B-1",
                                                             orm.AuditEntry.action == "read")).all()
        assert {e.actor for e in reads} == {"user:anna"}
        assert any(e.endpoint == "GET /borgere/B-1" for e in reads)
