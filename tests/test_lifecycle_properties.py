"""Property tests of the placement lifecycle over random sequences of matches, outcomes, undos, ended
employments, edits and rematches (hypothesis stateful testing, on SQLite through the real use cases).

After every step:
- no citizen is committed (live employments) beyond capacity_hours, and no open person of a current,
  non-stale proposal is proposed beyond what their employments leave, nor while held by another proposal;
- a rejected pair never reappears in a run made after the rejection;
- no outcome is ever lost: every recorded, not annulled event is stored, and each person's state and each
  employment are what replaying those events gives;
- undo reverses every consequence (checked by the same replay: an annulled hire leaves no employment, an
  annulled rejection no block, an annulled praktik no hold).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from models import orm, placements, store
from models.db import make_engine, session_factory, session_scope, upgrade_database
from models.placements import LifecycleError, OutcomeRequest
from models.schemas import Candidate, Employer, Position, Task
from models.vocabulary import ProposalStatus as S
from service.core import lifecycle, matching, pool
from service.core.auth.principal import Principal
from service.core.rematch import run_rematch

TODAY = date.today()
ACTOR = Principal(actor="test", role="admin", jobcenters=frozenset())
JOBCENTER = "Horsens"
CAPACITIES = (2, 4, 5, 6, 8, 9)
COMPETENCES = (["rengøring"], ["kantinearbejde", "opvask"], ["rengøring", "opvask"], ["lagerarbejde"],
               ["rengøring", "kantinearbejde"], ["havearbejde", "rengøring"])


def _candidate(n: int, capacity: int) -> Candidate:
    return Candidate(id=f"B-{n}", jobcenter=JOBCENTER, capacity_hours=capacity, capacity_basis="measured",
                     competences=COMPETENCES[n % len(COMPETENCES)])


def _position(n: int, hours: tuple[int, ...], max_fleks: int | None = None) -> Position:
    employer = Employer(id=f"V-{n % 2}", name=f"Virksomhed {n % 2}", has_fleksjob_experience=True,
                        max_fleksjobbere=max_fleks)
    tasks = [Task(id=f"t{k}", title=f"Opgave {k}", hours_per_week=h,
                  competences=[("rengøring", "opvask", "lagerarbejde")[k % 3]]) for k, h in enumerate(hours)]
    return Position(id=f"S-{n}", title=f"Stilling {n}", employer=employer, max_people=3, tasks=tasks,
                    jobcenter=JOBCENTER)


POSITIONS = [_position(0, (6, 4)), _position(1, (5,)), _position(2, (3, 3, 2), max_fleks=3)]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lifecycle-template") / "template.sqlite3"
    upgrade_database(f"sqlite:///{path}")
    return path


class Lifecycle(RuleBasedStateMachine):
    template: Path

    @initialize()
    def setup(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="fm-lifecycle-"))
        path = self.folder / "db.sqlite3"
        shutil.copyfile(self.template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.sessions = session_factory(self.engine)
        with session_scope(self.sessions) as session:
            for n, capacity in enumerate(CAPACITIES):
                store.upsert_citizen(session, _candidate(n, capacity))
            for position in POSITIONS:
                store.upsert_position(session, position, JOBCENTER)
        self.live: dict[int, tuple[str, str, str]] = {}  # event id → (proposal, citizen, outcome)
        self.ended: set[int] = set()                    # hire events whose employment was ended
        self.reassessed_below: set[str] = set()          # capacity lowered under hours already agreed

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # ---- steps ------------------------------------------------------------------------------------------

    @rule(n=st.integers(0, len(POSITIONS) - 1))
    def match_one_position(self, n: int) -> None:
        with session_scope(self.sessions) as session:
            row = session.get(orm.Position, POSITIONS[n].id)
            try:
                matching.match_stored_position(session, ACTOR, row, source="ui", endpoint="test")
            except matching.PositionNotOpen:
                pass

    @rule()
    def rematch(self) -> None:
        run_rematch(self.sessions, JOBCENTER, created_by="test")

    @rule(pick=st.integers(0, 50), outcome=st.sampled_from(["contacted", "praktik", "hired", "rejected",
                                                            "withdrawn"]),
          hours=st.integers(1, 10), days_ago=st.integers(0, 60), fixed=st.booleans())
    def record(self, pick: int, outcome: str, hours: int, days_ago: int, fixed: bool) -> None:
        with session_scope(self.sessions) as session:
            target = self._person(session, pick)
            if target is None:
                return
            proposal, person = target
            start = TODAY - timedelta(days=days_ago)
            request = OutcomeRequest(outcome, person.candidate_id, date=start, hours_per_week=hours,
                                     reason="Passede ikke" if outcome == "rejected" else None,
                                     rejected_by="employer" if outcome == "rejected" else None,
                                     contract="fixed_term" if fixed else "permanent",
                                     end_date=start + timedelta(days=200) if fixed else None)
            before = person.status
            try:
                event = lifecycle.record_outcome(session, ACTOR, proposal, request, endpoint="test")
            except LifecycleError as refused:
                assert refused.conflict == (outcome not in placements.lifecycle.ALLOWED_MOVES[before])
                return
            self.live[event.id] = (proposal.id, person.candidate_id, outcome)

    @rule(pick=st.integers(0, 50), batch=st.booleans())
    def reject_then_match_again(self, pick: int, batch: bool) -> None:
        """The sequence the rejection guarantee is about: a rejection, then the position matched again."""
        self.record(pick, "rejected", 1, 0, False)
        with session_scope(self.sessions) as session:
            target = self._person(session, pick)
            position = target[0].position_id if target else POSITIONS[0].id
        if batch:
            self.rematch()
        else:
            self.match_one_position(next(i for i, p in enumerate(POSITIONS) if p.id == position))

    @rule(pick=st.integers(0, 50))
    def undo(self, pick: int) -> None:
        with session_scope(self.sessions) as session:
            target = self._person(session, pick, with_events=True)
            if target is None:
                return
            proposal, person = target
            event = lifecycle.undo_outcome(session, ACTOR, proposal, person.candidate_id, "fejl", endpoint="test")
            del self.live[event.id]
            self.ended.discard(event.id)

    @rule(pick=st.integers(0, 20), days_ago=st.integers(0, 20))
    def end_an_employment(self, pick: int, days_ago: int) -> None:
        with session_scope(self.sessions) as session:
            live = placements.live_employments(session, on=TODAY)
            if not live:
                return
            employment = sorted(live, key=lambda e: e.id)[pick % len(live)]
            end = max(employment.start_date, TODAY - timedelta(days=days_ago))
            lifecycle.end_employment(session, ACTOR, employment, end_date=end, ended_reason="slut",
                                     position_closed=False, endpoint="test")
            if end < TODAY:
                self.ended.add(employment.event_id)

    @rule(n=st.integers(0, len(CAPACITIES) - 1), capacity=st.integers(1, 10))
    def reassess_capacity(self, n: int, capacity: int) -> None:
        """A new assessment may put capacity below hours already agreed; that is the assessment's doing, not a
        proposal's, and it is remembered so the capacity invariant can tell the two apart."""
        with session_scope(self.sessions) as session:
            store.upsert_citizen(session, _candidate(n, capacity))
            committed = placements.committed_hours(placements.live_employments(
                session, citizen_ids=[f"B-{n}"], on=TODAY)).get(f"B-{n}", 0)
        (self.reassessed_below.add if capacity < committed else self.reassessed_below.discard)(f"B-{n}")

    # ---- helpers ------------------------------------------------------------------------------------------

    def _person(self, session, pick: int, with_events: bool = False):
        rows = session.execute(select(orm.Proposal, orm.ProposalPerson)
                               .join(orm.ProposalPerson, orm.ProposalPerson.proposal_id == orm.Proposal.id)
                               .order_by(orm.Proposal.id, orm.ProposalPerson.candidate_id)).all()
        if with_events:
            rows = [(p, person) for p, person in rows if placements.latest_event(p, person.candidate_id)]
        return rows[pick % len(rows)] if rows else None

    # ---- invariants ---------------------------------------------------------------------------------------

    @invariant()
    def nobody_is_asked_for_more_hours_than_they_can_work(self) -> None:
        if not hasattr(self, "engine"):
            return
        with session_scope(self.sessions) as session:
            committed = placements.committed_hours(placements.live_employments(session, on=TODAY))
            citizens = {c.id: c for c in session.scalars(select(orm.Citizen))}
            current = list(session.scalars(select(orm.Proposal).join(orm.MatchRun).where(orm.MatchRun.current)))
            stale = lifecycle.stale_proposals(session, current)
            holds = {h.candidate_id: h.proposal_id for h in placements.holds(session, on=TODAY)}
            for proposal in current:
                if proposal.id in stale:
                    continue
                for person in proposal.persons:
                    if person.status != S.open:
                        continue
                    capacity = citizens[person.candidate_id].capacity_hours
                    assert committed.get(person.candidate_id, 0) + person.hours <= capacity
                    assert holds.get(person.candidate_id, proposal.id) == proposal.id
        for citizen_id in list(self.reassessed_below):  # back within capacity: held to the rule again
            if committed.get(citizen_id, 0) <= citizens[citizen_id].capacity_hours:
                self.reassessed_below.discard(citizen_id)
        for citizen_id, hours in committed.items():
            assert hours <= citizens[citizen_id].capacity_hours or citizen_id in self.reassessed_below

    @invariant()
    def a_rejected_pair_never_reappears(self) -> None:
        if not hasattr(self, "engine"):
            return
        with session_scope(self.sessions) as session:
            rejected = placements.rejected_pairs(session, [p.id for p in POSITIONS])
            for position_id, by_citizen in rejected.items():
                for citizen_id, event in by_citizen.items():
                    later = session.scalars(select(orm.ProposalPerson).join(orm.Proposal).join(orm.MatchRun).where(
                        orm.Proposal.position_id == position_id, orm.ProposalPerson.candidate_id == citizen_id,
                        orm.MatchRun.created_at > event.at)).all()
                    assert later == []

    @invariant()
    def no_outcome_is_lost_and_undo_reverses_everything(self) -> None:
        if not hasattr(self, "engine"):
            return
        with session_scope(self.sessions) as session:
            stored = {e.id: e for e in session.scalars(select(orm.ProposalEvent))}
            assert set(self.live) <= set(stored)
            assert {i for i, e in stored.items() if e.annulled_at is None} == set(self.live)
            expected: dict[tuple[str, str], str] = {}
            for event_id in sorted(self.live):
                proposal_id, citizen_id, outcome = self.live[event_id]
                expected[(proposal_id, citizen_id)] = outcome
            for person in session.scalars(select(orm.ProposalPerson)):
                assert person.status == expected.get((person.proposal_id, person.candidate_id), S.open)
            hires = {i for i, (_, _, outcome) in self.live.items() if outcome == S.hired}
            employments = session.scalars(select(orm.Employment).where(orm.Employment.annulled_at.is_(None))).all()
            assert {e.event_id for e in employments} == hires
            live = {e.event_id for e in placements.live_employments(session, on=TODAY)}
            assert live == hires - self.ended
            rejections = {(e.position_id, e.candidate_id) for by in placements.rejected_pairs(
                session, [p.id for p in POSITIONS]).values() for e in by.values()}
            expected_rejections = {(stored[i].position_id, c) for i, (_, c, o) in self.live.items() if o == S.rejected}
            assert rejections == expected_rejections
            state = pool.load_state(session, JOBCENTER, TODAY)
            held = {(h.proposal_id, h.candidate_id) for hs in state.held.values() for h in hs}
            assert held <= {(p, c) for (p, c), o in expected.items() if o in (S.contacted, S.praktik)}


@pytest.mark.slow
def test_lifecycle_sequences(template: Path) -> None:
    Lifecycle.template = template
    runner = Lifecycle.TestCase
    runner.settings = settings(max_examples=25, stateful_step_count=14, deadline=None,
                               suppress_health_check=list(HealthCheck))
    runner().runTest()
