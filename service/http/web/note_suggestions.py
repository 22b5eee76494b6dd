"""A catalogue restriction to pre-select for a skånehensyn note the import could not read.

The importer never guesses (matcher.restriction_text): a wrong code is worse than a note. Here a person
decides, so a close reading may be offered: the note's content words against each catalogue label's and
phrase's. Only a close match is suggested; the consultant confirms or picks another code.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz, process

from models.catalogue import load_catalogue

SUGGESTION_THRESHOLD = 90
_NOTE_WORD = re.compile(r"[^\W\d_]+")
_NOT_CONTENT = frozenset("ikke ingen intet undgå må kan tåler skal have over for med til af og i på at den det en et "
                         "helst gerne uden højst maks max kun".split())


def _content(text: str) -> str:
    return " ".join(w for w in _NOTE_WORD.findall(text.lower()) if len(w) >= 3 and w not in _NOT_CONTENT)


@lru_cache(maxsize=1)
def _suggestion_choices() -> dict[str, str]:
    choices: dict[str, str] = {}
    for spec in load_catalogue().restrictions.values():
        for text in (spec.label, *spec.phrases):
            words = _content(text.replace("{n}", ""))
            if words:
                choices.setdefault(words, spec.code)
    return choices


def suggested_code(note: str) -> str | None:
    """The catalogue code whose label or phrases read most like `note`, if one reads closely like it."""
    choices = _suggestion_choices()
    found = process.extractOne(_content(note), list(choices), scorer=fuzz.token_set_ratio)
    return choices[found[0]] if found and found[1] >= SUGGESTION_THRESHOLD else None


__all__ = ["SUGGESTION_THRESHOLD", "suggested_code"]
