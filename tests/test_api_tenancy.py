"""Tenant isolation and authentication for every endpoint that takes an id (both database backends)."""

from __future__ import annotations

import pytest

from api_support import citizen_body, make_api, position_body

# (method, path template, body) for every endpoint with an id; {citizen}, {employer}, ... are B's objects.
ID_ENDPOINTS = [
    ("GET", "/api/v1/citizens/{citizen}", None),
    ("PUT", "/api/v1/citizens/{citizen}", citizen_body()),
    ("DELETE", "/api/v1/citizens/{citizen}", None),
    ("GET", "/api/v1/citizens/{citizen}/proposals", None),
    ("PUT", "/api/v1/employers/{employer}", {"name": "Overtaget"}),
    ("GET", "/api/v1/positions/{position}", None),
    ("PUT", "/api/v1/positions/{position}", position_body("V-A")),
    ("POST", "/api/v1/positions/{position}/proposals", None),
    ("PATCH", "/api/v1/proposals/{proposal}", {"outcome": "contacted"}),
    ("GET", "/api/v1/jobs/{job}", None),
]
NO_ID_ENDPOINTS = [("POST", "/api/v1/match", {}), ("POST", "/api/v1/rematch", {}), ("GET", "/api/v1/audit", None)]


@pytest.fixture
def api(db_url):
    api = make_api(db_url)
    api.seed()
    job = api.client.post("/api/v1/rematch", json={}, headers=api.as_("b"))
    assert job.status_code == 202, job.text
    api.client.app.state.rematch_runner.wait(job.json()["job_id"], 60)
    api.ids["b"]["job"] = job.json()["job_id"]
    yield api
    api.client.app.state.engine.dispose()


def _path(template: str, ids: dict[str, str]) -> str:
    return template.format(**ids)


def _snapshot(api, ids) -> dict:
    """What B sees of its own objects (to prove A's attempts changed nothing)."""
    h = api.as_("b")
    return {
        "citizen": api.client.get(f"/api/v1/citizens/{ids['citizen']}", headers=h).json(),
        "position": api.client.get(f"/api/v1/positions/{ids['position']}", headers=h).json(),
        "job": api.client.get(f"/api/v1/jobs/{ids['job']}", headers=h).json(),
    }


def test_consultant_of_a_gets_404_for_every_object_of_b(api):
    ids = api.ids["b"]
    before = _snapshot(api, ids)
    for method, template, body in ID_ENDPOINTS:
        path = _path(template, ids)
        answer = api.client.request(method, path, json=body, headers=api.as_("a"))
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code} {answer.text}"
        assert answer.headers["content-type"].startswith("application/problem+json")
        if method != "PUT":  # a PUT of an unknown id creates it; every other verb must look the same
            key = template.split("{")[1].split("}")[0]
            unknown = "0123456789abcdef" if key in ("proposal", "job") else "findes-ikke-123"
            missing = api.client.request(method, path.replace(ids[key], unknown), json=body, headers=api.as_("a"))
            assert missing.status_code == 404, f"{method} {path} (missing): {missing.text}"
            assert answer.json()["title"] == missing.json()["title"]
            assert answer.json().keys() == missing.json().keys()
    after = _snapshot(api, ids)
    # Only the audit/proposal side effects of B's own reads may differ; the objects themselves are untouched.
    assert before["citizen"] == after["citizen"]
    assert before["position"] == after["position"]
    assert before["job"] == after["job"]
    employer_owner = api.client.put("/api/v1/employers/V-B", json={"name": "Virksomhed B"}, headers=api.as_("b"))
    assert employer_owner.status_code == 200 and employer_owner.json()["name"] == "Virksomhed B"


def test_b_objects_remain_reachable_for_b_and_the_case_system(api):
    ids = api.ids["b"]
    for who in ("b", "case", "admin"):
        for method, template, _ in ID_ENDPOINTS:
            if method != "GET":
                continue
            answer = api.client.get(_path(template, ids), headers=api.as_(who))
            assert answer.status_code == 200, f"{who} GET {template}: {answer.text}"


def test_no_token_and_bad_token_get_401_everywhere(api):
    ids = api.ids["b"]
    for method, template, body in ID_ENDPOINTS + NO_ID_ENDPOINTS:
        path = _path(template, ids)
        for headers in ({}, {"Authorization": "Bearer fm_dette-er-ikke-en-gyldig-noegle-123"},
                        {"Authorization": "Basic YWRtaW46YWRtaW4="}, {"Authorization": "Bearer"}):
            answer = api.client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 401, f"{method} {path} {headers}: {answer.status_code}"
            assert answer.headers["content-type"].startswith("application/problem+json")
            assert answer.headers["www-authenticate"].startswith("Bearer")
    # Nothing was deleted or changed by the unauthenticated attempts.
    assert api.client.get(f"/api/v1/citizens/{ids['citizen']}", headers=api.as_("b")).status_code == 200


def test_consultant_cannot_write_into_another_jobcenter(api):
    body = citizen_body(jobcenter="Vejle")
    answer = api.client.put("/api/v1/citizens/B-NY", json=body, headers=api.as_("a"))
    assert answer.status_code == 403
    assert api.client.get("/api/v1/citizens/B-NY", headers=api.as_("b")).status_code == 404
    # A position in A may not use B's employer: it answers as if the employer did not exist.
    answer = api.client.put("/api/v1/positions/S-NY", json=position_body("V-B"), headers=api.as_("a"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "employer_id"
    rematch = api.client.post("/api/v1/rematch", json={"jobcenter": "Vejle"}, headers=api.as_("a"))
    assert rematch.status_code == 403


def test_case_system_must_name_the_jobcenter_and_only_its_own(api):
    answer = api.client.put("/api/v1/citizens/B-C1", json=citizen_body(), headers=api.as_("case"))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "jobcenter"
    answer = api.client.put("/api/v1/citizens/B-C1", json=citizen_body(jobcenter="Aarhus"), headers=api.as_("case"))
    assert answer.status_code == 403
    answer = api.client.put("/api/v1/citizens/B-C1", json=citizen_body(jobcenter="Vejle"), headers=api.as_("case"))
    assert answer.status_code == 201 and answer.json()["jobcenter"] == "Vejle"


def test_audit_log_is_admin_only(api):
    for who in ("a", "case"):
        assert api.client.get("/api/v1/audit", headers=api.as_(who)).status_code == 403
    assert api.client.get("/api/v1/audit", headers=api.as_("admin")).status_code == 200
