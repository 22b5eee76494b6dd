"""The competence taxonomy (data/competences.yaml) as typed lookups, plus re-exports of the geo data.

Pure loading and validation: the matcher resolves free text against `surface_forms` and scores related
families with `family_relation`. A broken data file fails loudly at load time (duplicate surface forms,
unknown related families, out-of-range credits) instead of producing quietly wrong matches.
Loaded once per process; treat the returned objects as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from models.danish import fold
from models.geo_data import (  # noqa: F401  (re-exported: one import place for all bundled data)
    Municipality,
    Postcode,
    load_municipalities,
    load_postcodes,
    location_for_municipality,
    location_for_postcode,
)
from models.paths import DATA_DIR

COMPETENCES_FILE = "competences.yaml"


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    related: dict[str, float]


@dataclass(frozen=True)
class Term:
    canonical: str
    family: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class CompetenceTaxonomy:
    families: dict[str, Family]
    terms: dict[str, Term]
    surface_forms: dict[str, str]  # normalised canonical or synonym → canonical
    implies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # title or general term → tasks it entails
    peripheral: frozenset[str] = frozenset()  # members a family's general term does not stand for

    def family_of(self, canonical: str) -> str:
        return self.terms[canonical].family

    def family_label(self, family_id: str) -> str:
        return self.families[family_id].label

    def family_relation(self, a: str, b: str) -> float:
        """1.0 within a family; else the larger declared credit in either direction; else 0.0."""
        if a == b:
            return 1.0
        forward = self.families[a].related.get(b, 0.0) if a in self.families else 0.0
        backward = self.families[b].related.get(a, 0.0) if b in self.families else 0.0
        return max(forward, backward)

    def terms_in_family(self, family_id: str) -> tuple[str, ...]:
        return tuple(term.canonical for term in self.terms.values() if term.family == family_id)

    def canonical_for(self, text: str) -> str | None:
        """The canonical term an exact surface form (any case, extra spaces) names, or None."""
        return self.surface_forms.get(normalise_surface(text))


def normalise_surface(text: str) -> str:
    """How surface forms are compared (models.danish.fold)."""
    return fold(text)


@lru_cache(maxsize=1)
def load_competence_taxonomy() -> CompetenceTaxonomy:
    raw = yaml.safe_load((DATA_DIR / COMPETENCES_FILE).read_text(encoding="utf-8"))
    return build_taxonomy(raw)


def build_taxonomy(raw: Any) -> CompetenceTaxonomy:
    """Validate the parsed YAML and build the lookups; raises ValueError naming the offending entry."""
    if not isinstance(raw, dict) or not isinstance(raw.get("families"), dict):
        raise ValueError(f"{COMPETENCES_FILE}: top level must be a mapping with 'families'")
    families: dict[str, Family] = {}
    terms: dict[str, Term] = {}
    surface_forms: dict[str, str] = {}
    for family_id, body in raw["families"].items():
        family = _parse_family(family_id, body)
        families[family_id] = family
        for canonical, synonyms in body["terms"].items():
            term = _parse_term(family_id, canonical, synonyms)
            if term.canonical in terms:
                raise ValueError(f"{COMPETENCES_FILE}: term {term.canonical!r} appears twice")
            terms[term.canonical] = term
            _register_surface_forms(term, surface_forms)
    _check_related_ids(families)
    implies = _parse_implies(raw.get("implies") or {}, terms)
    peripheral = _parse_canonical_list("peripheral", raw.get("peripheral") or [], terms)
    return CompetenceTaxonomy(families=families, terms=terms, surface_forms=surface_forms, implies=implies,
                              peripheral=frozenset(peripheral))


def _parse_canonical_list(where: str, value: Any, terms: dict[str, Term]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{COMPETENCES_FILE}: {where} must be a list of canonical terms")
    unknown = sorted(set(value) - set(terms))
    if unknown:
        raise ValueError(f"{COMPETENCES_FILE}: {where} names unknown canonical terms {unknown}")
    return tuple(value)


def _parse_implies(raw: Any, terms: dict[str, Term]) -> dict[str, tuple[str, ...]]:
    """`implies: {title: [task, ...]}`: doing the title's work entails the tasks (a servicemedarbejder
    cleans, a SOSU-hjælper gives personal care); every name must be a canonical term."""
    if not isinstance(raw, dict):
        raise ValueError(f"{COMPETENCES_FILE}: implies must map a canonical term to a list of canonical terms")
    out = {}
    for title, tasks in raw.items():
        _parse_canonical_list(f"implies[{title!r}]", [title], terms)
        out[title] = _parse_canonical_list(f"implies[{title!r}]", tasks, terms)
    return out


def _parse_family(family_id: Any, body: Any) -> Family:
    where = f"{COMPETENCES_FILE}: family {family_id!r}"
    if not isinstance(family_id, str) or not family_id.isascii() or not family_id.replace("_", "").isalnum() \
            or family_id != family_id.lower():
        raise ValueError(f"{where}: id must be ascii snake_case")
    if not isinstance(body, dict) or not isinstance(body.get("label"), str):
        raise ValueError(f"{where}: needs a text 'label'")
    if not isinstance(body.get("terms"), dict) or not body["terms"]:
        raise ValueError(f"{where}: needs a non-empty 'terms' mapping")
    related = body.get("related") or {}
    if not isinstance(related, dict):
        raise ValueError(f"{where}: 'related' must be a mapping of family id to credit")
    for other, credit in related.items():
        if isinstance(credit, bool) or not isinstance(credit, (int, float)) or not 0 < credit < 1:
            raise ValueError(f"{where}: related credit for {other!r} must lie strictly between 0 and 1")
        if other == family_id:
            raise ValueError(f"{where}: a family cannot be related to itself")
    return Family(id=family_id, label=body["label"], related={k: float(v) for k, v in related.items()})


def _parse_term(family_id: str, canonical: Any, synonyms: Any) -> Term:
    where = f"{COMPETENCES_FILE}: term {canonical!r} in {family_id!r}"
    if not isinstance(canonical, str) or not canonical.strip():
        raise ValueError(f"{where}: canonical term must be text")
    synonyms = synonyms or []
    # A bare yes/no/on/off in YAML turns into a bool: reject anything that is not text.
    if not isinstance(synonyms, list) or not all(isinstance(s, str) and s.strip() for s in synonyms):
        raise ValueError(f"{where}: synonyms must be a list of text")
    return Term(canonical=canonical, family=family_id, synonyms=tuple(synonyms))


def _register_surface_forms(term: Term, surface_forms: dict[str, str]) -> None:
    for form in (term.canonical, *term.synonyms):
        key = normalise_surface(form)
        if key in surface_forms:
            raise ValueError(
                f"{COMPETENCES_FILE}: surface form {form!r} listed under both "
                f"{surface_forms[key]!r} and {term.canonical!r}"
            )
        surface_forms[key] = term.canonical


def _check_related_ids(families: dict[str, Family]) -> None:
    for family in families.values():
        unknown = sorted(set(family.related) - set(families))
        if unknown:
            raise ValueError(f"{COMPETENCES_FILE}: family {family.id!r} relates to unknown families {unknown}")
