"""The governing-body report's section on programmes, chains and indicators."""

from __future__ import annotations

from test_programmes import CODE, ken  # noqa: F401  (the fixture)

from tcmap.results.checks import check_chain
from tcmap.results.summary import render_section, report_section


def test_the_section_counts_programmes_outputs_checks_and_indicators(ken):  # noqa: F811
    with ken.session() as s:
        d = report_section(s, "ilo-spf-2010-15")
        checks = check_chain(s, CODE)["counts"]
    assert d["totals"] == {"programmes": 1, "with_capacity_outputs": 1, "outcomes": 3,
                           "outputs": 5, "outputs_by_level": {
                               "individual": 3, "organizational": 2,
                               "enabling_environment": 0},
                           "activities": 3, "indicators": 2, "values_not_approved": 5}
    assert d["checks"] == checks
    assert [o["code"] for o in d["framework_outcomes"]] == ["O9", "O11", "none"]
    ratio = next(r for r in d["indicators"] if r["code"] == "KEN101-I2")
    assert (ratio["numerator"], ratio["denominator"]) == (9100, 61500)
    assert round(ratio["value"], 2) == 14.80 and len(ratio["behind"]) == 2
    html = render_section(d)
    assert "Country programmes, results chains and capacity indicators" in html
    assert "KEN-2013-16" in html and "14.8 %" in html and "9,100 / 61,500" in html
    assert "2 individual-level outputs that lead to no institutional" in html


def test_an_empty_store_gives_a_short_section(store):
    with store.session() as s:
        d = report_section(s)
    assert d["programmes"] == [] and d["totals"]["programmes"] == 0
    assert "No country programme has been recorded yet" in render_section(d)
