"""The contract schemas: the docs/matching.md example is accepted as written, bad input is refused with Danish
messages that name the field."""

import copy

import pytest
from pydantic import ValidationError

from models.catalogue import load_catalogue
from models.errors import danish_errors
from models.schemas import Candidate, MatchRequest, MatchResponse, Position

DESIGN_REQUEST = {
    "position": {
        "id": "S-1", "title": "Rengøring og kantine",
        "employer": {"id": "V-1", "name": "Bageriet A/S", "size": "small", "sector": "private",
                     "has_fleksjob_experience": False, "max_fleksjobbere": 2},
        "location": {"lat": 55.861, "lon": 9.850},
        "max_people": 2, "min_hours_per_person": 1,
        "tasks": [{"id": "t1", "title": "Rengøring af kontorer", "description": "Gulvvask og aftørring",
                   "hours_per_week": 6, "competences": ["rengøring"],
                   "demands": {"lifting_kg": 8, "standing": True, "chemicals": True},
                   "days": ["mon", "wed", "fri"], "splittable": True}],
    },
    "candidates": [{
        "id": "B-1", "jobcenter": "Horsens", "capacity_hours": 5, "capacity_basis": "estimated",
        "competences": ["rengøringsassistent", "kantinearbejde"], "cv_text": "Har gjort rent på skole i 10 år",
        "restrictions": [{"code": "max_lifting_kg", "value": 5, "severity": "hard"},
                         {"code": "no_food_contact", "severity": "hard"}],
        "wishes": ["kantine"], "driving_licence": False, "location": {"lat": 55.87, "lon": 9.84},
        "max_commute_km": 20, "available_days": ["mon", "tue", "wed"], "ly_months_last_24": 19,
        "gender": "f", "birth_year": 1968}],
    "options": {"limit": 10, "include_excluded": True, "proposals": True},
}

DESIGN_RESPONSE = {
    "position_id": "S-1",
    "ranking": [{"candidate_id": "B-7", "rank": 1, "score": 0.81, "hours_offered": 5, "feasible_tasks": ["t1"],
                 "explanation": {"matched_competences": [{"task_id": "t1", "required": "rengøring",
                                                          "matched": "rengøringsassistent", "similarity": 0.93}],
                                 "missing_competences": [], "accommodations": [],
                                 "components": {"competence": 0.9, "hours": 0.8, "distance": 0.95, "wishes": 0.0,
                                                "urgency": 0.5},
                                 "notes": ["Arbejdsevne er estimeret: overvej 4 ugers virksomhedspraktik"]}}],
    "excluded": [{"candidate_id": "B-1", "reasons": [{"code": "restriction_conflict", "task_id": "t1",
                                                      "restriction": "max_lifting_kg",
                                                      "detail": "opgaven kræver løft op til 8 kg, borgeren maks. 5 kg"}]}],
    "proposals": [
        {"kind": "single", "people": [{"candidate_id": "B-7", "assignments": [{"task_id": "t1", "hours_per_week": 5}]}],
         "hours_covered": 5, "hours_requested": 6, "objective": 4.05},
        {"kind": "split", "people": [{"candidate_id": "B-7", "assignments": [{"task_id": "t1", "hours_per_week": 4}]},
                                     {"candidate_id": "B-3", "assignments": [{"task_id": "t1", "hours_per_week": 2}]}],
         "hours_covered": 6, "hours_requested": 6, "objective": 4.6}],
}


def errors_of(model, data) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return {e.field: e.message for e in danish_errors(info.value)}


def test_design_examples_are_accepted_as_written():
    request = MatchRequest.model_validate(DESIGN_REQUEST)
    assert request.position.people_limit == 2
    assert request.position.hours_requested == 6
    assert request.candidates[0].restrictions[0].value == 5
    response = MatchResponse.model_validate(DESIGN_RESPONSE)
    assert response.proposals[1].people[1].hours == 2


def test_every_catalogue_code_is_a_demand_field():
    from models.schemas import Demands
    assert set(load_catalogue().demands) == set(Demands.model_fields)
    assert len(load_catalogue().codes) == 21


def test_unknown_restriction_code_is_named_in_the_error():
    data = copy.deepcopy(DESIGN_REQUEST["candidates"][0])
    data["restrictions"] = [{"code": "no_bananas"}]
    errors = errors_of(Candidate, data)
    assert "no_bananas" in errors["restrictions.0.code"]
    assert "ukendt skånehensyn" in errors["restrictions.0.code"]


@pytest.mark.parametrize("field, value, expected", [
    ("capacity_hours", 0, "skal være mindst 1"),
    ("capacity_hours", 38, "må højst være 37"),
    ("capacity_hours", 5.5, "helt antal"),
    ("id", "", "må ikke være tom"),
    ("id", "   ", "må ikke være tom"),
    ("available_days", ["man"], "tilladt"),
    ("available_days", [], "mindst én ugedag"),
    ("ly_months_last_24", 25, "må højst være 24"),
    ("restrictions", [{"code": "max_lifting_kg"}], "kræver en værdi"),
    ("restrictions", [{"code": "no_dust", "value": 3}], "tager ingen værdi"),
    ("restrictions", [{"code": "no_dust"}, {"code": "no_dust", "severity": "soft"}], "to gange"),
    ("restriction", [{"code": "no_dust"}], "ukendt felt"),
])
def test_bad_candidate_fields_are_named_in_danish(field, value, expected):
    data = copy.deepcopy(DESIGN_REQUEST["candidates"][0])
    data[field] = value
    errors = errors_of(Candidate, data)
    messages = [m for f, m in errors.items() if f == field or f.startswith(field + ".")]
    assert messages, errors
    assert any(expected in m for m in messages), errors


def test_location_outside_denmark_is_refused():
    data = copy.deepcopy(DESIGN_REQUEST["candidates"][0])
    data["location"] = {"lat": 48.85, "lon": 2.35}
    errors = errors_of(Candidate, data)
    assert set(errors) == {"location.lat", "location.lon"}


@pytest.mark.parametrize("mutate, field", [
    (lambda p: p["tasks"][0].update(hours_per_week=0), "tasks.0.hours_per_week"),
    (lambda p: p["tasks"][0].update(hours_per_week=40), "tasks.0.hours_per_week"),
    (lambda p: p["tasks"][0]["demands"].update(standing="ja"), "tasks.0.demands.standing"),
    (lambda p: p["tasks"][0]["demands"].update(flying=True), "tasks.0.demands.flying"),
    (lambda p: p["tasks"][0].update(days=["funday"]), "tasks.0.days.0"),
    (lambda p: p.update(tasks=[]), "tasks"),
    (lambda p: p["tasks"].append(dict(p["tasks"][0])), "tasks"),
    (lambda p: p["employer"].update(max_fleksjobbere=0), "employer.max_fleksjobbere"),
])
def test_bad_position_fields_are_named(mutate, field):
    data = copy.deepcopy(DESIGN_REQUEST["position"])
    mutate(data)
    assert field in errors_of(Position, data)


def test_days_are_normalised_to_week_order_without_repeats():
    data = copy.deepcopy(DESIGN_REQUEST["candidates"][0])
    data["available_days"] = ["wed", "mon", "wed"]
    assert Candidate.model_validate(data).available_days == ["mon", "wed"]


def test_people_limit_is_the_lower_of_position_and_employer():
    data = copy.deepcopy(DESIGN_REQUEST["position"])
    data["max_people"] = 3
    data["employer"]["max_fleksjobbere"] = 1
    assert Position.model_validate(data).people_limit == 1
    data["employer"]["max_fleksjobbere"] = None
    assert Position.model_validate(data).people_limit == 3
