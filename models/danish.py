"""Danish text helpers every layer shares: folding text for comparison, and numbers and counts written
the way a Danish reader expects them (decimal comma, singular/plural)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """How free text is compared: NFC, case-folded, runs of white space (including no-break spaces) as
    one space, trimmed. Every more specific normaliser starts from this."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def number(value: float) -> str:
    """A Danish number: whole numbers without decimals, otherwise one decimal with a comma (7,5)."""
    rounded = round(float(value), 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}".replace(".", ",")


def plural(count: int, singular: str, plural_form: str) -> str:
    """"1 stilling", "2 stillinger": the count with the Danish form that fits it."""
    return f"{count} {singular if count == 1 else plural_form}"


__all__ = ["fold", "number", "plural"]
