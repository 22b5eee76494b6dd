"""Use cases of the team leader's view (docs/kpis.md): SK1–SK3 per month, the citizens behind a month's figures
and fairness monitoring, for one jobcentre.

The figures are computed by the pure modules (models.kpis, models.kpi_citizens, models.fairness); this module
only decides which jobcentre the caller may see and loads that jobcentre's lifecycle data in a fixed number of
queries (citizens, status changes, employments, paid hours, praktik events), whatever its size. The dated
status history is built exactly as GET /citizens/{id} builds it (models.placements.history_of).

Personal attributes (gender, birth year) are read here for fairness monitoring and nowhere in matching.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import lifecycle, orm, placements
from models.fairness import FairnessRecord, FairnessReport, fairness_report
from models.kpi_citizens import KpiCitizens, citizens_behind
from models.kpis import CitizenHistory, EmploymentRecord, MonthKpis, StatusPeriod, compute_kpis
from models.months import first_day, last_day, month_of, month_range, parse_month, shift_month
from models.vocabulary import CitizenStatus
from service.core.audit import audit_reads
from service.core.auth.principal import Principal

DEFAULT_MONTHS = 12
"""Months shown when `from` is not given: the year up to `to`."""
MAX_MONTHS = 120
"""A longer range is refused: ten years is more than any report looks back."""
DEFAULT_FAIRNESS_DAYS = 365


class KpiRequestError(ValueError):
    """A request the team leader's view refuses: `status` 403 (not your jobcentre), 404 (no such jobcentre)
    or 422 naming `field`. The message is Danish."""

    def __init__(self, message: str, *, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


# ---- which jobcentre, which months -----------------------------------------------------------------------


def resolve_jobcenter(session: Session, principal: Principal, requested: str | None) -> orm.Jobcenter:
    """The jobcentre to report on: the requested one if the caller may see it, else the caller's only one."""
    name = principal.target_jobcenter(requested)
    if name is None:
        if requested:
            raise KpiRequestError(f"Du har ikke adgang til jobcenter '{requested}'.", status=403)
        raise KpiRequestError("Angiv jobcenter: din adgang dækker flere jobcentre.", field="jobcenter")
    row = session.scalar(select(orm.Jobcenter).where(orm.Jobcenter.name == name))
    if row is None:
        raise KpiRequestError(f"Jobcenter '{name}' findes ikke.", status=404, field="jobcenter")
    return row


def months_between(from_month: str | None, to_month: str | None, today: date, *,
                   default_months: int = DEFAULT_MONTHS) -> tuple[str, ...]:
    """The months from `from_month` to `to_month` ("YYYY-MM"); `to` defaults to the current month, `from`
    to the `default_months` months ending with `to`."""
    to_month = to_month or month_of(today)
    _check_month(to_month, "to")
    from_month = from_month or shift_month(to_month, -(default_months - 1))
    _check_month(from_month, "from")
    if from_month > to_month:
        raise KpiRequestError(f"'from' ({from_month}) ligger efter 'to' ({to_month}).", field="from")
    months = month_range(from_month, to_month)
    if len(months) > MAX_MONTHS:
        raise KpiRequestError(f"Perioden er {len(months)} måneder; højst {MAX_MONTHS} ad gangen.", field="from")
    return months


def _check_month(month: str, field: str) -> None:
    try:
        parse_month(month)
    except ValueError as exc:
        raise KpiRequestError(str(exc), field=field) from None


# ---- loading a jobcentre's lifecycle ------------------------------------------------------------------------


@dataclass(frozen=True)
class JobcenterLifecycle:
    """A jobcentre's citizens as the pure KPI modules take them."""

    histories: list[CitizenHistory]
    employments: list[EmploymentRecord]
    attributes: dict[str, tuple[str | None, int | None]]   # citizen id → (gender, birth_year), fairness only


def load_lifecycle(session: Session, jobcenter_id: int) -> JobcenterLifecycle:
    """Every citizen of the jobcentre with their dated status history, and their employments with paid hours."""
    citizens = session.execute(
        select(orm.Citizen.id, orm.Citizen.ly_since, orm.Citizen.created_at, orm.Citizen.gender,
               orm.Citizen.birth_year).where(orm.Citizen.jobcenter_id == jobcenter_id)
        .order_by(orm.Citizen.id)).all()
    mine = select(orm.Citizen.id).where(orm.Citizen.jobcenter_id == jobcenter_id).scalar_subquery()
    base: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for citizen_id, effective, status in session.execute(
            select(orm.CitizenStatusChange.citizen_id, orm.CitizenStatusChange.effective,
                   orm.CitizenStatusChange.status).where(orm.CitizenStatusChange.citizen_id.in_(mine))
            .order_by(orm.CitizenStatusChange.citizen_id, orm.CitizenStatusChange.effective,
                      orm.CitizenStatusChange.id)):
        base[citizen_id].append((effective, status))
    rows = session.execute(
        select(orm.Employment.id, orm.Employment.citizen_id, orm.Employment.hours_per_week,
               orm.Employment.start_date, orm.Employment.end_date)
        .where(orm.Employment.citizen_id.in_(mine), orm.Employment.annulled_at.is_(None))
        .order_by(orm.Employment.citizen_id, orm.Employment.start_date, orm.Employment.id)).all()
    hours = _paid_hours(session, mine)
    praktik = _praktik(session, mine)
    periods: dict[str, list[lifecycle.Period]] = defaultdict(list)
    employments = []
    for employment_id, citizen_id, per_week, start, end in rows:
        periods[citizen_id].append(lifecycle.Period(start, end))
        employments.append(EmploymentRecord(employment_id, citizen_id, per_week, start, end,
                                            hours.get(employment_id, {})))
    histories = []
    for citizen_id, ly_since, created_at, _gender, _birth in citizens:
        spans = placements.history_of(ly_since, created_at.date(), base[citizen_id], periods[citizen_id],
                                      praktik.get(citizen_id, []))
        histories.append(CitizenHistory(citizen_id, tuple(StatusPeriod(s.status, s.start, s.end) for s in spans)))
    return JobcenterLifecycle(histories, employments,
                              {row.id: (row.gender, row.birth_year) for row in citizens})


def _paid_hours(session: Session, mine) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = defaultdict(dict)
    for employment_id, month, paid in session.execute(
            select(orm.PaidHours.employment_id, orm.PaidHours.month, orm.PaidHours.paid_hours)
            .join(orm.Employment, orm.Employment.id == orm.PaidHours.employment_id)
            .where(orm.Employment.citizen_id.in_(mine), orm.Employment.annulled_at.is_(None))):
        found[employment_id][month] = float(paid)
    return found


def _praktik(session: Session, mine) -> dict[str, list[lifecycle.Period]]:
    """Praktik periods of the citizens who had one, cut short as models.placements does for one citizen."""
    events: dict[str, list[tuple[str, str, date | None, date | None]]] = defaultdict(list)
    for candidate_id, proposal_id, outcome, effective, end in session.execute(
            select(orm.ProposalEvent.candidate_id, orm.ProposalEvent.proposal_id, orm.ProposalEvent.outcome,
                   orm.ProposalEvent.effective_date, orm.ProposalEvent.end_date)
            .where(orm.ProposalEvent.candidate_id.in_(mine), orm.ProposalEvent.annulled_at.is_(None))
            .order_by(orm.ProposalEvent.candidate_id, orm.ProposalEvent.at, orm.ProposalEvent.id)):
        events[candidate_id].append((proposal_id, outcome, effective, end))
    return {citizen_id: placements.praktik_periods(rows) for citizen_id, rows in events.items()}


# ---- the use cases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiReport:
    jobcenter: str
    months: list[MonthKpis]


def jobcenter_kpis(session: Session, principal: Principal, jobcenter: str | None, from_month: str | None,
                   to_month: str | None, *, endpoint: str, today: date | None = None,
                   default_months: int = DEFAULT_MONTHS) -> KpiReport:
    """SK1–SK3 of every month in the range. Aggregates name no citizen; the access is logged as one entry."""
    row = resolve_jobcenter(session, principal, jobcenter)
    months = months_between(from_month, to_month, today or date.today(), default_months=default_months)
    data = load_lifecycle(session, row.id)
    figures = compute_kpis(data.histories, data.employments, months)
    _audit_aggregate(session, principal, endpoint, row.name)
    return KpiReport(row.name, [figures[m] for m in months])


@dataclass(frozen=True)
class Overview:
    """The team leader's page: the months' KPIs and fairness over the same period (up to today)."""

    kpis: KpiReport
    fairness_from: date
    fairness_to: date
    fairness: FairnessReport


def jobcenter_overview(session: Session, principal: Principal, jobcenter: str | None, from_month: str | None,
                       to_month: str | None, *, endpoint: str, today: date | None = None,
                       default_months: int = DEFAULT_MONTHS) -> Overview:
    """jobcenter_kpis and jobcenter_fairness over the same months, from one load of the jobcentre."""
    today = today or date.today()
    row = resolve_jobcenter(session, principal, jobcenter)
    months = months_between(from_month, to_month, today, default_months=default_months)
    data = load_lifecycle(session, row.id)
    figures = compute_kpis(data.histories, data.employments, months)
    first = first_day(months[0])
    last = max(first, min(today, last_day(months[-1])))
    fairness = fairness_report(fairness_records(session, row.id, data, first, last), last)
    _audit_aggregate(session, principal, endpoint, row.name)
    return Overview(KpiReport(row.name, [figures[m] for m in months]), first, last, fairness)


def kpi_citizens(session: Session, principal: Principal, jobcenter: str | None, month: str | None, *,
                 endpoint: str, today: date | None = None) -> tuple[str, KpiCitizens]:
    """The citizens behind one month's figures (default the current month); every citizen listed is logged
    as read. SK2's approaching spells are those open today when the month is the current one."""
    today = today or date.today()
    row = resolve_jobcenter(session, principal, jobcenter)
    month = month or month_of(today)
    _check_month(month, "month")
    data = load_lifecycle(session, row.id)
    found = citizens_behind(data.histories, data.employments, month, as_of=min(today, last_day(month)))
    listed = [p.citizen_id for p in found.sk1_on_ly] + [s.citizen_id for s in found.sk2_approaching]
    listed += [j.citizen_id for j in (*found.sk3_not_progressed, *found.sk3_missing_hours)]
    audit_reads(session, principal, endpoint, {row.name: sorted(set(listed))})
    return row.name, found


def jobcenter_fairness(session: Session, principal: Principal, jobcenter: str | None, from_day: date | None,
                       to_day: date | None, *, endpoint: str, today: date | None = None
                       ) -> tuple[str, date, date, FairnessReport]:
    """Fairness monitoring over the period (default the year up to today), see docs/kpis.md."""
    today = today or date.today()
    row = resolve_jobcenter(session, principal, jobcenter)
    to_day = to_day or today
    from_day = from_day or to_day - timedelta(days=DEFAULT_FAIRNESS_DAYS - 1)
    if from_day > to_day:
        raise KpiRequestError(f"'from' ({from_day:%Y-%m-%d}) ligger efter 'to' ({to_day:%Y-%m-%d}).", field="from")
    data = load_lifecycle(session, row.id)
    report = fairness_report(fairness_records(session, row.id, data, from_day, to_day), to_day)
    _audit_aggregate(session, principal, endpoint, row.name)
    return row.name, from_day, to_day, report


def fairness_records(session: Session, jobcenter_id: int, data: JobcenterLifecycle, from_day: date,
                     to_day: date) -> list[FairnessRecord]:
    """Per citizen: available in the period (status `available` on at least one of its days, or proposed or
    hired in it), proposed (a person of a stored proposal made in the period), hired (an employment that
    began in it)."""
    proposed = _proposed_between(session, jobcenter_id, from_day, to_day)
    hired = {e.citizen_id for e in data.employments if from_day <= e.start <= to_day}
    records = []
    for history in data.histories:
        citizen = history.citizen_id
        available = any(p.status == CitizenStatus.available and p.start <= to_day
                        and (p.end is None or p.end >= from_day) for p in history.periods)
        gender, birth_year = data.attributes[citizen]
        records.append(FairnessRecord(citizen, gender, birth_year,
                                      available_in_period=available or citizen in proposed or citizen in hired,
                                      proposed=citizen in proposed, hired=citizen in hired))
    return records


def _proposed_between(session: Session, jobcenter_id: int, from_day: date, to_day: date) -> set[str]:
    start = datetime.combine(from_day, time.min, tzinfo=timezone.utc)
    end = datetime.combine(to_day + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return set(session.scalars(
        select(orm.ProposalPerson.candidate_id).distinct()
        .join(orm.Proposal, orm.Proposal.id == orm.ProposalPerson.proposal_id)
        .join(orm.MatchRun, orm.MatchRun.id == orm.Proposal.match_run_id)
        .join(orm.Citizen, orm.Citizen.id == orm.ProposalPerson.candidate_id)
        .where(orm.Citizen.jobcenter_id == jobcenter_id, orm.MatchRun.created_at >= start,
               orm.MatchRun.created_at < end)))


def _audit_aggregate(session: Session, principal: Principal, endpoint: str, jobcenter: str) -> None:
    """Figures over a jobcentre's citizens name none of them; one entry records who looked."""
    audit_reads(session, principal, endpoint, {jobcenter: [None]})


__all__ = [
    "DEFAULT_MONTHS", "MAX_MONTHS", "JobcenterLifecycle", "KpiReport", "KpiRequestError", "Overview",
    "fairness_records", "jobcenter_fairness", "jobcenter_kpis", "jobcenter_overview", "kpi_citizens", "load_lifecycle", "months_between",
    "resolve_jobcenter",
]
