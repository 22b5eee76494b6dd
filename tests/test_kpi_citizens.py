"""The citizens behind each KPI: who is on LY longest, whose spell nears 6 months, whose hours have not moved."""

from __future__ import annotations

from datetime import date

from models.kpi_citizens import citizens_behind, spells_approaching
from models.kpis import CitizenHistory, EmploymentRecord, StatusPeriod, compute_kpis

D = date


def history(citizen_id: str, *periods: tuple) -> CitizenHistory:
    return CitizenHistory(citizen_id, tuple(StatusPeriod(*p) for p in periods))


def test_sk1_lists_the_citizens_on_ly_most_days_first_then_the_longest_spell() -> None:
    people = [
        history("B-new", ("available", D(2026, 10, 1))),
        history("B-old", ("sick_leave", D(2024, 2, 1))),
        history("B-hired", ("available", D(2025, 5, 1), D(2026, 11, 20)), ("employed", D(2026, 11, 21))),
        history("B-employed", ("employed", D(2025, 1, 1))),
        history("B-left", ("available", D(2026, 1, 1), D(2026, 10, 31)), ("inactive", D(2026, 11, 1))),
    ]
    listed = citizens_behind(people, [], "2026-11").sk1_on_ly
    assert [(p.citizen_id, p.ly_days, p.spell_start) for p in listed] == [
        ("B-old", 30, D(2024, 2, 1)), ("B-new", 30, D(2026, 10, 1)), ("B-hired", 20, D(2025, 5, 1))]


def test_sk2_lists_open_spells_that_reach_6_months_within_two_months() -> None:
    people = [
        history("B-soon", ("available", D(2026, 6, 15))),          # six months on 15 Dec: 15 days left
        history("B-later", ("available", D(2026, 7, 30))),         # 30 January: the last day within two months
        history("B-over", ("available", D(2026, 1, 1))),           # already over 6 months
        history("B-fresh", ("available", D(2026, 11, 1))),         # 1 May 2027: not yet
        history("B-ended", ("available", D(2026, 6, 1), D(2026, 11, 9)), ("employed", D(2026, 11, 10))),
    ]
    listed = citizens_behind(people, [], "2026-11").sk2_approaching
    assert [(s.citizen_id, s.six_months, s.days_left) for s in listed] == [
        ("B-soon", D(2026, 12, 15), 15), ("B-later", D(2027, 1, 30), 61)]


def test_sk2_as_of_today_for_the_current_month() -> None:
    people = [history("B-1", ("available", D(2026, 5, 20)))]  # six months on 20 November
    assert [s.citizen_id for s in spells_approaching(people, D(2026, 11, 10))] == ["B-1"]
    assert spells_approaching(people, D(2026, 11, 30)) == ()


PAID_FIRST = {"2025-01": 20.0, "2025-02": 20.0, "2025-03": 20.0}


def job(employment_id: str, citizen_id: str, latest: dict, hours: int = 6, start: date = D(2025, 1, 1)):
    return EmploymentRecord(employment_id, citizen_id, hours, start, None, PAID_FIRST | latest)


def test_sk3_lists_the_employments_that_did_not_progress_and_those_missing_hours() -> None:
    grew = {"2025-10": 22.0, "2025-11": 22.0, "2025-12": 22.0}
    flat = {"2025-10": 20.0, "2025-11": 22.0, "2025-12": 22.0}
    gap = {"2025-10": 22.0, "2025-12": 22.0}
    employments = [job("E-grew", "B-1", grew), job("E-flat", "B-2", flat), job("E-gap", "B-3", gap),
                   job("E-big", "B-4", flat, hours=11)]
    behind = citizens_behind([], employments, "2025-12")
    assert [(j.employment_id, j.first_max, j.latest_min) for j in behind.sk3_not_progressed] == [
        ("E-flat", 20.0, 20.0)]
    assert [(j.employment_id, j.missing_months) for j in behind.sk3_missing_hours] == [("E-gap", ("2025-11",))]
    figures = compute_kpis([], employments, ["2025-12"])["2025-12"]
    assert len(behind.sk3_not_progressed) == figures.sk3.denominator - figures.sk3.numerator
    assert len(behind.sk3_missing_hours) == figures.sk3_missing_hours
