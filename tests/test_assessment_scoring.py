"""Scoring rules of capacity assessments, against expectations computed by hand.

The small test instrument (tests/data/assessment/instrument-small.yaml) has bands high from
1.5, medium from 0.5; the packaged ones high from 2, medium from 1.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

import pytest

from tcmap.assessment import load_instrument
from tcmap.assessment.scoring import (
    band_of,
    mean,
    priorities,
    question_scores,
    rounded,
    score_assessment,
)

from conftest import DATA

SMALL = DATA / "assessment" / "instrument-small.yaml"
T0 = datetime(2012, 1, 1)


def r(question, score, at=T0, **more):
    return {"question": question, "score": score, "at": at, "verified_score": None,
            "verified_at": None, **more}


@pytest.fixture(scope="module")
def small():
    return load_instrument(SMALL)


def test_a_mean_ignores_na_and_is_none_without_values():
    assert mean([2, None, 3]) == Fraction(5, 2)
    assert mean([None, None]) is None
    assert mean([1, 2, 2]) == Fraction(5, 3)


def test_questions_average_their_raters_and_na_counts_apart(small):
    qs = question_scores(small, [r("ORG-LD-F1-1", 2), r("ORG-LD-F1-1", 3),
                                 r("ORG-LD-F1-2", None)])
    assert qs["ORG-LD-F1-1"] == {"score": Fraction(5, 2), "ratings": 2, "na": 0}
    assert qs["ORG-LD-F1-2"] == {"score": None, "ratings": 1, "na": 1}


def test_cells_cross_sections_and_levels_are_means_of_the_level_below(small):
    scope = small.expand("organizational")
    ratings = [r("ORG-LD-F1-1", 2), r("ORG-LD-F1-1", 3), r("ORG-LD-F1-2", None),
               r("ORG-LD-F5-1", 4), r("ORG-LD-F5-2", 5), r("ORG-KN-F1-1", 1)]
    desired = {"organizational/leadership/engage_stakeholders": 4,
               "organizational/leadership/evaluate": 5,
               "organizational/knowledge/engage_stakeholders": 3,
               "organizational/knowledge/evaluate": 3}
    out = score_assessment(small, scope, ratings, desired)
    cells = {c["cell"]: c for c in out["cells"]}
    # (2+3)/2 = 2.5 for question 1; question 2 only N/A: the cell is 2.5.
    f1 = cells["organizational/leadership/engage_stakeholders"]
    assert (f1["score"], f1["n_scored"], f1["n_na"], f1["n_unrated"]) == (2.5, 1, 1, 0)
    assert (f1["desired"], f1["gap"], f1["band"]) == (4, 1.5, "high")  # 1.5 is high here
    f5 = cells["organizational/leadership/evaluate"]
    assert (f5["score"], f5["gap"], f5["band"]) == (4.5, 0.5, "medium")
    kn1 = cells["organizational/knowledge/engage_stakeholders"]
    assert (kn1["score"], kn1["n_unrated"], kn1["gap"], kn1["band"]) == (1.0, 1, 2.0, "high")
    kn5 = cells["organizational/knowledge/evaluate"]
    assert (kn5["score"], kn5["gap"], kn5["band"]) == (None, None, None)
    crosses = {(x["level"], x["core_issue"]): x for x in out["cross_sections"]}
    # Leadership: mean(2.5, 4.5) = 3.5; desired mean(4, 5) = 4.5; gap mean(1.5, 0.5) = 1.
    assert {k: crosses["organizational", "leadership"][k] for k in
            ("score", "desired", "gap", "band")} == {"score": 3.5, "desired": 4.5, "gap": 1.0,
                                                    "band": "medium"}
    # Knowledge: only one cell scored (1.0); desired mean(3, 3); gap of the scored cell, 2.
    assert {k: crosses["organizational", "knowledge"][k] for k in
            ("score", "desired", "gap", "band")} == {"score": 1.0, "desired": 3.0, "gap": 2.0,
                                                    "band": "high"}
    # The level: mean(3.5, 1.0) = 2.25; desired mean(4.5, 3) = 3.75; gap mean(1, 2) = 1.5.
    assert out["levels"] == [{"level": "organizational", "score": 2.25, "desired": 3.75,
                              "gap": 1.5, "band": "high"}]


def test_thirds_are_rounded_only_for_output(small):
    scope = ["organizational/leadership/evaluate"]
    ratings = [r("ORG-LD-F5-1", 1), r("ORG-LD-F5-1", 2), r("ORG-LD-F5-1", 2)]
    out = score_assessment(small, scope, ratings, {scope[0]: 3})
    # 5/3 = 1.67 and a gap of 4/3 = 1.33, which is medium (below 1.5).
    assert out["cells"][0]["score"] == 1.67
    assert (out["cells"][0]["gap"], out["cells"][0]["band"]) == (1.33, "medium")


def test_bands_are_decided_on_the_exact_gap_not_the_rounded_one(small):
    just_below = Fraction(1499, 1000)
    assert rounded(just_below) == 1.5
    assert band_of(just_below, small.bands).code == "medium"
    assert band_of(Fraction(3, 2), small.bands).code == "high"


@pytest.mark.parametrize(("gap", "band"), [(3, "high"), (2, "high"), (Fraction(199, 100), "medium"),
                                           (1, "medium"), (Fraction(99, 100), "low"), (0, "low"),
                                           (-1, "low"), (None, None)])
def test_default_bands_high_from_2_medium_from_1_low_below(gap, band):
    b = band_of(gap, load_instrument("undp-2008").bands)
    assert (b.code if b else None) == band


def test_priorities_list_the_largest_gaps_of_the_highest_band_first(small):
    rows = [{"cell": "a", "gap": 0.5, "band": "medium"}, {"cell": "b", "gap": 2.5, "band": "high"},
            {"cell": "c", "gap": None, "band": None}, {"cell": "d", "gap": 1.5, "band": "high"}]
    assert [p["cell"] for p in priorities(rows, small.bands)] == ["b", "d", "a"]


def test_a_consensus_counts_once_and_a_verified_score_replaces_it():
    oca = load_instrument("oca")
    later = datetime(2012, 2, 1)
    qs = question_scores(oca, [r("ORG-GOV-1", 4), r("ORG-GOV-1", 3, at=later),
                               r("ORG-GOV-2", 4, verified_score=2, verified_at=later),
                               r("ORG-FIN-1", 3, verified_score=None, verified_at=later)])
    assert qs["ORG-GOV-1"]["score"] == 3  # the latest consensus, not the mean 3.5
    assert qs["ORG-GOV-2"]["score"] == 2  # the verifier corrected 4 to 2
    assert qs["ORG-FIN-1"]["score"] is None  # verified as not applicable
    out = score_assessment(oca, ["organizational/governance"], [
        r("ORG-GOV-1", 3), r("ORG-GOV-2", 4, verified_score=2, verified_at=later)],
        {"organizational/governance": 4})
    # No functional capacities: the domain is the cell; mean(3, 2) = 2.5, gap 1.5.
    assert out["cross_sections"] == []
    assert {k: out["cells"][0][k] for k in ("score", "gap", "band")} == {
        "score": 2.5, "gap": 1.5, "band": "medium"}
