"""The placement lifecycle in the consultant UI (issue 11, TestClient): outcome forms that offer only the
allowed moves, with the fields each needs and Danish errors that write nothing; Fortryd; the borger page's
employments, free hours and status history, and ending an employment; the stilling page's filled hours,
stale marks and a rematch that keeps the hire; Overblik; the secret calendar URL."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from models import orm
from models.db import session_scope
from service.http.web.calendar import FEED_ENDPOINT
from test_web_pages import anna, app, create_position, factory, login, match, template  # noqa: F401 - fixtures

TODAY = date.today()


def split_proposal(page: str) -> str:
    return re.search(r'id="forslag-([0-9a-f]+)"[^>]*>\s*<h3[^>]*>Forslag \d+: Delt stilling', page).group(1)


def person_block(page: str, proposal_id: str, candidate_id: str) -> str:
    start = page.index(f'id="udfald-{proposal_id}-{candidate_id}"')
    return page[start:page.index("</details>", start)]


def offered(block: str) -> set[str]:
    return set(re.findall(r'name="outcome" value="(\w+)"', block))


def matched_split(client: TestClient, token: str) -> tuple[str, str]:
    position_id = create_position(client, token)
    return position_id, split_proposal(match(client, token, position_id))


def post_outcome(client: TestClient, token: str, proposal_id: str, candidate_id: str, **fields: str):
    return client.post(f"/forslag/{proposal_id}/udfald", data={"csrf_token": token, "candidate_id": candidate_id,
                                                               **fields})


def hire(client: TestClient, token: str, proposal_id: str, candidate_id: str = "B-1", hours: str = "5",
         start: date = TODAY, **fields: str):
    return post_outcome(client, token, proposal_id, candidate_id, outcome="hired", hours_per_week=hours,
                        date=start.isoformat(), contract=fields.pop("contract", "permanent"), **fields)


def lifecycle_rows(factory) -> tuple[int, int, int]:
    """(events, employments, follow-ups): what a refused request must not have written."""
    with session_scope(factory) as session:
        return tuple(len(session.scalars(select(model)).all())
                     for model in (orm.ProposalEvent, orm.Employment, orm.FollowUp))


# ---- outcome forms --------------------------------------------------------------------------------------


def test_only_the_moves_the_persons_state_allows_are_offered(anna) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    page = client.get(f"/stillinger/{position_id}").text
    assert offered(person_block(page, proposal_id, "B-1")) == {"contacted", "praktik", "hired", "rejected", "withdrawn"}
    assert "Fortryd" not in person_block(page, proposal_id, "B-1")  # nothing recorded yet
    post_outcome(client, token, proposal_id, "B-1", outcome="praktik", date=TODAY.isoformat())
    page = client.get(f"/stillinger/{position_id}").text
    block = person_block(page, proposal_id, "B-1")
    assert offered(block) == {"hired", "rejected", "withdrawn"}
    assert "Hvorfor fortrydes «praktik»?" in block and ">Fortryd</button>" in block
    assert offered(person_block(page, proposal_id, "B-2")) == {"contacted", "praktik", "hired", "rejected", "withdrawn"}
    hire(client, token, proposal_id)
    block = person_block(client.get(f"/stillinger/{position_id}").text, proposal_id, "B-1")
    assert offered(block) == set() and "Forløbet er afsluttet for B-1." in block
    assert "Hvorfor fortrydes «ansat»?" in block


def test_the_hire_form_has_start_hours_contract_and_the_proposed_task_hours(anna) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    block = person_block(client.get(f"/stillinger/{position_id}").text, proposal_id, "B-1")
    for label in ("Startdato", "Timer pr. uge i alt", "Ansættelsesform", "Slutdato (kun tidsbegrænset)",
                  "Praktikkens start", "Praktikkens slut", "Begrundelse", "Afvist af"):
        assert f">{label}</label>" in block, label
    assert "Foreslået: Rengøring af kontorer 5 timer (arbejdsevne 5 timer)." in block
    assert re.search(r'name="hours_per_week" min="1" max="37" value="5"', block)
    assert "Fast ansættelse" in block and "Tidsbegrænset ansættelse" in block


def test_a_fixed_term_hire_without_end_date_is_refused_and_writes_nothing(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    before = lifecycle_rows(factory)
    refused = hire(client, token, proposal_id, hours="4", contract="fixed_term")
    assert refused.status_code == 422
    block = person_block(refused.text, proposal_id, "B-1")
    assert " open>" in block.split("\n", 1)[0]                    # that person's form is shown open
    assert "En tidsbegrænset ansættelse skal have en slutdato." in block
    assert 'value="4"' in block                                  # what was typed is kept
    assert lifecycle_rows(factory) == before
    ended = hire(client, token, proposal_id, hours="4", contract="fixed_term", end_date=TODAY.isoformat())
    assert ended.status_code == 422 and "slutdato efter startdatoen" in ended.text
    assert lifecycle_rows(factory) == before
    ok = hire(client, token, proposal_id, hours="4", contract="fixed_term",
              end_date=(TODAY + timedelta(days=180)).isoformat())
    assert "Udfald registreret for B-1: Ansat." in ok.text
    with session_scope(factory) as session:
        employment = session.scalars(select(orm.Employment)).one()
        assert (employment.contract, employment.end_date) == ("fixed_term", TODAY + timedelta(days=180))
        kinds = sorted(f.kind for f in session.scalars(select(orm.FollowUp)))
        assert kinds == ["first_week_call", "fixed_term_expiry"]


def task_ids(factory, position_id: str) -> dict[str, str]:
    with session_scope(factory) as session:
        return {t.title: t.task_id for t in session.get(orm.Position, position_id).tasks}


def test_a_hire_can_say_its_hours_per_task(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    ids = task_ids(factory, position_id)
    cleaning, canteen = f"task_hours-{ids['Rengøring af kontorer']}", f"task_hours-{ids['Kantine']}"
    block = person_block(client.get(f"/stillinger/{position_id}").text, proposal_id, "B-1")
    assert f'name="{cleaning}"' in block and f'name="{canteen}"' in block and "6 ledige timer" in block
    before = lifecycle_rows(factory)
    for fields, message in (
            ({"hours": "5", cleaning: "3", canteen: "1"}, "Timerne på opgaverne giver 4 timer, men der er angivet 5 timer i alt."),
            ({"hours": "", canteen: "5"}, "«Kantine» har 4 ledige timer; 5 timer er for mange."),
            ({"hours": "", cleaning: "to"}, "Timerne på opgaverne skal være hele tal.")):
        hours = fields.pop("hours")
        refused = hire(client, token, proposal_id, hours=hours, **fields)
        assert refused.status_code == 422 and message in person_block(refused.text, proposal_id, "B-1"), fields
    assert lifecycle_rows(factory) == before
    hired = hire(client, token, proposal_id, hours="", **{cleaning: "3", canteen: "2"})
    assert "Udfald registreret for B-1: Ansat." in hired.text
    with session_scope(factory) as session:
        employment = session.scalars(select(orm.Employment)).one()
        assert employment.hours_per_week == 5
        assert {t.task_id: t.hours for t in employment.tasks} == {ids["Rengøring af kontorer"]: 3, ids["Kantine"]: 2}
    kantine = hired.text.split("<strong>Kantine</strong>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">(\d+)', kantine) == ["4", "2", "2"]


def test_bad_fields_get_danish_messages_and_write_nothing(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    before = lifecycle_rows(factory)
    cases = [
        (dict(outcome="hired", hours_per_week="fem", date=TODAY.isoformat()), "Timer pr. uge skal være et helt tal."),
        (dict(outcome="hired", hours_per_week="", date=TODAY.isoformat()), "Skriv hvor mange timer om ugen"),
        (dict(outcome="hired", hours_per_week="6", date=TODAY.isoformat()), "6 timer er for mange"),
        (dict(outcome="hired", hours_per_week="3", contract="freelance"), "Vælg ansættelsesform"),
        (dict(outcome="praktik", date="2026-13-01"), "Datoen &#39;2026-13-01&#39; kan ikke læses"),
        (dict(outcome="praktik", date="2027-02-01", end_date="2027-01-01"), "Praktikkens slutdato ligger før dens start."),
        (dict(outcome="rejected", rejected_by="employer"), "Skriv en begrundelse, når forslaget afvises."),
        (dict(outcome="rejected", reason="For langt", rejected_by="naboen"), "Vælg hvem der afviste"),
        (dict(outcome="ansat"), "Vælg et gyldigt udfald."),
    ]
    for fields, message in cases:
        response = post_outcome(client, token, proposal_id, "B-1", **fields)
        assert response.status_code == 422, fields
        assert message in person_block(response.text, proposal_id, "B-1"), fields
    assert lifecycle_rows(factory) == before


def test_praktik_and_rejection_store_their_fields(anna, factory) -> None:
    client, token = anna
    _, proposal_id = matched_split(client, token)
    post_outcome(client, token, proposal_id, "B-1", outcome="praktik", date="2027-01-04")
    post_outcome(client, token, proposal_id, "B-2", outcome="rejected", reason="Virksomheden valgte en anden",
                 rejected_by="employer", date="2027-01-05")
    with session_scope(factory) as session:
        events = {e.candidate_id: e for e in session.scalars(select(orm.ProposalEvent))}
        assert (events["B-1"].effective_date, events["B-1"].end_date) == (date(2027, 1, 4), date(2027, 2, 1))
        assert (events["B-2"].reason, events["B-2"].rejected_by, events["B-2"].effective_date) == (
            "Virksomheden valgte en anden", "employer", date(2027, 1, 5))


def test_a_disallowed_move_is_a_409_with_the_form_shown_again(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id)
    before = lifecycle_rows(factory)
    response = post_outcome(client, token, proposal_id, "B-1", outcome="contacted")
    assert response.status_code == 409
    block = person_block(response.text, proposal_id, "B-1")
    assert "Personen står som «ansat», som er en afsluttet tilstand" in block and 'role="alert"' in block
    assert lifecycle_rows(factory) == before


def test_fortryd_annuls_the_latest_outcome_and_its_employment(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    post_outcome(client, token, proposal_id, "B-1", outcome="contacted")
    hire(client, token, proposal_id)
    undo = f"/forslag/{proposal_id}/fortryd"
    refused = client.post(undo, data={"csrf_token": token, "candidate_id": "B-1", "undo_reason": " "})
    assert refused.status_code == 422
    assert "Skriv hvorfor udfaldet fortrydes." in person_block(refused.text, proposal_id, "B-1")
    done = client.post(undo, data={"csrf_token": token, "candidate_id": "B-1",
                                   "undo_reason": "Registreret på den forkerte borger"})
    assert "Fortrudt for B-1: Ansat. Borgeren står nu som «kontaktet»." in done.text
    assert offered(person_block(done.text, proposal_id, "B-1")) == {"praktik", "hired", "rejected", "withdrawn"}
    assert "(fortrudt)" in done.text                             # kept in the history, marked
    with session_scope(factory) as session:
        employment = session.scalars(select(orm.Employment)).one()
        assert employment.annulled_at is not None
        assert session.get(orm.Position, position_id).status == "open"
        assert {f.kind for f in session.scalars(select(orm.FollowUp))} == {"contact_no_answer"}
        audit = session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.endpoint == f"POST {undo}")).all()
        assert [(a.citizen_id, a.detail) for a in audit] == [("B-1", "fortrudt: hired")]
    client.post(undo, data={"csrf_token": token, "candidate_id": "B-1", "undo_reason": "Heller ikke kontaktet"})
    nothing = client.post(undo, data={"csrf_token": token, "candidate_id": "B-1", "undo_reason": "Igen"})
    assert nothing.status_code == 409
    assert "Der er intet udfald at fortryde for denne person." in nothing.text


# ---- the borger page ---------------------------------------------------------------------------------------


def test_the_borger_page_shows_the_employment_free_hours_and_status_history(anna, factory) -> None:
    client, token = anna
    with session_scope(factory) as session:
        session.get(orm.Citizen, "B-1").ly_since = date(2025, 3, 1)
    _, proposal_id = matched_split(client, token)
    start = TODAY - timedelta(days=3)
    hire(client, token, proposal_id, start=start)
    body = client.get("/borgere/B-1").text.split("<main", 1)[1]
    jobs = body.split('id="ansaettelser"', 1)[1].split("</section>", 1)[0]
    for text in ("Bageriet A/S", "Rengøring og kantine", ">5</td>", start.strftime("%d.%m.%Y"), "Fast ansættelse",
                 "I job", "Afslut ansættelsen hos Bageriet A/S"):
        assert text in jobs, text
    assert re.search(r'id="ledige-timer">0 timer pr\. uge', body)
    assert "<dt>Søger flere timer</dt><dd>Nej</dd>" in body
    assert "19 måneder af de seneste 24" in body and "over 18-måneders-grænsen" in body
    assert "<dt>På ledighedsydelse siden</dt><dd>01.03.2025</dd>" in body
    history = body.split('id="statushistorik"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>\s*<td>([^<]+)</td></tr>", history)
    assert rows == [("I job", start.strftime("%d.%m.%Y"), "nu"),
                    ("Til rådighed", "01.03.2025", (start - timedelta(days=1)).strftime("%d.%m.%Y"))]
    assert 'class="badge">I job</span>' in body.split("</div>", 1)[0]   # today's status in the heading
    assert "Ansat" in body.split('id="historik"', 1)[1]               # the citizen's own state in the proposal
    assert "Borgeren er i job og er ikke til rådighed lige nu." in body


def test_ending_an_employment_from_the_borger_page(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    start = TODAY - timedelta(days=30)
    hire(client, token, proposal_id, start=start)
    with session_scope(factory) as session:
        employment_id = session.scalars(select(orm.Employment.id)).one()
    url = f"/ansaettelser/{employment_id}/afslut"
    for end_date, message in (("", "Skriv den sidste dag i jobbet."), ("31-12-2026", "kan ikke læses"),
                              ((start - timedelta(days=1)).isoformat(), "Slutdatoen ligger før ansættelsens start.")):
        refused = client.post(url, data={"csrf_token": token, "end_date": end_date, "ended_reason": "Lukket"})
        assert refused.status_code == 422 and message in refused.text, end_date
        assert 'value="Lukket"' in refused.text and "<details class=\"end-employment\" open>" in refused.text
    with session_scope(factory) as session:
        assert session.get(orm.Employment, employment_id).ended_at is None
    last_day = TODAY - timedelta(days=1)
    done = client.post(url, data={"csrf_token": token, "end_date": last_day.isoformat(),
                                  "ended_reason": "Virksomheden har lukket afdelingen"})
    assert f"Ansættelsen er afsluttet med sidste dag {last_day:%d.%m.%Y}." in done.text
    assert "Virksomheden har lukket afdelingen" in done.text and "Afslut ansættelsen" not in done.text
    assert re.search(r'id="ledige-timer">5 timer pr\. uge', done.text)
    with session_scope(factory) as session:
        assert session.get(orm.Position, position_id).status == "open"
        assert session.get(orm.Employment, employment_id).end_date == last_day


def test_another_jobcentres_employment_cannot_be_ended(app, anna) -> None:
    client, token = anna
    _, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id)
    with session_scope(app.state.session_factory) as session:
        employment_id = session.scalars(select(orm.Employment.id)).one()
    with TestClient(app) as other:
        bo_token = login(other, "bo")
        response = other.post(f"/ansaettelser/{employment_id}/afslut",
                              data={"csrf_token": bo_token, "end_date": TODAY.isoformat()})
        assert response.status_code == 404


# ---- the stilling page ------------------------------------------------------------------------------------


def test_filled_hours_per_task_and_the_position_status(anna) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    page = client.get(f"/stillinger/{position_id}").text
    assert "Stillingens status: <strong>Åben</strong> · 10 timer pr. uge er endnu ikke besat." in page
    hire(client, token, proposal_id, "B-1", "5")
    page = client.get(f"/stillinger/{position_id}").text
    cleaning = page.split("<strong>Rengøring af kontorer</strong>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num">(?:<span class="badge ok">)?(\d+)', cleaning) == ["6", "5", "1"]
    assert "5 timer pr. uge er endnu ikke besat." in page
    hire(client, token, proposal_id, "B-2", "4")
    page = client.get(f"/stillinger/{position_id}").text
    assert "Stillingens status: <strong>Åben</strong> · 1 time pr. uge er endnu ikke besat." in page


def test_stale_proposals_are_marked_and_a_rematch_keeps_the_hire(anna, factory) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id, "B-1", "5")
    page = client.get(f"/stillinger/{position_id}").text
    article = page.split(f'id="forslag-{proposal_id}"', 1)[1].split("</article>", 1)[0]
    assert "forældet" not in article                          # an outcome on a proposal never makes it stale
    with session_scope(factory) as session:
        session.get(orm.Citizen, "B-2").cv_text = "Har arbejdet i kantine"  # an edit of one of its citizens
    page = client.get(f"/stillinger/{position_id}").text
    article = page.split(f'id="forslag-{proposal_id}"', 1)[1].split("</article>", 1)[0]
    assert "forældet — kør matchning igen" in article and "registrerede udfald bevares" in article
    assert "forældet — kør matchning igen" in client.get("/borgere/B-2").text
    with session_scope(factory) as session:
        reads_before = stilling_reads_of(session, "B-1", position_id)
    rematched = match(client, token, position_id)
    assert "1 tidligere forslag med udfald er bevaret." in rematched
    kept = rematched.split(f'id="forslag-{proposal_id}"', 1)[1].split("</article>", 1)[0]
    assert "Tidligere forslag: Delt stilling" in kept and "forældet" not in kept
    assert "Udfald for B-1: <span class=\"badge ok\">Ansat</span>" in kept
    current = rematched.split('id="forslag"', 1)[1].split(f'id="forslag-{proposal_id}"', 1)[0]
    assert "Udfald for B-1" not in current                     # the hired citizen is proposed nowhere else
    with session_scope(factory) as session:
        assert session.scalars(select(orm.Employment)).one().annulled_at is None
        # B-1 is shown only through the kept proposal now, and that read is audited too.
        assert stilling_reads_of(session, "B-1", position_id) == reads_before + 1
        people = [p.candidate_id for p in session.scalars(
            select(orm.ProposalPerson).join(orm.Proposal).join(orm.MatchRun).where(orm.MatchRun.current.is_(True)))]
        assert "B-1" not in people


def stilling_reads_of(session, citizen_id: str, position_id: str) -> int:
    return len(session.scalars(select(orm.AuditEntry).where(
        orm.AuditEntry.citizen_id == citizen_id, orm.AuditEntry.action == "read",
        orm.AuditEntry.endpoint == f"GET /stillinger/{position_id}")).all())


# ---- Overblik -----------------------------------------------------------------------------------------------


def test_login_lands_on_overblik_with_the_nav_link(app) -> None:
    with TestClient(app) as client:
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert 'name="next" value="/overblik"' in page
        response = client.post("/login", data={"csrf_token": token, "username": "anna",
                                               "password": "anna-kodeord-1", "next": "/overblik"})
        assert response.url.path == "/overblik"
        assert re.search(r'<a href="[^"]*/overblik" aria-current="page">Overblik</a>', response.text)
        assert client.get("/", follow_redirects=False).headers["location"] == "/overblik"


def test_overblik_lists_what_needs_action_and_closes_a_followup(anna, factory) -> None:
    client, token = anna
    page = client.get("/overblik").text
    ly = page.split('id="ly-graense"', 1)[1].split("</section>", 1)[0]
    assert "1 borger med mindst 18 måneders ledighedsydelse" in ly and ">B-1</a>" in ly and "B-2" not in ly
    assert "Ingen opfølgninger i dag." in page
    position_id, proposal_id = matched_split(client, token)
    page = client.get("/overblik").text
    assert re.search(r"Rengøring og kantine</a> hos Bageriet A/S: \d forslag", page.split('id="nye-forslag"', 1)[1])
    hire(client, token, proposal_id, start=TODAY - timedelta(days=14))     # its first-week call is overdue
    page = client.get("/overblik").text
    assert "Alle nye forslag er behandlet." in page
    assert "Ingen borgere ved grænsen mangler et forløb." in page          # B-1 has a job now
    overdue = page.split('id="overskredet"', 1)[1].split("</ul>", 1)[0]
    assert "Opfølgning efter første uge i job" in overdue and "Ring til B-1 og virksomheden" in overdue
    followup_id = re.search(r'id="opfoelgning-([0-9a-f]+)"', overdue).group(1)
    done = client.post(f"/opfoelgning/{followup_id}/udfoert", data={"csrf_token": token, "note": "Alt vel"})
    assert done.url.path == "/overblik" and "Opfølgningen for B-1 er markeret som udført." in done.text
    assert "Ingen opfølgninger i dag." in done.text
    with session_scope(factory) as session:
        followup = session.get(orm.FollowUp, followup_id)
        assert followup.done_at is not None and followup.note == "Alt vel" and followup.done_by == "user:anna"
        listed = session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.endpoint == "GET /overblik")).all()
        assert {a.citizen_id for a in listed} == {"B-1"} and {a.actor for a in listed} == {"user:anna"}


def test_overblik_lists_stale_proposals(anna, factory) -> None:
    client, token = anna
    position_id, _ = matched_split(client, token)
    with session_scope(factory) as session:
        session.get(orm.Citizen, "B-2").cv_text = "Har arbejdet i kantine"
    stale = client.get("/overblik").text.split('id="foraeldede"', 1)[1].split("</section>", 1)[0]
    assert "Rengøring og kantine" in stale and "forældet — kør matchning igen" in stale
    assert re.search(r"\d (forældet|forældede) forslag", stale)


def test_another_jobcentre_sees_none_of_it_and_cannot_close_it(app, anna) -> None:
    client, token = anna
    _, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id, start=TODAY - timedelta(days=14))
    with session_scope(app.state.session_factory) as session:
        followup_id = session.scalars(select(orm.FollowUp.id)).one()
    with TestClient(app) as other:
        bo_token = login(other, "bo")
        page = other.get("/overblik").text
        assert "B-1" not in page and "Rengøring og kantine" not in page
        assert other.post(f"/opfoelgning/{followup_id}/udfoert", data={"csrf_token": bo_token}).status_code == 404
    with session_scope(app.state.session_factory) as session:
        assert session.get(orm.FollowUp, followup_id).done_at is None


# ---- the calendar URL ---------------------------------------------------------------------------------------


def test_the_calendar_url_serves_her_followups_and_renewing_replaces_it(anna, app, factory) -> None:
    client, token = anna
    assert "Du har ingen kalenderadresse endnu." in client.get("/kalender").text
    _, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id)
    made = client.post("/kalender/forny", data={"csrf_token": token}).text
    assert "Kalenderadressen er oprettet." in made and "vises kun denne ene gang" in made
    url = re.search(r'id="kalender-adresse" readonly value="([^"]+)"', made).group(1)
    path = url.removeprefix("http://testserver")
    assert re.fullmatch(r"/kalender/fm_[\w-]+\.ics", path)
    with session_scope(factory) as session:
        user = session.scalars(select(orm.User).where(orm.User.username == "anna")).one()
        assert user.calendar_token_hash and user.calendar_token_hash not in path   # only a hash is stored
    assert "Du har en kalenderadresse." in client.get("/kalender").text            # not shown again
    anonymous = TestClient(app)
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text and "Opfølgning efter første uge i job: B-1" in feed.text
    with session_scope(factory) as session:
        reads = session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.endpoint == FEED_ENDPOINT)).all()
        assert [(a.citizen_id, a.actor, a.action) for a in reads] == [("B-1", "user:anna", "read")]
        assert not session.scalars(select(orm.AuditEntry).where(orm.AuditEntry.endpoint.contains("fm_"))).all()
    renewed = client.post("/kalender/forny", data={"csrf_token": token}).text
    assert "Kalenderadressen er fornyet. Den gamle adresse virker ikke længere." in renewed
    new_path = re.search(r'id="kalender-adresse" readonly value="([^"]+)"', renewed).group(1).removeprefix(
        "http://testserver")
    assert new_path != path
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(new_path).status_code == 200
    assert anonymous.get("/kalender/fm_forkert-hemmelighed-123456.ics").status_code == 404
    assert anonymous.get("/kalender/ikke-et-token.ics").status_code == 404
    with session_scope(factory) as session:
        session.scalars(select(orm.User).where(orm.User.username == "anna")).one().active = False
    assert anonymous.get(new_path).status_code == 404                              # deactivated: dead URL


def test_another_consultants_calendar_has_only_her_jobcentres_followups(app, anna) -> None:
    client, token = anna
    _, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id)
    with TestClient(app) as other:
        bo_token = login(other, "bo")
        made = other.post("/kalender/forny", data={"csrf_token": bo_token}).text
        path = re.search(r'readonly value="([^"]+)"', made).group(1).removeprefix("http://testserver")
        feed = TestClient(app).get(path)
        assert feed.status_code == 200 and "BEGIN:VCALENDAR" in feed.text and "B-1" not in feed.text


def test_a_rematch_with_nothing_left_says_why_without_asking_to_reopen(anna) -> None:
    client, token = anna
    position_id, proposal_id = matched_split(client, token)
    hire(client, token, proposal_id, "B-1", "5")
    hire(client, token, proposal_id, "B-2", "4")
    page = match(client, token, position_id)
    assert "Stillingen har allerede 2 af højst 2 personer i job eller forløb." in page
    assert "Sæt status til Åben" not in page
    assert "Udfald for B-1: <span class=\"badge ok\">Ansat</span>" in page   # the hires are still shown
