"""/borgere's search: folded, stemmed competence and wish terms (models.search_terms) kept in step by every
door that writes a citizen, searched with the same LIKE on SQLite and PostgreSQL; and the migration that
fills the terms of citizens stored before it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import snowballstemmer
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session

from models import orm, store
from models.db import MIGRATIONS_DIR, make_engine, session_factory, session_scope, upgrade_database
from models.schemas import Candidate
from models.search_terms import stems, terms_text
from service.core.auth.principal import Principal
from service.http.web.citizen_search import CitizenFilter, citizen_query
from db_support import database_session

POOL = [
    {"id": "B-1", "capacity_hours": 5, "competences": ["rengøringsassistent"], "wishes": ["kantine"],
     "ly_months_last_24": 19},
    {"id": "B-2", "capacity_hours": 4, "competences": ["kantinearbejde", "køkkenhjælp"], "ly_months_last_24": 11},
    {"id": "B-3", "capacity_hours": 8, "competences": ["Rengøring af kontorer", "opvask"], "status": "sick_leave"},
    {"id": "B-4", "capacity_hours": 6, "competences": ["lager"], "wishes": ["Køkken og kantine"]},
    {"id": "B-5", "capacity_hours": 3, "competences": ["smøre smørrebrød", "gårdmand"]},
]
HORSENS = Principal(actor="user:anna", role="consultant", jobcenters=frozenset({"Horsens"}))


@pytest.fixture
def pool(session: Session) -> Session:
    for citizen in POOL:
        store.upsert_citizen(session, Candidate.model_validate({"jobcenter": "Horsens", **citizen}))
    store.upsert_citizen(session, Candidate.model_validate(
        {"id": "V-1", "jobcenter": "Vejle", "capacity_hours": 6, "competences": ["rengøring"]}))
    session.commit()
    return session


def found(session: Session, principal: Principal = HORSENS, **params: str) -> list[str]:
    return [c.id for c in session.scalars(citizen_query(session, principal, CitizenFilter.from_params(params))).unique()]


@pytest.mark.postgres
@pytest.mark.parametrize("query, expected", [
    ("rengøring", ["B-1", "B-3"]),          # æøå, and the compound "rengøringsassistent"
    ("Rengøring", ["B-1", "B-3"]),          # any case
    ("rengøringen", ["B-1", "B-3"]),        # an inflection of the query
    ("køkken", ["B-2", "B-4"]),             # a competence ("køkkenhjælp") and a wish ("Køkken og kantine")
    ("KØKKEN", ["B-2", "B-4"]),
    ("køkkenhjælper", ["B-2"]),             # the agent noun finds "køkkenhjælp"
    ("kantine", ["B-1", "B-2", "B-4"]),     # wish and competence
    ("smørrebrød", ["B-5"]), ("gårdmand", ["B-5"]),
    ("rengøring kontor", ["B-3"]),          # every word must match
    ("B-4", ["B-4"]), ("b-4", ["B-4"]),    # the id
    ("xyz", []), ("%", []), ("_", []),
])
def test_search_finds_folded_stemmed_terms_on_both_databases(pool, query, expected) -> None:
    assert found(pool, q=query) == expected


@pytest.mark.postgres
def test_search_never_crosses_the_jobcentre(pool) -> None:
    assert "V-1" not in found(pool, q="rengøring")
    admin = Principal(actor="admin", role="admin", jobcenters=frozenset())
    assert found(pool, admin, q="rengøring") == ["B-1", "B-3", "V-1"]
    assert found(pool, admin, q="rengøring", jobcenter="Vejle") == ["V-1"]


@pytest.mark.postgres
def test_filters_status_hours_and_ly_months(pool) -> None:
    assert found(pool, status="sick_leave") == ["B-3"]
    assert found(pool, timer_fra="5", timer_til="6") == ["B-1", "B-4"]
    assert found(pool, ly_fra="15") == ["B-1"]
    assert found(pool, q="rengøring", status="available") == ["B-1"]
    # Unusable filter values are ignored, never an error.
    assert found(pool, timer_fra="mange", status="nonsens") == ["B-1", "B-2", "B-3", "B-4", "B-5"]


@pytest.mark.postgres
def test_terms_follow_every_change_of_competences_and_wishes(pool) -> None:
    citizen = pool.get(orm.Citizen, "B-4")
    store.upsert_citizen(pool, store.citizen_to_candidate(citizen).model_copy(
        update={"competences": ["pedel"], "wishes": []}))
    pool.commit()
    assert found(pool, q="køkken") == ["B-2"]
    assert found(pool, q="pedel") == ["B-4"]
    assert citizen.competence_terms == terms_text(["pedel"]) and citizen.wish_terms == ""


def test_the_importer_writes_the_same_terms_as_the_store(tmp_path, sqlite_url) -> None:
    from service.importer.command import run_import
    from rich.console import Console

    csv = tmp_path / "pulje.csv"
    csv.write_text("BorgerID;Jobcenter;Arbejdsevne timer;Skånehensyn;Kompetencer;Ønsker\n"
                   "I-1;Horsens;5;;Rengøring, Køkkenhjælper;Køkken og kantine\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FLEKSMATCH_DATABASE_URL", sqlite_url)
        assert run_import(Console(file=open(tmp_path / "out.txt", "w")), csv) == 0
    with database_session(sqlite_url) as session:
        citizen = session.get(orm.Citizen, "I-1")
        assert citizen.competence_terms == terms_text(["Rengøring", "Køkkenhjælper"])
        assert citizen.wish_terms == terms_text(["Køkken og kantine"])
        assert found(session, q="køkken") == ["I-1"]


@given(st.lists(st.text(alphabet="abcæøåéü -ABCÆØÅ", max_size=20), max_size=5))
def test_the_migration_backfill_computes_what_the_code_computes(values) -> None:
    """0004 carries a frozen copy of terms_text; the two must agree on what they store."""
    migration = _migration()
    assert migration.terms_text(values, snowballstemmer.stemmer("danish")) == terms_text(values)


def _migration():
    path = MIGRATIONS_DIR / "versions" / "0004_consultant_ui.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.postgres
def test_migration_0004_fills_the_terms_of_citizens_stored_before_it(empty_db_url) -> None:
    upgrade_database(empty_db_url, "0002")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO jobcenters (id, name, created_at) VALUES (1, 'Horsens', :now)"),
                               {"now": "2026-01-01 00:00:00"})
            connection.execute(text(
                "INSERT INTO citizens (id, jobcenter_id, capacity_hours, capacity_basis, competences, cv_text, wishes, "
                "driving_licence, ly_months_last_24, status, attributes, active, unresolved_restriction_notes, "
                "created_at, updated_at) VALUES ('B-1', 1, 5, 'estimated', :competences, '', :wishes, false, 0, "
                "'available', '{}', true, '[]', :now, :now)"),
                {"competences": '["reng\\u00f8ringsassistent", "K\\u00f8kkenhj\\u00e6lper"]', "wishes": '["kantine"]',
                 "now": "2026-01-01 00:00:00"})
        upgrade_database(empty_db_url)
        with session_scope(session_factory(engine)) as session:
            citizen = session.get(orm.Citizen, "B-1")
            assert citizen.competence_terms == terms_text(["rengøringsassistent", "Køkkenhjælper"])
            assert citizen.wish_terms == terms_text(["kantine"])
            assert found(session, q="køkken") == ["B-1"] and found(session, q="rengøring") == ["B-1"]
    finally:
        engine.dispose()


def test_stems_fold_case_and_join_hyphenated_compounds() -> None:
    assert stems("Køkken-hjælper") == stems("køkkenhjælper") == ["køkkenhjælp"]
    assert stems("Rengøringen") == stems("rengøring")
    assert terms_text(["a b", "b c"]) == " a b c"
