"""What consultants have recorded on each position's proposals, in words for the report's "Udfald" column.

Read from the stored proposals (the current run's, and any older one someone recorded an outcome on), so
the report shows the state of the case work at the time it is written, whichever door recorded it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models import orm
from models.chunks import chunked
from models.vocabulary import ProposalStatus

NOT_HANDLED = ProposalStatus.open.label
# The furthest state first: a hire matters more to a team leader than a contact.
_ORDER = (ProposalStatus.hired, ProposalStatus.praktik, ProposalStatus.contacted, ProposalStatus.rejected,
          ProposalStatus.withdrawn)


def position_outcomes(session: Session, position_ids: Iterable[str]) -> dict[str, str]:
    """position id → "Ansat: B-7 · Kontaktet: B-3", or "Ikke behandlet" when its proposals are untouched.
    Positions without any proposal are left out."""
    found: dict[str, dict[str, list[str]]] = {}
    for chunk in chunked(sorted(set(position_ids))):
        rows = session.execute(
            select(orm.Proposal.position_id, orm.Proposal.status, orm.Proposal.people)
            .join(orm.MatchRun, orm.Proposal.match_run_id == orm.MatchRun.id)
            .where(orm.Proposal.position_id.in_(chunk),
                   or_(orm.MatchRun.current.is_(True), orm.Proposal.status != ProposalStatus.open))
            .order_by(orm.Proposal.position_id, orm.Proposal.rank))
        for position_id, status, people in rows:
            ids = found.setdefault(position_id, {}).setdefault(status, [])
            ids.extend(p["candidate_id"] for p in people if p["candidate_id"] not in ids)
    return {position_id: _text(statuses) for position_id, statuses in found.items()}


def _text(statuses: dict[str, list[str]]) -> str:
    recorded = [s for s in _ORDER if s in statuses] + sorted(s for s in statuses if s not in _ORDER and s != "open")
    if not recorded:
        return NOT_HANDLED
    return " · ".join(f"{ProposalStatus.label_of(status)}: {', '.join(statuses[status])}" for status in recorded)


__all__ = ["NOT_HANDLED", "position_outcomes"]
