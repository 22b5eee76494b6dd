"""Danish competence matching: resolve free-text terms against the taxonomy and score term pairs.

Resolution (free text → canonical term → family), tried in order, first hit wins:
  1. the normalised text is a known surface form (canonical or synonym)               confidence 1.0
  2. its Snowball stem equals the stem of a surface form (inflections)                   confidence 1.0
  3. rapidfuzz ratio against the surface forms ≥ FUZZY_CUTOFF (misspellings)             confidence ratio/100
  4. one word that starts or ends with a surface form (compounds: "kantinemedhjælper")   COMPOUND_CONFIDENCE
  5. several words: the best of their one- and two-word phrases                          × PHRASE_CONFIDENCE
Unresolved terms still match by character n-gram TF-IDF cosine on their stemmed form.

Similarity of a required term and a citizen's term (`term_similarity`, and its vectorised twin
`similarity_matrix`, which must agree):
  * equal normalised or stemmed text                          1.0
  * both resolved: same canonical                             min(confidences)
                   same family, the required term is the
                   family's general term ("rengøring")         FAMILY_HEAD_CREDIT × min(confidences)
                   same family, other canonical               SAME_FAMILY_CREDIT × min(confidences)
                   related families                           RELATED_FAMILY_CREDIT × relation × min(confidences)
  * otherwise (one or both unresolved): TF-IDF char n-gram cosine of the stemmed forms without generic
    job-title heads ("-medarbejder", "-assistent": `text.core_text`)
  * below SIMILARITY_FLOOR counts as 0 (chance n-gram overlap is not evidence).
The relation is directed (required → offered): a window cleaner covers "rengøring" (a specific cleaning
skill is cleaning), a general cleaner only partly covers "vinduespudsning".
When both terms are resolved the taxonomy decides alone: "lagermedhjælper" and "kantinemedhjælper" share
many n-grams but not a trade.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from matcher.text import content_words, core_text, normalise, phrases, stem_text, stem_word, tokens
from models.taxonomy import load_competence_taxonomy

MATCH_THRESHOLD = 0.5
"""A required competence counts as covered (listed under matched, not missing) at this similarity."""
SIMILARITY_FLOOR = 0.25
"""Similarities below this are noise and count as 0."""
FAMILY_HEAD_CREDIT = 0.8
"""Credit for any competence of a family when the required term is the family's general term."""
SAME_FAMILY_CREDIT = 0.45
"""Partial credit for another competence of the same family: relevant, but not the skill asked for."""
RELATED_FAMILY_CREDIT = 0.4
"""Credit per unit of relation between two families (a 0.5 relation gives 0.2, below the floor)."""
CV_WEIGHT = 0.6
"""CV text is weaker evidence than the kompetence-CV: its similarities are scaled by this."""
FUZZY_CUTOFF = 88.0
COMPOUND_CONFIDENCE = 0.85
PHRASE_CONFIDENCE = 0.9
MIN_COMPOUND_PART = 4
MAX_PHRASE_WORDS = 4


@dataclass(frozen=True)
class Resolution:
    canonical: str | None
    family: str | None
    confidence: float
    how: str  # "taxonomy", "inflection", "spelling", "compound", "phrase", "unresolved"


@dataclass(frozen=True)
class TermFeatures:
    """Per-term arrays for a list of terms, aligned by position."""

    terms: tuple[str, ...]
    normalised: tuple[str, ...]
    text_code: np.ndarray   # int, equal codes ⇔ equal normalised text (-1 empty)
    stem_code: np.ndarray   # int, equal codes ⇔ equal stemmed text
    canonical: np.ndarray   # int, -1 unresolved
    family: np.ndarray      # int, -1 unresolved
    confidence: np.ndarray  # float, 0 unresolved
    family_head: np.ndarray  # bool, the canonical is its family's general term
    tfidf: sparse.csr_matrix  # L2-normalised rows
    tfidf_t: sparse.csr_matrix | None = None  # the transpose as CSR, kept for a pool's vocabulary so that
    # required @ vocabulary needs no per-query conversion over the whole hashed feature space

    def __len__(self) -> int:
        return len(self.terms)


class CompetenceModel:
    """The taxonomy prepared for fast resolution and similarity. Build once per process: `competence_model()`."""

    def __init__(self) -> None:
        taxonomy = load_competence_taxonomy()
        self.taxonomy = taxonomy
        self.family_ids: tuple[str, ...] = tuple(sorted(taxonomy.families))
        self._family_index = {f: i for i, f in enumerate(self.family_ids)}
        self.canonicals: tuple[str, ...] = tuple(sorted(taxonomy.terms))
        self._canonical_index = {c: i for i, c in enumerate(self.canonicals)}
        self.relation = np.array(
            [[0.0 if a == b else float(taxonomy.family_relation(a, b)) for b in self.family_ids]
             for a in self.family_ids]
        )
        self._by_form: dict[str, str] = {}
        self._by_stem: dict[str, str] = {}
        # Sorted so that when two canonicals share a form the choice does not depend on file order.
        for form, canonical in sorted(taxonomy.surface_forms.items()):
            norm = normalise(form)
            if norm:
                self._by_form.setdefault(norm, canonical)
                self._by_stem.setdefault(stem_text(norm), canonical)
        for canonical in self.canonicals:
            self._by_form.setdefault(normalise(canonical), canonical)
            self._by_stem.setdefault(stem_text(canonical), canonical)
        self._fuzzy_choices = sorted(self._by_form)
        self._first_words = frozenset(form.split(" ", 1)[0] for form in [*self._by_form, *self._by_stem])
        self.family_heads: frozenset[str] = self._find_family_heads()
        self._family_names = {}
        for family in reversed(self.family_ids):  # the first id wins if a label were shared
            self._family_names[normalise(family)] = family
            self._family_names[normalise(self.taxonomy.family_label(family))] = family
        self._compound_parts = {
            form: canonical for form, canonical in {**self._by_stem, **self._by_form}.items()
            if " " not in form and len(form) >= MIN_COMPOUND_PART
        }
        # Hashed n-grams so that words the taxonomy has never seen still have features (they get the highest
        # IDF); the IDF itself is learnt from the taxonomy only, so it does not depend on the pool.
        self._hasher = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2 ** 18,
                                         alternate_sign=False, norm=None, dtype=np.float64)
        self._idf = TfidfTransformer(sublinear_tf=True)
        self._idf.fit(self._hasher.transform(sorted({core_text(f) for f in self._by_form})))
        self._idf_weights = self._idf.idf_
        self._interned: dict[str, int] = {}
        self._cache: dict[str, Resolution] = {}

    def _find_family_heads(self) -> frozenset[str]:
        """A family's general terms: the canonicals its label's words name ("Køkken og kantine" → køkkenhjælp,
        kantinearbejde), found by exact or inflected lookup only."""
        heads = set()
        for family in self.family_ids:
            label = normalise(self.taxonomy.family_label(family))
            for word in [label, *label.split()]:
                canonical = self._by_form.get(word) or self._by_stem.get(stem_text(word))
                if canonical and self.taxonomy.family_of(canonical) == family:
                    heads.add(canonical)
        return frozenset(heads)

    # ---- resolution ------------------------------------------------------------------------------

    def resolve(self, term: str) -> Resolution:
        """Resolve free text to canonical term and family (cached per normalised text)."""
        norm = normalise(term)
        cached = self._cache.get(norm)
        if cached is None:
            cached = self._resolve_normalised(norm)
            self._cache[norm] = cached
        return cached

    def _resolution(self, canonical: str, confidence: float, how: str) -> Resolution:
        return Resolution(canonical, self.taxonomy.family_of(canonical), round(confidence, 6), how)

    def _resolve_normalised(self, norm: str) -> Resolution:
        if not norm:
            return Resolution(None, None, 0.0, "unresolved")
        if norm in self._by_form:
            return self._resolution(self._by_form[norm], 1.0, "taxonomy")
        stemmed = stem_text(norm)
        if stemmed in self._by_stem:
            return self._resolution(self._by_stem[stemmed], 1.0, "inflection")
        hit = process.extractOne(norm, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if hit is not None:
            return self._resolution(self._by_form[hit[0]], hit[1] / 100.0, "spelling")
        words = norm.split()
        if len(words) == 1:
            canonical = self._compound(norm) or self._compound(stemmed)
            if canonical:
                return self._resolution(canonical, COMPOUND_CONFIDENCE, "compound")
            return Resolution(None, None, 0.0, "unresolved")
        return self._resolve_phrase(norm)

    def _compound(self, word: str) -> str | None:
        """The longest surface form that the word starts or ends with (a compound's parts)."""
        for size in range(len(word) - 1, MIN_COMPOUND_PART - 1, -1):
            for part in (word[-size:], word[:size]):
                if part in self._compound_parts:
                    return self._compound_parts[part]
        return None

    def _resolve_phrase(self, norm: str) -> Resolution:
        best = Resolution(None, None, 0.0, "unresolved")
        for phrase in phrases(norm):
            if phrase == norm:
                continue
            found = self.resolve(phrase)
            if found.confidence > best.confidence:
                best = found
        if best.canonical is None:
            return best
        return Resolution(best.canonical, best.family, round(best.confidence * PHRASE_CONFIDENCE, 6), "phrase")

    def is_surface_form(self, normalised_text: str) -> bool:
        """The normalised text is a taxonomy form, as written or inflected."""
        first = normalised_text.split(" ", 1)[0]
        if first not in self._first_words and stem_word(first) not in self._first_words:
            return False  # cheap test first: most word runs of a CV start with no form's first word
        if normalised_text in self._by_form:
            return True
        return " ".join(stem_word(w) for w in normalised_text.split()) in self._by_stem

    def resolve_family(self, text: str) -> str | None:
        """A wish or area ("kantine", "Køkken/kantine", a family id) → family id."""
        return self._family_names.get(normalise(text)) or self.resolve(text).family

    def family_index(self, family: str | None) -> int:
        return -1 if family is None else self._family_index[family]

    # ---- features and similarity -----------------------------------------------------------------

    def ngram_vectors(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """L2-normalised TF-IDF character n-gram vectors (sublinear tf) of the texts' core forms
        (`text.core_text`). The weighting is written out rather than calling TfidfTransformer.transform,
        whose input validation costs more than the arithmetic for the few terms of a position."""
        if not texts:
            return sparse.csr_matrix((0, self._hasher.n_features), dtype=np.float64)
        vectors = sparse.csr_matrix(self._hasher.transform([core_text(t) for t in texts]), dtype=np.float64)
        vectors.data = (1.0 + np.log(vectors.data)) * self._idf_weights[vectors.indices]
        rows = np.repeat(np.arange(vectors.shape[0]), np.diff(vectors.indptr))
        norms = np.sqrt(np.bincount(rows, weights=vectors.data ** 2, minlength=vectors.shape[0]))
        vectors.data /= norms[rows]
        return vectors

    def text_codes(self, texts: Sequence[str]) -> np.ndarray:
        """A stable integer per distinct non-empty text (-1 for empty), so equality tests are array compares."""
        return np.array([self._interned.setdefault(t, len(self._interned)) if t else -1 for t in texts],
                        dtype=np.int64)

    def features(self, terms: Sequence[str], *, transposed: bool = False) -> TermFeatures:
        """Features of the terms; `transposed` also keeps the n-gram matrix transposed (for a vocabulary)."""
        resolutions = [self.resolve(t) for t in terms]
        normalised = tuple(normalise(t) for t in terms)
        stemmed = tuple(stem_text(n) for n in normalised)
        tfidf = self.ngram_vectors(normalised)
        return TermFeatures(
            terms=tuple(terms),
            normalised=normalised,
            text_code=self.text_codes(normalised),
            stem_code=self.text_codes(stemmed),
            canonical=np.array([-1 if r.canonical is None else self._canonical_index[r.canonical]
                                for r in resolutions], dtype=np.int64),
            family=np.array([self.family_index(r.family) for r in resolutions], dtype=np.int64),
            confidence=np.array([r.confidence for r in resolutions], dtype=float),
            family_head=np.array([r.canonical in self.family_heads for r in resolutions], dtype=bool),
            tfidf=tfidf,
            tfidf_t=sparse.csr_matrix(tfidf.T) if transposed else None,
        )

    def similarity_matrix(self, required: TermFeatures, vocabulary: TermFeatures) -> np.ndarray:
        """Similarity of every required term to every vocabulary term, shape (R, V), in [0, 1]."""
        n_req, n_voc = len(required), len(vocabulary)
        if n_req == 0 or n_voc == 0:
            return np.zeros((n_req, n_voc))
        conf = np.minimum(required.confidence[:, None], vocabulary.confidence[None, :])
        req_c, voc_c = required.canonical[:, None], vocabulary.canonical[None, :]
        req_f, voc_f = required.family[:, None], vocabulary.family[None, :]
        both = (req_c >= 0) & (voc_c >= 0)
        relation = self.relation[np.maximum(required.family, 0)][:, np.maximum(vocabulary.family, 0)]
        taxonomy_sim = np.where(
            req_c == voc_c, conf,
            np.where(req_f == voc_f,
                     np.where(required.family_head[:, None], FAMILY_HEAD_CREDIT * conf, SAME_FAMILY_CREDIT * conf),
                     RELATED_FAMILY_CREDIT * relation * conf),
        )
        vocabulary_t = vocabulary.tfidf_t if vocabulary.tfidf_t is not None else vocabulary.tfidf.T.tocsr()
        cosine = (required.tfidf @ vocabulary_t).toarray()
        sim = np.where(both, taxonomy_sim, cosine)
        same_text = (required.text_code[:, None] == vocabulary.text_code[None, :]) & (required.text_code[:, None] >= 0)
        same_text |= (required.stem_code[:, None] == vocabulary.stem_code[None, :]) & (required.stem_code[:, None] >= 0)
        sim = np.where(same_text, 1.0, sim)
        return np.where(sim >= SIMILARITY_FLOOR, np.minimum(sim, 1.0), 0.0)

    def term_similarity(self, a: str, b: str) -> float:
        """Scalar similarity of required term a to offered term b: the per-pair reference of
        `similarity_matrix`."""
        na, nb = normalise(a), normalise(b)
        if na and (na == nb or stem_text(na) == stem_text(nb)):
            return 1.0
        ra, rb = self.resolve(a), self.resolve(b)
        if ra.canonical is not None and rb.canonical is not None:
            conf = min(ra.confidence, rb.confidence)
            if ra.canonical == rb.canonical:
                sim = conf
            elif ra.family == rb.family:
                credit = FAMILY_HEAD_CREDIT if ra.canonical in self.family_heads else SAME_FAMILY_CREDIT
                sim = credit * conf
            else:
                relation = self.relation[self._family_index[ra.family], self._family_index[rb.family]]
                sim = RELATED_FAMILY_CREDIT * relation * conf
        else:
            vectors = self.ngram_vectors([na, nb])
            sim = float((vectors[0] @ vectors[1].T).toarray()[0, 0])
        return min(sim, 1.0) if sim >= SIMILARITY_FLOOR else 0.0

    def family_affinity(self, wished: Iterable[int], task_families: Iterable[int], related_credit: float) -> float:
        """Wish credit: 1 for a wished family among the task's, else related credit × relation, else 0."""
        task_families = [f for f in task_families if f >= 0]
        best = 0.0
        for w in wished:
            for f in task_families:
                best = max(best, 1.0 if w == f else related_credit * float(self.relation[w, f]))
        return best


@lru_cache(maxsize=1)
def competence_model() -> CompetenceModel:
    return CompetenceModel()


def cv_phrases(cv_text: str) -> list[str]:
    """The phrases of a CV compared with required competences, first occurrence order: every content word,
    and every run of 2–4 words that is a taxonomy surface form, literally or inflected ("gjort rent",
    "rengøring af kontorer"). Arbitrary word pairs are left out: they are rarely competences and would
    multiply the pool's vocabulary."""
    model = competence_model()
    words = tokens(cv_text)
    found: dict[str, None] = dict.fromkeys(content_words(cv_text))
    for size in range(2, MAX_PHRASE_WORDS + 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            if model.is_surface_form(phrase):
                found.setdefault(phrase, None)
    return list(found)


__all__ = [
    "CV_WEIGHT", "MATCH_THRESHOLD", "SIMILARITY_FLOOR", "CompetenceModel", "Resolution", "TermFeatures",
    "competence_model", "cv_phrases",
]
