"""Text normalisation, stemming, term resolution and CV phrases."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.competences import competence_model, cv_phrases
from matcher.text import core_text, normalise, stem_text, tokens
from models.danish import fold


@pytest.mark.parametrize("raw, expected", [
    ("  Rengørings-Assistent ", "rengøringsassistent"),
    ("KØKKEN/kantine", "køkken kantine"),
    ("aften- og natarbejde", "aften og natarbejde"),
    ("Gjort rent, på skole!", "gjort rent på skole"),
    ("A\u030arhus", "århus"),  # decomposed å becomes one letter
    ("Æbler  og   Øl", "æbler og øl"),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list(" \u00a0\t-–Åå\u030a")), max_size=30))
def test_normalise_starts_from_the_shared_fold(raw):
    assert normalise(raw) == normalise(fold(raw))
    assert normalise(raw) == " ".join(normalise(raw).split())


def test_tokens_keep_danish_letters():
    assert tokens("Pædagog-medhjælper i børnehave") == ["pædagogmedhjælper", "i", "børnehave"]


def test_stemming_joins_inflections():
    assert stem_text("kantinen") == stem_text("kantine")
    assert stem_text("rengøringen") == stem_text("rengøring")


def test_core_text_drops_generic_job_title_heads():
    assert core_text("lagermedarbejder") == core_text("lager")
    assert core_text("rengøringsassistent") == core_text("rengøring")
    assert core_text("assistent") == stem_text("assistent")  # only the head: kept


@pytest.mark.parametrize("term, canonical, how", [
    ("rengøringsassistent", "rengøring", "taxonomy"),
    ("Rengøringen", "rengøring", "taxonomy"),
    ("rengørng", "rengøring", "spelling"),
    ("kantinedame", "kantinearbejde", "compound"),
    ("gjort rent på skole", "rengøring", "phrase"),
])
def test_resolution_paths(term, canonical, how):
    resolution = competence_model().resolve(term)
    assert (resolution.canonical, resolution.how) == (canonical, how)
    assert resolution.family is not None and 0 < resolution.confidence <= 1


def test_unknown_words_stay_unresolved():
    resolution = competence_model().resolve("frisørelev")
    assert resolution.canonical is None and resolution.confidence == 0


def test_wishes_resolve_to_families_by_label_or_term():
    model = competence_model()
    assert model.resolve_family("Køkken og kantine") == "koekken_kantine"
    assert model.resolve_family("kantine") == "koekken_kantine"
    assert model.resolve_family("rengøring") == "rengoering"
    assert model.resolve_family("noget helt andet") is None


def test_cv_phrases_keep_the_activities_and_leave_out_the_places():
    phrases = cv_phrases("Har gjort rent på skole i 10 år og rengøring af kontorer.")
    assert "gjort rent" in phrases and "rengøring af kontorer" in phrases
    assert "skole" not in phrases  # where the cleaning was done, not another competence
    assert "har" not in phrases and "10" not in phrases and "rent skole" not in phrases


def test_similarity_matrix_matches_scalar_similarity():
    model = competence_model()
    required = ["rengøring", "kantine", "frisør", "opvask"]
    offered = ["rengøringsassistent", "frisørelev", "lagermand", "vinduespudser", "madmor", "--", "Opvask"]
    matrix = model.similarity_matrix(model.features(required), model.features(offered))
    expected = np.array([[model.term_similarity(a, b) for b in offered] for a in required])
    assert np.allclose(matrix, expected, atol=1e-9)
    assert matrix.min() >= 0 and matrix.max() <= 1
