"""Competence quality: how well FleksMatch reads Danish kompetence-CVs, against a hand-labelled set (issue 12).

Data: data/evaluation/competence_pairs.yaml (labelled pairs) and data/evaluation/ranking_cases.yaml (small
ranking cases), written by hand as citizens and consultants write, not from the taxonomy.

Prints:
    quality pairs=N mcc=<x> auc=<x> precision=<x> recall=<x> ranking_top1=k/n
    quality_baseline_rapidfuzz pairs=N mcc=<x> auc=<x> precision=<x> recall=<x> ranking_top1=k/n threshold=<t>
    quality_kind kind=<kind> n=<n> pos=<p> recall=<x> precision=<x> fp=<k> fn=<k>
                 baseline_recall=<x> baseline_precision=<x>                           (on one line)
      (one line per kind of phrasing: FleksMatch's recall, precision, false positives and false negatives,
      then the baseline's recall and precision; "n/a" where a figure has no denominator)

FleksMatch: each pair is scored through the public API alone: a one-task MatchRequest (the task requires the
pair's competence) with one candidate (the pair's competence entries and CV text), and the value read is
`explanation.components["competence"]` of the ranking entry (0 when the candidate is not ranked). A pair is
predicted a match when that value reaches `matcher.competences.MATCH_THRESHOLD`; AUC uses the value itself.
ranking_top1 runs `matcher.match` on each ranking case (same capacity, no restrictions, days or location
for every candidate) and counts the cases whose rank 1 is the expected candidate.

Baseline: rapidfuzz `fuzz.token_set_ratio` (lower-cased, punctuation stripped) between the required
competence and each of the citizen's texts (every competence entry and the CV text), taking the best.
Its threshold is the one that maximises the baseline's MCC on this same set, so the baseline figures are
optimistic (tuned on the test data); FleksMatch's threshold is fixed in the code. The baseline ranks a
case's candidates by their mean best ratio over the task's required competences, ties by candidate id.

`python -m benchmarks quality` runs this bench alone; `python -m benchmarks.bench_quality --errors` also
lists every misclassified pair and failed ranking case, and `--families` adds one line per work family.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml
from rapidfuzz import fuzz, utils
from sklearn.metrics import matthews_corrcoef, precision_score, recall_score, roc_auc_score

from matcher import match
from matcher.competences import MATCH_THRESHOLD

EVALUATION_DIR = Path(__file__).resolve().parent.parent / "data" / "evaluation"
PAIRS_FILE = EVALUATION_DIR / "competence_pairs.yaml"
CASES_FILE = EVALUATION_DIR / "ranking_cases.yaml"
HOURS = 4
EMPLOYER = {"id": "V-Q", "name": "Evaluering"}


@dataclass(frozen=True)
class Pair:
    citizen: tuple[str, ...]
    cv: str
    task: str
    title: str
    match: bool
    kind: str
    family: str

    def describe(self) -> str:
        side = " | ".join(self.citizen + ((f'cv: "{self.cv}"',) if self.cv else ()))
        expected = "match" if self.match else "ikke match"
        return f"[{self.kind}/{self.family}] {side} -> {self.task} (forventet {expected})"


@dataclass(frozen=True)
class Scores:
    """Continuous scores, the decision threshold, and ranking results of one scorer."""
    values: np.ndarray
    threshold: float
    top1: list[bool]

    @property
    def predicted(self) -> np.ndarray:
        return self.values >= self.threshold


def load_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Pair(tuple(p.get("citizen", ())), p.get("cv", ""), p["task"], p.get("title", ""), bool(p["match"]),
                 p["kind"], p["family"]) for p in data["pairs"]]


def load_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def _position(title: str, competences: Sequence[str]) -> dict[str, Any]:
    task = {"id": "t1", "title": title, "hours_per_week": HOURS, "competences": list(competences)}
    return {"id": "S-Q", "title": title, "employer": EMPLOYER, "tasks": [task]}


def _candidate(cid: str, competences: Sequence[str], cv: str, ly_months: int = 0) -> dict[str, Any]:
    return {"id": cid, "capacity_hours": HOURS, "capacity_basis": "measured", "competences": list(competences),
            "cv_text": cv, "ly_months_last_24": ly_months}


def _options(limit: int) -> dict[str, Any]:
    return {"limit": limit, "include_excluded": False, "proposals": False}


def matcher_pair_score(pair: Pair) -> float:
    """The competence component FleksMatch gives the pair's citizen for a task requiring the pair's term."""
    request = {"position": _position(pair.title or pair.task, [pair.task]),
               "candidates": [_candidate("B-Q", pair.citizen, pair.cv)], "options": _options(1)}
    ranking = match(request).ranking
    return float(ranking[0].explanation.components["competence"]) if ranking else 0.0


def matcher_top1(case: dict[str, Any]) -> bool:
    candidates = [_candidate(c["id"], c.get("competences", ()), c.get("cv", ""), c.get("ly_months_last_24", 0))
                  for c in case["candidates"]]
    request = {"position": _position(case["title"], case["competences"]), "candidates": candidates,
               "options": _options(len(candidates))}
    ranking = match(request).ranking
    return bool(ranking) and ranking[0].candidate_id == case["expected"]


def baseline_score(texts: Sequence[str], required: str) -> float:
    """Best token_set_ratio (0–1) between the required competence and any one of the citizen's texts."""
    return max((fuzz.token_set_ratio(text, required, processor=utils.default_process) / 100.0
                for text in texts if text), default=0.0)


def baseline_top1(case: dict[str, Any]) -> bool:
    def fit(candidate: dict[str, Any]) -> float:
        texts = [*candidate.get("competences", ()), candidate.get("cv", "")]
        return float(np.mean([baseline_score(texts, term) for term in case["competences"]]))

    best = sorted(case["candidates"], key=lambda c: (-fit(c), c["id"]))[0]
    return best["id"] == case["expected"]


def best_threshold(values: np.ndarray, labels: np.ndarray) -> float:
    """The cut (one of the observed values) that maximises MCC; the lowest such cut on ties."""
    cuts = np.unique(values)
    mccs = [matthews_corrcoef(labels, values >= cut) for cut in cuts]
    return float(cuts[int(np.argmax(mccs))])


def score_matcher(pairs: list[Pair], cases: list[dict[str, Any]]) -> Scores:
    values = np.array([matcher_pair_score(p) for p in pairs])
    return Scores(values, MATCH_THRESHOLD, [matcher_top1(c) for c in cases])


def score_baseline(pairs: list[Pair], cases: list[dict[str, Any]], labels: np.ndarray) -> Scores:
    values = np.array([baseline_score([*p.citizen, p.cv], p.task) for p in pairs])
    return Scores(values, best_threshold(values, labels), [baseline_top1(c) for c in cases])


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _recall(labels: np.ndarray, predicted: np.ndarray) -> float | None:
    return float(recall_score(labels, predicted, zero_division=0)) if labels.any() else None


def _precision(labels: np.ndarray, predicted: np.ndarray) -> float | None:
    return float(precision_score(labels, predicted, zero_division=0)) if predicted.any() else None


def summary_line(name: str, labels: np.ndarray, scores: Scores) -> str:
    predicted = scores.predicted
    auc = roc_auc_score(labels, scores.values) if 0 < labels.sum() < labels.size else None
    return (f"{name} pairs={labels.size} mcc={matthews_corrcoef(labels, predicted):.3f} auc={_fmt(auc)} "
            f"precision={_fmt(_precision(labels, predicted))} recall={_fmt(_recall(labels, predicted))} "
            f"ranking_top1={sum(scores.top1)}/{len(scores.top1)}")


def group_lines(tag: str, groups: Sequence[str], labels: np.ndarray, ours: Scores, base: Scores) -> list[str]:
    """One line per kind (or family): FleksMatch's recall, precision and error counts, the baseline's recall
    and precision. Kinds that are nearly all negatives (look-alikes, siblings) are read by fp."""
    keys = np.array(groups)
    lines = []
    for key in sorted(set(groups)):
        rows = keys == key
        y, a, b = labels[rows], ours.predicted[rows], base.predicted[rows]
        lines.append(f"quality_{tag} {tag}={key} n={rows.sum()} pos={y.sum()} recall={_fmt(_recall(y, a))} "
                     f"precision={_fmt(_precision(y, a))} fp={(a & ~y).sum()} fn={(~a & y).sum()} "
                     f"baseline_recall={_fmt(_recall(y, b))} baseline_precision={_fmt(_precision(y, b))}")
    return lines


def error_lines(pairs: list[Pair], cases: list[dict[str, Any]], scores: Scores) -> list[str]:
    wrong = [f"  {pair.describe()}: {value:.2f}" for pair, value, guess in zip(pairs, scores.values, scores.predicted)
             if guess != pair.match]
    missed = [f"  rangering {case['id']} ({case['title']}): forventet {case['expected']} først"
              for case, ok in zip(cases, scores.top1) if not ok]
    return [f"# {len(wrong)} forkert klassificerede par", *wrong, f"# {len(missed)} forkerte rangeringer", *missed]


def main(argv: Sequence[str] = ()) -> None:
    pairs, cases = load_pairs(), load_cases()
    labels = np.array([p.match for p in pairs])
    ours = score_matcher(pairs, cases)
    base = score_baseline(pairs, cases, labels)
    print(summary_line("quality", labels, ours))
    print(summary_line("quality_baseline_rapidfuzz", labels, base) + f" threshold={base.threshold:.2f}")
    for line in group_lines("kind", [p.kind for p in pairs], labels, ours, base):
        print(line)
    if "--families" in argv:
        for line in group_lines("family", [p.family for p in pairs], labels, ours, base):
            print(line)
    if "--errors" in argv:
        for line in error_lines(pairs, cases, ours):
            print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
