"""Batch assignment benchmark: CP-SAT against its LP bound and the greedy baseline.

Prints, for each size, one line
    batch_assign n_citizens=<n> n_positions=<m> seconds=<s> objective_ratio_to_lp=<obj/lp> greedy_ratio_to_lp=<greedy/lp>
ending with the 20,000 × 5,000 pool, solved with top_k=BENCH_TOP_K. `seconds` is batch_assign alone (it includes the greedy baseline and the
LP bound, which it computes in the same run); building the pool and its PairScores is timed on its own line.
Both ratios are against the LP bound (GLOP) over the same pre-selected model batch_assign solves (each
position's top_k candidates, each task's best few, greedy's picks); a `# batch detail` line says so and gives
the phases' seconds (BatchResult.timings) and the machine's load average.

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

import numpy as np

from matcher.batch import batch_assign
from matcher.pairs import PairScores
from models.schemas import Position

SIZES = ((2_000, 500), (20_000, 5_000))
# Candidates per position that reach GLOP and CP-SAT. With 20 the biggest jobcentre's LP (København, ~2,200
# citizens × ~550 positions) takes ~10 s; 40 (the API default, tuned for one position) roughly doubles it.
BENCH_TOP_K = 20
SEED = 7
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
    result = batch_assign(items, top_k=BENCH_TOP_K)
    lp = result.lp_bound or 1.0
    print(f"# batch detail top_k={BENCH_TOP_K} components={result.components} optimal={result.components_optimal} "
          f"objective={result.objective:.3f} greedy={result.greedy_objective:.3f} lp={result.lp_bound:.3f} "
          f"full={result.coverage.full}/{result.greedy_coverage.full} "
          f"partial={result.coverage.partial}/{result.greedy_coverage.partial} "
          f"uncovered={result.coverage.uncovered}/{result.greedy_coverage.uncovered} (solver/greedy)", flush=True)
    phases = " ".join(f"{phase}={seconds:.1f}" for phase, seconds in result.timings.items())
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# batch detail decomposed={result.components_decomposed} seconds: {phases}; load_average={load}; "
          f"ratios are objective / LP bound over the same pre-selected model (top_k={BENCH_TOP_K})", flush=True)
    print(f"batch_assign n_citizens={n_citizens} n_positions={n_positions} seconds={result.seconds:.1f} "
          f"objective_ratio_to_lp={result.objective / lp:.4f} greedy_ratio_to_lp={result.greedy_objective / lp:.4f}",
          flush=True)


def main() -> None:
    sizes = SIZES
    if len(sys.argv) > 1 and sys.argv[0].endswith("bench_batch.py"):
        sizes = ((int(sys.argv[1]), int(sys.argv[2])),)
    for n_citizens, n_positions in sizes:
        run(n_citizens, n_positions)


if __name__ == "__main__":
    main()
