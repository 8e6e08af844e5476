"""IATI results of linked activities become indicators on their chain nodes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from test_programmes import CODE, ken  # noqa: F401  (the fixture)

from tcmap.results.iati import indicators_from_iati
from tcmap.results.indicators import edit_indicator
from tcmap.results.values import indicator_figure
from tcmap.store.programme import CapacityIndicator

ACT = "XM-DAC-41302-101895-378077-2013-KEN101"


def test_iati_results_become_indicators_with_their_values(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        d = indicators_from_iati(s, CODE, "ana")
    assert (d["activities"], d["indicators_added"], d["values_created"],
            d["values_skipped"]) == (3, 3, 4, 1)
    assert sorted(p["code"] for p in d["problems"]) == [
        "iati-period-missing", "iati-training-count-reclassified", "iati-value-not-numeric"]
    with ken.session() as s:
        inds = {i.source: i for i in s.scalars(select(CapacityIndicator).where(
            CapacityIndicator.source.like("iati:%")))}
        trained, outcome_count, share = (inds[f"iati:{ACT}#{n}"] for n in ("1.1", "2.1",
                                                                          "2.2"))
        assert (trained.result_level, trained.measure, trained.across_periods) == (
            "output", "count", "latest")
        assert outcome_count.result_level == "output"  # an outcome that counted trainees
        assert (share.measure, share.across_activities, share.baseline,
                share.baseline_date) == ("percent", "none", 4.0, date(2012, 1, 1))
        f = indicator_figure(s, trained.id)
    # 2014's actual was published as 'about 35': kept as a comment, not as a number.
    assert f["figure"]["value"] == 46 and f["figure"]["target"] == 40
    v2014 = next(v for v in f["values"] if v["period_start"] == "2014-01-01")
    assert v2014["actual"] is None and "about 35" in v2014["comment"]
    assert v2014["approval"] == "submitted" and v2014["source"] == f"iati:{ACT}"
    assert f["node"]["ref"] == f"activity:{ACT}"


def test_running_it_again_keeps_a_person_s_edits(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        indicators_from_iati(s, CODE, "ana")
        code = s.scalar(select(CapacityIndicator.code).where(
            CapacityIndicator.source == f"iati:{ACT}#1.1"))
        edit_indicator(s, code, {"across_periods": "sum"}, "ana")
    with ken.session() as s, s.begin():
        d = indicators_from_iati(s, CODE, "ana")
    assert (d["indicators_added"], d["indicators_kept"], d["values_created"],
            d["values_unchanged"]) == (0, 3, 0, 4)
    with ken.session() as s:
        assert indicator_figure(s, code)["across_periods"] == "sum"
