""""Hvorfor dette forslag" (service.core.proposal_reasons): every better-ranked person left out of a
proposal gets a reason that holds for the stored data, and a reason for missing hours is written once."""

from __future__ import annotations

from models.schemas import Position, Proposal, RankedCandidate
from service.core.proposal_reasons import explain_proposal, missing_sentences

POSITION = Position.model_validate({
    "id": "S-1", "title": "Rengøring og kantine", "max_people": 2, "min_hours_per_person": 2,
    "employer": {"id": "V-1", "name": "Bageriet A/S", "has_fleksjob_experience": True},
    "tasks": [{"id": "t1", "title": "Rengøring", "hours_per_week": 6},
              {"id": "t2", "title": "Kantine", "hours_per_week": 4, "splittable": False}],
})


def ranked(candidate_id: str, rank: int, score: float, hours: int, tasks: list[str]) -> RankedCandidate:
    return RankedCandidate.model_validate({"candidate_id": candidate_id, "rank": rank, "score": score,
                                           "hours_offered": hours, "feasible_tasks": tasks, "explanation": {}})


def proposal(people: dict[str, list[tuple[str, int]]], kind: str = "split", uncovered=()) -> Proposal:
    covered = sum(h for assignments in people.values() for _, h in assignments)
    return Proposal.model_validate({
        "kind": kind, "hours_covered": covered, "hours_requested": 10, "objective": 5.0,
        "people": [{"candidate_id": c, "assignments": [{"task_id": t, "hours_per_week": h} for t, h in a]}
                   for c, a in people.items()],
        "uncovered": list(uncovered)})


def test_the_people_chosen_and_the_summary() -> None:
    ranking = [ranked("B-1", 1, 0.9, 6, ["t1"]), ranked("B-2", 2, 0.7, 4, ["t2"])]
    why = explain_proposal(POSITION, proposal({"B-1": [("t1", 6)], "B-2": [("t2", 4)]}), ranking,
                           capacities={"B-1": 6, "B-2": 5})
    assert why.summary == "Stillingen deles mellem 2 personer, der tilsammen dækker alle 10 timer."
    assert why.chosen == ("B-1 (nr. 1 på listen, match 90 %) tager Rengøring (6 timer); bruger 6 af sine 6 timer.",
                          "B-2 (nr. 2 på listen, match 70 %) tager Kantine (4 timer); bruger 4 af sine 5 timer.")
    assert why.passed_over == ()
    assert "0,3 velmatchet time" in why.rule and "refusionsgrænsen" in why.rule   # matcher/objective.py


def test_better_ranked_people_left_out_each_get_their_reason() -> None:
    ranking = [
        ranked("B-1", 1, 0.95, 3, ["t1"]),        # fewer hours than the chosen cover on the same task
        ranked("B-2", 2, 0.9, 4, ["t2"]),         # only the unsplittable task, which is taken
        ranked("B-3", 3, 0.85, 5, ["t1", "t2"]),  # proposed for another stilling in the batch
        ranked("B-7", 4, 0.6, 6, ["t1"]),
        ranked("B-8", 5, 0.5, 4, ["t2"]),
    ]
    why = explain_proposal(POSITION, proposal({"B-7": [("t1", 6)], "B-8": [("t2", 4)]}), ranking,
                           elsewhere={"B-3": "Pedel"})
    assert why.passed_over == (
        "B-1 (nr. 1, match 95 %) kan 3 af de 6 timer, de valgte dækker i Rengøring.",
        "B-2 (nr. 2, match 90 %) kan kun varetage Kantine, som de valgte allerede dækker fuldt.",
        "B-3 (nr. 3, match 85 %) er foreslået til «Pedel» i samme genmatchning.",
    )


def test_limits_minimum_hours_and_the_cost_of_an_extra_person() -> None:
    one_left = proposal({"B-7": [("t1", 5)], "B-8": [("t2", 4)]})  # 1 hour of t1 stays open
    ranking = [ranked("B-1", 1, 0.95, 6, ["t1"]), ranked("B-7", 2, 0.6, 5, ["t1"]), ranked("B-8", 3, 0.5, 4, ["t2"])]
    limited = explain_proposal(POSITION, one_left, ranking)
    assert "højst må deles mellem 2 personer" in limited.passed_over[0]
    roomy = POSITION.model_copy(update={"max_people": 3})
    assert "kunne kun få 1 time, og stillingen kræver mindst 2 timer pr. person" in explain_proposal(
        roomy, one_left, ranking).passed_over[0]
    cheap = roomy.model_copy(update={"min_hours_per_person": 1})
    low = [ranked("B-1", 1, 0.25, 6, ["t1"]), *ranking[1:]]   # 1 hour × 0.25 ≤ the net 0.3 of a person more
    assert "opvejer ikke prisen for en person mere" in explain_proposal(cheap, one_left, low).passed_over[0]


def test_a_single_proposal_explains_the_hours_one_person_covers() -> None:
    ranking = [ranked("B-1", 1, 0.95, 3, ["t1"]), ranked("B-2", 2, 0.8, 6, ["t1"])]
    why = explain_proposal(POSITION, proposal({"B-2": [("t1", 6)]}, kind="single"), ranking)
    assert why.summary == "Én person dækker 6 af 10 timer."
    assert why.passed_over == ("B-1 (nr. 1, match 95 %) kan 3 timer i opgaverne, mens B-2 alene dækker 6 timer.",)
    novice = POSITION.model_copy(update={"employer": POSITION.employer.model_copy(
        update={"has_fleksjob_experience": False})})
    assert "start med én" in explain_proposal(novice, proposal({"B-2": [("t1", 6)]}, kind="single"), ranking).summary


def test_more_people_above_than_shown_are_counted() -> None:
    ranking = [ranked(f"B-{n}", n, 0.9 - n / 100, 6, ["t1"]) for n in range(1, 9)]
    why = explain_proposal(POSITION, proposal({"B-8": [("t1", 6)]}, kind="single"), ranking, max_passed_over=5)
    assert len(why.passed_over) == 6 and why.passed_over[-1] == "Yderligere 2 borgere over de valgte på listen er ikke med."


def test_a_reason_for_missing_hours_is_written_once_naming_its_tasks() -> None:
    same = "Virksomheden tager kun én fleksjobber, og vedkommende har ikke flere timer."
    assert missing_sentences([("Budkørsel", 11, same), ("Pakning", 6, same), ("Lager", 1, "ingen egnet borger")]) == [
        "Mangler 11 timer på «Budkørsel» og 6 timer på «Pakning»: " + same,
        "Mangler 1 time på «Lager»: Ingen egnet borger.",
    ]
    gap = {"task_id": "t1", "hours_missing": 2, "reason": "capacity_used", "detail": same}
    why = explain_proposal(POSITION, proposal({"B-1": [("t1", 4)]}, kind="single", uncovered=[gap, gap | {"task_id": "t2"}]),
                           [ranked("B-1", 1, 0.9, 4, ["t1"])])
    assert why.missing == ("Mangler 2 timer på «Rengøring» og 2 timer på «Kantine»: " + same,)
