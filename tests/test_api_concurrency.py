"""Concurrent upserts of the same citizens, employers and positions through a real server (issue 13, High 1):
never a 5xx, last writer wins per object, and nothing half-written. Runs on SQLite and, when
FLEKSMATCH_TEST_DATABASE_URL is set, on PostgreSQL, where concurrent transactions really overlap."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api_support import bearer, citizen_body, make_tokens
from live_server import live_server
from service.http.app import create_app

CLIENTS, REQUESTS_PER_CLIENT = 10, 40
SHARED_IDS = [f"B-{n}" for n in range(6)]
# Each capacity comes with its own restriction set, so a half-written upsert (hours of one request,
# restrictions of another) is visible in what is stored.
RESTRICTIONS = {
    2: [{"code": "no_dust"}], 3: [{"code": "no_dust"}, {"code": "no_noise"}],
    4: [{"code": "max_lifting_kg", "value": 5}, {"code": "no_noise"}, {"code": "no_stairs"}],
    5: [{"code": "no_stairs"}, {"code": "no_dust", "severity": "soft"}], 6: [],
}
TASKS = {n: [{"id": f"t{i}", "title": f"Opgave {i}", "hours_per_week": n} for i in range(1, n + 1)]
         for n in (1, 2, 3)}


@pytest.fixture
def server(db_url):
    tokens = make_tokens(db_url)
    app = create_app(db_url)
    with live_server(app) as base:
        yield base, tokens
    app.state.engine.dispose()


def _client_run(base: str, token: str, seed: int) -> Counter:
    rng = random.Random(seed)
    statuses: Counter = Counter()
    with httpx.Client(base_url=base, headers=bearer(token), timeout=60) as client:
        for _ in range(REQUESTS_PER_CLIENT):
            kind = rng.random()
            if kind < 0.75:
                hours = rng.choice(sorted(RESTRICTIONS))
                body = citizen_body(capacity_hours=hours, restrictions=RESTRICTIONS[hours])
                answer = client.put(f"/api/v1/citizens/{rng.choice(SHARED_IDS)}", json=body)
            elif kind < 0.85:
                answer = client.put("/api/v1/employers/V-1", json={"name": f"Virksomhed {rng.randint(1, 3)}"})
            else:
                n = rng.choice(sorted(TASKS))
                client.put("/api/v1/employers/V-1", json={"name": "Virksomhed 1"})
                answer = client.put("/api/v1/positions/S-1", json={
                    "title": f"{n} opgaver", "employer_id": "V-1", "tasks": TASKS[n]})
            statuses[answer.status_code] += 1
    return statuses


def test_concurrent_upserts_never_fail_and_last_writer_wins(server):
    base, tokens = server
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: _client_run(base, tokens["a"], n), range(CLIENTS)))
    statuses = sum(results, Counter())
    assert sum(statuses.values()) == CLIENTS * REQUESTS_PER_CLIENT
    assert all(code in (200, 201) for code in statuses), statuses
    with httpx.Client(base_url=base, headers=bearer(tokens["a"])) as client:
        for citizen_id in SHARED_IDS:
            stored = client.get(f"/api/v1/citizens/{citizen_id}").json()
            expected = [{"severity": "hard", "value": None} | r for r in RESTRICTIONS[stored["capacity_hours"]]]
            assert stored["restrictions"] == expected, stored
        position = client.get("/api/v1/positions/S-1")
        if position.status_code == 200:
            body = position.json()
            assert len(body["tasks"]) == int(body["title"].split()[0])
