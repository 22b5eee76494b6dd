"""Operations (issue 13, Low): /api/v1/metrics with request, match and rematch figures (admin only), a
request id in and out of every answer, and JSON log lines that carry it."""

from __future__ import annotations

import json
import logging

from service.http.observability import JsonFormatter

POSITION = {"id": "S-1", "title": "Rengøring", "employer": {"id": "V-1", "name": "Bageriet"},
            "tasks": [{"id": "t1", "title": "Rengøring", "hours_per_week": 4}]}


def _value(text: str, line_start: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start))


def test_metrics_count_requests_matches_and_rematches(api):
    before = api.client.get("/api/v1/metrics", headers=api.as_("admin")).text
    api.client.post("/api/v1/match", json={"position": POSITION, "candidates": [{"id": "B-1", "capacity_hours": 3}]},
                    headers=api.as_("a"))
    api.client.post("/api/v1/positions/S-A/proposals", headers=api.as_("a"))
    job = api.client.post("/api/v1/rematch", json={}, headers=api.as_("a")).json()
    api.client.app.state.rematch_runner.wait(job["job_id"], 60)
    after = api.client.get("/api/v1/metrics", headers=api.as_("admin"))
    assert after.status_code == 200 and after.headers["content-type"].startswith("text/plain")
    text = after.text
    for name in ('fleksmatch_matches_total{kind="stateless"}', 'fleksmatch_matches_total{kind="stored"}',
                 'fleksmatch_rematch_jobs_total{state="done"}'):
        assert _value(text, name) == _value(before, name) + 1, name
    route = 'fleksmatch_http_requests_total{method="POST",route="/api/v1/match",status="200"}'
    assert _value(text, route) >= 1
    assert "fleksmatch_http_request_seconds_bucket" in text and "fleksmatch_rematch_seconds_count" in text
    assert api.client.get("/api/v1/metrics", headers=api.as_("a")).status_code == 403
    assert api.client.get("/api/v1/metrics").status_code == 401


def test_every_answer_carries_a_request_id(api, caplog):
    given = api.client.get("/api/v1/health", headers={"X-Request-ID": "sag-4711.abc"})
    assert given.headers["x-request-id"] == "sag-4711.abc"
    made = api.client.get("/api/v1/citizens/findes-ikke", headers=api.as_("a"))
    assert made.status_code == 404 and len(made.headers["x-request-id"]) == 32
    odd = api.client.get("/api/v1/health", headers={"X-Request-ID": "ikke gyldig!"})
    assert odd.headers["x-request-id"] != "ikke gyldig!"   # a made-up one replaces it
    with caplog.at_level(logging.INFO, logger="fleksmatch.access"):
        api.client.get("/api/v1/health", headers={"X-Request-ID": "spor-1"})
    record = next(r for r in caplog.records if r.name == "fleksmatch.access" and r.request_id == "spor-1")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "spor-1" and line["route"] == "/api/v1/health" and line["status"] == 200
    assert line["level"] == "info" and isinstance(line["ms"], float)
