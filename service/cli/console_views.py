"""Rich renderings of match results for the terminal (demo and CLI): what a consultant would read."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from matcher.explain import competence_sentence
from models.catalogue import load_catalogue
from models.danish import counted
from models.schemas import MatchResponse, Position


def _demand_summary(position: Position) -> str:
    catalogue = load_catalogue()
    demands = sorted({catalogue.demand_label(d) for task in position.tasks for d in task.demands.active()})
    return ", ".join(demands) or "ingen særlige krav"


def print_ranking(console: Console, position: Position, response: MatchResponse, top: int = 3) -> None:
    """The position, its tasks, and its top candidates with their explanation."""
    console.rule(f"[bold]{position.title}[/] · {position.employer.name} ({position.jobcenter})")
    tasks = "; ".join(f"{t.title} {t.hours_per_week} t" for t in position.tasks)
    console.print(f"Opgaver: {tasks}. Krav: {_demand_summary(position)}.")
    if not response.ranking:
        console.print("[yellow]Ingen borger i puljen kan varetage opgaverne.[/]")
        return
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("#", width=3)
    table.add_column("Borger", width=9, no_wrap=True)
    table.add_column("Match", width=6, justify="right")
    table.add_column("Timer", width=6, justify="right")
    table.add_column("Hvorfor", overflow="fold")
    for entry in response.ranking[:top]:
        table.add_row(str(entry.rank), entry.candidate_id, f"{round(entry.score * 100)} %", str(entry.hours_offered),
                      explanation_text(entry))
    console.print(table)
    excluded = len(response.excluded)
    console.print(f"{counted(excluded, 'borger', 'borgere')} er udelukket (fx pga. skånehensyn, afstand eller dage).")


def explanation_text(entry) -> str:
    explanation = entry.explanation
    parts = []
    matched = [competence_sentence(m) for m in explanation.matched_competences[:3]]
    if matched:
        parts.append("Kompetencer: " + "; ".join(matched))
    if explanation.missing_competences:
        parts.append("Mangler: " + ", ".join(sorted({m.required for m in explanation.missing_competences})))
    if explanation.accommodations:
        parts.append("Hensyn: " + "; ".join(a.detail for a in explanation.accommodations))
    parts.extend(explanation.notes[:2])
    return "\n".join(parts)
