"""What resolving a competence text gives: a `Resolution` (canonical term, family, confidence, how), and a
`Span` of a phrase with its role. Shared by `matcher.competences` (which resolves) and `matcher.roles`
(which decides which part of a phrase is the activity)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resolution:
    canonical: str | None
    family: str | None
    confidence: float
    how: str  # "taxonomy", "inflection", "spelling", "compound", "phrase", "context", "other", "unresolved"

    @property
    def is_other(self) -> bool:
        """Understood, and not a task of the taxonomy (a compound with a non-task head, "salg af …")."""
        return self.how == "other"


UNRESOLVED = Resolution(None, None, 0.0, "unresolved")
OTHER = Resolution(None, None, 0.0, "other")


@dataclass(frozen=True)
class Span:
    """A part of a phrase that `read` understood: words [start, end), how it resolves, and its role
    ("activity", "context" or "private")."""

    start: int
    end: int
    text: str
    resolution: Resolution
    role: str


__all__ = ["OTHER", "Resolution", "Span", "UNRESOLVED"]
