"""The hard rules, one registry entry each (in the spirit of Timefold's constraint providers).

A rule is its exclusion code (`models.vocabulary.ExclusionCode`, whose label the UI shows), its scope, a
vectorised mask over the whole pool, and a builder of the Danish reasons a consultant reads. Scope `PAIR`
judges one candidate × one task ([n, T]); scope `CANDIDATE` judges one candidate × a whole position
([n, P]) and closes every task of it. `Feasibility`, the exclusion reasons and the labels all come from
`RULES`, so adding a rule is one entry here plus one vocabulary member.

The caller may rule candidates out itself: `Block`s (stored matching knows reservations and earlier
rejections the request does not carry) go through the same path as the rules' own verdicts: a block's code
must be a rule of candidate scope; its Danish detail becomes the reason. A rule may have no mask of its own
and exist only for blocks: stored matching's `rejected_before` (by whom, when, why) will be the entry
`HardRule(ExclusionCode.rejected_before, Scope.CANDIDATE, None, None)`, and reservations (praktik, contacted
elsewhere) are `unavailable` blocks.

Order matters: the reasons of an excluded candidate are listed rule by rule in registry order, the
candidate-scope rules first, then each task's pair rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from matcher import explain
from matcher.columns import TaskColumns
from matcher.constraints import Feasibility, restriction_conflicts
from matcher.pool_index import PoolIndex
from models.danish import number
from models.schemas import Candidate, ExclusionReason, Position, Task
from models.vocabulary import CitizenStatus, ExclusionCode


class Scope(Enum):
    PAIR = "pair"            # candidate × task
    CANDIDATE = "candidate"  # candidate × whole position


@dataclass(frozen=True)
class RuleInput:
    """What a mask reads: the pool, the task columns and the distances [n, P] (NaN when unknown)."""

    index: PoolIndex
    columns: TaskColumns
    distance_km: np.ndarray


@dataclass(frozen=True)
class Case:
    """What a reason builder reads: one candidate, one position, and the task for pair rules."""

    candidate: Candidate
    position: Position
    distance_km: float
    task: Task | None = None


Reason = tuple[str | None, str]
"""(the restriction code the reason names, or None; the Danish detail)"""


@dataclass(frozen=True)
class HardRule:
    code: ExclusionCode
    scope: Scope
    mask: Callable[[RuleInput], np.ndarray] | None   # None: the rule holds only where the caller blocks
    reasons: Callable[[Case], list[Reason]] | None   # called only where the mask holds

    def __post_init__(self) -> None:
        if self.mask is not None and self.reasons is None:
            raise ValueError(f"rule {self.code}: a mask needs a reason builder")
        if self.scope is Scope.PAIR and self.mask is None:
            raise ValueError(f"rule {self.code}: only candidate-scope rules may hold by blocks alone")

    @property
    def label(self) -> str:
        return self.code.label


@dataclass(frozen=True)
class Block:
    """The caller's own reason to keep a candidate out: of one position, or (position_id None) of every
    position evaluated. `detail` is the Danish reason shown, e.g. "i virksomhedspraktik hos Bageriet A/S
    til 2027-01-04". Blocks for candidates or positions not in the evaluation are ignored."""

    candidate_id: str
    code: ExclusionCode
    detail: str
    position_id: str | None = None


# ---- candidate scope --------------------------------------------------------------------------------


def _unavailable(x: RuleInput) -> np.ndarray:
    return np.broadcast_to(~x.index.available[:, None], (x.index.size, len(x.columns.positions)))


def _unavailable_reasons(case: Case) -> list[Reason]:
    status = CitizenStatus.label_of(case.candidate.status).lower()
    return [(None, f"borgeren er ikke ledig ({status})")]


def _no_capacity(x: RuleInput) -> np.ndarray:
    return x.index.capacity_hours[:, None] < x.columns.min_hours[None, :]


def _no_capacity_reasons(case: Case) -> list[Reason]:
    return [(None, f"arbejdsevne {case.candidate.capacity_hours} t/uge, stillingen kræver mindst "
                   f"{case.position.min_hours_per_person} t pr. person")]


def _too_far(x: RuleInput) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return x.distance_km > x.index.max_commute_km[:, None]  # NaN (unknown) compares False: not excluded


def _too_far_reasons(case: Case) -> list[Reason]:
    return [(None, f"afstand {number(case.distance_km)} km, borgeren højst {number(case.candidate.max_commute_km)} km")]


# ---- pair scope ----------------------------------------------------------------------------------------


def _restriction_conflict(x: RuleInput) -> np.ndarray:
    return restriction_conflicts(x.index.hard_mask, x.index.hard_max_lift, x.columns.tasks)


def _restriction_conflict_reasons(case: Case) -> list[Reason]:
    return list(explain.task_conflicts(case.candidate, case.task, "hard"))


def _missing_licence(x: RuleInput) -> np.ndarray:
    return x.columns.tasks.needs_licence[None, :] & ~x.index.driving_licence[:, None]


def _missing_licence_reasons(case: Case) -> list[Reason]:
    return [(None, "opgaven kræver kørekort")]


def _no_common_days(x: RuleInput) -> np.ndarray:
    return (x.index.day_mask[:, None] & x.columns.tasks.day_mask[None, :]) == 0


def _no_common_days_reasons(case: Case) -> list[Reason]:
    return [(None, f"ingen fælles arbejdsdage (opgaven: {explain.days_text(case.task.days)}; "
                   f"borgeren: {explain.days_text(case.candidate.available_days)})")]


RULES: tuple[HardRule, ...] = (
    HardRule(ExclusionCode.unavailable, Scope.CANDIDATE, _unavailable, _unavailable_reasons),
    HardRule(ExclusionCode.no_capacity, Scope.CANDIDATE, _no_capacity, _no_capacity_reasons),
    HardRule(ExclusionCode.too_far, Scope.CANDIDATE, _too_far, _too_far_reasons),
    # Stored matching only: the lifecycle blocks a citizen rejected for the position (docs/lifecycle.md).
    HardRule(ExclusionCode.rejected_before, Scope.CANDIDATE, None, None),
    HardRule(ExclusionCode.restriction_conflict, Scope.PAIR, _restriction_conflict, _restriction_conflict_reasons),
    HardRule(ExclusionCode.missing_licence, Scope.PAIR, _missing_licence, _missing_licence_reasons),
    HardRule(ExclusionCode.no_common_days, Scope.PAIR, _no_common_days, _no_common_days_reasons),
)
CANDIDATE_RULES = tuple(rule for rule in RULES if rule.scope is Scope.CANDIDATE)
PAIR_RULES = tuple(rule for rule in RULES if rule.scope is Scope.PAIR)
LABELS: dict[str, str] = {rule.code: rule.label for rule in RULES}
"""exclusion code → Danish label, in registry order (what the UI shows beside a reason)."""


def rule(code: str) -> HardRule:
    return next(r for r in RULES if r.code == code)


# ---- evaluation ------------------------------------------------------------------------------------------


def evaluate(x: RuleInput, blocks: Iterable[Block] = ()) -> Feasibility:
    """Every rule's mask, and the caller's blocks, for the whole pool × every column."""
    return Feasibility(
        pair={r.code: r.mask(x) for r in PAIR_RULES if r.mask is not None},
        candidate={r.code: r.mask(x) for r in CANDIDATE_RULES if r.mask is not None},
        supplied=_supplied(x, blocks),
        owner=x.columns.owner,
        shape=(x.index.size, len(x.columns.positions)),
    )


def _supplied(x: RuleInput, blocks: Iterable[Block]) -> dict[tuple[int, int], tuple[tuple[str, str], ...]]:
    accepted = {r.code for r in CANDIDATE_RULES}
    positions = {pid: k for k, pid in enumerate(x.columns.position_ids)}
    out: dict[tuple[int, int], tuple[tuple[str, str], ...]] = {}
    for block in blocks:
        if block.code not in accepted:
            raise ValueError(f"a block must name a rule of candidate scope, not {block.code!r}")
        try:
            row = x.index.position_of(block.candidate_id)
        except KeyError:
            continue
        ks = range(len(positions)) if block.position_id is None else [positions.get(block.position_id)]
        for k in ks:
            if k is not None:
                out[(row, k)] = out.get((row, k), ()) + ((str(block.code), block.detail),)
    return out


# ---- reasons ------------------------------------------------------------------------------------------------


def candidate_reasons(f: Feasibility, case: Case, row: int, k: int) -> list[ExclusionReason]:
    """Why position k as a whole is closed to the candidate in `row`: every candidate-scope rule that holds,
    then the caller's blocks of that rule."""
    out = []
    for r in CANDIDATE_RULES:
        if r.mask is not None and f.candidate[r.code][row, k]:
            out += [ExclusionReason(code=r.code, restriction=code, detail=detail) for code, detail in r.reasons(case)]
        out += [ExclusionReason(code=r.code, detail=detail) for detail in f.supplied_details(row, k, r.code)]
    return out


def pair_reasons(f: Feasibility, case: Case, row: int, column: int) -> list[ExclusionReason]:
    """Why the task in `column` is closed to the candidate in `row`: every pair rule that holds."""
    out = []
    for r in PAIR_RULES:
        if f.pair[r.code][row, column]:
            out += [ExclusionReason(code=r.code, task_id=case.task.id, restriction=code, detail=detail)
                    for code, detail in r.reasons(case)]
    return out


__all__ = ["Block", "CANDIDATE_RULES", "Case", "HardRule", "LABELS", "PAIR_RULES", "RULES", "RuleInput", "Scope",
           "candidate_reasons", "evaluate", "pair_reasons", "rule"]
