"""Two years of fleksjob history for the demo jobcentres, so the team leader's page (docs/kpis.md) has figures
to show: the citizens already in fleksjob beside the pool on ledighedsydelse, with their LY spells before the
job, jobs that ended (some followed by a new spell and a new job, some by leaving the scheme), and paid hours
per month (eIndkomst løntimer) in which some of those in small jobs go up in hours.

Calibrated per jobcentre from the report's range (docs/kpis.md): SK1 about 80–90 % (how many are in fleksjob
for each citizen on LY), SK2 about 55–85 % (the share of spells shorter than 6 months) and SK3 about 18–30 %
(the share of small jobs whose hours rise). The pool's own citizens get a `ly_since` from their LY months, so
their spells reach back into the history too.

Written through the lifecycle's store functions (employments, status changes, models.placements'
set_paid_hours_many) in the caller's transaction. Deterministic: a fixed seed, jobcentres and citizens in
name/id order, everything relative to `today`. Idempotent: a database that already holds it is left alone.
These citizens are in fleksjob or have left the scheme, so matching never sees them; their employers have no
open positions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import orm, placements
from models.months import add_months, days_in, first_day, last_day, month_of, shift_month
from models.vocabulary import CitizenStatus, ContractType
from service.demo.once import record_once

SEED = 2019_11
PREFIX = "BF-"
"""Ids of the history's citizens (employers VF-, positions SF-, employments EF-)."""
HISTORY_MONTHS = 48
"""Current jobs began within this many months; older history is not needed for 24 months of KPIs."""
SHARE_LEFT = 0.22       # extra citizens, per current one, whose job ended and who then left the scheme
SHARE_REHIRED = 0.12    # current ones who had an earlier job, then a spell on LY, then this job
SHARE_MISSING = 0.01    # months of the last half year without reported paid hours (late eIndkomst reports)
WORKPLACES = ("Ældreplejen", "Dagligvarebutikken", "Boligforeningen", "Produktionsvirksomheden", "Skolen og SFO'en",
              "Hotellet", "Rengøringsfirmaet", "Gartneriet", "Autoværkstedet", "Biblioteket", "Børnehuset",
              "Lageret")


@dataclass(frozen=True)
class Calibration:
    """What a jobcentre's history aims at: SK1, the share of spells under 6 months, and the share of small
    jobs whose hours rise."""

    sk1: float
    short_spells: float
    progression: float


@dataclass
class FleksjobSummary:
    citizens: int = 0
    employments: int = 0
    paid_months: int = 0
    already_there: bool = False
    per_jobcenter: dict[str, int] = field(default_factory=dict)


def calibration(rank: int, count: int) -> Calibration:
    """Spread the jobcentres over the report's range, each figure in its own order so they do not move together."""
    def spread(position: int, low: float, high: float) -> float:
        return low + (high - low) * (position % count) / max(1, count - 1)

    return Calibration(sk1=spread(rank, 0.81, 0.875), short_spells=spread(rank * 3 + 1, 0.7, 0.86),
                       progression=spread(rank * 7 + 2, 0.21, 0.27))


def has_fleksjob_history(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(orm.Citizen).where(orm.Citizen.id.like(f"{PREFIX}%"))))


def record_fleksjob_history(session: Session, today: date | None = None) -> FleksjobSummary:
    return record_once(session, FleksjobSummary(), has_fleksjob_history, SEED, today, _record)


def _record(session: Session, summary: FleksjobSummary, today: date, draw: random.Random) -> None:
    centres = list(session.scalars(select(orm.Jobcenter).order_by(orm.Jobcenter.name)))
    pool = {c.id: list(session.scalars(select(orm.Citizen).where(
        orm.Citizen.jobcenter_id == c.id, ~orm.Citizen.id.like(f"{PREFIX}%")).order_by(orm.Citizen.id)))
        for c in centres}
    writer = _Writer(session, today, summary)
    for rank, centre in enumerate(c for c in centres if pool[c.id]):
        _date_the_pool(session, pool[centre.id], draw, today)
        aim = calibration(rank, len([c for c in centres if pool[c.id]]))
        current = round(len(pool[centre.id]) * aim.sk1 / (1 - aim.sk1))
        workplaces = writer.workplaces(centre)
        writer.calibrate(aim, pool[centre.id])
        spacing = HISTORY_MONTHS * 30 / current   # hires spread evenly, so every quarter has its share
        for k in range(current):
            start = today - timedelta(days=5 + int(k * spacing) + draw.randrange(max(1, int(spacing))))
            writer.current(centre, workplaces, start, draw)
        leavers = round(current * SHARE_LEFT)
        for k in range(leavers):
            end = today - timedelta(days=20 + int(k * 900 / leavers) + draw.randrange(max(1, 900 // leavers)))
            writer.left(centre, workplaces, end, draw)
        summary.per_jobcenter[centre.name] = current
    writer.flush()


def _date_the_pool(session: Session, citizens: list[orm.Citizen], draw: random.Random, today: date) -> None:
    """A `ly_since` for the pool's citizens who have none, from their months on LY in the last two years."""
    for citizen in citizens:
        if citizen.ly_since is not None:
            continue
        months = citizen.ly_months_last_24 if citizen.ly_months_last_24 < 24 else draw.randint(24, 40)
        since = add_months(today, -months) - timedelta(days=draw.randint(3, 27))
        session.execute(update(orm.Citizen).where(orm.Citizen.id == citizen.id)
                        .values(ly_since=since, updated_at=orm.Citizen.updated_at))


class _Writer:
    """Builds the rows and writes them in a few statements."""

    def __init__(self, session: Session, today: date, summary: FleksjobSummary) -> None:
        self.session, self.today, self.summary = session, today, summary
        self.citizens: list[orm.Citizen] = []
        self.changes: list[orm.CitizenStatusChange] = []
        self.employments: list[orm.Employment] = []
        self.hours: list[tuple[str, str, float]] = []

    def workplaces(self, centre: orm.Jobcenter) -> list[tuple[str, str]]:
        made = []
        for number, name in enumerate(WORKPLACES, start=1):
            employer_id, position_id = f"VF-{centre.id}-{number:02d}", f"SF-{centre.id}-{number:02d}"
            self.session.add(orm.Employer(id=employer_id, jobcenter_id=centre.id, name=f"{name} i {centre.name}",
                                          has_fleksjob_experience=True))
            self.session.add(orm.Position(id=position_id, jobcenter_id=centre.id, employer_id=employer_id,
                                          title="Fleksjob (eksisterende ansættelser)", status="filled", max_people=99,
                                          tasks=[orm.Task(task_id="t1", title="Fleksjobopgaver", hours_per_week=37)]))
            made.append((employer_id, position_id))
        self.session.flush()
        return made

    # ---- the people -------------------------------------------------------------------------------------

    def calibrate(self, aim: Calibration, pool: list[orm.Citizen]) -> None:
        """Short spells and rising hours in their exact shares, in order (noise would swamp a quarter's
        few dozen spells); gender and age drawn from the jobcentre's pool, so that fairness monitoring finds
        no difference the demo itself made."""
        self.short = _Share(aim.short_spells)
        self.rising = _Share(aim.progression)
        self.people = [(c.gender, c.birth_year) for c in pool]

    def spell_days(self, draw: random.Random) -> int:
        """Days on LY before a job: under 6 months for the calibrated share, else 6 to 20 months."""
        return draw.randint(20, 175) if self.short.next() else draw.randint(185, 600)

    def current(self, centre: orm.Jobcenter, workplaces: list[tuple[str, str]], start: date,
                draw: random.Random) -> None:
        """In fleksjob today; some after an earlier job and a spell on LY."""
        capacity = _capacity(draw)
        if draw.random() < SHARE_REHIRED:
            gap = self.spell_days(draw)
            first_end = start - timedelta(days=gap + 1)
            first_start = first_end - timedelta(days=draw.randint(180, 720))
            citizen = self._citizen(centre, first_start - timedelta(days=draw.randint(20, 400)), capacity, draw)
            self._employment(citizen, workplaces, draw, first_start, first_end,
                             reason="Opgaverne forsvandt ved en omstrukturering.")
        else:
            citizen = self._citizen(centre, start - timedelta(days=self.spell_days(draw)), capacity, draw)
        self.changes.append(orm.CitizenStatusChange(citizen_id=citizen.id, status=CitizenStatus.employed,
                                                    effective=start, recorded_at=_moment(start)))
        citizen.status = CitizenStatus.employed
        self._employment(citizen, workplaces, draw, start, None)

    def left(self, centre: orm.Jobcenter, workplaces: list[tuple[str, str]], end: date, draw: random.Random) -> None:
        """A fleksjob that ended, after which the citizen left the scheme (pension, moved, other support)."""
        start = end - timedelta(days=draw.randint(180, 900))
        citizen = self._citizen(centre, start - timedelta(days=self.spell_days(draw)), _capacity(draw), draw)
        self._employment(citizen, workplaces, draw, start, end, reason="Borgeren gik på pension.")
        self.changes.append(orm.CitizenStatusChange(citizen_id=citizen.id, status=CitizenStatus.inactive,
                                                    effective=end + timedelta(days=1), recorded_at=_moment(end)))
        citizen.status = CitizenStatus.inactive

    def _citizen(self, centre: orm.Jobcenter, ly_since: date, capacity: int, draw: random.Random) -> orm.Citizen:
        number = len(self.citizens) + 1
        gender, birth_year = self.people[draw.randrange(len(self.people))]
        citizen = orm.Citizen(
            id=f"{PREFIX}{number:05d}", jobcenter_id=centre.id, capacity_hours=capacity,
            capacity_basis="measured", competences=[], wishes=[], status=CitizenStatus.available,
            gender=gender, birth_year=birth_year, ly_since=ly_since, ly_months_last_24=0,
            created_at=_moment(ly_since), updated_at=_moment(ly_since))
        self.citizens.append(citizen)
        self.changes.append(orm.CitizenStatusChange(citizen_id=citizen.id, status=CitizenStatus.available,
                                                    effective=ly_since, recorded_at=_moment(ly_since)))
        return citizen

    def _employment(self, citizen: orm.Citizen, workplaces: list[tuple[str, str]], draw: random.Random,
                    start: date, end: date | None, reason: str | None = None) -> None:
        employer_id, position_id = workplaces[draw.randrange(len(workplaces))]
        employment = orm.Employment(
            id=f"EF-{len(self.employments) + 1:06d}", jobcenter_id=citizen.jobcenter_id, citizen_id=citizen.id,
            position_id=position_id, employer_id=employer_id, hours_per_week=citizen.capacity_hours,
            start_date=start, end_date=end, contract=ContractType.permanent, created_at=_moment(start),
            ended_at=_moment(end) if end else None, ended_reason=reason if end else None)
        self.employments.append(employment)
        self._paid_hours(employment, draw)

    def _paid_hours(self, employment: orm.Employment, draw: random.Random) -> None:
        """Paid hours from the start month to the end (or this month): the weekly hours as monthly hours, a
        first month paid for its days only, a dip in July, and for some a rise after their first half year."""
        monthly = employment.hours_per_week * 52 / 12
        rises = self.rising.next() if employment.hours_per_week <= 10 else draw.random() < 0.25
        rise_from = draw.randint(5, 10)
        rise = 1 + draw.uniform(0.2, 0.5)   # still above the first months in a July with its holiday dip
        month, last = month_of(employment.start_date), month_of(employment.end_date or self.today)
        recent = shift_month(month_of(self.today), -5)
        index = 0
        while month <= last:
            hours = monthly * (rise if rises and index >= rise_from else 1.0)
            hours *= _share_worked(employment, month)
            if month.endswith("-07"):
                hours *= 0.85
            if not (month >= recent and draw.random() < SHARE_MISSING):
                self.hours.append((employment.id, month, round(hours * 2) / 2))
            month, index = shift_month(month, 1), index + 1

    def flush(self) -> None:
        self.session.add_all(self.citizens)
        self.session.flush()
        self.session.add_all(self.employments)
        self.session.add_all(self.changes)
        self.session.flush()
        self.summary.paid_months = placements.set_paid_hours_many(self.session, self.hours)
        self.summary.citizens, self.summary.employments = len(self.citizens), len(self.employments)
        for centre_id in {c.jobcenter_id for c in self.citizens}:
            placements.touch_lifecycle(self.session, centre_id)


def _capacity(draw: random.Random) -> int:
    """Weekly hours as the demo pool has them: about 85 % at most 10 hours."""
    return draw.randint(2, 10) if draw.random() < 0.85 else draw.randint(11, 20)


class _Share:
    """True for `share` of the calls, evenly spread: the k-th call is True when floor((k+1)·share) passes
    floor(k·share)."""

    def __init__(self, share: float) -> None:
        self.share, self.calls = share, 0

    def next(self) -> bool:
        k, self.calls = self.calls, self.calls + 1
        return int((k + 1) * self.share) > int(k * self.share)


def _share_worked(employment: orm.Employment, month: str) -> float:
    first, last = max(first_day(month), employment.start_date), last_day(month)
    if employment.end_date is not None:
        last = min(last, employment.end_date)
    return max(0, (last - first).days + 1) / days_in(month)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=timezone.utc)


__all__ = ["FleksjobSummary", "calibration", "has_fleksjob_history", "record_fleksjob_history"]
