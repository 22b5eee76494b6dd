"""Free text that looks like a diagnosis.

FleksMatch stores functional restrictions (what a person cannot do), never diagnoses. Consultants still
type "Diagnose: paranoid skizofreni (F20.0)" into a CV text or a note. This detector finds ICD-10 codes
(a capital letter, two digits, an optional decimal part: F20.0, M54) and a list of common diagnosis words
(Danish, folded, matched at word starts so inflections count), so the consultant can be warned. It only
warns: a false alarm costs a glance, a refusal would cost the record.
"""

from __future__ import annotations

import re

from models.danish import fold

ICD10 = re.compile(r"(?<![A-Za-zÆØÅæøå0-9-])[A-TV-Z][0-9]{2}(?:\.[0-9]{1,2})?(?![A-Za-z0-9])")
DIAGNOSIS_WORDS = (
    "diagnose", "diagnosticeret", "icd", "skizofreni", "psykose", "bipolar", "depression", "depressiv",
    "angstlidelse", "ocd", "ptsd", "adhd", "add", "autisme", "asperger", "personlighedsforstyrrelse",
    "spiseforstyrrelse", "anoreksi", "bulimi", "demens", "alzheimer", "parkinson", "sklerose", "epilepsi",
    "diabetes", "kræft", "cancer", "leukæmi", "hiv", "aids", "fibromyalgi", "diskusprolaps", "prolaps",
    "piskesmæld", "whiplash", "slidgigt", "leddegigt", "artrose", "kol", "astma", "migræne", "apopleksi",
    "blodprop", "hjerneskade", "hjernerystelse", "misbrug", "alkoholisme", "stofmisbrug",
)
_WORD = re.compile(r"[a-zæøå0-9]+")
_FOLDED = tuple(fold(word) for word in DIAGNOSIS_WORDS)


def diagnosis_hints(text: str | None) -> list[str]:
    """The ICD-10 codes and diagnosis words found in `text`, in order of appearance, without repeats."""
    if not text:
        return []
    found = [match.group(0) for match in ICD10.finditer(text)]
    for word in _WORD.findall(fold(text)):
        for term in _FOLDED:
            if word == term or (len(term) >= 5 and word.startswith(term)):
                found.append(word)
                break
    return list(dict.fromkeys(found))


def diagnosis_warning(label: str, text: str | None) -> str | None:
    """A Danish warning when `text` looks like it holds a diagnosis, naming what was found."""
    hints = diagnosis_hints(text)
    if not hints:
        return None
    return (f"{label} ligner en diagnose ({', '.join(hints[:5])}). Skriv funktionelle skånehensyn (hvad "
            "borgeren ikke kan), ikke diagnoser.")


__all__ = ["DIAGNOSIS_WORDS", "ICD10", "diagnosis_hints", "diagnosis_warning"]
