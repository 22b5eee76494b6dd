"""Danish text helpers every layer shares: folding text for comparison, the Danish stemmer, and numbers and
counts written the way a Danish reader expects them (decimal comma, singular/plural, "a, b og c")."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import snowballstemmer


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


def plural(count: float, singular: str, plural_form: str) -> str:
    """The noun form for `count`: Danish uses the singular for exactly one (and minus one), the plural for
    everything else, zero and fractions included ("0 timer", "1 time", "1,5 timer")."""
    return singular if abs(count) == 1 else plural_form


def counted(count: float, singular: str, plural_form: str) -> str:
    """A count with its noun: "1 stilling", "2 stillinger", "0 borgere", "7,5 timer"."""
    return f"{number(count)} {plural(count, singular, plural_form)}"


def and_list(items: Iterable[str], conjunction: str = "og") -> str:
    """"a", "a og b", "a, b og c": a Danish enumeration without the serial comma; repeats are dropped."""
    unique = list(dict.fromkeys(item for item in items if item))
    if len(unique) <= 1:
        return "".join(unique)
    return f"{', '.join(unique[:-1])} {conjunction} {unique[-1]}"


def _copenhagen() -> tzinfo:
    try:
        return ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:  # no time zone database on this machine: UTC, and the label says so
        return timezone.utc


LOCAL_ZONE = _copenhagen()
LOCAL_ZONE_LABEL = "dansk tid" if LOCAL_ZONE is not timezone.utc else "UTC"


def local_time(moment: datetime) -> datetime:
    """A stored (UTC) timestamp on the Copenhagen clock, the time Danish readers expect."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_ZONE)


_per_thread = threading.local()


def danish_stemmer() -> snowballstemmer.stemmer:
    """This thread's Danish Snowball stemmer: a stemmer keeps the word it works on in itself, so threads
    sharing one (the API's worker threads, a background rematch) would corrupt each other's words."""
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("danish")
    return stemmer


__all__ = [
    "LOCAL_ZONE", "LOCAL_ZONE_LABEL", "and_list", "counted", "danish_stemmer", "fold", "local_time", "number", "plural",
]
