"""match_runs does not grow without limit (issue 13, Low): retired runs lose their ranking and exclusions
after a week and are deleted after 90 days unless someone has an outcome on them; current runs and runs
with outcomes keep their proposals."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from models import orm, placements, store
from models.orm import utcnow
from models.placements import OutcomeRequest
from test_persistence import make_candidate, make_position, make_response


def _age(session, run_id: str, days: int) -> None:
    session.execute(update(orm.MatchRun).where(orm.MatchRun.id == run_id)
                    .values(created_at=utcnow() - timedelta(days=days)))


def test_old_runs_are_compacted_then_pruned_but_outcomes_stay(session):
    store.upsert_position(session, make_position(), "Horsens")
    ancient = store.store_match_run(session, "S-1", make_response(proposals=2), source="api", created_by="a")
    with_outcome = store.store_match_run(session, "S-1", make_response(proposals=2), source="api", created_by="a")
    week_old = store.store_match_run(session, "S-1", make_response(proposals=2), source="api", created_by="a")
    fresh = store.store_match_run(session, "S-1", make_response(proposals=2), source="api", created_by="a")
    current = store.store_match_run(session, "S-1", make_response(proposals=2), source="api", created_by="a")
    store.upsert_citizen(session, make_candidate("B-1"))
    proposal = with_outcome.proposals[0]
    placements.record_outcome(session, proposal, OutcomeRequest("contacted", proposal.persons[0].candidate_id),
                              actor="a", today=date.today())
    for run, days in ((ancient, 120), (with_outcome, 120), (week_old, 10), (current, 200)):
        _age(session, run.id, days)
    session.commit()
    assert store.prune_match_runs(session) == 1
    session.commit()
    session.expunge_all()
    assert session.get(orm.MatchRun, ancient.id) is None
    kept = session.get(orm.MatchRun, with_outcome.id)
    assert kept.response["ranking"] == [] and kept.response["excluded"] == []
    assert [p["proposal_id"] for p in kept.response["proposals"]] == [p.id for p in kept.proposals]
    assert kept.proposals[0].status == "contacted"
    assert session.get(orm.MatchRun, week_old.id).response["ranking"] == []
    assert session.get(orm.MatchRun, fresh.id).response["ranking"] != []        # retired this week: intact
    assert session.get(orm.MatchRun, current.id).response["ranking"] != []      # current: intact, whatever its age
    assert store.prune_match_runs(session) == 0
