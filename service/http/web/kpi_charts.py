"""The team leader's KPI charts as inline SVG, drawn on the server: no script and nothing fetched from elsewhere
(the pages' Content-Security-Policy allows neither). One line chart per KPI: the monthly figure, the target as
a dashed line and STAR's whole-country figure for November 2019 as a dotted reference line (SK2 has none: the
band of the nine municipalities the report follows is shaded instead). Months without a figure (denominator 0)
leave a gap. Every point carries a Danish tooltip; the page shows the same figures as a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from models.danish import number, percent
from models.kpis import NATIONAL, NATIONAL_MONTH, SK2_REPORT_RANGE, TARGETS, KpiValue
from models.months import parse_month

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 34
MONTH_NAMES = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
COLOURS = {"line": "#0b4f8a", "target": "#1d6b3a", "national": "#4a5866", "grid": "#cfd6de", "band": "#e8ecf1"}


def month_label(month: str, *, year: bool = True) -> str:
    """A short Danish month for the axis and tooltips: "nov 26"."""
    y, m = parse_month(month)
    return f"{MONTH_NAMES[m - 1]} {y % 100:02d}" if year else MONTH_NAMES[m - 1]


@dataclass(frozen=True)
class _Frame:
    months: int

    def x(self, index: int) -> float:
        inner = WIDTH - LEFT - RIGHT
        return LEFT + (inner / 2 if self.months == 1 else inner * index / (self.months - 1))

    @staticmethod
    def y(fraction: float) -> float:
        fraction = max(0.0, min(1.0, fraction))
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - fraction)


def kpi_chart(kpi: str, title: str, months: Sequence[str], values: Sequence[KpiValue], unit: str) -> Markup:
    """The SVG of one KPI over `months` (values aligned with them). `unit` names what is counted in the
    tooltip ("fuldtidspersoner", "forløb", "personer")."""
    frame = _Frame(len(months))
    parts = [f'<svg class="kpi-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{kpi}-title {kpi}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{kpi}-title">{escape(title)}</title>',
             f'<desc id="{kpi}-desc">{escape(_description(kpi, months, values))}</desc>']
    parts += _reference(kpi, frame)
    parts += _grid(frame, months)
    parts += _series(frame, months, values, unit)
    parts.append("</svg>")
    return Markup("".join(parts))


def _grid(frame: _Frame, months: Sequence[str]) -> list[str]:
    out = []
    for step in (0, 0.25, 0.5, 0.75, 1):
        y = frame.y(step)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{COLOURS["grid"]}" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="{COLOURS["national"]}">{round(step * 100)} %</text>')
    every = max(1, -(-len(months) // 8))   # at most about eight labels
    for index, month in enumerate(months):
        last_fits = index == len(months) - 1 and index % every >= every / 2
        if index % every == 0 or last_fits:
            out.append(f'<text x="{frame.x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                       f'font-size="11" fill="{COLOURS["national"]}">{escape(month_label(month))}</text>')
    return out


def _reference(kpi: str, frame: _Frame) -> list[str]:
    out = []
    if kpi == "sk2":
        low, high = SK2_REPORT_RANGE
        out.append(f'<rect x="{LEFT}" y="{frame.y(high):.1f}" width="{WIDTH - LEFT - RIGHT}" '
                   f'height="{frame.y(low) - frame.y(high):.1f}" fill="{COLOURS["band"]}">'
                   f'<title>Ni kommuner i STARs rapport, sep.–nov. 2019: {percent(low)}–{percent(high)}</title></rect>')
    national = NATIONAL.get(kpi)
    if national is not None and national.value is not None:
        y = frame.y(national.value)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{COLOURS["national"]}" '
                   f'stroke-width="1.5" stroke-dasharray="2 3"><title>Hele landet, {month_label(NATIONAL_MONTH)}: '
                   f'{percent(national.value)}</title></line>')
    y = frame.y(TARGETS[kpi])
    out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{COLOURS["target"]}" '
               f'stroke-width="2" stroke-dasharray="7 4"><title>Mål: mindst {percent(TARGETS[kpi])}</title></line>')
    return out


def _series(frame: _Frame, months: Sequence[str], values: Sequence[KpiValue], unit: str) -> list[str]:
    out, run = [], []
    for index, value in enumerate(values):
        if value.value is None:
            out += _polyline(run)
            run = []
            continue
        run.append((frame.x(index), frame.y(value.value)))
    out += _polyline(run)
    for index, (month, value) in enumerate(zip(months, values)):
        if value.value is None:
            continue
        tip = (f"{month_label(month)}: {percent(value.value)} "
               f"({number(value.numerator)} af {number(value.denominator)} {unit})")
        out.append(f'<circle cx="{frame.x(index):.1f}" cy="{frame.y(value.value):.1f}" r="3.5" '
                   f'fill="{COLOURS["line"]}"><title>{escape(tip)}</title></circle>')
    return out


def _polyline(points: list[tuple[float, float]]) -> list[str]:
    if len(points) < 2:
        return []
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return [f'<polyline points="{path}" fill="none" stroke="{COLOURS["line"]}" stroke-width="2.5"/>']


def _description(kpi: str, months: Sequence[str], values: Sequence[KpiValue]) -> str:
    shown = [f"{month_label(m)} {percent(v.value)}" for m, v in zip(months, values)]
    return f"Mål {percent(TARGETS[kpi])}. " + ", ".join(shown)


__all__ = ["kpi_chart", "month_label"]
