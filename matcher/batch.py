"""Batch assignment: all open positions of a jobcentre (or the country) against the available pool.

Every position keeps its own rules from `matcher.split` (capacity, min hours, task hours, non-splittable
tasks, people limit, infeasible pairs impossible); across positions each citizen works at most
`capacity_hours` in total and joins at most `max_positions_per_citizen` positions. The total objective (the
sum of the positions' objectives, `matcher.objective`) is maximised with CP-SAT on the sparse candidate–task
edges, one connected component (citizens shared between positions) at a time.

The same run computes two yardsticks:
- `greedy_assign`: what a consultant does by hand: positions in order, best-ranked available candidate first,
  on every feasible edge.
- `lp_bound`: the LP relaxation (GLOP) of the batch model. batch_assign reports it over the pre-selected edges
  (each position's top_k candidates, each task's best few, greedy's picks): the model it actually solves, so
  objective / lp_bound measures the solver. `lp_bound(items)` without top_k gives the bound over every edge.
The CP-SAT answer is never below greedy: greedy's choices are in the model and hinted, and a component where
the solver stopped at its deterministic limit below greedy keeps greedy's answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matcher.objective import EXTRA_PERSON_UNITS, SCORE_SCALE, objective_units, quantised_scores, to_objective
from matcher.pairs import PairScores
from matcher.split import (DEFAULT_TOP_K, Plan, add_position, build_proposal, canonical_order, check_alignment,
                           complete_plan, eligible_rows, fill_single, make_solver, select_rows)
from models.schemas import Position, Proposal

COMPONENT_DETERMINISTIC_LIMIT = 20.0   # per component, deterministic seconds: a safety net, not a clock
LP_SUPPORT_EPS = 1e-6
COMPONENT_RELATIVE_GAP = 0.001         # stop a component within 0.1 % of CP-SAT's own proven bound
GLOP_PARAMETERS = "use_preprocessing: false"   # this LP is already lean; presolve costs more than it saves

Item = tuple[Position, PairScores]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Coverage:
    full: int       # hours_covered == hours_requested
    partial: int    # some hours covered
    uncovered: int  # nobody assigned


@dataclass(frozen=True)
class BatchSolution:
    """One assignment of the whole batch: a Proposal for every position (people may be empty)."""

    proposals: dict[str, Proposal]
    objective: float
    coverage: Coverage


@dataclass(frozen=True)
class BatchResult:
    proposals: dict[str, Proposal]          # position_id -> the solver's assignment for it
    objective: float
    coverage: Coverage
    greedy_proposals: dict[str, Proposal]   # position_id -> the greedy baseline's assignment
    greedy_objective: float
    greedy_coverage: Coverage
    lp_bound: float                         # LP relaxation: an upper bound on any assignment's objective
    seconds: float
    components: int                         # independent sub-problems solved
    components_optimal: int                 # of which CP-SAT proved optimality

    @property
    def optimal(self) -> bool:
        return self.components_optimal == self.components


@dataclass
class _Prepared:
    """The batch in arrays: per item its units matrix, eligible rows and each row's global citizen index."""

    items: list[Item]
    units: list[np.ndarray]
    eligible: list[np.ndarray]
    citizen: list[np.ndarray]
    citizen_ids: list[str]
    capacity: np.ndarray
    max_positions: int


def _prepare(items: Sequence[Item], max_positions_per_citizen: int) -> _Prepared:
    if max_positions_per_citizen < 1:
        raise ValueError("max_positions_per_citizen skal være mindst 1")
    ids = [position.id for position, _ in items]
    if len(set(ids)) != len(ids):
        raise ValueError("stillings-id'er skal være unikke i en samlet matchning")
    for position, pairs in items:
        check_alignment(position, pairs)
    lengths = [len(pairs.candidate_ids) for _, pairs in items]
    all_ids = np.concatenate([np.array(pairs.candidate_ids, dtype=str) for _, pairs in items] + [np.array([], str)])
    citizen_ids, inverse = np.unique(all_ids, return_inverse=True)
    capacity = np.full(len(citizen_ids), np.iinfo(np.int64).max, dtype=np.int64)
    all_capacity = np.concatenate([pairs.capacity_hours for _, pairs in items] + [np.array([], int)]).astype(np.int64)
    np.minimum.at(capacity, inverse, all_capacity)       # one citizen, one weekly capacity
    citizen = np.split(inverse.astype(int), np.cumsum(lengths)[:-1]) if items else []
    units = [quantised_scores(pairs.score, pairs.feasible) for _, pairs in items]
    eligible = [eligible_rows(position, pairs) for position, pairs in items]
    return _Prepared(list(items), units, eligible, list(citizen), citizen_ids.tolist(), capacity.astype(int),
                     max_positions_per_citizen)


# ---- greedy baseline ------------------------------------------------------------------------------------


def _greedy_plans(prep: _Prepared) -> list[Plan]:
    spare = prep.capacity.copy()
    joined = np.zeros(len(spare), dtype=int)
    plans: list[Plan] = []
    for k, (position, pairs) in enumerate(prep.items):
        plans.append(_greedy_position(prep, k, position, pairs, spare, joined))
    return plans


def _greedy_position(prep: _Prepared, k: int, position: Position, pairs: PairScores, spare: np.ndarray,
                     joined: np.ndarray) -> Plan:
    """Best-ranked available candidate first; each takes their best tasks; stop at the people limit."""
    left = [task.hours_per_week for task in position.tasks]
    held = [False] * len(left)
    plan: Plan = {}
    for row in canonical_order(pairs, np.flatnonzero(prep.eligible[k]), pairs.candidate_score).tolist():
        if len(plan) == position.people_limit or sum(left) == 0:
            break
        g = prep.citizen[k][row]
        if spare[g] < position.min_hours_per_person or joined[g] >= prep.max_positions:
            continue
        open_units = np.array([u if left[t] > 0 and not held[t] else 0 for t, u in enumerate(prep.units[k][row])])
        tasks = fill_single(int(spare[g]), left, open_units)
        gain = sum(int(open_units[t]) * h for t, h in tasks.items())
        if sum(tasks.values()) < position.min_hours_per_person or (plan and gain <= EXTRA_PERSON_UNITS):
            continue
        plan[row] = tasks
        for t, h in tasks.items():
            left[t] -= h
            held[t] = held[t] or not position.tasks[t].splittable
        spare[g] -= sum(tasks.values())
        joined[g] += 1
    return plan


def greedy_assign(items: Sequence[Item], *, max_positions_per_citizen: int = 1) -> BatchSolution:
    """The consultant's by-hand baseline (module docstring) as a BatchSolution."""
    prep = _prepare(items, max_positions_per_citizen)
    return _solution(prep, _greedy_plans(prep))


# ---- building results ---------------------------------------------------------------------------------------


def _plan_units(prep: _Prepared, k: int, plan: Plan) -> int:
    units = prep.units[k]
    people = sum(1 for tasks in plan.values() if sum(tasks.values()) > 0)
    return objective_units(((int(units[i, t]), h) for i, tasks in plan.items() for t, h in tasks.items()), people)


def _usage(prep: _Prepared, plans: list[Plan]) -> tuple[np.ndarray, np.ndarray]:
    spare = prep.capacity.copy()
    joined = np.zeros(len(spare), dtype=int)
    for k, plan in enumerate(plans):
        for i, tasks in plan.items():
            spare[prep.citizen[k][i]] -= sum(tasks.values())
            joined[prep.citizen[k][i]] += 1
    return spare, joined


def _solution(prep: _Prepared, plans: list[Plan]) -> BatchSolution:
    spare, joined = _usage(prep, plans)
    proposals: dict[str, Proposal] = {}
    total = 0
    for k, (position, pairs) in enumerate(prep.items):
        rows = prep.citizen[k]
        blocked = joined[rows] >= prep.max_positions
        blocked[list(plans[k])] = False
        proposal = build_proposal(position, pairs, prep.units[k], plans[k], spare=spare[rows], blocked=blocked,
                                  people_allowed=position.people_limit)
        proposals[position.id] = proposal
        total += _plan_units(prep, k, plans[k])
    return BatchSolution(proposals=proposals, objective=to_objective(total), coverage=_coverage(proposals))


def _coverage(proposals: dict[str, Proposal]) -> Coverage:
    covered = [(p.hours_covered, p.hours_requested) for p in proposals.values()]
    return Coverage(full=sum(c >= r for c, r in covered), partial=sum(0 < c < r for c, r in covered),
                    uncovered=sum(c == 0 for c, _ in covered))


# ---- components ------------------------------------------------------------------------------------------------


def _components(prep: _Prepared, rows_by_item: list[np.ndarray]) -> list[list[int]]:
    """Groups of items that share citizens (through `rows_by_item`), in order of their first item."""
    m, n = len(prep.items), len(prep.capacity)
    left = np.concatenate([np.full(len(rows), k) for k, rows in enumerate(rows_by_item)] + [np.empty(0, int)])
    right = np.concatenate([prep.citizen[k][rows] for k, rows in enumerate(rows_by_item)] + [np.empty(0, int)])
    graph = coo_matrix((np.ones(len(left)), (left, m + right)), shape=(m + n, m + n))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for k in range(m):
        groups.setdefault(int(labels[k]), []).append(k)
    return list(groups.values())


# ---- CP-SAT over one component -------------------------------------------------------------------------------


def _solve_component(prep: _Prepared, members: list[int], rows_by_item: list[np.ndarray],
                     hint: list[Plan]) -> tuple[dict[int, Plan], bool]:
    """Optimal (or best found) plans for the component's items, in full-row terms; and whether proven."""
    model = cp_model.CpModel()
    vars_by_item = {}
    hours_by_citizen: dict[int, list] = {}
    used_by_citizen: dict[int, list] = {}
    objective = []
    for k in members:
        position, pairs = prep.items[k]
        rows = rows_by_item[k]
        pv = add_position(model, position, pairs.subset(rows), prep.units[k][rows], tag=f"_{k}")
        vars_by_item[k] = pv
        staffed = model.new_bool_var(f"y_{k}")
        model.add(staffed <= pv.people())
        objective += [pv.value, EXTRA_PERSON_UNITS * staffed]
        for (i, _), var in pv.hours.items():
            hours_by_citizen.setdefault(int(prep.citizen[k][rows[i]]), []).append(var)
        for i, var in pv.used.items():
            used_by_citizen.setdefault(int(prep.citizen[k][rows[i]]), []).append(var)
        _add_hint(model, pv, rows, hint[k], staffed)
    for g, terms in hours_by_citizen.items():
        model.add(sum(terms) <= int(prep.capacity[g]))
        if len(used_by_citizen[g]) > prep.max_positions:
            model.add(sum(used_by_citizen[g]) <= prep.max_positions)
    model.maximize(sum(objective))
    solver = make_solver(COMPONENT_DETERMINISTIC_LIMIT)
    solver.parameters.relative_gap_limit = COMPONENT_RELATIVE_GAP
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {k: hint[k] for k in members}, False
    proven = status == cp_model.OPTIMAL and solver.objective_value >= solver.best_objective_bound - 0.5
    plans = {}
    for k, pv in vars_by_item.items():
        rows = rows_by_item[k]
        plans[k] = {int(rows[i]): tasks for i, tasks in pv.plan(solver).items()}
    return plans, proven


def _add_hint(model: cp_model.CpModel, pv, rows: np.ndarray, plan: Plan, staffed) -> None:
    position_of = {int(r): i for i, r in enumerate(rows)}
    local = {position_of[r]: tasks for r, tasks in plan.items()}
    for (i, t), var in pv.hours.items():
        model.add_hint(var, local.get(i, {}).get(t, 0))
    for i, var in pv.used.items():
        model.add_hint(var, int(i in local))
    model.add_hint(staffed, int(bool(local)))


# ---- the batch ------------------------------------------------------------------------------------------------


def batch_assign(items: list[Item], *, max_positions_per_citizen: int = 1, top_k: int = DEFAULT_TOP_K,
                 progress: Progress | None = None) -> BatchResult:
    """Assign the pool across all positions maximising the total objective; greedy and LP bound alongside.

    1. greedy baseline on every feasible edge;
    2. pre-selection per position: its top_k candidates by score, each task's best few, and greedy's picks;
    3. per connected component of those edges, GLOP solves the LP relaxation: the bound;
    4. CP-SAT solves the integer model on the sparse edges that matter, the candidates the LP uses plus
       greedy's picks, one connected component of those edges at a time (hinted with greedy's answer).
    `progress(done, total)` counts positions twice (LP, then CP-SAT) as their components finish."""
    started = time.perf_counter()
    prep = _prepare(items, max_positions_per_citizen)
    greedy = _greedy_plans(prep)
    selected = [select_rows(position, pairs, top_k, extra_rows=list(greedy[k]))
                for k, (position, pairs) in enumerate(prep.items)]
    report = _Counter(progress, 2 * len(prep.items))
    bound, weight = 0.0, {}
    for members in _components(prep, selected):
        value, found = _lp_component(prep, members, selected)
        bound += value
        weight.update(found)
        report.add(len(members))
    solver_rows = [_solver_rows(prep, k, weight[k], greedy[k], top_k) for k in range(len(prep.items))]
    plans: list[Plan] = [{} for _ in prep.items]
    components = _components(prep, solver_rows)
    proven = 0
    for members in components:
        found, optimal = _solve_component(prep, members, solver_rows, greedy)
        if sum(_plan_units(prep, k, found[k]) for k in members) < sum(_plan_units(prep, k, greedy[k]) for k in members):
            found, optimal = {k: greedy[k] for k in members}, False
        for k in members:
            plans[k] = found[k]
        proven += optimal
        report.add(len(members))
    plans = _complete(prep, plans)
    solved, baseline = _solution(prep, plans), _solution(prep, greedy)
    return BatchResult(proposals=solved.proposals, objective=solved.objective, coverage=solved.coverage,
                       greedy_proposals=baseline.proposals, greedy_objective=baseline.objective,
                       greedy_coverage=baseline.coverage, lp_bound=round(bound / SCORE_SCALE, 3),
                       seconds=round(time.perf_counter() - started, 3), components=len(components),
                       components_optimal=proven)


class _Counter:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def add(self, n: int) -> None:
        self.done += n
        if self.progress:
            self.progress(self.done, self.total)


def _solver_rows(prep: _Prepared, k: int, weight: dict[int, float], greedy: Plan, top_k: int) -> np.ndarray:
    """The candidates CP-SAT considers for item k: greedy's picks and the LP's, heaviest first, up to top_k."""
    _, pairs = prep.items[k]
    lp_rows = np.array([r for r, w in weight.items() if w > LP_SUPPORT_EPS], dtype=int)
    key = np.zeros(len(pairs.candidate_ids))
    key[lp_rows] = [weight[r] for r in lp_rows.tolist()]
    chosen = set(canonical_order(pairs, lp_rows, key)[:top_k].tolist()) | set(greedy)
    return canonical_order(pairs, np.array(sorted(chosen), dtype=int), pairs.candidate_score)


def _complete(prep: _Prepared, plans: list[Plan]) -> list[Plan]:
    """Let assigned people take feasible uncovered hours they still have room for (only after a limit hit)."""
    spare, _ = _usage(prep, plans)
    out = []
    for k, (position, pairs) in enumerate(prep.items):
        rows = prep.citizen[k]
        completed = complete_plan(position, pairs, prep.units[k], plans[k], spare=spare[rows])
        for i, tasks in completed.items():
            spare[rows[i]] -= sum(tasks.values()) - sum(plans[k].get(i, {}).values())
        out.append(completed)
    return out


# ---- LP relaxation bound ------------------------------------------------------------------------------------


def lp_bound(items: Sequence[Item], *, max_positions_per_citizen: int = 1,
             top_k: int | None = None) -> float:
    """Upper bound on the batch objective: the LP relaxation (GLOP) over every feasible edge, or with top_k
    over the pre-selected edges (the bound batch_assign reports: the model it actually solves)."""
    prep = _prepare(items, max_positions_per_citizen)
    if top_k is None:
        all_rows = [np.flatnonzero(e) for e in prep.eligible]
    else:
        greedy = _greedy_plans(prep)
        all_rows = [select_rows(position, pairs, top_k, extra_rows=list(greedy[k]))
                    for k, (position, pairs) in enumerate(prep.items)]
    total = sum(_lp_component(prep, members, all_rows)[0] for members in _components(prep, all_rows))
    return round(total / SCORE_SCALE, 3)


def _lp_component(prep: _Prepared, members: list[int],
                  rows_by_item: list[np.ndarray]) -> tuple[float, dict[int, dict[int, float]]]:
    """The component's LP optimum in objective units (the batch model with every integer made continuous),
    and per item the LP's `used` weight of each candidate row."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetSolverSpecificParametersAsString(GLOP_PARAMETERS)
    citizen_hours: dict[int, pywraplp.Constraint] = {}
    citizen_joins: dict[int, pywraplp.Constraint] = {}
    objective = solver.Objective()
    used = {k: _lp_position(solver, prep, k, prep.items[k][0], rows_by_item[k], citizen_hours, citizen_joins,
                            objective) for k in members}
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        raise RuntimeError("GLOP fandt ingen optimal LP-løsning")
    weight = {k: {row: var.solution_value() for row, var in rows.items()} for k, rows in used.items()}
    return objective.Value(), weight


def _lp_position(solver, prep: _Prepared, k: int, position: Position, rows: np.ndarray, citizen_hours: dict,
                 citizen_joins: dict, objective) -> dict[int, pywraplp.Variable]:
    inf = solver.infinity()
    units = prep.units[k]
    minh = position.min_hours_per_person
    task_cover = [solver.Constraint(0, task.hours_per_week) for task in position.tasks]
    task_holders = [solver.Constraint(0, 1) if not task.splittable else None for task in position.tasks]
    people = solver.Constraint(0, position.people_limit)
    staffed = solver.NumVar(0, 1, "")
    objective.SetCoefficient(staffed, EXTRA_PERSON_UNITS)
    staffed_link = solver.Constraint(-inf, 0)            # staffed − Σ used ≤ 0
    staffed_link.SetCoefficient(staffed, 1)
    used_vars = {}
    for row in rows.tolist():
        g = int(prep.citizen[k][row])
        capacity = int(prep.capacity[g])
        used = used_vars[row] = solver.NumVar(0, 1, "")
        objective.SetCoefficient(used, -EXTRA_PERSON_UNITS)
        people.SetCoefficient(used, 1)
        staffed_link.SetCoefficient(used, -1)
        upper = solver.Constraint(-inf, 0)               # Σ h − capacity·used ≤ 0
        lower = solver.Constraint(0, inf)                # Σ h − minh·used ≥ 0
        upper.SetCoefficient(used, -capacity)
        lower.SetCoefficient(used, -minh)
        hours_ct = citizen_hours.setdefault(g, solver.Constraint(0, capacity))
        citizen_joins.setdefault(g, solver.Constraint(0, prep.max_positions)).SetCoefficient(used, 1)
        for t in np.flatnonzero(units[row] > 0).tolist():
            ub = min(capacity, position.tasks[t].hours_per_week)
            h = solver.NumVar(0, ub, "")
            objective.SetCoefficient(h, int(units[row, t]))
            for ct in (upper, lower, task_cover[t], hours_ct):
                ct.SetCoefficient(h, 1)
            link = solver.Constraint(-inf, 0)            # h − ub·used ≤ 0
            link.SetCoefficient(h, 1)
            link.SetCoefficient(used, -ub)
            if task_holders[t] is not None:
                hold = solver.NumVar(0, 1, "")
                task_holders[t].SetCoefficient(hold, 1)
                link_hold = solver.Constraint(-inf, 0)   # h − ub·holds ≤ 0
                link_hold.SetCoefficient(h, 1)
                link_hold.SetCoefficient(hold, -ub)
    return used_vars
