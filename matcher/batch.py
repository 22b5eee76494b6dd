"""Batch assignment: all open positions of a jobcentre (or the country) against the available pool.

Every position keeps its own rules from `matcher.split` (capacity, min hours, task hours, non-splittable
tasks, people limit, infeasible pairs impossible); across positions each citizen works at most
`capacity_hours` in total and joins at most `max_positions_per_citizen` positions. The total objective (the
sum of the positions' objectives, `matcher.objective`) is maximised with CP-SAT on the sparse candidate–task
edges, one connected component (citizens shared between positions) at a time. A component of more than
EXACT_COMPONENT_ITEMS positions (a big city's whole jobcentre) is decomposed around its LP optimum: the
positions the LP already assigns integrally keep that assignment, CP-SAT solves the fractional rest.

The same run computes three yardsticks:
- `greedy_assign`: what a consultant does by hand: positions in order, best-ranked available candidate first,
  on every feasible edge.
- `reduced_lp`: the LP relaxation (GLOP) of the model batch_assign actually solves (each position's top_k
  candidates, each task's best few, greedy's picks): objective / reduced_lp measures the solver on that model,
  but says nothing about the candidates the pre-selection left out.
- `upper_bound`: a bound on every assignment over ALL eligible pairs, per component of the full problem: the
  proven optimum of a small component (solved on all its eligible rows, no pre-selection), the LP over all
  eligible rows otherwise: the pre-selected LP grows by pricing (the rows its duals say are worth adding) until
  no eligible row prices in, and if a big city's LP has not got there within PRICING_ROUNDS, the Lagrangian
  bound at its last duals (`_lagrangian_value`). `upper_bound_kind` says "lagrangian" when any component
  needed that. `lp_bound(items)` without top_k is the full LP on its own.
The CP-SAT answer is never below greedy: greedy's choices are in the model and hinted, and a component where
the solver stopped at its deterministic limit below greedy keeps greedy's answer. The LP is built from sparse
numpy arrays in one call (model_builder's fill_model_from_sparse_data), never coefficient by coefficient.
CP-SAT runs one worker with a fixed seed and deterministic limits, so the same input gives the same result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver.python import model_builder_helper
from ortools.sat.python import cp_model
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from matcher.objective import SCORE_SCALE, SPLIT_UNITS, PersonTerms, plan_units, quantised_scores, to_objective
from matcher.pairs import PairScores
from matcher.split import (DEFAULT_TOP_K, Plan, add_position, build_proposal, canonical_order, check_alignment,
                           complete_plan, eligible_rows, fill_single, make_solver, select_rows, terms_of)
from models.schemas import Position, Proposal

COMPONENT_DETERMINISTIC_LIMIT = 20.0   # per component, deterministic seconds: a safety net, not a clock
DETERMINISTIC_SECONDS_PER_ITEM = 0.2   # ... scaled down for small components (_deterministic_limit)
EXACT_COMPONENT_ITEMS = 200            # bigger CP-SAT components are decomposed around the LP (_solve_decomposed)
EXACT_DETERMINISTIC_LIMIT = 5.0        # ... and gets this budget (deterministic seconds) to prove it
EXACT_COMPONENT_ROWS = 400             # a problem component with at most this many eligible rows (candidate ×
                                       # position) is solved on all of them: no pre-selection, optimum proven
PRICING_ROUNDS = 2                     # a bigger component's LP adds the rows its duals price in, this many times
PRICING_ROWS_PER_POSITION = 10         # ... at most this many per position and round, best first
PRICE_EPS = 1e-3                       # a row priced in by less (units: 1/SCORE_SCALE) is solver noise
LAGRANGIAN_WORTH = 0.002               # try the Lagrangian bound when pricing leaves more than this share open
LINEARIZATION_LEVEL = 2                # CP-SAT keeps the full LP relaxation: this model's strength is its LP
LP_SUPPORT_EPS = 1e-6
LP_INTEGRAL_EPS = 1e-6                 # an LP value this close to an integer counts as that integer
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
    reduced_lp: float                       # LP relaxation of the model solved (pre-selected edges): not a bound
                                            # on the full problem, only on what the reduced model can reach
    upper_bound: float                      # an upper bound on every feasible assignment (all eligible pairs)
    upper_bound_kind: str                   # "full": exact optima and full LPs; "lagrangian": some component's
                                            # bound is the Lagrangian one (upper_bound docstring)
    seconds: float
    components: int                         # independent sub-problems solved
    components_optimal: int                 # of which CP-SAT proved optimality (on the model it was given)
    components_decomposed: int = 0          # of which too big for one model: LP-integral part kept, rest CP-SAT
    components_exact: int = 0               # problem components solved on all eligible rows, proven optimal
    splits_replaced: int = 0                # splits one of their people could cover alone (_without_idle_splits)
    alternatives: dict[str, Proposal] = field(default_factory=dict)   # beside each split: the best single person
    timings: dict[str, float] = field(default_factory=dict)   # seconds per phase, in order

    @property
    def optimal(self) -> bool:
        return self.components_optimal == self.components


@dataclass
class _Prepared:
    """The batch in arrays: per item its units matrix, eligible rows and each row's global citizen index."""

    items: list[Item]
    units: list[np.ndarray]
    terms: list[PersonTerms]    # per item: the person terms of the objective per candidate row
    eligible: list[np.ndarray]
    citizen: list[np.ndarray]
    citizen_ids: list[str]
    capacity: np.ndarray
    max_positions: int
    employer: np.ndarray        # per item: its employer group, -1 when the employer's limit cannot bind
    employer_cap: np.ndarray    # per employer group: new people this run may give it (employer_limits)


def employer_limits(items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
    """Per item its employer group and per group the new people one run may give that employer, across all
    its positions: `Employer.new_people_per_run` (max_fleksjobbere less the people already employed or held
    there, which service.core.pool.residual has taken off; one for an employer without fleksjob experience
    unless overridden). Employers whose limit is at least the sum of their positions' people limits cannot
    be held back by it and get no group (-1), so they add no constraint and join no component."""
    caps: dict[str, int] = {}
    room: dict[str, int] = {}
    for position, _ in items:
        employer = position.employer
        limit = employer.new_people_per_run
        if limit is not None:
            caps[employer.id] = min(caps.get(employer.id, limit), limit)
        room[employer.id] = room.get(employer.id, 0) + position.people_limit
    binding = sorted(e for e, cap in caps.items() if cap < room[e])
    number = {e: g for g, e in enumerate(binding)}
    group = np.array([number.get(position.employer.id, -1) for position, _ in items], dtype=int)
    return group, np.array([caps[e] for e in binding], dtype=int)


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
    employer, employer_cap = employer_limits(items)
    terms = [terms_of(position, pairs, u) for (position, pairs), u in zip(items, units)]
    return _Prepared(list(items), units, terms, eligible, list(citizen), citizen_ids.tolist(), capacity.astype(int),
                     max_positions_per_citizen, employer, employer_cap)


# ---- greedy baseline ------------------------------------------------------------------------------------


def _greedy_plans(prep: _Prepared) -> list[Plan]:
    spare = prep.capacity.copy()
    joined = np.zeros(len(spare), dtype=int)
    employer_room = prep.employer_cap.copy()
    plans: list[Plan] = []
    for k, (position, pairs) in enumerate(prep.items):
        g = prep.employer[k]
        limit = position.people_limit if g < 0 else min(position.people_limit, int(employer_room[g]))
        plans.append(_greedy_position(prep, k, position, pairs, spare, joined, limit))
        if g >= 0:
            employer_room[g] -= len(plans[-1])
    return plans


def _greedy_position(prep: _Prepared, k: int, position: Position, pairs: PairScores, spare: np.ndarray,
                     joined: np.ndarray, people_limit: int) -> Plan:
    """Best-ranked available candidate first; each takes their best tasks; stop at the people limit (the
    position's, or what its employer has left this run)."""
    left = [task.hours_per_week for task in position.tasks]
    held = [False] * len(left)
    plan: Plan = {}
    for row in canonical_order(pairs, np.flatnonzero(prep.eligible[k]), pairs.candidate_score).tolist():
        if len(plan) >= people_limit or sum(left) == 0:
            break
        g = prep.citizen[k][row]
        if spare[g] < position.min_hours_per_person or joined[g] >= prep.max_positions:
            continue
        open_units = np.array([u if left[t] > 0 and not held[t] else 0 for t, u in enumerate(prep.units[k][row])])
        tasks = fill_single(int(spare[g]), left, open_units)
        gain = plan_units(open_units[None, :], prep.terms[k].subset(np.array([row])), {0: tasks})
        if sum(tasks.values()) < position.min_hours_per_person or (plan and gain <= SPLIT_UNITS):
            continue
        reach = prep.terms[k].reach
        if plan and position.hours_requested - sum(left) + sum(tasks.values()) <= max(reach[[*plan, row]]):
            continue   # a split must cover more hours than any of its people could alone
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
    return plan_units(prep.units[k], prep.terms[k], plan)


def _usage(prep: _Prepared, plans: list[Plan]) -> tuple[np.ndarray, np.ndarray]:
    spare = prep.capacity.copy()
    joined = np.zeros(len(spare), dtype=int)
    for k, plan in enumerate(plans):
        for i, tasks in plan.items():
            spare[prep.citizen[k][i]] -= sum(tasks.values())
            joined[prep.citizen[k][i]] += 1
    return spare, joined


def _employer_room(prep: _Prepared, plans: list[Plan]) -> np.ndarray:
    """New people each employer group may still get after `plans`."""
    room = prep.employer_cap.copy()
    for k, plan in enumerate(plans):
        if prep.employer[k] >= 0:
            room[prep.employer[k]] -= len(plan)
    return room


def _solution(prep: _Prepared, plans: list[Plan]) -> BatchSolution:
    spare, joined = _usage(prep, plans)
    employer_room = _employer_room(prep, plans)
    proposals: dict[str, Proposal] = {}
    total = 0
    for k, (position, pairs) in enumerate(prep.items):
        rows = prep.citizen[k]
        blocked = joined[rows] >= prep.max_positions
        blocked[list(plans[k])] = False
        allowed, note = position.people_limit, None
        g = prep.employer[k]
        if g >= 0 and len(plans[k]) + employer_room[g] < allowed:
            allowed, note = len(plans[k]) + int(employer_room[g]), _employer_note(position)
        proposal = build_proposal(position, pairs, prep.units[k], prep.terms[k], plans[k], spare=spare[rows],
                                  blocked=blocked,
                                  people_allowed=allowed, limit_detail=note)
        proposals[position.id] = proposal
        total += _plan_units(prep, k, plans[k])
    return BatchSolution(proposals=proposals, objective=to_objective(total), coverage=_coverage(proposals))


def _single_alternatives(prep: _Prepared, plans: list[Plan]) -> dict[str, Proposal]:
    """For every position the batch splits, the best single-person proposal from the people free for it
    (those the split uses included, everyone placed elsewhere keeping their place), so the consultant can
    choose one person instead (service.core.rematch stores it marked as the alternative)."""
    spare, joined = _usage(prep, plans)
    out: dict[str, Proposal] = {}
    for k, plan in enumerate(plans):
        if sum(1 for tasks in plan.values() if sum(tasks.values()) > 0) < 2:
            continue
        position, pairs = prep.items[k]
        rows = prep.citizen[k]
        free, joins = spare[rows].copy(), joined[rows].copy()
        for i, tasks in plan.items():
            free[i] += sum(tasks.values())
            joins[i] -= 1
        task_hours = [task.hours_per_week for task in position.tasks]
        best: tuple[int, str, int, dict[int, int]] | None = None
        for i in np.flatnonzero(prep.eligible[k] & (joins < prep.max_positions)).tolist():
            alone = fill_single(min(int(free[i]), int(pairs.capacity_hours[i])), task_hours, prep.units[k][i])
            if sum(alone.values()) < position.min_hours_per_person:
                continue
            key = (-plan_units(prep.units[k], prep.terms[k], {i: alone}), pairs.candidate_ids[i])
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], i, alone)
        if best is not None:
            free[best[2]] -= sum(best[3].values())
            out[position.id] = build_proposal(position, pairs, prep.units[k], prep.terms[k], {best[2]: best[3]},
                                              spare=free, blocked=joins >= prep.max_positions, people_allowed=1)
    return out


def _employer_note(position: Position) -> str:
    """Why a position got fewer people than it may have: its employer's limit across positions this run."""
    employer = position.employer
    if not employer.has_fleksjob_experience and not employer.allow_several_new:
        return (f"{employer.name} har ikke erfaring med fleksjob og får højst én ny fleksjobber pr. genmatchning "
                "(start med én); en konsulent kan tillade flere på virksomheden.")
    return (f"{employer.name} må højst have {employer.max_fleksjobbere} nye fleksjobbere på tværs af "
            "virksomhedens stillinger (ud over dem, der allerede er i job eller forløb der), og de er i brug.")


def _coverage(proposals: dict[str, Proposal]) -> Coverage:
    covered = [(p.hours_covered, p.hours_requested) for p in proposals.values()]
    return Coverage(full=sum(c >= r for c, r in covered), partial=sum(0 < c < r for c, r in covered),
                    uncovered=sum(c == 0 for c, _ in covered))


# ---- components ------------------------------------------------------------------------------------------------


def _components(prep: _Prepared, rows_by_item: list[np.ndarray],
                among: list[int] | None = None) -> list[list[int]]:
    """Groups of items (all, or those `among`) that share citizens through `rows_by_item` or a limited
    employer, in order of their first item."""
    m, n, n_groups = len(prep.items), len(prep.capacity), len(prep.employer_cap)
    limited = np.flatnonzero(prep.employer >= 0)
    left = np.concatenate([np.full(len(rows), k) for k, rows in enumerate(rows_by_item)] + [limited])
    right = np.concatenate([prep.citizen[k][rows] for k, rows in enumerate(rows_by_item)]
                           + [n + prep.employer[limited]])   # items of one limited employer stay together
    graph = coo_matrix((np.ones(len(left)), (left, m + right)), shape=(m + n + n_groups, m + n + n_groups))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for k in (range(m) if among is None else among):
        groups.setdefault(int(labels[k]), []).append(k)
    return list(groups.values())


# ---- CP-SAT over one component -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Room:
    """What each citizen (global index) still has for the items being solved: hours and position joins."""

    hours: np.ndarray
    joins: np.ndarray
    employers: np.ndarray   # per employer group: new people it may still get


def _full_room(prep: _Prepared) -> _Room:
    return _Room(prep.capacity, np.full(len(prep.capacity), prep.max_positions), prep.employer_cap)


def _deterministic_limit(n_items: int) -> float:
    """CP-SAT's budget grows with the component, so a national batch stays bounded: small components prove
    optimality in a fraction of this, and big ones are decomposed first (batch_assign)."""
    return min(COMPONENT_DETERMINISTIC_LIMIT, DETERMINISTIC_SECONDS_PER_ITEM * max(n_items, 1))


def _solve_component(prep: _Prepared, members: list[int], rows_by_item: list[np.ndarray],
                     hint: list[Plan], room: _Room, exact: bool = False) -> tuple[dict[int, Plan], bool]:
    """Optimal (or best found) plans for the component's items, in full-row terms; and whether proven."""
    model = cp_model.CpModel()
    vars_by_item = {}
    hours_by_citizen: dict[int, list] = {}
    used_by_citizen: dict[int, list] = {}
    used_by_employer: dict[int, list] = {}
    objective = []
    for k in members:
        position, pairs = prep.items[k]
        rows = rows_by_item[k]
        pv = add_position(model, position, _with_room(pairs, rows, prep.citizen[k][rows], room), prep.units[k][rows],
                          prep.terms[k].subset(rows),
                          tag=f"_{k}")
        vars_by_item[k] = pv
        staffed = model.new_bool_var(f"y_{k}")
        model.add(staffed <= pv.people())
        objective += [pv.value, SPLIT_UNITS * staffed]
        for (i, _), var in pv.hours.items():
            hours_by_citizen.setdefault(int(prep.citizen[k][rows[i]]), []).append(var)
        for i, var in pv.used.items():
            used_by_citizen.setdefault(int(prep.citizen[k][rows[i]]), []).append(var)
        if prep.employer[k] >= 0:
            used_by_employer.setdefault(int(prep.employer[k]), []).extend(pv.used.values())
        _add_hint(model, pv, rows, hint[k], staffed)
    for g, terms in hours_by_citizen.items():
        model.add(sum(terms) <= int(room.hours[g]))
        if len(used_by_citizen[g]) > room.joins[g]:
            model.add(sum(used_by_citizen[g]) <= int(room.joins[g]))
    for g, terms in used_by_employer.items():
        if len(terms) > room.employers[g]:
            model.add(sum(terms) <= int(room.employers[g]))
    model.maximize(sum(objective))
    # A component solved on all its eligible rows must prove its optimum (it is then its own upper bound).
    limit = _deterministic_limit(len(members))
    solver = make_solver(max(limit, EXACT_DETERMINISTIC_LIMIT) if exact else limit)
    solver.parameters.relative_gap_limit = 0.0 if exact else COMPONENT_RELATIVE_GAP
    solver.parameters.linearization_level = LINEARIZATION_LEVEL
    # Ctrl-C must abort the whole batch (KeyboardInterrupt once this solve returns), not just end this
    # component's search early and let the batch carry on as if nothing happened.
    solver.parameters.catch_sigint_signal = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {k: {} for k in members}, False
    proven = status == cp_model.OPTIMAL and solver.objective_value >= solver.best_objective_bound - 0.5
    plans = {}
    for k, pv in vars_by_item.items():
        rows = rows_by_item[k]
        plans[k] = {int(rows[i]): tasks for i, tasks in pv.plan(solver).items()}
    return plans, proven


def _with_room(pairs: PairScores, rows: np.ndarray, citizens: np.ndarray, room: _Room) -> PairScores:
    """The item's rows with each capacity cut to the hours its citizen has left (tightens CP-SAT's model)."""
    sub = pairs.subset(rows)
    return sub.with_capacity(np.minimum(sub.capacity_hours, room.hours[citizens]).astype(sub.capacity_hours.dtype))


def _add_hint(model: cp_model.CpModel, pv, rows: np.ndarray, plan: Plan, staffed) -> None:
    position_of = {int(r): i for i, r in enumerate(rows)}
    local = {position_of[r]: tasks for r, tasks in plan.items() if r in position_of}
    for (i, t), var in pv.hours.items():
        model.add_hint(var, local.get(i, {}).get(t, 0))
    for i, var in pv.used.items():
        model.add_hint(var, int(i in local))
    model.add_hint(staffed, int(bool(local)))


def _solve_decomposed(prep: _Prepared, members: list[int], solver_rows: list[np.ndarray], lp: _LpSolution,
                      hint: list[Plan]) -> dict[int, Plan]:
    """A component too big for one CP-SAT model: keep every item the LP already assigns integrally (a valid
    plan, part of an LP optimum), then solve the items the LP splits fractionally with CP-SAT on the LP's
    support and the hours and joins their citizens have left. The remainder's LP optimum is the component's
    minus the fixed part, so only the remainder's integrality gap is lost. Everything stays within
    `solver_rows`, so no citizen is shared with another component."""
    plans = {k: lp.integral[k] for k in members
             if k in lp.integral and np.isin(list(lp.integral[k]), solver_rows[k]).all()}
    rest = [k for k in members if k not in plans]
    fixed = [plans.get(k, {}) for k in range(len(prep.items))]
    spare, joined = _usage(prep, fixed)
    room = _Room(spare, prep.max_positions - joined, _employer_room(prep, fixed))
    rows_by_item = [np.empty(0, int)] * len(prep.items)
    for k in rest:
        position, _ = prep.items[k]
        support = [r for r, w in lp.weight[k].items() if w > LP_SUPPORT_EPS]
        rows = np.intersect1d(np.array(support, dtype=int), solver_rows[k])
        citizens = prep.citizen[k][rows]
        rows_by_item[k] = rows[(spare[citizens] >= position.min_hours_per_person) & (room.joins[citizens] > 0)]
    plans.update({k: {} for k in rest})
    for group in _components(prep, rows_by_item, rest):
        found, _ = _solve_component(prep, group, rows_by_item, hint, room)
        plans.update(found)
    return plans


# ---- the batch ------------------------------------------------------------------------------------------------


def batch_assign(items: list[Item], *, max_positions_per_citizen: int = 1, top_k: int = DEFAULT_TOP_K,
                 progress: Progress | None = None) -> BatchResult:
    """Assign the pool across all positions maximising the total objective; greedy and bounds alongside.

    1. greedy baseline on every feasible edge;
    2. the problem's components over ALL eligible rows; a small one (≤ EXACT_COMPONENT_ROWS rows) keeps every
       row, a bigger one is pre-selected: per position its top_k candidates by score, each task's best few,
       and greedy's picks;
    3. per connected component of those edges, GLOP solves the LP relaxation (`reduced_lp`, and the duals);
    4. CP-SAT solves the integer model on the sparse edges that matter, the candidates the LP uses plus
       greedy's picks (every eligible row in a small component), one connected component of those edges at a
       time (hinted with greedy's answer); a component of more than EXACT_COMPONENT_ITEMS positions keeps the
       LP's integral assignments and CP-SAT solves the fractional rest (_solve_decomposed). A component below
       greedy keeps greedy's answer;
    5. the upper bound of the full problem, per problem component (_upper_bound).
    `progress(done, total)` counts positions twice (LP, then CP-SAT) as their components finish.
    `timings` on the result holds each phase's seconds."""
    clock = _Clock()
    prep = _prepare(items, max_positions_per_citizen)
    clock.lap("prepare")
    greedy = _greedy_plans(prep)
    clock.lap("greedy")
    all_rows = [np.flatnonzero(e) for e in prep.eligible]
    problem = _components(prep, all_rows)
    exact = np.zeros(len(prep.items), dtype=bool)
    for members in problem:
        if len(members) <= EXACT_COMPONENT_ITEMS and _rows_in(all_rows, members) <= EXACT_COMPONENT_ROWS:
            exact[members] = True
    selected = [all_rows[k] if exact[k] else select_rows(position, pairs, top_k, extra_rows=list(greedy[k]))
                for k, (position, pairs) in enumerate(prep.items)]
    clock.lap("select")
    report = _Counter(progress, 2 * len(prep.items))
    lp = _LpSolution(0.0, {}, {})
    bounds: dict[int, _Bound] = {}    # problem component (its first item) -> bound if it is not solved exactly
    for members in problem:
        if exact[members[0]]:
            found = _lp_component(prep, members, selected)
        else:
            found, bounds[members[0]] = _priced_lp(prep, members, all_rows, selected)
        lp.value += found.value
        lp.weight.update(found.weight)
        lp.integral.update(found.integral)
        report.add(len(members))
    clock.lap("lp")
    solver_rows = [all_rows[k] if exact[k] else _solver_rows(prep, k, lp.weight[k], greedy[k], top_k)
                   for k in range(len(prep.items))]
    plans: list[Plan] = [{} for _ in prep.items]
    proven_item = np.zeros(len(prep.items), dtype=bool)
    components = _components(prep, solver_rows)
    proven = decomposed = 0
    for members in components:
        if len(members) > EXACT_COMPONENT_ITEMS:
            found, optimal = _solve_decomposed(prep, members, solver_rows, lp, greedy), False
            decomposed += 1
        else:
            found, optimal = _solve_component(prep, members, solver_rows, greedy, _full_room(prep),
                                              exact=bool(exact[members].all()))
        if sum(_plan_units(prep, k, found[k]) for k in members) < sum(_plan_units(prep, k, greedy[k]) for k in members):
            found, optimal = {k: greedy[k] for k in members}, False
        for k in members:
            plans[k] = found[k]
        proven += optimal
        proven_item[members] = optimal
        report.add(len(members))
    clock.lap("cpsat")
    optimum = _complete(prep, plans)
    plans, replaced = _without_idle_splits(prep, optimum)
    solved, baseline = _solution(prep, plans), _solution(prep, greedy)
    clock.lap("finish")
    bound = _upper_bound(prep, problem, selected, exact & proven_item, optimum, bounds)
    clock.lap("bound")
    return BatchResult(proposals=solved.proposals, objective=solved.objective, coverage=solved.coverage,
                       greedy_proposals=baseline.proposals, greedy_objective=baseline.objective,
                       greedy_coverage=baseline.coverage, reduced_lp=round(lp.value / SCORE_SCALE, 3),
                       upper_bound=round(bound.units / SCORE_SCALE, 3),
                       upper_bound_kind=bound.kind, seconds=round(clock.total(), 3), components=len(components),
                       components_optimal=proven, components_decomposed=decomposed,
                       components_exact=bound.exact, splits_replaced=replaced,
                       alternatives=_single_alternatives(prep, plans), timings=clock.laps)


def _rows_in(rows_by_item: list[np.ndarray], members: list[int]) -> int:
    return sum(len(rows_by_item[k]) for k in members)


@dataclass(frozen=True)
class _Bound:
    units: float
    kind: str       # "full" or "lagrangian"
    exact: int = 0  # problem components whose bound is their proven optimum


def _upper_bound(prep: _Prepared, problem: list[list[int]], selected: list[np.ndarray], proven: np.ndarray,
                 plans: list[Plan], priced: dict[int, _Bound]) -> _Bound:
    """An upper bound on every assignment over all eligible rows, summed over the problem's components
    (nothing couples two of them): a small component, solved on all its rows, contributes its proven optimum
    or else its LP over all rows; a bigger one the bound its priced LP left (_priced_lp)."""
    units, kind, exact = 0.0, "full", 0
    for members in problem:
        if members[0] in priced:
            units += priced[members[0]].units
            kind = "lagrangian" if priced[members[0]].kind == "lagrangian" else kind
        elif proven[members].all():
            units += sum(_plan_units(prep, k, plans[k]) for k in members)
            exact += 1
        else:
            units += _lp_component(prep, members, selected).value   # selected = all rows here
    return _Bound(units, kind, exact)


class _Clock:
    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.laps[phase] = round(now - self.last, 3)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


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


def _without_idle_splits(prep: _Prepared, plans: list[Plan]) -> tuple[list[Plan], int]:
    """docs/matching.md: a split must cover more hours than one person could. A split whose hours one of its
    own people could cover alone (with the hours they have left) becomes that person's best single plan, and
    the others are freed. The objective may prefer such a split (shifting an hour above a big capacity's target
    to a better-matched small one), but the consultant would be asked to place two people for one person's
    hours. Returns the plans and how many splits were replaced."""
    spare, _ = _usage(prep, plans)
    out, replaced = [], 0
    for k, plan in enumerate(plans):
        people = {i: tasks for i, tasks in plan.items() if sum(tasks.values()) > 0}
        if len(people) < 2:
            out.append(plan)
            continue
        position, pairs = prep.items[k]
        task_hours = [task.hours_per_week for task in position.tasks]
        covered = sum(sum(tasks.values()) for tasks in people.values())
        best: tuple[int, str, int, dict[int, int]] | None = None
        for i, tasks in people.items():
            room = min(int(pairs.capacity_hours[i]), int(spare[prep.citizen[k][i]]) + sum(tasks.values()))
            alone = fill_single(room, task_hours, prep.units[k][i])
            if sum(alone.values()) >= covered:
                key = (-plan_units(prep.units[k], prep.terms[k], {i: alone}), pairs.candidate_ids[i])
                if best is None or key < (best[0], best[1]):
                    best = (key[0], key[1], i, alone)
        if best is None:
            out.append(plan)
            continue
        for i, tasks in people.items():
            spare[prep.citizen[k][i]] += sum(tasks.values())
        spare[prep.citizen[k][best[2]]] -= sum(best[3].values())
        out.append({best[2]: best[3]})
        replaced += 1
    return out, replaced


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
    over the plainly pre-selected edges (each position's top_k, each task's best few, greedy's picks): the
    reduced model's LP, which bounds only what that model can reach."""
    prep = _prepare(items, max_positions_per_citizen)
    if top_k is None:
        all_rows = [np.flatnonzero(e) for e in prep.eligible]
    else:
        greedy = _greedy_plans(prep)
        all_rows = [select_rows(position, pairs, top_k, extra_rows=list(greedy[k]))
                    for k, (position, pairs) in enumerate(prep.items)]
    total = sum(_lp_component(prep, members, all_rows).value for members in _components(prep, all_rows))
    return round(total / SCORE_SCALE, 3)


@dataclass
class _Duals:
    """LP duals of the coupling constraints, by global citizen index and employer group (0 where absent):
    the prices of an hour, of a join and of an employer's new person (Lagrangian multipliers)."""

    hours: dict[int, float] = field(default_factory=dict)
    joins: dict[int, float] = field(default_factory=dict)
    employers: dict[int, float] = field(default_factory=dict)

    def update(self, other: _Duals) -> None:
        self.hours.update(other.hours)
        self.joins.update(other.joins)
        self.employers.update(other.employers)


@dataclass
class _LpSolution:
    value: float                          # LP optimum in objective units
    weight: dict[int, dict[int, float]]   # item -> candidate row -> the LP's `used` weight
    integral: dict[int, Plan]             # items whose LP assignment is already a valid integer plan
    duals: _Duals = field(default_factory=_Duals)


def _lp_component(prep: _Prepared, members: list[int], rows_by_item: list[np.ndarray]) -> _LpSolution:
    """The component's LP relaxation (the batch model with every integer made continuous) solved by GLOP,
    built from sparse arrays in one call rather than coefficient by coefficient."""
    edges = _component_edges(prep, members, rows_by_item)
    if edges.n_used == 0:
        return _LpSolution(0.0, {k: {} for k in members}, {k: {} for k in members})
    lower, upper, objective = _lp_variables(prep, edges)
    ct_lower, ct_upper, matrix, blocks = _lp_constraints(prep, edges)
    solver = _glop(lower, upper, objective, ct_lower, ct_upper, matrix)
    values = solver.variable_values()
    hours, used = values[:edges.n_edges], values[edges.n_edges:edges.n_edges + edges.n_used]
    weight: dict[int, dict[int, float]] = {k: {} for k in members}
    for k, row, value in zip(edges.used_item.tolist(), edges.used_row.tolist(), used.tolist()):
        weight[k][row] = value
    return _LpSolution(solver.objective_value(), weight, _integral_plans(edges, members, hours, used),
                       _coupling_duals(np.maximum(np.asarray(solver.dual_values()), 0.0), blocks))


def _glop(lower, upper, objective, ct_lower, ct_upper, matrix) -> model_builder_helper.ModelSolverHelper:
    model = model_builder_helper.ModelBuilderHelper()
    model.fill_model_from_sparse_data(lower, upper, objective, ct_lower, ct_upper, matrix)
    model.set_maximize(True)
    solver = model_builder_helper.ModelSolverHelper("glop")
    solver.set_solver_specific_parameters(GLOP_PARAMETERS)
    solver.solve(model)
    if solver.status() != model_builder_helper.SolveStatus.OPTIMAL:
        raise RuntimeError("GLOP fandt ingen optimal LP-løsning")
    return solver


def _coupling_duals(duals: np.ndarray, blocks: dict[str, tuple[int, np.ndarray]]) -> _Duals:
    """The duals of the three coupling families, keyed by what each constraint row is about."""
    found = _Duals()
    for name, target in (("hours", found.hours), ("joins", found.joins), ("employers", found.employers)):
        start, keys = blocks[name]
        target.update(zip(keys.tolist(), duals[start:start + len(keys)].tolist()))
    return found


def _priced_lp(prep: _Prepared, members: list[int], all_rows: list[np.ndarray],
               selected: list[np.ndarray]) -> tuple[_LpSolution, _Bound]:
    """The LP of a big component on its pre-selected rows, grown by pricing, and the bound it leaves.

    Each round solves the LP on the rows so far and prices every other eligible row with its duals
    (_Pricing): a row that could earn more than its person costs at those prices joins (at most
    PRICING_ROWS_PER_POSITION per position, best first). The bound is the LP's value plus what the rows left
    outside could still add at those prices (the LP's duals, extended to them, are feasible for the LP over
    all rows once each outside row's `used` bound is priced at its `optimistic` value: weak duality), or the
    Lagrangian bound at the same duals when that is lower. When no row outside prices in, the first is the
    LP over all eligible rows ("full"). Either way CP-SAT then works on the support of this LP."""
    rows = {k: selected[k] for k in members}
    everything = _component_edges(prep, members, all_rows)
    for _ in range(PRICING_ROUNDS):
        lp = _lp_component(prep, members, [rows.get(k, _NO_ROWS) for k in range(len(prep.items))])
        pricing = _Pricing.of(prep, everything, lp.duals)
        outside = ~_in_rows(everything, rows)
        left_out = float(np.maximum(pricing.optimistic[outside], 0.0).sum())
        priced_in = outside & (pricing.optimistic > PRICE_EPS)
        if not priced_in.any():
            return lp, _Bound(lp.value + left_out, "full")
        for k, new in _best_rows(everything, pricing, priced_in).items():
            rows[k] = np.union1d(rows[k], new)
    bound = lp.value + left_out
    if left_out > LAGRANGIAN_WORTH * max(lp.value, 1.0):   # the separable LP costs a few seconds: only when it can help
        bound = min(bound, _lagrangian_value(prep, everything, pricing))
    return lp, _Bound(bound, "lagrangian")


_NO_ROWS = np.empty(0, dtype=int)


def _in_rows(edges: _Edges, rows: dict[int, np.ndarray]) -> np.ndarray:
    """Per used row of `edges`: whether it is among `rows` of its item."""
    inside = np.zeros(edges.n_used, dtype=bool)
    for k, chosen in rows.items():
        mine = np.flatnonzero(edges.used_item == k)
        inside[mine] = np.isin(edges.used_row[mine], chosen)
    return inside


def _best_rows(edges: _Edges, pricing: _Pricing, outside: np.ndarray) -> dict[int, np.ndarray]:
    """Per item, its PRICING_ROWS_PER_POSITION best-priced rows among `outside` (ties by row)."""
    picked = np.flatnonzero(outside)
    order = picked[np.lexsort((edges.used_row[picked], -pricing.optimistic[picked], edges.used_item[picked]))]
    items = edges.used_item[order]
    first = np.searchsorted(items, items, side="left")
    rank = np.arange(len(order)) - first
    keep = order[rank < PRICING_ROWS_PER_POSITION]
    return {int(k): edges.used_row[keep[edges.used_item[keep] == k]] for k in np.unique(edges.used_item[keep])}


@dataclass(frozen=True)
class _Pricing:
    """A component's rows and edges valued at the prices (duals) of the coupling constraints: an edge is
    worth its units less the price of an hour, a person costs the person cost plus the price of a join and
    of the employer's new person. `optimistic` is the most a row can add (first-person bonus included)."""

    edge_value: np.ndarray
    person_value: np.ndarray
    optimistic: np.ndarray
    keep_used: np.ndarray
    keep_edge: np.ndarray
    constant: float

    @staticmethod
    def of(prep: _Prepared, edges: _Edges, duals: _Duals) -> _Pricing:
        lam = _lookup(duals.hours, edges.used_citizen)
        mu = _lookup(duals.joins, edges.used_citizen)
        nu = np.where(edges.used_employer >= 0, _lookup(duals.employers, edges.used_employer), 0.0)
        citizens = np.unique(edges.used_citizen)
        groups = np.unique(edges.used_employer[edges.used_employer >= 0])
        constant = (float(_lookup(duals.hours, citizens) @ prep.capacity[citizens])
                    + float(_lookup(duals.joins, citizens).sum()) * prep.max_positions
                    + float(_lookup(duals.employers, groups) @ prep.employer_cap[groups]))
        edge_value = edges.edge_units - lam[edges.edge_used]
        person_value = edges.used_person - SPLIT_UNITS - mu - nu
        best = np.zeros(edges.n_used)
        np.maximum.at(best, edges.edge_used, np.maximum(edge_value, 0.0))
        optimistic = person_value + SPLIT_UNITS + best * edges.used_capacity   # hours over target only lose
        keep_used = optimistic > 0
        keep_edge = (edge_value > 0) & keep_used[edges.edge_used]
        return _Pricing(edge_value, person_value, optimistic, keep_used, keep_edge, constant)


def _lagrangian_value(prep: _Prepared, edges: _Edges, pricing: _Pricing) -> float:
    """An upper bound on the component `edges` describes (all its eligible rows), from any prices ≥ 0.

    Relax the coupling constraints (each citizen's hours and joins, each employer's new people) with
    multipliers λ, μ, ν ≥ 0 and drop each person's minimum hours (a relaxation too). What is left separates
    by position:
        L = Σ_c λ_c·capacity_c + Σ_c μ_c·max_positions + Σ_e ν_e·cap_e + Σ_k LP_k(units − λ per hour,
            person cost + μ + ν per person)
    and L ≥ the full LP ≥ every assignment for ANY multipliers ≥ 0 (weak duality). An edge worth ≤ 0 at
    these prices is never used, and a row whose most (`optimistic`) is ≤ 0 never helps, not even through the
    first-person bonus: both are dropped before GLOP runs, and each position's LP is solved on its own (one
    separable LP of a big city is many times slower for the simplex than its positions one by one)."""
    total = pricing.constant
    for j in np.unique(edges.used_slot[pricing.keep_used]).tolist():
        mine = pricing.keep_used & (edges.used_slot == j)
        keep_edge = pricing.keep_edge & mine[edges.edge_used]
        if not keep_edge.any():
            continue
        sub = _edges_subset(edges, mine, keep_edge)
        slots = np.flatnonzero(edges.slot_item == j)
        sub = _Edges(**{name: getattr(sub, name) for name in _Edges.__dataclass_fields__
                        if name.startswith(("used_", "edge_"))} | {
            "used_slot": np.zeros(sub.n_used, dtype=np.int64), "edge_slot": sub.edge_slot - slots[0],
            "slot_hours": edges.slot_hours[slots], "slot_whole": edges.slot_whole[slots],
            "slot_item": np.zeros(len(slots), dtype=np.int64), "people_limit": edges.people_limit[[j]]})
        lower, upper, _ = _lp_variables(prep, sub)
        objective = np.concatenate([pricing.edge_value[keep_edge], pricing.person_value[mine],
                                    [SPLIT_UNITS], -sub.used_penalty])
        ct_lower, ct_upper, matrix, _ = _lp_constraints(prep, sub, coupled=False)
        total += _glop(lower, upper, objective, ct_lower, ct_upper, matrix).objective_value()
    return total


def _lookup(values: dict[int, float], keys: np.ndarray) -> np.ndarray:
    """values[key] for each key, 0 where absent."""
    if not values or len(keys) == 0:
        return np.zeros(len(keys))
    known = np.fromiter(values.keys(), dtype=np.int64, count=len(values))
    worth = np.fromiter(values.values(), dtype=float, count=len(values))
    order = np.argsort(known)
    known, worth = known[order], worth[order]
    at = np.clip(np.searchsorted(known, keys), 0, len(known) - 1)
    return np.where(known[at] == keys, worth[at], 0.0)


def _edges_subset(edges: _Edges, keep_used: np.ndarray, keep_edge: np.ndarray) -> _Edges:
    """The component model with only the kept rows and edges (every kept edge's row is kept)."""
    renumber = np.cumsum(keep_used) - 1
    per_used = {name: getattr(edges, name)[keep_used] for name in _Edges.__dataclass_fields__
                if name.startswith("used_")}
    per_edge = {name: getattr(edges, name)[keep_edge] for name in _Edges.__dataclass_fields__
                if name.startswith("edge_")}
    per_edge["edge_used"] = renumber[edges.edge_used[keep_edge]]
    return _Edges(**per_used, **per_edge, slot_hours=edges.slot_hours, slot_whole=edges.slot_whole,
                  slot_item=edges.slot_item, people_limit=edges.people_limit)


def _integral_plans(edges: _Edges, members: list[int], hours: np.ndarray, used: np.ndarray) -> dict[int, Plan]:
    """Plans of the items whose LP values are all integers and whose non-splittable tasks have one holder
    (the LP only bounds Σ h/ub there): exactly feasible assignments of the integer model."""
    def fractional(x: np.ndarray) -> np.ndarray:
        return np.abs(x - np.rint(x)) > LP_INTEGRAL_EPS

    whole_hours = np.rint(hours).astype(np.int64)
    n_items = len(members)
    broken = np.zeros(n_items, dtype=bool)
    np.logical_or.at(broken, edges.used_slot, fractional(used))
    np.logical_or.at(broken, edges.used_slot[edges.edge_used], fractional(hours))
    holders = np.bincount(edges.edge_slot, weights=(whole_hours > 0) & edges.slot_whole[edges.edge_slot],
                          minlength=len(edges.slot_hours))
    np.logical_or.at(broken, edges.slot_item, holders > 1)
    plans: dict[int, Plan] = {k: {} for j, k in enumerate(members) if not broken[j]}
    for e in np.flatnonzero((whole_hours > 0) & ~broken[edges.used_slot[edges.edge_used]]).tolist():
        u = edges.edge_used[e]
        plan = plans[int(edges.used_item[u])]
        plan.setdefault(int(edges.used_row[u]), {})[int(edges.edge_task[e])] = int(whole_hours[e])
    return plans


@dataclass
class _Edges:
    """A component's batch model in arrays. Variables: one h per feasible (item, row, task) edge, one `used` per
    (item, row), one `staffed` per item. Task slots number the component's (item, task) pairs."""

    used_item: np.ndarray      # per used: item index k
    used_row: np.ndarray       # per used: row in item k's PairScores
    used_citizen: np.ndarray   # per used: global citizen index
    used_capacity: np.ndarray  # per used: the item's capacity_hours for that row
    used_min: np.ndarray       # per used: the position's min_hours_per_person
    used_slot: np.ndarray      # per used: its item's position in `members`
    used_employer: np.ndarray  # per used: its item's employer group (-1: not limited)
    used_person: np.ndarray    # per used: what placing the person is worth (objective units)
    used_target: np.ndarray    # per used: the hours target
    used_penalty: np.ndarray   # per used: loss per hour above the target (units)
    edge_used: np.ndarray      # per edge: its used index
    edge_slot: np.ndarray      # per edge: its task slot
    edge_task: np.ndarray      # per edge: task index within its item
    edge_units: np.ndarray     # per edge: score units per hour
    edge_ub: np.ndarray        # per edge: min(capacity, task hours)
    slot_hours: np.ndarray     # per task slot: hours_per_week
    slot_whole: np.ndarray     # per task slot: not splittable
    slot_item: np.ndarray      # per task slot: its item's position in `members`
    people_limit: np.ndarray   # per item in `members` order

    @property
    def n_edges(self) -> int:
        return len(self.edge_used)

    @property
    def n_used(self) -> int:
        return len(self.used_item)


def _component_edges(prep: _Prepared, members: list[int], rows_by_item: list[np.ndarray]) -> _Edges:
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _Edges.__dataclass_fields__}
    n_used = n_slots = 0
    for j, k in enumerate(members):
        position, pairs = prep.items[k]
        rows = rows_by_item[k]
        minh = position.min_hours_per_person
        units = prep.units[k][rows]
        rows = rows[(pairs.capacity_hours[rows] >= minh) & (units > 0).any(axis=1)]   # as add_position
        units = prep.units[k][rows]
        hours = np.array([task.hours_per_week for task in position.tasks], dtype=np.int64)
        capacity = pairs.capacity_hours[rows].astype(np.int64)
        local, task = np.nonzero(units > 0)
        parts["used_item"].append(np.full(len(rows), k))
        parts["used_row"].append(rows)
        parts["used_citizen"].append(prep.citizen[k][rows])
        parts["used_capacity"].append(capacity)
        parts["used_min"].append(np.full(len(rows), minh))
        parts["used_slot"].append(np.full(len(rows), j))
        parts["used_employer"].append(np.full(len(rows), prep.employer[k]))
        parts["used_person"].append(prep.terms[k].person[rows])
        parts["used_target"].append(prep.terms[k].target[rows])
        parts["used_penalty"].append(prep.terms[k].penalty[rows])
        parts["edge_used"].append(n_used + local)
        parts["edge_slot"].append(n_slots + task)
        parts["edge_task"].append(task)
        parts["edge_units"].append(units[local, task])
        parts["edge_ub"].append(np.minimum(capacity[local], hours[task]))
        parts["slot_hours"].append(hours)
        parts["slot_whole"].append(np.array([not t.splittable for t in position.tasks], dtype=bool))
        parts["slot_item"].append(np.full(len(hours), j))
        parts["people_limit"].append(np.array([position.people_limit]))
        n_used += len(rows)
        n_slots += len(hours)
    return _Edges(**{name: np.concatenate(arrays).astype(_EDGE_DTYPES.get(name, np.int64))
                     for name, arrays in parts.items()})


_EDGE_DTYPES = {"slot_whole": bool}


def _lp_variables(prep: _Prepared, edges: _Edges) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bounds and objective of [h (edges), used, staffed, over (per used)]: matcher.objective as
    Σ units·h + Σ (person − SPLIT)·used + SPLIT·Σ staffed − Σ penalty·over."""
    n_items = len(edges.people_limit)
    lower = np.zeros(edges.n_edges + 2 * edges.n_used + n_items)
    room_over = np.maximum(edges.used_capacity - edges.used_target, 0)
    upper = np.concatenate([edges.edge_ub, np.ones(edges.n_used + n_items), room_over]).astype(float)
    objective = np.concatenate([edges.edge_units, edges.used_person - SPLIT_UNITS, np.full(n_items, SPLIT_UNITS),
                                -edges.used_penalty]).astype(float)
    return lower, upper, objective


def _lp_constraints(prep: _Prepared, edges: _Edges, coupled: bool = True
                    ) -> tuple[np.ndarray, np.ndarray, csr_matrix, dict[str, tuple[int, np.ndarray]]]:
    """Every constraint of the batch model (matcher.split.add_position per item, plus each citizen's hours and
    joins and each limited employer's new people), as one sparse matrix, and where the coupling families
    start (first row, and the citizen or employer group of each row). A non-splittable task's holder
    booleans are projected out: some holds with h ≤ ub·holds and Σ holds ≤ 1 exist exactly when
    Σ h/ub ≤ 1, so the bound is the same with fewer columns. `coupled=False` (the Lagrangian's separable
    LP) leaves out the coupling families and the minimum hours per person."""
    n_e, n_u, n_k = edges.n_edges, edges.n_used, len(edges.people_limit)
    e, u, k = np.arange(n_e), n_e + np.arange(n_u), n_e + n_u + np.arange(n_k)
    o = n_e + n_u + n_k + np.arange(n_u)
    citizens, citizen_of_used = np.unique(edges.used_citizen, return_inverse=True)
    joins = np.bincount(citizen_of_used, minlength=len(citizens))
    whole = np.flatnonzero(edges.slot_whole[edges.edge_slot])
    whole_slot = np.unique(edges.edge_slot[whole], return_inverse=True)[1]
    crowded = np.flatnonzero(joins > prep.max_positions)
    crowded_of = np.full(len(citizens), -1)
    crowded_of[crowded] = np.arange(len(crowded))
    in_crowd = np.flatnonzero(crowded_of[citizen_of_used] >= 0)
    limited = np.flatnonzero(edges.used_employer >= 0)
    groups, group_of = np.unique(edges.used_employer[limited], return_inverse=True)
    inf = np.inf
    blocks = [   # name, (row in block, column, coefficient), lower, upper — one block per family
        # Σ_t h − capacity·used ≤ 0   and   Σ_t h − min_hours·used ≥ 0, per used
        ("capacity", (np.r_[edges.edge_used, np.arange(n_u)], np.r_[e, u], np.r_[np.ones(n_e), -edges.used_capacity]),
         np.full(n_u, -inf), np.zeros(n_u)),
        ("min_hours", (np.r_[edges.edge_used, np.arange(n_u)], np.r_[e, u], np.r_[np.ones(n_e), -edges.used_min]),
         np.zeros(n_u), np.full(n_u, inf)),
        # Σ_t h − over − target·used ≤ 0, per used: `over` holds the hours above the target
        ("over", (np.r_[edges.edge_used, np.arange(n_u), np.arange(n_u)], np.r_[e, o, u],
                  np.r_[np.ones(n_e), -np.ones(n_u), -edges.used_target]), np.full(n_u, -inf), np.zeros(n_u)),
        # h − ub·used ≤ 0, per edge
        ("edge", (np.r_[np.arange(n_e), np.arange(n_e)], np.r_[e, n_e + edges.edge_used], np.r_[np.ones(n_e), -edges.edge_ub]),
         np.full(n_e, -inf), np.zeros(n_e)),
        # Σ_c h ≤ hours_per_week, per task; Σ_c h/ub ≤ 1 for a non-splittable task
        ("task", (edges.edge_slot, e, np.ones(n_e)), np.full(len(edges.slot_hours), -inf), edges.slot_hours),
        ("whole", (whole_slot, whole, 1.0 / edges.edge_ub[whole]), np.full(whole_slot.max(initial=-1) + 1, -inf),
         np.ones(whole_slot.max(initial=-1) + 1)),
        # Σ used ≤ people_limit   and   staffed − Σ used ≤ 0, per item
        ("people", (edges.used_slot, u, np.ones(n_u)), np.full(n_k, -inf), edges.people_limit),
        ("staffed", (np.r_[np.arange(n_k), edges.used_slot], np.r_[k, u], np.r_[np.ones(n_k), -np.ones(n_u)]),
         np.full(n_k, -inf), np.zeros(n_k)),
        # each citizen: Σ h ≤ capacity; Σ used ≤ max_positions where they could join more
        ("hours", (citizen_of_used[edges.edge_used], e, np.ones(n_e)), np.full(len(citizens), -inf),
         prep.capacity[citizens]),
        ("joins", (crowded_of[citizen_of_used[in_crowd]], n_e + in_crowd, np.ones(len(in_crowd))),
         np.full(len(crowded), -inf), np.full(len(crowded), prep.max_positions)),
        # each limited employer: Σ used over its positions ≤ the new people it may get this run
        ("employers", (group_of, n_e + limited, np.ones(len(limited))), np.full(len(groups), -inf),
         prep.employer_cap[groups]),
    ]
    keys = {"hours": citizens, "joins": citizens[crowded], "employers": groups}
    starts: dict[str, tuple[int, np.ndarray]] = {}
    rows, cols, values, lows, ups, offset = [], [], [], [], [], 0
    for name, (r, c, v), low, up in blocks:
        if not coupled and name in ("min_hours", "hours", "joins", "employers"):
            continue
        if name in keys:
            starts[name] = (offset, keys[name])
        rows.append(np.asarray(r) + offset)
        cols.append(c)
        values.append(np.asarray(v, dtype=float))
        lows.append(np.asarray(low, dtype=float))
        ups.append(np.asarray(up, dtype=float))
        offset += len(low)
    matrix = coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
                        shape=(offset, n_e + 2 * n_u + n_k)).tocsr()
    return np.concatenate(lows), np.concatenate(ups), matrix, starts
