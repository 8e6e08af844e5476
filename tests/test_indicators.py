"""Capacity indicators: the library, the rules, values and approval, figures from the store."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from test_programmes import CODE, ken  # noqa: F401  (the fixture)

from tcmap.errors import ConflictError, InputError, ReviewError
from tcmap.results.indicators import add_indicator, change_disaggregations, edit_indicator
from tcmap.results.reference import indicator_library, learning_outcomes, library_listing
from tcmap.results.values import (
    indicator_figure,
    library_figures,
    record_value,
    set_approval,
    values_from_assessment,
)
from tcmap.store.programme import IndicatorValue, ResultsEvent

Y13, Y13E, Y14, Y14E = date(2013, 1, 1), date(2013, 12, 31), date(2014, 1, 1), date(2014, 12, 31)


def test_the_library_covers_every_level_and_declares_its_rules():
    lib = indicator_library()
    assert len(lib) >= 20
    assert {e["capacity_level"] for e in lib.values()} == {
        "individual", "organizational", "enabling_environment"}
    assert {e["result_level"] for e in lib.values()} == {
        "output", "intermediate_outcome", "outcome", "impact"}
    for e in lib.values():
        assert e["across_periods"] and e["across_activities"] and e["means_of_verification"]
        assert e["definition"] and e["unit"] and e["direction"] in ("increase", "decrease")
        if e["counts_people_trained"]:
            assert e["result_level"] == "output"
    assert list(learning_outcomes()) == [
        "raised_awareness", "enhanced_skills", "improved_consensus_teamwork",
        "stronger_coalitions_networks", "policy_strategy_formulated",
        "strategy_plan_implemented"]
    assert all(e["capacity_level"] == "individual"
               for e in library_listing("individual")["indicators"])


def test_an_outcome_indicator_cannot_be_a_count_of_people_trained(ken):  # noqa: F811
    with ken.session() as s, s.begin(), pytest.raises(InputError) as err:
        add_indicator(s, CODE, "KEN101", "ana", title="Number of inspectors trained",
                      result_level="outcome", measure="count", across_periods="sum",
                      across_activities="sum")
    assert err.value.code == "indicator-rule-broken" and "count of people trained" in str(
        err.value)
    with ken.session() as s, s.begin(), pytest.raises(InputError):
        add_indicator(s, CODE, "KEN101", "ana", library="IND-OUT-TRAINED",
                      result_level="outcome")
    with ken.session() as s, s.begin():  # at output level it is what it is: fine
        assert add_indicator(s, CODE, "KEN102.1", "ana", library="IND-OUT-TRAINED")["code"]


def test_a_ratio_may_not_be_averaged_nor_added(ken):  # noqa: F811
    for rule in ("mean", "sum"):
        with ken.session() as s, s.begin(), pytest.raises(InputError) as err:
            add_indicator(s, CODE, "KEN101", "ana", library="ORG-OC-INSPECTION",
                          across_activities=rule)
        assert "ratio" in str(err.value)
    with ken.session() as s, s.begin(), pytest.raises(InputError):
        edit_indicator(s, "KEN101-I2", {"across_periods": "mean"}, "ana")


def test_an_individual_outcome_indicator_measures_behaviour(ken):  # noqa: F811
    with ken.session() as s, s.begin(), pytest.raises(InputError) as err:
        add_indicator(s, CODE, "KEN101.1", "ana", title="Satisfaction with the course",
                      result_level="outcome", measure="scale", across_periods="latest",
                      across_activities="mean", kirkpatrick_level=1)
    assert "Kirkpatrick" in str(err.value)


def test_a_ratio_value_keeps_its_numerator_and_denominator(ken):  # noqa: F811
    with ken.session() as s, s.begin(), pytest.raises(InputError) as err:
        record_value(s, "KEN101-I2", "ana", date(2015, 1, 1), date(2015, 12, 31), actual=20)
    assert err.value.code == "ratio-needs-parts"
    with ken.session() as s, s.begin():
        v = record_value(s, "KEN101-I2", "ana", date(2015, 1, 1), date(2015, 12, 31),
                         numerator=6000, denominator=32000, evidence="Annual report 2015")
    assert v["actual"] == pytest.approx(18.75) and v["change"] == "created"
    with ken.session() as s:
        f = indicator_figure(s, "KEN101-I2")["figure"]
    # (3,900 + 5,200 + 6,000) / (30,500 + 31,000 + 32,000)
    assert (f["numerator"], f["denominator"]) == (15100, 93500)
    assert f["value"] == pytest.approx(100 * 15100 / 93500, abs=1e-6)


def test_values_need_a_period_that_does_not_overlap(ken):  # noqa: F811
    with ken.session() as s, s.begin(), pytest.raises(InputError) as err:
        record_value(s, "KEN101-I1", "ana", None, None, actual=4)
    assert err.value.code == "actual-without-period"
    with ken.session() as s, s.begin(), pytest.raises(InputError) as err:
        record_value(s, "KEN101-I1", "ana", date(2014, 7, 1), date(2015, 6, 30), actual=4)
    assert err.value.code == "indicator-period-overlap"
    # The same dates in another cell, or the very same period and cell, are fine.
    with ken.session() as s, s.begin():
        record_value(s, "KEN101-I1", "ana", date(2014, 7, 1), date(2015, 6, 30),
                     {"sex": "female"}, actual=4)
        assert record_value(s, "KEN101-I1", "ana", Y14, Y14E, actual=36)["change"] == "updated"


def test_approval_moves_by_the_rules_and_a_changed_value_needs_approving_again(ken):  # noqa: F811
    with ken.session() as s:
        vid = s.scalar(select(IndicatorValue.id).where(IndicatorValue.cell == "",
                                                       IndicatorValue.period_start == Y14))
    with ken.session() as s, s.begin(), pytest.raises(ReviewError):
        set_approval(s, vid, "approved", "ana")  # draft must be submitted first
    with ken.session() as s, s.begin():
        set_approval(s, vid, "submitted", "ana")
    with ken.session() as s, s.begin(), pytest.raises(ReviewError):
        set_approval(s, vid, "returned", "vera")  # a return needs its reason
    with ken.session() as s, s.begin():
        d = set_approval(s, vid, "approved", "vera")
    assert d["approval"] == "approved" and d["approved_by"] == "vera"
    with ken.session() as s, s.begin(), pytest.raises(ConflictError):
        record_value(s, "KEN101-I1", "ana", Y14, Y14E, actual=37, expected_version=1)
    with ken.session() as s, s.begin():
        d = record_value(s, "KEN101-I1", "ana", Y14, Y14E, actual=37)
    assert d["approval"] == "submitted" and d["approved_by"] is None
    with ken.session() as s:
        assert indicator_figure(s, "KEN101-I1", ("approved",))["figure"]["value"] is None
        acts = [e.action for e in s.scalars(select(ResultsEvent).where(
            ResultsEvent.entity == "indicator_value", ResultsEvent.entity_id == vid))]
    assert acts == ["added", "submitted", "approved", "edited"]


def test_a_disaggregation_added_after_data_exist_keeps_every_value(ken):  # noqa: F811
    with ken.session() as s:
        n = s.scalar(select(func.count(IndicatorValue.id)))
        before = indicator_figure(s, "KEN101-I1")["figure"]["value"]
    with ken.session() as s, s.begin():
        d = change_disaggregations(s, "KEN101-I1", ["sex", "constituent_type"], "ana")
        record_value(s, "KEN101-I1", "ana", date(2015, 1, 1), date(2015, 12, 31),
                     {"sex": "female", "constituent_type": "government"}, actual=5)
        record_value(s, "KEN101-I1", "ana", date(2015, 1, 1), date(2015, 12, 31),
                     {"sex": "male", "constituent_type": "workers_org"}, actual=3)
    assert d["values_kept"] == 3 and d["values_rewritten"] == 0  # KEN101-I1 has three
    with ken.session() as s:
        f = indicator_figure(s, "KEN101-I1")
        assert s.scalar(select(func.count(IndicatorValue.id))) == n + 2
    assert before == 81 and f["figure"]["value"] == 81 + 8
    by = {b["dimension"]: b for b in f["breakdowns"]}
    assert {g["category"]: g["figure"]["value"] for g in by["sex"]["groups"]} == {
        "female": 12 + 5, "male": 34 + 3}
    assert by["sex"]["not_broken_down"]["value"] == 35  # 2014, a total only
    assert {g["category"]: g["figure"]["value"] for g in by["constituent_type"]["groups"]} == {
        "government": 5, "workers_org": 3}


def test_renaming_a_dimension_rewrites_the_values_and_keeps_them(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        d = change_disaggregations(s, "KEN101-I1", ["gender"], "ana", rename={"sex": "gender"},
                                   recode={"gender": {"female": "women", "male": "men"}})
    assert d["values_rewritten"] == 2 and d["disaggregations"] == ["gender"]
    with ken.session() as s:
        f = indicator_figure(s, "KEN101-I1")
    (b,) = f["breakdowns"]
    assert {g["category"]: g["figure"]["value"] for g in b["groups"]} == {"women": 12,
                                                                          "men": 34}
    assert f["figure"]["value"] == 81
    # Recoding two categories into one would merge two cells of the same period: refused.
    with ken.session() as s, s.begin(), pytest.raises(ReviewError):
        change_disaggregations(s, "KEN101-I1", ["gender"], "ana",
                               recode={"gender": {"women": "all", "men": "all"}})


def test_assessment_round_changes_become_actuals(ken):  # noqa: F811
    changes = [
        {"assessment": 7, "baseline": 3, "constituent": "Ministry of Labour",
         "constituent_type": "government", "country": "KE", "level": "organizational",
         "core_issue": "leadership", "functional_capacity": None, "before": 2, "after": 3,
         "change": 1, "from_round": 1, "to_round": 2, "date": "2014-06-30"},
        {"assessment": 7, "baseline": 3, "constituent": "Ministry of Labour",
         "constituent_type": "government", "country": "KE", "level": "organizational",
         "core_issue": "accountability", "functional_capacity": None, "before": 1,
         "after": 3, "change": 2, "from_round": 1, "to_round": 2, "date": "2014-06-30"},
    ]
    unrated = {**changes[0], "core_issue": "knowledge", "before": None, "change": None}
    with ken.session() as s, s.begin():
        ind = add_indicator(s, CODE, "KEN101", "ana", library="ORG-OC-CAPACITY-SCORE",
                            code="KEN101-CS")
        d = values_from_assessment(s, ind["id"], changes, "ana")
        assert values_from_assessment(s, ind["id"], [unrated], "ana", use="change")[
            "skipped"] == 1
    assert d["recorded"] == 2 and d["skipped"] == 0
    v = d["values"][0]
    assert (v["period_start"], v["period_end"]) == ("2014-06-30", "2014-06-30")
    assert v["disaggregation"] == {"level": "organizational", "core_issue": "leadership",
                                   "constituent": "Ministry of Labour"}
    assert v["source"] == "assessment:7" and v["approval"] == "submitted"
    assert v["actual"] == 3 and "2 → 3" in v["evidence"]
    with ken.session() as s:
        f = indicator_figure(s, "KEN101-CS")
    assert f["figure"]["value"] == 3.0  # the mean of the cells 3 and 3
    assert "constituent" in f["disaggregations"]
    with ken.session() as s, s.begin():
        d = values_from_assessment(s, "KEN101-CS", changes, "ana", use="change")
    with ken.session() as s:
        assert indicator_figure(s, "KEN101-CS")["figure"]["value"] == 1.5  # (1 + 2) / 2
    with ken.session() as s, s.begin(), pytest.raises(ReviewError):
        values_from_assessment(s, "KEN101-I2", changes, "ana")  # a ratio indicator


def test_a_library_indicator_pools_across_the_activities_that_carry_it(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        for node, code, parts in (("KEN101.1", "A", [(8, 10), (45, 50)]),
                                  ("KEN102.1", "B", [(1, 40)])):
            add_indicator(s, CODE, node, "ana", library="IND-ICO-APPLICATION", code=code)
            for i, (num, den) in enumerate(parts):
                record_value(s, code, "ana", date(2013 + i, 1, 1), date(2013 + i, 12, 31),
                             numerator=num, denominator=den)
    with ken.session() as s:
        (g,) = [x for x in library_figures(s) if x["library_code"] == "IND-ICO-APPLICATION"]
    assert g["carried_by"] == 2 and g["across_activities"] == "ratio"
    assert g["figure"]["value"] == pytest.approx(54.0)  # (8+45+1) / (10+50+40)
    assert len(g["figure"]["behind"]) == 3
