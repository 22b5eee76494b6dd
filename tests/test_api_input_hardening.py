"""Input that used to end in a 500 or in a misleading answer (issue 13, Medium 4–6 and Low): ids with "/",
NUL characters and NaN/Infinity (on PostgreSQL too), oversized stateless matches, malformed JSON, strict
booleans, 405 with the right Allow, and an OpenAPI document whose references all resolve."""

from __future__ import annotations

import json
import re

from api_support import citizen_body
from models.schemas import MAX_MATCH_CANDIDATES
from test_api_errors import _is_problem

POSITION = {"id": "S-1", "title": "Rengøring", "employer": {"id": "V-1", "name": "Bageriet"},
            "tasks": [{"id": "t1", "title": "Rengøring", "hours_per_week": 4}]}


def _raw_put(api, path: str, text: str, who: str = "a"):
    return api.client.put(path, content=text.encode("utf-8"),
                          headers={**api.as_(who), "Content-Type": "application/json"})


def test_ids_with_a_slash_are_refused_with_a_danish_message(api):
    body = _is_problem(api.client.post("/api/v1/match", json={
        "position": POSITION, "candidates": [{"id": "IMP/SLASH", "capacity_hours": 4}]}, headers=api.as_("a")), 422)
    assert body["errors"] == [{"field": "candidates.0.id",
                               "message": "må ikke være tom og må ikke indeholde '/' eller styretegn"}]
    task = {**POSITION["tasks"][0], "id": "t/1"}
    answer = api.client.put("/api/v1/positions/S-A", json={"title": "x", "employer_id": "V-A", "tasks": [task]},
                            headers=api.as_("a"))
    assert [e["field"] for e in _is_problem(answer, 422)["errors"]] == ["tasks.0.id"]
    answer = api.client.put("/api/v1/employers/V-X", json={"id": "V/X", "name": "Skolen"}, headers=api.as_("a"))
    assert _is_problem(answer, 422)["errors"][0]["field"] == "id"


def test_nul_characters_are_refused_everywhere_on_every_backend(api):
    body = _is_problem(api.client.put("/api/v1/citizens/B-N", json=citizen_body(cv_text="Diagnose\x00x"),
                                      headers=api.as_("a")), 422)
    assert body["errors"] == [{"field": "cv_text", "message": "må ikke indeholde NUL-tegn (\\u0000)"}]
    nested = citizen_body(attributes={"note\x00": "x", "ok": ["a\x00"]})
    fields = [e["field"] for e in _is_problem(api.client.put("/api/v1/citizens/B-N", json=nested,
                                                             headers=api.as_("a")), 422)["errors"]]
    assert fields == ["attributes.note\\u0000", "attributes.ok.0"]
    _is_problem(api.client.get("/api/v1/citizens/B%00", headers=api.as_("a")), 404)
    _is_problem(api.client.get("/api/v1/positions/S-A%00x", headers=api.as_("a")), 404)
    audit = api.client.get("/api/v1/audit", params={"citizen_id": "B\x00"}, headers=api.as_("admin"))
    assert _is_problem(audit, 422)["errors"][0]["field"] == "query.citizen_id"
    page = api.client.get("/borgere", params={"q": "a\x00"})
    assert page.status_code == 422 and "ugyldigt tegn" in page.text
    assert api.client.get("/api/v1/citizens/B-A1", headers=api.as_("a")).status_code == 200


def test_nan_and_infinity_are_refused(api):
    text = json.dumps(citizen_body()).replace('"max_commute_km": 30', '"max_commute_km": 30, '
                                                                     '"attributes": {"score": NaN, "x": [-Infinity]}')
    body = _is_problem(_raw_put(api, "/api/v1/citizens/B-N", text), 422)
    assert [e["field"] for e in body["errors"]] == ["attributes.score", "attributes.x.0"]
    assert "endeligt tal" in body["errors"][0]["message"]
    text = json.dumps(citizen_body()).replace('"max_commute_km": 30', '"max_commute_km": Infinity')
    assert _is_problem(_raw_put(api, "/api/v1/citizens/B-N", text), 422)["errors"][0]["field"] == "max_commute_km"


def test_a_stateless_match_takes_at_most_ten_thousand_candidates(api):
    too_many = [{"id": f"B{n}", "capacity_hours": 3} for n in range(MAX_MATCH_CANDIDATES + 1)]
    body = _is_problem(api.client.post("/api/v1/match", json={"position": POSITION, "candidates": too_many},
                                       headers=api.as_("a")), 422)
    assert body["errors"][0]["field"] == "candidates" and "10000" in body["errors"][0]["message"]
    schema = api.client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["MatchRequest"]["properties"]["candidates"]["maxItems"] == 10000
    responses = schema["paths"]["/api/v1/match"]["post"]["responses"]
    assert {"413", "422", "503"} <= set(responses)


def test_malformed_json_is_a_body_error(api):
    body = _is_problem(_raw_put(api, "/api/v1/citizens/B-N", '{"capacity_hours": 4,, }'), 422)
    assert [e["field"] for e in body["errors"]] == ["body"]
    assert body["errors"][0]["message"].startswith("ugyldig JSON")


def test_booleans_are_strict(api):
    for value in (0, 1, "false", "ja"):
        answer = api.client.put("/api/v1/citizens/B-N", json=citizen_body(driving_licence=value), headers=api.as_("a"))
        assert _is_problem(answer, 422)["errors"][0]["field"] == "driving_licence"
    answer = api.client.put("/api/v1/employers/V-N", json={"name": "X", "has_fleksjob_experience": 0},
                            headers=api.as_("a"))
    assert _is_problem(answer, 422)["errors"][0]["field"] == "has_fleksjob_experience"


def test_405_names_every_allowed_method(api):
    answer = api.client.patch("/api/v1/citizens/B-A1", json={}, headers=api.as_("a"))
    _is_problem(answer, 405)
    assert set(answer.headers["allow"].split(", ")) == {"DELETE", "GET", "HEAD", "PUT"}
    answer = api.client.delete("/api/v1/employers/V-A", headers=api.as_("a"))
    assert _is_problem(answer, 405) and answer.headers["allow"] == "PUT"


def test_every_reference_in_the_openapi_document_resolves(api):
    schema = api.client.get("/openapi.json").json()
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)))
    assert refs and refs <= set(schema["components"]["schemas"]), refs - set(schema["components"]["schemas"])


def test_the_start_with_one_override_is_optional_strict_and_kept(api):
    # docs/api.md: allow_several_new is optional (false when left out), a strict boolean, and stored.
    plain = api.client.put("/api/v1/employers/V-O", json={"name": "Ny ApS"}, headers=api.as_("a"))
    assert plain.status_code == 201 and plain.json()["allow_several_new"] is False
    allowed = api.client.put("/api/v1/employers/V-O", json={"name": "Ny ApS", "allow_several_new": True},
                             headers=api.as_("a"))
    assert allowed.status_code == 200 and allowed.json()["allow_several_new"] is True
    wrong = api.client.put("/api/v1/employers/V-O", json={"name": "Ny ApS", "allow_several_new": "ja"},
                           headers=api.as_("a"))
    assert _is_problem(wrong, 422)["errors"][0]["field"] == "allow_several_new"
