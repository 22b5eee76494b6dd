"""Deterministic synthetic pool of citizens, employers and positions for the demo and the benchmarks.

The distributions follow DOMAIN.md (the reports in /work/shared/seeds); the targets are the module constants
below, and tests/test_demo_pool.py holds the committed demo pool to them. Danish building blocks (task
templates, employer kinds, names) live in data/demo/templates.yaml; competence terms come from the taxonomy
(data/competences.yaml) and places from data/postcodes.csv, so every term and postcode in a pool is known.

Determinism: all randomness comes from numpy generators seeded by (seed, stream), see `Draws`; the same
seed and data files always give the same pool, and `pool_to_json` the same bytes. After a change to the
taxonomy, postcodes or templates, regenerate the committed pool with the command below (the test says so).

    python -m service.demo.pool_generator --citizens 600 --positions 260 --seed 2026 --out data/demo/pool.json
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from models.catalogue import DAYS
from models.paths import DATA_DIR
from models.schemas import Candidate, Demands, Employer, Location, Position
from models.taxonomy import load_competence_taxonomy, load_municipalities, load_postcodes, normalise_surface

# ---------------------------------------------------------------------------------------------------------
# Targets (DOMAIN.md). Shares are fractions; the demo-pool test checks the committed pool against them.
# ---------------------------------------------------------------------------------------------------------
DEMO_SEED = 2026
DEMO_CITIZENS = 600
DEMO_POSITIONS = 260
DEMO_POOL_PATH = DATA_DIR / "demo" / "pool.json"
TEMPLATES_PATH = DATA_DIR / "demo" / "templates.yaml"
REFERENCE_YEAR = 2026

# Jobcentres named in the reports (DOMAIN.md, seeds 000–003), spread across the country:
# (jobcentre name, municipality in data/postcodes.csv, relative pool size).
JOBCENTERS: tuple[tuple[str, str, float], ...] = (
    ("Horsens", "Horsens", 1.0),
    ("Struer", "Struer", 0.6),
    ("Aalborg", "Aalborg", 1.4),
    ("København", "København", 1.6),
    ("Esbjerg", "Esbjerg", 1.1),
    ("Odense", "Odense", 1.3),
    ("Randers", "Randers", 1.0),
    ("Næstved", "Næstved", 0.9),
    ("Svendborg", "Svendborg", 0.8),
    ("Thisted", "Thisted", 0.7),
)

# The national set: every municipality in data/municipalities.csv is its own jobcentre, its pool size in
# proportion to its population. Approximate inhabitants in thousands (Danmarks Statistik, early 2020s, rounded):
# good enough to size synthetic pools, not a statistic to quote.
MUNICIPALITY_POPULATION_THOUSANDS: dict[str, float] = {
    "Albertslund": 28, "Allerød": 26, "Ballerup": 52, "Bornholm": 39, "Brøndby": 39, "Dragør": 15, "Egedal": 44,
    "Fredensborg": 41, "Frederiksberg": 104, "Frederikssund": 46, "Furesø": 41, "Gentofte": 75, "Gladsaxe": 70,
    "Glostrup": 24, "Gribskov": 41, "Halsnæs": 32, "Helsingør": 63, "Herlev": 30, "Hillerød": 53, "Hvidovre": 54,
    "Høje-Taastrup": 57, "Hørsholm": 25, "Ishøj": 24, "København": 650, "Lyngby-Taarbæk": 57, "Rudersdal": 57,
    "Rødovre": 41, "Tårnby": 43, "Vallensbæk": 17,
    "Faxe": 37, "Greve": 51, "Guldborgsund": 60, "Holbæk": 72, "Kalundborg": 49, "Køge": 62, "Lejre": 29,
    "Lolland": 40, "Næstved": 84, "Odsherred": 33, "Ringsted": 36, "Roskilde": 90, "Slagelse": 80, "Solrød": 24,
    "Sorø": 30, "Stevns": 23, "Vordingborg": 46,
    "Assens": 41, "Billund": 27, "Esbjerg": 116, "Fanø": 3.5, "Fredericia": 52, "Faaborg-Midtfyn": 52,
    "Haderslev": 55, "Kerteminde": 24, "Kolding": 95, "Langeland": 12, "Middelfart": 39, "Nordfyn": 29,
    "Nyborg": 32, "Odense": 207, "Svendborg": 59, "Sønderborg": 74, "Tønder": 37, "Varde": 50, "Vejen": 43,
    "Vejle": 120, "Ærø": 6, "Aabenraa": 58,
    "Favrskov": 49, "Hedensted": 47, "Herning": 90, "Holstebro": 59, "Horsens": 98, "Ikast-Brande": 42,
    "Lemvig": 19, "Norddjurs": 37, "Odder": 23, "Randers": 99, "Ringkøbing-Skjern": 56, "Samsø": 3.7,
    "Silkeborg": 98, "Skanderborg": 64, "Skive": 46, "Struer": 21, "Syddjurs": 43, "Viborg": 98, "Aarhus": 360,
    "Brønderslev": 36, "Frederikshavn": 59, "Hjørring": 64, "Jammerbugt": 38, "Læsø": 1.8, "Mariagerfjord": 42,
    "Morsø": 20, "Rebild": 31, "Thisted": 43, "Vesthimmerland": 36, "Aalborg": 220,
}


def national_jobcenters() -> tuple[tuple[str, str, float], ...]:
    """All 98 municipalities as jobcentres, (name, municipality, relative size) weighted by approximate
    population: pass as `generate_pool(..., jobcenters=national_jobcenters())` for a country-wide pool in
    which each jobcentre matches its own citizens, from a handful (Læsø) to a few thousand (København)."""
    names = list(load_municipalities())
    missing = sorted(set(names) ^ set(MUNICIPALITY_POPULATION_THOUSANDS))
    if missing:
        raise ValueError(f"MUNICIPALITY_POPULATION_THOUSANDS and data/municipalities.csv differ: {', '.join(missing)}")
    return tuple((name, name, float(MUNICIPALITY_POPULATION_THOUSANDS[name])) for name in names)


# Capacity (arbejdsevne, hours/week): about 85 % at most 10 h, split 16/40/44 over 1–3, 4–7, 8–10 h
# (002 p. 15); the rest 11–20 h, rarely above 15.
CAPACITY_UP_TO_10_SHARE = 0.85
CAPACITY_BANDS_UP_TO_10: dict[tuple[int, int], float] = {(1, 3): 0.16, (4, 7): 0.40, (8, 10): 0.44}
CAPACITY_TAIL_BANDS: dict[tuple[int, int], float] = {(11, 12): 0.55, (13, 15): 0.35, (16, 20): 0.10}
CAPACITY_ESTIMATED_SHARE = 0.65
_CAPACITY_BANDS = {**{band: CAPACITY_UP_TO_10_SHARE * share for band, share in CAPACITY_BANDS_UP_TO_10.items()},
                   **{band: (1 - CAPACITY_UP_TO_10_SHARE) * share for band, share in CAPACITY_TAIL_BANDS.items()}}

# Fairness-monitoring fields only (002 p. 21–22); never matching features.
WOMEN_SHARE = 0.68
AGE_BANDS: dict[str, tuple[tuple[int, int], float]] = {   # band: ((min age, max age), share)
    "under_40": ((25, 39), 0.23),
    "41_50": ((40, 50), 0.33),
    "51_60": ((51, 60), 0.40),
    "over_60": ((61, 66), 0.04),
}

# Skånehensyn: the reason for the fleksjob decides which kind of restrictions a citizen has (002 p. 22).
_AGE_BAND_SHARES = {band: share for band, (_ages, share) in AGE_BANDS.items()}

RESTRICTION_REASON_SHARES: dict[str, float] = {"physical": 0.65, "psychological": 0.20, "combined": 0.15}
RESTRICTIONS_PER_CITIZEN: dict[int, float] = {1: 0.25, 2: 0.35, 3: 0.25, 4: 0.15}
SOFT_RESTRICTION_SHARE = 0.25
PHYSICAL_RESTRICTIONS: dict[str, float] = {
    "max_lifting_kg": 10, "no_prolonged_standing": 6, "no_prolonged_sitting": 4, "no_repetitive_work": 5,
    "no_wet_work": 3, "no_chemicals": 3, "no_dust": 3, "no_food_contact": 1.5, "no_animals": 1,
    "no_outdoor_work": 2, "no_heights": 3, "no_stairs": 2, "no_driving": 1.5,
}
PSYCHOLOGICAL_RESTRICTIONS: dict[str, float] = {
    "no_time_pressure": 8, "quiet_workplace": 5, "fixed_routines": 5, "flexible_hours": 4,
    "no_customer_contact": 3, "no_noise": 4, "no_evening_work": 2, "no_screen_work": 1.5,
}
LIFTING_LIMITS_KG: dict[int, float] = {3: 1, 5: 3, 7: 1, 8: 1.5, 10: 3, 12: 1, 15: 1.5}

# Competences and the kompetence-CV.
COMPETENCES_PER_CITIZEN: dict[int, float] = {2: 0.20, 3: 0.30, 4: 0.25, 5: 0.15, 6: 0.10}
SECOND_FAMILY_SHARE = 0.45
VARIANT_TERM_SHARE = 0.30   # a synonym or a compound instead of the canonical term: exercises free text
WISHES_PER_CITIZEN: dict[int, float] = {0: 0.30, 1: 0.35, 2: 0.25, 3: 0.10}
DRIVING_LICENCE_SHARE = 0.55
COMMUTE_KM = (10, 40)
ALL_DAYS_SHARE = 0.50
STATUS_SHARES: dict[str, float] = {"available": 0.88, "sick_leave": 0.05, "in_praktik": 0.04, "assessment": 0.03}
# LY months in the last 24: spread out, with a visible group at 15–20 near the 18-month refusion line (002 p. 17).
LY_NEAR_LINE_SHARE = 0.30
LY_NEAR_LINE_MONTHS = (15, 20)

# Employers: 6 in 10 fleksjobs in firms under 50 employees, half of those under 10 (000 p. 6); mostly private.
# Joint share of positions by (employer size, sector); the margins are the targets below.
POSITION_SIZE_SECTOR: dict[tuple[str, str], float] = {
    ("micro", "private"): 0.26, ("micro", "public"): 0.01, ("micro", "voluntary"): 0.03,
    ("small", "private"): 0.24, ("small", "public"): 0.03, ("small", "voluntary"): 0.03,
    ("medium", "private"): 0.13, ("medium", "public"): 0.07, ("medium", "voluntary"): 0.02,
    ("large", "private"): 0.07, ("large", "public"): 0.11,
}
POSITION_SIZE_SHARES: dict[str, float] = {"micro": 0.30, "small": 0.30, "medium": 0.22, "large": 0.18}
SECTOR_SHARES: dict[str, float] = {"private": 0.70, "public": 0.22, "voluntary": 0.08}
FLEKSJOB_EXPERIENCE_BY_SECTOR: dict[str, float] = {"private": 0.40, "public": 0.60, "voluntary": 0.50}
FLEKSJOB_EXPERIENCE_SHARE = 0.45
# Small firms have room for one or two fleksjobbere (003 §5.4.3): P(max_fleksjobbere = 1, 2, 3) by size.
MAX_FLEKSJOBBERE_BY_SIZE: dict[str, dict[int, float]] = {
    "micro": {1: 0.70, 2: 0.25, 3: 0.05}, "small": {1: 0.45, 2: 0.40, 3: 0.15},
    "medium": {1: 0.25, 2: 0.40, 3: 0.35}, "large": {1: 0.20, 2: 0.40, 3: 0.40},
}
# Chance that a new position goes to an existing employer of the same jobcentre, size and sector.
EMPLOYER_REUSE_BY_SIZE: dict[str, float] = {"micro": 0.10, "small": 0.25, "medium": 0.45, "large": 0.55}
MAX_POSITIONS_PER_EMPLOYER = 4

# Positions and tasks: jobs built from a few service tasks (000 p. 12), split across people (003 §4.3.2).
TASKS_PER_POSITION: dict[int, float] = {1: 0.35, 2: 0.30, 3: 0.18, 4: 0.09, 5: 0.05, 6: 0.03}
TASK_HOURS_BANDS: dict[tuple[int, int], float] = {(2, 2): 0.06, (3, 8): 0.72, (9, 12): 0.16, (13, 15): 0.06}
TASK_DAYS_SHARE = 0.35
SPLITTABLE_SHARE = 0.75
MAX_PEOPLE: dict[int, float] = {1: 0.45, 2: 0.40, 3: 0.15}
MIN_HOURS_PER_PERSON: dict[int, float] = {1: 0.40, 2: 0.35, 3: 0.25}
TERMS_PER_TASK: dict[int, float] = {1: 0.50, 2: 0.35, 3: 0.15}
NO_LIFTING_SHARE = 0.4       # a task whose lifting range starts at 0 has no lifting this often

# Location jitter around a postcode's centre (degrees): people and firms are spread over the town.
JITTER_LAT = 0.012
JITTER_LON = 0.020
MAIN_TOWN_WEIGHT = 3
WEEKDAYS = DAYS[:5]
_STREAM = {"citizen": 1, "position": 2}
_STREAM_WIDTH = {"citizen": 96, "position": 160}   # uniforms per record drawn up front (more on demand)
# Stratified uniforms per record (see Draws.for_stream), by purpose.
_STRATA = {"citizen": 9, "position": 3}
(S_JOBCENTER, S_CAPACITY, S_BASIS, S_GENDER, S_AGE, S_REASON, S_STATUS, S_DAYS, S_LICENCE) = range(9)
(S_POSITION_JOBCENTER, S_SIZE_SECTOR, S_TASKS) = range(3)


# ---------------------------------------------------------------------------------------------------------
# The pool
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PooledEmployer:
    employer: Employer
    jobcenter: str
    postcode: str
    location: Location


@dataclass(frozen=True)
class Pool:
    """A generated or loaded pool. Positions carry their jobcenter, embedded employer and location; citizens
    their jobcenter and location. Postcodes (what the store keeps beside them) are looked up by id."""

    seed: int
    jobcenters: tuple[dict[str, str], ...]     # {"name", "municipality"}
    employers: tuple[PooledEmployer, ...]
    positions: tuple[Position, ...]
    citizens: tuple[Candidate, ...]
    position_postcodes: dict[str, str]         # position id -> postcode
    citizen_postcodes: dict[str, str]          # citizen id -> postcode

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """The citizens, under the matcher's name for them."""
        return self.citizens


# ---------------------------------------------------------------------------------------------------------
# Random draws
# ---------------------------------------------------------------------------------------------------------
class Draws:
    """Uniform draws for one record. Record i of a stream starts with row i of one block drawn for the whole
    stream (so it does not depend on how many records follow); a record that needs more continues on its own
    generator seeded by (seed, stream, i). Scalar numpy calls are slow, hence the python lists."""

    __slots__ = ("_buffer", "_next", "_key", "_gen", "_strata")

    def __init__(self, row: list[float], key: tuple[int, int, int], strata: list[float]) -> None:
        self._buffer = row
        self._next = 0
        self._key = key
        self._gen: np.random.Generator | None = None
        self._strata = strata

    @classmethod
    def for_stream(cls, seed: int, stream: str, n: int) -> list[Draws]:
        """Draws for records 0..n-1 of a stream. Besides plain uniforms each record gets `_STRATA[stream]`
        stratified ones: over the n records, stratum k takes one value in each of n equal slices of [0, 1)
        (Latin hypercube), so the key shares (capacity bands, gender, sizes...) land close to their
        targets even in a pool of a few hundred, while each record still looks random."""
        rng = np.random.default_rng([seed, _STREAM[stream]])
        block = rng.random((n, _STREAM_WIDTH[stream]))
        strata = np.column_stack([(rng.permutation(n) + rng.random(n)) / max(n, 1)
                                  for _ in range(_STRATA[stream])]) if n else np.zeros((0, _STRATA[stream]))
        return [cls(row, (seed, _STREAM[stream], i), stratum)
                for i, (row, stratum) in enumerate(zip(block.tolist(), strata.tolist()))]

    def stratum(self, k: int) -> float:
        """This record's value of stratified uniform k."""
        return self._strata[k]

    def uniform(self) -> float:
        if self._next == len(self._buffer):
            if self._gen is None:
                self._gen = np.random.default_rng(list(self._key))
            self._buffer = self._gen.random(64).tolist()
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return value

    def chance(self, p: float, u: float | None = None) -> bool:
        return (self.uniform() if u is None else u) < p

    def integer(self, low: int, high: int) -> int:
        """Uniform whole number in [low, high]."""
        return min(high, low + int(self.uniform() * (high - low + 1)))

    def pick(self, items: Sequence[Any]) -> Any:
        return items[min(len(items) - 1, int(self.uniform() * len(items)))]

    def weighted(self, weights: Mapping[Any, float], u: float | None = None) -> Any:
        """A key of `weights` with probability proportional to its value (by uniform `u` if given).
        `weights` must be a long-lived mapping (a constant): its cumulative table is cached by identity."""
        keys, cumulative = _table(weights)
        u = self.uniform() if u is None else u
        return keys[min(len(keys) - 1, bisect.bisect_right(cumulative, u * cumulative[-1]))]

    def sample(self, items: Sequence[Any], k: int, weights: Sequence[float] | None = None) -> list[Any]:
        """k distinct items (fewer if there are fewer), weighted without replacement, in draw order."""
        pool = list(items)
        w = [1.0] * len(pool) if weights is None else list(weights)
        total = sum(w)
        chosen = []
        for _ in range(min(k, len(pool))):
            target = self.uniform() * total
            index, running = len(pool) - 1, 0.0
            for i, weight in enumerate(w):
                running += weight
                if target < running:
                    index = i
                    break
            chosen.append(pool.pop(index))
            total -= w.pop(index)
        return chosen

    def band(self, bands: Mapping[tuple[int, int], float], u: float | None = None) -> int:
        low, high = self.weighted(bands, u)
        return self.integer(low, high)


_TABLES: dict[int, tuple[Mapping[Any, float], tuple[Any, ...], list[float]]] = {}


def _table(weights: Mapping[Any, float]) -> tuple[tuple[Any, ...], list[float]]:
    entry = _TABLES.get(id(weights))
    if entry is None or entry[0] is not weights:
        # The entry keeps a reference to the mapping, so its id cannot be reused while cached.
        entry = (weights, tuple(weights), list(accumulate(weights.values())))
        _TABLES[id(weights)] = entry
    return entry[1], entry[2]


# ---------------------------------------------------------------------------------------------------------
# Building blocks: templates, taxonomy, postcodes
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Area:
    key: str
    family: str                     # taxonomy family id
    label: str                      # taxonomy family label (Danish)
    short: str                      # the area's word in position titles ("rengøring", "kantine")
    weight: float
    terms: tuple[str, ...]          # canonical taxonomy terms
    variants: dict[str, tuple[str, ...]]   # canonical term -> synonyms
    places: tuple[str, ...]


@dataclass(frozen=True)
class Blocks:
    areas: dict[str, Area]
    tasks: dict[str, dict[str, Any]]
    employers: dict[str, dict[str, Any]]
    names: dict[str, tuple[str, ...]]
    postcodes: dict[str, tuple[tuple[str, float, float], ...]]   # municipality -> (postnr, lat, lon)


@lru_cache(maxsize=1)
def load_blocks() -> Blocks:
    raw = yaml.safe_load(TEMPLATES_PATH.read_text(encoding="utf-8"))
    families = taxonomy_families()
    areas = {key: _resolve_area(key, spec, families) for key, spec in raw["areas"].items()}
    known = _surface_forms(families)
    tasks = {}
    for key, spec in raw["tasks"].items():
        if spec["area"] not in areas:
            raise ValueError(f"task template {key}: unknown area {spec['area']}")
        _check_demands(key, spec["demands"])
        tasks[key] = {**spec, "terms": _canonical_terms(f"task template {key}", spec["competences"], known)}
    for key, spec in raw["employers"].items():
        unknown = [t for t in spec["tasks"] if t not in tasks]
        if unknown:
            raise ValueError(f"employer kind {key}: unknown task templates {unknown}")
    names = {k: tuple(v) for k, v in raw["names"].items()}
    return Blocks(areas=areas, tasks=tasks, employers=raw["employers"], names=names,
                  postcodes=_postcodes_by_municipality())


def _check_demands(key: str, demands: dict[str, Any]) -> None:
    flags = set(Demands.model_fields) - {"lifting_kg"}
    named = set(demands.get("always", {})) | set(demands.get("maybe", {}))
    if named - flags:
        raise ValueError(f"task template {key}: unknown demands {sorted(named - flags)}")


def _resolve_area(key: str, spec: dict[str, Any], families: dict[str, tuple[str, dict[str, list[str]]]]) -> Area:
    """Map an area to its taxonomy family and keep the preferred terms the taxonomy knows (as canonical)."""
    family_id = _find_family(spec["family"], families)
    label, terms = families[family_id]
    chosen = _canonical_terms(f"area {key}", spec["terms"], _surface_forms({family_id: (label, terms)}))
    return Area(key=key, family=family_id, label=label, short=spec["short"], weight=float(spec["weight"]),
                terms=chosen, variants={t: tuple(terms[t]) for t in chosen}, places=tuple(spec["places"]))


def _canonical_terms(where: str, wanted: Sequence[str], known: dict[str, str]) -> tuple[str, ...]:
    """The canonical taxonomy terms for the template's terms; a term the taxonomy lacks is an error in
    data/demo/templates.yaml (or a renamed taxonomy term), never silently dropped."""
    missing = [t for t in wanted if _fold(t) not in known]
    if missing or not wanted:
        raise ValueError(f"{TEMPLATES_PATH.name}, {where}: not in data/competences.yaml: {missing or 'no terms'}")
    return tuple(dict.fromkeys(known[_fold(t)] for t in wanted))


def _surface_forms(families: dict[str, tuple[str, dict[str, list[str]]]]) -> dict[str, str]:
    """Folded canonical term or synonym -> canonical term."""
    forms: dict[str, str] = {}
    for _label, terms in families.values():
        for canonical, synonyms in terms.items():
            forms.setdefault(_fold(canonical), canonical)
            for synonym in synonyms:
                forms.setdefault(_fold(synonym), canonical)
    return forms


def _find_family(family_id: str, families: dict[str, tuple[str, dict[str, list[str]]]]) -> str:
    if family_id not in families:
        raise ValueError(f"{TEMPLATES_PATH.name}: data/competences.yaml has no family '{family_id}'")
    return family_id


def _fold(text: str) -> str:
    return normalise_surface(text)


def taxonomy_families() -> dict[str, tuple[str, dict[str, list[str]]]]:
    """family id -> (Danish label, {canonical term: [synonyms]}) from the competence taxonomy, in file order."""
    taxonomy = load_competence_taxonomy()
    families: dict[str, tuple[str, dict[str, list[str]]]] = {
        family_id: (family.label, {}) for family_id, family in taxonomy.families.items()}
    for term in taxonomy.terms.values():
        families[term.family][1][term.canonical] = list(term.synonyms)
    return families


def _postcodes_by_municipality() -> dict[str, tuple[tuple[str, float, float], ...]]:
    """municipality -> its postcodes as (postnr, lat, lon), sorted; the main town listed MAIN_TOWN_WEIGHT
    times, since most people and firms are in the town the municipality is named after."""
    grouped: dict[str, list[tuple[str, float, float]]] = {}
    for postnr, entry in sorted(load_postcodes().items()):
        times = MAIN_TOWN_WEIGHT if entry.town.startswith(entry.municipality) else 1
        grouped.setdefault(entry.municipality, []).extend([(postnr, entry.lat, entry.lon)] * times)
    return {municipality: tuple(rows) for municipality, rows in grouped.items()}


def _place(draws: Draws, postcodes: tuple[tuple[str, float, float], ...]) -> tuple[str, Location]:
    postnr, lat, lon = draws.pick(postcodes)
    lat = min(57.75, max(54.56, lat + (draws.uniform() * 2 - 1) * JITTER_LAT))
    lon = min(15.19, max(8.07, lon + (draws.uniform() * 2 - 1) * JITTER_LON))
    return postnr, Location(lat=round(lat, 5), lon=round(lon, 5))


# ---------------------------------------------------------------------------------------------------------
# Citizens
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Setting:
    """What every record of one pool draws from."""

    jobcenters: tuple[tuple[str, str, float], ...]
    jobcenter_weights: dict[int, float]
    blocks: Blocks


def generate_citizen(index: int, draws: Draws, setting: _Setting) -> tuple[Candidate, str]:
    blocks = setting.blocks
    name, municipality, _weight = setting.jobcenters[draws.weighted(setting.jobcenter_weights,
                                                                    draws.stratum(S_JOBCENTER))]
    postcode, location = _place(draws, blocks.postcodes[municipality])
    areas = _citizen_areas(draws, blocks)
    competences = _citizen_competences(draws, areas)
    licence = "driving" in {a.key for a in areas} or draws.chance(
        _licence_share_outside_driving(blocks), draws.stratum(S_LICENCE))
    candidate = Candidate(
        id=f"B-{index + 1:05d}",
        jobcenter=name,
        capacity_hours=_capacity_hours(draws),
        capacity_basis="estimated" if draws.chance(CAPACITY_ESTIMATED_SHARE, draws.stratum(S_BASIS)) else "measured",
        competences=competences,
        cv_text=_cv_text(draws, areas, competences),
        restrictions=_restrictions(draws),
        wishes=_wishes(draws, areas, blocks),
        driving_licence=licence,
        location=location,
        max_commute_km=float(5 * draws.integer(COMMUTE_KM[0] // 5, COMMUTE_KM[1] // 5)),
        available_days=None if draws.chance(ALL_DAYS_SHARE, draws.stratum(S_DAYS)) else _weekdays(draws, 2, 5),
        ly_months_last_24=_ly_months(draws),
        status=draws.weighted(STATUS_SHARES, draws.stratum(S_STATUS)),
        gender="f" if draws.chance(WOMEN_SHARE, draws.stratum(S_GENDER)) else "m",
        birth_year=_birth_year(draws),
    )
    return candidate, postcode


def _capacity_hours(draws: Draws) -> int:
    return draws.band(_CAPACITY_BANDS, draws.stratum(S_CAPACITY))


def _birth_year(draws: Draws) -> int:
    (low, high), _share = AGE_BANDS[draws.weighted(_AGE_BAND_SHARES, draws.stratum(S_AGE))]
    return REFERENCE_YEAR - draws.integer(low, high)


def _ly_months(draws: Draws) -> int:
    if draws.chance(LY_NEAR_LINE_SHARE):
        return draws.integer(*LY_NEAR_LINE_MONTHS)
    return draws.integer(0, 24)


def _weekdays(draws: Draws, low: int, high: int, weekend: bool = False) -> list[str]:
    days = DAYS if weekend else WEEKDAYS
    chosen = draws.sample(days, draws.integer(low, high))
    return sorted(chosen, key=DAYS.index)


def _licence_share_outside_driving(blocks: Blocks) -> float:
    """Drivers always hold a licence; the others get one often enough that the total is the target share."""
    total = sum(a.weight for a in blocks.areas.values())
    drivers = blocks.areas["driving"].weight / total
    return (DRIVING_LICENCE_SHARE - drivers) / (1 - drivers)


def _citizen_areas(draws: Draws, blocks: Blocks) -> list[Area]:
    count = 2 if draws.chance(SECOND_FAMILY_SHARE) else 1
    keys = draws.sample(tuple(blocks.areas), count, [area.weight for area in blocks.areas.values()])
    return [blocks.areas[key] for key in keys]


def _citizen_competences(draws: Draws, areas: list[Area]) -> list[str]:
    """2–6 terms, most from the first area; some written as a synonym or compound (free text)."""
    n = draws.weighted(COMPETENCES_PER_CITIZEN)
    counts = [n] if len(areas) == 1 else [math.ceil(n * 0.6), n - math.ceil(n * 0.6)]
    terms: list[str] = []
    for area, count in zip(areas, counts):
        weights = [2.0 if i == 0 else 1.0 for i in range(len(area.terms))]  # the family's head term is common
        for term in draws.sample(area.terms, count, weights):
            if draws.chance(VARIANT_TERM_SHARE):
                term = _variant(draws, term, area.variants.get(term, ()))
            if term not in terms:
                terms.append(term)
    return terms


def _variant(draws: Draws, term: str, synonyms: Sequence[str]) -> str:
    """A synonym from the taxonomy or a compound as consultants write it; the canonical term if neither."""
    compound = compound_of(term)
    # The taxonomy lists the common noun forms first; past participles ("kuverteret") are no CV terms.
    usual = [s for s in synonyms[:4] if not s.endswith("et")]
    if usual and (compound is None or draws.chance(0.7)):
        return draws.pick(usual)
    return compound or term


# Endings after which a Danish compound takes a linking s ("rengøringsopgaver", "kørselsopgaver").
_LINKING_S = ("ing", "else", "sel")


def compound_of(term: str) -> str | None:
    """How consultants often write a term: 'rengøring' -> 'rengøringsopgaver', 'pakkearbejde' ->
    'pakkeopgaver', 'montage' -> 'montageopgaver'. None where Danish would not form it this simply."""
    if not term.isalpha() or not term.islower():
        return None
    if term.endswith("arbejde") and len(term) > len("arbejde") + 2:
        return term[: -len("arbejde")] + "opgaver"
    if term.endswith(_LINKING_S):
        return f"{term}sopgaver"
    if term.endswith("e"):
        return f"{term}opgaver"
    return None


# Terms naming a person, not an activity: "Har arbejdet med servicemedarbejder" would read wrong.
_PERSON_NOUNS = ("medarbejder", "vært", "ven", "hjælper", "assistent")


def _cv_text(draws: Draws, areas: list[Area], competences: list[str]) -> str:
    first = areas[0]
    head = next((t for t in competences if t in first.terms and not t.endswith(_PERSON_NOUNS)), first.terms[0])
    years = draws.integer(1, 20)
    sentences = [f"Har arbejdet med {_lower(head)} {draws.pick(first.places)} i {years} år."]
    if len(areas) > 1:
        second = areas[1]
        other = next((t for t in competences if t in second.terms and not t.endswith(_PERSON_NOUNS)),
                     second.terms[0])
        sentences.append(f"Har også erfaring med {_lower(other)} {draws.pick(second.places)}.")
    if draws.chance(0.3):
        sentences.append(draws.pick(("Er mødestabil og grundig.", "Trives med faste opgaver.",
                                     "Arbejder godt sammen med andre.", "Er rolig og omhyggelig.")))
    return " ".join(sentences)


def _lower(term: str) -> str:
    return term if any(c.isupper() for c in term[1:]) or term[:2].isupper() else term[:1].lower() + term[1:]


def _wishes(draws: Draws, areas: list[Area], blocks: Blocks) -> list[str]:
    n = draws.weighted(WISHES_PER_CITIZEN)
    options = [areas[0].label, *areas[0].terms[:3], *(a.label for a in areas[1:])]
    others = [a for a in blocks.areas.values() if a not in areas]
    options.append(draws.pick(others).label)   # openness to a new field
    return list(dict.fromkeys(draws.sample(options, n)))


def _restrictions(draws: Draws) -> list[dict[str, Any]]:
    reason = draws.weighted(RESTRICTION_REASON_SHARES, draws.stratum(S_REASON))
    n = draws.weighted(RESTRICTIONS_PER_CITIZEN)
    if reason == "physical":
        codes = _sample_codes(draws, PHYSICAL_RESTRICTIONS, n)
    elif reason == "psychological":
        codes = _sample_codes(draws, PSYCHOLOGICAL_RESTRICTIONS, n)
    else:
        n = max(n, 2)
        codes = _sample_codes(draws, PHYSICAL_RESTRICTIONS, 1) + _sample_codes(draws, PSYCHOLOGICAL_RESTRICTIONS, 1)
        rest = {c: w for c, w in {**PHYSICAL_RESTRICTIONS, **PSYCHOLOGICAL_RESTRICTIONS}.items() if c not in codes}
        codes += _sample_codes(draws, rest, n - 2)
    out = []
    for code in codes:
        entry: dict[str, Any] = {"code": code}
        if code == "max_lifting_kg":
            entry["value"] = float(draws.weighted(LIFTING_LIMITS_KG))
        entry["severity"] = "soft" if draws.chance(SOFT_RESTRICTION_SHARE) else "hard"
        out.append(entry)
    return out


def _sample_codes(draws: Draws, weights: Mapping[str, float], k: int) -> list[str]:
    return draws.sample(list(weights), k, list(weights.values()))


# ---------------------------------------------------------------------------------------------------------
# Employers and positions
# ---------------------------------------------------------------------------------------------------------
@dataclass
class _EmployerSlot:
    """An employer while positions are being generated: which kind it is and how many positions it has."""

    pooled: PooledEmployer
    kind: str
    positions: int = 0


class _Employers:
    """Creates employers as positions need them, reusing firms of the same jobcentre, size and sector."""

    def __init__(self, blocks: Blocks) -> None:
        self.blocks = blocks
        self.slots: list[_EmployerSlot] = []
        self.open: dict[tuple[str, str, str], list[_EmployerSlot]] = {}   # may take more positions
        self.names: set[tuple[str, str]] = set()

    def for_position(self, draws: Draws, jobcenter: tuple[str, str, float], size: str, sector: str) -> _EmployerSlot:
        existing = self.open.setdefault((jobcenter[0], size, sector), [])
        if existing and draws.chance(EMPLOYER_REUSE_BY_SIZE[size]):
            slot = draws.pick(existing)
        else:
            slot = self._new(draws, jobcenter, size, sector)
            self.slots.append(slot)
            existing.append(slot)
        slot.positions += 1
        if slot.positions >= MAX_POSITIONS_PER_EMPLOYER:
            existing.remove(slot)
        return slot

    def _new(self, draws: Draws, jobcenter: tuple[str, str, float], size: str, sector: str) -> _EmployerSlot:
        kinds = [k for k, spec in self.blocks.employers.items() if spec["sector"] == sector and size in spec["sizes"]]
        kind = draws.pick(kinds)
        postcode, location = _place(draws, self.blocks.postcodes[jobcenter[1]])
        employer = Employer(
            id=f"V-{len(self.slots) + 1:04d}",
            name=self._name(draws, kind, jobcenter[0]),
            size=size, sector=sector,
            has_fleksjob_experience=draws.chance(FLEKSJOB_EXPERIENCE_BY_SECTOR[sector]),
            max_fleksjobbere=draws.weighted(MAX_FLEKSJOBBERE_BY_SIZE[size]),
        )
        return _EmployerSlot(PooledEmployer(employer, jobcenter[0], postcode, location), kind)

    def _name(self, draws: Draws, kind: str, town: str) -> str:
        """A Danish firm name, unique within the jobcentre."""
        names = self.blocks.names
        for _ in range(20):
            surname, surname2 = draws.sample(names["surnames"], 2)
            name = draws.pick(self.blocks.employers[kind]["names"]).format(
                town=town, street=draws.pick(names["streets"]), surname=surname, surname2=surname2,
                place=draws.pick(names["places"]))
            if (town, name) not in self.names:
                break
        else:
            name = f"{name} {draws.pick(names['streets'])}"
        self.names.add((town, name))
        return name


def generate_position(index: int, draws: Draws, setting: _Setting, employers: _Employers) -> tuple[Position, str]:
    blocks = setting.blocks
    jobcenter = setting.jobcenters[draws.weighted(setting.jobcenter_weights, draws.stratum(S_POSITION_JOBCENTER))]
    size, sector = draws.weighted(POSITION_SIZE_SECTOR, draws.stratum(S_SIZE_SECTOR))
    slot = employers.for_position(draws, jobcenter, size, sector)
    offered = blocks.employers[slot.kind]["tasks"]
    n_tasks = min(draws.weighted(TASKS_PER_POSITION, draws.stratum(S_TASKS)), len(offered))
    # The kind's first task is its core business and the most common one.
    templates = draws.sample(offered, n_tasks, [3.0 if i == 0 else 1.0 for i in range(len(offered))])
    tasks = [_task(draws, f"t{i + 1}", key, blocks) for i, key in enumerate(templates)]
    single_unsplittable = n_tasks == 1 and not tasks[0]["splittable"]
    position = Position(
        id=f"S-{index + 1:04d}",
        title=_position_title(templates, tasks, blocks),
        employer=slot.pooled.employer,
        location=slot.pooled.location,
        max_people=1 if single_unsplittable else draws.weighted(MAX_PEOPLE),
        min_hours_per_person=min(draws.weighted(MIN_HOURS_PER_PERSON), min(t["hours_per_week"] for t in tasks)),
        tasks=tasks,
        jobcenter=jobcenter[0],
    )
    return position, slot.pooled.postcode


def _task(draws: Draws, task_id: str, key: str, blocks: Blocks) -> dict[str, Any]:
    spec = blocks.tasks[key]
    terms = spec["terms"]
    # The template's first term (what a company usually writes) is the likeliest.
    competences = draws.sample(terms, draws.weighted(TERMS_PER_TASK),
                               [2.0 if i == 0 else 1.0 for i in range(len(terms))])
    task: dict[str, Any] = {
        "id": task_id,
        "title": draws.pick(spec["titles"]),
        "description": draws.pick(spec["descriptions"]),
        "hours_per_week": draws.band(TASK_HOURS_BANDS),
        "competences": competences,
        "demands": _demands(draws, spec["demands"]),
        "splittable": draws.chance(SPLITTABLE_SHARE),
    }
    if draws.chance(TASK_DAYS_SHARE):
        task["days"] = _weekdays(draws, 2, 5, weekend=bool(spec.get("weekend")))
    return task


def _demands(draws: Draws, spec: dict[str, Any]) -> dict[str, Any]:
    demands: dict[str, Any] = dict(spec.get("always", {}))
    for flag, p in spec.get("maybe", {}).items():
        if draws.chance(p):
            demands[flag] = True
    low, high = spec.get("lifting", (0, 0))
    if high > 0 and not (low == 0 and draws.chance(NO_LIFTING_SHARE)):
        demands["lifting_kg"] = float(draws.integer(max(low, 1), high))
    return demands


def _position_title(templates: list[str], tasks: list[dict[str, Any]], blocks: Blocks) -> str:
    """One area: the first task's title. Several: their words, as companies write it ("Rengøring og kantine")."""
    words = list(dict.fromkeys(blocks.areas[blocks.tasks[k]["area"]].short for k in templates))
    if len(words) == 1:
        return tasks[0]["title"]
    title = f"{', '.join(words[:-1])} og {words[-1]}"
    return title[:1].upper() + title[1:]


# ---------------------------------------------------------------------------------------------------------
# The whole pool
# ---------------------------------------------------------------------------------------------------------
def generate_pool(n_citizens: int, n_positions: int, *, seed: int = DEMO_SEED,
                  jobcenters: Sequence[tuple[str, str, float]] | None = None) -> Pool:
    """A synthetic pool: `n_citizens` citizens and `n_positions` positions over the jobcentres (default
    JOBCENTERS: (name, municipality, relative size)). Same arguments, same pool."""
    jobcenters = tuple(jobcenters or JOBCENTERS)
    blocks = load_blocks()
    unknown = [m for _n, m, _w in jobcenters if m not in blocks.postcodes]
    if unknown:
        raise ValueError(f"no postcodes in data/postcodes.csv for municipality {', '.join(unknown)}")
    setting = _Setting(jobcenters, {i: weight for i, (_n, _m, weight) in enumerate(jobcenters)}, blocks)
    citizens = [generate_citizen(i, draws, setting)
                for i, draws in enumerate(Draws.for_stream(seed, "citizen", n_citizens))]
    employers = _Employers(blocks)
    positions = [generate_position(i, draws, setting, employers)
                 for i, draws in enumerate(Draws.for_stream(seed, "position", n_positions))]
    return Pool(
        seed=seed,
        jobcenters=tuple({"name": name, "municipality": municipality} for name, municipality, _w in jobcenters),
        employers=tuple(slot.pooled for slot in employers.slots),
        positions=tuple(position for position, _postcode in positions),
        citizens=tuple(candidate for candidate, _postcode in citizens),
        position_postcodes={position.id: postcode for position, postcode in positions},
        citizen_postcodes={candidate.id: postcode for candidate, postcode in citizens},
    )


# ---------------------------------------------------------------------------------------------------------
# The committed file format: one record per line, fixed key order
# ---------------------------------------------------------------------------------------------------------
def pool_to_json(pool: Pool, generated_by: str | None = None) -> str:
    generated_by = generated_by or (f"python -m service.demo.pool_generator --citizens {len(pool.citizens)} "
                                    f"--positions {len(pool.positions)} --seed {pool.seed}")
    sections = {
        "jobcenters": [dict(jc) for jc in pool.jobcenters],
        "employers": [_employer_record(e) for e in pool.employers],
        "positions": [_position_record(p, pool.position_postcodes[p.id]) for p in pool.positions],
        "citizens": [_citizen_record(c, pool.citizen_postcodes[c.id]) for c in pool.citizens],
    }
    lines = ["{", f'"seed": {json.dumps(pool.seed)},', f'"generated_by": {json.dumps(generated_by, ensure_ascii=False)},']
    for n, (key, records) in enumerate(sections.items()):
        body = ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records)
        closing = "]" if n == len(sections) - 1 else "],"
        lines.append(f'"{key}": [\n{body}\n{closing}' if records else f'"{key}": []' + closing[1:])
    lines.append("}")
    return "\n".join(lines) + "\n"


def _employer_record(pooled: PooledEmployer) -> dict[str, Any]:
    # The consultant's override is never generated; left out when unset, so the committed pool stays as it was.
    unset = set() if pooled.employer.allow_several_new else {"allow_several_new"}
    return {**pooled.employer.model_dump(mode="json", exclude_none=True, exclude=unset), "jobcenter": pooled.jobcenter,
            "postcode": pooled.postcode, "location": pooled.location.model_dump(mode="json")}


def _position_record(position: Position, postcode: str) -> dict[str, Any]:
    record = position.model_dump(mode="json", exclude_none=True, exclude={"employer", "tasks", "jobcenter"})
    record["employer_id"] = position.employer.id
    record["tasks"] = [{**task.model_dump(mode="json", exclude_none=True, exclude={"demands"}),
                        "demands": task.demands.model_dump(mode="json", exclude_defaults=True)}
                       for task in position.tasks]
    record["jobcenter"] = position.jobcenter
    record["postcode"] = postcode
    return record


def _citizen_record(candidate: Candidate, postcode: str) -> dict[str, Any]:
    record = candidate.model_dump(mode="json", exclude_none=True)
    if not record.get("attributes"):
        record.pop("attributes", None)
    record["postcode"] = postcode
    return record


def pool_from_json(text: str) -> Pool:
    """Read and validate a pool file; every record goes through the contract schemas."""
    raw = json.loads(text)
    employers = []
    for record in raw["employers"]:
        fields = dict(record)
        jobcenter, postcode, location = fields.pop("jobcenter"), fields.pop("postcode"), fields.pop("location")
        employers.append(PooledEmployer(Employer.model_validate(fields), jobcenter, postcode,
                                        Location.model_validate(location)))
    by_id = {e.employer.id: e.employer for e in employers}
    positions, position_postcodes = [], {}
    for record in raw["positions"]:
        fields = dict(record)
        postcode = fields.pop("postcode")
        fields["employer"] = by_id[fields.pop("employer_id")]
        position = Position.model_validate(fields)
        positions.append(position)
        position_postcodes[position.id] = postcode
    citizens, citizen_postcodes = [], {}
    for record in raw["citizens"]:
        fields = dict(record)
        postcode = fields.pop("postcode")
        candidate = Candidate.model_validate(fields)
        citizens.append(candidate)
        citizen_postcodes[candidate.id] = postcode
    return Pool(seed=int(raw["seed"]), jobcenters=tuple(dict(jc) for jc in raw["jobcenters"]),
                employers=tuple(employers), positions=tuple(positions), citizens=tuple(citizens),
                position_postcodes=position_postcodes, citizen_postcodes=citizen_postcodes)


def load_demo_pool(path: Path = DEMO_POOL_PATH) -> Pool:
    return pool_from_json(path.read_text(encoding="utf-8"))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m service.demo.pool_generator",
                                     description="Generate a deterministic synthetic FleksMatch pool.")
    parser.add_argument("--citizens", type=int, default=DEMO_CITIZENS)
    parser.add_argument("--positions", type=int, default=DEMO_POSITIONS)
    parser.add_argument("--seed", type=int, default=DEMO_SEED)
    parser.add_argument("--out", type=Path, default=DEMO_POOL_PATH)
    args = parser.parse_args(argv)
    pool = generate_pool(args.citizens, args.positions, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(pool_to_json(pool), encoding="utf-8")
    print(f"{args.out}: {len(pool.citizens)} borgere, {len(pool.employers)} virksomheder, "
          f"{len(pool.positions)} stillinger i {len(pool.jobcenters)} jobcentre (seed {pool.seed})")


if __name__ == "__main__":
    main()
