"""The hard-rule registry: one entry per exclusion code, each rule firing on exactly the case it names with
a Danish reason that says so, and the caller's blocks excluding through the same path."""

import numpy as np
import pytest

from matcher import Block, PoolIndex, evaluate_position, rank, rules
from matcher.supply import rank_positions
from models.schemas import Candidate, MatchOptions, Position
from models.vocabulary import ExclusionCode

POSITION = {
    "id": "S-1", "title": "Rengøring", "employer": {"id": "V-1", "name": "Bageriet A/S"},
    "location": {"lat": 55.861, "lon": 9.850}, "max_people": 2, "min_hours_per_person": 2,
    "tasks": [
        {"id": "t1", "title": "Rengøring af kontorer", "hours_per_week": 6, "competences": ["rengøring"],
         "demands": {"lifting_kg": 8, "chemicals": True}, "days": ["mon", "wed"]},
        {"id": "t2", "title": "Ærinder", "hours_per_week": 2, "demands": {"driving": True}, "days": ["mon", "wed"]},
    ],
}
NEAR = {"lat": 55.87, "lon": 9.84}
FAR = {"lat": 56.15, "lon": 10.2}  # Aarhus, about 40 km away
FEASIBLE = {"id": "B-0", "capacity_hours": 5, "capacity_basis": "measured", "location": NEAR, "driving_licence": True}


def outcome(**changes):
    """(codes and reasons of the one candidate's exclusion, or None if ranked) for FEASIBLE with changes."""
    index = PoolIndex.build([Candidate.model_validate({**FEASIBLE, **changes})])
    ranking, excluded, _ = rank(Position.model_validate(POSITION), index, MatchOptions())
    if ranking:
        return ranking[0]
    return [(r.code, r.task_id, r.restriction, r.detail) for r in excluded[0].reasons]


def test_the_baseline_candidate_is_feasible_for_every_task():
    assert outcome().feasible_tasks == ["t1", "t2"]


def test_unavailable_fires_on_a_status_other_than_available():
    assert outcome(status="sick_leave") == [("unavailable", None, None, "borgeren er ikke ledig (sygemeldt)")]
    assert outcome(status="employed") == [("unavailable", None, None, "borgeren er ikke ledig (i job)")]


def test_no_capacity_fires_below_the_positions_minimum_hours():
    assert outcome(capacity_hours=1) == [
        ("no_capacity", None, None, "arbejdsevne 1 t/uge, stillingen kræver mindst 2 t pr. person")]
    assert outcome(capacity_hours=2).feasible_tasks == ["t1", "t2"]


def test_too_far_fires_beyond_the_citizens_commute_limit_only():
    assert outcome(location=FAR, max_commute_km=20) == [
        ("too_far", None, None, "afstand 38,8 km, borgeren højst 20 km")]
    assert outcome(location=FAR, max_commute_km=50).feasible_tasks == ["t1", "t2"]
    assert outcome(location=FAR).feasible_tasks == ["t1", "t2"]  # no limit given


def test_restriction_conflict_fires_per_task_and_restriction():
    assert outcome(restrictions=[{"code": "max_lifting_kg", "value": 5}, {"code": "no_chemicals"}]).explanation.notes[-1] == (
        "Kan ikke tage opgaven 'Rengøring af kontorer' (t1): opgaven kræver løft op til 8 kg, borgeren maks. 5 kg; "
        "opgaven kræver rengøringsmidler/kemikalier (borgeren: Ikke rengøringsmidler/kemikalier)")
    closed = outcome(restrictions=[{"code": "max_lifting_kg", "value": 5}, {"code": "no_driving"}])
    assert closed == [
        ("restriction_conflict", "t1", "max_lifting_kg", "opgaven kræver løft op til 8 kg, borgeren maks. 5 kg"),
        ("restriction_conflict", "t2", "no_driving", "opgaven kræver kørsel (borgeren: Må ikke køre bil)"),
    ]


def test_missing_licence_fires_on_a_driving_task_only():
    assert outcome(driving_licence=False).feasible_tasks == ["t1"]
    assert outcome(driving_licence=False).explanation.notes == ["Kan ikke tage opgaven 'Ærinder' (t2): opgaven kræver kørekort"]


def test_no_common_days_fires_when_no_task_day_is_a_citizen_day():
    assert outcome(available_days=["tue", "thu"]) == [
        ("no_common_days", "t1", None, "ingen fælles arbejdsdage (opgaven: man, ons; borgeren: tir, tor)"),
        ("no_common_days", "t2", None, "ingen fælles arbejdsdage (opgaven: man, ons; borgeren: tir, tor)"),
    ]
    assert outcome(available_days=["wed"]).feasible_tasks == ["t1", "t2"]


# rule → the change to FEASIBLE that breaks it alone, and where its mask must then hold (per task for pair
# rules, per position for candidate rules). Every rule of the registry needs a case here.
ALONE = {
    "unavailable": ({"status": "assessment"}, [True]),
    "no_capacity": ({"capacity_hours": 1}, [True]),
    "too_far": ({"location": FAR, "max_commute_km": 20}, [True]),
    "restriction_conflict": ({"restrictions": [{"code": "no_chemicals"}]}, [True, False]),
    "missing_licence": ({"driving_licence": False}, [False, True]),
    "no_common_days": ({"available_days": ["fri"]}, [True, True]),
}


@pytest.mark.parametrize("code", [r.code for r in rules.RULES if r.mask is not None])
def test_each_mask_holds_exactly_where_its_case_is_and_nowhere_else(code):
    changes, expected = ALONE[code]
    _, ev = evaluate_position(Position.model_validate(POSITION), index_of({}, changes))
    f = ev.feasibility
    for other in (r for r in rules.RULES if r.mask is not None):
        mask = (f.pair if other.scope is rules.Scope.PAIR else f.candidate)[other.code]
        assert not mask[0].any(), f"{other.code} holds for the feasible citizen"
        assert mask[1].tolist() == (expected if other.code == code else [False] * len(mask[1])), other.code
    closed = expected if rules.rule(code).scope is rules.Scope.PAIR else expected * len(POSITION["tasks"])
    assert f.feasible[0].all() and f.feasible[1].tolist() == [not hit for hit in closed]


def test_every_exclusion_code_is_one_rule_labelled_by_the_vocabulary():
    assert sorted(r.code for r in rules.RULES) == sorted(ExclusionCode.codes())
    assert len({r.code for r in rules.RULES}) == len(rules.RULES)
    assert rules.LABELS == {code: ExclusionCode(code).label for code in rules.LABELS}
    assert rules.rule("too_far").label == "For langt væk"
    # candidate-scope rules are listed first: a whole position closed is said before a task closed
    scopes = [r.scope for r in rules.RULES]
    assert scopes == sorted(scopes, key=lambda s: s is rules.Scope.PAIR)


def test_a_rule_needs_a_reason_for_its_mask_and_pair_rules_need_a_mask():
    with pytest.raises(ValueError):
        rules.HardRule(ExclusionCode.too_far, rules.Scope.CANDIDATE, lambda x: np.zeros(0), None)
    with pytest.raises(ValueError):
        rules.HardRule(ExclusionCode.no_common_days, rules.Scope.PAIR, None, None)
    rules.HardRule(ExclusionCode.unavailable, rules.Scope.CANDIDATE, None, None)  # held by blocks alone


def index_of(*changes_list):
    return PoolIndex.build([Candidate.model_validate({**FEASIBLE, "id": f"B-{i}", **changes})
                            for i, changes in enumerate(changes_list)])


def test_a_caller_supplied_unavailable_block_excludes_with_its_detail():
    index = index_of({}, {})
    praktik = "i virksomhedspraktik hos Lageret ApS til 2027-01-04"
    blocks = [Block("B-1", ExclusionCode.unavailable, praktik)]
    ranking, excluded, pairs = rank(Position.model_validate(POSITION), index, MatchOptions(), blocks=blocks)
    assert [r.candidate_id for r in ranking] == ["B-0"]
    assert [(e.candidate_id, [(r.code, r.detail) for r in e.reasons]) for e in excluded] == \
        [("B-1", [("unavailable", praktik)])]
    assert not pairs.feasible[1].any()


def test_rejected_before_holds_only_where_the_caller_blocks_the_pair():
    index = index_of({}, {})
    detail = "afvist til denne stilling af virksomheden 01.11.2026: for travlt køkken"
    position = Position.model_validate(POSITION)
    blocks = [Block("B-1", ExclusionCode.rejected_before, detail, position_id=position.id)]
    ranking, excluded, pairs = rank(position, index, MatchOptions(), blocks=blocks)
    assert [r.candidate_id for r in ranking] == ["B-0"]
    assert [(e.candidate_id, [(r.code, r.detail) for r in e.reasons]) for e in excluded] == \
        [("B-1", [("rejected_before", detail)])]
    assert not pairs.feasible[1].any()
    assert rules.rule(ExclusionCode.rejected_before).label == "Afvist før"


def test_a_block_comes_after_the_rules_own_reason_of_the_same_code():
    index = index_of({"status": "sick_leave"})
    blocks = [Block("B-0", ExclusionCode.unavailable, "kontaktet om en anden stilling")]
    _, excluded, _ = rank(Position.model_validate(POSITION), index, MatchOptions(), blocks=blocks)
    assert [r.detail for r in excluded[0].reasons] == ["borgeren er ikke ledig (sygemeldt)",
                                                       "kontaktet om en anden stilling"]


def test_a_block_for_another_position_or_an_unknown_citizen_changes_nothing():
    index = index_of({}, {})
    blocks = [Block("B-1", ExclusionCode.unavailable, "reserveret", position_id="S-2"),
              Block("B-9", ExclusionCode.unavailable, "ukendt borger")]
    ranking, excluded, _ = rank(Position.model_validate(POSITION), index, MatchOptions(), blocks=blocks)
    assert [r.candidate_id for r in ranking] == ["B-0", "B-1"] and excluded == []


def test_only_candidate_scope_rules_accept_blocks():
    with pytest.raises(ValueError):
        rank(Position.model_validate(POSITION), index_of({}), MatchOptions(),
             blocks=[Block("B-0", ExclusionCode.missing_licence, "nej")])


def test_supply_blocks_one_position_and_keeps_the_others():
    citizen = Candidate.model_validate(FEASIBLE)
    positions = [Position.model_validate({**POSITION, "id": pid}) for pid in ("S-1", "S-2")]
    blocks = [Block("B-0", ExclusionCode.unavailable, "reserveret til S-2", position_id="S-2")]
    assert [f.position_id for f in rank_positions(citizen, positions)] == ["S-1", "S-2"]
    assert [f.position_id for f in rank_positions(citizen, positions, blocks=blocks)] == ["S-1"]
