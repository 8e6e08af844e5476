"""Aggregation semantics, with expectations computed by hand: every figure and its values."""

from __future__ import annotations

from datetime import date

import pytest

from tcmap.results.aggregate import Point, breakdown, cell_of, over_nodes, over_periods


def year(y: int, cell: dict | None = None, actual=None, target=None, num=None, den=None,
         pid: int | None = None) -> Point:
    return Point(date(y, 1, 1), date(y, 12, 31), cell_of(cell), actual, target, num, den,
                 id=pid, node="n", approval="approved", source="test")


def test_counts_add_over_periods_and_cells_make_a_period_total():
    pts = [year(2013, {"sex": "female"}, 12, 15, pid=1), year(2013, {"sex": "male"}, 34, 25,
                                                               pid=2),
           year(2014, None, 35, 40, pid=3)]
    f = over_periods(pts, "sum", "sum")
    # 2013: 12 + 34 = 46 from its cells; 2014: 35 given as a total; 46 + 35 = 81.
    assert f.value == 81
    assert f.target == 15 + 25 + 40
    assert sorted(b["id"] for b in f.behind) == [1, 2, 3]
    assert f.ignored == []


def test_a_ratio_of_sums_adds_numerators_and_denominators_and_is_not_averaged():
    # 8/10 = 80 % in 2012 and 45/50 = 90 % in 2013. Pooled: 53/60 = 88.33 %; the mean of
    # the two percentages would be 85 %.
    pts = [year(2012, num=8, den=10, actual=80.0), year(2013, num=45, den=50, actual=90.0)]
    f = over_periods(pts, "ratio", "ratio")
    assert f.numerator == 53 and f.denominator == 60
    assert f.value == pytest.approx(100 * 53 / 60)
    assert f.value != pytest.approx(85.0)


def test_ratios_across_activities_pool_their_parts():
    a = over_periods([year(2012, num=8, den=10), year(2013, num=45, den=50)], "ratio", "ratio")
    b = over_periods([year(2013, num=1, den=40)], "ratio", "ratio")
    total = over_nodes([("A", a), ("B", b)], "ratio")
    # (53 + 1) / (60 + 40) = 54 %, where the mean of 88.33 % and 2.5 % would say 45.4 %.
    assert total.value == pytest.approx(54.0)
    assert (total.numerator, total.denominator) == (54, 100)
    assert len(total.behind) == 3 and total.ignored == []


def test_disaggregated_ratio_cells_pool_into_the_period_total():
    pts = [year(2013, {"sex": "female"}, num=30, den=40), year(2013, {"sex": "male"}, num=10,
                                                                 den=60)]
    f = over_periods(pts, "ratio", "ratio")
    # (30 + 10) / (40 + 60) = 40 %, not the mean of 75 % and 16.7 % (45.8 %).
    assert f.value == pytest.approx(40.0)


def test_a_cumulative_indicator_counts_its_latest_value():
    pts = [year(2011, None, 21, 18, pid=1), year(2012, None, 41, 37, pid=2),
           year(2013, None, 61, 55, pid=3)]
    f = over_periods(pts, "latest", "sum")
    assert f.value == 61 and f.target == 55  # not 21 + 41 + 61 = 123
    assert [b["id"] for b in f.behind] == [3]
    assert sorted(i["id"] for i in f.ignored) == [1, 2]
    assert all("latest" in i["reason"] for i in f.ignored)
    assert f.period_end == date(2013, 12, 31)


def test_mean_and_maximum_of_scores():
    pts = [year(2011, None, 2.0), year(2012, None, 3.0), year(2013, None, 4.5)]
    assert over_periods(pts, "mean", "mean").value == pytest.approx(9.5 / 3)
    f = over_periods(pts, "max", "mean")
    assert f.value == 4.5 and len(f.behind) == 1 and len(f.ignored) == 2


def test_cells_of_a_score_average_into_the_period_total():
    pts = [year(2013, {"core_issue": "leadership"}, 2.0), year(2013, {"core_issue": "policy"},
                                                                4.0)]
    assert over_periods(pts, "latest", "mean").value == 3.0


def test_a_disaggregation_changed_midway_loses_nothing_and_counts_nothing_twice():
    # 2012 was split by sex only; from 2013 by sex and constituent type.
    pts = [year(2012, {"sex": "female"}, 20), year(2012, {"sex": "male"}, 10),
           year(2013, {"sex": "female", "constituent_type": "government"}, 5),
           year(2013, {"sex": "female", "constituent_type": "workers_org"}, 7),
           year(2013, {"sex": "male", "constituent_type": "government"}, 3)]
    assert over_periods(pts, "sum", "sum").value == 30 + 15
    by_sex = breakdown(pts, "sex", "sum", "sum")
    assert {g["category"]: g["figure"]["value"] for g in by_sex["groups"]} == {
        "female": 20 + 5 + 7, "male": 10 + 3}
    assert by_sex["not_broken_down"] is None
    by_type = breakdown(pts, "constituent_type", "sum", "sum")
    assert {g["category"]: g["figure"]["value"] for g in by_type["groups"]} == {
        "government": 8, "workers_org": 7}
    assert by_type["not_broken_down"]["value"] == 30  # 2012, reported by sex only


def test_a_total_given_beside_its_cells_is_what_counts():
    pts = [year(2013, None, 50, pid=1), year(2013, {"sex": "female"}, 20, pid=2),
           year(2013, {"sex": "male"}, 28, pid=3)]
    f = over_periods(pts, "sum", "sum")
    assert f.value == 50
    assert [b["id"] for b in f.behind] == [1]
    assert sorted(i["id"] for i in f.ignored) == [2, 3]


def test_two_breakdowns_of_one_period_use_the_finest_only():
    pts = [year(2013, {"sex": "female"}, 12, pid=1), year(2013, {"sex": "male"}, 3, pid=2),
           year(2013, {"sex": "female", "region": "north"}, 5, pid=3),
           year(2013, {"sex": "female", "region": "south"}, 7, pid=4),
           year(2013, {"sex": "male", "region": "north"}, 3, pid=5)]
    f = over_periods(pts, "sum", "sum")
    assert f.value == 15  # 5 + 7 + 3, not 30
    assert sorted(b["id"] for b in f.behind) == [3, 4, 5]
    assert all("another breakdown" in i["reason"] for i in f.ignored)


def test_values_without_an_actual_are_listed_not_used():
    f = over_periods([year(2013, None, 46, 40, pid=1), year(2014, None, None, 40, pid=2)],
                     "latest", "sum")
    assert f.value == 46 and f.target == 40
    assert f.ignored[0]["id"] == 2 and "target" in f.ignored[0]["reason"]


def test_a_ratio_value_without_its_parts_is_not_used():
    f = over_periods([year(2013, num=1, den=4), year(2014, actual=90.0, pid=9)], "ratio",
                     "ratio")
    assert f.value == 25.0
    assert f.ignored[0]["id"] == 9 and "numerator" in f.ignored[0]["reason"]


def test_sums_means_and_latest_across_activities():
    a = over_periods([year(2012, None, 10), year(2013, None, 20)], "sum", "sum")  # 30
    b = over_periods([year(2013, None, 5)], "sum", "sum")  # 5
    assert over_nodes([("A", a), ("B", b)], "sum").value == 35
    assert over_nodes([("A", a), ("B", b)], "mean").value == 17.5
    assert over_nodes([("A", a), ("B", b)], "max").value == 30
    late = over_periods([year(2014, None, 7)], "latest", "sum")
    f = over_nodes([("A", a), ("C", late)], "latest")
    assert f.value == 7 and len(f.behind) == 1 and len(f.ignored) == 2  # A's two values


def test_none_shows_values_side_by_side():
    f = over_periods([year(2013, None, 12.8), year(2014, None, 15.0)], "none", "none")
    assert f.value is None and len(f.behind) == 2 and f.note
