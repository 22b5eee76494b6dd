"""Who the batch places: people by capacity band and LY band, hours as a share of capacity, and splits that
add no coverage, on the demo pool and the 2k national pool (docs/matching.md, "What the batch optimises").

    python -m benchmarks.batch_tables            # both pools, markdown tables

Not a bench_* module: `make bench` does not run it. It uses only batch_assign's proposals and the pools'
own citizens, so the same script measures any version of the objective.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np

from matcher.batch import batch_assign
from matcher.pool_index import PoolIndex
from matcher.ranking import evaluate_position

CAPACITY_BANDS = ((1, 3, "1–3 t"), (4, 6, "4–6 t"), (7, 10, "7–10 t"), (11, 40, "11+ t"))
LY_BANDS = ((0, 11, "0–11 mdr."), (12, 15, "12–15 mdr."), (16, 18, "16–18 mdr."), (19, 24, "19–24 mdr."))
TOP_K = 20


def items_for(pool) -> list:
    """Each position against its own jobcentre's citizens, as the rematch does."""
    by_jobcentre: dict = {}
    for candidate in pool.citizens:
        by_jobcentre.setdefault(candidate.jobcenter, []).append(candidate)
    indexes = {jc: PoolIndex.build(cands) for jc, cands in by_jobcentre.items()}
    empty = PoolIndex.build([])
    return [(p, evaluate_position(p, indexes.get(p.jobcenter, empty))[0]) for p in pool.positions]


def measure(pool, items) -> dict:
    result = batch_assign(items, top_k=TOP_K)
    citizens = {c.id: c for c in pool.citizens}
    eligible = set()
    best_single: dict[str, int] = {}
    for position, pairs in items:
        ok = pairs.feasible.any(axis=1) & (pairs.capacity_hours >= position.min_hours_per_person)
        eligible.update(np.asarray(pairs.candidate_ids, dtype=object)[ok].tolist())
        hours = np.array([t.hours_per_week for t in position.tasks])
        reach = np.minimum(pairs.capacity_hours, (pairs.feasible * hours).sum(axis=1))
        best_single[position.id] = int(reach[ok].max(initial=0))
    placed: dict[str, int] = {}
    splits = no_gain = idle = 0
    for position, pairs in items:
        proposal = result.proposals[position.id]
        for person in proposal.people:
            placed[person.candidate_id] = placed.get(person.candidate_id, 0) + person.hours
        if proposal.kind == "split":
            splits += 1
            no_gain += proposal.hours_covered <= best_single[position.id]
            row = {cid: i for i, cid in enumerate(pairs.candidate_ids)}
            hours = np.array([t.hours_per_week for t in position.tasks])
            alone = max(min(int(pairs.capacity_hours[row[p.candidate_id]]),
                            int((pairs.feasible[row[p.candidate_id]] * hours).sum())) for p in proposal.people)
            idle += proposal.hours_covered <= alone
    return {"result": result, "citizens": citizens, "eligible": eligible, "placed": placed, "splits": splits,
            "no_gain": no_gain, "idle": idle}


def band_rows(m: dict, bands, value) -> list[tuple[str, int, int]]:
    rows = []
    for low, high, label in bands:
        members = [cid for cid in m["eligible"] if low <= value(m["citizens"][cid]) <= high]
        rows.append((label, len(members), sum(cid in m["placed"] for cid in members)))
    return rows


def summary(m: dict) -> dict:
    citizens, placed = m["citizens"], m["placed"]
    shares = [hours / citizens[cid].capacity_hours for cid, hours in placed.items()]
    above = [hours > np.floor(0.85 * citizens[cid].capacity_hours + 0.5) for cid, hours in placed.items()]
    return {"people placed": len(placed), "hours placed": sum(placed.values()),
            "hours / capacity (mean)": f"{np.mean(shares):.3f}" if shares else "–",
            "placed above the 85 % target": f"{np.mean(above):.3f}" if above else "–",
            "splits": m["splits"], "splits one of their people could cover alone": m["idle"],
            "splits the position's best single candidate could cover (maybe placed elsewhere)": m["no_gain"],
            "objective": f"{m['result'].objective:.1f}"}


def print_tables(name: str, pool) -> None:
    m = measure(pool, items_for(pool))
    print(f"\n### {name}: {len(pool.citizens)} citizens, {len(pool.positions)} positions\n")
    for title, bands, value in (("capacity", CAPACITY_BANDS, lambda c: c.capacity_hours),
                                ("LY months (last 24)", LY_BANDS, lambda c: c.ly_months_last_24)):
        print(f"| {title} | could be proposed | placed | share |\n|---|---|---|---|")
        for label, n, k in band_rows(m, bands, value):
            print(f"| {label} | {n} | {k} | {k / n:.3f} |" if n else f"| {label} | 0 | 0 | – |")
        print()
    print("| figure | value |\n|---|---|")
    for key, value in summary(m).items():
        print(f"| {key} | {value} |")


def main(argv: Sequence[str] = ()) -> None:
    from service.demo.pool_generator import generate_pool, load_demo_pool, national_jobcenters

    print_tables("demo pool (data/demo/pool.json)", load_demo_pool())
    print_tables("2k national pool (bench_batch, seed 7)",
                 generate_pool(2000, 500, seed=7, jobcenters=national_jobcenters()))


if __name__ == "__main__":
    main(sys.argv[1:])
