"""Ranking speed: one position against a prepared pool of 10,000 synthetic citizens.

Prints one line:
    rank n_candidates=10000 n_tasks=4 median_ms=<x> naive_ratio=<naive_ms/median_ms> bm25s_ratio=<median_ms/bm25s_ms>
median_ms     median wall time of `matcher.rank` (evaluate all pairs, order, explain the top 10; excluded
              candidates not explained) against a PoolIndex built once beforehand
naive_ratio   how many times faster than the per-pair reference scorer (benchmarks/naive_scorer.py) on the
              same pool and position, in the same process
bm25s_ratio   our time over the time bm25s needs to rank the same citizens' CV text for the position's
              competences (its index also built beforehand): the price of reading restrictions, hours,
              distance and the taxonomy instead of only words
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np

from benchmarks.naive_scorer import naive_pair_scores
from matcher import PoolIndex, rank
from models.catalogue import DAYS, load_catalogue
from models.schemas import Candidate, MatchOptions, Position
from models.taxonomy import load_competence_taxonomy

N_CANDIDATES = 10_000
REPEATS = 25
SEED = 20240601
# Around Horsens; about ±40 km.
CENTRE = (55.861, 9.850)
CV_FILLER = ["har arbejdet", "i flere år", "med", "på", "hos", "kommune", "privat virksomhed", "deltid",
             "stabil", "mødestabil", "glad for", "kolleger", "tidligere", "erfaring fra"]


def synthetic_candidates(n: int, seed: int = SEED) -> list[Candidate]:
    """A reproducible pool: taxonomy terms (some inflected or misspelt), CV text, restrictions, days, places."""
    rng = random.Random(seed)
    taxonomy = load_competence_taxonomy()
    forms = sorted(taxonomy.surface_forms)
    codes = sorted(load_catalogue().restrictions)
    out = []
    for i in range(n):
        competences = rng.sample(forms, rng.randint(1, 5))
        if rng.random() < 0.2:
            competences.append(rng.choice(["frisørelev", "kassedame", "rengøringskone", "lagermand", "syerske"]))
        cv_words = rng.sample(forms, 3) + rng.sample(CV_FILLER, 4)
        rng.shuffle(cv_words)
        restrictions = []
        for code in rng.sample(codes, rng.randint(0, 3)):
            value = float(rng.choice([3, 5, 8, 10, 15])) if code == "max_lifting_kg" else None
            restrictions.append({"code": code, "value": value, "severity": rng.choice(["hard", "hard", "soft"])})
        out.append(Candidate.model_validate({
            "id": f"B-{i:05d}",
            "capacity_hours": rng.randint(1, 12),
            "capacity_basis": rng.choice(["estimated", "measured"]),
            "competences": competences,
            "cv_text": " ".join(cv_words).capitalize() + ".",
            "restrictions": restrictions,
            "wishes": rng.sample(forms, rng.randint(0, 2)),
            "driving_licence": rng.random() < 0.6,
            "location": {"lat": CENTRE[0] + rng.uniform(-0.35, 0.35), "lon": CENTRE[1] + rng.uniform(-0.6, 0.6)},
            "max_commute_km": rng.choice([None, 10, 20, 30, 50]),
            "available_days": sorted(rng.sample(DAYS[:5], rng.randint(2, 5)), key=DAYS.index),
            "ly_months_last_24": rng.randint(0, 24),
            "status": "available" if rng.random() < 0.9 else "sick_leave",
            "gender": rng.choice(["f", "m"]),
            "birth_year": rng.randint(1960, 2000),
        }))
    return out


def benchmark_position() -> Position:
    """Four tasks in the spirit of DOMAIN.md: cleaning, canteen, packing, a driving errand."""
    return Position.model_validate({
        "id": "S-BENCH", "title": "Service og lager", "employer": {"id": "V-1", "name": "Bench A/S"},
        "location": {"lat": CENTRE[0], "lon": CENTRE[1]}, "max_people": 3, "min_hours_per_person": 2,
        "tasks": [
            {"id": "t1", "title": "Rengøring af kontorer", "hours_per_week": 6,
             "competences": ["rengøring", "gulvvask"], "demands": {"lifting_kg": 8, "chemicals": True, "standing": True},
             "days": ["mon", "wed", "fri"]},
            {"id": "t2", "title": "Kantine", "hours_per_week": 5, "competences": ["kantinearbejde", "opvask"],
             "demands": {"food_contact": True, "wet_work": True}, "days": ["tue", "thu"]},
            {"id": "t3", "title": "Pakning", "hours_per_week": 8, "competences": ["pakkearbejde", "etikettering"],
             "demands": {"repetitive": True, "lifting_kg": 12}},
            {"id": "t4", "title": "Ærinder", "hours_per_week": 2, "competences": ["kørsel"],
             "demands": {"driving": True, "outdoor": True}, "days": ["fri"], "splittable": False},
        ],
    })


def _median_ms(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def _bm25s_ms(candidates: list[Candidate], position: Position) -> float:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([c.cv_text + " " + " ".join(c.competences) for c in candidates],
                                   show_progress=False), show_progress=False)
    query = " ".join(term for task in position.tasks for term in task.competences)

    def search() -> None:
        retriever.retrieve(bm25s.tokenize([query], show_progress=False), k=10, show_progress=False)

    search()
    return _median_ms(search, REPEATS)


def main() -> None:
    candidates = synthetic_candidates(N_CANDIDATES)
    position = benchmark_position()
    index = PoolIndex.build(candidates)
    options = MatchOptions(limit=10, include_excluded=False, proposals=False)
    rank(position, index, options)  # warm caches (taxonomy, stemmer) outside the timing
    median_ms = _median_ms(lambda: rank(position, index, options), REPEATS)
    start = time.perf_counter()
    naive = naive_pair_scores(position, candidates)
    naive_ms = (time.perf_counter() - start) * 1000.0
    _, _, fast = rank(position, index, options)
    if not (np.array_equal(naive.feasible, fast.feasible) and np.allclose(naive.score, fast.score, atol=1e-4)):
        raise SystemExit("bench_rank: the naive and the vectorised scorer disagree")
    bm25s_ms = _bm25s_ms(candidates, position)
    print(f"rank n_candidates={N_CANDIDATES} n_tasks={len(position.tasks)} median_ms={median_ms:.1f} "
          f"naive_ratio={naive_ms / median_ms:.1f} bm25s_ratio={median_ms / bm25s_ms:.1f}")


if __name__ == "__main__":
    main()
