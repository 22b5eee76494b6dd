""""Hvorfor dette forslag" on the stilling page: service.core.proposal_reasons for every proposal of the
current run, with where else the batch proposed the people ranked above the chosen ones."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm
from models.schemas import Position, Proposal, RankedCandidate
from service.core.auth.principal import Principal
from service.core.proposal_reasons import ProposalWhy, explain_proposal
from service.http.web.access import visible_jobcenter_ids


def proposed_elsewhere(session: Session, principal: Principal, run: orm.MatchRun, wanted: set[str]) -> dict[str, str]:
    """For a run made by a batch rematch: candidate id → title of the other position the same batch
    proposed them for (only the candidates in `wanted`, only positions the principal may see)."""
    if run.batch_job_id is None or not wanted:
        return {}
    rows = session.execute(
        select(orm.Proposal.people, orm.Position.title, orm.Position.id)
        .join(orm.MatchRun, orm.Proposal.match_run_id == orm.MatchRun.id)
        .join(orm.Position, orm.Proposal.position_id == orm.Position.id)
        .where(orm.MatchRun.batch_job_id == run.batch_job_id, orm.MatchRun.current.is_(True),
               orm.Position.id != run.position_id,
               orm.Position.jobcenter_id.in_(visible_jobcenter_ids(session, principal)))
        .order_by(orm.Position.id))
    found: dict[str, str] = {}
    for people, title, _position_id in rows:
        for person in people:
            if person["candidate_id"] in wanted:
                found.setdefault(person["candidate_id"], title)
    return found


def _proposal_of(payload: dict) -> Proposal:
    """The contract Proposal from its stored JSON; keys added beside the contract (ids, per-person states)
    are left out."""
    people = [{"candidate_id": p["candidate_id"], "assignments": p.get("assignments", [])}
              for p in payload.get("people", [])]
    fields = {k: v for k, v in payload.items() if k in Proposal.model_fields and k != "people"}
    return Proposal.model_validate({**fields, "people": people})


def proposal_explanations(session: Session, principal: Principal, run: orm.MatchRun, position: Position,
                          ranking: list[RankedCandidate], capacities: dict[str, int]) -> dict[str, ProposalWhy]:
    """proposal id → its explanation, for every proposal stored with the run."""
    stored = {p.get("proposal_id"): p for p in run.response.get("proposals", [])}
    ranked = {entry.candidate_id for entry in ranking}
    elsewhere = proposed_elsewhere(session, principal, run, ranked)
    out: dict[str, ProposalWhy] = {}
    for proposal_id, payload in stored.items():
        proposal = _proposal_of(payload)
        chosen = {person.candidate_id for person in proposal.people}
        out[proposal_id] = explain_proposal(position, proposal, ranking, capacities=capacities,
                                            elsewhere={c: t for c, t in elsewhere.items() if c not in chosen})
    return out


__all__ = ["proposal_explanations", "proposed_elsewhere"]
