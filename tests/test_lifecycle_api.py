"""Contract tests of the placement lifecycle (docs/lifecycle.md) over the HTTP API, on SQLite and PostgreSQL:
outcomes per person and their allowed moves, undo, employments, the consequences every kind of matching sees,
follow-ups as JSON and iCalendar, a position's proposals with staleness, and tenant isolation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from api_support import citizen_body, position_body
from models.lifecycle import followup_due

TODAY = date.today()


def _proposal(api, kind: str, position: str) -> dict:
    run = api.client.post(f"/api/v1/positions/{position}/proposals", headers=api.as_("a")).json()
    return next(p for p in run["proposals"] if p["kind"] == kind)


def _split(api, position: str = "S-A") -> dict:
    return _proposal(api, "split", position)


def _single(api, position: str = "S-A") -> dict:
    return _proposal(api, "single", position)


def _patch(api, proposal_id: str, body: dict, who: str = "a"):
    return api.client.patch(f"/api/v1/proposals/{proposal_id}", json=body, headers=api.as_(who))


def _hire(candidate_id: str, hours: int = 4, **extra) -> dict:
    return {"outcome": "hired", "candidate_id": candidate_id, "hours_per_week": hours, "contract": "permanent"} | extra


def _citizen(api, citizen_id: str, who: str = "a") -> dict:
    return api.client.get(f"/api/v1/citizens/{citizen_id}", headers=api.as_(who)).json()


def _hired(api, **hire) -> tuple[dict, str, str]:
    """The person of a single proposal hired (4 hours unless told): the proposal, the person, the employment id."""
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], _hire(person, **({"hours": 4} | hire)))
    return single, person, _citizen(api, person)["employments"][0]["employment_id"]


# ---- outcomes per person ---------------------------------------------------------------------------------


def test_an_outcome_on_a_split_names_its_person(api):
    split = _split(api)
    missing = _patch(api, split["proposal_id"], {"outcome": "contacted"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "candidate_id"
    first, second = (p["candidate_id"] for p in split["people"])
    answer = _patch(api, split["proposal_id"], {"outcome": "contacted", "candidate_id": first})
    assert answer.status_code == 200, answer.text
    people = {p["candidate_id"]: p for p in answer.json()["people"]}
    assert people[first]["status"] == "contacted" and people[second]["status"] == "open"
    assert answer.json()["status"] == "contacted"
    assert [e["outcome"] for e in people[first]["history"]] == ["contacted"] and not people[second]["history"]
    stranger = _patch(api, split["proposal_id"], {"outcome": "contacted", "candidate_id": "B-B1"})
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "candidate_id"


def test_only_allowed_moves_and_a_backward_move_is_409_naming_both_states(api):
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    assert _patch(api, single["proposal_id"], {"outcome": "contacted", "candidate_id": person}).status_code == 200
    assert _patch(api, single["proposal_id"], {"outcome": "praktik", "candidate_id": person}).status_code == 200
    hired = _patch(api, single["proposal_id"], _hire(person))
    assert hired.status_code == 200 and hired.json()["status"] == "hired"
    backward = _patch(api, single["proposal_id"], {"outcome": "contacted", "candidate_id": person})
    assert backward.status_code == 409 and backward.headers["content-type"] == "application/problem+json"
    assert "ansat" in backward.json()["detail"] and "kontaktet" in backward.json()["detail"]


def test_each_outcome_requires_its_fields(api):
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    pid = single["proposal_id"]
    no_reason = _patch(api, pid, {"outcome": "rejected", "candidate_id": person, "rejected_by": "employer"})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    no_who = _patch(api, pid, {"outcome": "rejected", "candidate_id": person, "reason": "Passer ikke"})
    assert no_who.status_code == 422 and no_who.json()["errors"][0]["field"] == "rejected_by"
    no_hours = _patch(api, pid, {"outcome": "hired", "candidate_id": person, "contract": "permanent"})
    assert no_hours.status_code == 422 and no_hours.json()["errors"][0]["field"] == "hours_per_week"
    fixed = _patch(api, pid, _hire(person, contract="fixed_term"))
    assert fixed.status_code == 422 and fixed.json()["errors"][0]["field"] == "end_date"
    too_many = _patch(api, pid, _hire(person, hours=7))  # capacity 6
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "hours_per_week"
    assert "6" in too_many.json()["detail"]
    unknown = _patch(api, pid, {"outcome": "married", "candidate_id": person})
    assert unknown.status_code == 422
    praktik = _patch(api, pid, {"outcome": "praktik", "candidate_id": person, "date": "2026-11-02"})
    event = praktik.json()["people"][0]["history"][0]
    assert event["date"] == "2026-11-02" and event["end_date"] == "2026-11-30"  # start + 28 days


# ---- hired: employments and their consequences ----------------------------------------------------------


def test_hired_creates_an_employment_and_the_citizen_and_position_show_it(api):
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    start = TODAY - timedelta(days=3)
    hired = _patch(api, single["proposal_id"], _hire(person, hours=4, date=start.isoformat()))
    assert hired.status_code == 200, hired.text
    citizen = _citizen(api, person)
    assert citizen["status"] == "employed" and citizen["available_hours"] == 2
    (employment,) = citizen["employments"]
    assert employment | {"employment_id": "x"} == {
        "employment_id": "x", "citizen_id": person, "position_id": "S-A", "employer_id": "V-A", "hours_per_week": 4,
        "start_date": start.isoformat(), "end_date": None, "contract": "permanent", "status": "active",
        "ended_reason": None}
    assert citizen["status_history"][-1] == {"status": "employed", "from": start.isoformat(), "to": None}
    position = api.client.get("/api/v1/positions/S-A", headers=api.as_("a")).json()
    assert sum(t["hours_filled"] for t in position["tasks"]) == 4 and position["status"] == "open"


def test_a_position_whose_every_task_is_filled_is_filled_and_not_matched(api):
    h = api.as_("a")
    api.client.put("/api/v1/positions/S-F", json=position_body("V-A", max_people=1, tasks=[
        {"id": "t1", "title": "Rengøring", "hours_per_week": 4, "competences": ["rengøring"]}]), headers=h)
    single = _single(api, "S-F")
    person = single["people"][0]["candidate_id"]
    assert _patch(api, single["proposal_id"], _hire(person, hours=4)).status_code == 200
    assert api.client.get("/api/v1/positions/S-F", headers=h).json()["status"] == "filled"
    assert api.client.post("/api/v1/positions/S-F/proposals", headers=h).status_code == 409


def test_a_hired_citizen_leaves_the_pool_unless_seeking_more_hours(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], _hire(person, hours=4))
    api.client.put("/api/v1/positions/S-A2", json=position_body("V-A"), headers=h)
    run = api.client.post("/api/v1/positions/S-A2/proposals", headers=h).json()
    assert person not in {e["candidate_id"] for e in run["ranking"]}
    assert person not in {p["candidate_id"] for prop in run["proposals"] for p in prop["people"]}
    assert api.client.get(f"/api/v1/citizens/{person}/proposals", headers=h).json()["positions"] == []
    api.client.put(f"/api/v1/citizens/{person}", json=citizen_body(seeks_more_hours=True), headers=h)
    run = api.client.post("/api/v1/positions/S-A2/proposals", headers=h).json()
    offered = {e["candidate_id"]: e["hours_offered"] for e in run["ranking"]}
    assert offered[person] == 2  # only the hours left beside the employment
    for prop in run["proposals"]:
        for p in prop["people"]:
            if p["candidate_id"] == person:
                assert sum(a["hours_per_week"] for a in p["assignments"]) <= 2


def test_ending_an_employment_returns_the_citizen_the_day_after_and_unfills_the_position(api):
    start = TODAY - timedelta(days=40)
    _, person, employment = _hired(api, date=start.isoformat())
    end = TODAY - timedelta(days=2)
    ended = api.client.patch(f"/api/v1/employments/{employment}", json={"end_date": end.isoformat(),
                                                                        "ended_reason": "Opgaverne stoppede"},
                             headers=api.as_("a"))
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    citizen = _citizen(api, person)
    assert citizen["status"] == "available" and citizen["available_hours"] == 6
    assert citizen["status_history"][-2:] == [
        {"status": "employed", "from": start.isoformat(), "to": end.isoformat()},
        {"status": "available", "from": (end + timedelta(days=1)).isoformat(), "to": None}]
    position = api.client.get("/api/v1/positions/S-A", headers=api.as_("a")).json()
    assert sum(t["hours_filled"] for t in position["tasks"]) == 0
    before = api.client.patch(f"/api/v1/employments/{employment}", json={"end_date": "2000-01-01"},
                              headers=api.as_("a"))
    assert before.status_code == 422 and before.json()["errors"][0]["field"] == "end_date"


def test_an_ended_employment_may_close_the_position(api):
    _, person, employment = _hired(api)
    api.client.patch(f"/api/v1/employments/{employment}", json={"end_date": TODAY.isoformat(),
                                                                "position_closed": True}, headers=api.as_("a"))
    assert api.client.get("/api/v1/positions/S-A", headers=api.as_("a")).json()["status"] == "closed"


def test_paid_hours_per_month(api):
    _, person, employment = _hired(api)
    url = f"/api/v1/employments/{employment}/hours/2026-11"
    assert api.client.put(url, json={"paid_hours": 17.5}, headers=api.as_("a")).json()["paid_hours"] == 17.5
    assert api.client.put(url, json={"paid_hours": 18}, headers=api.as_("a")).status_code == 200
    bad_month = api.client.put(f"/api/v1/employments/{employment}/hours/2026-13", json={"paid_hours": 1},
                               headers=api.as_("a"))
    assert bad_month.status_code == 422
    negative = api.client.put(url, json={"paid_hours": -1}, headers=api.as_("a"))
    assert negative.status_code == 422 and negative.json()["errors"][0]["field"] == "paid_hours"


# ---- reservations and rejections --------------------------------------------------------------------------


def test_praktik_and_contacted_reserve_the_person_everywhere_else(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], {"outcome": "praktik", "candidate_id": person})
    api.client.put("/api/v1/positions/S-A2", json=position_body("V-A", title="Kantinehjælp"), headers=h)
    run = api.client.post("/api/v1/positions/S-A2/proposals", headers=h).json()
    reasons = {e["candidate_id"]: e["reasons"] for e in run["excluded"]}
    assert reasons[person][0]["code"] == "unavailable" and "praktik" in reasons[person][0]["detail"]
    assert person not in {p["candidate_id"] for prop in run["proposals"] for p in prop["people"]}


def test_a_rejected_citizen_is_never_proposed_for_that_position_again(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    answer = _patch(api, single["proposal_id"], {"outcome": "rejected", "candidate_id": person,
                                                 "rejected_by": "employer", "reason": "For travlt køkken"})
    assert answer.status_code == 200 and answer.json()["status"] == "rejected"
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=h).json()
    reasons = {e["candidate_id"]: e["reasons"] for e in run["excluded"]}
    (reason,) = reasons[person]
    assert reason["code"] == "rejected_before"
    assert "virksomheden" in reason["detail"] and "For travlt køkken" in reason["detail"]
    assert person not in {p["candidate_id"] for prop in run["proposals"] for p in prop["people"]}
    api.client.put("/api/v1/positions/S-A2", json=position_body("V-A"), headers=h)
    other = api.client.post("/api/v1/positions/S-A2/proposals", headers=h).json()
    assert person in {e["candidate_id"] for e in other["ranking"]}  # only that position is closed to her


def test_withdrawn_blocks_nothing(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    assert _patch(api, single["proposal_id"], {"outcome": "withdrawn", "candidate_id": person}).status_code == 200
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=h).json()
    assert person in {e["candidate_id"] for e in run["ranking"]}


# ---- undo -------------------------------------------------------------------------------------------------


def test_undo_annuls_the_latest_event_and_reverses_a_hire(api):
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    pid = single["proposal_id"]
    _patch(api, pid, {"outcome": "contacted", "candidate_id": person})
    _patch(api, pid, _hire(person, hours=4))
    undone = api.client.post(f"/api/v1/proposals/{pid}/undo", json={"candidate_id": person,
                                                                   "reason": "Forkert borger"}, headers=api.as_("a"))
    assert undone.status_code == 200, undone.text
    (mine,) = undone.json()["people"]
    assert mine["status"] == "contacted"
    assert [(e["outcome"], e["annulled"]) for e in mine["history"]] == [("contacted", False), ("hired", True)]
    assert mine["history"][1]["annul_reason"] == "Forkert borger"
    citizen = _citizen(api, person)
    assert citizen["employments"] == [] and citizen["available_hours"] == 6
    assert api.client.get("/api/v1/positions/S-A", headers=api.as_("a")).json()["status"] == "open"
    again = api.client.post(f"/api/v1/proposals/{pid}/undo", json={"candidate_id": person, "reason": "også"},
                            headers=api.as_("a"))
    assert again.status_code == 200 and again.json()["people"][0]["status"] == "open"
    nothing = api.client.post(f"/api/v1/proposals/{pid}/undo", json={"candidate_id": person, "reason": "x"},
                              headers=api.as_("a"))
    assert nothing.status_code == 409


def test_undo_of_a_rejection_lets_the_citizen_be_proposed_again(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], {"outcome": "rejected", "candidate_id": person, "rejected_by": "citizen",
                                        "reason": "Ønsker ikke kantine"})
    api.client.post(f"/api/v1/proposals/{single['proposal_id']}/undo", json={"reason": "Misforståelse"}, headers=h)
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=h).json()
    assert person in {e["candidate_id"] for e in run["ranking"]}


# ---- follow-ups -------------------------------------------------------------------------------------------


def test_a_hire_and_a_praktik_create_follow_ups_on_working_days(api):
    h = api.as_("a")
    split = _split(api)
    first, second = (p["candidate_id"] for p in split["people"])
    start = date(2026, 12, 18)  # a Friday: +7 days is Christmas Day, next working day is 28 December
    end = date(2027, 6, 7)
    _patch(api, split["proposal_id"], _hire(first, hours=4, date=start.isoformat(), contract="fixed_term",
                                            end_date=end.isoformat()))
    _patch(api, split["proposal_id"], {"outcome": "praktik", "candidate_id": second, "date": "2026-12-01",
                                       "end_date": "2026-12-26"})
    listed = api.client.get("/api/v1/followups", headers=h).json()["followups"]
    due = {(f["kind"], f["citizen_id"]): f["due_date"] for f in listed}
    assert due[("first_week_call", first)] == "2026-12-28"
    assert due[("fixed_term_expiry", first)] == followup_due("fixed_term_expiry", end).isoformat()
    assert due[("praktik_end", second)] == "2026-12-28"  # 26 December is a holiday, 27 a Sunday
    assert all(f["detail"] for f in listed)
    soon = api.client.get("/api/v1/followups", params={"due_before": "2026-12-28"}, headers=h).json()["followups"]
    assert {f["kind"] for f in soon} == {"first_week_call", "praktik_end"}
    call = next(f for f in listed if f["kind"] == "first_week_call")
    done = api.client.patch(f"/api/v1/followups/{call['followup_id']}", json={"done": True, "note": "Godt i gang"},
                            headers=h)
    assert done.status_code == 200 and done.json()["done_at"] and done.json()["note"] == "Godt i gang"
    assert call["followup_id"] not in {f["followup_id"] for f in api.client.get(
        "/api/v1/followups", headers=h).json()["followups"]}
    assert call["followup_id"] in {f["followup_id"] for f in api.client.get(
        "/api/v1/followups", params={"state": "done"}, headers=h).json()["followups"]}


def test_contact_with_no_answer_is_followed_up_until_something_follows(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], {"outcome": "contacted", "candidate_id": person, "date": "2026-12-02"})
    kinds = [f["kind"] for f in api.client.get("/api/v1/followups", headers=h).json()["followups"]]
    assert kinds == ["contact_no_answer"]
    _patch(api, single["proposal_id"], {"outcome": "withdrawn", "candidate_id": person})
    assert api.client.get("/api/v1/followups", headers=h).json()["followups"] == []


def test_the_follow_ups_as_an_icalendar_feed(api):
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], _hire(person, hours=4, date="2027-01-04"))
    answer = api.client.get("/api/v1/followups.ics", headers=api.as_("a"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == date(2027, 1, 11) and person in str(events[0]["summary"])
    assert api.client.get("/api/v1/followups.ics").status_code == 401


# ---- a position's proposals, staleness, rematch ---------------------------------------------------------


def test_a_positions_proposals_keep_outcomes_across_runs_and_edits_make_them_stale(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], {"outcome": "contacted", "candidate_id": person})
    listed = api.client.get("/api/v1/positions/S-A/proposals", headers=h).json()["proposals"]
    assert {p["proposal_id"] for p in listed} >= {single["proposal_id"]}
    mine = next(p for p in listed if p["proposal_id"] == single["proposal_id"])
    assert not mine["stale"]  # its own outcome does not make it stale ...
    others = [p for p in listed if person in {q["candidate_id"] for q in p["people"]} and p is not mine]
    assert all(p["stale"] for p in others)  # ... but holding the person makes the other proposals with her stale
    assert set(mine) >= {"proposal_id", "run_id", "created_at", "stale", "status", "people"}
    assert mine["people"][0]["status"] == "contacted"
    api.client.put("/api/v1/positions/S-A", json=position_body("V-A", title="Ny titel"), headers=h)
    listed = api.client.get("/api/v1/positions/S-A/proposals", headers=h).json()["proposals"]
    assert all(p["stale"] for p in listed)
    api.client.post("/api/v1/positions/S-A/proposals", headers=h)
    listed = api.client.get("/api/v1/positions/S-A/proposals", headers=h).json()["proposals"]
    kept = next(p for p in listed if p["proposal_id"] == single["proposal_id"])
    assert kept["current"] is False and kept["people"][0]["status"] == "contacted"
    assert all(not p["stale"] for p in listed if p["current"])
    assert all(person not in {q["candidate_id"] for q in p["people"]} for p in listed if p["current"])


def test_a_rematch_keeps_what_people_did_and_solves_the_rest(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], _hire(person, hours=4))
    job = api.client.post("/api/v1/rematch", json={}, headers=h)
    api.client.app.state.rematch_runner.wait(job.json()["job_id"], 60)
    assert api.client.get(f"/api/v1/jobs/{job.json()['job_id']}", headers=h).json()["state"] == "done"
    listed = api.client.get("/api/v1/positions/S-A/proposals", headers=h).json()["proposals"]
    hired = next(p for p in listed if p["proposal_id"] == single["proposal_id"])
    assert hired["people"][0]["status"] == "hired"
    current = [p for p in listed if p["current"]]
    assert all(person not in {q["candidate_id"] for q in p["people"]} for p in current)
    assert all(p["hours_requested"] == 9 - 4 for p in current)  # only the unfilled hours


def test_ly_since_and_seeks_more_hours_round_trip_and_start_the_history(api):
    h = api.as_("a")
    body = citizen_body(ly_since="2025-03-01", seeks_more_hours=False)
    assert api.client.put("/api/v1/citizens/B-L", json=body, headers=h).status_code == 201
    citizen = _citizen(api, "B-L")
    assert citizen["ly_since"] == "2025-03-01" and citizen["seeks_more_hours"] is False
    assert citizen["status_history"] == [{"status": "available", "from": "2025-03-01", "to": None}]
    again = api.client.put("/api/v1/citizens/B-L", json=citizen_body(), headers=h)  # fields left out: kept
    assert again.json()["ly_since"] == "2025-03-01"
    wrong = api.client.put("/api/v1/citizens/B-L", json=citizen_body(seeks_more_hours=0), headers=h)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "seeks_more_hours"


# ---- tenants ------------------------------------------------------------------------------------------------


def test_another_jobcentres_proposals_employments_and_follow_ups_answer_404(api):
    single, person, employment = _hired(api)
    followup = api.client.get("/api/v1/followups", headers=api.as_("a")).json()["followups"][0]["followup_id"]
    b = api.as_("b")
    assert _patch(api, single["proposal_id"], {"outcome": "withdrawn", "candidate_id": person}, who="b").status_code == 404
    assert api.client.post(f"/api/v1/proposals/{single['proposal_id']}/undo", json={"reason": "x"},
                           headers=b).status_code == 404
    assert api.client.get("/api/v1/positions/S-A/proposals", headers=b).status_code == 404
    assert api.client.patch(f"/api/v1/employments/{employment}", json={"end_date": TODAY.isoformat()},
                            headers=b).status_code == 404
    assert api.client.put(f"/api/v1/employments/{employment}/hours/2026-11", json={"paid_hours": 3},
                          headers=b).status_code == 404
    assert api.client.patch(f"/api/v1/followups/{followup}", json={"done": True}, headers=b).status_code == 404
    assert api.client.get("/api/v1/followups", headers=b).json()["followups"] == []
    assert api.client.get("/api/v1/followups", headers=api.as_("case")).json()["followups"]


@pytest.mark.parametrize("path", ["/api/v1/employments/abc", "/api/v1/followups/abc"])
def test_unknown_lifecycle_ids_answer_404(api, path):
    assert api.client.patch(path, json={"done": True} if "followups" in path else {"end_date": "2026-12-01"},
                            headers=api.as_("a")).status_code == 404


def test_a_position_read_with_its_filled_hours_can_be_sent_back_unchanged(api):
    h = api.as_("a")
    single = _single(api)
    _patch(api, single["proposal_id"], _hire(single["people"][0]["candidate_id"], hours=4))
    read = api.client.get("/api/v1/positions/S-A", headers=h).json()
    body = {k: read[k] for k in ("title", "tasks", "max_people", "min_hours_per_person", "location")} | {
        "employer_id": read["employer"]["id"]}
    back = api.client.put("/api/v1/positions/S-A", json=body, headers=h)
    assert back.status_code == 200, back.text
    assert [t["hours_filled"] for t in back.json()["tasks"]] == [t["hours_filled"] for t in read["tasks"]]


def test_a_citizen_read_with_her_employments_can_be_sent_back_and_keeps_them(api):
    h = api.as_("a")
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    _patch(api, single["proposal_id"], _hire(person, hours=4))
    read = api.client.get(f"/api/v1/citizens/{person}", headers=h).json()
    assert read["employments"] and read["status_history"]
    sent = read | {"available_hours": 37, "employments": [], "status_history": [], "active": False}
    back = api.client.put(f"/api/v1/citizens/{person}", json=sent, headers=h)
    assert back.status_code == 200, back.text
    kept = back.json()
    assert (kept["employments"], kept["available_hours"], kept["active"]) == (
        read["employments"], read["available_hours"], read["active"])   # read-only fields are ignored


def test_an_outcome_for_a_deleted_citizen_is_refused_in_danish(api):
    single = _single(api)
    person = single["people"][0]["candidate_id"]
    assert api.client.delete(f"/api/v1/citizens/{person}", headers=api.as_("a")).status_code == 204
    answer = _patch(api, single["proposal_id"], {"outcome": "contacted", "candidate_id": person})
    assert answer.status_code == 422 and "findes ikke længere" in answer.json()["detail"]
