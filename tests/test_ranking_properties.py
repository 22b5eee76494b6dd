"""Property tests (hypothesis) for the ranking guarantees in docs/matching.md.

The hard-restriction oracle below is written from the catalogue alone (restriction code → demand), not
from the code under test.
"""

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import match
from models.catalogue import DAYS, load_catalogue
from models.schemas import MatchRequest

CATALOGUE = load_catalogue()
CODES = sorted(CATALOGUE.restrictions)
FLAG_DEMANDS = sorted(spec.demand for spec in CATALOGUE.restrictions.values() if spec.demand != "lifting_kg")
TERMS = ["rengøring", "kantinearbejde", "opvask", "pakkearbejde", "truckkørsel", "havearbejde", "kørsel",
         "børnepasning", "rengøringsassistent", "lagermand", "frisørelev", "gjort rent", "kontorarbejde"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.none() | st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True)
location = st.none() | st.builds(lambda a, b: {"lat": a, "lon": b},
                                 st.floats(55.5, 56.2), st.floats(9.4, 10.3))


@st.composite
def restriction(draw, code):
    entry = {"code": code, "severity": draw(st.sampled_from(["hard", "soft"]))}
    if CATALOGUE.restrictions[code].takes_value:
        entry["value"] = draw(st.sampled_from([0, 2, 5, 8, 10, 20]))
    return entry


@st.composite
def candidate(draw, cid):
    codes = draw(st.lists(st.sampled_from(CODES), max_size=4, unique=True))
    return {
        "id": cid,
        "capacity_hours": draw(st.integers(1, 12)),
        "capacity_basis": draw(st.sampled_from(["estimated", "measured"])),
        "competences": draw(st.lists(st.sampled_from(TERMS), max_size=3)),
        "cv_text": draw(st.sampled_from(["", "Har gjort rent på skole", "Kørt truck og pakket varer"])),
        "restrictions": [draw(restriction(code)) for code in codes],
        "wishes": draw(st.lists(st.sampled_from(["kantine", "Rengøring", "lager"]), max_size=2)),
        "driving_licence": draw(st.booleans()),
        "location": draw(location),
        "max_commute_km": draw(st.none() | st.sampled_from([5.0, 20.0, 60.0])),
        "available_days": draw(days),
        "ly_months_last_24": draw(st.integers(0, 24)),
        "status": draw(st.sampled_from(["available", "available", "available", "sick_leave"])),
        "gender": draw(st.sampled_from(["f", "m", "x", None])),
        "birth_year": draw(st.none() | st.integers(1950, 2000)),
    }


@st.composite
def task(draw, tid):
    demands = {d: True for d in draw(st.lists(st.sampled_from(FLAG_DEMANDS), max_size=4, unique=True))}
    demands["lifting_kg"] = draw(st.sampled_from([0, 3, 5, 8, 15]))
    return {"id": tid, "title": f"Opgave {tid}", "hours_per_week": draw(st.integers(1, 12)),
            "competences": draw(st.lists(st.sampled_from(TERMS), max_size=2)), "demands": demands,
            "days": draw(days), "splittable": draw(st.booleans())}


@st.composite
def request(draw):
    n_tasks = draw(st.integers(1, 3))
    ids = draw(st.lists(st.integers(0, 99), min_size=1, max_size=12, unique=True))
    return {
        "position": {"id": "S-1", "title": "Stilling", "employer": {"id": "V-1", "name": "Virksomhed"},
                     "location": draw(location), "max_people": 2, "min_hours_per_person": draw(st.integers(1, 4)),
                     "tasks": [draw(task(f"t{i}")) for i in range(n_tasks)]},
        "candidates": [draw(candidate(f"B-{i:02d}")) for i in ids],
        "options": {"limit": 100, "include_excluded": True, "proposals": False},
    }


def hard_conflict(candidate: dict, task: dict) -> bool:
    """Oracle: a hard restriction meets the demand the catalogue names for it."""
    for r in candidate["restrictions"]:
        if r["severity"] != "hard":
            continue
        demand = CATALOGUE.restrictions[r["code"]].demand
        if demand == "lifting_kg":
            if task["demands"].get("lifting_kg", 0) > r["value"]:
                return True
        elif task["demands"].get(demand, False):
            return True
    return False


@SETTINGS
@given(request())
def test_no_ranked_candidate_is_offered_a_task_against_a_hard_restriction(req):
    response = match(req)
    candidates = {c["id"]: c for c in req["candidates"]}
    tasks = {t["id"]: t for t in req["position"]["tasks"]}
    for ranked in response.ranking:
        c = candidates[ranked.candidate_id]
        assert ranked.feasible_tasks
        assert c["status"] == "available" and c["capacity_hours"] >= req["position"]["min_hours_per_person"]
        assert ranked.hours_offered <= c["capacity_hours"]
        for tid in ranked.feasible_tasks:
            assert not hard_conflict(c, tasks[tid]), (c["id"], tid)
            assert c["driving_licence"] or not tasks[tid]["demands"].get("driving")


@SETTINGS
@given(request())
def test_everyone_is_ranked_or_excluded_with_a_reason_and_ranking_is_sorted(req):
    response = match(req)
    ranked = [r.candidate_id for r in response.ranking]
    excluded = [e.candidate_id for e in response.excluded]
    assert sorted(ranked + excluded) == sorted(c["id"] for c in req["candidates"])
    assert all(e.reasons for e in response.excluded)
    assert [r.rank for r in response.ranking] == list(range(1, len(ranked) + 1))
    keys = [(-r.score, r.candidate_id) for r in response.ranking]
    assert keys == sorted(keys)
    assert all(0.0 <= r.score <= 1.0 for r in response.ranking)


@SETTINGS
@given(request(), st.randoms(use_true_random=False))
def test_deterministic_and_input_order_does_not_matter(req, rnd):
    first = match(req).model_dump_json()
    assert match(req).model_dump_json() == first
    shuffled = list(req["candidates"])
    rnd.shuffle(shuffled)
    assert match({**req, "candidates": shuffled}).model_dump_json() == first
    assert match(MatchRequest.model_validate(req)).model_dump_json() == first


@SETTINGS
@given(request(), st.integers(0, 2**32 - 1))
def test_personal_attributes_never_change_anything(req, seed):
    rnd = random.Random(seed)
    changed = [{**c, "gender": rnd.choice(["f", "m", "x", None]), "birth_year": rnd.randint(1950, 2005),
                "origin": rnd.choice(["Danmark", "Syrien", "Polen", None]),
                "attributes": {"etnicitet": rnd.choice(["a", "b"]), "handicap": rnd.random() < 0.5}}
               for c in req["candidates"]]
    assert match({**req, "candidates": changed}).model_dump_json() == match(req).model_dump_json()
