"""Fairness monitoring: do proposals and hires differ between groups of citizens? (docs/kpis.md)

Pure: per citizen the attributes and what happened in the period in, per attribute and group the rates out.
Personal attributes never change a score or a ranking (docs/matching.md#fairness); this module is the only
place besides storage that reads them, and matcher/ never imports it.

Per monitored attribute (`gender`, `age_band`) and group, over the citizens available in the period:

- `n`, `proposed_rate` (share proposed at least once) and `hired_rate` (share hired), computed with
  fairlearn's `MetricFrame`;
- for each rate the ratio to the best group's rate and a flag when it is under 0.8 (the four-fifths rule);
- seeded bootstrap confidence intervals of the rates and the ratios (deterministic: same input, same output,
  in any order);
- a Danish note when the group, or the best group it is compared with, is too small to judge.

Citizens without a recorded attribute form their own `unknown` group ("Ukendt"): leaving them out could hide
exactly the citizens whose outcomes differ. That group is shown like the others but is never the best group
the others are compared with, since it is not a value of the attribute.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, selection_rate

from models.vocabulary import AgeBand, FairnessAttribute, Gender

FOUR_FIFTHS = 0.8
"""A group whose rate is below this share of the best group's rate is flagged."""
MIN_GROUP_SIZE = 30
"""Below this many citizens a group is too small to judge: one citizen moves its rate by more than 3
percentage points, and its 95 % interval is typically wider than ±15 points, so a four-fifths flag on it is
mostly chance. 30 is the usual rule of thumb for a binomial share; the intervals show what remains above it."""
CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 20191130

UNKNOWN = "unknown"
"""The group of citizens without a recorded attribute."""
UNKNOWN_LABEL = "Ukendt"

RATES = ("proposed", "hired")


@dataclass(frozen=True)
class FairnessRecord:
    """One citizen: attributes (None when not recorded) and what happened to them in the period."""

    citizen_id: str
    gender: str | None
    birth_year: int | None
    available_in_period: bool
    proposed: bool
    hired: bool


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class RateComparison:
    """One rate of one group: the rate, its interval, the ratio to the best group's rate (None when no group
    has a positive rate) with its interval, and the four-fifths flag."""

    rate: float
    interval: Interval
    ratio: float | None
    ratio_interval: Interval | None
    flagged: bool


@dataclass(frozen=True)
class GroupFairness:
    group: str
    label: str
    n: int
    proposed: RateComparison
    hired: RateComparison
    note: str | None

    def as_dict(self) -> dict[str, object]:
        """The flat JSON shape of docs/kpis.md: `proposed_rate`, `proposed_rate_ci`, `proposed_ratio`,
        `proposed_ratio_ci`, `proposed_flag`, the same for `hired_`, and `note`."""
        shape: dict[str, object] = {"group": self.group, "label": self.label, "n": self.n}
        for name in RATES:
            rate: RateComparison = getattr(self, name)
            shape |= {f"{name}_rate": rate.rate, f"{name}_rate_ci": _pair(rate.interval),
                      f"{name}_ratio": rate.ratio, f"{name}_ratio_ci": _pair(rate.ratio_interval),
                      f"{name}_flag": rate.flagged}
        return shape | {"note": self.note}


@dataclass(frozen=True)
class AttributeFairness:
    """The groups of one attribute, in code-set order (`unknown` last), and which group is the best of each
    rate (None when no group has a positive rate)."""

    attribute: str
    label: str
    groups: tuple[GroupFairness, ...]
    best_proposed: str | None
    best_hired: str | None

    def as_dict(self) -> dict[str, object]:
        return {"attribute": self.attribute, "label": self.label, "best_proposed": self.best_proposed,
                "best_hired": self.best_hired, "groups": [group.as_dict() for group in self.groups]}


@dataclass(frozen=True)
class FairnessReport:
    reference_date: date
    n: int
    attributes: tuple[AttributeFairness, ...]

    def attribute(self, name: str) -> AttributeFairness:
        return next(a for a in self.attributes if a.attribute == name)


def _pair(interval: Interval | None) -> list[float] | None:
    return None if interval is None else [interval.low, interval.high]


# ---- groups --------------------------------------------------------------------------------------------


def age_band(birth_year: int | None, reference_date: date) -> str:
    """The age band of the age reached in the reference date's year (only the birth year is known)."""
    if birth_year is None:
        return UNKNOWN
    age = reference_date.year - birth_year
    if age < 40:
        return AgeBand.age_under_40.value
    if age < 50:
        return AgeBand.age_40_49.value
    if age < 60:
        return AgeBand.age_50_59.value
    return AgeBand.age_60_plus.value


def gender_group(gender: str | None) -> str:
    if gender is None:
        return UNKNOWN
    if gender not in Gender.codes():
        raise ValueError(f"ukendt køn {gender!r}; tilladt: {', '.join(Gender.codes())}")
    return gender


_CODE_SETS = {FairnessAttribute.gender.value: Gender, FairnessAttribute.age_band.value: AgeBand}


def group_label(attribute: str, group: str) -> str:
    return UNKNOWN_LABEL if group == UNKNOWN else _CODE_SETS[attribute].label_of(group)


def _group_order(attribute: str) -> tuple[str, ...]:
    return (*_CODE_SETS[attribute].codes(), UNKNOWN)


# ---- the report ----------------------------------------------------------------------------------------


def fairness_report(records: Iterable[FairnessRecord], reference_date: date, *, seed: int = SEED,
                    resamples: int = RESAMPLES) -> FairnessReport:
    """Per monitored attribute and group, the rates, ratios, flags, intervals and notes over the citizens
    available in the period. Age is reckoned at `reference_date` (normally the period's last day)."""
    available = [r for r in _unique(records) if r.available_in_period]
    proposed = np.array([r.proposed for r in available], dtype=bool)
    hired = np.array([r.hired for r in available], dtype=bool)
    groups_of = {
        FairnessAttribute.gender.value: [gender_group(r.gender) for r in available],
        FairnessAttribute.age_band.value: [age_band(r.birth_year, reference_date) for r in available],
    }
    attributes = tuple(_attribute(name, np.array(groups, dtype=object), proposed, hired, seed, resamples)
                       for name, groups in groups_of.items())
    return FairnessReport(reference_date=reference_date, n=len(available), attributes=attributes)


def _unique(records: Iterable[FairnessRecord]) -> list[FairnessRecord]:
    records = list(records)
    seen: set[str] = set()
    for record in records:
        if record.citizen_id in seen:
            raise ValueError(f"borger {record.citizen_id} optræder mere end én gang")
        seen.add(record.citizen_id)
    return records


def _hired_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """MetricFrame passes two label arrays: proposed is `y_pred`, hired is `y_true`."""
    return float(np.mean(y_true))


def group_rates(groups: np.ndarray, proposed: np.ndarray, hired: np.ndarray) -> dict[str, tuple[int, float, float]]:
    """group → (n, proposed_rate, hired_rate), with fairlearn's MetricFrame."""
    if len(groups) == 0:
        return {}
    frame = MetricFrame(metrics={"n": count, "proposed_rate": selection_rate, "hired_rate": _hired_rate},
                        y_true=hired.astype(int), y_pred=proposed.astype(int),
                        sensitive_features=pd.Series(groups, name="group"))  # a Series: one citizen is fine too
    return {str(group): (int(row["n"]), float(row["proposed_rate"]), float(row["hired_rate"]))
            for group, row in frame.by_group.iterrows()}


def _attribute(attribute: str, groups: np.ndarray, proposed: np.ndarray, hired: np.ndarray, seed: int,
               resamples: int) -> AttributeFairness:
    rates = group_rates(groups, proposed, hired)
    present = [group for group in _group_order(attribute) if group in rates]
    sizes = {group: rates[group][0] for group in present}
    compared = {name: _compare(attribute, name, {g: rates[g][1 + i] for g in present}, sizes, seed, resamples)
                for i, name in enumerate(RATES)}
    best = {name: compared[name][1] for name in RATES}
    return AttributeFairness(
        attribute=attribute, label=FairnessAttribute.label_of(attribute),
        groups=tuple(GroupFairness(group=group, label=group_label(attribute, group), n=sizes[group],
                                   proposed=compared["proposed"][0][group], hired=compared["hired"][0][group],
                                   note=_note(attribute, group, sizes, best))
                     for group in present),
        best_proposed=best["proposed"], best_hired=best["hired"],
    )


def _compare(attribute: str, rate_name: str, rates: dict[str, float], sizes: dict[str, int], seed: int,
             resamples: int) -> tuple[dict[str, RateComparison], str | None]:
    """Every group's RateComparison for one rate, and the best group (None when no rate is positive)."""
    known = [group for group in rates if group != UNKNOWN]
    best = max(known, key=lambda g: (rates[g], sizes[g]), default=None)  # ties: the larger group
    if best is not None and rates[best] == 0:
        best = None
    draws = {group: _resampled_rates(attribute, rate_name, group, sizes[group], rates[group], seed, resamples)
             for group in rates}
    alpha = (1 - CONFIDENCE) / 2
    compared = {}
    for group, rate in rates.items():
        ratio, flagged = _ratio(rate, sizes[group], rates[best], sizes[best]) if best is not None else (None, False)
        ratio_interval = None
        if best is not None:
            # The ratio of the two groups' resampled rates; resamples where the best group has none are dropped.
            with np.errstate(divide="ignore", invalid="ignore"):
                ratios = draws[group] / draws[best]
            ratio_interval = _interval(ratios[np.isfinite(ratios)], alpha)
        compared[group] = RateComparison(rate=rate, interval=_interval(draws[group], alpha), ratio=ratio,
                                         ratio_interval=ratio_interval, flagged=flagged)
    return compared, best


def _ratio(rate: float, n: int, best_rate: float, best_n: int) -> tuple[float, bool]:
    """The ratio to the best group's rate and the four-fifths flag, from the whole counts behind the rates so
    that a ratio of exactly 0.8 is not flagged by a rounding error (0.08 / 0.1 is 0.7999… in floating point)."""
    count, best_count = round(rate * n), round(best_rate * best_n)
    return (count * best_n) / (n * best_count), 5 * count * best_n < 4 * n * best_count


def _resampled_rates(attribute: str, rate_name: str, group: str, n: int, rate: float, seed: int,
                     resamples: int) -> np.ndarray:
    """Bootstrap rates of one group: resampling its n citizens with replacement makes the number with the
    outcome Binomial(n, rate), so that is drawn directly. Each group has its own stream, seeded by the seed
    and the group's name, so the draws do not depend on input order or on which other groups exist."""
    stream = zlib.crc32(f"{attribute}/{rate_name}/{group}".encode())
    rng = np.random.default_rng([seed, stream])
    return rng.binomial(n, rate, size=resamples) / n


def _interval(values: np.ndarray, alpha: float) -> Interval | None:
    if values.size == 0:
        return None
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return Interval(float(low), float(high))


def _note(attribute: str, group: str, sizes: dict[str, int], best: dict[str, str | None]) -> str | None:
    """Danish: why this group's figures cannot be judged, if they cannot."""
    parts = []
    if sizes[group] < MIN_GROUP_SIZE:
        parts.append(f"Kun {_citizens(sizes[group])} i gruppen: for få til at vurdere "
                     f"(under {MIN_GROUP_SIZE}), så en forskel kan være tilfældig.")
    small_best = sorted({g for g in best.values() if g is not None and g != group and sizes[g] < MIN_GROUP_SIZE},
                        key=_group_order(attribute).index)
    for other in small_best:
        parts.append(f"Sammenlignes med {group_label(attribute, other)}, der kun har {_citizens(sizes[other])}: "
                     f"forholdstallet er usikkert.")
    return " ".join(parts) or None


def _citizens(n: int) -> str:
    return f"{n} borger" if n == 1 else f"{n} borgere"


__all__ = [
    "CONFIDENCE", "FOUR_FIFTHS", "MIN_GROUP_SIZE", "RESAMPLES", "SEED", "UNKNOWN", "UNKNOWN_LABEL",
    "AttributeFairness", "FairnessRecord", "FairnessReport", "GroupFairness", "Interval", "RateComparison",
    "age_band", "fairness_report", "gender_group", "group_label", "group_rates",
]
