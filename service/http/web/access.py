"""Tenant rules for the consultant UI: the API's scoping (`service.http.deps.load_scoped`) applied
to the rows a page loads.

An object of another jobcentre answers exactly like one that does not exist (404, rendered as a Danish page
by the web route class), so a consultant cannot even learn which ids exist elsewhere. Reads of citizen data
are written to the audit log here, in the request's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models import orm
from models.chunks import chunked
from service.core.audit import audit, audit_many
from service.core.auth.principal import Principal
from service.http.deps import load_scoped


def visible_jobcenter_ids(session: Session, principal: Principal) -> Select:
    """A subquery of the jobcentre ids the principal may see (all for admin)."""
    query = select(orm.Jobcenter.id)
    names = principal.visible_jobcenters()
    if names is not None:
        query = query.where(orm.Jobcenter.name.in_(sorted(names)))
    return query


def position_or_404(session: Session, principal: Principal, position_id: str) -> orm.Position:
    return load_scoped(session, principal, orm.Position, position_id)


def citizen_or_404(session: Session, principal: Principal, citizen_id: str) -> orm.Citizen:
    return load_scoped(session, principal, orm.Citizen, citizen_id)


def read_citizen_or_404(session: Session, principal: Principal, citizen_id: str, *, page: str = "") -> orm.Citizen:
    """citizen_or_404 for a page that shows the citizen's data: the read is audited as GET /borgere/{id}{page}."""
    citizen = citizen_or_404(session, principal, citizen_id)
    audit(session, principal, "read", f"GET /borgere/{citizen.id}{page}", citizen_id=citizen.id,
          jobcenter=citizen.jobcenter.name)
    return citizen


def jobcenter_choices(principal: Principal, session: Session) -> dict[str, str] | None:
    """A jobcentre field only for users with several jobcentres (or admin); a consultant has exactly one."""
    if not principal.is_admin and len(principal.jobcenters) == 1:
        return None
    names = sorted(principal.jobcenters) if not principal.is_admin else sorted(
        session.scalars(select(orm.Jobcenter.name)))
    return {name: name for name in names}


def proposal_or_404(session: Session, principal: Principal, proposal_id: str) -> tuple[orm.Proposal, orm.Position]:
    proposal = load_scoped(session, principal, orm.Proposal, proposal_id)
    return proposal, load_scoped(session, principal, orm.Position, proposal.position_id)


def citizens_by_id(session: Session, principal: Principal, ids: Iterable[str], *, endpoint: str,
                   action: str = "read") -> dict[str, orm.Citizen]:
    """The visible citizens among `ids`, each read logged in the audit log."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found: dict[str, orm.Citizen] = {}
    for chunk in chunked(wanted):
        rows = session.scalars(select(orm.Citizen).where(orm.Citizen.id.in_(chunk)))
        found.update({c.id: c for c in rows.unique() if principal.can_see(c.jobcenter.name)})
    for jobcenter in sorted({c.jobcenter.name for c in found.values()}):
        audit_many(session, principal, action, endpoint,
                   [cid for cid, c in sorted(found.items()) if c.jobcenter.name == jobcenter], jobcenter=jobcenter)
    return found
