"""What every form of the consultant UI has: its errors by form field name, for the templates to show."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FormErrors:
    """Base of the form dataclasses. Keyword-only, so the forms' own fields keep their positions."""

    errors: dict[str, str] = field(default_factory=dict, kw_only=True)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)


__all__ = ["FormErrors"]
