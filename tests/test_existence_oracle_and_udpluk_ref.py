"""No answer tells whether an id exists in another jobcentre, and the udpluk gives the employer a reference
that means nothing outside the jobcentre instead of the citizen's id (issue 13, Low)."""

from __future__ import annotations

import re

from sqlalchemy import select

from api_support import citizen_body
from models import orm
from models.db import session_scope
from test_web_pages import anna, app, create_position, factory, match, template  # noqa: F401 - shared fixtures
from web_seed import position_form, seed_position


def test_a_foreign_id_and_an_unknown_id_get_the_same_answer(api):
    foreign = api.client.put("/api/v1/citizens/B-A1", json=citizen_body(jobcenter="Horsens"), headers=api.as_("b"))
    unknown = api.client.put("/api/v1/citizens/B-NY", json=citizen_body(jobcenter="Horsens"), headers=api.as_("b"))
    assert foreign.status_code == unknown.status_code == 403
    assert foreign.json()["detail"] == unknown.json()["detail"]
    for path in ("/api/v1/employers/V-A", "/api/v1/employers/V-NY"):
        answer = api.client.put(path, json={"name": "X", "jobcenter": "Horsens"}, headers=api.as_("b"))
        assert answer.status_code == 403


def test_the_web_form_never_reveals_a_foreign_employer_id(anna, factory) -> None:
    client, token = anna
    seed_position(factory)  # Vejle's employer V-S-VEJLE
    response = client.post("/stillinger/ny", data={"csrf_token": token,
                                                   **position_form(employer_id="V-S-VEJLE", position_id="S-VEJLE")})
    assert response.status_code == 200 and "Stillingen er oprettet" in response.text
    assert "findes allerede" not in response.text
    with session_scope(factory) as session:
        vejle = session.get(orm.Employer, "V-S-VEJLE")
        assert vejle.name == "Skolen" and vejle.jobcenter.name == "Vejle"
        assert session.get(orm.Position, "S-VEJLE").title == "Pedel"


def test_the_udpluk_shows_a_reference_not_the_citizen_id(anna) -> None:
    client, token = anna
    position_id = create_position(client, token)
    detail = match(client, token, position_id)
    body = client.get(f"/stillinger/{position_id}/udpluk", params={"borger": ["B-1"]}).text.split("<main", 1)[1]
    assert "B-1" not in body
    ref = re.search(r"\(ref\. ([A-Z2-7]{4}-[A-Z2-7]{4})\)", body).group(1)
    # The consultant finds the same reference beside the candidate on the stilling page; it is stable.
    assert f"Udpluk-ref. {ref}" in detail
    again = client.get(f"/stillinger/{position_id}/udpluk", params={"borger": ["B-1"]}).text
    assert f"(ref. {ref})" in again
