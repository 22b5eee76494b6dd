"""The candidate list on the stilling page: filter, sort and "vis flere" over the ranking stored with the
current match run, without JavaScript (a GET form; every state is a link a consultant can bookmark).

A sentence that would stand on most cards ("Arbejdsevne er estimeret …", "Afstand ukendt …") is shown
once above the list; each card keeps the fact itself (hours "estimeret", "afstand ukendt").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.explain import ESTIMATED_CAPACITY_NOTE, UNKNOWN_DISTANCE_NOTE
from matcher.geo import haversine_km
from models import orm
from models.schemas import Position, RankedCandidate
from service.http.web.query_params import one_of, whole_number
from service.http.web.reason_text import ReasonLine, accommodation_lines

PAGE_SIZE = 10
MAX_SHOWN = 200
SORTS = {"match": "Bedste match", "timer": "Flest timer", "afstand": "Kortest afstand"}
# Notes that state a general fact each card also shows on its own ("estimeret", "afstand ukendt"): shown once.
GENERAL_NOTES = (ESTIMATED_CAPACITY_NOTE, UNKNOWN_DISTANCE_NOTE)


@dataclass(frozen=True)
class CandidateQuery:
    sort: str = "match"
    only_competence: bool = False
    min_hours: int | None = None
    max_km: int | None = None
    shown: int = PAGE_SIZE

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CandidateQuery:
        return cls(sort=one_of(params.get("sorter"), SORTS, "match"),
                   only_competence=params.get("kun_kompetence") == "1",
                   min_hours=whole_number(params.get("min_timer"), 1, 37),
                   max_km=whole_number(params.get("max_km"), 1, 500),
                   shown=whole_number(params.get("vis"), 1, MAX_SHOWN) or PAGE_SIZE)

    @property
    def filtered(self) -> bool:
        return self.only_competence or self.min_hours is not None or self.max_km is not None


@dataclass(frozen=True)
class CandidateCard:
    entry: RankedCandidate
    distance_km: float | None
    capacity_hours: int | None
    capacity_estimated: bool
    accommodations: tuple[ReasonLine, ...]
    notes: tuple[str, ...]

    @property
    def competence_match(self) -> bool:
        return bool(self.entry.explanation.matched_competences)


@dataclass
class CandidatePanel:
    cards: list[CandidateCard]
    stored: int
    matching: int
    query: CandidateQuery
    common_notes: list[tuple[str, int]] = field(default_factory=list)
    more: int | None = None  # how many "vis flere" shows, when there are more
    sorts: dict[str, str] = field(default_factory=lambda: dict(SORTS))


def distance_km(citizen: orm.Citizen | None, position: Position) -> float | None:
    if citizen is None or position.location is None or citizen.lat is None or citizen.lon is None:
        return None
    km = float(haversine_km(np.array([citizen.lat]), np.array([citizen.lon]),
                            position.location.lat, position.location.lon)[0])
    return None if math.isnan(km) else km


def _limits(citizen: orm.Citizen | None) -> dict[str, float]:
    return {r.code: r.value for r in citizen.restrictions if r.value is not None} if citizen else {}


def _card(entry: RankedCandidate, citizen: orm.Citizen | None, position: Position) -> CandidateCard:
    return CandidateCard(
        entry=entry, distance_km=distance_km(citizen, position),
        capacity_hours=citizen.capacity_hours if citizen else None,
        capacity_estimated=bool(citizen and citizen.capacity_basis == "estimated"),
        accommodations=tuple(accommodation_lines(entry.explanation.accommodations, position, _limits(citizen))),
        notes=tuple(dict.fromkeys(entry.explanation.notes)))


def _keep(card: CandidateCard, query: CandidateQuery) -> bool:
    if query.only_competence and not card.competence_match:
        return False
    if query.min_hours is not None and card.entry.hours_offered < query.min_hours:
        return False
    return query.max_km is None or (card.distance_km is not None and card.distance_km <= query.max_km)


def _sort_key(query: CandidateQuery):
    if query.sort == "timer":
        return lambda card: (-card.entry.hours_offered, card.entry.rank)
    if query.sort == "afstand":
        return lambda card: (card.distance_km is None, card.distance_km or 0.0, card.entry.rank)
    return lambda card: card.entry.rank


def _lift_common_notes(cards: list[CandidateCard]) -> tuple[list[CandidateCard], list[tuple[str, int]]]:
    """General notes standing on two or more of the shown cards move above the list, with how many they
    concern; each card keeps the fact itself."""
    counts = Counter(note for card in cards for note in card.notes if note in GENERAL_NOTES)
    common = [(note, count) for note, count in counts.items() if count >= 2]
    lifted = {note for note, _ in common}
    return [replace(card, notes=tuple(n for n in card.notes if n not in lifted)) for card in cards], common


def candidate_panel(ranking: list[RankedCandidate], citizens: Mapping[str, orm.Citizen], position: Position,
                    query: CandidateQuery) -> CandidatePanel:
    cards = [_card(entry, citizens.get(entry.candidate_id), position) for entry in ranking]
    kept = sorted((card for card in cards if _keep(card, query)), key=_sort_key(query))
    shown, common = _lift_common_notes(kept[:query.shown])
    more = min(MAX_SHOWN, query.shown + PAGE_SIZE) if len(kept) > query.shown else None
    return CandidatePanel(cards=shown, stored=len(cards), matching=len(kept), query=query, common_notes=common,
                          more=more)


__all__ = ["PAGE_SIZE", "SORTS", "CandidateCard", "CandidatePanel", "CandidateQuery", "candidate_panel",
           "distance_km"]
