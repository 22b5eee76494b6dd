"""Integrity of the bundled data (competences, restrictions, municipalities, postcodes) and its loaders."""

from __future__ import annotations

import csv
import itertools
from math import asin, cos, radians, sin, sqrt

import pytest
import yaml

from models.catalogue import load_catalogue
from models.paths import DATA_DIR
from models.taxonomy import (
    build_taxonomy,
    load_competence_taxonomy,
    load_municipalities,
    load_postcodes,
    location_for_municipality,
    location_for_postcode,
    normalise_surface,
)

# DOMAIN.md's example tasks, as a consultant or company would write them.
DOMAIN_TASKS = (
    "rengøring", "afspritning af kontaktflader", "kantine", "køkken", "madlavning", "madmor", "pakkearbejde",
    "tømrerarbejde", "produktion", "chauffør", "kørsel", "kontor", "indtastning", "havearbejde",
    "renhold af udearealer", "pedelarbejde", "vedligeholdelse", "pædagogmedhjælp", "sfo", "staldarbejde",
)
REQUIRED_FAMILIES = (
    "rengoering", "koekken_kantine", "lager_pakning", "produktion", "kontor_administration",
    "pedel_vedligehold", "have_udearealer", "koersel", "boern_paedagogik", "pleje_omsorg",
    "butik_kundeservice", "haandvaerk", "landbrug_stald", "it",
)
# docs/matching.md: restriction code → the task demand it conflicts with.
DESIGN_RESTRICTIONS = {
    "max_lifting_kg": "lifting_kg", "no_prolonged_standing": "standing", "no_prolonged_sitting": "sitting",
    "no_repetitive_work": "repetitive", "no_food_contact": "food_contact", "no_wet_work": "wet_work",
    "no_chemicals": "chemicals", "no_dust": "dust", "no_animals": "animals",
    "no_customer_contact": "customer_contact", "no_time_pressure": "time_pressure", "no_noise": "noise",
    "no_driving": "driving", "no_outdoor_work": "outdoor", "no_heights": "heights", "no_stairs": "stairs",
    "no_evening_work": "evening", "no_screen_work": "screen_work", "fixed_routines": "varied_tasks",
    "quiet_workplace": "crowded", "flexible_hours": "fixed_schedule",
}
DEMO_JOBCENTRE_TOWNS = (
    "Horsens", "Struer", "Aarhus", "Odense", "Aalborg", "København", "Esbjerg", "Vejle", "Holstebro",
    "Silkeborg", "Randers", "Herning", "Næstved", "Svendborg", "Thisted",
)
MAX_KM_FROM_MUNICIPALITY = 60.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    lat1, lon1, lat2, lon2 = map(radians, (lat1, lon1, lat2, lon2))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def in_denmark(lat: float, lon: float) -> bool:
    return 54.5 <= lat <= 57.8 and 8.0 <= lon <= 15.2


@pytest.fixture(scope="module")
def taxonomy():
    return load_competence_taxonomy()


@pytest.fixture(scope="module")
def raw_competences():
    return yaml.safe_load((DATA_DIR / "competences.yaml").read_text(encoding="utf-8"))


# --- competences.yaml ---------------------------------------------------------------------------------

def test_taxonomy_size(taxonomy):
    assert len(taxonomy.terms) >= 220
    assert len(taxonomy.families) >= 16
    assert set(REQUIRED_FAMILIES) <= set(taxonomy.families)
    for family_id in taxonomy.families:
        assert len(taxonomy.terms_in_family(family_id)) >= 5, family_id


def test_every_term_has_several_synonyms(taxonomy):
    thin = [term.canonical for term in taxonomy.terms.values() if len(term.synonyms) < 3]
    assert not thin


def test_family_ids_and_labels(taxonomy):
    for family_id, family in taxonomy.families.items():
        assert family.id == family_id
        assert family_id.isascii() and family_id == family_id.lower()
        assert family.label.strip()
    assert taxonomy.family_label("rengoering") == "Rengøring"


def test_related_families_exist_with_partial_credit(taxonomy):
    for family in taxonomy.families.values():
        for other, credit in family.related.items():
            assert other in taxonomy.families, (family.id, other)
            assert other != family.id
            assert 0 < credit < 1, (family.id, other, credit)


def test_no_surface_form_under_two_canonicals(raw_competences):
    # Checked on the raw file, independently of the loader, so a loader that silently overwrote would fail.
    owners: dict[str, set[str]] = {}
    for body in raw_competences["families"].values():
        for canonical, synonyms in body["terms"].items():
            for form in {canonical, *synonyms}:
                owners.setdefault(normalise_surface(form), set()).add(canonical)
    shared = {form: canon for form, canon in owners.items() if len(canon) > 1}
    assert not shared


def test_surface_forms_cover_every_term(taxonomy):
    for term in taxonomy.terms.values():
        for form in (term.canonical, *term.synonyms):
            assert taxonomy.surface_forms[normalise_surface(form)] == term.canonical
    assert set(taxonomy.surface_forms.values()) == set(taxonomy.terms)
    assert all(form == normalise_surface(form) for form in taxonomy.surface_forms)


@pytest.mark.parametrize("task", DOMAIN_TASKS)
def test_domain_tasks_resolve(taxonomy, task):
    assert taxonomy.canonical_for(task) is not None


@pytest.mark.parametrize(("form", "canonical", "family"), [
    ("rengøringsassistent", "rengøring", "rengoering"),
    ("Gjort rent", "rengøring", "rengoering"),
    ("kantinen", "kantinearbejde", "koekken_kantine"),
    ("kantiner", "kantinearbejde", "koekken_kantine"),
    ("kantinemedhjælper", "kantinearbejde", "koekken_kantine"),
    ("lavet  mad", "madlavning", "koekken_kantine"),
    ("madmor", "madlavning", "koekken_kantine"),
    ("kørt truck", "truckkørsel", "lager_pakning"),
    ("passet børn", "børnepasning", "boern_paedagogik"),
    ("pedel", "pedelarbejde", "pedel_vedligehold"),
    ("vicevært", "pedelarbejde", "pedel_vedligehold"),
    ("ejendomsservice", "pedelarbejde", "pedel_vedligehold"),
    ("chauffør", "kørsel", "koersel"),
    ("SFO", "sfo", "boern_paedagogik"),
])
def test_known_forms_resolve_to_their_canonical(taxonomy, form, canonical, family):
    assert taxonomy.canonical_for(form) == canonical
    assert taxonomy.family_of(canonical) == family


def test_unknown_form_does_not_resolve(taxonomy):
    assert taxonomy.canonical_for("astronaut") is None


def test_family_relation(taxonomy):
    assert taxonomy.family_relation("rengoering", "rengoering") == 1.0
    assert taxonomy.family_relation("rengoering", "pedel_vedligehold") == 0.5
    assert taxonomy.family_relation("it", "landbrug_stald") == 0.0
    for a, b in itertools.combinations(taxonomy.families, 2):
        value = taxonomy.family_relation(a, b)
        assert value == taxonomy.family_relation(b, a)
        assert 0.0 <= value < 1.0


def test_relation_declared_one_way_counts_both_ways():
    raw = {"families": {
        "a": {"label": "A", "related": {"b": 0.4}, "terms": {"x": ["x1"]}},
        "b": {"label": "B", "terms": {"y": ["y1"]}},
    }}
    built = build_taxonomy(raw)
    assert built.family_relation("a", "b") == built.family_relation("b", "a") == 0.4


@pytest.mark.parametrize(("families", "message"), [
    ({"a": {"label": "A", "terms": {"x": ["fælles"]}}, "b": {"label": "B", "terms": {"y": ["Fælles "]}}},
     "listed under both .x. and .y."),
    ({"a": {"label": "A", "related": {"nope": 0.3}, "terms": {"x": ["x1"]}}}, "nope"),
    ({"a": {"label": "A", "related": {"b": 1.0}, "terms": {"x": ["x1"]}},
      "b": {"label": "B", "terms": {"y": ["y1"]}}}, "between 0 and 1"),
    ({"a": {"label": "A", "terms": {"x": ["x1", True]}}}, "synonyms"),
    ({"Rengøring": {"label": "A", "terms": {"x": ["x1"]}}}, "snake_case"),
    ({"Rengoering": {"label": "A", "terms": {"x": ["x1"]}}}, "snake_case"),
])
def test_broken_taxonomy_is_rejected(families, message):
    with pytest.raises(ValueError, match=message):
        build_taxonomy({"families": families})


def test_taxonomy_is_loaded_once():
    assert load_competence_taxonomy() is load_competence_taxonomy()


# --- restrictions.yaml --------------------------------------------------------------------------------

def test_restriction_catalogue_matches_design():
    raw = yaml.safe_load((DATA_DIR / "restrictions.yaml").read_text(encoding="utf-8"))
    codes = [entry["code"] for entry in raw["restrictions"]]
    assert sorted(codes) == sorted(DESIGN_RESTRICTIONS)
    assert len(codes) == len(set(codes)) == 21
    for entry in raw["restrictions"]:
        for field in ("label", "description", "value_type", "demand", "demand_label"):
            assert isinstance(entry.get(field), str) and entry[field].strip(), (entry["code"], field)
        assert entry["demand"] == DESIGN_RESTRICTIONS[entry["code"]]
        assert entry["value_type"] == ("number" if entry["code"] == "max_lifting_kg" else "none")
        assert len(entry.get("phrases", [])) >= 3, entry["code"]
    catalogue = load_catalogue()
    assert len(set(catalogue.demands)) == 21


# --- municipalities.csv and postcodes.csv -------------------------------------------------------------

def test_all_98_municipalities():
    municipalities = load_municipalities()
    assert len(municipalities) == 98
    with (DATA_DIR / "municipalities.csv").open(encoding="utf-8", newline="") as handle:
        names = [row["name"] for row in csv.DictReader(handle, delimiter=";")]
    assert len(names) == len(set(names)) == 98
    regions = {m.region for m in municipalities.values()}
    assert regions == {"Region Hovedstaden", "Region Sjælland", "Region Syddanmark",
                       "Region Midtjylland", "Region Nordjylland"}
    for municipality in municipalities.values():
        assert in_denmark(municipality.lat, municipality.lon), municipality.name


def test_postcodes_are_valid_and_unique():
    with (DATA_DIR / "postcodes.csv").open(encoding="utf-8", newline="") as handle:
        numbers = [row["postnr"] for row in csv.DictReader(handle, delimiter=";")]
    assert len(numbers) == len(set(numbers))
    assert all(len(n) == 4 and n.isdigit() for n in numbers)
    assert len(load_postcodes()) == len(numbers) >= 250


def test_postcodes_lie_in_their_municipality():
    municipalities = load_municipalities()
    for postcode in load_postcodes().values():
        assert in_denmark(postcode.lat, postcode.lon), postcode.postnr
        centre = municipalities[postcode.municipality]
        distance = haversine_km(postcode.lat, postcode.lon, centre.lat, centre.lon)
        assert distance <= MAX_KM_FROM_MUNICIPALITY, (postcode.postnr, postcode.town, round(distance))


def test_every_municipality_has_a_postcode():
    covered = {postcode.municipality for postcode in load_postcodes().values()}
    assert covered == set(load_municipalities())


@pytest.mark.parametrize("town", DEMO_JOBCENTRE_TOWNS)
def test_demo_jobcentre_towns_have_several_postcodes(town):
    assert sum(p.municipality == town for p in load_postcodes().values()) >= 3


def test_location_for_postcode():
    lat, lon = location_for_postcode("8700")
    horsens = load_municipalities()["Horsens"]
    assert haversine_km(lat, lon, horsens.lat, horsens.lon) < 5
    assert location_for_postcode(8700) == (lat, lon)
    assert location_for_postcode(" 87 00 ") == (lat, lon)
    assert location_for_postcode("0000") is None
    assert location_for_postcode("abc") is None
    assert location_for_postcode("") is None


def test_location_for_municipality():
    assert location_for_municipality("horsens ") == location_for_municipality("Horsens") is not None
    assert location_for_municipality("Atlantis") is None
