"""Search and filters of /borgere: words against the citizens' folded, stemmed competence and wish terms
(models.search_terms), plus status, weekly hours, LY months and, for users of several jobcentres, the
jobcentre. Plain LIKE on dedicated columns, so it behaves the same on SQLite and PostgreSQL.

Every word of the query must match (the id, a competence or a wish); a word matches a stored term that
starts with its stem, so "køkken" finds "køkkenhjælper" and "rengøring" finds "rengøringsassistent".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from models import orm
from models.search_terms import escape_like, like_pattern, stems, words
from models.vocabulary import CitizenStatus
from service.core.auth.principal import Principal
from service.http.web.access import visible_jobcenter_ids
from service.http.web.query_params import one_of, whole_number

ALL = "alle"
ESCAPE = "\\"


@dataclass(frozen=True)
class CitizenFilter:
    q: str = ""
    status: str = ALL
    min_hours: int | None = None
    max_hours: int | None = None
    min_ly_months: int | None = None
    jobcenter: str = ALL

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CitizenFilter:
        return cls(q=params.get("q", "").strip()[:200], status=one_of(params.get("status"), CitizenStatus.codes(), ALL),
                   min_hours=whole_number(params.get("timer_fra"), 1, 37),
                   max_hours=whole_number(params.get("timer_til"), 1, 37),
                   min_ly_months=whole_number(params.get("ly_fra"), 0, 24),
                   jobcenter=params.get("jobcenter", ALL) or ALL)

    @property
    def active(self) -> bool:
        return bool(self.q) or self.status != ALL or self.jobcenter != ALL or any(
            v is not None for v in (self.min_hours, self.max_hours, self.min_ly_months))


def _word_condition(word: str):
    """One query word: in the id, or the start of a stored competence or wish term."""
    conditions = [func.lower(orm.Citizen.id).like(f"%{escape_like(word)}%", escape=ESCAPE)]
    for stem in stems(word):
        pattern = like_pattern(stem)
        conditions += [orm.Citizen.competence_terms.like(pattern, escape=ESCAPE),
                       orm.Citizen.wish_terms.like(pattern, escape=ESCAPE)]
    return or_(*conditions)


def citizen_query(session: Session, principal: Principal, wanted: CitizenFilter) -> Select:
    """Active citizens of the principal's jobcentres that pass the filter, by id."""
    query = (select(orm.Citizen)
             .where(orm.Citizen.jobcenter_id.in_(visible_jobcenter_ids(session, principal)),
                    orm.Citizen.active.is_(True))
             .order_by(orm.Citizen.id))
    if wanted.q:
        by_id = func.lower(orm.Citizen.id).like(f"%{escape_like(wanted.q.lower())}%", escape=ESCAPE)
        terms = [_word_condition(word) for word in words(wanted.q)]
        query = query.where(or_(by_id, and_(*terms)) if terms else by_id)
    if wanted.status != ALL:
        query = query.where(orm.Citizen.status == wanted.status)
    if wanted.min_hours is not None:
        query = query.where(orm.Citizen.capacity_hours >= wanted.min_hours)
    if wanted.max_hours is not None:
        query = query.where(orm.Citizen.capacity_hours <= wanted.max_hours)
    if wanted.min_ly_months is not None:
        query = query.where(orm.Citizen.ly_months_last_24 >= wanted.min_ly_months)
    if wanted.jobcenter != ALL:
        query = query.join(orm.Citizen.jobcenter).where(orm.Jobcenter.name == wanted.jobcenter)
    return query


def count_of(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


__all__ = ["ALL", "CitizenFilter", "citizen_query", "count_of"]
