"""Batch rematch: assign a jobcentre's available pool (or every jobcentre's) to all its open positions.

Shared by `fleksmatch rematch`, `fleksmatch demo` and the API's background job. Reading, solving and
writing are separate steps: the new proposals are written in ONE transaction at the end, which also retires
the previous open ones, so a run that is interrupted or killed leaves the previous proposals exactly as they
were. The rematch builds on what consultants recorded (service.core.pool): it solves only the residual —
the citizens' remaining hours and the positions' unfilled, unheld hours — with held people kept where they
are and rejected pairs kept apart. Proposals in which anyone has an outcome are never retired: they stay
listed beside the new run (service.core.lifecycle.position_proposals).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from matcher import PoolIndex, evaluate_position, rank
from matcher.batch import batch_assign
from matcher.ranking import order_rows
from matcher.rules import Block
from models import store
from models.chunks import chunked
from models.db import session_scope
from models.schemas import (
    Candidate, MatchOptions, MatchResponse, Position, Proposal, RankedCandidate,
)
from service.core import pool
from service.core.audit import SYSTEM_ROLE, audit_many
from service.core.auth.principal import Principal
from service.core.matching import citizens_in
from service.core.proposal_reasons import missing_sentences

Progress = Callable[[int, int], None]
REMATCH_ENDPOINT = "genmatchning"
# Stored per position: the top of the ranking (for "Hvorfor") plus everyone the batch proposed, and every
# exclusion (for "Hvorfor ikke").
STORED_RANKING_LIMIT = 10


@dataclass(frozen=True)
class PositionOutcome:
    """One row of the report: what the batch proposes for one position."""

    jobcenter: str
    position_id: str
    position_title: str
    employer_name: str
    hours_requested: int
    hours_covered: int
    citizen_ids: tuple[str, ...]
    hours_by_task_text: str
    explanation: str
    greedy_hours_covered: int

    @property
    def coverage(self) -> str:
        return coverage_of(self.hours_covered, self.hours_requested)


@dataclass(frozen=True)
class RematchSummary:
    jobcenters: tuple[str, ...]
    outcomes: tuple[PositionOutcome, ...]
    citizens_available: int
    citizens_proposed: int
    greedy_citizens_proposed: int
    objective: float
    greedy_objective: float
    lp_bound: float
    seconds: float
    finished_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def positions_total(self) -> int:
        return len(self.outcomes)

    @property
    def hours_requested(self) -> int:
        return sum(o.hours_requested for o in self.outcomes)

    @property
    def hours_covered(self) -> int:
        return sum(o.hours_covered for o in self.outcomes)

    @property
    def greedy_hours_covered(self) -> int:
        return sum(o.greedy_hours_covered for o in self.outcomes)

    @property
    def coverage_counts(self) -> dict[str, int]:
        return _count_coverage(coverage_of(o.hours_covered, o.hours_requested) for o in self.outcomes)

    @property
    def greedy_coverage_counts(self) -> dict[str, int]:
        return _count_coverage(coverage_of(o.greedy_hours_covered, o.hours_requested) for o in self.outcomes)

    def as_dict(self) -> dict:
        """Compact form stored on the BatchJob and returned by GET /jobs/{id}."""
        return {
            "jobcenters": list(self.jobcenters), "positions": self.positions_total,
            "coverage": self.coverage_counts, "greedy_coverage": self.greedy_coverage_counts,
            "hours_requested": self.hours_requested, "hours_covered": self.hours_covered,
            "greedy_hours_covered": self.greedy_hours_covered,
            "citizens_available": self.citizens_available, "citizens_proposed": self.citizens_proposed,
            "objective": round(self.objective, 3), "greedy_objective": round(self.greedy_objective, 3),
            "lp_bound": round(self.lp_bound, 3), "seconds": round(self.seconds, 2),
        }


def coverage_of(covered: int, requested: int) -> str:
    if covered <= 0:
        return "none"
    return "full" if covered >= requested else "partial"


def _count_coverage(kinds) -> dict[str, int]:
    counts = {"full": 0, "partial": 0, "none": 0}
    for kind in kinds:
        counts[kind] += 1
    return counts


@dataclass
class _Plan:
    """Everything computed before writing: per position its ranking response and batch proposal."""

    responses: dict[str, MatchResponse]
    positions: list[Position]
    candidates_available: int
    batch: object


@dataclass(frozen=True)
class RematchInput:
    """What a rematch solves: the matchable pool, the residual positions, the lifecycle's blocks, and the
    open positions with nothing left to match (their open proposals are retired)."""

    candidates: list[Candidate]
    positions: list[Position]
    blocks: tuple[Block, ...] = ()
    exhausted: tuple[str, ...] = ()


def load_pool(session: Session, jobcenter: str | None, today: date | None = None) -> RematchInput:
    state = pool.load_state(session, jobcenter, today or date.today())
    residuals = [(p.id, pool.residual(p, state)) for p in store.open_positions(session, jobcenter)]
    return RematchInput(candidates=pool.matchable_candidates(session, jobcenter, state),
                        positions=[r for _, r in residuals if r is not None], blocks=tuple(pool.blocks(state)),
                        exhausted=tuple(pid for pid, r in residuals if r is None))


def plan_rematch(candidates: list[Candidate], positions: list[Position], progress: Progress | None = None,
                 blocks: tuple[Block, ...] = ()) -> _Plan:
    """Rank every open position against its own jobcentre's pool, then assign the pool across positions.

    Progress counts positions twice: once as they are ranked, once as the batch solver finishes them."""
    total = 2 * len(positions)
    by_jobcenter: dict[str | None, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_jobcenter[candidate.jobcenter].append(candidate)
    indexes = {jc: PoolIndex.build(pool) for jc, pool in sorted(by_jobcenter.items(), key=lambda kv: str(kv[0]))}
    empty = PoolIndex.build([])
    options = MatchOptions(limit=STORED_RANKING_LIMIT, include_excluded=True, proposals=False)
    responses: dict[str, MatchResponse] = {}
    items = []
    for done, position in enumerate(positions, start=1):
        ranking, excluded, pairs = rank(position, indexes.get(position.jobcenter, empty), options, blocks=blocks)
        responses[position.id] = MatchResponse(position_id=position.id, ranking=ranking, excluded=excluded)
        items.append((position, pairs))
        if progress:
            progress(done, total)
    offset = len(positions)
    batch = batch_assign(items, progress=(lambda d, t: progress(offset + d * len(positions) // max(t, 1), total))
                         if progress else None)
    for position in positions:
        responses[position.id] = _with_proposed_people(
            responses[position.id], position, indexes.get(position.jobcenter, empty), batch.proposals.get(position.id),
            blocks)
    return _Plan(responses=responses, positions=positions, candidates_available=len(candidates), batch=batch)


def run_rematch(factory: sessionmaker, jobcenter: str | None = None, *, progress: Progress | None = None,
                created_by: str = "rematch", batch_job_id: str | None = None, source: str = "rematch") -> RematchSummary:
    started = time.perf_counter()
    with session_scope(factory) as session:
        work = load_pool(session, jobcenter)
    plan = plan_rematch(work.candidates, work.positions, progress, work.blocks)
    with session_scope(factory) as session:
        matched: dict[str, set[str]] = defaultdict(set)
        for position in work.positions:
            response = plan.responses[position.id].model_copy(
                update={"proposals": _stored_proposals(plan.batch, position.id)})
            store.store_match_run(session, position.id, response, source=source, created_by=created_by,
                                  batch_job_id=batch_job_id)
            matched[position.jobcenter or ""].update(citizens_in(response))
        for position_id in work.exhausted:
            store.store_match_run(session, position_id, MatchResponse(position_id=position_id), source=source,
                                  created_by=created_by, batch_job_id=batch_job_id)
        audit_rematch(session, matched, created_by=created_by, batch_job_id=batch_job_id)
    return summarise(plan, time.perf_counter() - started)


def audit_rematch(session: Session, matched: dict[str, set[str]], *, created_by: str,
                  batch_job_id: str | None) -> None:
    """One audit row per citizen whose data the stored runs carry (not one per position: a big rematch
    would write millions), in the transaction that stores them."""
    principal = Principal(actor=created_by[:100], role=SYSTEM_ROLE, jobcenters=frozenset())
    detail = f"genmatchning {batch_job_id}" if batch_job_id else "genmatchning"
    for jobcenter, citizen_ids in sorted(matched.items()):
        for chunk in chunked(sorted(citizen_ids)):
            audit_many(session, principal, "match", REMATCH_ENDPOINT, chunk, jobcenter=jobcenter or None,
                       detail=detail)


def _stored_proposals(batch, position_id: str) -> list[Proposal]:
    """The batch's proposal and, beside a split, the best single person (marked `alternative`): the consultant
    may prefer one person, and the employer may too."""
    proposal = batch.proposals.get(position_id)
    if proposal is None or not proposal.people:
        return []
    single = batch.alternatives.get(position_id)
    return [proposal] if single is None else [proposal, single.model_copy(update={"alternative": True})]


def _with_proposed_people(response: MatchResponse, position: Position, index: PoolIndex,
                          proposal: Proposal | None, blocks: tuple[Block, ...] = ()) -> MatchResponse:
    """The batch may propose someone ranked below the stored top; add their ranking entries so every
    proposed person has their explanation ("Hvorfor") stored beside the proposal."""
    shown = {entry.candidate_id for entry in response.ranking}
    missing = {p.candidate_id for p in proposal.people} - shown if proposal else set()
    if not missing:
        return response
    pairs, _ = evaluate_position(position, index, blocks=blocks)
    ordered = [pairs.candidate_ids[row] for row in order_rows(pairs)]
    depth = 1 + max(ordered.index(candidate_id) for candidate_id in missing)
    deeper, _, _ = rank(position, index, MatchOptions(limit=depth, include_excluded=False, proposals=False),
                        blocks=blocks)
    extra = [entry for entry in deeper if entry.candidate_id in missing]
    return response.model_copy(update={"ranking": response.ranking + extra})


def summarise(plan: _Plan, seconds: float) -> RematchSummary:
    batch = plan.batch
    outcomes = tuple(
        _outcome(position, plan.responses[position.id], batch.proposals.get(position.id),
                 batch.greedy_proposals.get(position.id))
        for position in plan.positions
    )
    return RematchSummary(
        jobcenters=tuple(sorted({p.jobcenter or "" for p in plan.positions})),
        outcomes=outcomes,
        citizens_available=plan.candidates_available,
        citizens_proposed=_people_count(batch.proposals.values()),
        greedy_citizens_proposed=_people_count(batch.greedy_proposals.values()),
        objective=batch.objective, greedy_objective=batch.greedy_objective, lp_bound=batch.upper_bound,
        seconds=seconds,
    )


def _people_count(proposals) -> int:
    return len({person.candidate_id for p in proposals if p is not None for person in p.people})


def _outcome(position: Position, response: MatchResponse, proposal: Proposal | None,
             greedy: Proposal | None) -> PositionOutcome:
    people = proposal.people if proposal else []
    titles = {task.id: task.title for task in position.tasks}
    hours_text = "; ".join(
        f"{person.candidate_id}: " + ", ".join(f"{titles[a.task_id]} {a.hours_per_week} t" for a in person.assignments)
        for person in people
    )
    return PositionOutcome(
        jobcenter=position.jobcenter or "", position_id=position.id, position_title=position.title,
        employer_name=position.employer.name, hours_requested=position.hours_requested,
        hours_covered=proposal.hours_covered if proposal else 0,
        citizen_ids=tuple(person.candidate_id for person in people),
        hours_by_task_text=hours_text,
        explanation=explain_outcome(response.ranking, proposal, titles),
        greedy_hours_covered=greedy.hours_covered if greedy else 0,
    )


def explain_outcome(ranking: list[RankedCandidate], proposal: Proposal | None, titles: dict[str, str]) -> str:
    """A few Danish sentences: why these people, and why hours remain."""
    if proposal is None or not proposal.people:
        if not ranking:
            return "Ingen borger i puljen kan varetage opgaverne uden at bryde et skånehensyn eller en grænse."
        return "De egnede borgere er foreslået til andre stillinger, hvor de passer bedre."
    by_id = {entry.candidate_id: entry for entry in ranking}
    parts = []
    for person in proposal.people:
        entry = by_id.get(person.candidate_id)
        matched = sorted({m.matched for m in entry.explanation.matched_competences}) if entry else []
        reason = f"kompetencer: {', '.join(matched[:3])}" if matched else "egnet til opgaverne"
        parts.append(f"{person.candidate_id} ({reason})")
    text = "Foreslået: " + "; ".join(parts) + "."
    gaps = ((titles.get(gap.task_id, gap.task_id), gap.hours_missing, gap.detail) for gap in proposal.uncovered)
    return " ".join([text, *missing_sentences(gaps)])
