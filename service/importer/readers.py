"""Read a pool file (Access, Excel or CSV) into plain tables: column names and rows of cell values, each row
with the number the consultant sees (sheet row, header = row 1; record number in Access).

Only reading happens here: which table is the pool, and what the cells mean, is decided by mapping.py and
rows.py. Every failure a consultant can cause (missing file, wrong type, damaged file) is an
`ImportFileError` with a Danish message that names the file.
"""

from __future__ import annotations

import codecs
from abc import ABC, abstractmethod
import csv
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ACCESS_SUFFIXES = (".accdb", ".mdb")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
SUPPORTED = ACCESS_SUFFIXES + EXCEL_SUFFIXES + CSV_SUFFIXES
AccessBackend = Literal["auto", "mdbtools", "access-parser"]
# Access system/hidden table flags in MSysObjects (0x80000000 system, 0x2 hidden).
_HIDDEN_TABLE_FLAGS = 0x80000002
_MDB_TIMEOUT_S = 300


class ImportFileError(Exception):
    """The file cannot be imported as it is. The message is Danish and names the file."""


@dataclass
class SourceTable:
    """One table of a source: `rows` are (row number, cells aligned with `columns`)."""

    source: Path
    name: str
    columns: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)  # e.g. detected encoding and delimiter
    # Row number → how many non-blank cells the row has beyond the header (a delimiter inside a value).
    overflow: dict[int, int] = field(default_factory=dict)


class Source(ABC):
    """An opened file with one or more named tables (CSV: one; Excel: sheets; Access: tables)."""

    kind = ""  # Danish name of the file type, for messages

    def __init__(self, path: Path):
        self.path = path

    @abstractmethod
    def table_names(self) -> list[str]: ...

    def columns(self, name: str) -> list[str]:
        return self.read(name).columns

    @abstractmethod
    def read(self, name: str) -> SourceTable: ...

    def close(self) -> None:
        """Release the file (Excel keeps it open while sheets are read)."""


def open_source(path: Path, access_backend: AccessBackend = "auto") -> Source:
    """The source for `path`, chosen by its suffix; a Danish ImportFileError for anything we cannot read."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"filen '{path}' findes ikke")
    if not path.is_file():
        raise ImportFileError(f"'{path}' er ikke en fil")
    suffix = path.suffix.lower()
    if suffix in ACCESS_SUFFIXES:
        return AccessSource(path, backend=access_backend)
    if suffix in EXCEL_SUFFIXES:
        return ExcelSource(path)
    if suffix in CSV_SUFFIXES:
        return CsvSource(path)
    if suffix == ".xls":
        raise ImportFileError(f"'{path.name}' er i det gamle Excel-format (.xls); gem den som .xlsx og prøv igen")
    raise ImportFileError(
        f"filtypen '{suffix or '(ingen)'}' ({path.name}) kan ikke importeres; brug {', '.join(SUPPORTED)}")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"filen '{path}' kan ikke læses: {exc.strerror or exc}") from exc


def _blank(cells: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _blank_text(cells: list[str]) -> bool:
    """_blank for rows of text only (CSV, mdbtools), in one C-level join."""
    return not "".join(cells).strip()


def _table(path: Path, name: str, records: list[tuple[int, list[Any]]],
           blank: Callable[[list[Any]], bool] = _blank, **details: str) -> SourceTable:
    """Header = first non-blank record; blank records after it are skipped (their numbers stay counted)."""
    body = [(number, cells) for number, cells in records if not blank(cells)]
    if not body:
        return SourceTable(path, name, [], [], dict(details))
    (_, header), rows = body[0], body[1:]
    columns = ["" if cell is None else str(cell).strip() for cell in header]
    width = len(columns)
    aligned = [(number, cells if len(cells) == width else (cells + [None] * (width - len(cells)))[:width])
               for number, cells in rows]
    overflow = {number: len(cells) - width for number, cells in rows
                if len(cells) > width and not blank(cells[width:])}
    return SourceTable(path, name, columns, aligned, dict(details), overflow)


# ---- CSV ------------------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
DELIMITERS = ";,\t"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM decides; else strict UTF-8; else cp1252 (Danish Windows exports); else latin-1
    (which decodes every byte; cp1252 leaves five bytes undefined)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def sniff_delimiter(text: str) -> str:
    """The delimiter of the header line (names rarely hold `;` or `,`; data may hold decimal commas).
    If the header alone does not tell, csv.Sniffer looks at the first lines."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(re.findall(re.escape(d) + r'(?=(?:[^"]*"[^"]*")*[^"]*$)', header)) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    if counts[best] and sorted(counts.values())[-2] < counts[best]:
        return best
    try:
        return csv.Sniffer().sniff(text[:20000], delimiters=DELIMITERS).delimiter
    except csv.Error:
        return best if counts[best] else ";"


class CsvSource(Source):
    kind = "CSV-filen"

    def __init__(self, path: Path):
        super().__init__(path)
        self._table: SourceTable | None = None

    def table_names(self) -> list[str]:
        return [self.path.name]

    def read(self, name: str) -> SourceTable:
        if self._table is None:
            self._table = self._read(name)
        return self._table

    def _read(self, name: str) -> SourceTable:
        text, encoding = decode(_read_bytes(self.path))
        if "\x00" in text:
            raise ImportFileError(f"'{self.path.name}' ligner ikke en CSV-tekstfil (indeholder binære data)")
        delimiter = sniff_delimiter(text)
        try:
            # Record numbers count as Excel shows rows: a quoted line break stays inside its row.
            records = [(number, list(cells)) for number, cells in
                       enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)]
        except csv.Error as exc:
            raise ImportFileError(f"'{self.path.name}' kan ikke læses som CSV: {exc}") from exc
        return _table(self.path, name, records, _blank_text, encoding=encoding, delimiter=delimiter)


# ---- Excel ----------------------------------------------------------------------------------------------

class ExcelSource(Source):
    kind = "Excel-filen"

    def __init__(self, path: Path):
        super().__init__(path)
        self._cache: dict[str, SourceTable] = {}
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._book = load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ImportFileError(f"'{path.name}' kan ikke åbnes som Excel-fil (.xlsx): {exc}") from exc

    def table_names(self) -> list[str]:
        return list(self._book.sheetnames)

    def close(self) -> None:
        self._book.close()

    def read(self, name: str) -> SourceTable:
        if name not in self._cache:
            sheet = self._book[name]
            records = [(number, list(cells)) for number, cells in
                       enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
            self._cache[name] = _table(self.path, name, records)
        return self._cache[name]


# ---- Access ---------------------------------------------------------------------------------------------

def mdbtools_available() -> bool:
    return all(shutil.which(tool) for tool in ("mdb-tables", "mdb-export"))


class AccessSource(Source):
    """Access through mdbtools when installed (fast, complete), else the pure-Python access-parser.
    With backend "auto", a failure of mdbtools falls back to access-parser before giving up."""

    kind = "Access-databasen"

    def __init__(self, path: Path, backend: AccessBackend = "auto"):
        super().__init__(path)
        if backend == "auto":
            backends = ([MdbToolsReader, AccessParserReader] if mdbtools_available() else [AccessParserReader])
        elif backend == "mdbtools":
            if not mdbtools_available():
                raise ImportFileError("mdbtools (mdb-tables, mdb-export) er ikke installeret")
            backends = [MdbToolsReader]
        else:
            backends = [AccessParserReader]
        self._reader = self._open(backends)
        self.backend = self._reader.name
        self._cache: dict[str, SourceTable] = {}

    def _open(self, backends: list[Callable[[Path], AccessReader]]) -> AccessReader:
        problems = []
        for backend in backends:
            try:
                reader = backend(self.path)
                reader.table_names()
                return reader
            except ImportFileError as exc:
                problems.append(str(exc))
        raise ImportFileError(f"'{self.path.name}' kan ikke læses som Access-database: {'; '.join(problems)}")

    def table_names(self) -> list[str]:
        return self._reader.table_names()

    def columns(self, name: str) -> list[str]:
        return self._reader.columns(name)

    def read(self, name: str) -> SourceTable:
        if name not in self._cache:
            columns, rows = self._reader.rows(name)
            # Access stores line breaks as CRLF; both backends hand back plain "\n" like the other sources.
            records = [(number, [cell.replace("\r\n", "\n") if isinstance(cell, str) else cell for cell in cells])
                       for number, cells in enumerate(rows, start=1)]
            self._cache[name] = SourceTable(self.path, name, columns, records, {"backend": self.backend})
        return self._cache[name]


class AccessReader(ABC):
    """One way of reading an Access file: user tables (no system or hidden ones), columns, rows."""

    name = ""

    def __init__(self, path: Path):
        self.path = path

    @abstractmethod
    def table_names(self) -> list[str]: ...

    @abstractmethod
    def columns(self, table: str) -> list[str]: ...

    @abstractmethod
    def rows(self, table: str) -> tuple[list[str], list[list[Any]]]: ...


class MdbToolsReader(AccessReader):
    name = "mdbtools"

    def _run(self, *args: str) -> str:
        try:
            done = subprocess.run(args, capture_output=True, timeout=_MDB_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ImportFileError(f"mdbtools fejlede: {exc}") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ImportFileError(f"mdbtools fejlede ({message[-1] if message else done.returncode})")
        return done.stdout.decode("utf-8", "replace")

    def table_names(self) -> list[str]:
        return [line for line in self._run("mdb-tables", "-1", str(self.path)).splitlines() if line]

    def columns(self, table: str) -> list[str]:
        # Only the header line is needed: stop mdb-export after it instead of exporting the whole table.
        with subprocess.Popen(["mdb-export", str(self.path), table], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL) as process:
            assert process.stdout is not None
            header = process.stdout.readline().decode("utf-8", "replace")
            process.kill()
        return next(csv.reader([header]), []) if header else self.rows(table)[0]

    def rows(self, table: str) -> tuple[list[str], list[list[Any]]]:
        text = self._run("mdb-export", "-b", "strip", "-D", "%Y-%m-%d", "-T", "%Y-%m-%d %H:%M:%S",
                         str(self.path), table)
        records = list(csv.reader(io.StringIO(text, newline="")))
        if not records:
            raise ImportFileError(f"mdbtools gav ingen kolonner for tabellen '{table}'")
        return records[0], [cells for cells in records[1:]]


class AccessParserReader(AccessReader):
    name = "access-parser"

    def __init__(self, path: Path):
        super().__init__(path)
        from access_parser import AccessParser

        try:
            self._db = AccessParser(str(path))
            self._tables = self._user_tables()
        except Exception as exc:  # a third-party parser on an untrusted file can raise anything
            raise ImportFileError(f"access-parser fejlede: {exc or type(exc).__name__}") from exc

    def _user_tables(self) -> list[str]:
        catalog = self._db.parse_table("MSysObjects")
        flags = {name: flag for name, kind, flag in zip(catalog["Name"], catalog["Type"], catalog["Flags"])
                 if kind == 1}
        return [name for name in self._db.catalog
                if not name.startswith("MSys") and not (flags.get(name, 0) or 0) & _HIDDEN_TABLE_FLAGS]

    def table_names(self) -> list[str]:
        return list(self._tables)

    def columns(self, table: str) -> list[str]:
        definition = self._db.get_table(table)
        ordered = sorted(definition.columns.values(), key=lambda column: column.column_id)
        return [str(column.col_name_str) for column in ordered]

    def rows(self, table: str) -> tuple[list[str], list[list[Any]]]:
        try:
            columns = self.columns(table)
            data = self._db.parse_table(table)
        except Exception as exc:  # see __init__
            raise ImportFileError(f"access-parser kunne ikke læse tabellen '{table}': {exc}") from exc
        count = max((len(values) for values in data.values()), default=0)
        cells = [data.get(column, [None] * count) for column in columns]
        return columns, [[column[i] for column in cells] for i in range(count)]


__all__ = [
    "ACCESS_SUFFIXES", "CSV_SUFFIXES", "EXCEL_SUFFIXES", "SUPPORTED", "AccessSource", "CsvSource",
    "ExcelSource", "ImportFileError", "Source", "SourceTable", "decode", "mdbtools_available", "open_source",
    "sniff_delimiter",
]
