"""Coverage matrices and currency conversion, checked against hand-computed figures.

The frame (built below, no database):

    id    outcomes  modalities                        cd   countries     years      budget lines
    XM-1  O2, O1    training, policy_advice           yes  GH 60, MZ 40  2012-2014  EUR 1000 @2012,
                                                                                    EUR 500 @2014
    XM-2  O1        training                          yes  GH (no %)     2012       USD 2000 @2012,
                                                                                    USD 50 @2011
    XM-3  O11       institution_building              no   LK, GH        2013-2014  CHF 300 @2013,
                                                           (no %)                   100 @2014 with
                                                                                    no currency
    XM-4  O1, O11   training, institution_building    yes  (none)        2014       GBP 400 @2014
    XM-5  (none)    training                          yes  GH            2012       (none)
    XM-6  O2, O99   (none)                            yes  GH            2012       (none)

tests/data/rates.csv (into USD): EUR 2012 1.30, EUR 2015 1.10, CHF 2013 1.05, USD 2013 1 (the
reporting currency, allowed at 1). No GBP. So, converted:
    XM-1: 1000 * 1.30 (2012) + 500 * 1.10 (2014 -> nearest 2015) = 1300 + 550 = 1850
    XM-2: 2000 + 50 (USD is the reporting currency, rate 1)           = 2050
    XM-3: 300 * 1.05 = 315; the line without a currency is unconverted
    XM-4: GBP has no rate: 0, one unconverted line
"""

from __future__ import annotations

import json

import pytest

from tcmap.analysis.coverage import coverage
from tcmap.analysis.frame import MappedActivity, Money
from tcmap.analysis.money import Rates, load_rates
from tcmap.errors import ConfigError, InputError
from tcmap.taxonomy import load_framework

from conftest import DATA


def activity(n, outcomes=(), modalities=(), cd=True, countries=(), years=(None, None),
             budgets=()):
    """A MappedActivity XM-n with the tags, places, years and budget lines given."""
    return MappedActivity(
        id=n, identifier=f"XM-{n}", title=f"Activity {n}", publisher="XM-DAC-41302",
        countries=list(countries), start_year=years[0], end_year=years[1],
        budgets=[Money(v, c, y) for v, c, y in budgets], world_of_work=True,
        capacity_development=cd, outcomes=list(outcomes), modalities=set(modalities))


def make_frame():
    return [
        activity(1, ["O2", "O1"], ["training", "policy_advice"], True, [("GH", 60), ("MZ", 40)],
                 (2012, 2014), [(1000, "EUR", 2012), (500, "EUR", 2014)]),
        activity(2, ["O1"], ["training"], True, [("GH", None)], (2012, 2012),
                 [(2000, "USD", 2012), (50, "USD", 2011)]),
        activity(3, ["O11"], ["institution_building"], False, [("LK", None), ("GH", None)],
                 (2013, 2014), [(300, "CHF", 2013), (100, None, 2014)]),
        activity(4, ["O1", "O11"], ["training", "institution_building"], True, [], (2014, None),
                 [(400, "GBP", 2014)]),
        activity(5, [], ["training"], True, [("GH", None)], (2012, None)),
        activity(6, ["O2", "O99"], [], True, [("GH", None)], (2012, None)),
    ]


@pytest.fixture(scope="module")
def framework():
    return load_framework()


@pytest.fixture(scope="module")
def rates():
    return load_rates(DATA / "rates.csv")


def cell(matrix, row, col):
    return next(c for c in matrix["cells"] if c["row"] == row and c["col"] == col)


def row_total(matrix, row):
    return next(t for t in matrix["row_totals"] if t["row"] == row)


def col_total(matrix, col):
    return next(t for t in matrix["col_totals"] if t["col"] == col)


def matrix_of(result, group):
    return next(m for m in result["matrices"] if m["group"] == group)


# --- rates ---------------------------------------------------------------------------------


def test_rates_file_loads_into_reporting_currency(rates):
    # The USD line is the reporting currency's own rate (1): allowed, not stored.
    assert rates.reporting == "USD"
    assert rates.table == {"EUR": {2012: 1.30, 2015: 1.10}, "CHF": {2013: 1.05}}


def test_convert_uses_own_year_else_nearest_else_none(rates):
    assert rates.convert(Money(1000, "EUR", 2012)) == pytest.approx(1300)  # exact year
    assert rates.convert(Money(500, "EUR", 2014)) == pytest.approx(550)  # 2015 is nearest
    assert rates.convert(Money(100, "eur", 2009)) == pytest.approx(130)  # 2012 is nearest
    assert rates.convert(Money(100, "EUR", None)) == pytest.approx(110)  # no year: latest
    assert rates.convert(Money(70, "USD", 1999)) == 70  # reporting currency: 1
    assert rates.convert(Money(400, "GBP", 2014)) is None  # no GBP rate
    assert rates.convert(Money(100, None, 2014)) is None  # no currency


def test_nearest_year_tie_takes_the_earlier_year():
    r = Rates("USD", {"EUR": {2010: 1.0, 2012: 2.0}})
    assert r.lookup("EUR", 2011).rate_year == 2010
    assert r.convert(Money(10, "EUR", 2011)) == 10  # 10 * 1.0


def test_malformed_rates_file_raises_input_error_with_line():
    with pytest.raises(InputError) as err:
        load_rates(DATA / "rates-bad.csv")
    e = err.value
    # Line 3 is CHF,2013,-1.05: a rate must be positive.
    assert e.code == "bad-rate-line"
    assert e.context["line"] == 3 and e.context["field"] == "rate"
    assert e.context["file"].endswith("rates-bad.csv")
    assert "line 3" in e.message and e.hint
    assert e.to_problem().to_dict()["value"] == "-1.05"


@pytest.mark.parametrize("text, line, what", [
    ("currency,year,rate\nEUR,2012,abc\n", 2, "rate"),
    ("currency,year,rate\nEUR,12,1.3\n", 2, "year"),
    ("currency,year,rate\nEUR,2012,1.3\nEURO,2013,1.2\n", 3, "currency"),
    ("currency,year,rte\nEUR,2012,1.3\n", 1, "rte"),
    ("currency;year;rate\nEUR;2012;1.3\n", 1, "currency;year;rate"),
    ("currency,year,rate\nEUR,2012,1.3\nEUR,2012,1.4\n", 3, "line 2"),
    ("currency,year,rate\nUSD,2012,1.2\n", 2, "reporting currency"),
])
def test_each_malformed_line_names_its_line(tmp_path, text, line, what):
    path = tmp_path / "rates.csv"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_rates(path)
    assert err.value.context["line"] == line
    assert what in err.value.message


def test_missing_rates_file_is_file_not_found(tmp_path):
    with pytest.raises(InputError) as err:
        load_rates(tmp_path / "nope.csv")
    assert err.value.code == "file-not-found"


# --- the matrix ----------------------------------------------------------------------------


def test_cell_counts_each_activity_once_and_lists_them(framework):
    m = coverage(make_frame(), framework)["matrices"][0]
    # O1 x training: XM-1 (O1 is its second outcome), XM-2, XM-4.
    c = cell(m, "O1", "training")
    assert c["count"] == 3
    assert c["activities"] == ["XM-1", "XM-2", "XM-4"]
    assert c["with_budget"] == 3
    # O11 x institution_building: XM-3, XM-4.
    assert cell(m, "O11", "institution_building")["activities"] == ["XM-3", "XM-4"]
    assert cell(m, "O2", "policy_advice")["activities"] == ["XM-1"]


def test_row_column_and_grand_totals_count_distinct_activities(framework):
    r = coverage(make_frame(), framework)
    m = r["matrices"][0]
    # O1 row: XM-1, XM-2, XM-4 (three cells hold 3 + 1 + 1 = 5 entries, 3 distinct).
    assert row_total(m, "O1")["count"] == 3
    assert row_total(m, "O2")["activities"] == ["XM-1"]
    assert row_total(m, "O11")["activities"] == ["XM-3", "XM-4"]
    assert col_total(m, "training")["activities"] == ["XM-1", "XM-2", "XM-4"]
    assert col_total(m, "institution_building")["count"] == 2
    assert m["total"]["activities"] == ["XM-1", "XM-2", "XM-3", "XM-4"]
    # Cell counts add up to 10 (3+1+1+1+1+2+1): not additive, as the notes say.
    assert sum(c["count"] for c in m["cells"]) == 10
    assert any("not additive" in n for n in r["notes"])
    # XM-5 has no outcome, XM-6 no modality.
    assert r["activities"] == {"considered": 6, "in_matrix": 4, "without_row_code": 1,
                               "without_col_code": 1}
    assert r["left_out"] == {"without_row_code": ["XM-5"], "without_col_code": ["XM-6"]}


def test_every_cell_is_present_in_framework_order(framework):
    r = coverage(make_frame(), framework)
    m = r["matrices"][0]
    assert len(m["cells"]) == 19 * 20  # 19 outcomes x 20 modalities
    assert [x["code"] for x in r["rows"]][:4] == ["O1", "O2", "O3", "O4"]
    assert r["rows"][0]["group"] == "EMP" and r["rows"][10]["group"] == "SD"
    assert r["row_groups"][0] == {"code": "EMP", "title": "Employment",
                                  "rows": ["O1", "O2", "O3"]}
    assert r["cols"][0] == {"code": "training", "title": framework.dimension(
        "modalities").codes["training"].title}
    empty = cell(m, "O3", "training")
    assert empty["count"] == 0 and empty["activities"] == [] and empty["amounts"] == {}
    assert (m["cells"][0]["row"], m["cells"][0]["col"]) == ("O1", "training")


def test_unknown_code_is_a_problem_not_an_error(framework):
    r = coverage(make_frame(), framework)
    p = next(p for p in r["problems"] if p["code"] == "unknown-taxonomy-code")
    assert p["value"] == "O99" and p["activity"] == "XM-6" and p["field"] == "outcomes"


def test_amounts_per_currency_without_rates(framework):
    r = coverage(make_frame(), framework)
    m = r["matrices"][0]
    assert r["converted"] is False and r["reporting"] is None
    assert r["currencies"] == ["CHF", "EUR", "GBP", "USD"]
    # O1 x training: XM-1 EUR 1000 + 500, XM-2 USD 2000 + 50, XM-4 GBP 400.
    assert cell(m, "O1", "training")["amounts"] == {"EUR": 1500, "GBP": 400, "USD": 2050}
    # O11 x institution_building: XM-3 CHF 300 (+ a line without currency), XM-4 GBP 400.
    c = cell(m, "O11", "institution_building")
    assert c["amounts"] == {"CHF": 300, "GBP": 400} and c["no_currency"] == 1
    # Grand total: each activity's budget once.
    assert m["total"]["amounts"] == {"CHF": 300, "EUR": 1500, "GBP": 400, "USD": 2050}
    assert r["money"]["no_currency"] == {"lines": 1, "activities": ["XM-3"]}
    assert any("per currency" in n for n in r["notes"])


def test_converted_amounts_with_rates(framework, rates):
    r = coverage(make_frame(), framework, rates=rates)
    m = r["matrices"][0]
    assert r["converted"] is True and r["reporting"] == "USD"
    # O1 x training: XM-1 1850 + XM-2 2050 + XM-4 (GBP, no rate) 0 = 3900; 1 line unconverted.
    c = cell(m, "O1", "training")
    assert c["amount"] == 3900 and c["unconverted"] == 1
    # O11 x institution_building: XM-3 315 (+ no-currency line) + XM-4 0; 2 lines unconverted.
    c = cell(m, "O11", "institution_building")
    assert c["amount"] == 315 and c["unconverted"] == 2
    # O1 row: XM-1, XM-2, XM-4 once each = 3900. Grand total: 1850 + 2050 + 315 = 4215.
    assert row_total(m, "O1")["amount"] == 3900
    assert m["total"]["amount"] == 4215 and m["total"]["unconverted"] == 2
    money = r["money"]
    assert money["missing_rates"] == [{"currency": "GBP", "lines": 1, "activities": ["XM-4"]}]
    # The EUR 2014 line used the 2015 rate: traceable.
    assert {"currency": "EUR", "year": 2014, "rate_year": 2015, "rate": 1.10,
            "lines": 1} in money["rates_used"]
    assert len(money["rates_used"]) == 5  # EUR 2012, EUR 2014, CHF 2013, USD 2011, USD 2012
    assert any(p["code"] == "missing-rate" and p["value"] == "GBP" for p in r["problems"])
    assert any("1 budget lines were converted at the rate of another year" in n
               for n in r["notes"])


def test_by_country_splits_budgets_by_percentages(framework):
    r = coverage(make_frame(), framework, by="country")
    assert [m["group"] for m in r["matrices"]] == ["GH", "LK", "MZ"]
    gh, lk, mz = (matrix_of(r, g) for g in ("GH", "LK", "MZ"))
    # GH: XM-1 at 60% (EUR 1500 * 0.6 = 900), XM-2 at 100% (only country, no percentage).
    c = cell(gh, "O1", "training")
    assert c["activities"] == ["XM-1", "XM-2"]
    assert c["amounts"] == {"EUR": 900, "USD": 2050}
    # MZ: XM-1 at 40%: EUR 600.
    assert cell(mz, "O1", "training")["amounts"] == {"EUR": 600}
    # XM-3 has LK and GH without percentages: equal shares, CHF 300 / 2 = 150 each.
    assert cell(gh, "O11", "institution_building")["amounts"] == {"CHF": 150}
    assert cell(lk, "O11", "institution_building")["amounts"] == {"CHF": 150}
    assert gh["total"]["activities"] == ["XM-1", "XM-2", "XM-3"]
    # XM-4 has no recipient country.
    assert r["left_out"]["without_group"] == ["XM-4"]
    assert r["activities"]["without_group"] == 1


def test_by_country_with_rates_splits_converted_amounts(framework, rates):
    r = coverage(make_frame(), framework, by="country", rates=rates)
    # GH O1 x training: XM-1 1850 * 0.6 = 1110, XM-2 2050: 3160. MZ: 1850 * 0.4 = 740.
    assert cell(matrix_of(r, "GH"), "O1", "training")["amount"] == 3160
    assert cell(matrix_of(r, "MZ"), "O1", "training")["amount"] == 740


def test_by_year_counts_every_running_year_with_that_years_budget(framework):
    r = coverage(make_frame(), framework, by="year")
    assert [m["group"] for m in r["matrices"]] == [2012, 2013, 2014]
    y12, y13, y14 = (matrix_of(r, y) for y in (2012, 2013, 2014))
    # 2012: XM-1 EUR 1000, XM-2 USD 2000 (its 2011 line is outside 2012-2012).
    assert cell(y12, "O1", "training")["amounts"] == {"EUR": 1000, "USD": 2000}
    # 2013: XM-1 runs but has no 2013 line; XM-3 CHF 300.
    c = cell(y13, "O1", "training")
    assert c["activities"] == ["XM-1"] and c["amounts"] == {} and c["with_budget"] == 0
    assert cell(y13, "O11", "institution_building")["amounts"] == {"CHF": 300}
    # 2014: XM-1 EUR 500, XM-4 GBP 400; XM-3 and XM-4 in O11 (XM-3's 2014 line: no currency).
    assert cell(y14, "O1", "training")["amounts"] == {"EUR": 500, "GBP": 400}
    c = cell(y14, "O11", "institution_building")
    assert c["activities"] == ["XM-3", "XM-4"]
    assert c["amounts"] == {"GBP": 400} and c["no_currency"] == 1
    assert r["money"]["outside_years"] == {"lines": 1, "activities": ["XM-2"]}


def test_only_capacity_leaves_out_other_activities(framework):
    r = coverage(make_frame(), framework, only_capacity=True)
    m = r["matrices"][0]
    # XM-3 is not capacity development: O11 x institution_building keeps XM-4 only.
    assert cell(m, "O11", "institution_building")["activities"] == ["XM-4"]
    assert row_total(m, "O11")["count"] == 1
    assert m["total"]["count"] == 3
    assert r["left_out"]["not_capacity_development"] == ["XM-3"]
    assert r["activities"]["considered"] == 5


def test_primary_only_uses_the_first_outcome(framework):
    m = coverage(make_frame(), framework, primary_only=True)["matrices"][0]
    # Primary outcomes: XM-1 O2, XM-2 O1, XM-3 O11, XM-4 O1.
    assert cell(m, "O1", "training")["activities"] == ["XM-2", "XM-4"]
    assert cell(m, "O2", "training")["activities"] == ["XM-1"]
    assert cell(m, "O1", "policy_advice")["count"] == 0
    assert cell(m, "O11", "institution_building")["activities"] == ["XM-3"]
    assert cell(m, "O1", "institution_building")["activities"] == ["XM-4"]


def test_other_dimensions_cross_too(framework):
    frame = make_frame()
    frame[0].target_groups = {"government", "workers_org"}
    frame[1].target_groups = {"government"}
    r = coverage(frame, framework, rows="modalities", cols="target_groups")
    m = r["matrices"][0]
    # training x government: XM-1, XM-2; policy_advice x workers_org: XM-1.
    assert cell(m, "training", "government")["activities"] == ["XM-1", "XM-2"]
    assert cell(m, "policy_advice", "workers_org")["count"] == 1
    assert r["row_groups"] == [] and "group" not in r["rows"][0]


def test_result_is_json_ready(framework, rates):
    for kwargs in ({}, {"rates": rates}, {"by": "country"}, {"by": "year", "rates": rates}):
        r = coverage(make_frame(), framework, **kwargs)
        assert json.loads(json.dumps(r)) == r  # no tuples, sets or non-string keys


def test_amounts_are_rounded_to_cents(framework):
    frame = [activity(1, ["O1"], ["training"], budgets=[(100, "EUR", 2012)],
                      countries=[("GH", None), ("MZ", None), ("LK", None)])]
    r = coverage(frame, framework, by="country")
    # 100 / 3 = 33.333... -> 33.33
    assert cell(matrix_of(r, "GH"), "O1", "training")["amounts"] == {"EUR": 33.33}


def test_bad_options_are_config_errors(framework, rates):
    with pytest.raises(ConfigError):
        coverage([], framework, rows="sectors")
    with pytest.raises(ConfigError):
        coverage([], framework, by="donor")
    with pytest.raises(ConfigError):
        coverage([], framework, rates=rates, reporting="EUR")


def test_empty_frame_gives_an_empty_matrix(framework):
    r = coverage([], framework)
    assert len(r["matrices"]) == 1 and r["matrices"][0]["total"]["count"] == 0
