"""The soft score: every weight and shape parameter in one documented place, and the component functions.

A pair (candidate, task) that passed every hard constraint gets

    score = clip( Σ_k weight_k · component_k  −  soft_restriction_penalty · soft_load , 0, 1 )

where soft_load sums, over the soft restrictions the task touches, how far it exceeds each (`soft_severity`).

with components in [0, 1]: competence, hours, distance, wishes, urgency (see `Weights`). A candidate's
score is the best pair score over their feasible tasks (`PairScores.candidate_score`): the consultant
proposes a person for the task they fit best, and the OR-Tools split decides how tasks are shared.

The component functions take numpy arrays (or plain floats) and are used both by the vectorised ranking
and by the per-pair reference scorer in benchmarks/, so the two cannot drift apart in their formulas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

COMPONENTS: tuple[str, ...] = ("competence", "hours", "distance", "wishes", "urgency")


@dataclass(frozen=True)
class Weights:
    competence: float = 0.66
    """Share of the score for how well the citizen's competences cover the task's required competences
    (mean coverage over the required terms). Two thirds of the score: an oversold citizen is the failure
    the reports name first, so urgency and wishes may reorder comparable fits but not lift a poor fit above
    a good one (`preference_band`)."""

    hours: float = 0.14
    """Share for hours fit: how the hours the task would fill compare with the citizen's capacity."""

    distance: float = 0.10
    """Share for nearness of the workplace (the hard `max_commute_km` limit is a constraint, not this)."""

    wishes: float = 0.04
    """Share for the citizen's wished work areas matching the task's competence family."""

    urgency: float = 0.06
    """Share for LY urgency: consultants prioritise citizens near 18 LY months in the last 24 (the line
    after which the municipality loses state refusion). With `wishes` it decides between comparable fits
    only: see `preference_band`."""

    soft_restriction_penalty: float = 0.08
    """Subtracted per soft (less central) restriction the task touches, scaled by how far the task exceeds
    it (`soft_severity`: 1 for a yes/no demand, the lifting excess as a share of the limit, at most 1); each
    such restriction also appears as an accommodation the employer must make."""

    hours_target_ratio: float = 0.85
    """Preferred share of capacity to fill: just below capacity leaves room for bad days. A task that
    fills exactly this share scores 1.0 on hours."""

    hours_at_capacity: float = 0.85
    """Hours score when the task fills the citizen's whole capacity (hours are never offered above it)."""

    distance_scale_km: float = 20.0
    """Distance decay: the distance component is exp(-km / scale), 0.37 at this many km."""

    distance_unknown: float = 0.5
    """Distance component when either location is unknown: neutral, neither rewarded nor punished."""

    urgency_midpoint_months: float = 15.0
    """LY months at which urgency is 0.5; it rises steeply towards and past the 18-month refusion line."""

    urgency_spread_months: float = 2.0
    """Steepness of the urgency curve (logistic scale in months): 0.82 at 18 months, 0.05 at 9."""

    no_competence_required: float = 1.0
    """Competence component for a task that lists no required competences (anyone can do it)."""

    wish_related_credit: float = 0.5
    """Wish credit per unit of family relation when a wished family is related, not equal, to the task's."""

    @property
    def preference_band(self) -> float:
        """The largest lead in competence (0–1) that urgency and wishes together can overturn: between two
        pairs with equal hours, distance and soft restrictions, the one whose competence is higher by more
        than this always scores higher, however urgent or keen the other citizen is. Today 0.15: a full match
        beats a sibling's partial credit (1.0 or 0.63 from a CV against 0.45), while two full matches are
        ordered by urgency."""
        return (self.wishes + self.urgency) / self.competence if self.competence > 0 else float("inf")

    def of(self, component: str) -> float:
        """The weight of a component by name (one of COMPONENTS)."""
        if component not in COMPONENTS:
            raise KeyError(component)
        return getattr(self, component)


DEFAULT_WEIGHTS = Weights()
"""Today's weights: what every entry point uses unless given others (learning from outcomes will)."""


def hours_fit(task_hours, capacity_hours, weights: Weights = DEFAULT_WEIGHTS):
    """Hours component from the share of capacity the task fills (offered hours are capped at capacity).

    Rises linearly to 1.0 at `hours_target_ratio`, then falls to `hours_at_capacity` at full capacity.
    """
    task_hours = np.asarray(task_hours, dtype=float)
    capacity = np.maximum(np.asarray(capacity_hours, dtype=float), 1.0)
    ratio = np.minimum(task_hours, capacity) / capacity
    target = weights.hours_target_ratio
    below = ratio / target
    above = 1.0 - (ratio - target) / (1.0 - target) * (1.0 - weights.hours_at_capacity)
    return np.where(ratio <= target, below, above)


def distance_decay(distance_km, weights: Weights = DEFAULT_WEIGHTS):
    """Distance component; NaN (unknown distance) gives the neutral value."""
    distance_km = np.asarray(distance_km, dtype=float)
    unknown = np.isnan(distance_km)
    decay = np.exp(-np.where(unknown, 0.0, distance_km) / weights.distance_scale_km)
    return np.where(unknown, weights.distance_unknown, decay)


def urgency(ly_months, weights: Weights = DEFAULT_WEIGHTS):
    """Urgency component: logistic in LY months within the last 24."""
    ly_months = np.asarray(ly_months, dtype=float)
    return 1.0 / (1.0 + np.exp(-(ly_months - weights.urgency_midpoint_months) / weights.urgency_spread_months))


def soft_lifting_severity(task_kg, limit_kg):
    """How far a task's lifting exceeds a soft limit, as a share of the limit, 0–1: 1 kg over a 5 kg limit
    is 0.2, twice the limit or more is 1 (a task within the limit is 0). A limit of 0 kg exceeded is 1."""
    task_kg = np.asarray(task_kg, dtype=float)
    limit_kg = np.asarray(limit_kg, dtype=float)
    excess = np.maximum(task_kg - limit_kg, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(limit_kg > 0, excess / np.where(limit_kg > 0, limit_kg, 1.0), np.where(excess > 0, 1.0, 0.0))
    return np.minimum(np.where(np.isfinite(limit_kg), share, 0.0), 1.0)


def combine(components: Mapping[str, ArrayLike], n_soft: ArrayLike, weights: Weights = DEFAULT_WEIGHTS) -> np.ndarray:
    """The pair score from its components by name (exactly COMPONENTS, arrays that broadcast together) and
    the soft load: the soft restrictions the task touches, each weighted by how far the task exceeds it. Terms are added in COMPONENTS order, so the same
    components always give the same bits."""
    if set(components) != set(COMPONENTS):
        raise ValueError(f"combine needs exactly the components {COMPONENTS}, got {tuple(components)}")
    total = None
    for name in COMPONENTS:
        term = weights.of(name) * np.asarray(components[name], dtype=float)
        total = term if total is None else total + term
    total = total - weights.soft_restriction_penalty * np.asarray(n_soft, dtype=float)
    return np.clip(total, 0.0, 1.0)
