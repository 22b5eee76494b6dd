"""Labelled Danish competence pairs: one threshold (MATCH_THRESHOLD) must separate matches from non-matches.

Each pair is (required competence, what a citizen wrote). "Yes" covers synonyms, inflections, misspellings,
compounds, agent nouns, verb phrases from CVs and unknown words that share a stem; "no" covers unrelated
trades, shared generic heads ("-medarbejder"), and a specific skill asked for but only the general one
offered (partial credit, not a match).
"""

import pytest

from matcher.competences import MATCH_THRESHOLD, competence_model

MATCHES = [
    ("rengøring", "rengøringsassistent"), ("kantine", "kantinemedhjælper"), ("rengøring", "gjort rent på skole"),
    ("rengøring", "Rengøringen"), ("rengøring", "rengøringsmedhjælper"), ("rengøring", "rengørng"),
    ("rengøring", "skolerengøring"), ("rengøring", "vinduespudser"), ("rengøring", "rengørings-assistent"),
    ("kantinearbejde", "kantinedame"), ("kantinearbejde", "Kantinen"), ("opvask", "opvasker"),
    ("madlavning", "madmor"), ("køkkenhjælp", "køkkenmedhjælper"), ("pakkearbejde", "pakning"),
    ("lagerarbejde", "lagermedarbejder"), ("lagerarbejde", "lagermand"), ("truckkørsel", "truckfører"),
    ("truckkørsel", "kørt truck"), ("havearbejde", "gartner"), ("børnepasning", "passet børn"),
    ("pædagogmedhjælp", "pædagogmedhjælper"), ("pædagogmedhjælp", "Pædagogisk medhjælper"),
    ("ældrepleje", "plejehjem"), ("hjemmepleje", "hjemmehjælper"), ("svejsning", "svejser"),
    ("produktionsarbejde", "fabriksarbejder"), ("pedelarbejde", "pedel"), ("kørsel", "chauffør"),
    ("frisør", "frisørelev"), ("bagning", "bagerhjælp"), ("etikettering", "etiketter"),
    ("vinduespudsning", "pudset vinduer"), ("gulvvask", "vasket gulve"), ("staldarbejde", "staldmedhjælper"),
    ("kassearbejde", "kassedame"), ("rengøring", "rengøringskone"),
]
NON_MATCHES = [
    ("børnepasning", "truckfører"), ("rengøring", "kontorarbejde"), ("kantinearbejde", "lagermedarbejder"),
    ("havearbejde", "lagerarbejde"), ("truckkørsel", "pædagogmedhjælper"), ("opvask", "svejser"),
    ("rengøring", "chauffør"), ("madlavning", "it-support"), ("ældrepleje", "tømrer"),
    ("vinduespudsning", "rengøring"), ("kassearbejde", "staldarbejde"), ("svejsning", "børnepasning"),
    ("pakkearbejde", "frisør"), ("kørsel", "kok"), ("lagerarbejde", "kantinemedarbejder"), ("sfo", "slagteri"),
    ("bogføring", "gulvvask"), ("frisør", "rengøring"),
]


def test_the_set_is_large_enough():
    assert len(MATCHES) + len(NON_MATCHES) >= 40
    assert len(set(MATCHES) | set(NON_MATCHES)) == len(MATCHES) + len(NON_MATCHES)


def test_one_threshold_separates_every_labelled_pair():
    model = competence_model()
    wrong = [(a, b, model.term_similarity(a, b)) for a, b in MATCHES if model.term_similarity(a, b) < MATCH_THRESHOLD]
    wrong += [(a, b, model.term_similarity(a, b)) for a, b in NON_MATCHES
              if model.term_similarity(a, b) >= MATCH_THRESHOLD]
    total = len(MATCHES) + len(NON_MATCHES)
    assert not wrong, f"{total - len(wrong)}/{total} on the right side; wrong: {wrong}"


@pytest.mark.parametrize("required, offered", [("vinduespudsning", "rengøring"), ("opvask", "madlavning")])
def test_same_family_gives_partial_credit_below_the_threshold(required, offered):
    similarity = competence_model().term_similarity(required, offered)
    assert 0 < similarity < MATCH_THRESHOLD


def test_the_vectorised_similarity_agrees_with_the_scalar_one_on_the_labelled_pairs():
    model = competence_model()
    pairs = MATCHES + NON_MATCHES
    required = model.features([a for a, _ in pairs])
    offered = model.features([b for _, b in pairs])
    matrix = model.similarity_matrix(required, offered)
    for i, (a, b) in enumerate(pairs):
        assert matrix[i, i] == pytest.approx(model.term_similarity(a, b), abs=1e-9), (a, b)
