""""Hvorfor dette forslag": why a proposal holds these people and not simply the top of the ranking.

The solver (matcher.split, matcher.batch) maximises matcher.objective: well-matched hours, Σ score × hours,
plus a value per person placed (more near the refusion line), with hours above 85 % of a person's capacity
counting less, and a net EXTRA_PERSON_COST for every person beyond the first, within the hard limits: a
person's hours, the days, a task that cannot be split, the position's and the employer's people limit, the
minimum hours per person.
The ranking orders people one by one; a proposal is a team. So the person ranked first is often not in it,
and a consultant must be able to say why to the employer and to the citizen.

`explain_proposal` reconstructs the reasons from what is stored (the position, the ranking with each
person's feasible tasks and hours, the proposal's assignments, and in a batch where else a person was
proposed). It explains, it does not re-solve: every sentence states a fact about the stored data or the
rule the solver applies. Pure: no database, deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matcher.objective import EXTRA_PERSON_COST
from models.danish import and_list, counted, number
from models.schemas import Position, Proposal, RankedCandidate

# How many people ranked above the proposal's lowest-ranked person are explained (the rest are summarised).
MAX_PASSED_OVER = 5


@dataclass(frozen=True)
class ProposalWhy:
    summary: str
    chosen: tuple[str, ...]
    passed_over: tuple[str, ...]
    rule: str
    missing: tuple[str, ...] = ()


def missing_sentences(gaps: Iterable[tuple[str, int, str]]) -> list[str]:
    """(task title, hours missing, reason) → one sentence per reason naming every task it concerns:
    "Mangler 11 timer på «Budkørsel» og 6 timer på «Pakning»: Virksomheden tager kun én fleksjobber."
    The same reason is never written twice."""
    by_reason: dict[str, list[str]] = {}
    for title, hours, reason in gaps:
        by_reason.setdefault(reason.strip().rstrip("."), []).append(f"{counted(hours, 'time', 'timer')} på «{title}»")
    return [f"Mangler {and_list(where)}: {reason[:1].upper() + reason[1:]}." for reason, where in by_reason.items()]


def _percent(score: float) -> str:
    return f"{round(score * 100)} %"


def _open_hours(position: Position, proposal: Proposal) -> dict[str, int]:
    """Per task: the hours the proposal leaves uncovered."""
    covered: dict[str, int] = {}
    for person in proposal.people:
        for assignment in person.assignments:
            covered[assignment.task_id] = covered.get(assignment.task_id, 0) + assignment.hours_per_week
    return {task.id: max(0, task.hours_per_week - covered.get(task.id, 0)) for task in position.tasks}


def _summary(position: Position, proposal: Proposal) -> str:
    hours = (f"alle {counted(proposal.hours_requested, 'time', 'timer')}"
             if proposal.hours_covered >= proposal.hours_requested
             else f"{number(proposal.hours_covered)} af {counted(proposal.hours_requested, 'time', 'timer')}")
    if len(proposal.people) == 1:
        text = f"Én person dækker {hours}."
    else:
        text = f"Stillingen deles mellem {counted(len(proposal.people), 'person', 'personer')}, der tilsammen dækker {hours}."
    if proposal.kind == "single" and not position.employer.has_fleksjob_experience:
        text += " Virksomheden har ikke erfaring med fleksjob, så forslaget med én person står først (start med én)."
    return text


def _chosen_line(person, entry: RankedCandidate | None, titles: Mapping[str, str],
                 capacities: Mapping[str, int]) -> str:
    tasks = and_list(f"{titles.get(a.task_id, a.task_id)} ({counted(a.hours_per_week, 'time', 'timer')})"
                     for a in person.assignments)
    where = (f"nr. {entry.rank} på listen, match {_percent(entry.score)}" if entry
             else "uden for den viste liste")
    capacity = capacities.get(person.candidate_id)
    hours = sum(a.hours_per_week for a in person.assignments)
    room = f"; bruger {number(hours)} af sine {counted(capacity, 'time', 'timer')}" if capacity else ""
    return f"{person.candidate_id} ({where}) tager {tasks}{room}."


def _covered_on(proposal: Proposal, task_ids: set[str]) -> int:
    return sum(a.hours_per_week for p in proposal.people for a in p.assignments if a.task_id in task_ids)


def _holder(proposal: Proposal, task_id: str) -> str:
    return next(p.candidate_id for p in proposal.people if any(a.task_id == task_id for a in p.assignments))


def _passed_over_reason(entry: RankedCandidate, position: Position, proposal: Proposal, open_hours: dict[str, int],
                        elsewhere: Mapping[str, str], titles: Mapping[str, str]) -> str:
    """Why a better-ranked person is not in the proposal: the first reason that holds, in the order the
    solver's rules bind. Each reason continues the sentence "B-7 (nr. 1, match 93 %) …"."""
    if entry.candidate_id in elsewhere:
        return f"er foreslået til «{elsewhere[entry.candidate_id]}» i samme genmatchning"
    hours = counted(entry.hours_offered, "time", "timer")
    if proposal.kind == "single" and proposal.people:
        chosen = proposal.people[0].candidate_id
        if entry.hours_offered < proposal.hours_covered:
            return f"kan {hours} i opgaverne, mens {chosen} alene dækker {counted(proposal.hours_covered, 'time', 'timer')}"
        return "giver som eneste person færre velmatchede timer (timer × match) end den valgte"
    tasks = [t for t in position.tasks if t.id in entry.feasible_tasks]
    names = and_list(titles[t.id] for t in tasks)
    open_tasks = [t for t in tasks if open_hours[t.id] > 0]
    if not open_tasks:
        covered = _covered_on(proposal, {t.id for t in tasks})
        if entry.hours_offered < covered:
            return (f"kan {number(entry.hours_offered)} af de {counted(covered, 'time', 'timer')}, de valgte dækker "
                    f"i {names}")
        return f"kan kun varetage {names}, som de valgte allerede dækker fuldt"
    assigned = {a.task_id for p in proposal.people for a in p.assignments}
    if all(not t.splittable and t.id in assigned for t in open_tasks):
        taken = and_list(f"{titles[t.id]} (hos {_holder(proposal, t.id)})" for t in open_tasks)
        return f"kan kun bidrage til {taken}, som ikke kan deles mellem flere"
    if len(proposal.people) >= position.people_limit:
        return (f"er ikke med, fordi stillingen højst må deles mellem "
                f"{counted(position.people_limit, 'person', 'personer')}, og de valgte dækker flere timer sammen")
    extra = min(entry.hours_offered, sum(open_hours[t.id] for t in open_tasks))
    if extra < position.min_hours_per_person:
        return (f"kunne kun få {counted(extra, 'time', 'timer')}, og stillingen kræver mindst "
                f"{counted(position.min_hours_per_person, 'time', 'timer')} pr. person")
    if extra * entry.score <= EXTRA_PERSON_COST:
        return f"ville kun tilføje {counted(extra, 'time', 'timer')}, og det opvejer ikke prisen for en person mere"
    return ("giver færre velmatchede timer (timer × match) end de valgte, også når prisen for hver ekstra person "
            "er trukket fra")


def _rule() -> str:
    cost = "en halv" if EXTRA_PERSON_COST == 0.5 else number(EXTRA_PERSON_COST)
    return (f"Forslaget vægter timer × match, giver point for hver borger, der kommer i job (lidt flere tæt på "
            f"refusionsgrænsen), og trækker {cost} velmatchet time fra for hver person ud over den første, så "
            "stillingen kun deles, når det dækker flere timer. Timer ud over 85 % af arbejdsevnen tæller lidt "
            "mindre. Ingen får flere timer, end de kan arbejde, eller en opgave, der strider mod et centralt "
            "skånehensyn.")


def explain_proposal(position: Position, proposal: Proposal, ranking: Sequence[RankedCandidate], *,
                     capacities: Mapping[str, int] | None = None, elsewhere: Mapping[str, str] | None = None,
                     max_passed_over: int = MAX_PASSED_OVER) -> ProposalWhy:
    """Why this proposal: a summary, one line per person in it, one line per better-ranked person left out
    (at most `max_passed_over`, then a count), and the rule that decides. `elsewhere` maps a candidate to
    the title of the position a batch proposed them for instead."""
    capacities, elsewhere = capacities or {}, elsewhere or {}
    titles = {task.id: task.title for task in position.tasks}
    by_id = {entry.candidate_id: entry for entry in ranking}
    chosen_ids = {person.candidate_id for person in proposal.people}
    chosen = tuple(_chosen_line(person, by_id.get(person.candidate_id), titles, capacities)
                   for person in sorted(proposal.people, key=lambda p: by_id[p.candidate_id].rank
                                        if p.candidate_id in by_id else len(ranking) + 1))
    lowest = max((by_id[c].rank for c in chosen_ids if c in by_id), default=0)
    above = [entry for entry in sorted(ranking, key=lambda e: e.rank)
             if entry.rank < lowest and entry.candidate_id not in chosen_ids]
    open_hours = _open_hours(position, proposal)
    lines = [f"{entry.candidate_id} (nr. {entry.rank}, match {_percent(entry.score)}) "
             f"{_passed_over_reason(entry, position, proposal, open_hours, elsewhere, titles)}."
             for entry in above[:max_passed_over]]
    if len(above) > max_passed_over:
        rest = len(above) - max_passed_over
        lines.append(f"Yderligere {counted(rest, 'borger', 'borgere')} over de valgte på listen er ikke med.")
    missing = missing_sentences((titles.get(gap.task_id, gap.task_id), gap.hours_missing, gap.detail)
                                for gap in proposal.uncovered)
    return ProposalWhy(summary=_summary(position, proposal), chosen=chosen, passed_over=tuple(lines),
                       rule=_rule(), missing=tuple(missing))


__all__ = ["MAX_PASSED_OVER", "ProposalWhy", "explain_proposal", "missing_sentences"]
