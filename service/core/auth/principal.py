"""Who a request acts as: an actor name, a role and the jobcentres (tenants) the role covers."""

from __future__ import annotations

from dataclasses import dataclass

from models.vocabulary import Role

ROLES: tuple[str, ...] = Role.codes()


def role_problem(role: str, jobcenters: list[str] | tuple[str, ...]) -> str | None:
    """A Danish reason the role/jobcentre combination is invalid, or None. A consultant (and a team leader)
    belongs to exactly one jobcentre; a case-system account to one or more; an admin sees every jobcentre."""
    if role not in ROLES:
        return f"ukendt rolle '{role}'; gyldige roller: {', '.join(ROLES)}"
    if role == Role.consultant and len(jobcenters) != 1:
        return "en konsulent skal høre til præcis ét jobcenter (--jobcenter)"
    if role == Role.teamleader and len(jobcenters) != 1:
        return "en teamleder skal høre til præcis ét jobcenter (--jobcenter)"
    if role == Role.case_system and not jobcenters:
        return "et sagssystem skal have mindst ét jobcenter (--jobcenter)"
    return None


@dataclass(frozen=True)
class Principal:
    actor: str                     # "token:<id> <name>" or "user:<username>" — what the audit log shows
    role: str
    jobcenters: frozenset[str]     # empty for admin: admin sees all

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def can_see(self, jobcenter: str | None) -> bool:
        if self.is_admin:
            return True
        return jobcenter is not None and jobcenter in self.jobcenters

    def visible_jobcenters(self) -> frozenset[str] | None:
        """The jobcentres a query must be limited to; None means no limit (admin)."""
        return None if self.is_admin else self.jobcenters

    def target_jobcenter(self, requested: str | None) -> str | None:
        """Which jobcentre a new or changed object belongs to: the requested one if allowed, or the
        principal's only jobcentre. None when it cannot be decided (admin or several jobcentres, none given)
        or when the requested one is outside the principal's jobcentres."""
        if requested:
            return requested if self.can_see(requested) else None
        if not self.is_admin and len(self.jobcenters) == 1:
            return next(iter(self.jobcenters))
        return None


__all__ = ["ROLES", "Principal", "role_problem"]
