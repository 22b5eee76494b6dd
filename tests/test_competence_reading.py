"""How FleksMatch reads Danish competence text (issue 12): compound heads, verb forms, activity over place,
titles, abbreviations and English, the spelling guard, soft-restriction gaps, the preference band and the
explanation read aloud. Each test names one mechanism; the labelled set in data/evaluation/ measures them
together (benchmarks/bench_quality.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import match, scoring
from matcher.competences import MATCH_THRESHOLD, competence_model, cv_phrases, entry_terms
from matcher.explain import competence_sentence
from matcher.lexicon import expand_abbreviations, lemma
from models.schemas import CompetenceMatch
from models.taxonomy import build_taxonomy

MODEL = competence_model()


def sim(required: str, offered: str) -> float:
    return MODEL.term_similarity(required, offered)


def cv_coverage(required: str, cv: str) -> float:
    """The competence component a one-task position requiring `required` gives a citizen with this CV."""
    request = {"position": {"id": "S", "title": required, "employer": {"id": "V", "name": "V"},
                            "tasks": [{"id": "t1", "title": required, "hours_per_week": 4, "competences": [required]}]},
               "candidates": [{"id": "B", "capacity_hours": 4, "cv_text": cv}], "options": {"proposals": False}}
    ranking = match(request).ranking
    return ranking[0].explanation.components["competence"] if ranking else 0.0


# ---- compounds are read from the head -----------------------------------------------------------------

@pytest.mark.parametrize("compound, first_part_task", [
    ("kantineudvalg", "kantinearbejde"), ("lagerbygning", "lagerarbejde"), ("køkkenbordplade", "køkkenhjælp"),
    ("pedelbolig", "pedelarbejde"), ("opvaskemaskinereparatør", "opvask"), ("rengøringsmiddelfabrik", "rengøring"),
    ("pakkeridesigner", "pakkearbejde"), ("kantinebestyrelse", "kantinearbejde"), ("lagerreol", "lagerarbejde"),
])
def test_a_first_part_alone_never_gives_its_task(compound, first_part_task):
    found = MODEL.resolve(compound)
    assert found.canonical != MODEL.resolve(first_part_task).canonical
    assert sim(first_part_task, compound) < MATCH_THRESHOLD
    if found.is_other:  # the head is a real word but no task: nothing at all, not even by n-grams
        assert sim(first_part_task, compound) == 0.0


@pytest.mark.parametrize("compound, task", [
    ("plejehjemskøkken", "køkkenhjælp"), ("kantinerengøring", "rengøring"), ("pakkerimedarbejder", "pakkearbejde"),
    ("skolekøkken", "køkkenhjælp"), ("lagermedarb.", "lagerarbejde"), ("kantinedame", "kantinearbejde"),
])
def test_the_head_decides_and_a_generic_head_keeps_the_first_part(compound, task):
    assert sim(task, compound) >= MATCH_THRESHOLD


@pytest.mark.parametrize("task, compound, expected", [
    ("tømrerarbejde", "tømrermester", True), ("postomdeling", "postmester", False),  # a craft's master practises it
    ("museumsvært", "museumsvagt", True),  # a task head beats a longer chance word (museum|svagt)
    ("reception", "receptionsdisk", False), ("lagerarbejde", "lagerhal", False),  # short real heads count too
    ("pædagogmedhjælp", "børnehavemedhjælper", True),  # børnehave|medhjælper, not børne|havemedhjælper
    ("græsslåning", "græsslåmaskine", False),  # an unknown head: the first part alone gives nothing
])
def test_which_head_decides(task, compound, expected):
    assert (sim(task, compound) >= MATCH_THRESHOLD) is expected


def test_auxiliaries_are_never_activities():
    assert "haft" not in cv_phrases("Har haft høns i mange år")


def test_linking_letters_belong_to_neither_part():
    modifier, head, kind, _ = MODEL.split_compound("rengøringsvogn")
    assert (modifier, head, kind) == ("rengørings", "vogn", "other")
    assert MODEL.resolve("butiksrengøring").canonical == "rengøring"


# ---- verb forms, particle verbs and phrases ------------------------------------------------------------

def test_verb_forms_share_one_key():
    assert lemma("vaskede") == lemma("vasket") == lemma("vaske") == lemma("vasker")
    assert lemma("kørte") == lemma("kørt") == lemma("køre")
    assert lemma("smurte") == lemma("smurt") == lemma("smøre")
    assert lemma("satte") == lemma("sætte") and lemma("gjorde") == lemma("gøre")


def test_past_tense_phrases_in_a_cv_count():
    assert cv_coverage("opvask", "Har vasket op på et hotel i 3 år") >= MATCH_THRESHOLD
    assert cv_coverage("chauffør", "Har kørt rundt med mad til ældre") >= MATCH_THRESHOLD
    assert cv_coverage("varepåfyldning", "Satte varer op på hylder i Netto") >= MATCH_THRESHOLD  # particle verb


def test_the_activity_beats_the_place_and_the_object():
    assert cv_coverage("hotelarbejde", "Har vasket op på et hotel i 3 år") == 0.0
    assert cv_coverage("madlavning", "Har kørt rundt med mad til ældre") == 0.0
    assert "hotel" not in cv_phrases("Har vasket op på et hotel")
    # smørrebrød is cold kitchen work: kitchen help, not cooking
    assert cv_coverage("madlavning", "Smurt madpakker i børnehaven") < MATCH_THRESHOLD
    assert cv_coverage("køkkenhjælp", "Smurt madpakker i børnehaven") >= MATCH_THRESHOLD


def test_a_governing_word_makes_the_place_the_work():
    assert cv_coverage("kantinearbejde", "Arbejdede i kantinen på slagteriet") >= MATCH_THRESHOLD
    assert cv_coverage("rengøring", "AMU-kursus i erhvervsrengøring") >= MATCH_THRESHOLD


@pytest.mark.parametrize("cv, task", [
    ("Salg af rengøringsmidler til hoteller", "rengøring"),
    ("Reparation af kaffemaskiner og opvaskemaskiner", "opvask"),
    ("Boede i pedelboligen på skolen, hvor min mand var pedel", "pedelarbejde"),
    ("Vasker tøj for hele familien", "vaskeriarbejde"),
    ("Kasserer i grundejerforeningen", "kassearbejde"),
    ("Designede køkkener for HTH", "køkkenhjælp"),
    ("Har en datter i børnehave", "pædagogmedhjælp"),
])
def test_domain_changing_words_and_private_life_give_no_match(cv, task):
    assert cv_coverage(task, cv) < MATCH_THRESHOLD


def test_the_object_of_a_polysemous_activity_decides_its_trade():
    assert sim("hestepasning", "pleje af heste") >= MATCH_THRESHOLD
    assert sim("personlig pleje", "pleje af heste") < MATCH_THRESHOLD
    assert sim("personlig pleje", "plejede haven") < MATCH_THRESHOLD


@pytest.mark.parametrize("compound, task, expected", [
    ("dyrepleje", "personlig pleje", False), ("plænepleje", "plejehjælp", False), ("hudpleje", "plejehjælp", False),
    ("hestepleje", "hestepasning", True), ("patientpleje", "plejehjælp", True), ("kantinerengøring", "rengøring", True),
])
def test_a_polysemous_head_takes_its_trade_from_the_first_part(compound, task, expected):
    assert (sim(task, compound) >= MATCH_THRESHOLD) is expected


def test_a_genitive_owner_is_context_and_its_noun_the_work():
    assert sim("vaskeriarbejde", "vaskeriets chauffør") < MATCH_THRESHOLD
    assert sim("kørsel", "vaskeriets chauffør") >= MATCH_THRESHOLD
    assert sim("vagt", "vagtselskabets bogholder") < MATCH_THRESHOLD


def test_english_phrases_are_head_final():
    assert sim("rengøring", "warehouse cleaner") >= MATCH_THRESHOLD
    assert sim("lagerarbejde", "warehouse cleaner") < MATCH_THRESHOLD
    assert sim("kok", "care home cook") >= MATCH_THRESHOLD


def test_an_entry_listing_several_competences_gives_each():
    assert entry_terms(["køkkenhjælp, opvask", "social- og sundhedsassistent"]) == [
        "køkkenhjælp", "opvask", "social- og sundhedsassistent"]


# ---- titles, general terms and peripheral members ------------------------------------------------------

@pytest.mark.parametrize("task, title", [
    ("rengøring", "servicemedarbejder"), ("personlig pleje", "SOSU-hjælper"),
    ("personlig pleje", "social- og sundhedsassistent"), ("ældrepleje", "omsorgsmedhjælper"),
    ("sfo", "dagplejer"), ("børnepasning", "pædagogmedhjælper"), ("kørsel", "lastbilchauffør"),
])
def test_a_title_implies_its_task_with_full_credit(task, title):
    assert sim(task, title) == pytest.approx(1.0)


def test_a_general_term_does_not_let_peripheral_members_through():
    assert sim("køkkenhjælp", "opvask") >= MATCH_THRESHOLD
    assert sim("køkkenhjælp", "kaffebrygning") < MATCH_THRESHOLD
    assert sim("rengøring", "tømning af skraldespande") < MATCH_THRESHOLD
    assert sim("vinduespudsning", "rengøring") < MATCH_THRESHOLD  # a skilled member is not implied


def test_implies_must_name_known_terms():
    raw = {"families": {"a": {"label": "A", "terms": {"x": ["y"]}}}, "implies": {"x": ["nope"]}}
    with pytest.raises(ValueError, match="unknown canonical"):
        build_taxonomy(raw)


# ---- abbreviations, licences and English ---------------------------------------------------------------

def test_abbreviations_and_licence_categories_are_written_out():
    assert expand_abbreviations("pæd. medhj.").split() == ["pædagog", "medhjælper"]
    assert expand_abbreviations("kørekort kat. C").strip() == "c-kørekort"
    assert expand_abbreviations("kørekort C/E").strip() == "ce-kørekort"
    assert expand_abbreviations("kørekort kat. B og C").split() == ["b-kørekort", "og", "c-kørekort"]


# (task, how it is written, whether it is read as the task): short forms and English, a lesser licence or an
# English non-task head, misspellings and ASCII spellings, and real words one or two letters from another.
READINGS = {
    "short forms and English": (True, [
        ("pædagogmedhjælp", "pæd. medhj."), ("lastbilkørsel", "kørekort kat. C"), ("lastbilkørsel", "C-kørekort"),
        ("rengøring", "reng.ass."), ("opvask", "dishwasher"), ("havearbejde", "gardener"),
        ("køkkenhjælp", "kitchen assistant"), ("rengøring", "cleaner"), ("lagerarbejde", "warehouse worker")]),
    "a lesser licence or an English non-task head": (False, [
        ("lastbilkørsel", "kørekort kat. B"), ("køkkenhjælp", "kitchen designer"), ("plukning", "warehouse manager")]),
    "misspellings and ASCII spellings": (True, [
        ("køkkenhjælp", "koekkenhjaelper"), ("ældrepleje", "aeldrepleje"), ("græsslåning", "graesslaaning"),
        ("rengøring", "rengørring"), ("rengøring", "rengöring"), ("indtastning", "indtasting"),
        ("malkning", "malking"), ("kørsel", "chauför"), ("lagerarbejde", "lagrarbejde")]),
    "a real word near another is not a misspelling of it": (False, [
        ("lagerarbejde", "bagerarbejde"), ("vagt", "vægt"), ("kontorarbejde", "kontrolarbejde"),
        ("lagerarbejde", "lægerarbejde")]),
}


@pytest.mark.parametrize("task, written, reads_as_task", [
    pytest.param(task, written, expected, id=f"{kind}: {written}")
    for kind, (expected, pairs) in READINGS.items() for task, written in pairs])
def test_how_a_task_is_written_decides_whether_it_is_read_as_the_task(task, written, reads_as_task):
    assert (sim(task, written) >= MATCH_THRESHOLD) is reads_as_task


def test_the_vectorised_similarity_agrees_with_the_scalar_one_on_the_new_paths():
    required = ["rengøring", "kantinearbejde", "personlig pleje", "lastbilkørsel", "køkkenhjælp"]
    offered = ["servicemedarbejder", "kantineudvalg", "SOSU-hjælper", "kørekort kat. C", "kaffebrygning",
               "rengøringsmiddelfabrik", "koekkenhjaelper", "frisørelev", "vægt"]
    matrix = MODEL.similarity_matrix(MODEL.features(required), MODEL.features(offered))
    expected = np.array([[sim(a, b) for b in offered] for a in required])
    assert np.allclose(matrix, expected, atol=1e-9)


# ---- soft restrictions by their gap --------------------------------------------------------------------

def test_soft_lifting_severity_grows_with_the_excess():
    severity = scoring.soft_lifting_severity([5, 6, 10, 20, 3], [5, 5, 5, 5, 0])
    assert list(severity) == pytest.approx([0.0, 0.2, 1.0, 1.0, 1.0])


def _soft_lifting(task_kg: float):
    request = {"position": {"id": "S", "title": "Lager", "employer": {"id": "V", "name": "V"},
                            "tasks": [{"id": "t1", "title": "Lager", "hours_per_week": 4, "competences": ["lagerarbejde"],
                                       "demands": {"lifting_kg": task_kg}}]},
               "candidates": [{"id": "B", "capacity_hours": 4, "competences": ["lagerarbejde"],
                               "restrictions": [{"code": "max_lifting_kg", "value": 5, "severity": "soft"}]}],
               "options": {"proposals": False}}
    return match(request).ranking[0]


def test_a_task_far_over_a_soft_limit_costs_more_than_one_just_over_and_shows_the_gap():
    just_over, far_over = _soft_lifting(6), _soft_lifting(20)
    assert just_over.score > far_over.score
    assert just_over.explanation.components["soft_restriction_penalty"] == pytest.approx(0.016)
    assert far_over.explanation.components["soft_restriction_penalty"] == pytest.approx(0.08)
    assert far_over.explanation.accommodations[0].detail == \
        "opgaven kræver løft op til 20 kg; borgeren kan højst 5 kg"


# ---- the preference band -------------------------------------------------------------------------------

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(weaker=unit, lead=st.floats(min_value=1e-6, max_value=1.0), hours=unit, distance=unit,
       wishes=st.tuples(unit, unit), urgency=st.tuples(unit, unit))
def test_a_clearly_better_fit_always_scores_higher(weaker, lead, hours, distance, wishes, urgency):
    w = scoring.DEFAULT_WEIGHTS
    stronger = weaker + w.preference_band + lead
    if stronger > 1.0:
        return
    better = {"competence": stronger, "hours": hours, "distance": distance, "wishes": wishes[0], "urgency": urgency[0]}
    keen = {"competence": weaker, "hours": hours, "distance": distance, "wishes": wishes[1], "urgency": urgency[1]}
    assert scoring.combine(better, 0.0) > scoring.combine(keen, 0.0)


def test_urgency_orders_comparable_fits_but_not_a_poorer_one():
    position = {"id": "S", "title": "Opvask", "employer": {"id": "V", "name": "V"},
                "tasks": [{"id": "t1", "title": "Opvask", "hours_per_week": 4, "competences": ["opvask"]}]}
    candidates = [{"id": "B-1", "capacity_hours": 4, "competences": ["opvasker"], "ly_months_last_24": 2},
                  {"id": "B-2", "capacity_hours": 4, "competences": ["opvask"], "ly_months_last_24": 20},
                  {"id": "B-3", "capacity_hours": 4, "competences": ["madlavning"], "ly_months_last_24": 24}]
    ranking = match({"position": position, "candidates": candidates, "options": {"proposals": False}}).ranking
    assert [r.candidate_id for r in ranking] == ["B-2", "B-1", "B-3"]
    assert scoring.DEFAULT_WEIGHTS.preference_band == pytest.approx(0.15, abs=0.01)


# ---- explanations read aloud ---------------------------------------------------------------------------

@pytest.mark.parametrize("matched, similarity, source, text", [
    ("rengøringsassistent", 1.0, "competence", "Rengøring: har arbejdet som rengøringsassistent"),
    ("gulvvask", 0.8, "competence", "Rengøring: har erfaring med gulvvask, som er beslægtet"),
    ("gjort rent (fra cv)", 0.7, "cv", "Rengøring: skriver i sit CV: »gjort rent«"),
    ("gøre rent", 1.0, "competence", "Rengøring: har erfaring med at gøre rent"),
    ("vasket gulve", 1.0, "competence", "Rengøring: har vasket gulve"),
])
def test_matched_competences_are_said_in_plain_danish(matched, similarity, source, text):
    evidence = CompetenceMatch(task_id="t1", required="rengøring", matched=matched, similarity=similarity,
                               source=source)
    assert competence_sentence(evidence) == text
    assert "←" not in text and "%" not in text


def test_the_udpluk_shows_the_concrete_lifting_gap_to_the_employer():
    from models.schemas import Candidate, Position
    from service.http.web.udpluk import relevant_restrictions

    position = Position.model_validate({
        "id": "S", "title": "Lager", "employer": {"id": "V", "name": "V"},
        "tasks": [{"id": "t1", "title": "Varemodtagelse", "hours_per_week": 4, "demands": {"lifting_kg": 11}}]})
    citizen = Candidate.model_validate({"id": "B", "capacity_hours": 4, "restrictions": [
        {"code": "max_lifting_kg", "value": 5, "severity": "soft"}]})
    [line] = relevant_restrictions(citizen, position)
    assert line.text == "Kræver hensyn i: Varemodtagelse (opgaven kræver løft op til 11 kg; borgeren kan højst 5 kg)."
