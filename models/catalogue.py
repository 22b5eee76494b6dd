"""The skånehensyn catalogue (data/restrictions.yaml) as typed, immutable lookups.

The catalogue is a fixed contract: codes and demand names come from docs/matching.md. Loaded once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from models.paths import DATA_DIR
from models.vocabulary import Day

DAYS: tuple[str, ...] = Day.codes()
DAY_LABELS: dict[str, str] = Day.labels()
# The one numeric demand; every other demand is a yes/no flag.
NUMERIC_DEMAND = "lifting_kg"
# Demands that need a capability on the citizen rather than the absence of a restriction.
LICENCE_DEMAND = "driving"


@dataclass(frozen=True)
class RestrictionSpec:
    code: str
    label: str
    description: str
    value_type: str  # "number" or "none"
    demand: str
    demand_label: str
    phrases: tuple[str, ...]

    @property
    def takes_value(self) -> bool:
        return self.value_type == "number"


@dataclass(frozen=True)
class Catalogue:
    restrictions: dict[str, RestrictionSpec]
    soft_markers: tuple[str, ...]
    hard_markers: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.restrictions)

    @property
    def demands(self) -> tuple[str, ...]:
        return tuple(spec.demand for spec in self.restrictions.values())

    def by_demand(self, demand: str) -> RestrictionSpec:
        for spec in self.restrictions.values():
            if spec.demand == demand:
                return spec
        raise KeyError(demand)

    def demand_label(self, demand: str) -> str:
        return self.by_demand(demand).demand_label


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    raw = yaml.safe_load((DATA_DIR / "restrictions.yaml").read_text(encoding="utf-8"))
    specs = {}
    for entry in raw["restrictions"]:
        spec = RestrictionSpec(
            code=entry["code"], label=entry["label"], description=entry["description"],
            value_type=entry["value_type"], demand=entry["demand"], demand_label=entry["demand_label"],
            phrases=tuple(entry.get("phrases", ())),
        )
        specs[spec.code] = spec
    return Catalogue(
        restrictions=specs,
        soft_markers=tuple(raw.get("soft_markers", ())),
        hard_markers=tuple(raw.get("hard_markers", ())),
    )
