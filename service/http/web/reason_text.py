"""Restriction reasons and accommodations grouped per skånehensyn, so a row says each thing once.

The matcher explains per task ("Maks. løft (kg): opgaven kræver løft op til 7 kg …" once for every task
that lifts); a consultant reads one line per restriction naming the tasks it concerns:
"Maks. løft 5 kg: Anretning (7 kg), Varemodtagelse (19 kg) og Rengøring (10 kg) kræver tungere løft."
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from models.catalogue import NUMERIC_DEMAND, load_catalogue
from models.danish import and_list, number
from models.schemas import Accommodation, ExclusionReason, Position
from models.vocabulary import ExclusionCode


@dataclass(frozen=True)
class ReasonLine:
    heading: str
    text: str


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _restriction_line(code: str, task_ids: list[str], position: Position, limit: float | None) -> ReasonLine:
    spec = load_catalogue().restrictions.get(code)
    tasks = {task.id: task for task in position.tasks}
    titles = [tasks[t].title if t in tasks else t for t in task_ids]
    every = len(set(task_ids)) == len(position.tasks) > 1
    if spec is None:
        return ReasonLine(code, and_list(titles))
    if spec.demand == NUMERIC_DEMAND:
        heading = f"Maks. løft {number(limit)} kg" if limit is not None else spec.label
        weights = and_list(f"{tasks[t].title} ({number(tasks[t].demands.lifting_kg)} kg)" if t in tasks else t
                           for t in task_ids)
        return ReasonLine(heading, f"{weights} kræver tungere løft.")
    demand = _lower_first(spec.demand_label)
    subject = "Alle opgaverne" if every else and_list(titles)
    return ReasonLine(spec.label, f"{subject} kræver {demand}.")


def _grouped_by_restriction(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """restriction code → its task ids, both in first-seen order."""
    grouped: dict[str, list[str]] = {}
    for code, task_id in pairs:
        tasks = grouped.setdefault(code, [])
        if task_id not in tasks:
            tasks.append(task_id)
    return grouped


def accommodation_lines(accommodations: Iterable[Accommodation], position: Position,
                        limits: Mapping[str, float] | None = None) -> list[ReasonLine]:
    """One line per soft restriction the employer must accommodate. `limits`: restriction code → the
    citizen's value (the lifting limit), when the page knows the citizen."""
    grouped = _grouped_by_restriction((a.restriction, a.task_id) for a in accommodations)
    return [_restriction_line(code, tasks, position, (limits or {}).get(code)) for code, tasks in grouped.items()]


def exclusion_lines(reasons: Iterable[ExclusionReason], position: Position,
                    limits: Mapping[str, float] | None = None) -> list[ReasonLine]:
    """One line per restriction in conflict and one per other reason (same detail, tasks named together)."""
    reasons = list(reasons)
    lines: list[ReasonLine] = []
    conflicts = _grouped_by_restriction((r.restriction or "", r.task_id or "") for r in reasons
                                        if r.code == ExclusionCode.restriction_conflict)
    others: dict[tuple[str, str], list[str]] = {}
    for reason in reasons:
        if reason.code != ExclusionCode.restriction_conflict:
            tasks = others.setdefault((reason.code, reason.detail), [])
            if reason.task_id and reason.task_id not in tasks:
                tasks.append(reason.task_id)
    titles = {task.id: task.title for task in position.tasks}
    for (code, detail), task_ids in others.items():
        label = ExclusionCode.label_of(code)
        heading = f"{label} ({and_list(titles.get(t, t) for t in task_ids)})" if task_ids else label
        lines.append(ReasonLine(heading, detail[:1].upper() + detail[1:] + "."))
    label = ExclusionCode.restriction_conflict.label
    for code, task_ids in conflicts.items():
        line = _restriction_line(code, task_ids, position, (limits or {}).get(code))
        lines.append(ReasonLine(f"{label} – {line.heading}", line.text))
    return lines


__all__ = ["ReasonLine", "accommodation_lines", "exclusion_lines"]
