"""One sheet row → a validated Candidate, or Danish errors naming the row, the column and the value.

Cells arrive as text (CSV, mdbtools) or typed (Excel, access-parser): every parser here takes both. Danish
conventions: decimal comma, dates dd-mm-åååå, Ja/Nej. Free-text skånehensyn go through the catalogue
parser; phrases it cannot resolve are kept as notes for the consultant (and reported as warnings).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable, Literal

from pydantic import ValidationError

from matcher.restriction_text import parse_restrictions
from models.danish import fold
from models.diagnosis import diagnosis_warning
from models.errors import danish_errors
from models.schemas import MAX_WEEKLY_HOURS, Candidate, Location
from models.taxonomy import location_for_postcode
from models.vocabulary import CapacityBasis, CitizenStatus, CodeSet
from service.importer.mapping import ColumnPlan, Mapping, header_key
from service.importer.readers import SourceTable


@dataclass(frozen=True)
class Choices:
    """The words a jobcentre's file may use for the codes of one code set: per code, the words its files
    write (the first is the one named in error messages), else the code's Danish label; the code itself and
    its label are always accepted. A code added to the vocabulary is importable without touching this."""

    words: dict[str, str]    # folded word → code
    allowed: tuple[str, ...]  # one word per code, in vocabulary order

    @classmethod
    def of(cls, code_set: type[CodeSet], file_words: dict[str, tuple[str, ...]]) -> Choices:
        words: dict[str, str] = {}
        allowed = []
        for member in code_set:
            spelled = file_words.get(member.value) or (member.label,)
            allowed.append(fold(spelled[0]))
            for word in (*spelled, member.label, member.value):
                words.setdefault(fold(word), member.value)
        return cls(words, tuple(allowed))


STATUS_CHOICES = Choices.of(CitizenStatus, {
    CitizenStatus.available: ("ledig",), CitizenStatus.sick_leave: ("sygemeldt", "syg"),
    CitizenStatus.in_praktik: ("i praktik", "praktik"), CitizenStatus.employed: ("ansat",),
    CitizenStatus.assessment: ("under afklaring", "afklaring"),
})
BASIS_CHOICES = Choices.of(CapacityBasis, {
    CapacityBasis.estimated: ("estimeret", "skønnet"), CapacityBasis.measured: ("målt i praktik", "målt"),
})
TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "sand", "1", "x", "-1"})
FALSE_WORDS = frozenset({"nej", "n", "no", "false", "falsk", "0"})
# Candidate fields (pydantic error locations) → the importer field whose column they came from.
_CANDIDATE_FIELD = {
    "id": "citizen_id", "jobcenter": "jobcenter", "capacity_hours": "capacity_hours",
    "capacity_basis": "capacity_basis", "competences": "competences", "restrictions": "restrictions",
    "wishes": "wishes", "driving_licence": "driving_licence", "location": "postcode",
    "ly_months_last_24": "ly_months", "status": "status",
}
_NUMBER = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*(?:t|timer|time|t/uge|timer/uge|mdr|måneder)?\.?$")
_POSTCODE = re.compile(r"^(?:dk\s*-?\s*)?(\d{3,4})$")
_LIST_SPLIT = re.compile(r"[,;\n\r]+")

Severity = Literal["fejl", "advarsel"]


class CellError(ValueError):
    """A cell value that cannot be used; the message is Danish."""


@dataclass(frozen=True)
class RowIssue:
    row: int
    citizen_id: str
    column: str
    value: str
    message: str
    severity: Severity = "fejl"


@dataclass(frozen=True)
class ValidRow:
    row: int
    candidate: Candidate
    postcode: str | None
    unresolved: list[str]
    updated: date | None
    ly_since: date | None = None
    seeks_more_hours: bool = False


@dataclass
class Validation:
    rows_read: int = 0
    valid: list[ValidRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    invalid_rows: int = 0
    # BorgerIDs of invalid rows with their jobcenter when known: --sync must never deactivate them.
    invalid_ids: dict[str, str | None] = field(default_factory=dict)
    invalid_per_jobcenter: Counter = field(default_factory=Counter)
    unknown_postcodes: Counter = field(default_factory=Counter)
    unresolved_phrases: Counter = field(default_factory=Counter)

    def refuse(self, row: ValidRow, issue: RowIssue) -> None:
        """Turn a row that passed validation into an invalid one (a check against the database failed)."""
        self.valid.remove(row)
        self.errors.append(issue)
        self.invalid_rows += 1
        self.invalid_per_jobcenter[row.candidate.jobcenter or "(uden jobcenter)"] += 1
        self.invalid_ids.setdefault(row.candidate.id, row.candidate.jobcenter)


# ---- cell parsers -----------------------------------------------------------------------------------------

def cell_text(value: Any) -> str | None:
    """The cell as trimmed text (None when empty); whole floats from Excel lose their ".0"."""
    if type(value) is str:  # the common case (CSV, mdbtools) first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    text = str(value).strip()
    return text or None


def parse_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    return _number_from_text(str(value))


@lru_cache(maxsize=4096)
def _number_from_text(raw: str) -> float | None:
    text = raw.strip().replace("\u00a0", " ").casefold()
    if not text:
        return None
    found = _NUMBER.match(text)
    if not found:
        raise CellError("skal være et tal")
    return float(found.group(1).replace(",", "."))


def parse_capacity(value: Any) -> tuple[int, str | None]:
    """Whole hours per week, and a warning when a decimal was rounded down (never up: the citizen must
    not be offered more hours than they can work)."""
    number = parse_number(value)
    if number is None:
        raise CellError("mangler (timer pr. uge)")
    hours = math.floor(number + 1e-9)
    if hours < 1:
        raise CellError("skal være mindst 1 time pr. uge")
    if hours > MAX_WEEKLY_HOURS:
        raise CellError(f"må højst være {MAX_WEEKLY_HOURS} timer pr. uge")
    note = None if hours == number else f"rundet ned til {hours} hele timer pr. uge"
    return hours, note


def parse_months(value: Any) -> int:
    number = parse_number(value)
    if number is None:
        return 0
    if not number.is_integer() or not 0 <= number <= 24:
        raise CellError("skal være et helt antal måneder fra 0 til 24")
    return int(number)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return False
    word = text.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("skal være Ja eller Nej")


def parse_choice(value: Any, choices: Choices, default: str) -> str:
    text = cell_text(value)
    if text is None:
        return default
    code = choices.words.get(fold(text))
    if code is None:
        raise CellError(f"har en ukendt værdi; tilladt: {', '.join(choices.allowed)}")
    return code


def parse_postcode(value: Any) -> str | None:
    text = cell_text(value)
    if text is None:
        return None
    found = _POSTCODE.match(text.casefold())
    if not found:
        raise CellError("skal være et dansk postnummer med 4 cifre")
    return found.group(1).zfill(4)


_DAY_FIRST = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


@lru_cache(maxsize=8192)
def _date_from_text(text: str) -> date:
    """dd-mm-åååå (also with . or /), or åååå-mm-dd as Access and ISO write it; a time part is ignored."""
    day_first, iso = _DAY_FIRST.match(text), _ISO.match(text)
    try:
        if day_first:
            return date(int(day_first.group(3)), int(day_first.group(2)), int(day_first.group(1)))
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    except ValueError:
        raise CellError("er ikke en gyldig dato") from None
    raise CellError("skal være en dato som dd-mm-åååå")


def parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    return None if text is None else _date_from_text(text)


def parse_list(value: Any) -> list[str]:
    """A comma list (also `;` or one per line): trimmed, no empties, no repeats (first spelling kept)."""
    text = cell_text(value)
    return [] if text is None else list(_list_from_text(text))


@lru_cache(maxsize=16384)
def _list_from_text(text: str) -> tuple[str, ...]:
    items: dict[str, str] = {}
    for item in _LIST_SPLIT.split(text):
        item = " ".join(item.split())
        if item:
            items.setdefault(item.casefold(), item)
    return tuple(items.values())


@lru_cache(maxsize=4096)
def location_for(postcode: str) -> Location | None:
    """The postcode's town location (data/postcodes.csv), None when the postcode is unknown."""
    found = location_for_postcode(postcode)
    return None if found is None else Location(lat=found[0], lon=found[1])


# ---- one row ------------------------------------------------------------------------------------------------

def parse_status(value: Any) -> str:
    return parse_choice(value, STATUS_CHOICES, CitizenStatus.available)


def parse_basis(value: Any) -> str:
    return parse_choice(value, BASIS_CHOICES, CapacityBasis.estimated)


@dataclass
class _Row:
    """One row being validated: its cells by field, and the issues found so far."""

    number: int
    citizen_id: str
    values: dict[str, Any]
    columns: Callable[[str], str]
    issues: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    def _issue(self, key: str, message: str, value: Any, severity: Severity) -> RowIssue:
        shown = cell_text(self.values.get(key) if value is None else value) or ""
        return RowIssue(self.number, self.citizen_id, self.columns(key), shown, message, severity)

    def fail(self, key: str, message: str, value: Any = None) -> None:
        self.issues.append(self._issue(key, message, value, "fejl"))

    def warn(self, key: str, message: str, value: Any = None) -> None:
        self.warnings.append(self._issue(key, message, value, "advarsel"))

    def parsed(self, key: str, parser: Callable[[Any], Any], default: Any = None) -> Any:
        try:
            return parser(self.values.get(key))
        except CellError as exc:
            self.fail(key, f"{self.columns(key)} {exc}")
            return default


class RowValidator:
    """Validates the rows of one table against a column plan; remembers BorgerIDs to refuse repeats."""

    def __init__(self, plan: ColumnPlan, mapping: Mapping, *, default_jobcenter: str | None,
                 overflow: dict[int, int] | None = None,
                 locate: Callable[[str], Location | None] = location_for):
        self.positions = list(plan.index.items())
        self.translations = {key: mapping.values[key] for key in plan.index if mapping.values.get(key)}
        self.column = mapping.column
        self.overflow = overflow or {}
        self.default_jobcenter = default_jobcenter.strip() if default_jobcenter else None
        self.locate = locate
        self.seen: dict[str, int] = {}

    def values(self, cells: list[Any]) -> dict[str, Any]:
        """The row's cells by field, with the mapping's value translations applied."""
        values = {key: cells[position] for key, position in self.positions}
        for key, translations in self.translations.items():
            value = values[key]
            if value is not None:
                values[key] = translations.get(header_key(cell_text(value)), value)
        return values

    def validate(self, number: int, cells: list[Any], result: Validation) -> None:
        values = self.values(cells)
        row = _Row(number, cell_text(values.get("citizen_id")) or "", values, self.column)
        jobcenter = self._identity(row)
        fields = self._fields(row)
        candidate = None
        if not row.issues:
            candidate = self._candidate(row, jobcenter, fields)
        self._record(result, row, jobcenter, fields, candidate)

    def _identity(self, row: _Row) -> str | None:
        """Checks the row as a whole and its BorgerID; returns the jobcenter (cell or --jobcenter)."""
        extra = self.overflow.get(row.number)
        if extra:
            row.issues.append(RowIssue(row.number, row.citizen_id, "(hele rækken)", "", (
                f"rækken har {extra} felt(er) mere end overskriften; står skilletegnet i en celle uden "
                "anførselstegn?")))
        id_column = self.column("citizen_id")
        if not row.citizen_id:
            row.fail("citizen_id", f"{id_column} mangler")
        elif row.citizen_id in self.seen:
            row.fail("citizen_id", f"{id_column} '{row.citizen_id}' står også i række {self.seen[row.citizen_id]}")
        else:
            self.seen[row.citizen_id] = row.number
        jobcenter = cell_text(row.values.get("jobcenter")) or self.default_jobcenter
        if not jobcenter:
            row.fail("jobcenter", f"{self.column('jobcenter')} mangler (udfyld kolonnen eller brug --jobcenter)")
        return jobcenter

    def _fields(self, row: _Row) -> dict[str, Any]:
        hours, rounded = row.parsed("capacity_hours", parse_capacity, (None, None))
        if rounded:
            row.warn("capacity_hours", f"{self.column('capacity_hours')} {rounded}")
        fields = {
            "capacity_hours": hours,
            "capacity_basis": row.parsed("capacity_basis", parse_basis),
            "status": row.parsed("status", parse_status),
            "driving_licence": row.parsed("driving_licence", parse_bool, False),
            "ly_months_last_24": row.parsed("ly_months", parse_months, 0),
            "postcode": row.parsed("postcode", parse_postcode),
            "updated": row.parsed("updated", parse_date),
            "ly_since": row.parsed("ly_since", parse_date),
            "seeks_more_hours": row.parsed("seeks_more_hours", parse_bool, False),
            "restrictions": parse_restrictions(cell_text(row.values.get("restrictions"))),
            "location": None,
        }
        for phrase in fields["restrictions"].unresolved:
            row.warn("restrictions", f"skånehensynet '{phrase}' kunne ikke tolkes; gemt som note til konsulenten",
                     phrase)
            if warning := diagnosis_warning(f"skånehensynet '{phrase}'", phrase):
                row.warn("restrictions", warning, phrase)
        if fields["postcode"] is not None:
            fields["location"] = self.locate(fields["postcode"])
            if fields["location"] is None:
                row.warn("postcode", f"{self.column('postcode')} {fields['postcode']} er ukendt; borgeren gemmes "
                         "uden placering")
        return fields

    def _candidate(self, row: _Row, jobcenter: str | None, fields: dict[str, Any]) -> Candidate | None:
        try:
            return Candidate.model_validate({
                "id": row.citizen_id, "jobcenter": jobcenter, "capacity_hours": fields["capacity_hours"],
                "capacity_basis": fields["capacity_basis"], "competences": parse_list(row.values.get("competences")),
                "restrictions": fields["restrictions"].restrictions, "wishes": parse_list(row.values.get("wishes")),
                "driving_licence": fields["driving_licence"], "location": fields["location"],
                "ly_months_last_24": fields["ly_months_last_24"], "status": fields["status"],
            })
        except ValidationError as exc:
            for error in danish_errors(exc):
                key = _CANDIDATE_FIELD.get(error.field.split(".")[0], "citizen_id")
                row.fail(key, f"{self.column(key)}: {error.message}")
            return None

    @staticmethod
    def _record(result: Validation, row: _Row, jobcenter: str | None, fields: dict[str, Any],
                candidate: Candidate | None) -> None:
        result.rows_read += 1
        if candidate is None:
            result.invalid_rows += 1
            result.invalid_per_jobcenter[jobcenter or "(uden jobcenter)"] += 1
            result.errors.extend(row.issues)
            if row.citizen_id:
                result.invalid_ids.setdefault(row.citizen_id, jobcenter)
            return
        unresolved = fields["restrictions"].unresolved
        result.warnings.extend(row.warnings)
        result.unresolved_phrases.update(unresolved)
        if fields["postcode"] is not None and fields["location"] is None:
            result.unknown_postcodes[fields["postcode"]] += 1
        result.valid.append(ValidRow(row.number, candidate, fields["postcode"], unresolved, fields["updated"],
                                     fields["ly_since"], fields["seeks_more_hours"]))


def validate_table(table: SourceTable, plan: ColumnPlan, mapping: Mapping, *,
                   default_jobcenter: str | None,
                   locate: Callable[[str], Location | None] = location_for) -> Validation:
    validator = RowValidator(plan, mapping, default_jobcenter=default_jobcenter, overflow=table.overflow,
                             locate=locate)
    result = Validation()
    for number, cells in table.rows:
        validator.validate(number, cells, result)
    return result


__all__ = ["CellError", "RowIssue", "RowValidator", "ValidRow", "Validation", "cell_text", "parse_bool",
           "parse_capacity", "parse_date", "parse_list", "parse_months", "parse_number", "parse_postcode",
           "validate_table"]
