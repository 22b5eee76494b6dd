"""Danish, field-naming messages for validation errors.

Pydantic's own messages are English; consultants and the case system get Danish. Each error keeps its
field path (e.g. `candidates.0.capacity_hours`) so the caller can point at the field or the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

# Ids (citizens, employers, positions, tasks) are parts of web addresses and file names: no "/" and no
# control characters (a NUL byte even breaks PostgreSQL), and at least one visible character.
ID_PATTERN = r"^[^/\x00-\x1f\x7f]*[^/\s\x00-\x1f\x7f][^/\x00-\x1f\x7f]*$"
ID_MESSAGE = "må ikke være tom og må ikke indeholde '/' eller styretegn"
_PATTERN_MESSAGES = {ID_PATTERN: ID_MESSAGE}

_MESSAGES: dict[str, str] = {
    "missing": "feltet mangler",
    "extra_forbidden": "ukendt felt",
    "int_type": "skal være et helt tal",
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt antal (ingen decimaler)",
    "float_type": "skal være et tal",
    "float_parsing": "skal være et tal",
    "bool_type": "skal være sand eller falsk",
    "bool_parsing": "skal være sand eller falsk",
    "string_type": "skal være tekst",
    "list_type": "skal være en liste",
    "dict_type": "skal være et objekt",
    "model_type": "skal være et objekt",
    "model_attributes_type": "skal være et objekt",
    "literal_error": "ugyldig værdi; tilladt: {expected}",
    "enum": "ugyldig værdi; tilladt: {expected}",
    "json_invalid": "ugyldig JSON",
    "string_pattern_mismatch": "må ikke være tom",
}


def _bound_message(kind: str, ctx: dict) -> str | None:
    bounds = {
        "greater_than_equal": "skal være mindst {ge}",
        "greater_than": "skal være større end {gt}",
        "less_than_equal": "må højst være {le}",
        "less_than": "skal være mindre end {lt}",
        "string_too_short": "må ikke være tom" if ctx.get("min_length") == 1 else "skal have mindst {min_length} tegn",
        "string_too_long": "må højst have {max_length} tegn",
        "too_short": "skal have mindst {min_length} elementer",
        "too_long": "må højst have {max_length} elementer",
    }
    template = bounds.get(kind)
    return template.format(**ctx) if template else None


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    value: object = None

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


def field_path(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def _message(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        # Our own validators raise ValueError with a Danish message already.
        return str(ctx.get("error", error["msg"]))
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_MESSAGES:
        return _PATTERN_MESSAGES[ctx["pattern"]]
    bound = _bound_message(kind, ctx)
    if bound:
        return bound
    template = _MESSAGES.get(kind)
    if template:
        if "{expected}" in template:
            return template.format(expected=str(ctx.get("expected", "")).replace(" or ", " eller "))
        return template
    return f"ugyldig værdi ({error['msg']})"


def danish_error_dicts(errors: list[dict], prefix: tuple = ()) -> list[FieldError]:
    """Danish messages for errors in pydantic's `errors()` format (FastAPI's RequestValidationError carries
    that list but is not a ValidationError)."""
    return [FieldError(field=field_path(prefix + tuple(e.get("loc", ()))), message=_message(e), value=e.get("input"))
            for e in errors]


def danish_errors(exc: ValidationError, prefix: tuple = ()) -> list[FieldError]:
    """Every error of a pydantic ValidationError as a Danish message with its field path."""
    return danish_error_dicts(exc.errors(include_url=False), prefix)


def danish_summary(exc: ValidationError, prefix: tuple = ()) -> str:
    return "; ".join(str(e) for e in danish_errors(exc, prefix))
