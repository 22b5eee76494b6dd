"""Split one position (stilling) across one or more fleksjobbere with OR-Tools CP-SAT.

`split_position` answers "someone for cleaning and the canteen, 14 hours" with the best single person and,
when it is better, the best team: by task (one person per task), by time (several people share a splittable
task across the week), or both. The objective is defined in `matcher.objective`.

Model (one position): integer hours h[c, t] for every feasible (candidate, task) pair, a boolean used[c] and
the hours over[c] above the person's target (matcher.objective);
    Σ_t h[c, t] ≤ capacity_hours[c] · used[c]        Σ_t h[c, t] ≥ min_hours_per_person · used[c]
    Σ_t h[c, t] − over[c] ≤ target[c] · used[c]
    Σ_c h[c, t] ≤ hours_per_week[t]                  non-splittable t: Σ_c holds[c, t] ≤ 1, h ≤ ub · holds
    Σ_c used[c] ≤ position.people_limit
Infeasible pairs get no variable at all, so a hard restriction can never be proposed against.

If nobody can be proposed (no candidate is feasible for any task with at least min_hours_per_person of
capacity), `split_position` returns []: there is nothing to explain hours against. Whenever at least one
person is proposed, every proposal lists in `uncovered` why each task's missing hours remain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matcher.objective import (SPLIT_UNITS, PersonTerms, person_terms, plan_units, quantised_scores,
                               to_objective)
from matcher.pairs import PairScores
from models.schemas import Assignment, Position, Proposal, ProposalPerson, UncoveredTask
from models.vocabulary import UncoveredReason

DEFAULT_TOP_K = 40
PER_TASK_RESERVE = 3        # each task keeps its best few candidates even when they miss the overall top-K
RANDOM_SEED = 20130101      # fixed: the same input always gives the same proposals
NUM_WORKERS = 1             # one worker: CP-SAT's single-thread search is deterministic
SPLIT_DETERMINISTIC_LIMIT = 10.0   # safety net in deterministic seconds, never wall-clock time

Plan = dict[int, dict[int, int]]   # candidate row -> {task index: hours}


@dataclass(frozen=True)
class SplitResult:
    """What `solve_position` found. `optimal` is True when every proposal is proven best of its kind."""

    proposals: list[Proposal]
    optimal: bool
    candidates_considered: int


def split_position(position: Position, pairs: PairScores, *, top_k: int = DEFAULT_TOP_K) -> list[Proposal]:
    """Best single-person proposal and, when its objective is higher, the best split (see module docstring).

    `Proposal.objective` is matcher.objective's: score-weighted hours (one hour by a perfectly matched person =
    1.0), a value per person placed and for their LY urgency, less hours above each person's target and the
    cost of every person beyond the first. A split is offered only when it is worth more than the single AND
    covers more hours. Proposals are ordered by objective, highest first, except that an employer without
    fleksjob experience gets the single-person proposal first ("start with one").
    Returns [] when nobody can be proposed.
    """
    return solve_position(position, pairs, top_k=top_k).proposals


def solve_position(position: Position, pairs: PairScores, *, top_k: int = DEFAULT_TOP_K) -> SplitResult:
    check_alignment(position, pairs)
    units = quantised_scores(pairs.score, pairs.feasible)
    terms = terms_of(position, pairs, units)
    single = best_single(position, pairs, units, terms)
    if single is None:
        return SplitResult(proposals=[], optimal=True, candidates_considered=0)
    rows = select_rows(position, pairs, top_k, extra_rows=[single[0]])
    proposals = [_single_proposal(position, pairs, units, terms, single, rows)]
    optimal = True
    if position.people_limit >= 2 and len(rows) >= 2:
        split, optimal = _best_split(position, pairs.subset(rows), units[rows], terms.subset(rows),
                                     hint_row=_index(rows, single[0]), hint_plan=single[1])
        if split is not None and adds_to(split, proposals[0]):
            proposals.append(split)
    if position.employer.has_fleksjob_experience:
        proposals.sort(key=lambda p: -p.objective)   # stable: the single stays first on a tie
    return SplitResult(proposals=proposals, optimal=optimal, candidates_considered=len(rows))


def terms_of(position: Position, pairs: PairScores, units: np.ndarray) -> PersonTerms:
    task_hours = np.array([task.hours_per_week for task in position.tasks], dtype=np.int64)
    return person_terms(units, pairs.capacity_hours, pairs.ly_months, pairs.capacity_estimated, task_hours)


def adds_to(split: Proposal, single: Proposal) -> bool:
    """A split earns its place over the single only by being worth more and covering more hours."""
    return split.objective > single.objective and split.hours_covered > single.hours_covered


def check_alignment(position: Position, pairs: PairScores) -> None:
    task_ids = tuple(task.id for task in position.tasks)
    if pairs.task_ids != task_ids:
        raise ValueError(f"PairScores-opgaver {pairs.task_ids} svarer ikke til stillingens opgaver {task_ids}")


# ---- candidate selection ---------------------------------------------------------------------------


def eligible_rows(position: Position, pairs: PairScores) -> np.ndarray:
    """Candidates who can be proposed at all: some feasible task and capacity for the minimum hours."""
    return pairs.feasible.any(axis=1) & (pairs.capacity_hours >= position.min_hours_per_person)


def canonical_order(pairs: PairScores, rows: np.ndarray, key: np.ndarray) -> np.ndarray:
    """`rows` sorted by `key` descending, ties by candidate_id: independent of the input row order."""
    rows = np.asarray(rows, dtype=int)
    if rows.size == 0:
        return rows
    ids = np.asarray(pairs.candidate_ids, dtype=object)[rows].astype(str)
    return rows[np.lexsort((ids, -key[rows]))]


def select_rows(position: Position, pairs: PairScores, top_k: int, extra_rows: list[int] = ()) -> np.ndarray:
    """The top_k eligible candidates by score, plus each task's best PER_TASK_RESERVE candidates for that task
    (so pre-selection never hides the only people who can do a task) and `extra_rows`; canonical order."""
    eligible = eligible_rows(position, pairs)
    overall = canonical_order(pairs, np.flatnonzero(eligible), pairs.candidate_score)
    chosen = set(overall[:top_k].tolist()) | set(int(r) for r in extra_rows)
    for t in range(len(pairs.task_ids)):
        for_task = np.flatnonzero(eligible & pairs.feasible[:, t])
        chosen.update(canonical_order(pairs, for_task, pairs.score[:, t])[:PER_TASK_RESERVE].tolist())
    rows = np.array(sorted(chosen), dtype=int)
    return canonical_order(pairs, rows, pairs.candidate_score)


def _index(rows: np.ndarray, row: int) -> int:
    return int(np.flatnonzero(rows == row)[0])


# ---- the best single person: exact without a solver -------------------------------------------------


def fill_single(capacity: int, task_hours: list[int], task_units: np.ndarray) -> dict[int, int]:
    """One person's best assignment: every hour is worth its task's score, so fill the best tasks first."""
    plan: dict[int, int] = {}
    left = capacity
    for t in sorted(np.flatnonzero(task_units > 0).tolist(), key=lambda t: (-task_units[t], t)):
        if left == 0:
            break
        if task_hours[t] <= 0:
            continue
        hours = min(left, task_hours[t])
        plan[t] = hours
        left -= hours
    return plan


def best_single(position: Position, pairs: PairScores, units: np.ndarray,
                terms: PersonTerms) -> tuple[int, dict[int, int]] | None:
    """(row, plan) of the best one-person proposal over all eligible candidates; ties by candidate_id. Filling
    the best tasks first stays optimal with the person terms: an hour above the target still gains."""
    task_hours = [task.hours_per_week for task in position.tasks]
    best: tuple[int, str, int, dict[int, int]] | None = None
    for row in np.flatnonzero(eligible_rows(position, pairs)).tolist():
        plan = fill_single(int(pairs.capacity_hours[row]), task_hours, units[row])
        if sum(plan.values()) < position.min_hours_per_person:
            continue
        value = plan_units(units, terms, {row: plan})
        key = (-value, pairs.candidate_ids[row])
        if best is None or key < (-best[2], best[1]):
            best = (row, pairs.candidate_ids[row], value, plan)
    return None if best is None else (best[0], best[3])


def _single_proposal(position: Position, pairs: PairScores, units: np.ndarray, terms: PersonTerms,
                     single: tuple[int, dict[int, int]], rows: np.ndarray) -> Proposal:
    row, plan = single
    sub = pairs.subset(rows)
    i = _index(rows, row)
    spare = sub.capacity_hours - np.array([sum(plan.values()) if k == i else 0 for k in range(len(rows))])
    return build_proposal(position, sub, units[rows], terms.subset(rows), {i: plan}, spare=spare,
                          blocked=np.zeros(len(rows), bool), people_allowed=1)


# ---- the CP-SAT model ---------------------------------------------------------------------------------


@dataclass
class PositionVars:
    """One position's variables in a CP-SAT model. Rows refer to the PairScores the model was built from."""

    hours: dict[tuple[int, int], cp_model.IntVar]
    used: dict[int, cp_model.IntVar]
    value: cp_model.LinearExpr      # the objective less SPLIT_UNITS (add SPLIT_UNITS if anyone is staffed)

    def people(self) -> cp_model.LinearExpr:
        return sum(self.used.values())

    def plan(self, solver: cp_model.CpSolver) -> Plan:
        plan: Plan = {}
        for (i, t), var in self.hours.items():
            hours = solver.value(var)
            if hours > 0:
                plan.setdefault(i, {})[t] = hours
        return plan


def add_position(model: cp_model.CpModel, position: Position, pairs: PairScores, units: np.ndarray,
                 terms: PersonTerms, tag: str = "") -> PositionVars:
    """Add one position's variables and constraints (module docstring) to `model`."""
    task_hours = [task.hours_per_week for task in position.tasks]
    hours: dict[tuple[int, int], cp_model.IntVar] = {}
    bounds: dict[tuple[int, int], int] = {}
    used: dict[int, cp_model.IntVar] = {}
    over_terms = []
    for i in range(len(pairs.candidate_ids)):
        capacity = int(pairs.capacity_hours[i])
        tasks = [t for t in range(len(task_hours)) if units[i, t] > 0]
        if capacity < position.min_hours_per_person or not tasks:
            continue
        used[i] = model.new_bool_var(f"u{tag}_{i}")
        for t in tasks:
            ub = min(capacity, task_hours[t])
            hours[i, t] = model.new_int_var(0, ub, f"h{tag}_{i}_{t}")
            bounds[i, t] = ub
            model.add(hours[i, t] <= ub * used[i])   # redundant but tightens the LP relaxation
        mine = [hours[i, t] for t in tasks]
        model.add(sum(mine) <= capacity * used[i])
        model.add(sum(mine) >= position.min_hours_per_person * used[i])
        target = int(terms.target[i])
        if terms.penalty[i] > 0 and capacity > target:
            over = model.new_int_var(0, capacity - target, f"o{tag}_{i}")
            model.add(sum(mine) - over <= target * used[i])
            over_terms.append(int(terms.penalty[i]) * over)
    for t, task in enumerate(position.tasks):
        on_task = [(i, hours[i, t]) for i in used if (i, t) in hours]
        if not on_task:
            continue
        model.add(sum(var for _, var in on_task) <= task.hours_per_week)
        if not task.splittable:
            holds = []
            for i, var in on_task:
                hold = model.new_bool_var(f"x{tag}_{i}_{t}")
                model.add(var <= bounds[i, t] * hold)
                holds.append(hold)
            model.add_at_most_one(holds)
    if used:
        model.add(sum(used.values()) <= position.people_limit)
    if position.people_limit >= 2 and len(used) >= 2:
        _split_covers_more(model, used, hours, terms, tag)
    value = (sum(int(units[i, t]) * var for (i, t), var in hours.items()) - sum(over_terms)
             + sum((int(terms.person[i]) - SPLIT_UNITS) * var for i, var in used.items()))
    return PositionVars(hours=hours, used=used, value=value)


def _split_covers_more(model: cp_model.CpModel, used: dict[int, cp_model.IntVar],
                       hours: dict[tuple[int, int], cp_model.IntVar], terms: PersonTerms, tag: str) -> None:
    """With two or more people, the position's hours exceed what any one of them could cover alone."""
    split = model.new_bool_var(f"s{tag}")
    model.add(sum(used.values()) >= 2).only_enforce_if(split)
    model.add(sum(used.values()) <= 1).only_enforce_if(split.Not())
    covered = sum(hours.values())
    for i, var in used.items():
        model.add(covered >= int(terms.reach[i]) + 1).only_enforce_if([var, split])


def make_solver(deterministic_limit: float) -> cp_model.CpSolver:
    """CP-SAT with settings that make the answer a function of the input only."""
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = RANDOM_SEED
    solver.parameters.num_workers = NUM_WORKERS
    solver.parameters.max_deterministic_time = deterministic_limit
    return solver


def _best_split(position: Position, pairs: PairScores, units: np.ndarray, terms: PersonTerms, hint_row: int,
                hint_plan: dict[int, int]) -> tuple[Proposal | None, bool]:
    """Best proposal with 1..people_limit people (hinted with the best single); a Proposal only if ≥ 2."""
    model = cp_model.CpModel()
    pv = add_position(model, position, pairs, units, terms)
    model.add(pv.people() >= 1)
    model.maximize(pv.value)
    for (i, t), var in pv.hours.items():
        model.add_hint(var, hint_plan.get(t, 0) if i == hint_row else 0)
    for i, var in pv.used.items():
        model.add_hint(var, int(i == hint_row))
    solver = make_solver(SPLIT_DETERMINISTIC_LIMIT)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, False
    plan = pv.plan(solver)
    plan = complete_plan(position, pairs, units, plan, spare=_spare(pairs, plan))
    if len(plan) < 2:
        return None, status == cp_model.OPTIMAL
    proposal = build_proposal(position, pairs, units, terms, plan, spare=_spare(pairs, plan),
                              blocked=np.zeros(len(pairs.candidate_ids), bool), people_allowed=position.people_limit)
    return proposal, status == cp_model.OPTIMAL


def _spare(pairs: PairScores, plan: Plan) -> np.ndarray:
    spare = pairs.capacity_hours.astype(int).copy()
    for i, tasks in plan.items():
        spare[i] -= sum(tasks.values())
    return spare


# ---- from a plan to a Proposal --------------------------------------------------------------------------


def complete_plan(position: Position, pairs: PairScores, units: np.ndarray, plan: Plan,
                  spare: np.ndarray) -> Plan:
    """Give people already in the plan any feasible uncovered hours they still have room for. Only matters
    when the solver stopped at its limit; every hour added raises the objective and breaks no rule."""
    plan = {i: dict(tasks) for i, tasks in plan.items()}
    spare = spare.copy()
    for t, task in enumerate(position.tasks):
        missing = task.hours_per_week - sum(tasks.get(t, 0) for tasks in plan.values())
        holders = [i for i, tasks in plan.items() if tasks.get(t, 0) > 0]
        for i in sorted(plan):
            if missing == 0:
                break
            if units[i, t] == 0 or spare[i] <= 0 or (not task.splittable and holders and holders != [i]):
                continue
            add = min(missing, int(spare[i]))
            plan[i][t] = plan[i].get(t, 0) + add
            spare[i] -= add
            missing -= add
            holders = holders or [i]
    return plan


def build_proposal(position: Position, pairs: PairScores, units: np.ndarray, terms: PersonTerms, plan: Plan, *,
                   spare: np.ndarray,
                   blocked: np.ndarray, people_allowed: int, limit_detail: str | None = None) -> Proposal:
    """A Proposal from a plan. `spare` is each candidate's capacity left after this and any other assignment;
    `blocked` marks candidates who may not join this position (batch: already at their position limit);
    `limit_detail` says why `people_allowed` is below the position's limit when the batch says so."""
    people = [
        ProposalPerson(candidate_id=pairs.candidate_ids[i],
                       assignments=[Assignment(task_id=position.tasks[t].id, hours_per_week=h)
                                    for t, h in sorted(tasks.items()) if h > 0])
        for i, tasks in plan.items() if sum(tasks.values()) > 0
    ]
    people.sort(key=lambda p: (-p.hours, p.candidate_id))
    covered = sum(p.hours for p in people)
    value = plan_units(units, terms, plan)
    return Proposal(kind="split" if len(people) >= 2 else "single", people=people, hours_covered=covered,
                    hours_requested=position.hours_requested, objective=to_objective(value),
                    uncovered=explain_uncovered(position, pairs, units, plan, spare, blocked, people_allowed,
                                                limit_detail))


# ---- why hours remain ---------------------------------------------------------------------------------------


def explain_uncovered(position: Position, pairs: PairScores, units: np.ndarray, plan: Plan, spare: np.ndarray,
                      blocked: np.ndarray, people_allowed: int, limit_detail: str | None = None) -> list[UncoveredTask]:
    """One UncoveredTask per task with missing hours, with the first reason that holds:
    no_feasible_candidate (nobody considered can do it), capacity_used (a non-splittable task's holder is full,
    or every suitable person is fully used), people_limit (suitable people are free but the proposal may not
    add anyone), min_hours (someone could be added, but the hours left are too few for another person)."""
    out: list[UncoveredTask] = []
    eligible = eligible_rows(position, pairs)
    in_plan = {i for i, tasks in plan.items() if sum(tasks.values()) > 0}
    minh = position.min_hours_per_person
    missing_by_task = [task.hours_per_week - sum(tasks.get(t, 0) for tasks in plan.values())
                       for t, task in enumerate(position.tasks)]
    for t, task in enumerate(position.tasks):
        missing = missing_by_task[t]
        if missing <= 0:
            continue
        suitable = eligible & (units[:, t] > 0)
        holders = [i for i in in_plan if plan[i].get(t, 0) > 0]
        outsiders = [i for i in np.flatnonzero(suitable).tolist()
                     if i not in in_plan and not blocked[i] and spare[i] >= minh]
        if not suitable.any():
            reason, detail = UncoveredReason.no_feasible_candidate, (
                "Ingen af de mulige borgere kan varetage opgaven (skånehensyn, kørekort, dage, afstand eller arbejdsevne).")
        elif not task.splittable and holders:
            reason, detail = UncoveredReason.capacity_used, (
                f"Opgaven kan ikke deles, og {pairs.candidate_ids[holders[0]]} har ikke flere ledige timer.")
        elif not outsiders:
            reason, detail = UncoveredReason.capacity_used, (
                "Alle borgere der kan varetage opgaven, er allerede brugt fuldt ud (i dette forslag eller i andre stillinger).")
        elif len(in_plan) >= people_allowed:
            reason, detail = UncoveredReason.people_limit, limit_detail or _people_limit_detail(position, people_allowed)
        else:
            reason, detail = UncoveredReason.min_hours, _min_hours_detail(position, units, outsiders, spare, missing_by_task, missing)
        out.append(UncoveredTask(task_id=task.id, hours_missing=missing, reason=reason, detail=detail))
    return out


def _people_limit_detail(position: Position, people_allowed: int) -> str:
    if people_allowed < position.people_limit:
        return ("Forslaget bruger én person (start med én); flere egnede borgere kan dække de resterende timer "
                "i et delt forslag.")
    if position.people_limit == 1:
        return "Stillingen eller virksomheden tager kun én fleksjobber, og vedkommende har ikke flere timer."
    return (f"Stillingen må højst have {position.people_limit} personer (det laveste af stillingens og "
            "virksomhedens grænse), og de er alle i brug.")


def _min_hours_detail(position: Position, units: np.ndarray, outsiders: list[int], spare: np.ndarray,
                      missing_by_task: list[int], missing: int) -> str:
    minh = position.min_hours_per_person
    could_get = max(min(int(spare[i]), sum(m for t, m in enumerate(missing_by_task) if m > 0 and units[i, t] > 0))
                    for i in outsiders)
    if could_get < minh:
        return (f"Der mangler kun {missing} time(r), og ingen ledig egnet borger kan få de mindst {minh} timer "
                "pr. person, som stillingen kræver.")
    return (f"De resterende {missing} time(r) er for lidt til, at det kan betale sig at tilføje endnu en person "
            "til stillingen.")

