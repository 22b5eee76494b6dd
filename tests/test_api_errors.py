"""Every error is RFC 9457 problem+json with a Danish detail and no stack trace (SQLite only: the error
path does not depend on the database)."""

from __future__ import annotations

import pytest

from api_support import citizen_body, make_api
from service.http.limits import MAX_BODY_BYTES

PROBLEM = "application/problem+json"


@pytest.fixture
def api(sqlite_url):
    api = make_api(sqlite_url)
    yield api
    api.client.app.state.engine.dispose()


def _is_problem(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["status"] == status and body["type"].startswith("urn:fleksmatch:problem:")
    assert body["title"] and body["detail"]
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    return body


def test_unknown_route_and_wrong_method(api):
    assert "findes ikke" in _is_problem(api.client.get("/api/v1/findes-ikke"), 404)["detail"]
    answer = api.client.delete("/api/v1/match", headers=api.as_("a"))
    _is_problem(answer, 405)
    assert "POST" in answer.headers["allow"]


def test_malformed_json_is_a_danish_422(api):
    answer = api.client.put("/api/v1/citizens/B-1", content=b"{ikke json", headers={
        **api.as_("a"), "Content-Type": "application/json"})
    body = _is_problem(answer, 422)
    assert body["errors"][0]["message"] == "ugyldig JSON"


def test_query_parameter_errors_name_the_parameter(api):
    api.seed()
    answer = api.client.get("/api/v1/citizens/B-A1/proposals", params={"limit": 0}, headers=api.as_("a"))
    assert _is_problem(answer, 422)["errors"] == [{"field": "query.limit", "message": "skal være mindst 1"}]


def test_body_over_the_limit_is_413_by_content_length(api):
    big = b"x" * (MAX_BODY_BYTES + 1)
    answer = api.client.put("/api/v1/citizens/B-1", content=big,
                            headers={**api.as_("a"), "Content-Type": "application/json"})
    assert "5 MB" in _is_problem(answer, 413)["detail"]


def test_body_over_the_limit_is_413_while_streaming(api):
    def chunks():
        for _ in range(6):
            yield b" " * (1024 * 1024)

    # A generator body is sent chunked: no Content-Length to check up front.
    answer = api.client.put("/api/v1/citizens/B-1", content=chunks(),
                            headers={**api.as_("a"), "Content-Type": "application/json"})
    _is_problem(answer, 413)


def test_unexpected_error_is_500_without_internals(api, monkeypatch):
    api.seed()

    def explode(*args, **kwargs):
        raise RuntimeError("hemmelig intern detalje /srv/kode.py")

    monkeypatch.setattr("service.http.api.citizens.rank_positions", explode)
    answer = api.client.get("/api/v1/citizens/B-A1/proposals", headers=api.as_("a"))
    body = _is_problem(answer, 500)
    assert "hemmelig" not in answer.text and "RuntimeError" not in answer.text
    assert body["detail"].startswith("Der opstod en uventet fejl")


def test_401_and_403_are_problems(api):
    _is_problem(api.client.get("/api/v1/audit"), 401)
    _is_problem(api.client.get("/api/v1/audit", headers=api.as_("a")), 403)


def test_409_for_a_second_rematch_is_a_problem(api):
    import threading

    release = threading.Event()

    def slow_rematch(factory, jobcenter, **kwargs):
        release.wait(10)

    runner = api.client.app.state.rematch_runner
    runner._rematch = slow_rematch
    first = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a"))
    assert first.status_code == 202
    body = _is_problem(api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")), 409)
    assert "Horsens" in body["detail"]
    # Another jobcentre may rematch meanwhile.
    assert api.client.post("/api/v1/rematch", json={}, headers=api.as_("b")).status_code == 202
    release.set()
    runner.wait(first.json()["job_id"], 10)
    assert api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")).status_code == 202
    release.set()


def test_citizen_body_validation_uses_field_paths(api):
    body = citizen_body(restrictions=[{"code": "no_dust"}, {"code": "no_dust"}], available_days=["man"])
    errors = _is_problem(api.client.put("/api/v1/citizens/B-1", json=body, headers=api.as_("a")), 422)["errors"]
    fields = [e["field"] for e in errors]
    assert "available_days.0" in fields
