"""Which part of a phrase is the activity: roles for the spans `CompetenceModel.read` found.

A span is the activity, context (after a preposition no governing word precedes, or a definite genitive
owner), an object of an understood activity, a governing word, or private (a sentence about private life).
See the module docstring of `matcher.competences` for how the roles are used.
"""

from __future__ import annotations

from collections.abc import Callable

from matcher import lexicon
from matcher.resolution import OTHER, Span
from matcher.text import STOPWORDS

Related = Callable[[str, str], float]
"""The relation (0–1) between two families, by id."""
MAX_GAP = 2
"""At most this many words between the parts of a taxonomy phrase ("satte [varer] op")."""
MIN_PART = 3


def is_content(word: str) -> bool:
    """A word that can carry a competence in a phrase: no stop word or auxiliary, no number, three letters."""
    return len(word) >= MIN_PART and word not in STOPWORDS and word not in lexicon.AUXILIARIES \
        and not word.isdigit()


def find_in_order(lemmas: list[str], key: tuple[str, ...], start: int, taken: set[int],
                   max_gap: int = MAX_GAP) -> list[int] | None:
    """Positions of key's lemmas in order from `start`, at most `max_gap` words apart, none taken and no
    clause break in a gap; None when the phrase is not there."""
    positions = [start]
    for part in key[1:]:
        at = positions[-1] + 1
        limit = min(len(lemmas), at + max_gap + 1)
        while at < limit and lemmas[at] != part:
            if at in taken or (lemmas[at] in lexicon.CLAUSE_BREAKS and lemmas[at] not in ("og", "eller")):
                return None  # "og"/"eller" may join two objects ("satte borde og stole op")
            at += 1
        if at >= limit or at in taken:
            return None
        positions.append(at)
    return positions


def _governs(word: str, word_lemma: str) -> bool:
    """The word makes the next preposition's noun the work: "arbejdede (i)", "stod (for)", "AMU-kursus (i)"."""
    return word_lemma in lexicon.GOVERNING or word.endswith(lexicon.GOVERNING_HEADS)


def _clause_start(words: list[str], start: int) -> int:
    """Where the clause holding word `start` begins: after the last clause break that starts a new clause
    ("og" followed by a verb form starts one; "og" between two nouns joins them)."""
    begin = start
    while begin > 0:
        word = words[begin - 1]
        if word in lexicon.CLAUSE_BREAKS and (word != "og" or lexicon.is_verb_form(words[begin])):
            break
        begin -= 1
    return begin


def assign_roles(words: list[str], lemmas: list[str], spans: list[Span], related: Related) -> list[Span]:
    """Each span's role, left to right (spans sorted by start): "private" in a clause about private life;
    "context" after a preposition that no governing word precedes (and that does not introduce "at" +
    verb); "object" for a noun after an understood activity in the same clause ("solgte [blomster]");
    a noun joined by "og"/"eller" to the previous span shares its role; otherwise "activity"."""
    out: list[Span] = []
    for span in spans:
        begin = _clause_start(words, span.start)
        role = _own_role(words, lemmas, span.start, begin, single=span.end == span.start + 1)
        previous = out[-1] if out and out[-1].start >= begin else None
        if role == "activity" and previous is not None:
            joined = span.start >= 1 and words[span.start - 1] in ("og", "eller", "samt") \
                and previous.end == span.start - 1
            understood = previous.role == "activity" and (previous.resolution.canonical is not None
                                                          or previous.resolution.is_other)
            if joined and previous.role in ("context", "object"):
                role = previous.role
            elif understood and not joined and not lexicon.is_verb_form(words[span.start]) \
                    and not _refines(previous, span, related):
                role = "object"
        out.append(Span(span.start, span.end, span.text, span.resolution, role))
    return _genitives(words, _board_roles(words, out))


def _genitives(words: list[str], spans: list[Span]) -> list[Span]:
    """A definite genitive names whose the next noun is ("vaskeriets chauffør", "vagtselskabets bogholder"):
    the owner is context, the noun after it is the activity."""
    out = list(spans)
    for k, span in enumerate(out[:-1]):
        following = out[k + 1]
        if span.end == span.start + 1 and following.start == span.end and span.role == "activity" \
                and words[span.start].endswith(lexicon.GENITIVE_ENDINGS):
            out[k] = Span(span.start, span.end, span.text, span.resolution, "context")
            if following.role == "object":
                out[k + 1] = Span(following.start, following.end, following.text, following.resolution, "activity")
    return out


def _refines(activity: Span, noun: Span, related: Related) -> bool:
    """An object naming a task of the verb's own or a closely related family makes the activity more specific
    ("kørt [taxa]", "kørt [gaffeltruck]", "passet [heste]"): it is read as an activity too, not as a mere
    object. A loosely related one stays an object ("solgte [emballage]")."""
    a, b = activity.resolution.family, noun.resolution.family
    if a is None or b is None:
        return False
    return a == b or related(a, b) >= lexicon.REFINING_RELATION


def _board_roles(words: list[str], spans: list[Span]) -> list[Span]:
    """A board role in an association is not the trade its title names: "kasserer i grundejerforeningen"
    keeps the books, "sekretær i bestyrelsen" takes minutes (rule 3 of the evaluation set)."""
    if not any(w.endswith(lexicon.ASSOCIATION_HEADS) for w in words):
        return spans
    return [Span(s.start, s.end, s.text, OTHER, s.role) if s.role == "activity" and s.text in lexicon.BOARD_ROLES
            else s for s in spans]


def _own_role(words: list[str], lemmas: list[str], start: int, begin: int, single: bool = True) -> str:
    # Private life colours the whole sentence ("har skiftet pærer og ordnet vandhaner derhjemme"); CV text
    # reaches here one sentence or clause at a time.
    if any(w in lexicon.PRIVATE_MARKERS or w in lexicon.NON_WORK_VERBS for w in words):
        return "private"
    if single and start + 1 < len(words) and words[start + 1] in lexicon.PREPOSITIONS \
            and _governs(words[start], lemmas[start]):
        return "governing"
    for k in range(start - 1, begin - 1, -1):
        if words[k] in lexicon.CLAUSE_BREAKS:
            break  # "… på skole og rengøring af kontorer": the preposition belongs to the first conjunct
        if words[k] in lexicon.PREPOSITIONS:
            if k + 1 < len(words) and words[k + 1] == "at":
                return "activity"
            governed = k > begin and _governs(words[k - 1], lemmas[k - 1])
            return "activity" if governed or k == begin else "context"
    return "activity"


__all__ = ["MAX_GAP", "Related", "assign_roles", "find_in_order", "is_content"]
