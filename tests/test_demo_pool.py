"""The committed demo pool (data/demo/pool.json) against the generator's targets (DOMAIN.md).

Tolerances: ± 5 percentage points for big shares, ± 8 for shares within a subgroup, ± 3 for rare categories.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from rapidfuzz import fuzz, process

from models.catalogue import load_catalogue
from models.schemas import Candidate, Employer, MatchRequest, Position
from models.taxonomy import load_postcodes
from service.demo import pool_generator as gen

BIG, SUBGROUP, RARE = 0.05, 0.08, 0.03


@pytest.fixture(scope="module")
def committed_text() -> str:
    return gen.DEMO_POOL_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pool(committed_text: str) -> gen.Pool:
    return gen.pool_from_json(committed_text)


@pytest.fixture(scope="module")
def citizens(pool: gen.Pool) -> list[Candidate]:
    return list(pool.citizens)


@pytest.fixture(scope="module")
def positions(pool: gen.Pool) -> list[Position]:
    return list(pool.positions)


def share(items, predicate) -> float:
    items = list(items)
    return sum(1 for item in items if predicate(item)) / len(items)


def assert_share(actual: float, target: float, tolerance: float, what: str) -> None:
    assert abs(actual - target) <= tolerance, f"{what}: {actual:.3f}, target {target:.2f} ± {tolerance:.2f}"


# ---- size and spread ------------------------------------------------------------------------------------

def test_counts_and_spread(pool: gen.Pool) -> None:
    assert len(pool.citizens) >= 600
    assert len(pool.jobcenters) >= 9
    assert len(pool.employers) >= 150
    assert len(pool.positions) >= 250
    names = {jc["name"] for jc in pool.jobcenters}
    assert {"Horsens", "Struer"} <= names
    per_jobcenter = Counter(c.jobcenter for c in pool.citizens)
    positions_per_jobcenter = Counter(p.jobcenter for p in pool.positions)
    for name in names:
        assert per_jobcenter[name] >= 30, name
        assert positions_per_jobcenter[name] >= 10, name
    assert set(per_jobcenter) == names and set(positions_per_jobcenter) == names


def test_file_is_small_and_one_record_per_line(committed_text: str, pool: gen.Pool) -> None:
    assert len(committed_text.encode("utf-8")) < 3_000_000
    records = len(pool.jobcenters) + len(pool.employers) + len(pool.positions) + len(pool.citizens)
    assert len(committed_text.splitlines()) < records + 20


# ---- citizens ---------------------------------------------------------------------------------------------

def test_capacity_bands(citizens: list[Candidate]) -> None:
    hours = [c.capacity_hours for c in citizens]
    assert_share(share(hours, lambda h: h <= 10), gen.CAPACITY_UP_TO_10_SHARE, BIG, "≤ 10 h")
    small = [h for h in hours if h <= 10]
    for (low, high), target in gen.CAPACITY_BANDS_UP_TO_10.items():
        assert_share(share(small, lambda h: low <= h <= high), target, SUBGROUP, f"{low}–{high} h within ≤ 10 h")
    assert max(hours) <= 20 and min(hours) >= 1
    assert share(hours, lambda h: h > 15) <= RARE
    assert_share(share(citizens, lambda c: c.capacity_basis == "estimated"), gen.CAPACITY_ESTIMATED_SHARE, BIG,
                 "estimated capacity")


def test_gender_and_age_bands(citizens: list[Candidate]) -> None:
    assert_share(share(citizens, lambda c: c.gender == "f"), gen.WOMEN_SHARE, BIG, "women")
    for band, ((low, high), target) in gen.AGE_BANDS.items():
        actual = share(citizens, lambda c: low <= gen.REFERENCE_YEAR - c.birth_year <= high)
        assert_share(actual, target, RARE if target < 0.1 else BIG, f"age band {band}")


def test_restriction_mix(citizens: list[Candidate]) -> None:
    assert all(1 <= len(c.restrictions) <= 4 for c in citizens)
    physical, psychological = set(gen.PHYSICAL_RESTRICTIONS), set(gen.PSYCHOLOGICAL_RESTRICTIONS)

    def reason(c: Candidate) -> str:
        codes = {r.code for r in c.restrictions}
        if codes <= physical:
            return "physical"
        return "psychological" if codes <= psychological else "combined"

    reasons = Counter(reason(c) for c in citizens)
    for name, target in gen.RESTRICTION_REASON_SHARES.items():
        assert_share(reasons[name] / len(citizens), target, BIG, f"{name} restrictions")
    restrictions = [r for c in citizens for r in c.restrictions]
    assert_share(share(restrictions, lambda r: r.severity == "soft"), gen.SOFT_RESTRICTION_SHARE, BIG, "soft")
    lifting = [r.value for r in restrictions if r.code == "max_lifting_kg"]
    assert lifting and all(3 <= kg <= 15 for kg in lifting)
    assert len({r.code for r in restrictions}) >= 18   # the catalogue is used broadly


def test_other_citizen_fields(citizens: list[Candidate]) -> None:
    assert_share(share(citizens, lambda c: c.driving_licence), gen.DRIVING_LICENCE_SHARE, BIG, "driving licence")
    assert_share(share(citizens, lambda c: c.available_days is None), gen.ALL_DAYS_SHARE, BIG, "all days")
    assert all(2 <= len(c.available_days) <= 5 for c in citizens if c.available_days is not None)
    assert_share(share(citizens, lambda c: c.status == "available"), gen.STATUS_SHARES["available"], BIG,
                 "available")
    assert {c.status for c in citizens} == set(gen.STATUS_SHARES)
    assert all(gen.COMMUTE_KM[0] <= c.max_commute_km <= gen.COMMUTE_KM[1] for c in citizens)
    near_line = share(citizens, lambda c: 15 <= c.ly_months_last_24 <= 20)
    assert near_line > 6 / 25 + 0.1, "no visible group at 15–20 LY months"
    assert all(2 <= len(c.competences) <= 6 for c in citizens)
    assert all(0 <= len(c.wishes) <= 3 for c in citizens)
    assert all(c.cv_text.startswith("Har arbejdet med ") for c in citizens)


# ---- competence terms and places --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def surface_forms() -> dict[str, str]:
    forms: dict[str, str] = {}
    for _label, terms in gen.taxonomy_families().values():
        for canonical, synonyms in terms.items():
            forms[canonical.casefold()] = canonical
            forms.update({s.casefold(): canonical for s in synonyms})
    return forms


def test_every_competence_term_is_known_or_a_deliberate_variant(citizens, positions, surface_forms) -> None:
    choices = sorted(surface_forms)
    terms = [t for c in citizens for t in c.competences] + [t for p in positions for task in p.tasks
                                                             for t in task.competences]
    free_text = 0
    for term in terms:
        if term.casefold() in surface_forms:
            continue
        hit = process.extractOne(term.casefold(), choices, scorer=fuzz.partial_ratio, score_cutoff=90)
        assert hit is not None, f"'{term}' is neither in the taxonomy nor close to a term in it"
        free_text += 1
    # Task competences are always canonical; citizens write some as synonyms or compounds.
    assert all(t.casefold() in surface_forms for p in positions for task in p.tasks for t in task.competences)
    canonical = {c.casefold() for c in surface_forms.values()}
    variants = share([t for c in citizens for t in c.competences], lambda t: t.casefold() not in canonical)
    assert 0.12 <= variants <= gen.VARIANT_TERM_SHARE + BIG, f"variant share {variants:.2f}"
    assert free_text > 0


def test_every_postcode_is_known_and_in_the_jobcentre_municipality(pool: gen.Pool) -> None:
    municipality_of = {postnr: p.municipality for postnr, p in load_postcodes().items()}
    jobcenter_municipality = {jc["name"]: jc["municipality"] for jc in pool.jobcenters}
    for c in pool.citizens:
        assert municipality_of[pool.citizen_postcodes[c.id]] == jobcenter_municipality[c.jobcenter], c.id
    for e in pool.employers:
        assert municipality_of[e.postcode] == jobcenter_municipality[e.jobcenter], e.employer.id
    for p in pool.positions:
        assert municipality_of[pool.position_postcodes[p.id]] == jobcenter_municipality[p.jobcenter], p.id
    assert set(pool.citizen_postcodes) == {c.id for c in pool.citizens}
    assert set(pool.position_postcodes) == {p.id for p in pool.positions}


# ---- employers and positions ------------------------------------------------------------------------------

def test_employer_sizes_and_sectors_by_position(positions: list[Position]) -> None:
    for size, target in gen.POSITION_SIZE_SHARES.items():
        assert_share(share(positions, lambda p: p.employer.size == size), target, BIG, f"{size} employers")
    assert_share(share(positions, lambda p: p.employer.size in ("micro", "small")), 0.60, BIG, "under 50")
    for sector, target in gen.SECTOR_SHARES.items():
        tolerance = RARE + 0.01 if target < 0.1 else BIG
        assert_share(share(positions, lambda p: p.employer.sector == sector), target, tolerance, sector)


def test_employers(pool: gen.Pool) -> None:
    employers = [e.employer for e in pool.employers]
    assert len({e.id for e in employers}) == len(employers)
    assert_share(share(employers, lambda e: e.has_fleksjob_experience), gen.FLEKSJOB_EXPERIENCE_SHARE, SUBGROUP,
                 "fleksjob experience")
    assert all(1 <= e.max_fleksjobbere <= 3 for e in employers)
    small = [e for e in employers if e.size in ("micro", "small")]
    assert share(small, lambda e: e.max_fleksjobbere <= 2) >= 0.8
    names = Counter((e.jobcenter, e.employer.name) for e in pool.employers)
    assert max(names.values()) == 1, "firm names repeat within a jobcentre"
    by_id = {e.employer.id: e for e in pool.employers}
    for p in pool.positions:
        employer = by_id[p.employer.id]
        assert employer.jobcenter == p.jobcenter and p.employer == employer.employer
        assert p.location == employer.location and pool.position_postcodes[p.id] == employer.postcode


def test_tasks_per_position_and_hours(positions: list[Position]) -> None:
    counts = [len(p.tasks) for p in positions]
    assert min(counts) >= 1 and max(counts) <= 6
    assert share(counts, lambda n: n <= 3) >= 0.75
    assert max(counts) >= 5
    tasks = [t for p in positions for t in p.tasks]
    assert all(2 <= t.hours_per_week <= 15 for t in tasks)
    assert share(tasks, lambda t: 3 <= t.hours_per_week <= 8) >= 0.65
    assert_share(share(tasks, lambda t: t.splittable), gen.SPLITTABLE_SHARE, BIG, "splittable")
    assert_share(share(tasks, lambda t: t.days is not None), gen.TASK_DAYS_SHARE, BIG, "tasks with days")
    assert all(1 <= p.max_people <= 3 and 1 <= p.min_hours_per_person <= 3 for p in positions)
    assert all(1 <= len(t.competences) <= 3 for t in tasks)


def test_task_demands_follow_their_templates(positions: list[Position]) -> None:
    blocks = gen.load_blocks()
    for p in positions:
        for task in p.tasks:
            candidates = [spec for spec in blocks.tasks.values() if task.title in spec["titles"]]
            assert candidates, task.title
            active = task.demands.active()
            ok = False
            for spec in candidates:
                always, maybe = set(spec["demands"].get("always", {})), set(spec["demands"].get("maybe", {}))
                low, high = spec["demands"].get("lifting", (0, 0))
                flags = set(active) - {"lifting_kg"}
                lifting = active.get("lifting_kg", 0)
                ok |= always <= flags <= always | maybe and (lifting == 0 or low <= lifting <= high)
            assert ok, f"{p.id}/{task.id} {task.title}: {active}"
    food = [t for p in positions for t in p.tasks if t.title == "Bagerimedhjælper"]
    assert food and all(t.demands.food_contact for t in food)


# ---- contract and matchability ----------------------------------------------------------------------------

def test_records_validate_against_the_contract(pool: gen.Pool) -> None:
    for e in pool.employers:
        Employer.model_validate(e.employer.model_dump())
    for jobcenter in {jc["name"] for jc in pool.jobcenters}:
        candidates = [c.model_dump() for c in pool.citizens if c.jobcenter == jobcenter]
        for p in pool.positions:
            if p.jobcenter == jobcenter:
                MatchRequest.model_validate({"position": p.model_dump(), "candidates": candidates})


def _distance_km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def _family(term: str, family_of: dict[str, str], choices: list[str]) -> str | None:
    key = term.casefold()
    if key not in family_of:
        hit = process.extractOne(key, choices, scorer=fuzz.partial_ratio, score_cutoff=90)
        key = hit[0] if hit else None
    return family_of.get(key) if key else None


def _fits(c: Candidate, families: set[str], p: Position, task, task_families: set[str | None]) -> bool:
    """A coarse data check (not the matcher): hard rules and a shared competence family."""
    demands = task.demands.active()
    catalogue = load_catalogue()
    for r in c.restrictions:
        if r.severity != "hard":
            continue
        demand = catalogue.restrictions[r.code].demand
        if demand == "lifting_kg" and demands.get("lifting_kg", 0) > r.value:
            return False
        if demand != "lifting_kg" and demands.get(demand):
            return False
    if demands.get("driving") and not c.driving_licence:
        return False
    if task.days and c.available_days and not set(task.days) & set(c.available_days):
        return False
    if c.status != "available" or c.capacity_hours < p.min_hours_per_person:
        return False
    if _distance_km(c.location, p.location) > c.max_commute_km:
        return False
    return bool(families & task_families)


def test_pool_is_matchable_but_not_trivially(pool: gen.Pool) -> None:
    family_of = {}
    for family_id, (_label, terms) in gen.taxonomy_families().items():
        for canonical, synonyms in terms.items():
            family_of[canonical.casefold()] = family_id
            family_of.update({s.casefold(): family_id for s in synonyms})
    choices = sorted(family_of)
    by_jobcenter: dict[str, list[tuple[Candidate, set]]] = {}
    for c in pool.citizens:
        families = {_family(t, family_of, choices) for t in c.competences} - {None}
        by_jobcenter.setdefault(c.jobcenter, []).append((c, families))
    filled: Counter = Counter()
    totals: Counter = Counter()
    for p in pool.positions:
        task_families = {t.id: {_family(term, family_of, choices) for term in t.competences} for t in p.tasks}
        totals[p.jobcenter] += 1
        if any(_fits(c, fams, p, t, task_families[t.id]) for c, fams in by_jobcenter[p.jobcenter] for t in p.tasks):
            filled[p.jobcenter] += 1
    for jobcenter, total in totals.items():
        assert filled[jobcenter] / total >= 0.6, f"{jobcenter}: {filled[jobcenter]}/{total} positions matchable"
    hard_to_fill = sum(totals.values()) - sum(filled.values())
    assert hard_to_fill >= 3, "every position has a fitting candidate: unrealistically easy"


# ---- determinism ------------------------------------------------------------------------------------------

def test_same_seed_same_bytes_and_other_seed_differs() -> None:
    first = gen.pool_to_json(gen.generate_pool(80, 40, seed=7))
    assert gen.pool_to_json(gen.generate_pool(80, 40, seed=7)) == first
    assert gen.pool_to_json(gen.generate_pool(80, 40, seed=8)) != first
    assert gen.pool_to_json(gen.pool_from_json(first)) == first


def test_committed_file_is_reproduced_by_its_seed(committed_text: str, pool: gen.Pool) -> None:
    regenerated = gen.generate_pool(len(pool.citizens), len(pool.positions), seed=pool.seed)
    assert gen.pool_to_json(regenerated) == committed_text, (
        "data/demo/pool.json is stale: regenerate with "
        f"python -m service.demo.pool_generator --citizens {len(pool.citizens)} --positions {len(pool.positions)} "
        f"--seed {pool.seed}")


def test_custom_jobcentres_empty_pools_and_unknown_municipalities() -> None:
    pool = gen.generate_pool(30, 10, seed=3, jobcenters=[("Jobcenter Vejle", "Vejle", 1.0)])
    assert {c.jobcenter for c in pool.citizens} == {p.jobcenter for p in pool.positions} == {"Jobcenter Vejle"}
    empty = gen.generate_pool(0, 0, seed=3)
    assert gen.pool_from_json(gen.pool_to_json(empty)) == empty
    with pytest.raises(ValueError, match="Atlantis"):
        gen.generate_pool(5, 5, jobcenters=[("Atlantis", "Atlantis", 1.0)])
