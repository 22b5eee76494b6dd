"""Which column of the file holds which citizen field: the default Danish pool layout, YAML mapping files for
other layouts, and the choice of the pool table in a file with several tables or sheets.

Headers are matched case- and whitespace-insensitively; a trailing description in parentheses is ignored
when nothing matches exactly ("Kompetencer (kommasepareret)" is the column Kompetencer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from models.danish import fold
from service.importer.readers import AccessSource, ExcelSource, ImportFileError, Source


@dataclass(frozen=True)
class FieldSpec:
    key: str  # internal field name
    column: str  # the column name in the default Danish layout
    required: bool = False


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("citizen_id", "BorgerID", required=True),
    FieldSpec("jobcenter", "Jobcenter", required=True),  # unless --jobcenter gives it
    FieldSpec("capacity_hours", "Arbejdsevne timer", required=True),
    FieldSpec("capacity_basis", "Arbejdsevne vurderet"),
    FieldSpec("competences", "Kompetencer"),
    # Required: a pool read without its restrictions would make every citizen look unrestricted.
    FieldSpec("restrictions", "Skånehensyn", required=True),
    FieldSpec("wishes", "Ønsker"),
    FieldSpec("postcode", "Postnr"),
    FieldSpec("driving_licence", "Kørekort"),
    FieldSpec("ly_months", "Ledighedsmåneder"),
    FieldSpec("status", "Status"),
    FieldSpec("ly_since", "Ledighedsydelse siden"),
    FieldSpec("seeks_more_hours", "Søger flere timer"),
    FieldSpec("updated", "Opdateret"),
)
FIELD_BY_KEY = {spec.key: spec for spec in FIELDS}
_TOP_LEVEL_KEYS = ("table", "sheet", "columns", "values")


@lru_cache(maxsize=8192)
def header_key(name: object) -> str:
    """How headers are compared: NFC, case-folded, whitespace collapsed."""
    return fold("" if name is None else str(name))


def _without_description(key: str) -> str:
    return re.sub(r"\s*\([^)]*\)\s*$", "", key)


@dataclass(frozen=True)
class Mapping:
    """field key → the column name in the file (None: the file has no such column, by declaration)."""

    columns: dict[str, str | None]
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field → {file value key → standard}
    table: str | None = None
    sheet: str | None = None
    origin: str = "standardlayoutet"

    def column(self, key: str) -> str:
        return self.columns.get(key) or FIELD_BY_KEY[key].column


def default_mapping() -> Mapping:
    return Mapping(columns={spec.key: spec.column for spec in FIELDS})


def _field_for_standard_column(name: object, path: Path) -> FieldSpec:
    key = header_key(name)
    for spec in FIELDS:
        if header_key(spec.column) == key:
            return spec
    known = ", ".join(spec.column for spec in FIELDS)
    raise ImportFileError(f"mappingfilen '{path.name}': ukendt standardkolonne '{name}'; kendte: {known}")


def load_mapping(path: Path) -> Mapping:
    """A YAML mapping file (see data/mappings/example.yaml). Keys are the standard column names."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ImportFileError(f"mappingfilen '{path}' kan ikke læses: {exc.strerror or exc}") from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"mappingfilen '{Path(path).name}' er ikke gyldig YAML: {exc}") from exc
    path = Path(path)
    if not isinstance(raw, dict):
        raise ImportFileError(f"mappingfilen '{path.name}' skal indeholde nøglerne {', '.join(_TOP_LEVEL_KEYS)}")
    unknown = sorted(str(key) for key in raw if key not in _TOP_LEVEL_KEYS)
    if unknown:
        raise ImportFileError(f"mappingfilen '{path.name}': ukendte nøgler {', '.join(unknown)}; "
                              f"tilladt: {', '.join(_TOP_LEVEL_KEYS)}")
    columns = {spec.key: spec.column for spec in FIELDS}
    for standard, actual in (raw.get("columns") or {}).items():
        spec = _field_for_standard_column(standard, path)
        if actual is None and spec.required and spec.key != "jobcenter":
            raise ImportFileError(f"mappingfilen '{path.name}': kolonnen '{spec.column}' er påkrævet og kan "
                                  "ikke udelades")
        columns[spec.key] = None if actual is None else str(actual)
    values: dict[str, dict[str, str]] = {}
    for standard, translations in (raw.get("values") or {}).items():
        spec = _field_for_standard_column(standard, path)
        if not isinstance(translations, dict):
            raise ImportFileError(f"mappingfilen '{path.name}': 'values' for '{spec.column}' skal være "
                                  "par af 'jeres værdi: standardværdi'")
        values[spec.key] = {header_key(k): str(v) for k, v in translations.items()}
    return Mapping(columns=columns, values=values, table=_optional_text(raw, "table"),
                   sheet=_optional_text(raw, "sheet"), origin=f"mappingfilen {path.name}")


def _optional_text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    return None if value is None else str(value)


# ---- resolving the columns of one table ----------------------------------------------------------------

@dataclass(frozen=True)
class ColumnPlan:
    index: dict[str, int]  # field key → column position in the table
    missing: list[str]  # required columns (as named in the file's layout) that are not there
    unused: list[str]  # columns of the file no field reads
    duplicates: list[str]  # mapped columns that occur more than once


def plan_columns(columns: list[str], mapping: Mapping, *, jobcenter_given: bool) -> ColumnPlan:
    exact: dict[str, list[int]] = {}
    loose: dict[str, list[int]] = {}
    for position, name in enumerate(columns):
        key = header_key(name)
        if key:
            exact.setdefault(key, []).append(position)
            loose.setdefault(_without_description(key), []).append(position)
    index: dict[str, int] = {}
    missing: list[str] = []
    duplicates: list[str] = []
    for spec in FIELDS:
        wanted = mapping.columns.get(spec.key)
        if wanted is None:
            continue
        key = header_key(wanted)
        positions = exact.get(key) or loose.get(key) or []
        if len(positions) > 1:
            duplicates.append(wanted)
        if positions:
            index[spec.key] = positions[0]
        elif spec.required and not (spec.key == "jobcenter" and jobcenter_given):
            missing.append(wanted)
    used = set(index.values())
    unused = [name for position, name in enumerate(columns) if position not in used and header_key(name)]
    return ColumnPlan(index=index, missing=missing, unused=unused, duplicates=duplicates)


def choose_table(source: Source, mapping: Mapping, *, jobcenter_given: bool) -> tuple[str, ColumnPlan]:
    """The pool table: the one the mapping names, else the first with every required column. Otherwise a
    Danish error: for one table, the missing columns; for several, the tables found."""
    names = source.table_names()
    if not names:
        raise ImportFileError(f"{source.kind} '{source.path.name}' indeholder ingen tabeller")
    # `table` names an Access table, `sheet` an Excel sheet; a CSV file is its one table.
    named = mapping.table if isinstance(source, AccessSource) else (
        mapping.sheet if isinstance(source, ExcelSource) else None)
    if named is not None:
        match = [name for name in names if header_key(name) == header_key(named)]
        if not match:
            raise ImportFileError(f"{source.kind} '{source.path.name}' har ingen tabel '{named}'; "
                                  f"fundet: {_listing(names)}")
        names = match
    plans = [(name, plan_columns(source.columns(name), mapping, jobcenter_given=jobcenter_given))
             for name in names]
    for name, plan in plans:
        if not plan.missing and not plan.duplicates:
            return name, plan
    for name, plan in plans:
        if plan.duplicates and not plan.missing:
            raise ImportFileError(f"'{source.path.name}', tabellen '{name}': kolonnen "
                                  f"{_listing(plan.duplicates)} står flere gange")
    if len(plans) == 1 and not isinstance(source, AccessSource):
        name, plan = plans[0]
        raise ImportFileError(
            f"'{source.path.name}' mangler de påkrævede kolonner {_listing(plan.missing)} "
            f"({mapping.origin}); fundne kolonner: {_listing(source.columns(name)) or '(ingen)'}")
    required = _listing([mapping.column(s.key) for s in FIELDS if s.required
                         and mapping.columns.get(s.key) is not None
                         and not (s.key == "jobcenter" and jobcenter_given)])
    raise ImportFileError(
        f"{source.kind} '{source.path.name}' har ingen genkendelig borgerpulje (en tabel med kolonnerne "
        f"{required}) ({mapping.origin}); fundne tabeller: {_listing(source.table_names())}")


def _listing(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


__all__ = ["FIELDS", "ColumnPlan", "FieldSpec", "Mapping", "choose_table", "default_mapping", "header_key",
           "load_mapping", "plan_columns"]
