"""Behaviour of the API endpoints: idempotent upserts, stored proposals with outcome history, supply-led
proposals, audit entries and data minimisation (both database backends)."""

from __future__ import annotations


from api_support import citizen_body, position_body


def test_put_citizen_is_idempotent_and_round_trips(api):
    h = api.as_("a")
    body = citizen_body(restrictions=[{"code": "no_food_contact"}, {"code": "no_dust", "severity": "soft"}])
    first = api.client.put("/api/v1/citizens/B-X", json=body, headers=h)
    second = api.client.put("/api/v1/citizens/B-X", json=body, headers=h)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()  # updated_at included: nothing was rewritten
    stored = api.client.get("/api/v1/citizens/B-X", headers=h).json()
    assert stored["restrictions"] == [{"code": "no_food_contact", "value": None, "severity": "hard"},
                                      {"code": "no_dust", "value": None, "severity": "soft"}]
    assert stored["jobcenter"] == "Horsens" and stored["postcode"] == "8700"
    changed = api.client.put("/api/v1/citizens/B-X", json=body | {"capacity_hours": 8}, headers=h)
    assert changed.status_code == 200 and changed.json()["capacity_hours"] == 8
    assert changed.json()["updated_at"] > first.json()["updated_at"]


def test_put_refuses_mismatched_id_and_invalid_fields_in_danish(api):
    h = api.as_("a")
    answer = api.client.put("/api/v1/citizens/B-X", json=citizen_body(id="B-Y"), headers=h)
    assert answer.status_code == 422 and answer.json()["errors"] == [
        {"field": "id", "message": "skal være 'B-X' som i adressen"}]
    answer = api.client.put("/api/v1/citizens/B-X", json=citizen_body(capacity_hours=0, restrictions=[
        {"code": "max_lifting_kg"}], colour="blå"), headers=h)
    body = answer.json()
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["capacity_hours"] == "skal være mindst 1"
    assert fields["colour"] == "ukendt felt"
    assert "kræver en værdi" in fields["restrictions.0"]
    assert api.client.get("/api/v1/citizens/B-X", headers=h).status_code == 404  # nothing half-written


def test_position_upsert_replaces_tasks_and_requires_a_known_employer(api):
    h = api.as_("a")
    body = position_body("V-A", tasks=[{"id": "k1", "title": "Kaffe", "hours_per_week": 2}])
    answer = api.client.put("/api/v1/positions/S-A", json=body, headers=h)
    assert answer.status_code == 200
    assert [t["id"] for t in answer.json()["tasks"]] == ["k1"]
    assert api.client.get("/api/v1/positions/S-A", headers=h).json()["employer"]["name"] == "Virksomhed A"
    unknown = api.client.put("/api/v1/positions/S-Z", json=position_body("V-ukendt"), headers=h)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "employer_id"
    twice = position_body("V-A", tasks=[{"id": "k1", "title": "a", "hours_per_week": 1},
                                        {"id": "k1", "title": "b", "hours_per_week": 1}])
    answer = api.client.put("/api/v1/positions/S-Z", json=twice, headers=h)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "tasks"


def test_stored_proposals_have_ids_and_a_full_outcome_history(api):
    h = api.as_("a")
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=h).json()
    assert run["ranking"] and run["proposals"]
    proposal = run["proposals"][0]
    pid, person = proposal["proposal_id"], proposal["people"][0]["candidate_id"]
    assert proposal["status"] == "open"
    rejected = api.client.patch(f"/api/v1/proposals/{pid}", json={"outcome": "rejected", "candidate_id": person,
                                                                "rejected_by": "employer"}, headers=h)
    assert rejected.status_code == 422 and rejected.json()["errors"][0]["field"] == "reason"
    api.client.patch(f"/api/v1/proposals/{pid}", json={"outcome": "contacted", "candidate_id": person}, headers=h)
    answer = api.client.patch(f"/api/v1/proposals/{pid}", json={
        "outcome": "rejected", "candidate_id": person, "rejected_by": "employer", "reason": "For travlt"}, headers=h)
    out = answer.json()
    assert answer.status_code == 200 and out["current"] is True
    mine = next(p for p in out["people"] if p["candidate_id"] == person)
    assert mine["status"] == "rejected"
    assert [(e["outcome"], e["reason"]) for e in mine["history"]] == [("contacted", None), ("rejected", "For travlt")]
    assert all(e["actor"].startswith("token:") and e["at"] for e in out["history"])
    # A new run retires the old one; the outcome stays with the proposal that was shown.
    api.client.post("/api/v1/positions/S-A/proposals", headers=h)
    listed = api.client.get("/api/v1/positions/S-A/proposals", headers=h).json()["proposals"]
    kept = next(p for p in listed if p["proposal_id"] == pid)
    assert kept["current"] is False and len(kept["history"]) == 2


def test_closed_position_cannot_be_matched(api):
    h = api.as_("a")
    api.client.put("/api/v1/positions/S-A", json=position_body("V-A", status="closed"), headers=h)
    assert api.client.post("/api/v1/positions/S-A/proposals", headers=h).status_code == 409


def test_citizen_proposals_rank_open_positions_of_the_citizens_jobcenter(api):
    h = api.as_("a")
    api.client.put("/api/v1/positions/S-A2", json=position_body("V-A", title="Lager", tasks=[
        {"id": "l1", "title": "Pakning", "hours_per_week": 4, "competences": ["pakkearbejde"],
         "demands": {"lifting_kg": 25}}]), headers=h)
    api.client.put("/api/v1/positions/S-A3", json=position_body("V-A", title="Lukket", status="closed"), headers=h)
    answer = api.client.get("/api/v1/citizens/B-A1/proposals", headers=h)
    out = answer.json()
    assert answer.status_code == 200 and out["positions_considered"] == 2  # closed and B's positions not counted
    assert [p["position_id"] for p in out["positions"]] == ["S-A"]  # 25 kg breaks the hard 10 kg limit
    first = out["positions"][0]
    assert first["employer_name"] == "Virksomhed A" and set(first["feasible_tasks"]) == {"t1", "t2"}


def test_every_read_and_change_of_citizen_data_is_audited(api):
    h = api.as_("a")
    api.client.get("/api/v1/citizens/B-A2", headers=h)
    api.client.get("/api/v1/citizens/B-A2/proposals", headers=h)
    api.client.delete("/api/v1/citizens/B-A3", headers=h)
    log = api.client.get("/api/v1/audit", params={"limit": 1000}, headers=api.as_("admin")).json()["entries"]
    seen = {(e["citizen_id"], e["action"], e["endpoint"]) for e in log}
    assert ("B-A2", "read", "GET /api/v1/citizens/{id}") in seen
    assert ("B-A2", "read", "GET /api/v1/citizens/{id}/proposals") in seen
    assert ("B-A3", "delete", "DELETE /api/v1/citizens/{id}") in seen
    assert ("B-A1", "create", "PUT /api/v1/citizens/{id}") in seen
    assert ("B-A1", "match", "POST /api/v1/positions/{id}/proposals") in seen
    assert all(e["actor"] and e["at"] and e["role"] for e in log)
    only = api.client.get("/api/v1/audit", params={"citizen_id": "B-A2"}, headers=api.as_("admin")).json()["entries"]
    assert {e["citizen_id"] for e in only} == {"B-A2"}


def test_match_lists_carry_only_restrictions_relevant_to_the_tasks(api):
    h = api.as_("a")
    # Soft dust (touched by no task) and soft standing (touched by t1): only standing may be shown.
    api.client.put("/api/v1/citizens/B-A1", json=citizen_body(restrictions=[
        {"code": "no_dust", "severity": "soft"}, {"code": "no_prolonged_standing", "severity": "soft"}]), headers=h)
    run = api.client.post("/api/v1/positions/S-A/proposals", headers=h).json()
    supply = api.client.get("/api/v1/citizens/B-A1/proposals", headers=h).json()
    for text in (str(run), str(supply)):
        assert "no_dust" not in text and "støv" not in text.lower()
        assert "birth_year" not in text and "gender" not in text
    entry = next(r for r in run["ranking"] if r["candidate_id"] == "B-A1")
    assert {a["restriction"] for a in entry["explanation"]["accommodations"]} == {"no_prolonged_standing"}


def test_stateless_match_stores_nothing(api):
    from service.http.api.schemas import MATCH_REQUEST_EXAMPLE

    answer = api.client.post("/api/v1/match", json=MATCH_REQUEST_EXAMPLE, headers=api.as_("a"))
    assert answer.status_code == 200 and answer.json()["position_id"] == "S-1"
    assert api.client.get("/api/v1/positions/S-1", headers=api.as_("admin")).status_code == 404


def test_health_needs_no_token(api):
    assert api.client.get("/api/v1/health").json() == {"status": "ok", "database": "ok"}
