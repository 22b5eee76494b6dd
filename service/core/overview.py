"""What needs a consultant's action today in her jobcentres (the start page "Overblik"): follow-ups due
and overdue, stillinger whose new proposals nobody has handled, stillinger with stale proposals, and
citizens at or past the LY line (18 months of ledighedsydelse in the last 24, where the municipality loses
state refusion: matcher.scoring's urgency line) with nothing in progress. Reads only; the caller audits
the citizens it shows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import orm, placements
from models.vocabulary import CitizenStatus, PositionStatus, ProposalStatus
from service.core.lifecycle import stale_proposals

LY_LINE_MONTHS = 18
"""LY months in the last 24 at which the municipality loses state refusion."""
UPCOMING_DAYS = 14
"""Follow-ups due within this many days are listed as coming up."""
LIST_LIMIT = 50
"""Each list shows at most this many rows (the count says how many there are)."""
NOT_ON_LY = (CitizenStatus.employed, CitizenStatus.inactive, CitizenStatus.in_praktik)


@dataclass(frozen=True)
class PositionLine:
    position: orm.Position
    proposals: int


@dataclass
class Overview:
    overdue: list[orm.FollowUp] = field(default_factory=list)
    due_today: list[orm.FollowUp] = field(default_factory=list)
    upcoming: list[orm.FollowUp] = field(default_factory=list)
    unhandled: list[PositionLine] = field(default_factory=list)
    stale: list[PositionLine] = field(default_factory=list)
    ly_line: list[orm.Citizen] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def citizen_ids(self) -> list[str]:
        """Every citizen the overview shows (for the audit log)."""
        ids = [f.citizen_id for f in (*self.overdue, *self.due_today, *self.upcoming)]
        return sorted(set(ids) | {c.id for c in self.ly_line})


def overview(session: Session, jobcenter_ids: list[int], today: date) -> Overview:
    out = Overview()
    soon = placements.followups(session, jobcenter_ids, state="open", due_before=today + timedelta(days=UPCOMING_DAYS))
    out.overdue = [f for f in soon if f.due_date < today]
    out.due_today = [f for f in soon if f.due_date == today]
    out.upcoming = [f for f in soon if f.due_date > today]
    out.unhandled, out.stale = _position_lines(session, jobcenter_ids)
    out.ly_line = _at_ly_line(session, jobcenter_ids, today)
    out.counts = {name: len(getattr(out, name)) for name in ("overdue", "due_today", "upcoming", "unhandled", "stale",
                                                             "ly_line")}
    for name in ("overdue", "due_today", "upcoming", "unhandled", "stale", "ly_line"):
        setattr(out, name, getattr(out, name)[:LIST_LIMIT])
    return out


def _position_lines(session: Session, jobcenter_ids: list[int]) -> tuple[list[PositionLine], list[PositionLine]]:
    """Open stillinger of the jobcentres whose current run has proposals and no outcome yet; and those with
    a stale proposal still in play (not every person rejected or withdrawn)."""
    rows = session.scalars(
        select(orm.Proposal).join(orm.MatchRun, orm.Proposal.match_run_id == orm.MatchRun.id)
        .join(orm.Position, orm.Position.id == orm.Proposal.position_id)
        .where(orm.MatchRun.current.is_(True), orm.MatchRun.jobcenter_id.in_(jobcenter_ids),
               orm.Position.jobcenter_id == orm.MatchRun.jobcenter_id, orm.Position.status == PositionStatus.open)
        .order_by(orm.Position.title, orm.Position.id, orm.Proposal.rank)).all()
    by_position: dict[str, list[orm.Proposal]] = defaultdict(list)
    for proposal in rows:
        by_position[proposal.position_id].append(proposal)
    in_play = [p for p in rows if p.status not in (ProposalStatus.rejected, ProposalStatus.withdrawn)]
    stale = stale_proposals(session, in_play)
    unhandled, outdated = [], []
    for proposals in by_position.values():
        position = proposals[0].position
        if all(p.status == ProposalStatus.open for p in proposals) and not any(p.id in stale for p in proposals):
            unhandled.append(PositionLine(position, len(proposals)))
        if stale_here := [p for p in proposals if p.id in stale]:
            outdated.append(PositionLine(position, len(stale_here)))
    return unhandled, outdated


def _at_ly_line(session: Session, jobcenter_ids: list[int], today: date) -> list[orm.Citizen]:
    """Citizens on ledighedsydelse at or past the line, with no job, praktik or contact in progress; most LY
    months first."""
    citizens = list(session.scalars(
        select(orm.Citizen).where(orm.Citizen.jobcenter_id.in_(jobcenter_ids), orm.Citizen.active.is_(True),
                                  orm.Citizen.ly_months_last_24 >= LY_LINE_MONTHS,
                                  orm.Citizen.status.not_in(NOT_ON_LY))
        .order_by(orm.Citizen.ly_months_last_24.desc(), orm.Citizen.id)))
    if not citizens:
        return []
    ids = [c.id for c in citizens]
    busy = {e.citizen_id for e in placements.live_employments(session, citizen_ids=ids, on=today)}
    busy |= {h.candidate_id for h in placements.holds(session, candidate_ids=ids, on=today)}
    return [c for c in citizens if c.id not in busy]


__all__ = ["LY_LINE_MONTHS", "Overview", "PositionLine", "overview"]
