"""The stored rematch keeps the batch rules on employers (docs/matching.md, "Batch rules"): max_fleksjobbere
across all of an employer's positions counting people already employed there, and "start with one" for an
employer without fleksjob experience unless a consultant ticked allow_several_new. SQLite, real use cases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import orm, placements, store
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.placements import OutcomeRequest
from models.schemas import Candidate, Employer, Position, Task
from service.core.rematch import run_rematch

JOBCENTER = "Horsens"


def _citizens(n: int) -> list[Candidate]:
    return [Candidate(id=f"B-{i}", jobcenter=JOBCENTER, capacity_hours=6, capacity_basis="measured",
                      competences=["rengøring", "opvask"]) for i in range(n)]


def _positions(employer: Employer, first: int) -> list[Position]:
    """Two positions of the employer, each wanting two or three people for 14 hours of cleaning."""
    return [Position(id=f"S-{first + n}", title=f"Rengøring {n}", employer=employer, max_people=3, jobcenter=JOBCENTER,
                     tasks=[Task(id="t0", title="Rengøring", hours_per_week=8, competences=["rengøring"]),
                            Task(id="t1", title="Opvask", hours_per_week=6, competences=["opvask"])])
            for n in range(2)]


def _sessions(tmp_path, employers: list[Employer], citizens: int):
    url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    with session_scope(factory) as session:
        for candidate in _citizens(citizens):
            store.upsert_citizen(session, candidate)
        for k, employer in enumerate(employers):
            for position in _positions(employer, 10 * k):
                store.upsert_position(session, position, JOBCENTER)
    return engine, factory


def _new_people(factory, employer_id: str) -> set[str]:
    """Open people of the employer's current proposals: what the last run proposed there (not counting the
    single alternative kept beside a split: the consultant takes one or the other)."""
    with session_scope(factory) as session:
        rows = session.scalars(
            select(orm.ProposalPerson).join(orm.Proposal).join(orm.MatchRun).join(orm.Position)
            .where(orm.MatchRun.current.is_(True), orm.Position.employer_id == employer_id,
                   orm.ProposalPerson.status == "open", orm.Proposal.alternative.is_(False)))
        return {row.candidate_id for row in rows}


def test_a_rematch_never_puts_an_employer_over_its_limit_counting_an_existing_hire(tmp_path):
    limited = Employer(id="V-1", name="Bageriet A/S", has_fleksjob_experience=True, max_fleksjobbere=3)
    engine, factory = _sessions(tmp_path, [limited], citizens=8)
    try:
        run_rematch(factory, JOBCENTER, created_by="test")
        assert len(_new_people(factory, "V-1")) == 3      # six people would fit the two positions: the limit holds
        with session_scope(factory) as session:
            proposal = session.scalars(select(orm.Proposal).join(orm.MatchRun).where(orm.MatchRun.current.is_(True))
                                       .order_by(orm.Proposal.position_id)).first()
            placements.record_outcome(session, proposal, OutcomeRequest("hired", proposal.persons[0].candidate_id,
                                                                        hours_per_week=4, contract="permanent"),
                                      actor="konsulent",
                                      today=date.today())
        run_rematch(factory, JOBCENTER, created_by="test")
        # One hired there already: the new run may propose at most two more across both positions.
        assert len(_new_people(factory, "V-1")) == 2
    finally:
        engine.dispose()


def test_start_with_one_holds_across_positions_unless_a_consultant_allows_several(tmp_path):
    new = Employer(id="V-1", name="Nystartet ApS", has_fleksjob_experience=False)
    allowed = Employer(id="V-2", name="Modig ApS", has_fleksjob_experience=False, allow_several_new=True)
    engine, factory = _sessions(tmp_path, [new, allowed], citizens=12)
    try:
        run_rematch(factory, JOBCENTER, created_by="test")
        assert len(_new_people(factory, "V-1")) == 1
        assert len(_new_people(factory, "V-2")) >= 3
        with session_scope(factory) as session:
            assert session.get(orm.Employer, "V-2").allow_several_new is True
            # Beside each split the run keeps the best single person, marked as the alternative, in the rows
            # and in the stored response.
            runs = session.scalars(select(orm.MatchRun).join(orm.Position).where(
                orm.MatchRun.current.is_(True), orm.Position.employer_id == "V-2")).all()
            split_runs = [run for run in runs if any(p.kind == "split" for p in run.proposals)]
            assert split_runs
            for run in split_runs:
                assert [(p.kind, p.alternative) for p in sorted(run.proposals, key=lambda p: p.rank)] == [
                    ("split", False), ("single", True)]
                assert [p.get("alternative") for p in run.response["proposals"]] == [False, True]
    finally:
        engine.dispose()
