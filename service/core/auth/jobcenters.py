"""Which jobcentre names an account may be given: a typo ("Horsnes") would create a login that sees nothing.

A name is accepted when the database already has that jobcentre, or when it is a Danish municipality's
name (data/municipalities.csv): jobcentres are the municipalities', so a fresh installation can create its
first accounts before the first import.
"""

from __future__ import annotations

import difflib

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm
from models.geo_data import load_municipalities


def known_jobcenters(session: Session) -> list[str]:
    stored = set(session.scalars(select(orm.Jobcenter.name)))
    return sorted(stored | set(load_municipalities()))


def jobcenter_problem(session: Session, names: list[str]) -> str | None:
    """A Danish reason one of `names` is not a jobcentre (with a suggestion), or None."""
    known = known_jobcenters(session)
    for name in names:
        name = name.strip()
        if name and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; mente du '{close[0]}'?" if close else "; brug jobcentrets (kommunens) navn"
            return f"jobcentret '{name}' findes ikke{hint}"
    return None


__all__ = ["jobcenter_problem", "known_jobcenters"]
