"""Danish municipalities and postcodes (data/municipalities.csv, data/postcodes.csv) as lookups.

Coordinates are approximate town centres, good enough for commute estimates and nothing finer.
Both files are UTF-8 with ';' as separator. Loaded once per process; treat the results as read-only.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.paths import DATA_DIR

MUNICIPALITIES_FILE = "municipalities.csv"
POSTCODES_FILE = "postcodes.csv"


@dataclass(frozen=True)
class Municipality:
    name: str
    region: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Postcode:
    postnr: str
    town: str
    municipality: str
    lat: float
    lon: float


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{path.name}: expected columns {';'.join(columns)}, got {reader.fieldnames}")
        return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


@lru_cache(maxsize=1)
def load_municipalities() -> dict[str, Municipality]:
    rows = _read_rows(DATA_DIR / MUNICIPALITIES_FILE, ("name", "region", "lat", "lon"))
    municipalities: dict[str, Municipality] = {}
    for line, row in enumerate(rows, start=2):
        if row["name"] in municipalities:
            raise ValueError(f"{MUNICIPALITIES_FILE} line {line}: {row['name']!r} appears twice")
        municipalities[row["name"]] = Municipality(
            name=row["name"], region=row["region"], lat=float(row["lat"]), lon=float(row["lon"])
        )
    return municipalities


@lru_cache(maxsize=1)
def load_postcodes() -> dict[str, Postcode]:
    rows = _read_rows(DATA_DIR / POSTCODES_FILE, ("postnr", "by", "kommune", "lat", "lon"))
    postcodes: dict[str, Postcode] = {}
    for line, row in enumerate(rows, start=2):
        if row["postnr"] in postcodes:
            raise ValueError(f"{POSTCODES_FILE} line {line}: postcode {row['postnr']} appears twice")
        postcodes[row["postnr"]] = Postcode(
            postnr=row["postnr"], town=row["by"], municipality=row["kommune"],
            lat=float(row["lat"]), lon=float(row["lon"]),
        )
    return postcodes


def normalise_postnr(postnr: str | int) -> str:
    """'8 700', ' 8700 ' and 8700 all name the same postcode."""
    return "".join(str(postnr).split())


def location_for_postcode(postnr: str | int) -> tuple[float, float] | None:
    """(lat, lon) of a postcode's town, or None when the postcode is unknown."""
    found = load_postcodes().get(normalise_postnr(postnr))
    return (found.lat, found.lon) if found else None


@lru_cache(maxsize=1)
def _municipalities_by_folded_name() -> dict[str, Municipality]:
    return {name.casefold(): municipality for name, municipality in load_municipalities().items()}


def location_for_municipality(name: str) -> tuple[float, float] | None:
    """(lat, lon) of a municipality's main town by name (any case, e.g. a jobcentre name), or None."""
    found = _municipalities_by_folded_name().get(" ".join(name.split()).casefold())
    return (found.lat, found.lon) if found else None
