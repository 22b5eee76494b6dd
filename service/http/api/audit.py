"""GET /api/v1/audit: the access log of citizen data, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.http.api.schemas import AuditEntryOut, AuditLogOut
from service.core.audit import audit_entries
from service.http.deps import AdminPrincipal, DbSession
from service.http.problems import problem_responses

router = APIRouter(tags=["Adgangslog"])


@router.get("/audit", response_model=AuditLogOut, summary="Adgangslog over borgerdata (kun admin)",
            responses=problem_responses(401, 403, 422, 500))
def list_audit(session: DbSession, principal: AdminPrincipal,
               citizen_id: Annotated[str | None, Query(min_length=1, max_length=64, description="Kun denne borger")] = None,
               jobcenter: Annotated[str | None, Query(min_length=1, max_length=100, description="Kun dette jobcenter")] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 100,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> AuditLogOut:
    """Hvem har læst eller ændret hvilke borgeres data, hvornår og gennem hvilket endpoint. Nyeste først."""
    entries = audit_entries(session, citizen_id=citizen_id, jobcenter=jobcenter, limit=limit, offset=offset)
    return AuditLogOut(entries=[AuditEntryOut(at=e.at, actor=e.actor, role=e.role, citizen_id=e.citizen_id,
                                              jobcenter=e.jobcenter, action=e.action, endpoint=e.endpoint)
                                for e in entries])
