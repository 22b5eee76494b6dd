"""Danish competence matching: resolve free-text terms against the taxonomy and score term pairs.

Resolution of one word (free text → canonical term → family), tried in order, first hit wins:
  1. a known surface form (canonical or synonym)                                        confidence 1.0
  2. its Snowball stem, its æ/ø/å-less spelling ("koekkenhjaelper") or its verb form
     ("vaskede", "kørt", "smurte": `lexicon.lemma`) equals that of a surface form           confidence 1.0
  3. a compound, read from the END: the last part (head) decides what it is               COMPOUND_CONFIDENCE
       head a generic job-title or training word (-medarbejder, -hjælper, -assistent, -uddannelse; a
         -mester of a craft): the first part decides
       head a taxonomy word ("plejehjemskøkken" → køkken): the head's task
       head any other real word ("kantineudvalg", "lagerbygning", "opvaskemaskinereparatør"): the
         compound is understood and is no task ("other"): it matches nothing, not even by n-grams.
     A task or title head wins over a longer chance word ("museums|vagt", not "museum|svagt"); a short real
     word after a taxonomy first part counts too ("receptions|disk"). A first part alone never gives the
     task. Linking -s-/-e- belong to neither part.
  4. a misspelling: at most 1 edit (2 from 8 letters) from a surface form, measured without æ/ø/å; of
     equally near forms the longer (a dropped letter)                                   1 - edits/length
     only for words that are neither real Danish words nor compounds of real words, so "bagerarbejde" is
     a baker's work and not a misspelt "lagerarbejde".
Several words are read as a phrase (`read`): taxonomy phrases are found by verb form with up to two words
between the parts ("satte varer op", "tørrede borde af"), two words that make one compound are joined
("gulv vask"), and every found part gets a role (`assign_roles`): the activity; context after a
preposition ("på et hotel", "salg af rengøringsmidler") unless a governing word says it is the work
("arbejdede i kantinen", "stod for opvasken", "AMU-kursus i …"), or after a definite genitive ("vaskeriets
chauffør"); an object of an understood activity ("solgte [blomster]") unless it refines it ("kørt [taxa]");
private when the sentence is about private life or another person ("min mand var pedel"). The activity
decides (× PHRASE_CONFIDENCE); only without any activity does the place count, at CONTEXT_CONFIDENCE.
An understood non-task activity ("salg af", "designede", "udlejning af", a board role in a forening)
makes the phrase "other"; a polysemous activity takes its object's trade ("pleje af heste"). English
phrases are head-final ("warehouse cleaner" cleans, "kitchen designer" is "other").
Abbreviations and licence categories are written out first (`lexicon.expand_abbreviations`).
Unresolved terms still match by character n-gram TF-IDF cosine on their stemmed form.

Similarity of a required term and a citizen's term (`term_similarity`, and its vectorised twin
`similarity_matrix`, which must agree):
  * equal normalised or stemmed text                          1.0
  * both resolved: same canonical, or the citizen's term
                   implies the required one (`implies` in
                   data/competences.yaml: a title's tasks, a
                   general term's core tasks)                  min(confidences)
                   same family, the required term is the
                   family's general term ("rengøring") and
                   the offered one is not peripheral            FAMILY_HEAD_CREDIT × min(confidences)
                   same family, other canonical               SAME_FAMILY_CREDIT × min(confidences)
                   related families                           RELATED_FAMILY_CREDIT × relation × min(confidences)
  * one of them understood as no task ("other")               0
  * otherwise (one or both unresolved): TF-IDF char n-gram cosine of the stemmed forms without generic
    job-title heads ("-medarbejder", "-assistent": `text.core_text`)
  * below SIMILARITY_FLOOR counts as 0 (chance n-gram overlap is not evidence).
The relation is directed (required → offered): a window cleaner covers "rengøring" (a specific cleaning
skill is cleaning), a general cleaner only partly covers "vinduespudsning".
When both terms are resolved the taxonomy decides alone: "lagermedhjælper" and "kantinemedhjælper" share
many n-grams but not a trade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from matcher import lexicon
from matcher.lexicon import ascii_fold, is_danish_word, lemma
from matcher.resolution import OTHER, UNRESOLVED, Resolution, Span
from matcher.roles import MAX_GAP, assign_roles, find_in_order, is_content
from matcher.text import GENERIC_HEADS, STOPWORDS, core_text, normalise, stem_text, stem_word
from models.taxonomy import load_competence_taxonomy

MATCH_THRESHOLD = 0.5
"""A required competence counts as covered (listed under matched, not missing) at this similarity."""
SIMILARITY_FLOOR = 0.25
"""Similarities below this are noise and count as 0."""
FAMILY_HEAD_CREDIT = 0.8
"""Credit for a core competence of a family when the required term is the family's general term."""
SAME_FAMILY_CREDIT = 0.45
"""Partial credit for another competence of the same family: relevant, but not the skill asked for."""
RELATED_FAMILY_CREDIT = 0.4
"""Credit per unit of relation between two families (a 0.5 relation gives 0.2, below the floor)."""
CV_WEIGHT = 0.7
"""CV text is weaker evidence than the kompetence-CV: its similarities are scaled by this. A CV sentence
that names the activity itself still counts (0.7 × 0.9 phrase confidence ≥ the threshold); one that only
names a sibling task or a place does not."""
COMPOUND_CONFIDENCE = 0.85
PHRASE_CONFIDENCE = 0.9
CONTEXT_CONFIDENCE = 0.75
"""A phrase that names where the work was done and no activity the taxonomy knows ("rensede fisk på en
fiskefabrik", "arbejdede med børn i SFO"): the place is then the best evidence, enough as a competence
entry and, just, as CV text (0.7 × 0.75)."""
MIN_PART = 3
MIN_PREFIX = 5
"""A known first part this long makes an otherwise unknown word a compound with an unknown head."""
MIN_WORD_HEAD = 5
"""A head known only from the word list must have this many letters: short words end too many others by
chance ("rengørring" does not end in the word "ring")."""
_PIECES = re.compile(r"[.,;:!?()\[\]\n\r]+")
_ENTRY_PARTS = re.compile(r"[,;/+&\n]+")


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
    other: np.ndarray        # bool, understood as no task (matches nothing but its own text)
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
        self._by_fold: dict[str, str] = {}
        self._by_lemma: dict[str, str] = {}
        self._phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # first lemma → (lemmas, canonical)
        # Sorted so that when two canonicals share a form the choice does not depend on file order.
        forms = sorted({**{normalise(c): c for c in self.canonicals},
                        **{normalise(f): c for f, c in taxonomy.surface_forms.items()}}.items())
        for norm, canonical in forms:
            if not norm:
                continue
            self._by_form.setdefault(norm, canonical)
            self._by_stem.setdefault(stem_text(norm), canonical)
            self._by_fold.setdefault(ascii_fold(norm), canonical)
            words = norm.split()
            if len(words) == 1:
                self._by_lemma.setdefault(lemma(norm), canonical)
            else:
                key = tuple(lemma(w) for w in words)
                self._phrases.setdefault(key[0], []).append((key, canonical))
        for entries in self._phrases.values():
            entries.sort(key=lambda e: (-len(e[0]), e[0]))
        # Misspellings are measured without æ/ø/å, so "chauför" is one edit from "chauffør", not two.
        self._fuzzy_choices = sorted(f for f in self._by_fold if len(f) >= 5)
        self._generic_heads = frozenset(ascii_fold(h) for h in (*GENERIC_HEADS, *lexicon.TRAINING_HEADS,
                                                                *lexicon.AGENT_SUFFIXES))
        self._non_task_heads = frozenset(ascii_fold(h) for h in lexicon.NON_TASK_HEADS)
        self.family_heads: frozenset[str] = self._find_family_heads()
        self._family_names = {}
        for family in reversed(self.family_ids):  # the first id wins if a label were shared
            self._family_names[normalise(family)] = family
            self._family_names[normalise(self.taxonomy.family_label(family))] = family
        n = len(self.canonicals)
        self.implied = np.zeros((n, n), dtype=bool)  # [required, offered]: offered implies required
        for title, tasks in taxonomy.implies.items():
            for task in tasks:
                self.implied[self._canonical_index[task], self._canonical_index[title]] = True
        self.peripheral = np.array([c in taxonomy.peripheral for c in self.canonicals], dtype=bool)
        # Hashed n-grams so that words the taxonomy has never seen still have features (they get the highest
        # IDF); the IDF itself is learnt from the taxonomy only, so it does not depend on the pool.
        self._hasher = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=2 ** 18,
                                         alternate_sign=False, norm=None, dtype=np.float64)
        self._idf = TfidfTransformer(sublinear_tf=True)
        self._idf.fit(self._hasher.transform(sorted({core_text(f) for f in self._by_form})))
        self._idf_weights = self._idf.idf_
        self._interned: dict[str, int] = {}
        self._cache: dict[str, Resolution] = {}
        self._word_cache: dict[str, Resolution] = {}
        self._split_cache: dict[tuple[str, int], tuple[str, str, str, str | None] | None] = {}

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
        norm = prepare(term)
        cached = self._cache.get(norm)
        if cached is None:
            cached = self._resolve_normalised(norm)
            self._cache[norm] = cached
        return cached

    def _resolution(self, canonical: str, confidence: float, how: str) -> Resolution:
        return Resolution(canonical, self.taxonomy.family_of(canonical), round(confidence, 6), how)

    def _resolve_normalised(self, norm: str) -> Resolution:
        words = norm.split()
        if not words:
            return UNRESOLVED
        if len(words) == 1:
            return self.resolve_word(norm)
        known = self._lookup(norm)
        if known is not None:
            return known
        if len(words) <= 3:
            joined = self._joined(words)  # "gulv vask", "rengørings assistent"
            if joined is not None:
                return joined
        if words[-1] in lexicon.ENGLISH_GENERIC_HEADS:  # "warehouse worker" → warehouse
            rest = self.resolve(" ".join(words[:-1]))
            if rest.canonical is not None:
                return rest
        if words[-1] in lexicon.ENGLISH_NON_TASK_HEADS:  # "kitchen designer", "garden furniture sales"
            return OTHER
        return self._resolve_phrase(norm)

    def _joined(self, words: list[str]) -> Resolution | None:
        """Words that are one compound written apart: the joined word is a surface form, or a compound whose
        first part ends in a linking -s- ("sikkerheds vagt"); never two words that only make a compound by
        chance ("rengjort kontorer")."""
        word = "".join(words)
        known = self._part_lookup(word)
        if known is not None:
            return self._resolution(known, 1.0, "inflection")
        if not words[0].endswith("s") or self._part_lookup(words[0]) is not None:
            return None
        joined = self.resolve_word(word)
        return joined if joined.how == "compound" and joined.canonical is not None else None

    def _part_lookup(self, part: str) -> str | None:
        """The canonical a compound part names as written, without æ/ø/å or as another verb form: the cheap
        tiers only (no stemmer), because compound splitting tries every substring."""
        canonical = self._by_form.get(part) or self._by_fold.get(ascii_fold(part))
        if canonical is None and len(part) > MIN_PART:
            key = lemma(part)
            if key != part or not is_danish_word(part):
                canonical = self._by_lemma.get(key)
        return canonical

    def _lookup(self, text: str) -> Resolution | None:
        """Tiers 1–2: the text is a surface form as written, inflected, without æ/ø/å, or as another verb form."""
        if text in self._by_form:
            return self._resolution(self._by_form[text], 1.0, "taxonomy")
        words = text.split()
        # A real word in its base form is not an inflection of a longer form that happens to share its stem
        # ("vægt", weight, is not "vægter", a guard).
        base_word = len(words) == 1 and is_danish_word(text) and stem_word(text) == text
        stemmed = stem_text(text)
        if stemmed in self._by_stem and not base_word:
            return self._resolution(self._by_stem[stemmed], 1.0, "inflection")
        folded = ascii_fold(text)
        if folded in self._by_fold:
            return self._resolution(self._by_fold[folded], 1.0, "spelling")
        if len(words) == 1:
            if lemma(text) in self._by_lemma and not (base_word and lemma(text) == text):
                return self._resolution(self._by_lemma[lemma(text)], 1.0, "inflection")
            return None
        key = tuple(lemma(w) for w in words)
        for lemmas, canonical in self._phrases.get(key[0], ()):
            if lemmas == key:
                return self._resolution(canonical, 1.0, "inflection")
        return None

    def resolve_word(self, word: str) -> Resolution:
        """One normalised word: tiers 1–4 of the module docstring (cached)."""
        cached = self._word_cache.get(word)
        if cached is None:
            cached = self._resolve_word(word)
            self._word_cache[word] = cached
        return cached

    def _resolve_word(self, word: str) -> Resolution:
        known = self._lookup(word)
        if known is not None:
            return known
        split = self.split_compound(word)
        if split is not None:
            modifier, head, kind, canonical = split
            if kind == "task" and lemma(head) in lexicon.POLYSEMOUS_ACTIVITIES:
                return self._polysemous_compound(modifier, canonical)
            if kind == "task":
                return self._resolution(canonical, COMPOUND_CONFIDENCE, "compound")
            if kind == "other" and is_danish_word(word):
                return UNRESOLVED  # a word of its own ("frivillig" is not "fri" + "villig")
            if kind == "other":
                # A head found only in the word list may be a chance ending of a misspelt form
                # ("indtasting" is not "indta" + "sting"): one edit from a form wins.
                if ascii_fold(head) not in self._non_task_heads:
                    typo = self._misspelling(word, max_edits=1)
                    if typo.canonical is not None:
                        return typo
                return OTHER
            inner = self._modifier(modifier)
            if inner.canonical is not None:
                return self._resolution(inner.canonical, inner.confidence * COMPOUND_CONFIDENCE, "compound")
            if self._plausible_word(modifier):
                return UNRESOLVED  # a real first part: "lægerarbejde" is doctors' work, not a misspelt lager
            return self._misspelling(word, max_edits=1)  # "lagrarbejde": a dropped letter
        if is_danish_word(word):
            return UNRESOLVED  # a real word is not a misspelling of another one
        typo = self._misspelling(word)
        if typo.canonical is None and self._known_prefix(word):
            return OTHER  # a first part alone never gives the task, not even by n-grams ("græsslåmaskine")
        return typo

    def _known_prefix(self, word: str) -> bool:
        """The word starts with a taxonomy word of at least MIN_PREFIX letters and goes on for at least
        MIN_PART more: a compound whose head is unknown."""
        for i in range(len(word) - MIN_PART, MIN_PREFIX - 1, -1):
            part = word[:i]
            if self._by_form.get(part) or self._by_fold.get(ascii_fold(part)):
                return True
        return False

    def _polysemous_compound(self, modifier: str, canonical: str) -> Resolution:
        """A polysemous activity head (pleje, vask, service …) takes its trade from the first part: a task of
        another family gives that task ("hestepleje" → hestepasning), one of the head's own family or a word
        for the people cared for keeps the head ("patientpleje"), anything else is no task ("dyrepleje",
        "plænepleje", "hudpleje")."""
        inner = self._modifier(modifier)
        family = self.taxonomy.family_of(canonical)
        if inner.canonical is not None and inner.family != family:
            return self._resolution(inner.canonical, inner.confidence * COMPOUND_CONFIDENCE, "compound")
        stem = modifier[:-1] if modifier[-1:] in ("s", "e") and len(modifier) > MIN_PART + 1 else modifier
        if inner.family == family or modifier in lexicon.CARED_FOR or stem in lexicon.CARED_FOR:
            return self._resolution(canonical, COMPOUND_CONFIDENCE, "compound")
        return OTHER

    def _modifier(self, modifier: str) -> Resolution:
        found = self.resolve_word(modifier)
        if found.canonical is None and modifier[-1:] in ("s", "e") and len(modifier) > MIN_PART + 1:
            found = self.resolve_word(modifier[:-1])
        return found

    def _misspelling(self, word: str, max_edits: int = 2) -> Resolution:
        if len(word) < 5:
            return UNRESOLVED
        allowed = min(max_edits, 1 if len(word) < 8 else 2)
        folded = ascii_fold(word)
        hits = process.extract(folded, self._fuzzy_choices, scorer=OSA.distance, score_cutoff=allowed, limit=8)
        if not hits:
            return UNRESOLVED
        # Of equally near forms, the one the typist most likely shortened: letters are dropped more often than
        # added ("malking" is "malkning", not "maling").
        choice, distance, _ = min(hits, key=lambda h: (h[1], -len(h[0]), h[0]))
        confidence = 1.0 - distance / max(len(folded), len(choice))
        return self._resolution(self._by_fold[choice], confidence, "spelling")

    def split_compound(self, word: str, min_word_head: int = MIN_WORD_HEAD) -> tuple[str, str, str, str | None] | None:
        """(first part, head, kind, head's canonical) of a compound with a known head, longest head first;
        kind is "generic" (a job-title head), "task" (a taxonomy word) or "other" (another real word).
        None when no split leaves a known head and a plausible first part."""
        key = (word, min_word_head)
        if key in self._split_cache:
            return self._split_cache[key]
        generic = self._generic_split(word)
        if generic is not None:
            self._split_cache[key] = generic
            return generic
        found = other = None
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, modifier = word[i:], word[:i]
            kind, canonical = self._head_kind(head, min_word_head if other is None else len(word))
            if kind is None or not self._plausible_part(modifier):
                continue
            if kind == "mester":  # a master of a craft practises it (tømrermester); a postmester does not
                inner = self._modifier(modifier)
                kind = "generic" if inner.family in lexicon.CRAFT_FAMILIES else "other"
            if kind != "other":
                found = (modifier, head, kind, canonical)
                break
            other = other or (modifier, head, kind, canonical)
        if found is None and other is None and min_word_head > MIN_PART:
            other = self._short_head(word)
        # A task or job-title head wins over a longer chance word ("museums|vagt", not "museum|svagt").
        found = found or other
        self._split_cache[key] = found
        return found

    def _generic_split(self, word: str) -> tuple[str, str, str, str | None] | None:
        """A generic job-title head whose first part is a task decides before any longer head does:
        "børnehave|medhjælper", not "børne|havemedhjælper"."""
        for head in lexicon.generic_heads_of(word, self._generic_heads):
            modifier = word[: len(word) - len(head)]
            if len(modifier) >= MIN_PART and self._modifier(modifier).canonical is not None:
                return (modifier, head, "generic", None)
        return None

    def _short_head(self, word: str) -> tuple[str, str, str, str | None] | None:
        """A taxonomy first part with a short real word after it ("receptions|disk", "lager|hal"): the first
        part alone must not give its task, so the compound is understood as something else."""
        for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, modifier = word[i:], word[:i]
            stem = modifier[:-1] if modifier[-1] in "se" and self._part_lookup(modifier) is None else modifier
            if len(head) < MIN_WORD_HEAD and is_danish_word(head) and self._part_lookup(stem) is not None:
                return (modifier, head, "other", None)
        return None

    def _head_kind(self, head: str, min_word_head: int = MIN_WORD_HEAD) -> tuple[str | None, str | None]:
        folded = ascii_fold(head)
        if folded in self._generic_heads:
            return "generic", None
        if folded in lexicon.CRAFT_HEADS:
            return "mester", None
        canonical = self._part_lookup(head)
        if canonical is not None:
            return "task", canonical
        if folded in self._non_task_heads or (len(head) >= min_word_head and is_danish_word(head)):
            return "other", None
        return None, None

    def _plausible_word(self, part: str) -> bool:
        """The first part is a real Danish word, maybe with a linking -s-/-e-."""
        return is_danish_word(part) or (part[-1:] in ("s", "e") and is_danish_word(part[:-1]))

    def _plausible_part(self, part: str) -> bool:
        """A first part that is a word (taxonomy or Danish), maybe with a linking -s-/-e-, or a compound."""
        def word(text: str) -> bool:
            return len(text) >= MIN_PART and (self._part_lookup(text) is not None or is_danish_word(text)
                                              or ascii_fold(text) in self._generic_heads)
        if word(part) or (part[-1] in "se" and word(part[:-1])):
            return True
        # Inside a first part a shorter word may end it ("køkkenbord|plade"): it decides nothing there.
        return len(part) >= 2 * MIN_PART and self.split_compound(part, MIN_PART) is not None

    # ---- phrases ---------------------------------------------------------------------------------

    def _resolve_phrase(self, norm: str) -> Resolution:
        spans = self.read(norm)
        activities = [s.resolution for s in spans if s.role == "activity"]
        tasks = [r for r in activities if r.canonical is not None]
        if norm.isascii() and not any(w in STOPWORDS for w in norm.split()):
            # An English noun phrase is head-final too: "care home cook" is a cook, "warehouse cleaner" cleans.
            nouns = [s.resolution for s in spans if s.role in ("activity", "object")]
            if nouns and nouns[-1].canonical is not None:
                tasks = [nouns[-1]]
            elif nouns and nouns[-1].is_other:
                return OTHER
        if tasks:
            best = max(tasks, key=lambda r: r.confidence)  # max keeps the first of equals
            return self._resolution(best.canonical, best.confidence * PHRASE_CONFIDENCE, "phrase")
        if any(r.is_other for r in activities):
            return OTHER
        places = [s.resolution for s in spans if s.role == "context" and s.resolution.canonical is not None]
        if places:
            best = max(places, key=lambda r: r.confidence)
            return self._resolution(best.canonical, best.confidence * CONTEXT_CONFIDENCE, "context")
        return UNRESOLVED

    def read(self, norm: str) -> list[Span]:
        """The understood parts of a normalised phrase, in order, each with its role (module docstring)."""
        words = norm.split()
        lemmas = [lemma(w) for w in words]
        spans = self._phrase_spans(words, lemmas)
        covered = {i for s in spans for i in range(s.start, s.end)}
        i = 0
        while i < len(words):
            if i in covered or not is_content(words[i]):
                i += 1
                continue
            if i + 1 < len(words) and i + 1 not in covered and is_content(words[i + 1]):
                joined = self._joined(words[i:i + 2])
                if joined is not None:
                    spans.append(Span(i, i + 2, f"{words[i]} {words[i + 1]}", joined, ""))
                    i += 2
                    continue
            found = self.resolve_word(words[i])
            if found is UNRESOLVED and (lemmas[i] in lexicon.DOMAIN_VERBS or words[i] in self._non_task_heads):
                found = OTHER  # "designede [køkkener]", "udlejning [af varevogne]": someone else's work
            spans.append(Span(i, i + 1, words[i], found, ""))
            i += 1
        spans.sort(key=lambda s: s.start)
        return self._objects_decide(words, assign_roles(words, lemmas, spans, self.family_relation))

    def _objects_decide(self, words: list[str], spans: list[Span]) -> list[Span]:
        """A polysemous activity followed by "af" + a task of another family is that task: "pleje af heste"
        is horse care, not personal care (lexicon.POLYSEMOUS_ACTIVITIES)."""
        out = list(spans)
        for k, span in enumerate(out[:-1]):
            following = out[k + 1]
            if span.role != "activity" or span.resolution.canonical is None \
                    or lemma(span.text.split()[-1]) not in lexicon.POLYSEMOUS_ACTIVITIES:
                continue
            governs = (following.start == span.end + 1 and words[span.end] == "af") \
                or (following.start == span.end and following.role == "object")  # "plejede haven"
            if governs and following.resolution.canonical is not None \
                    and following.resolution.family != span.resolution.family:
                out[k] = Span(span.start, span.end, span.text, following.resolution, "object")
                out[k + 1] = Span(following.start, following.end, following.text, following.resolution, "activity")
        return out

    def _phrase_spans(self, words: list[str], lemmas: list[str]) -> list[Span]:
        """Taxonomy phrases in the text by verb form, with up to MAX_GAP words between their parts; the
        longest at each start, left to right, never overlapping."""
        spans: list[Span] = []
        taken: set[int] = set()
        for start, first in enumerate(lemmas):
            if start in taken:
                continue
            found = None
            # A phrase written as in the taxonomy wins over one found with words between its parts:
            # "pakkede ordrer ind" is "pakke ordrer" (forsendelse), not "pakke … ind".
            for gap in (0, MAX_GAP):
                for key, canonical in self._phrases.get(first, ()):
                    positions = find_in_order(lemmas, key, start, taken, gap)
                    if positions is not None:
                        found = (positions[-1] + 1, canonical)
                        break
                if found:
                    break
            if found:
                end, canonical = found
                spans.append(Span(start, end, " ".join(words[start:end]),
                                  self._resolution(canonical, 1.0, "inflection"), ""))
                taken.update(range(start, end))
        return spans

    def is_surface_form(self, normalised_text: str) -> bool:
        """The normalised text is a taxonomy form, as written or inflected."""
        if normalised_text in self._by_form:
            return True
        return " ".join(stem_word(w) for w in normalised_text.split()) in self._by_stem

    def resolve_family(self, text: str) -> str | None:
        """A wish or area ("kantine", "Køkken/kantine", a family id) → family id."""
        return self._family_names.get(normalise(text)) or self.resolve(text).family

    def family_relation(self, a: str, b: str) -> float:
        """The relation (0–1) between two families by id, as the similarity uses it."""
        return float(self.relation[self._family_index[a], self._family_index[b]])

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
        normalised = tuple(prepare(t) for t in terms)
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
            other=np.array([r.is_other for r in resolutions], dtype=bool),
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
        implied = self.implied[np.maximum(required.canonical, 0)][:, np.maximum(vocabulary.canonical, 0)]
        head_credit = required.family_head[:, None] & ~self.peripheral[np.maximum(vocabulary.canonical, 0)][None, :]
        taxonomy_sim = np.where(
            (req_c == voc_c) | implied, conf,
            np.where(req_f == voc_f,
                     np.where(head_credit, FAMILY_HEAD_CREDIT * conf, SAME_FAMILY_CREDIT * conf),
                     RELATED_FAMILY_CREDIT * relation * conf),
        )
        vocabulary_t = vocabulary.tfidf_t if vocabulary.tfidf_t is not None else vocabulary.tfidf.T.tocsr()
        cosine = (required.tfidf @ vocabulary_t).toarray()
        sim = np.where(both, taxonomy_sim, cosine)
        sim = np.where(required.other[:, None] | vocabulary.other[None, :], 0.0, sim)
        same_text = (required.text_code[:, None] == vocabulary.text_code[None, :]) & (required.text_code[:, None] >= 0)
        same_text |= (required.stem_code[:, None] == vocabulary.stem_code[None, :]) & (required.stem_code[:, None] >= 0)
        sim = np.where(same_text, 1.0, sim)
        return np.where(sim >= SIMILARITY_FLOOR, np.minimum(sim, 1.0), 0.0)

    def term_similarity(self, a: str, b: str) -> float:
        """Scalar similarity of required term a to offered term b: the per-pair reference of
        `similarity_matrix`."""
        na, nb = prepare(a), prepare(b)
        if na and (na == nb or stem_text(na) == stem_text(nb)):
            return 1.0
        ra, rb = self.resolve(a), self.resolve(b)
        if ra.is_other or rb.is_other:
            sim = 0.0
        elif ra.canonical is not None and rb.canonical is not None:
            conf = min(ra.confidence, rb.confidence)
            ia, ib = self._canonical_index[ra.canonical], self._canonical_index[rb.canonical]
            if ra.canonical == rb.canonical or self.implied[ia, ib]:
                sim = conf
            elif ra.family == rb.family:
                head = ra.canonical in self.family_heads and not self.peripheral[ib]
                sim = (FAMILY_HEAD_CREDIT if head else SAME_FAMILY_CREDIT) * conf
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


def prepare(term: str) -> str:
    """The normalised text resolution works on: abbreviations and licence categories written out first."""
    return normalise(lexicon.expand_abbreviations(term))


@lru_cache(maxsize=1)
def competence_model() -> CompetenceModel:
    return CompetenceModel()


def cv_phrases(cv_text: str) -> list[str]:
    """The phrases of a CV compared with required competences, first occurrence order. The text is cut into
    sentences and clauses at punctuation and read (`CompetenceModel.read`): every activity part is a phrase
    ("vasket op", "satte varer op"), places and private clauses are not ("på et hotel", "min mand var
    pedel"). A sentence with no activity the taxonomy knows keeps its unknown words (n-gram evidence for
    unknown required terms) and, when it names a place, the sentence itself (which resolves to the place at
    CONTEXT_CONFIDENCE)."""
    model = competence_model()
    found: dict[str, None] = {}
    for piece in _PIECES.split(lexicon.expand_abbreviations(cv_text)):
        norm = normalise(piece)
        if not norm:
            continue
        spans = model.read(norm)
        activities = [s for s in spans if s.role == "activity"]
        understood = [s for s in activities if s.resolution.canonical is not None or s.resolution.is_other]
        for span in understood:
            # An activity understood as no task only in its sentence ("kasserer" in a forening) keeps the
            # sentence, which resolves the same way; alone the word would read as a task again.
            alone = model.resolve(span.text)
            found.setdefault(norm if span.resolution.is_other and not alone.is_other else span.text, None)
        if understood:
            continue
        for span in activities:
            if span.resolution is UNRESOLVED and span.text.split()[0] not in lexicon.GENERIC_VERBS:
                found.setdefault(span.text, None)
        if any(s.role == "context" and s.resolution.canonical is not None for s in spans):
            found.setdefault(norm, None)
    return list(found)


def entry_terms(entries: Iterable[str]) -> list[str]:
    """A kompetence-CV's entries as the terms they hold, distinct, in order: an entry listing several
    ("køkkenhjælp, opvask", "rengøring/opvask") gives each, unless it is a taxonomy form as a whole."""
    model = competence_model()
    out: dict[str, None] = {}
    for entry in entries:
        if not entry.strip():
            continue
        text = lexicon.expand_abbreviations(entry)
        parts = [p.strip() for p in _ENTRY_PARTS.split(text) if p.strip()]
        if model.is_surface_form(normalise(text)):
            parts = [entry]
        parts = [q for part in parts for q in _conjuncts(model, part)]
        if len(parts) <= 1:
            out.setdefault(entry, None)
            continue
        for part in parts:
            out.setdefault(part, None)
    return list(out)


def _conjuncts(model: CompetenceModel, part: str) -> list[str]:
    """"reception og kantine" → both, when each side is a task on its own and the whole is no taxonomy form
    ("social- og sundhedsassistent", "oplukning og aflåsning" stay whole)."""
    sides = [side.strip() for side in re.split(r"\s+(?:og|samt)\s+", part) if side.strip()]
    if len(sides) < 2 or model.is_surface_form(normalise(part)):
        return [part]
    if all(model.resolve(side).canonical is not None for side in sides):
        return sides
    return [part]


__all__ = [
    "CV_WEIGHT", "MATCH_THRESHOLD", "SIMILARITY_FLOOR", "CompetenceModel", "Resolution", "TermFeatures",
    "competence_model", "cv_phrases", "entry_terms", "prepare",
]
