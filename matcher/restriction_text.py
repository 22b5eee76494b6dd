"""Free-text skånehensyn ("maks. løft 5 kg; ikke kontakt med fødevarer (mindre central)") → catalogue codes.

Consultants write restrictions as free text in their Access/Excel pools. The parser resolves each piece
against the Danish phrases of data/restrictions.yaml and never guesses: a piece it cannot resolve with
confidence is returned in `unresolved` (to be stored as a note and shown to the consultant), because a
wrong code is worse than an unresolved note.

Order of attempts for each piece: exact phrase (after normalisation), `{n}` pattern (a number, e.g. kg),
then a conservative fuzzy match (rapidfuzz) that must clear a high threshold, beat every other code by a
margin, and agree with the phrase on negation ("ikke …").

Splitting: `;`, newlines and bullets first; a segment that is not itself a phrase is split on commas (not
decimal commas: "2,5 kg") and then on " og "/" samt "/" eller ". In "ikke støv og støj" the negation of the
first part carries over to the next ("ikke støj"). Severity markers from the catalogue ("(mindre central)",
"helst", …) make a restriction soft; a part that is only a marker applies to the part before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from models.catalogue import load_catalogue
from models.danish import fold
from models.schemas import Restriction

# "Ikke tunge løft" names the lifting restriction without a number. The code needs one; a low limit is the
# safe reading (it can only exclude more tasks, never propose a heavy one).
HEAVY_LIFT_KG = 10.0
# Fuzzy acceptance: similarity (0-100, rapidfuzz ratio) of the whole normalised piece to a phrase, the
# lead it must have over the best phrase of any other code, and the shortest piece worth trying.
FUZZY_THRESHOLD = 90.0
FUZZY_MARGIN = 6.0
FUZZY_MIN_LENGTH = 8
# The range `Restriction.value` accepts.
MIN_VALUE, MAX_VALUE = 0.0, 200.0

NUMBER = "#"
_NUMBER_RE = r"(\d+(?:\.\d+)?)"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+")
_COMPOUND_HYPHEN = re.compile(r"(?<=[^\W\d_])[-‐‑–](?=[^\W\d_])")
_SEGMENT_SPLIT = re.compile(r"[;\n\r•·]+")
_COMMA_SPLIT = re.compile(r",(?!\d)|(?<!\d),")
_CONJUNCTION_SPLIT = re.compile(r"\s+(?:og|samt|eller)\s+|\s*[&+]\s*", re.IGNORECASE)
# Leading words that negate a whole enumeration: "ikke støv og støj" → "ikke støv", "ikke støj".
_NEGATION_PREFIXES = ("tåler ikke", "må ikke", "kan ikke", "ikke", "ingen", "intet", "undgå")
_NEGATION_WORDS = frozenset({"ikke", "ingen", "intet", "undgå", "uden"})


@dataclass(frozen=True)
class ParsedRestrictions:
    restrictions: list[Restriction] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """`models.danish.fold` (NFC, case-folded, white space collapsed), then compounds joined, decimal comma →
    dot, every other mark a word break."""
    text = _COMPOUND_HYPHEN.sub("", fold(text))
    return " ".join(token.replace(",", ".") for token in _TOKEN.findall(text))


@dataclass(frozen=True)
class _Index:
    exact: dict[str, str]  # normalised phrase → code
    patterns: tuple[tuple[re.Pattern[str], str], ...]  # `{n}` phrases as regexes → code
    fuzzy_phrases: tuple[str, ...]  # normalised phrases, "#" for the number
    fuzzy_codes: tuple[str, ...]  # the code of each fuzzy phrase
    soft_markers: tuple[tuple[str, ...], ...]  # token sequences, longest first
    hard_markers: tuple[tuple[str, ...], ...]


def _pattern(phrase: str) -> re.Pattern[str]:
    before, after = (normalise(piece) for piece in phrase.split("{n}", 1))
    parts = [re.escape(before)] if before else []
    regex = " ".join(parts + [_NUMBER_RE])
    if after:
        # The unit may be left out ("maks løft 5"); the number is what matters.
        regex += f"(?: {re.escape(after)})?"
    return re.compile(f"^{regex}$")


def _marker_tokens(markers: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    sequences = {tuple(normalise(marker).split()) for marker in markers}
    return tuple(sorted((s for s in sequences if s), key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def _index() -> _Index:
    catalogue = load_catalogue()
    exact: dict[str, str] = {}
    patterns: list[tuple[re.Pattern[str], str]] = []
    fuzzy: list[tuple[str, str]] = []
    for spec in catalogue.restrictions.values():
        names = list(spec.phrases) + [spec.code.replace("_", " ")]
        if not spec.takes_value:
            names.append(spec.label)  # a label copied from the UI is a phrase too
        for phrase in names:
            if "{n}" in phrase:
                patterns.append((_pattern(phrase), spec.code))
                before, after = (normalise(piece) for piece in phrase.split("{n}", 1))
                fuzzy.append((" ".join(filter(None, (before, NUMBER, after))), spec.code))
            else:
                exact.setdefault(normalise(phrase), spec.code)
                fuzzy.append((normalise(phrase), spec.code))
    fuzzy = list(dict.fromkeys(fuzzy))
    return _Index(exact=exact, patterns=tuple(patterns), fuzzy_phrases=tuple(p for p, _ in fuzzy),
                  fuzzy_codes=tuple(c for _, c in fuzzy),
                  soft_markers=_marker_tokens(catalogue.soft_markers),
                  hard_markers=_marker_tokens(catalogue.hard_markers))


# ---- matching one piece ---------------------------------------------------------------------------------

Match = tuple[str, float | None]  # (code, value)


def _value_for(code: str, number: float | None) -> float | None:
    if not load_catalogue().restrictions[code].takes_value:
        return None
    return HEAVY_LIFT_KG if number is None else number


def _match_exact(text: str) -> Match | None:
    index = _index()
    code = index.exact.get(text)
    if code is not None:
        return code, _value_for(code, None)
    for regex, code in index.patterns:
        found = regex.match(text)
        if found:
            return _numeric(code, found.group(1))
    return None


def _numeric(code: str, number: str) -> Match | None:
    """A stated limit outside what the schema allows ("maks løft 500 kg") is left for the consultant."""
    value = float(number)
    return (code, value) if MIN_VALUE <= value <= MAX_VALUE else None


def _negated(words: list[str]) -> bool:
    return any(word in _NEGATION_WORDS for word in words)


def _match_fuzzy(text: str) -> Match | None:
    if len(text) < FUZZY_MIN_LENGTH:
        return None
    numbers = re.findall(_NUMBER_RE, text)
    masked = re.sub(_NUMBER_RE, NUMBER, text)
    index = _index()
    # Every phrase scored in C, best first (ties by catalogue order); the runner-up is the best other code.
    scored = process.extract(masked, index.fuzzy_phrases, scorer=fuzz.ratio, limit=None)
    phrase, score, best = scored[0]
    code = index.fuzzy_codes[best]
    runner_up = next((other for _, other, i in scored if index.fuzzy_codes[i] != code), 0.0)
    if score < FUZZY_THRESHOLD or score - runner_up < FUZZY_MARGIN:
        return None
    if _negated(masked.split()) != _negated(phrase.split()):
        return None
    if NUMBER in phrase:
        return _numeric(code, numbers[0]) if len(numbers) == 1 else None
    return (code, _value_for(code, None)) if not numbers else None


def _strip_markers(words: list[str]) -> tuple[list[str], str | None]:
    """The words without severity markers, and the severity they state (None: not stated)."""
    index = _index()
    severity = None
    for kind, markers in (("soft", index.soft_markers), ("hard", index.hard_markers)):
        for marker in markers:
            size = len(marker)
            start = 0
            while start + size <= len(words):
                if tuple(words[start:start + size]) == marker:
                    del words[start:start + size]
                    severity = severity or kind
                else:
                    start += 1
    return words, severity


# ---- splitting ------------------------------------------------------------------------------------------

Resolved = tuple[str, float | None, str]  # (code, value, severity)


@dataclass(frozen=True)
class _Piece:
    raw: str
    text: str  # normalised, markers removed
    severity: str | None


@lru_cache(maxsize=16384)
def _piece(raw: str) -> _Piece:
    words, severity = _strip_markers(normalise(raw).split())
    return _Piece(raw=raw.strip(" .\t"), text=" ".join(words), severity=severity)


def _negation_prefix(text: str) -> str | None:
    for prefix in _NEGATION_PREFIXES:
        if text == prefix or text.startswith(prefix + " "):
            return prefix
    return None


@lru_cache(maxsize=16384)
def _resolve(text: str) -> Match | None:
    if not text:
        return None
    return _match_exact(text) or _match_fuzzy(text)


def _resolve_part(raw: str) -> tuple[list[Resolved], list[str], str | None]:
    """One comma-part: whole, else split on conjunctions with the negation carried over.
    Returns (resolved, unresolved raw pieces, severity marker of a marker-only part)."""
    whole = _piece(raw)
    if not whole.text:
        return [], [], whole.severity
    match = _resolve(whole.text)
    if match:
        return [(match[0], match[1], whole.severity or "hard")], [], None
    pieces = [_piece(sub) for sub in _CONJUNCTION_SPLIT.split(raw) if sub.strip()]
    prefix = _negation_prefix(pieces[0].text) if pieces else None
    resolved: list[Resolved] = []
    unresolved: list[str] = []
    for position, piece in enumerate(pieces):
        severity = piece.severity or whole.severity or "hard"
        match = _resolve(piece.text)
        if match is None and position > 0 and prefix and not _negation_prefix(piece.text):
            match = _resolve(f"{prefix} {piece.text}")
        if match:
            resolved.append((match[0], match[1], severity))
        elif piece.text:
            unresolved.append(piece.raw)
    if not resolved:
        return [], [whole.raw], None
    return resolved, unresolved, None


@lru_cache(maxsize=16384)
def _resolve_segment(segment: str) -> tuple[tuple[Resolved, ...], tuple[str, ...]]:
    """One `;`/line segment (cached: pools repeat the same segments across citizens)."""
    whole = _piece(segment)
    match = _resolve(whole.text)
    if match:
        return ((match[0], match[1], whole.severity or "hard"),), ()
    resolved: list[Resolved] = []
    unresolved: list[str] = []
    for raw in _COMMA_SPLIT.split(segment):
        found, missing, marker = _resolve_part(raw)
        if marker and not found and not missing and resolved:
            # "maks. løft 5 kg, mindre central": the marker belongs to the part before it.
            code, value, _ = resolved[-1]
            resolved[-1] = (code, value, marker)
        resolved.extend(found)
        unresolved.extend(missing)
    if not resolved and whole.text:
        return (), (whole.raw,)
    return tuple(resolved), tuple(unresolved)


def _merge(found: list[Resolved]) -> tuple[Resolved, ...]:
    """One entry per code, first-mention order: the lowest limit and the stricter severity win."""
    merged: dict[str, Resolved] = {}
    for code, value, severity in found:
        if code in merged:
            _, old_value, old_severity = merged[code]
            if value is not None and old_value is not None:
                value = min(value, old_value)
            severity = "hard" if "hard" in (severity, old_severity) else "soft"
        merged[code] = (code, value, severity)
    return tuple(merged.values())


def _parse(text: str) -> tuple[tuple[Resolved, ...], tuple[str, ...]]:
    found: list[Resolved] = []
    unresolved: list[str] = []
    for segment in _SEGMENT_SPLIT.split(text):
        if segment.strip():
            resolved, missing = _resolve_segment(segment)
            found.extend(resolved)
            unresolved.extend(missing)
    return _merge(found), tuple(dict.fromkeys(unresolved))


@lru_cache(maxsize=65536)
def _restrictions_for(text: str) -> tuple[tuple[Restriction, ...], tuple[str, ...]]:
    resolved, unresolved = _parse(text)
    return tuple(Restriction(code=c, value=v, severity=s) for c, v, s in resolved), unresolved


def parse_restrictions(text: str | None) -> ParsedRestrictions:
    """Catalogue restrictions found in `text`, and the pieces that could not be resolved (never dropped).
    Pools repeat the same phrases, so results are cached (the Restriction models are shared, read-only)."""
    if text is None or not str(text).strip():
        return ParsedRestrictions()
    restrictions, unresolved = _restrictions_for(str(text))
    return ParsedRestrictions(restrictions=list(restrictions), unresolved=list(unresolved))


__all__ = ["FUZZY_THRESHOLD", "HEAVY_LIFT_KG", "ParsedRestrictions", "normalise", "parse_restrictions"]
