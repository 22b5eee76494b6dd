"""The hand-labelled evaluation set (data/evaluation/) is well-formed, and the quality bench reads it as written."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
import yaml

from benchmarks import bench_quality
from models.schemas import MatchRequest

PAIR_KEYS = {"kind", "family", "citizen", "cv", "task", "title", "match"}
CANDIDATE_KEYS = {"id", "competences", "cv", "ly_months_last_24"}
CASE_KEYS = {"id", "title", "competences", "candidates", "expected", "reason"}
# Every kind of phrasing issue 12 names, and every work family of the reports and the issue.
REQUIRED_KINDS = {"plain", "compound", "phrase", "particle_verb", "title", "abbreviation", "english", "typo",
                  "lookalike"}
REQUIRED_FAMILIES = {"rengoering", "koekken_kantine", "lager_pakning", "produktion", "kontor_administration",
                     "pedel_vedligehold", "have_udearealer", "koersel", "boern_paedagogik", "pleje_omsorg",
                     "butik_kundeservice", "haandvaerk", "landbrug_stald", "it_support", "reception_service",
                     "vaskeri_tekstil", "sikkerhed_vagt"}


@pytest.fixture(scope="module")
def pair_file() -> dict:
    return yaml.safe_load(bench_quality.PAIRS_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return yaml.safe_load(bench_quality.CASES_FILE.read_text(encoding="utf-8"))["cases"]


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def test_there_are_enough_pairs_and_ranking_cases(pair_file, cases):
    assert len(pair_file["pairs"]) >= 500
    assert len(cases) >= 20


def test_every_pair_has_the_fields_a_pair_needs(pair_file):
    for i, pair in enumerate(pair_file["pairs"]):
        where = f"pair {i}: {pair}"
        assert set(pair) <= PAIR_KEYS, where
        assert isinstance(pair["match"], bool), where
        assert isinstance(pair["task"], str) and pair["task"].strip(), where
        entries = pair.get("citizen", [])
        assert isinstance(entries, list) and all(isinstance(e, str) and e.strip() for e in entries), where
        assert entries or pair.get("cv", "").strip(), f"{where}: neither competences nor CV text"


def test_every_pair_has_a_declared_kind_and_family_and_every_one_is_used(pair_file):
    kinds, families = set(pair_file["kinds"]), set(pair_file["families"])
    used_kinds = {p["kind"] for p in pair_file["pairs"]}
    used_families = {p["family"] for p in pair_file["pairs"]}
    assert REQUIRED_KINDS <= kinds
    assert REQUIRED_FAMILIES <= families
    assert used_kinds == kinds
    assert used_families == families


def test_no_pair_is_written_twice(pair_file):
    keys = Counter((tuple(_normalised(e) for e in p.get("citizen", [])), _normalised(p.get("cv", "")),
                    _normalised(p["task"])) for p in pair_file["pairs"])
    assert [key for key, n in keys.items() if n > 1] == []


def test_positives_and_negatives_are_balanced(pair_file):
    share = np.mean([p["match"] for p in pair_file["pairs"]])
    assert 0.45 <= share <= 0.55


def test_every_kind_that_is_not_about_near_misses_has_positives_and_negatives(pair_file):
    by_kind: dict[str, set[bool]] = {}
    for pair in pair_file["pairs"]:
        by_kind.setdefault(pair["kind"], set()).add(pair["match"])
    assert {kind for kind, labels in by_kind.items() if labels != {True, False}} == set()


def test_ranking_cases_are_well_formed(cases):
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert set(case) == CASE_KEYS, case["id"]
        assert case["competences"] and case["title"].strip() and case["reason"].strip(), case["id"]
        ids = [c["id"] for c in case["candidates"]]
        assert 3 <= len(ids) <= 6, case["id"]
        assert len(set(ids)) == len(ids), case["id"]
        assert case["expected"] in ids, case["id"]
        for candidate in case["candidates"]:
            assert set(candidate) <= CANDIDATE_KEYS, case["id"]
            assert candidate.get("competences") or candidate.get("cv", "").strip(), case["id"]
            assert 0 <= candidate["ly_months_last_24"] <= 24, case["id"]


def test_urgency_is_tested_against_the_right_candidate_in_most_cases(cases):
    """The point of the cases: a more urgent candidate who is a poorer fit must not win."""
    def more_urgent_rival(case: dict) -> bool:
        months = {c["id"]: c["ly_months_last_24"] for c in case["candidates"]}
        return any(m > months[case["expected"]] for cid, m in months.items() if cid != case["expected"])

    assert sum(more_urgent_rival(c) for c in cases) >= 20


def test_the_bench_reads_every_pair_and_case_as_written(pair_file, cases):
    pairs = bench_quality.load_pairs()
    assert len(pairs) == len(pair_file["pairs"])
    assert [p.match for p in pairs] == [p["match"] for p in pair_file["pairs"]]
    assert [c["expected"] for c in bench_quality.load_cases()] == [c["expected"] for c in cases]


def test_every_pair_and_case_is_a_valid_match_request(cases):
    """The bench builds requests from the data: each must pass the contract's validation."""
    for pair in bench_quality.load_pairs():
        MatchRequest.model_validate({"position": bench_quality._position(pair.title or pair.task, [pair.task]),
                                     "candidates": [bench_quality._candidate("B-Q", pair.citizen, pair.cv)]})
    for case in cases:
        candidates = [bench_quality._candidate(c["id"], c.get("competences", ()), c.get("cv", ""),
                                               c["ly_months_last_24"]) for c in case["candidates"]]
        MatchRequest.model_validate({"position": bench_quality._position(case["title"], case["competences"]),
                                     "candidates": candidates})


def test_the_summary_line_keeps_its_format():
    labels = np.array([True, True, False, False])
    scores = bench_quality.Scores(np.array([0.9, 0.3, 0.6, 0.1]), 0.5, [True, False, True])
    line = bench_quality.summary_line("quality", labels, scores)
    assert re.fullmatch(r"quality pairs=4 mcc=-?\d\.\d{3} auc=\d\.\d{3} precision=\d\.\d{3} recall=\d\.\d{3} "
                        r"ranking_top1=2/3", line), line
    assert "precision=0.500 recall=0.500" in line


def test_the_baseline_threshold_is_the_best_cut_on_the_set():
    values = np.array([0.2, 0.4, 0.6, 0.8, 0.9])
    labels = np.array([False, False, True, True, True])
    assert bench_quality.best_threshold(values, labels) == pytest.approx(0.6)
