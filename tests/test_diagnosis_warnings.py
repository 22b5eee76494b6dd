"""Diagnoses in free text are warned about, and `attributes` is bounded (issue 13, Medium 12)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api_support import citizen_body
from models.diagnosis import diagnosis_hints, diagnosis_warning
from models.schemas import Candidate
from test_api_errors import _is_problem
from test_import_csv_excel import invoke, write_csv


@pytest.mark.parametrize("text, expected", [
    ("Diagnose: paranoid skizofreni (F20.0)", ["F20.0", "diagnose", "skizofreni"]),
    ("Ondt i lænden, M54", ["M54"]),
    ("Diagnosticeret med depression og PTSD", ["diagnosticeret", "depression", "ptsd"]),
    ("Har gjort rent på en skole i 10 år; kørekort B; S-1", []),
])
def test_icd_codes_and_diagnosis_words_are_found(text, expected):
    assert diagnosis_hints(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå ,.", max_size=200))
def test_lowercase_prose_without_diagnosis_words_never_warns_of_a_code(text):
    assert all(not hint[:1].isupper() for hint in diagnosis_hints(text))


def test_the_api_stores_and_warns(api):
    body = citizen_body(cv_text="Diagnose: paranoid skizofreni (F20.0)", attributes={"note": "M54 lænd"})
    answer = api.client.put("/api/v1/citizens/B-D", json=body, headers=api.as_("a"))
    assert answer.status_code == 201
    warnings = answer.json()["warnings"]
    assert len(warnings) == 2 and warnings[0].startswith("cv_text ligner en diagnose (F20.0, diagnose, skizofreni)")
    assert "attributes.note" in warnings[1]
    clean = api.client.put("/api/v1/citizens/B-D", json=citizen_body(), headers=api.as_("a")).json()
    assert clean["warnings"] == []


@pytest.mark.parametrize("attributes, message", [
    ({"nested": {"a": 1}}, "ikke en liste eller et objekt"),
    ({"list": [1, 2]}, "ikke en liste eller et objekt"),
    ({f"k{n}": n for n in range(21)}, "højst 20 oplysninger"),
    ({"x" * 51: 1}, "1–50 tegn"),
    ({"tekst": "x" * 201}, "må højst have 200 tegn"),
    ({f"k{n}": "y" * 150 for n in range(15)}, "2000 bytes"),
])
def test_attributes_are_bounded(attributes, message):
    with pytest.raises(ValidationError, match=message):
        Candidate(id="B-1", capacity_hours=3, attributes=attributes)
    Candidate(id="B-1", capacity_hours=3, attributes={"etnicitet": "dansk", "alder": 52, "n": 1.5, "ok": True,
                                                     "tom": None})


def test_the_api_names_the_attributes_field(api):
    answer = api.client.put("/api/v1/citizens/B-D", json=citizen_body(attributes={"a": {"b": 1}}),
                            headers=api.as_("a"))
    assert _is_problem(answer, 422)["errors"][0]["field"] == "attributes"


def test_the_importer_warns_of_a_diagnosis_in_a_restriction_note(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
    row = ["B-1", "Horsens", "5", "estimeret", "rengøring", "Diagnose F32.1", "", "", "Nej", "1", "ledig", ""]
    path = write_csv(tmp_path / "p.csv", [row])
    result = invoke(str(path))
    assert result.exit_code == 0
    report = (tmp_path / "p.importrapport.csv").read_text(encoding="utf-8-sig")
    assert "ligner en diagnose (F32.1, diagnose)" in report


def test_the_warning_is_danish_and_names_the_field():
    assert diagnosis_warning("Begrundelsen", "skizofreni").startswith("Begrundelsen ligner en diagnose")
    assert diagnosis_warning("Begrundelsen", "kunne ikke løfte kasserne") is None
