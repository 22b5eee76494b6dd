"""Hard constraints: every exclusion code, with its Danish detail, and the vectorised geometry."""

import numpy as np
import pytest

from matcher import match
from matcher.constraints import day_mask
from matcher.geo import haversine_km

POSITION = {
    "id": "S-1", "title": "Rengøring og kantine", "employer": {"id": "V-1", "name": "Bageriet A/S"},
    "location": {"lat": 55.861, "lon": 9.850}, "max_people": 2, "min_hours_per_person": 2,
    "tasks": [
        {"id": "t1", "title": "Rengøring af kontorer", "hours_per_week": 6, "competences": ["rengøring"],
         "demands": {"lifting_kg": 8, "standing": True, "chemicals": True}, "days": ["mon", "wed"]},
        {"id": "t2", "title": "Kantine", "hours_per_week": 4, "competences": ["kantinearbejde"],
         "demands": {"food_contact": True, "driving": True}, "days": ["mon", "wed"]},
    ],
}
HERE = {"lat": 55.87, "lon": 9.84}


def candidate(cid, **fields):
    return {"id": cid, "capacity_hours": 5, "location": HERE, "driving_licence": True, **fields}


def reasons_of(*candidates):
    response = match({"position": POSITION, "candidates": list(candidates), "options": {"proposals": False}})
    return {e.candidate_id: [(r.code, r.task_id, r.restriction, r.detail) for r in e.reasons]
            for e in response.excluded}, [r.candidate_id for r in response.ranking]


def test_lifting_and_food_contact_conflicts_are_named_per_task():
    excluded, ranked = reasons_of(candidate("B-1", restrictions=[
        {"code": "max_lifting_kg", "value": 5}, {"code": "no_food_contact", "severity": "hard"}]))
    assert ranked == []
    assert excluded["B-1"] == [
        ("restriction_conflict", "t1", "max_lifting_kg", "opgaven kræver løft op til 8 kg, borgeren maks. 5 kg"),
        ("restriction_conflict", "t2", "no_food_contact",
         "opgaven kræver kontakt med fødevarer (borgeren: Ikke kontakt med fødevarer)"),
    ]


def test_lifting_equal_to_the_limit_is_allowed():
    _, ranked = reasons_of(candidate("B-1", restrictions=[{"code": "max_lifting_kg", "value": 8}]))
    assert ranked == ["B-1"]


def test_missing_licence_and_days_and_every_reason_is_listed():
    excluded, _ = reasons_of(candidate("B-2", driving_licence=False, available_days=["tue", "thu"],
                                       restrictions=[{"code": "no_chemicals"}]))
    assert excluded["B-2"] == [
        ("restriction_conflict", "t1", "no_chemicals",
         "opgaven kræver rengøringsmidler/kemikalier (borgeren: Ikke rengøringsmidler/kemikalier)"),
        ("no_common_days", "t1", None, "ingen fælles arbejdsdage (opgaven: man, ons; borgeren: tir, tor)"),
        ("missing_licence", "t2", None, "opgaven kræver kørekort"),
        ("no_common_days", "t2", None, "ingen fælles arbejdsdage (opgaven: man, ons; borgeren: tir, tor)"),
    ]


def test_position_wide_reasons():
    far = {"lat": 56.15, "lon": 10.2}  # Aarhus, about 40 km from Horsens
    excluded, _ = reasons_of(candidate("B-3", capacity_hours=1, status="sick_leave", location=far, max_commute_km=20))
    codes = [r[0] for r in excluded["B-3"]]
    assert codes == ["unavailable", "no_capacity", "too_far"]
    details = [r[3] for r in excluded["B-3"]]
    assert details[0] == "borgeren er ikke ledig (sygemeldt)"
    assert details[1] == "arbejdsevne 1 t/uge, stillingen kræver mindst 2 t pr. person"
    assert details[2].startswith("afstand ") and details[2].endswith(" km, borgeren højst 20 km")


def test_soft_restrictions_do_not_exclude():
    _, ranked = reasons_of(candidate("B-4", restrictions=[{"code": "no_food_contact", "severity": "soft"},
                                                          {"code": "max_lifting_kg", "value": 2, "severity": "soft"}]))
    assert ranked == ["B-4"]


def test_one_feasible_task_is_enough_and_is_the_only_one_listed():
    response = match({"position": POSITION, "candidates": [candidate("B-5", restrictions=[{"code": "no_food_contact"}])],
                      "options": {"proposals": False}})
    assert [r.feasible_tasks for r in response.ranking] == [["t1"]]
    note = response.ranking[0].explanation.notes[-1]
    assert note.startswith("Kan ikke tage opgaven 'Kantine' (t2): opgaven kræver kontakt med fødevarer")


def test_unknown_location_is_not_too_far():
    _, ranked = reasons_of(candidate("B-6", location=None, max_commute_km=1))
    assert ranked == ["B-6"]


def test_haversine_is_vectorised_and_passes_nan_through():
    d = haversine_km(np.array([55.6761, 56.1629, np.nan]), np.array([12.5683, 10.2039, 9.0]), 56.1629, 10.2039)
    assert d[0] == pytest.approx(157, abs=2)  # København–Aarhus
    assert d[1] == pytest.approx(0, abs=1e-9)
    assert np.isnan(d[2])


def test_day_masks():
    assert day_mask(None) == 0b1111111
    assert day_mask(["mon", "wed"]) == 0b101
