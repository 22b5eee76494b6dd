"""Persistence of the placement lifecycle (docs/lifecycle.md): outcomes per person, undo, employments,
follow-ups, and the queries every kind of matching asks (who is employed, reserved or rejected, which
task hours are filled).

Like models.store, every function takes a Session and never commits: the caller owns the transaction, so an
outcome and all its consequences (employment, position status, follow-ups) are written together or not at
all. The rules themselves (allowed moves, due dates, status history) are models.lifecycle. Errors carry a
Danish message and, where a field is at fault, its name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import lifecycle, orm
from models.chunks import chunked
from models.danish import counted, number
from models.orm import utcnow
from models.schemas import MAX_WEEKLY_HOURS
from models.store import new_id
from models.vocabulary import ContractType, FollowupKind, PositionStatus, ProposalStatus, RejectedBy

S = ProposalStatus


class LifecycleError(ValueError):
    """A lifecycle request refused; `conflict` answers 409 (the state does not allow it), else 422 naming
    `field`."""

    def __init__(self, message: str, *, field: str | None = None, conflict: bool = False) -> None:
        super().__init__(message)
        self.field = field
        self.conflict = conflict


@dataclass(frozen=True)
class OutcomeRequest:
    """One outcome for one person of a proposal, as the API and the web UI receive it."""

    outcome: str
    candidate_id: str | None = None
    date: date | None = None
    reason: str | None = None
    rejected_by: str | None = None
    hours_per_week: int | None = None
    contract: str | None = None
    end_date: date | None = None
    # How a hire's hours_per_week fall on the position's tasks, (task id, hours); None: the proposed tasks
    # first, then the rest in order (models.lifecycle.distribute_hours). The web UI's optional per-task fields.
    task_hours: tuple[tuple[str, int], ...] | None = None


# ---- reading the lifecycle -------------------------------------------------------------------------------


def live_employments(session: Session, *, citizen_ids: Iterable[str] | None = None,
                     position_ids: Iterable[str] | None = None, jobcenter_id: int | None = None,
                     on: date) -> list[orm.Employment]:
    """Employments not annulled and not over by `on` (an employment that has not started yet counts: its
    hours are promised)."""
    query = select(orm.Employment).where(orm.Employment.annulled_at.is_(None),
                                         or_(orm.Employment.end_date.is_(None), orm.Employment.end_date >= on))
    return _by_keys(session, query, citizen_ids=citizen_ids, position_ids=position_ids, jobcenter_id=jobcenter_id)


def _by_keys(session: Session, query, *, citizen_ids, position_ids, jobcenter_id) -> list:
    model = query.column_descriptions[0]["entity"]
    if jobcenter_id is not None:
        query = query.where(model.jobcenter_id == jobcenter_id)
    for column, keys in ((getattr(model, "citizen_id", None), citizen_ids),
                         (getattr(model, "position_id", None), position_ids)):
        if keys is not None:
            rows = []
            for chunk in chunked(sorted(set(keys))):
                rows += session.scalars(query.where(column.in_(chunk))).all()
            return rows
    return list(session.scalars(query))


def committed_hours(employments: Iterable[orm.Employment]) -> dict[str, int]:
    """Citizen id → the weekly hours of their live employments."""
    hours: dict[str, int] = defaultdict(int)
    for employment in employments:
        hours[employment.citizen_id] += employment.hours_per_week
    return dict(hours)


def available_hours(citizen: orm.Citizen, committed: int) -> int:
    """capacity_hours − the hours of live employments, never below 0 (capacity may be assessed down)."""
    return max(0, citizen.capacity_hours - committed)


def filled_hours(employments: Iterable[orm.Employment]) -> dict[str, dict[str, int]]:
    """Position id → task id → hours filled by live employments."""
    filled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for employment in employments:
        for task in employment.tasks:
            filled[employment.position_id][task.task_id] += task.hours
    return {position_id: dict(tasks) for position_id, tasks in filled.items()}


@dataclass(frozen=True)
class Hold:
    """A person held by a reserving outcome (contacted, praktik) at one position."""

    candidate_id: str
    position_id: str
    proposal_id: str
    status: str
    since: date
    until: date | None
    assignments: tuple[tuple[str, int], ...]


def holds(session: Session, *, candidate_ids: Iterable[str] | None = None, position_ids: Iterable[str] | None = None,
          on: date) -> list[Hold]:
    """People currently held: contacted (until the next event) or in praktik (from its date to its end)."""
    query = (select(orm.ProposalPerson, orm.Proposal.position_id)
             .join(orm.Proposal, orm.ProposalPerson.proposal_id == orm.Proposal.id)
             .where(orm.ProposalPerson.status.in_(lifecycle.RESERVING_STATES)))
    rows = []
    if candidate_ids is not None:
        for chunk in chunked(sorted(set(candidate_ids))):
            rows += session.execute(query.where(orm.ProposalPerson.candidate_id.in_(chunk))).all()
    elif position_ids is not None:
        for chunk in chunked(sorted(set(position_ids))):
            rows += session.execute(query.where(orm.Proposal.position_id.in_(chunk))).all()
    else:
        rows = session.execute(query).all()
    found = []
    for person, position_id in rows:
        event = latest_event(person.proposal, person.candidate_id)
        since = event.effective_date if event and event.effective_date else on
        until = event.end_date if event and person.status == S.praktik else None
        if until is not None and until < on:
            continue  # the praktik is over and nothing has followed: the person is free again
        found.append(Hold(person.candidate_id, position_id, person.proposal_id, person.status, since, until,
                          tuple((a["task_id"], int(a["hours_per_week"])) for a in person.assignments)))
    return sorted(found, key=lambda h: (h.candidate_id, h.since, h.proposal_id))


def rejected_pairs(session: Session, position_ids: Iterable[str]) -> dict[str, dict[str, orm.ProposalEvent]]:
    """Position id → citizen id → the (not annulled) rejection that keeps them apart for good."""
    found: dict[str, dict[str, orm.ProposalEvent]] = defaultdict(dict)
    for chunk in chunked(sorted(set(position_ids))):
        rows = session.scalars(select(orm.ProposalEvent).where(
            orm.ProposalEvent.position_id.in_(chunk), orm.ProposalEvent.outcome == S.rejected,
            orm.ProposalEvent.annulled_at.is_(None)).order_by(orm.ProposalEvent.at, orm.ProposalEvent.id))
        for event in rows:
            found[event.position_id].setdefault(event.candidate_id, event)
    return dict(found)


def latest_event(proposal: orm.Proposal, candidate_id: str) -> orm.ProposalEvent | None:
    """The person's latest event in the proposal that is not annulled."""
    live = [e for e in proposal.events if e.candidate_id == candidate_id and e.annulled_at is None]
    return live[-1] if live else None


def person_of(proposal: orm.Proposal, candidate_id: str | None) -> orm.ProposalPerson:
    """The proposal's person an outcome is for: named by candidate_id, which a proposal of several people
    requires."""
    if candidate_id is None:
        if len(proposal.persons) != 1:
            raise LifecycleError("Forslaget har flere personer: angiv hvem udfaldet gælder (candidate_id).",
                                 field="candidate_id")
        return proposal.persons[0]
    for person in proposal.persons:
        if person.candidate_id == candidate_id:
            return person
    raise LifecycleError(f"Borgeren '{candidate_id}' er ikke med i forslaget.", field="candidate_id")


# ---- recording outcomes ----------------------------------------------------------------------------------


def record_outcome(session: Session, proposal: orm.Proposal, request: OutcomeRequest, *, actor: str,
                   today: date) -> orm.ProposalEvent:
    """Record one person's outcome with every consequence: the person's and the proposal's status, an
    employment for `hired`, the position's status, follow-ups. Raises LifecycleError."""
    person = person_of(proposal, request.candidate_id)
    if session.get(orm.Citizen, person.candidate_id) is None:
        raise LifecycleError(f"Borgeren '{person.candidate_id}' findes ikke længere.", field="candidate_id")
    problem = lifecycle.move_problem(person.status, request.outcome)
    if problem:
        raise LifecycleError(problem, field="outcome", conflict=True)
    effective = request.date or today
    event = orm.ProposalEvent(
        candidate_id=person.candidate_id, position_id=proposal.position_id, outcome=request.outcome,
        previous_status=person.status, effective_date=effective, actor=actor[:100], at=utcnow(),
        reason=(request.reason or "").strip() or None)
    _fill_outcome_details(session, proposal, person, request, event, today)
    proposal.events.append(event)
    person.status = request.outcome
    proposal.status = lifecycle.proposal_status(p.status for p in proposal.persons)
    session.flush()
    if request.outcome == S.hired:
        _hire(session, proposal, person, event, today, request.task_hours)
    _sync_followups(session, proposal, person, event)
    touch_lifecycle(session, proposal.position.jobcenter_id)
    return event


def _fill_outcome_details(session: Session, proposal: orm.Proposal, person: orm.ProposalPerson,
                          request: OutcomeRequest, event: orm.ProposalEvent, today: date) -> None:
    effective = event.effective_date
    if request.outcome == S.rejected:
        if not event.reason:
            raise LifecycleError("Et afslag kræver en begrundelse.", field="reason")
        if request.rejected_by not in RejectedBy.codes():
            raise LifecycleError("Angiv hvem der afslog: employer, citizen eller jobcenter.", field="rejected_by")
        event.rejected_by = request.rejected_by
    elif request.outcome == S.praktik:
        event.end_date = request.end_date or effective + timedelta(days=lifecycle.PRAKTIK_DEFAULT_DAYS)
        if event.end_date < effective:
            raise LifecycleError("Praktikkens slutdato ligger før dens start.", field="end_date")
    elif request.outcome == S.hired:
        _check_hire(session, person, request, effective, today)
        if request.task_hours is not None:
            _check_task_hours(session, proposal.position, request, effective)
        event.hours_per_week, event.contract = request.hours_per_week, request.contract
        event.end_date = request.end_date if request.contract == ContractType.fixed_term else None


def _check_hire(session: Session, person: orm.ProposalPerson, request: OutcomeRequest, start: date,
                today: date) -> None:
    hours = request.hours_per_week
    if hours is None or not 1 <= hours <= MAX_WEEKLY_HOURS:
        raise LifecycleError(f"Angiv timer pr. uge (1–{MAX_WEEKLY_HOURS}).", field="hours_per_week")
    if request.contract not in ContractType.codes():
        raise LifecycleError("Angiv ansættelsesform: permanent eller fixed_term.", field="contract")
    if request.contract == ContractType.fixed_term and (request.end_date is None or request.end_date <= start):
        raise LifecycleError("En tidsbegrænset ansættelse kræver en slutdato efter startdatoen.", field="end_date")
    citizen = session.get(orm.Citizen, person.candidate_id)
    if citizen is None:
        raise LifecycleError(f"Borgeren '{person.candidate_id}' findes ikke længere.", field="candidate_id")
    committed = committed_hours(live_employments(session, citizen_ids=[citizen.id], on=min(start, today)))
    free = available_hours(citizen, committed.get(citizen.id, 0))
    if hours > free:
        raise LifecycleError(
            f"Borgeren kan arbejde {number(citizen.capacity_hours)} timer om ugen og har "
            f"{number(free)} ledige; {number(hours)} timer er for mange.", field="hours_per_week")


def _check_task_hours(session: Session, position: orm.Position, request: OutcomeRequest, start: date) -> None:
    """A hire's own split over the tasks: known tasks, adding up to hours_per_week, none beyond what the task
    still lacks."""
    titles = {t.task_id: t.title for t in position.tasks}
    unfilled = _unfilled(session, position, start)
    for task_id, hours in request.task_hours:
        if task_id not in titles:
            raise LifecycleError(f"Stillingen har ingen opgave '{task_id}'.", field="task_hours")
        if hours < 0:
            raise LifecycleError(f"Timerne på «{titles[task_id]}» kan ikke være negative.", field="task_hours")
        if hours > unfilled[task_id]:
            raise LifecycleError(f"«{titles[task_id]}» har {counted(unfilled[task_id], 'ledig time', 'ledige timer')}; "
                                 f"{counted(hours, 'time', 'timer')} er for mange.", field="task_hours")
    total = sum(hours for _, hours in request.task_hours)
    if total != request.hours_per_week:
        raise LifecycleError(f"Timerne på opgaverne giver {counted(total, 'time', 'timer')}, men der er angivet "
                             f"{counted(request.hours_per_week, 'time', 'timer')} i alt.", field="task_hours")


def _unfilled(session: Session, position: orm.Position, on: date) -> dict[str, int]:
    filled = filled_hours(live_employments(session, position_ids=[position.id], on=on)).get(position.id, {})
    return {t.task_id: max(0, t.hours_per_week - filled.get(t.task_id, 0)) for t in position.tasks}


def _hire(session: Session, proposal: orm.Proposal, person: orm.ProposalPerson, event: orm.ProposalEvent,
          today: date, task_hours: tuple[tuple[str, int], ...] | None = None) -> orm.Employment:
    position = proposal.position
    start = event.effective_date
    if task_hours is not None:
        tasks = {task_id: hours for task_id, hours in task_hours if hours > 0}
    else:
        tasks = lifecycle.distribute_hours(event.hours_per_week,
                                           [(a["task_id"], int(a["hours_per_week"])) for a in person.assignments],
                                           _unfilled(session, position, start), [t.task_id for t in position.tasks])
    employment = orm.Employment(
        id=new_id(), jobcenter_id=position.jobcenter_id, citizen_id=person.candidate_id, position_id=position.id,
        employer_id=position.employer_id, proposal_id=proposal.id, event_id=event.id,
        hours_per_week=event.hours_per_week, start_date=start, end_date=event.end_date, contract=event.contract,
        created_at=utcnow(), tasks=[orm.EmploymentTask(task_id=t, hours=h) for t, h in tasks.items()])
    session.add(employment)
    session.flush()
    refresh_position_status(session, position, on=max(start, today))
    return employment


def refresh_position_status(session: Session, position: orm.Position, *, on: date, reopen: bool = True) -> None:
    """`filled` when live employments fill every task's hours; with `reopen`, a filled position no longer
    filled is open again (after an undo or an ended employment; an edit of the position does not reopen a
    position a consultant marked filled herself). A closed position stays closed."""
    if position.status == PositionStatus.closed:
        return
    filled = filled_hours(live_employments(session, position_ids=[position.id], on=on)).get(position.id, {})
    complete = all(filled.get(t.task_id, 0) >= t.hours_per_week for t in position.tasks)
    if complete:
        set_position_status(session, position, PositionStatus.filled)
    elif reopen:
        set_position_status(session, position, PositionStatus.open)


def refresh_after_edit(session: Session, position: orm.Position, *, on: date) -> None:
    """After the position's tasks were edited: the lifecycle re-decides filled/open where it fills the
    position (it has live employments); a status a consultant set on a position without any is kept."""
    employed = bool(live_employments(session, position_ids=[position.id], on=on))
    refresh_position_status(session, position, on=on, reopen=employed)


def set_position_status(session: Session, position: orm.Position, status: str) -> None:
    """A status change the lifecycle makes. It leaves `updated_at` alone: that stamp says the position's
    content changed, which makes its proposals stale; filling it by a hire must not."""
    if position.status == status:
        return
    session.execute(update(orm.Position).where(orm.Position.id == position.id)
                    .values(status=status, updated_at=orm.Position.updated_at))
    set_committed_value(position, "status", status)


def touch_lifecycle(session: Session, jobcenter_id: int) -> None:
    """Mark the jobcentre's lifecycle as changed now: caches of its pool and positions are rebuilt."""
    session.execute(update(orm.Jobcenter).where(orm.Jobcenter.id == jobcenter_id)
                    .values(lifecycle_changed_at=utcnow()))


# ---- undo ------------------------------------------------------------------------------------------------


def undo_latest(session: Session, proposal: orm.Proposal, candidate_id: str | None, *, actor: str, reason: str,
                today: date) -> orm.ProposalEvent:
    """Annul the person's latest event (kept, marked annulled) and reverse its consequences."""
    person = person_of(proposal, candidate_id)
    event = latest_event(proposal, person.candidate_id)
    if event is None:
        raise LifecycleError("Der er intet udfald at fortryde for denne person.", field="candidate_id",
                             conflict=True)
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleError("Skriv hvorfor udfaldet fortrydes.", field="reason")
    event.annulled_at, event.annulled_by, event.annul_reason = utcnow(), actor[:100], reason
    person.status = event.previous_status
    proposal.status = lifecycle.proposal_status(p.status for p in proposal.persons)
    for employment in session.scalars(select(orm.Employment).where(orm.Employment.event_id == event.id)):
        employment.annulled_at = event.annulled_at
    session.flush()
    position = proposal.position
    refresh_position_status(session, position, on=today)
    _sync_followups(session, proposal, person, latest_event(proposal, person.candidate_id))
    touch_lifecycle(session, position.jobcenter_id)
    return event


# ---- employments -----------------------------------------------------------------------------------------


def end_employment(session: Session, employment: orm.Employment, *, end_date: date, ended_reason: str | None,
                   position_closed: bool, today: date) -> orm.Employment:
    """End an employment: the citizen is back in the pool from the day after `end_date`, the position's
    hours are unfilled again (the position is closed instead when asked)."""
    if employment.annulled_at is not None:
        raise LifecycleError("Ansættelsen er annulleret.", conflict=True)
    if end_date < employment.start_date:
        raise LifecycleError("Slutdatoen ligger før ansættelsens start.", field="end_date")
    employment.end_date, employment.ended_at = end_date, utcnow()
    employment.ended_reason = (ended_reason or "").strip() or None
    position = session.get(orm.Position, employment.position_id)
    if position_closed:
        set_position_status(session, position, PositionStatus.closed)
    session.flush()
    refresh_position_status(session, position, on=max(today, end_date + timedelta(days=1)))
    for followup in session.scalars(select(orm.FollowUp).where(
            orm.FollowUp.employment_id == employment.id, orm.FollowUp.done_at.is_(None),
            orm.FollowUp.due_date > end_date)):
        session.delete(followup)  # an ended job needs no call about its expiry
    touch_lifecycle(session, employment.jobcenter_id)
    return employment


def employment_status(employment: orm.Employment, today: date) -> str:
    return "ended" if employment.end_date is not None and employment.end_date < today else "active"


def set_paid_hours(session: Session, employment: orm.Employment, month: str, paid_hours: float) -> orm.PaidHours:
    """Paid hours of one month (eIndkomst løntimer); the same month again replaces the figure."""
    row = session.scalars(select(orm.PaidHours).where(orm.PaidHours.employment_id == employment.id,
                                                      orm.PaidHours.month == month)).one_or_none()
    if row is None:
        row = orm.PaidHours(employment_id=employment.id, month=month, paid_hours=paid_hours, recorded_at=utcnow())
        session.add(row)
    else:
        row.paid_hours, row.recorded_at = paid_hours, utcnow()
    session.flush()
    return row


def set_paid_hours_many(session: Session, figures: Iterable[tuple[str, str, float]]) -> int:
    """set_paid_hours for many (employment_id, month, paid_hours) at once, in a few queries: an import of a
    whole eIndkomst export, the demo's history. Returns the number of figures written."""
    wanted = {(employment_id, month): float(hours) for employment_id, month, hours in figures}
    if not wanted:
        return 0
    now = utcnow()
    existing: dict[tuple[str, str], orm.PaidHours] = {}
    for chunk in chunked(sorted({employment_id for employment_id, _ in wanted})):
        for row in session.scalars(select(orm.PaidHours).where(orm.PaidHours.employment_id.in_(chunk))):
            existing[(row.employment_id, row.month)] = row
    new = []
    for key, hours in wanted.items():
        row = existing.get(key)
        if row is None:
            new.append({"employment_id": key[0], "month": key[1], "paid_hours": hours, "recorded_at": now})
        elif row.paid_hours != hours:
            row.paid_hours, row.recorded_at = hours, now
    if new:
        session.execute(orm.PaidHours.__table__.insert(), new)
    session.flush()
    return len(wanted)


# ---- follow-ups ------------------------------------------------------------------------------------------


def _sync_followups(session: Session, proposal: orm.Proposal, person: orm.ProposalPerson,
                    latest: orm.ProposalEvent | None) -> None:
    """Keep the person's follow-ups in this proposal in line with their latest live event: only that
    event's follow-ups stay open (a later event, or an undo, supersedes the others; done ones are kept as
    history), and the latest event has its follow-ups."""
    mine = session.scalars(select(orm.FollowUp).where(orm.FollowUp.proposal_id == proposal.id,
                                                      orm.FollowUp.citizen_id == person.candidate_id)).all()
    for followup in mine:
        if followup.done_at is None and (latest is None or followup.event_id != latest.id):
            session.delete(followup)
    if latest is not None and not any(f.event_id == latest.id for f in mine):
        for kind, anchor in _followups_of(latest):
            session.add(orm.FollowUp(
                id=new_id(), jobcenter_id=proposal.position.jobcenter_id, kind=kind,
                due_date=lifecycle.followup_due(kind, anchor), citizen_id=person.candidate_id,
                position_id=proposal.position_id, proposal_id=proposal.id, employment_id=_employment_id(session, latest),
                event_id=latest.id, detail=followup_detail(kind, person.candidate_id, proposal, latest),
                created_at=utcnow()))
    session.flush()


def _followups_of(event: orm.ProposalEvent) -> list[tuple[str, date]]:
    day = event.effective_date
    if event.outcome == S.hired:
        kinds = [(FollowupKind.first_week_call, day)]
        if event.contract == ContractType.fixed_term and event.end_date:
            kinds.append((FollowupKind.fixed_term_expiry, event.end_date))
        return kinds
    if event.outcome == S.praktik and event.end_date:
        return [(FollowupKind.praktik_end, event.end_date)]
    if event.outcome == S.contacted:
        return [(FollowupKind.contact_no_answer, day)]
    return []


def _employment_id(session: Session, event: orm.ProposalEvent) -> str | None:
    if event.outcome != S.hired:
        return None
    return session.scalars(select(orm.Employment.id).where(orm.Employment.event_id == event.id)).first()


def followup_detail(kind: str, candidate_id: str, proposal: orm.Proposal, event: orm.ProposalEvent) -> str:
    """The Danish line a consultant reads in her list and her calendar."""
    position = proposal.position
    where = f"«{position.title}» hos {position.employer.name}"
    day = event.effective_date.strftime("%d.%m.%Y") if event.effective_date else ""
    texts = {
        FollowupKind.first_week_call: f"Ring til {candidate_id} og virksomheden efter første uge i job som {where} "
                                      f"(start {day}).",
        FollowupKind.fixed_term_expiry: f"{candidate_id}s tidsbegrænsede ansættelse som {where} udløber "
                                        f"{event.end_date:%d.%m.%Y}: tal om forlængelse." if event.end_date else "",
        FollowupKind.praktik_end: f"{candidate_id}s praktik som {where} slutter i dag: aftal det videre forløb.",
        FollowupKind.contact_no_answer: f"Intet svar om {candidate_id} siden kontakten {day} om {where}: "
                                        "følg op hos virksomheden.",
    }
    return texts[kind]


def mark_followup(session: Session, followup: orm.FollowUp, *, done: bool, note: str | None, actor: str) -> None:
    followup.done_at = utcnow() if done else None
    followup.done_by = actor[:100] if done else None
    if note is not None:
        followup.note = note.strip() or None
    session.flush()


def followups(session: Session, jobcenter_ids: Iterable[int], *, state: str = "open",
              due_before: date | None = None) -> list[orm.FollowUp]:
    """The jobcentres' follow-ups, soonest first; `state` open, done or all; `due_before` inclusive."""
    query = select(orm.FollowUp).where(orm.FollowUp.jobcenter_id.in_(list(jobcenter_ids)))
    if state == "open":
        query = query.where(orm.FollowUp.done_at.is_(None))
    elif state == "done":
        query = query.where(orm.FollowUp.done_at.is_not(None))
    if due_before is not None:
        query = query.where(orm.FollowUp.due_date <= due_before)
    return list(session.scalars(query.order_by(orm.FollowUp.due_date, orm.FollowUp.kind, orm.FollowUp.id)))


# ---- status history --------------------------------------------------------------------------------------


@dataclass
class CitizenLifecycle:
    """What GET /citizens/{id} shows of the lifecycle."""

    employments: list[orm.Employment] = field(default_factory=list)
    available_hours: int = 0
    status: str = "available"
    history: list[lifecycle.StatusSpan] = field(default_factory=list)


def citizen_lifecycle(session: Session, citizen: orm.Citizen, today: date) -> CitizenLifecycle:
    employments = list(session.scalars(select(orm.Employment).where(
        orm.Employment.citizen_id == citizen.id, orm.Employment.annulled_at.is_(None))
        .order_by(orm.Employment.start_date, orm.Employment.id)))
    live = [e for e in employments if e.end_date is None or e.end_date >= today]
    history = status_spans(session, citizen, employments)
    current = next((span.status for span in history if span.covers(today)), citizen.status)
    return CitizenLifecycle(employments=employments, status=current,
                            available_hours=available_hours(citizen, sum(e.hours_per_week for e in live)),
                            history=history)


def status_spans(session: Session, citizen: orm.Citizen,
                 employments: list[orm.Employment] | None = None) -> list[lifecycle.StatusSpan]:
    """The citizen's dated status history, from ly_since (or when first recorded)."""
    base = [(c.effective, c.status) for c in session.scalars(
        select(orm.CitizenStatusChange).where(orm.CitizenStatusChange.citizen_id == citizen.id)
        .order_by(orm.CitizenStatusChange.effective, orm.CitizenStatusChange.id))]
    if employments is None:
        employments = list(session.scalars(select(orm.Employment).where(
            orm.Employment.citizen_id == citizen.id, orm.Employment.annulled_at.is_(None))))
    periods = [lifecycle.Period(e.start_date, e.end_date) for e in employments]
    return history_of(citizen.ly_since, citizen.created_at.date(), base, periods, _praktik_periods(session, citizen.id))


def history_of(ly_since: date | None, created_on: date, base: list[tuple[date, str]],
               employments: list[lifecycle.Period], praktik: list[lifecycle.Period]) -> list[lifecycle.StatusSpan]:
    """status_spans from loaded rows (the KPIs load a whole jobcentre's rows in a few queries)."""
    # From ly_since, else from the first thing known (back-dated events may predate the record).
    known = [d for d, _ in base] + [created_on] + [p.start for p in (*employments, *praktik)]
    origin = min(known + ([ly_since] if ly_since else []))
    return lifecycle.status_history(origin, base, employments, praktik)


def _praktik_periods(session: Session, citizen_id: str) -> list[lifecycle.Period]:
    events = session.scalars(select(orm.ProposalEvent).where(
        orm.ProposalEvent.candidate_id == citizen_id, orm.ProposalEvent.annulled_at.is_(None))
        .order_by(orm.ProposalEvent.at, orm.ProposalEvent.id)).all()
    return praktik_periods([(e.proposal_id, e.outcome, e.effective_date, e.end_date) for e in events])


def praktik_periods(events: list[tuple[str, str, date | None, date | None]]) -> list[lifecycle.Period]:
    """Each live praktik of one person, cut short by their next live event in the same proposal. `events` are
    (proposal_id, outcome, effective_date, end_date) of the person's live events in recording order."""
    periods = []
    for k, (proposal_id, outcome, start, end) in enumerate(events):
        if outcome != S.praktik or start is None:
            continue
        later = [e[2] for e in events[k + 1:] if e[0] == proposal_id and e[2]]
        if later:
            end = min(end, later[0] - timedelta(days=1)) if end else later[0] - timedelta(days=1)
        if end is None or end >= start:
            periods.append(lifecycle.Period(start, end))
    return periods


def parse_month(value: str) -> tuple[int, int]:
    """'YYYY-MM' → (year, month); ValueError with a Danish message otherwise."""
    try:
        year, month = (int(part) for part in value.split("-"))
        datetime(year, month, 1)
    except (ValueError, TypeError):
        raise ValueError(f"måneden '{value}' skal skrives ÅÅÅÅ-MM") from None
    if len(value) != 7:
        raise ValueError(f"måneden '{value}' skal skrives ÅÅÅÅ-MM")
    return year, month


__all__ = [
    "CitizenLifecycle", "Hold", "LifecycleError", "OutcomeRequest", "available_hours", "citizen_lifecycle",
    "committed_hours", "employment_status", "end_employment", "filled_hours", "followup_detail", "followups",
    "history_of", "holds", "latest_event", "live_employments", "mark_followup", "parse_month", "person_of", "praktik_periods", "record_outcome",
    "refresh_after_edit", "refresh_position_status", "rejected_pairs", "set_paid_hours", "set_paid_hours_many", "set_position_status", "status_spans",
    "touch_lifecycle", "undo_latest",
]
