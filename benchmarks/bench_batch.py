"""Batch assignment benchmark: CP-SAT against its LP bound and the greedy baseline.

Prints, for each size, two lines
    batch_assign n_citizens=<n> n_positions=<m> seconds=<s> cpu_seconds=<s> ratio_to_upper_bound=<obj/ub>
        upper_bound=full|lagrangian
        ratio_to_reduced_lp=<obj/reduced_lp> greedy_ratio_to_upper_bound=<greedy/ub> people_placed=<n>
        placed_1_3h_share=<share> employers_over_limit=<n>
    batch_assign_residual …   (the same, with RESIDUAL_SHARE of the pool already employed or reserved)
ending with the 20,000 × 5,000 pool, solved with top_k=BENCH_TOP_K. `seconds` is batch_assign alone (it includes
the greedy baseline and the bounds, which it computes in the same run); building the pool and its PairScores is
timed on its own line. `upper_bound` bounds every assignment over ALL eligible pairs (BatchResult.upper_bound:
proven optima of small components, full LPs, or a Lagrangian bound for the big cities; the kind is printed);
`reduced_lp` is the LP of the pre-selected model only (each position's top_k candidates, each task's best
few, greedy's picks) and says how well CP-SAT solved that model, not how good the assignment is.
`people_placed` counts distinct citizens proposed; `placed_1_3h_share` is the share of the 1–3 hour citizens
who could be proposed somewhere that are; `employers_over_limit` is checked independently of the solver.
`# batch detail` lines give the phases' seconds (BatchResult.timings) and the machine's load average.

PairScores come from the real pool generator over the national jobcentre set (service.demo.pool_generator.generate_pool
with national_jobcenters(): 98 municipalities sized by population, København ~2,200 citizens × ~550 positions at
full size) and ranking (matcher.ranking.evaluate_position over matcher.pool_index.PoolIndex) when importable;
otherwise from `synthetic_items`, which mimics their sparsity: every position sees the 150–350 citizens of its
jobcentre, about 20 % of them feasible.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date

import numpy as np

from matcher.batch import batch_assign
from matcher.pairs import PairScores
from models.schemas import Position

SIZES = ((2_000, 500), (20_000, 5_000))
# Candidates per position that reach GLOP and CP-SAT. With 20 the biggest jobcentre's LP (København, ~2,200
# citizens × ~550 positions) takes ~10 s; 40 (the API default, tuned for one position) roughly doubles it.
BENCH_TOP_K = 20
SEED = 7
RESIDUAL_SHARE = 0.20   # batch_assign_residual: this share of the pool already employed or reserved
CITIZENS_PER_JOBCENTRE = 250


def synthetic_items(n_citizens: int, n_positions: int, seed: int = SEED) -> list[tuple[Position, PairScores]]:
    """Positions and PairScores shaped like the real pool: jobcentres of ~250 citizens, 1–4 tasks per
    position, capacities mostly 4–10 h, about one citizen in five feasible for a given position."""
    rng = np.random.default_rng(seed)
    n_jobcentres = max(1, n_citizens // CITIZENS_PER_JOBCENTRE)
    home = rng.integers(0, n_jobcentres, n_citizens)
    capacity = rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12], n_citizens,
                          p=[.06, .10, .10, .10, .10, .10, .12, .12, .12, .08])
    quality = rng.uniform(0.3, 0.9, n_citizens)
    members = [np.flatnonzero(home == j) for j in range(n_jobcentres)]
    items = []
    for p in range(n_positions):
        position = _synthetic_position(rng, p, f"JC{p % n_jobcentres:03d}")
        pool = members[p % n_jobcentres]
        items.append((position, _synthetic_pairs(rng, position, pool, capacity, quality)))
    return items


def _synthetic_position(rng: np.random.Generator, p: int, jobcenter: str) -> Position:
    n_tasks = int(rng.choice([1, 2, 3, 4], p=[.3, .35, .25, .1]))
    tasks = [{"id": f"t{j}", "title": f"Opgave {j}", "hours_per_week": int(rng.integers(2, 11)),
              "splittable": bool(rng.random() < 0.7)} for j in range(n_tasks)]
    max_people = int(rng.choice([1, 2, 3], p=[.3, .45, .25]))
    return Position.model_validate({
        "id": f"S-{p:05d}", "title": "Stilling", "jobcenter": jobcenter, "max_people": max_people,
        "min_hours_per_person": int(rng.choice([1, 2, 3], p=[.6, .3, .1])), "tasks": tasks,
        "employer": {"id": f"V-{p:05d}", "name": "Virksomhed", "has_fleksjob_experience": bool(rng.random() < .4),
                     "max_fleksjobbere": None if rng.random() < .6 else int(rng.integers(1, 4))},
    })


def _synthetic_pairs(rng: np.random.Generator, position: Position, pool: np.ndarray, capacity: np.ndarray,
                     quality: np.ndarray) -> PairScores:
    n, n_tasks = len(pool), len(position.tasks)
    candidate_ok = rng.random(n) < 0.2
    feasible = candidate_ok[:, None] & (rng.random((n, n_tasks)) < 0.7)
    feasible &= (capacity[pool] >= position.min_hours_per_person)[:, None]
    score = np.clip(quality[pool][:, None] + rng.normal(0, 0.12, (n, n_tasks)), 0.05, 1.0)
    return PairScores(candidate_ids=tuple(f"B-{c:06d}" for c in pool),
                      task_ids=tuple(task.id for task in position.tasks),
                      feasible=feasible, score=np.where(feasible, score, 0.0), capacity_hours=capacity[pool])


def real_items(n_citizens: int, n_positions: int, seed: int = SEED) -> list[tuple[Position, PairScores]] | None:
    """PairScores from the real generator and ranking over the national jobcentre set (all 98 municipalities,
    sized by population: København ~11 % of the pool), each jobcentre matching its own citizens; or None while
    the generator or ranking is missing."""
    try:
        from matcher.pool_index import PoolIndex
        from matcher.ranking import evaluate_position
        from service.demo.pool_generator import generate_pool, national_jobcenters
    except ImportError:
        return None
    pool = generate_pool(n_citizens, n_positions, seed=seed, jobcenters=national_jobcenters())
    by_jobcentre: dict[str | None, list] = {}
    for candidate in pool.citizens:
        by_jobcentre.setdefault(candidate.jobcenter, []).append(candidate)
    indexes = {jc: PoolIndex.build(cands) for jc, cands in by_jobcentre.items()}
    empty = PoolIndex.build([])
    return [(position, evaluate_position(position, indexes.get(position.jobcenter, empty))[0])
            for position in pool.positions]


def run(n_citizens: int, n_positions: int) -> None:
    started = time.perf_counter()
    items = real_items(n_citizens, n_positions)
    source = "real"
    if items is None:
        items, source = synthetic_items(n_citizens, n_positions), "synthetic"
    print(f"# batch pool n_citizens={n_citizens} n_positions={n_positions} source={source} "
          f"build_seconds={time.perf_counter() - started:.1f}", flush=True)
    result, cpu = timed(items)
    report("batch_assign", n_citizens, n_positions, items, result, {}, cpu)
    residual_items, existing = residual_pool(items, result)
    result, cpu = timed(residual_items)
    print(f"# batch residual: {RESIDUAL_SHARE:.0%} of the pool employed or reserved at the positions the first run "
          f"proposed; {len(residual_items)} positions have something left", flush=True)
    report("batch_assign_residual", n_citizens, n_positions, residual_items, result, existing, cpu)


def timed(items):
    """batch_assign and its CPU seconds: on a shared machine wall time (`seconds`) also measures the others."""
    started = time.process_time()
    result = batch_assign(items, top_k=BENCH_TOP_K)
    return result, time.process_time() - started


def report(name: str, n_citizens: int, n_positions: int, items, result, existing: dict, cpu: float) -> None:
    bound = result.upper_bound or 1.0
    print(f"# batch detail top_k={BENCH_TOP_K} components={result.components} optimal={result.components_optimal} "
          f"exact={result.components_exact} objective={result.objective:.3f} greedy={result.greedy_objective:.3f} "
          f"reduced_lp={result.reduced_lp:.3f} upper_bound={result.upper_bound:.3f} "
          f"full={result.coverage.full}/{result.greedy_coverage.full} "
          f"partial={result.coverage.partial}/{result.greedy_coverage.partial} "
          f"uncovered={result.coverage.uncovered}/{result.greedy_coverage.uncovered} (solver/greedy)", flush=True)
    phases = " ".join(f"{phase}={seconds:.1f}" for phase, seconds in result.timings.items())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# batch detail decomposed={result.components_decomposed} seconds: {phases}; load_average={load}; "
          f"ratio_to_upper_bound is against a bound on every assignment over all eligible pairs, "
          f"ratio_to_reduced_lp against the LP of the pre-selected model (top_k={BENCH_TOP_K})", flush=True)
    placed = placed_people(result.proposals)
    small = small_capacity_citizens(items)
    print(f"{name} n_citizens={n_citizens} n_positions={n_positions} seconds={result.seconds:.1f} cpu_seconds={cpu:.1f} "
          f"ratio_to_upper_bound={result.objective / bound:.4f} upper_bound={result.upper_bound_kind} "
          f"ratio_to_reduced_lp={result.objective / (result.reduced_lp or 1.0):.4f} "
          f"greedy_ratio_to_upper_bound={result.greedy_objective / bound:.4f} people_placed={len(placed)} "
          f"placed_1_3h_share={len(placed & small) / max(len(small), 1):.4f} "
          f"employers_over_limit={employers_over_limit(items, result.proposals, existing)}", flush=True)


def placed_people(proposals) -> set[str]:
    return {person.candidate_id for proposal in proposals.values() for person in proposal.people}


def small_capacity_citizens(items) -> set[str]:
    """Citizens of 1–3 hours' capacity who could be proposed somewhere (placed_1_3h_share's denominator)."""
    return {cid for position, pairs in items
            for cid, capacity, ok in zip(pairs.candidate_ids, pairs.capacity_hours.tolist(),
                                         (pairs.feasible.any(axis=1) & (pairs.capacity_hours
                                                                        >= position.min_hours_per_person)).tolist())
            if ok and capacity <= 3}


def employers_over_limit(items, proposals, existing: dict[str, tuple[int, object]]) -> int:
    """Employers given more people than docs/matching.md's batch rules allow, counted independently of the
    solver: max_fleksjobbere (the ORIGINAL limit, before the residual took anyone off) over all their positions
    counting `existing` (employer → people already employed or reserved there, original Employer), and one
    new person per run without fleksjob experience unless overridden."""
    new: dict[str, int] = {}
    employers = {}
    for position, _ in items:
        employers[position.employer.id] = position.employer
        new[position.employer.id] = new.get(position.employer.id, 0) + len(proposals[position.id].people)
    over = 0
    for employer_id, n in new.items():
        already, employer = existing.get(employer_id, (0, employers[employer_id]))
        limit = employer.max_fleksjobbere
        over_max = limit is not None and already + n > limit
        over_new = not employer.has_fleksjob_experience and not employer.allow_several_new and n > 1
        over += over_max or over_new
    return over


def residual_pool(items, result) -> tuple[list, dict[str, tuple[int, object]]]:
    """The pool a later run sees when RESIDUAL_SHARE of the citizens were employed or reserved where the first
    run proposed them: their hours filled, their rows gone, each position and employer limit reduced
    (service.core.pool.residual, the rematch's own rule)."""
    from service.core.pool import PoolState, residual

    target = int(RESIDUAL_SHARE * len({cid for _, pairs in items for cid in pairs.candidate_ids}))
    state = PoolState(today=date(2026, 1, 1))
    state.employer_of = {position.id: position.employer.id for position, _ in items}
    taken: set[str] = set()
    for position, _ in items:
        for person in result.proposals[position.id].people:
            if len(taken) >= target:
                break
            taken.add(person.candidate_id)
            state.employed_at.setdefault(position.id, set()).add(person.candidate_id)
            filled = state.filled.setdefault(position.id, {})
            for a in person.assignments:
                filled[a.task_id] = filled.get(a.task_id, 0) + a.hours_per_week
    originals = {position.employer.id: position.employer for position, _ in items}
    existing = {e: (len(state.people_at_employer(e)), employer) for e, employer in originals.items()}
    out = []
    for position, pairs in items:
        left = residual(position, state)
        if left is None:
            continue
        rows = np.array([cid not in taken for cid in pairs.candidate_ids], dtype=bool)
        columns = [pairs.task_ids.index(task.id) for task in left.tasks]
        out.append((left, PairScores(tuple(np.asarray(pairs.candidate_ids, dtype=object)[rows].tolist()),
                                     tuple(task.id for task in left.tasks), pairs.feasible[rows][:, columns],
                                     pairs.score[rows][:, columns], pairs.capacity_hours[rows])))
    return out, existing


def main() -> None:
    sizes = SIZES
    if len(sys.argv) > 1 and sys.argv[0].endswith("bench_batch.py"):
        sizes = ((int(sys.argv[1]), int(sys.argv[2])),)
    for n_citizens, n_positions in sizes:
        run(n_citizens, n_positions)


if __name__ == "__main__":
    main()
