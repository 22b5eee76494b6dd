"""Persistence: migrations, ORM constraints and the store operations, on SQLite and (when configured)
PostgreSQL through the `db_url` fixture."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from models import orm, placements, store
from models.db import (
    alembic_config,
    database_url,
    downgrade_database,
    make_engine,
    session_factory,
    session_scope,
    upgrade_database,
)
from models.placements import LifecycleError, OutcomeRequest
from models.schemas import Candidate, Location, MatchResponse, Position


def make_candidate(id: str = "B-1", **changes) -> Candidate:
    data = {
        "id": id, "jobcenter": "Horsens", "capacity_hours": 5, "capacity_basis": "measured",
        "competences": ["rengøringsassistent", "kantinearbejde"], "cv_text": "Har gjort rent på skole i 10 år",
        "restrictions": [{"code": "no_food_contact", "severity": "hard"},
                         {"code": "max_lifting_kg", "value": 5, "severity": "soft"}],
        "wishes": ["kantine"], "driving_licence": True, "location": {"lat": 55.87, "lon": 9.84},
        "max_commute_km": 20.5, "available_days": ["mon", "wed"], "ly_months_last_24": 19,
        "status": "available", "gender": "f", "birth_year": 1968, "origin": "DK",
        "attributes": {"uddannelse": "grundskole", "børn": 2},
    }
    return Candidate.model_validate(data | changes)


def make_position(id: str = "S-1", **changes) -> Position:
    data = {
        "id": id, "title": "Rengøring og kantine", "jobcenter": "Horsens",
        "employer": {"id": "V-1", "name": "Bageriet A/S", "size": "small", "sector": "private",
                     "has_fleksjob_experience": True, "max_fleksjobbere": 2},
        "location": {"lat": 55.861, "lon": 9.85}, "max_people": 2, "min_hours_per_person": 2,
        "tasks": [
            {"id": "t2", "title": "Rengøring af kontorer", "description": "Gulvvask og aftørring",
             "hours_per_week": 6, "competences": ["rengøring"],
             "demands": {"lifting_kg": 8, "standing": True, "chemicals": True},
             "days": ["mon", "wed", "fri"], "splittable": True},
            {"id": "t1", "title": "Kantine", "hours_per_week": 3, "splittable": False},
        ],
    }
    return Position.model_validate(data | changes)


def make_response(position_id: str = "S-1", proposals: int = 2) -> MatchResponse:
    people = [{"candidate_id": "B-1", "assignments": [{"task_id": "t2", "hours_per_week": 5}]}]
    return MatchResponse.model_validate({
        "position_id": position_id,
        "ranking": [{"candidate_id": "B-1", "rank": 1, "score": 0.8, "hours_offered": 5, "feasible_tasks": ["t2"],
                     "explanation": {"components": {"competence": 0.9}}}],
        "excluded": [],
        "proposals": [{"kind": "single", "people": people, "hours_covered": 5, "hours_requested": 9,
                       "objective": 4.0 - rank} for rank in range(proposals)],
    })


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


# ---- migrations ---------------------------------------------------------------------------------------


def test_upgrade_on_empty_database_reaches_head_without_diff(empty_db_url: str) -> None:
    upgrade_database(empty_db_url)
    upgrade_database(empty_db_url)  # idempotent: a second upgrade is a no-op
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            head = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert context.get_current_revision() == head
            assert compare_metadata(context, orm.Base.metadata) == []
            tables = set(inspect(connection).get_table_names())
        assert set(orm.Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(empty_db_url: str) -> None:
    upgrade_database(empty_db_url)
    downgrade_database(empty_db_url, "base")
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade_database(empty_db_url)
        with engine.connect() as connection:
            assert set(orm.Base.metadata.tables) <= set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_database_url_default_env_and_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLEKSMATCH_DATABASE_URL", raising=False)
    assert database_url() == "sqlite:///var/fleksmatch.sqlite3"
    monkeypatch.setenv("FLEKSMATCH_DATABASE_URL", "postgresql://fm:hemmelig@db:5432/fleksmatch")
    assert database_url() == "postgresql+psycopg://fm:hemmelig@db:5432/fleksmatch"
    assert "hemmelig" not in database_url(redact=True)
    assert database_url(redact=True).startswith("postgresql+psycopg://fm:")


def test_default_sqlite_database_is_created_under_var(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("FLEKSMATCH_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    upgrade_database()
    assert (tmp_path / "var" / "fleksmatch.sqlite3").is_file()


# ---- citizens -----------------------------------------------------------------------------------------


def test_citizen_round_trip_equals_candidate(session: Session) -> None:
    candidate = make_candidate()
    citizen, changed = store.upsert_citizen(session, candidate, postcode="8700",
                                            unresolved_notes=["skal have pauser"])
    session.commit()
    session.expunge_all()
    stored = session.get(orm.Citizen, "B-1")
    assert changed
    assert store.citizen_to_candidate(stored) == candidate
    assert stored.postcode == "8700"
    assert stored.unresolved_restriction_notes == ["skal have pauser"]
    assert stored.active is True
    assert stored.created_at.tzinfo is not None and stored.created_at.utcoffset().total_seconds() == 0


def test_citizen_round_trip_with_empty_optional_fields(session: Session) -> None:
    candidate = Candidate.model_validate({"id": "B-9", "jobcenter": "Vejle", "capacity_hours": 1})
    store.upsert_citizen(session, candidate)
    session.commit()
    session.expunge_all()
    assert store.citizen_to_candidate(session.get(orm.Citizen, "B-9")) == candidate


def test_upsert_same_citizen_twice_changes_nothing(session: Session) -> None:
    citizen, _ = store.upsert_citizen(session, make_candidate(), postcode="8700")
    session.commit()
    updated_at = citizen.updated_at
    session.expunge_all()
    again, changed = store.upsert_citizen(session, make_candidate())
    session.commit()
    assert not changed
    assert again.updated_at == updated_at
    assert again.postcode == "8700"  # None means "keep", not "erase"


def test_upsert_changed_citizen_updates_fields_and_replaces_restrictions(session: Session) -> None:
    store.upsert_citizen(session, make_candidate())
    session.commit()
    first_updated = session.get(orm.Citizen, "B-1").updated_at
    changed_candidate = make_candidate(capacity_hours=8, restrictions=[{"code": "no_chemicals"}])
    citizen, changed = store.upsert_citizen(session, changed_candidate)
    session.commit()
    assert changed and citizen.updated_at > first_updated
    rows = session.scalars(select(orm.CitizenRestriction)).all()
    assert [(r.citizen_id, r.code, r.severity) for r in rows] == [("B-1", "no_chemicals", "hard")]
    session.expunge_all()
    assert store.citizen_to_candidate(session.get(orm.Citizen, "B-1")) == changed_candidate


def test_restriction_order_change_is_a_change(session: Session) -> None:
    candidate = make_candidate()
    store.upsert_citizen(session, candidate)
    session.commit()
    reordered = make_candidate(restrictions=list(reversed(candidate.model_dump()["restrictions"])))
    _, changed = store.upsert_citizen(session, reordered)
    session.commit()
    session.expunge_all()
    assert changed
    assert store.citizen_to_candidate(session.get(orm.Citizen, "B-1")) == reordered


def test_upserting_the_same_new_citizen_twice_in_one_transaction_updates_it(session: Session) -> None:
    store.preload_citizens(session, ["B-1", "B-2"])
    first, _ = store.upsert_citizen(session, make_candidate("B-1"))
    again, changed = store.upsert_citizen(session, make_candidate("B-1", capacity_hours=9))
    session.commit()
    assert again is first and changed
    assert count(session, orm.Citizen) == 1 and session.get(orm.Citizen, "B-1").capacity_hours == 9


def test_preloaded_citizens_are_updated_and_caches_survive_a_rollback(session: Session) -> None:
    store.upsert_citizen(session, make_candidate("B-1"))
    session.commit()
    assert store.preload_citizens(session, ["B-1", "B-2"]) == 1
    store.upsert_citizen(session, make_candidate("B-2"))
    session.rollback()  # B-2 and nothing else is gone; the session's lookups must not remember it
    store.upsert_citizen(session, make_candidate("B-2", jobcenter="Vejle"))
    _, changed = store.upsert_citizen(session, make_candidate("B-1", status="employed"))
    session.commit()
    session.expunge_all()
    assert changed
    assert store.citizen_to_candidate(session.get(orm.Citizen, "B-2")) == make_candidate("B-2", jobcenter="Vejle")
    assert session.get(orm.Citizen, "B-1").status == "employed"
    assert sorted(session.scalars(select(orm.Jobcenter.name))) == ["Horsens", "Vejle"]


def test_upsert_citizen_without_jobcenter_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="mangler jobcenter"):
        store.upsert_citizen(session, make_candidate(jobcenter=None))


def test_available_candidates_filters_status_active_and_jobcenter(session: Session) -> None:
    store.upsert_citizen(session, make_candidate("B-3"))
    store.upsert_citizen(session, make_candidate("B-1"))
    store.upsert_citizen(session, make_candidate("B-2", status="sick_leave"))
    store.upsert_citizen(session, make_candidate("B-4", jobcenter="Vejle"))
    store.upsert_citizen(session, make_candidate("B-5"))
    store.mark_missing_citizens_inactive(session, "Horsens", keep_ids={"B-1", "B-2", "B-3"})
    session.commit()
    assert [c.id for c in store.available_candidates(session)] == ["B-1", "B-3", "B-4"]
    assert [c.id for c in store.available_candidates(session, "Horsens")] == ["B-1", "B-3"]
    assert store.available_candidates(session, "Aarhus") == []


def test_mark_missing_inactive_never_deletes_and_reimport_reactivates(session: Session) -> None:
    for id in ("B-1", "B-2", "B-3"):
        store.upsert_citizen(session, make_candidate(id))
    store.upsert_citizen(session, make_candidate("B-9", jobcenter="Vejle"))
    assert store.mark_missing_citizens_inactive(session, "Horsens", ["B-2"]) == 2
    assert store.mark_missing_citizens_inactive(session, "Horsens", ["B-2"]) == 0
    assert store.mark_missing_citizens_inactive(session, "Ukendt", []) == 0
    session.commit()
    active = dict(session.execute(select(orm.Citizen.id, orm.Citizen.active)).tuples().all())
    assert active == {"B-1": False, "B-2": True, "B-3": False, "B-9": True}
    citizen, changed = store.upsert_citizen(session, make_candidate("B-1"))
    assert changed and citizen.active


def test_delete_citizen_removes_restrictions(session: Session) -> None:
    store.upsert_citizen(session, make_candidate())
    session.commit()
    assert store.delete_citizen(session, "B-1")
    assert not store.delete_citizen(session, "B-1")
    session.commit()
    assert count(session, orm.Citizen) == 0 and count(session, orm.CitizenRestriction) == 0
    store.upsert_citizen(session, make_candidate())  # the case system may send the citizen again
    assert store.delete_citizen(session, "B-1")
    store.upsert_citizen(session, make_candidate(capacity_hours=3))
    session.commit()
    assert session.get(orm.Citizen, "B-1").capacity_hours == 3 and count(session, orm.CitizenRestriction) == 2


def test_database_cascades_restrictions_on_raw_delete(session: Session) -> None:
    store.upsert_citizen(session, make_candidate())
    session.commit()
    session.execute(text("DELETE FROM citizens WHERE id = 'B-1'"))
    session.commit()
    assert count(session, orm.CitizenRestriction) == 0


# ---- positions ----------------------------------------------------------------------------------------


def test_position_with_tasks_round_trip(session: Session) -> None:
    position = make_position()
    store.upsert_position(session, position, "Horsens", postcode="8700")
    session.commit()
    session.expunge_all()
    stored = session.get(orm.Position, "S-1")
    assert store.position_to_schema(stored) == position
    assert [t.task_id for t in stored.tasks] == ["t2", "t1"]  # caller's order, not id order
    assert stored.employer.name == "Bageriet A/S" and stored.postcode == "8700"


def test_upsert_position_replaces_tasks_and_is_idempotent(session: Session) -> None:
    store.upsert_position(session, make_position(), "Horsens")
    session.commit()
    before = session.get(orm.Position, "S-1").updated_at
    row = store.upsert_position(session, make_position(), "Horsens")
    assert row.updated_at == before
    new = make_position(tasks=[{"id": "t1", "title": "Kantine og opvask", "hours_per_week": 4},
                               {"id": "t3", "title": "Pedelarbejde", "hours_per_week": 2,
                                "demands": {"heights": True}}])
    store.upsert_position(session, new, "Horsens")
    session.commit()
    session.expunge_all()
    assert count(session, orm.Task) == 2
    assert store.position_to_schema(session.get(orm.Position, "S-1")) == new


def test_open_positions_by_status_and_jobcenter(session: Session) -> None:
    store.upsert_position(session, make_position("S-2"), "Horsens")
    store.upsert_position(session, make_position("S-1"), "Horsens")
    store.upsert_position(session, make_position("S-3"), "Horsens", status="filled")
    store.upsert_position(session, make_position("S-4", employer={"id": "V-2", "name": "Kommunen"}), "Vejle")
    session.commit()
    assert [p.id for p in store.open_positions(session)] == ["S-1", "S-2", "S-4"]
    assert [p.id for p in store.open_positions(session, "Vejle")] == ["S-4"]
    with pytest.raises(ValueError):
        store.upsert_position(session, make_position("S-5"), "Horsens", status="gone")


def test_employer_keeps_location_and_postcode_when_not_given(session: Session) -> None:
    position = make_position()
    store.upsert_employer(session, position.employer, "Horsens", postcode="8700",
                          location=Location(lat=55.86, lon=9.85))
    store.upsert_position(session, position, "Horsens")
    session.commit()
    employer = session.get(orm.Employer, "V-1")
    assert (employer.postcode, employer.lat, employer.lon) == ("8700", 55.86, 9.85)


# ---- match runs and outcomes --------------------------------------------------------------------------


def test_store_match_run_assigns_proposal_ids_and_keeps_older_runs(session: Session) -> None:
    store.upsert_position(session, make_position(), "Horsens")
    first = store.store_match_run(session, "S-1", make_response(), source="api", created_by="konsulent1")
    session.commit()
    second = store.store_match_run(session, "S-1", make_response(proposals=3), source="rematch",
                                   created_by="nat")
    session.commit()
    session.expunge_all()
    current = store.current_match_run(session, "S-1")
    assert current.id == second.id and current.source == "rematch"
    assert session.get(orm.MatchRun, first.id).current is False
    assert count(session, orm.MatchRun) == 2
    stored_ids = [p["proposal_id"] for p in current.response["proposals"]]
    assert stored_ids == [p.id for p in current.proposals]
    assert len(set(stored_ids)) == 3
    assert [p.rank for p in current.proposals] == [1, 2, 3]
    assert current.proposals[0].people == current.response["proposals"][0]["people"]
    without_ids = {**current.response, "proposals": [
        {k: v for k, v in p.items() if k != "proposal_id"} for p in current.response["proposals"]]}
    assert MatchResponse.model_validate(without_ids) == make_response(proposals=3)
    assert store.current_match_run(session, "S-unknown") is None


def test_store_match_run_refuses_wrong_or_unknown_position(session: Session) -> None:
    with pytest.raises(ValueError):
        store.store_match_run(session, "S-1", make_response("S-2"), source="api", created_by="x")
    with pytest.raises(store.NotFoundError):
        store.store_match_run(session, "S-1", make_response(), source="api", created_by="x")
    store.upsert_position(session, make_position(), "Horsens")
    with pytest.raises(ValueError):
        store.store_match_run(session, "S-1", make_response(), source="email", created_by="x")


def test_only_one_current_run_per_position_is_enforced_by_the_database(session: Session) -> None:
    store.upsert_position(session, make_position(), "Horsens")
    store.store_match_run(session, "S-1", make_response(), source="api", created_by="x")
    session.commit()
    session.add(orm.MatchRun(id="manual", position_id="S-1", created_by="x", source="api", response={},
                             current=True))
    with pytest.raises(IntegrityError):
        session.commit()


def test_outcome_events_keep_history_and_set_status(session: Session) -> None:
    store.upsert_position(session, make_position(), "Horsens")
    store.upsert_citizen(session, make_candidate("B-1", capacity_hours=8))
    run = store.store_match_run(session, "S-1", make_response(), source="ui", created_by="k1")
    proposal = run.proposals[0]
    session.commit()
    person = proposal.persons[0].candidate_id
    today = date(2026, 12, 1)
    for outcome, actor, extra in (("contacted", "k1", {}), ("praktik", "k1", {"reason": "4 ugers praktik"}),
                                  ("hired", "k2", {"hours_per_week": 2, "contract": "permanent"})):
        placements.record_outcome(session, proposal, OutcomeRequest(outcome, person, **extra), actor=actor, today=today)
    session.commit()
    session.expunge_all()
    proposal = session.get(orm.Proposal, proposal.id)
    assert proposal.status == "hired" and proposal.persons[0].status == "hired"
    assert [(e.outcome, e.actor, e.reason, e.previous_status) for e in proposal.events] == [
        ("contacted", "k1", None, "open"), ("praktik", "k1", "4 ugers praktik", "contacted"),
        ("hired", "k2", None, "praktik")]
    assert all(e.at.tzinfo is not None and e.effective_date == today for e in proposal.events)
    assert session.get(orm.Proposal, run.proposals[1].id).status == "open"


def test_outcome_validation(session: Session) -> None:
    store.upsert_position(session, make_position(), "Horsens")
    store.upsert_citizen(session, make_candidate("B-1"))
    proposal = store.store_match_run(session, "S-1", make_response(), source="ui", created_by="k").proposals[0]
    person = proposal.persons[0].candidate_id
    today = date(2026, 12, 1)
    with pytest.raises(LifecycleError, match="begrundelse"):
        placements.record_outcome(session, proposal, OutcomeRequest("rejected", person, reason="  ",
                                                                    rejected_by="employer"), actor="k", today=today)
    with pytest.raises(LifecycleError) as unknown:
        placements.record_outcome(session, proposal, OutcomeRequest("married", person), actor="k", today=today)
    assert unknown.value.conflict
    event = placements.record_outcome(session, proposal, OutcomeRequest("rejected", person, reason="For mange løft",
                                                                        rejected_by="employer"), actor="k", today=today)
    assert event.reason == "For mange løft" and count(session, orm.ProposalEvent) == 1


# ---- transactions and constraints ---------------------------------------------------------------------


def test_failing_transaction_leaves_nothing_behind(engine: Engine) -> None:
    factory = session_factory(engine)
    with pytest.raises(RuntimeError):
        with session_scope(factory) as session:
            store.upsert_citizen(session, make_candidate("B-1"))
            store.upsert_position(session, make_position(), "Horsens")
            raise RuntimeError("række 3 er ugyldig")
    with pytest.raises(IntegrityError):
        with session_scope(factory) as session:
            store.upsert_citizen(session, make_candidate("B-2"))
            session.add(orm.Jobcenter(name="Horsens"))  # duplicate name fails at flush
            session.flush()
    with session_scope(factory) as session:
        assert count(session, orm.Citizen) == 0
        assert count(session, orm.Jobcenter) == 0
        assert count(session, orm.Position) == 0
        assert count(session, orm.CitizenRestriction) == 0


def test_session_scope_commits_on_success(engine: Engine) -> None:
    factory = session_factory(engine)
    with session_scope(factory) as session:
        store.upsert_citizen(session, make_candidate())
    with session_scope(factory) as session:
        assert store.citizen_to_candidate(session.get(orm.Citizen, "B-1")) == make_candidate()


@pytest.mark.parametrize("build", [
    pytest.param(lambda s: [orm.Jobcenter(name="Horsens"), orm.Jobcenter(name="Horsens")], id="jobcenter-name"),
    pytest.param(lambda s: [orm.User(username="anna", password_hash="x", role="admin"),
                            orm.User(username="anna", password_hash="y", role="admin")], id="username"),
    pytest.param(lambda s: [orm.ApiToken(token_hash="a" * 64, role="admin"),
                            orm.ApiToken(token_hash="a" * 64, role="case_system")], id="token-hash"),
    pytest.param(lambda s: [orm.Task(position_id="S-1", task_id="t2", title="igen", hours_per_week=1)],
                 id="task-id-in-position"),
    pytest.param(lambda s: [orm.CitizenRestriction(citizen_id="B-1", code="no_food_contact")],
                 id="restriction-code-per-citizen"),
])
def test_unique_constraints(session: Session, build) -> None:
    store.upsert_citizen(session, make_candidate())
    store.upsert_position(session, make_position(), "Horsens")
    session.commit()
    session.add_all(build(session))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize("row", [
    pytest.param(lambda jc: orm.User(username="u", password_hash="x", role="superuser"), id="role"),
    pytest.param(lambda jc: orm.AuditEntry(actor="a", role="admin", action="peek", endpoint="/"), id="audit-action"),
    pytest.param(lambda jc: orm.BatchJob(id="j", state="paused", created_by="a"), id="job-state"),
    pytest.param(lambda jc: orm.Citizen(id="B-x", jobcenter_id=jc, capacity_hours=0), id="capacity-hours"),
    pytest.param(lambda jc: orm.Citizen(id="B-x", jobcenter_id=jc, capacity_hours=3, status="happy"),
                 id="citizen-status"),
    pytest.param(lambda jc: orm.Citizen(id="B-x", jobcenter_id=jc + 1000, capacity_hours=3), id="foreign-key"),
])
def test_check_and_foreign_key_constraints(session: Session, row) -> None:
    jobcenter = store.get_or_create_jobcenter(session, "Horsens")
    session.add(row(jobcenter.id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_audit_and_batch_rows_round_trip_with_utc_times(session: Session) -> None:
    at = datetime(2025, 3, 1, 12, 30, tzinfo=timezone.utc)
    session.add(orm.AuditEntry(at=at, actor="k1", role="consultant", citizen_id="B-1", jobcenter="Horsens",
                               action="read", endpoint="GET /api/v1/citizens/B-1"))
    session.add(orm.BatchJob(id="job1", jobcenter=None, created_by="nat", summary={"positions": 3}))
    session.commit()
    session.expunge_all()
    entry = session.scalars(select(orm.AuditEntry)).one()
    assert entry.at == at and entry.id >= 1
    job = session.get(orm.BatchJob, "job1")
    assert (job.state, job.done, job.total, job.summary, job.started_at) == ("queued", 0, 0, {"positions": 3}, None)
    with pytest.raises(StatementError, match="naive datetime"):
        session.add(orm.AuditEntry(at=datetime(2025, 1, 1), actor="a", role="admin", action="read", endpoint="/"))
        session.flush()
