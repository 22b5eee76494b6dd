"""The KPI charts (service/http/web/kpi_charts.py): well-formed SVG whatever the figures, one point per month
with a figure, inside the drawing, with Danish tooltips; target and national reference lines where they
belong."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from models.kpis import KpiValue
from models.months import month_range, shift_month
from service.http.web.kpi_charts import HEIGHT, WIDTH, kpi_chart

SVG = "{http://www.w3.org/2000/svg}"


def _values(draw_values: list[float | None]) -> list[KpiValue]:
    return [KpiValue.of(0, 0) if v is None else KpiValue.of(round(v * 40, 1), 40) for v in draw_values]


@given(kpi=st.sampled_from(["sk1", "sk2", "sk3"]),
       figures=st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=36))
def test_any_figures_draw_a_well_formed_chart_with_a_point_per_figure(kpi: str, figures: list) -> None:
    months = month_range("2024-01", shift_month("2024-01", len(figures) - 1))
    svg = ET.fromstring(str(kpi_chart(kpi, "SK: titel & <test>", months, _values(figures), "personer")))
    circles = svg.findall(f"{SVG}circle")
    assert len(circles) == sum(f is not None for f in figures)
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= WIDTH and 0 <= float(circle.get("cy")) <= HEIGHT
        assert " af 40 personer" in circle.find(f"{SVG}title").text
    assert svg.find(f"{SVG}title").text == "SK: titel & <test>"


def test_the_reference_lines_and_the_sk2_band() -> None:
    months = month_range("2026-01", "2026-03")
    values = [KpiValue.of(1, 2)] * 3
    titles = {kpi: [t.text for t in ET.fromstring(str(kpi_chart(kpi, kpi, months, values, "x"))).iter(f"{SVG}title")]
              for kpi in ("sk1", "sk2", "sk3")}
    assert "Mål: mindst 90\u00a0%" in titles["sk1"] and "Hele landet, nov 19: 84\u00a0%" in titles["sk1"]
    assert "Hele landet, nov 19: 24\u00a0%" in titles["sk3"]
    assert not any(t.startswith("Hele landet") for t in titles["sk2"])
    assert "Ni kommuner i STARs rapport, sep.–nov. 2019: 55\u00a0%–79\u00a0%" in titles["sk2"]
    assert "jan 26: 50\u00a0% (1 af 2 x)" in titles["sk1"]
