"""Scoring rules: weighted means that ignore N/A, and a clearance no average can hide."""

from __future__ import annotations

import pytest

from tcmap.appraisal.checklist import load_checklist
from tcmap.appraisal.scoring import agreement, parse_score, score
from tcmap.errors import ReviewError

from conftest import DATA

CUSTOM = str(DATA / "appraisal" / "checklist-custom.yaml")


def test_section_and_overall_scores_are_weighted_means_without_na():
    checklist = load_checklist(CUSTOM)
    # A: a1=3 (w1), a2=N/A (w2)  -> 3.0, the N/A criterion's weight left out.
    # B: b1=2 (w1), b2=1 (w1), b3=3 (w2) -> (2 + 1 + 6) / 4 = 2.25.
    # Overall: sections weighted 1 and 3 -> (3.0 + 3 * 2.25) / 4 = 2.4375.
    result = score(checklist, {"a1": 3, "a2": "na", "b1": 2, "b2": 1, "b3": 3})
    assert [s["score"] for s in result["sections"]] == [3.0, 2.25]
    assert result["sections"][0]["not_applicable"] == 1
    assert result["overall"] == 2.4375
    assert result["overall_percent"] == 81.2
    assert result["clearable"] is True and result["failing_mandatory"] == []


def test_a_failing_mandatory_criterion_blocks_clearance_however_high_the_mean():
    checklist = load_checklist(CUSTOM)
    # Everything strong but the mandatory b1 weak: mean (3 + 3*(1+3+6)/4) / 4 = 2.625.
    result = score(checklist, {"a1": 3, "a2": 3, "b1": 1, "b2": 3, "b3": 3})
    assert result["overall"] == 2.625
    assert result["clearable"] is False
    assert [f["criterion"] for f in result["failing_mandatory"]] == ["b1"]
    assert result["failing_mandatory"][0]["score"] == 1


def test_an_unrated_mandatory_criterion_blocks_clearance_and_an_empty_section_is_skipped():
    checklist = load_checklist(CUSTOM)
    result = score(checklist, {"a1": 2})
    assert result["sections"][1]["score"] is None
    assert result["overall"] == 2.0
    assert result["unrated_mandatory"] == ["b1"] and not result["clearable"]
    assert score(checklist, {})["overall"] is None


def test_scores_outside_0_to_3_and_na_on_a_mandatory_criterion_are_refused_with_a_hint():
    assert parse_score("2") == 2 and parse_score(" NA ") == "na" and parse_score(0) == 0
    for bad in ("4", "-1", "2.5", "high", "", None):
        with pytest.raises(ReviewError) as exc:
            parse_score(bad, criterion="capacity-outputs")
        assert "0 (absent)" in exc.value.hint
    with pytest.raises(ReviewError, match="cannot be N/A"):
        parse_score("na", na_allowed=False, criterion="capacity-outputs")


def test_agreement_counts_exact_and_within_one_and_na_only_with_na():
    result = agreement([(3, 3), (2, 3), (0, 2), ("na", "na"), ("na", 0), (None, 1)])
    assert result == {"pairs": 6, "exact": 2, "within_one": 3, "exact_share": 0.3333,
                      "within_one_share": 0.5}
