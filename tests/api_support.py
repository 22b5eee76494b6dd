"""Shared setup for the API tests: an app on a fresh database, tokens for every role, and seed data in two
jobcentres (Horsens = A, Vejle = B) created through the API itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi.testclient import TestClient

from service.http.app import create_app
from service.core.auth.tokens import create_api_token
from db_support import database_session

A, B = "Horsens", "Vejle"


def make_tokens(url: str) -> dict[str, str]:
    with database_session(url) as session:
        specs = {"admin": ("admin", []), "a": ("consultant", [A]), "b": ("consultant", [B]),
                 "case": ("case_system", [A, B])}
        return {key: create_api_token(session, role=role, jobcenters=jcs, name=f"test {key}")[1]
                for key, (role, jcs) in specs.items()}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def citizen_body(**overrides) -> dict:
    body = {"capacity_hours": 6, "capacity_basis": "measured", "competences": ["rengøring", "kantinearbejde"],
            "cv_text": "Har gjort rent på en skole", "restrictions": [{"code": "max_lifting_kg", "value": 10}],
            "wishes": ["rengøring"], "location": {"lat": 55.86, "lon": 9.85}, "max_commute_km": 30,
            "ly_months_last_24": 12, "postcode": "8700", "gender": "f", "birth_year": 1970}
    return body | overrides


def position_body(employer_id: str, **overrides) -> dict:
    body = {"title": "Rengøring og kantine", "employer_id": employer_id, "location": {"lat": 55.861, "lon": 9.85},
            "max_people": 2, "tasks": [
                {"id": "t1", "title": "Rengøring af kontorer", "hours_per_week": 5, "competences": ["rengøring"],
                 "demands": {"lifting_kg": 5, "standing": True}},
                {"id": "t2", "title": "Kantine", "hours_per_week": 4, "competences": ["kantinearbejde"],
                 "demands": {"food_contact": True}}]}
    return body | overrides


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    url: str
    ids: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return bearer(self.tokens[who])

    def seed(self) -> None:
        """Per jobcentre: one employer, one position, three citizens, one stored match run."""
        for key, jobcenter in (("a", A), ("b", B)):
            p = key.upper()
            headers = self.as_(key)
            ok = self.client.put(f"/api/v1/employers/V-{p}", json={"name": f"Virksomhed {p}"}, headers=headers)
            assert ok.status_code == 201, ok.text
            ok = self.client.put(f"/api/v1/positions/S-{p}", json=position_body(f"V-{p}"), headers=headers)
            assert ok.status_code == 201, ok.text
            for n in range(1, 4):
                ok = self.client.put(f"/api/v1/citizens/B-{p}{n}", json=citizen_body(), headers=headers)
                assert ok.status_code == 201, ok.text
            run = self.client.post(f"/api/v1/positions/S-{p}/proposals", headers=headers)
            assert run.status_code == 201, run.text
            proposal_id = run.json()["proposals"][0]["proposal_id"]
            self.ids[key] = {"citizen": f"B-{p}1", "employer": f"V-{p}", "position": f"S-{p}",
                             "proposal": proposal_id, "jobcenter": jobcenter}


def make_api(url: str) -> Api:
    app = create_app(url)
    client = TestClient(app, raise_server_exceptions=False)
    return Api(client=client, tokens=make_tokens(url), url=url)
