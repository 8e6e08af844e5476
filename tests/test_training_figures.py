"""Training follow-up figures: response, application and large-improvement rates with Wilson
intervals, checked against counts and intervals worked out by hand for tests/data/training/valid.

The valid set (two events, nine participants): E1 sent the surveys at the end and at 6 months,
and its participant P5 could not be reached at 6 months; E2 sent them at the end, 6 and 12
months. At 6 months 8 participants were reached and 5 answered; 3 of them answered 4 or 5 on
'I have applied what I learned' (P1 5, P3 4, Q1 4; P2 3, Q2 2).

Wilson score intervals at 95 % (z = 1.96), from the formula
(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), rounded to four decimals:
3/5 → 0.2307–0.8824, 5/8 → 0.3057–0.8632, 7/9 → 0.4526–0.9368, 1/4 → 0.0456–0.6994,
2/3 → 0.2077–0.9385, 1/2 → 0.0945–0.9055, 2/4 → 0.1500–0.8500, 3/4 → 0.3006–0.9544,
1/1 → 0.2065–1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tcmap.errors import ConfigError
from tcmap.taxonomy import load_framework
from tcmap.training.figures import EventFact, PersonFact, training_figures
from tcmap.training.surveys import load_instrument, parse_instrument, read_answer

from conftest import DATA

VALID = DATA / "training" / "valid"


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    """The valid set, imported into a throwaway store and read back as facts."""
    from tcmap.store import open_store
    from tcmap.training.events import load_facts
    from tcmap.training.importing import import_training

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fig') / 'f.db'}")
    report = import_training(store, sorted(Path(VALID).glob("*.csv")), by="test")
    assert report.ok, report.to_dict()["problems"]
    with store.session() as s:
        out = load_facts(s)
    store.close()
    return out


def _fig(events, people, **kw):
    return training_figures(events, people, load_instrument(), load_framework(), **kw)


def _check(f, k, n, interval):
    assert (f["k"], f["n"]) == (k, n)
    assert f["rate"] == round(k / n, 4)
    assert f["interval"] == pytest.approx(interval, abs=1e-4)


def test_six_month_figures_overall_match_the_hand_count(facts):
    f = _fig(*facts)
    assert f["timing"] == "6m" and f["participants"] == 9 and f["events"] == 2
    o = f["overall"]
    _check(o["response_rate"], 5, 8, [0.3057, 0.8632])
    _check(o["application_rate"], 3, 5, [0.2307, 0.8824])
    _check(o["large_improvement"], 3, 5, [0.2307, 0.8824])
    # P3 answered "na" on the organization item: 4 valid answers, one of them 4 or 5.
    _check(o["large_improvement_org"], 1, 4, [0.0456, 0.6994])
    assert o["application_rate"]["small"] and o["response_rate"]["small"]


def test_by_sex_each_group_has_its_own_sample_and_interval(facts):
    groups = {g["key"]: g for g in _fig(*facts, by="sex")["groups"]}
    assert list(groups) == ["female", "male"]
    # Women: P1, P2, Q1, Q4 reached (P5 not reached), P1, P2, Q1 answered; P1 and Q1 applied.
    _check(groups["female"]["response_rate"], 3, 4, [0.3006, 0.9544])
    _check(groups["female"]["application_rate"], 2, 3, [0.2077, 0.9385])
    _check(groups["male"]["response_rate"], 2, 4, [0.15, 0.85])
    _check(groups["male"]["application_rate"], 1, 2, [0.0945, 0.9055])
    assert groups["female"]["participants"] == 5


def test_by_constituent_type_and_outcome(facts):
    by_type = {g["key"]: g for g in _fig(*facts, by="constituent")["groups"]}
    assert list(by_type) == ["government", "employers_org", "workers_org", "other"]
    _check(by_type["workers_org"]["response_rate"], 2, 3, [0.2077, 0.9385])
    _check(by_type["workers_org"]["application_rate"], 1, 2, [0.0945, 0.9055])
    assert by_type["employers_org"]["application_rate"]["n"] == 0
    assert by_type["employers_org"]["application_rate"]["rate"] is None
    by_outcome = {g["key"]: g for g in _fig(*facts, by="outcome")["groups"]}
    assert list(by_outcome) == ["O10", "O11"]  # the framework's order
    _check(by_outcome["O11"]["response_rate"], 3, 4, [0.3006, 0.9544])
    _check(by_outcome["O11"]["application_rate"], 2, 3, [0.2077, 0.9385])
    assert by_outcome["O11"]["events"] == ["E1"]


def test_each_timing_counts_only_the_events_that_sent_it(facts):
    groups = {g["key"]: g for g in _fig(*facts, by="timing")["groups"]}
    _check(groups["end"]["response_rate"], 7, 9, [0.4526, 0.9368])
    assert groups["end"]["application_rate"]["n"] == 0  # the item is not asked at the end
    assert groups["3m"]["response_rate"]["n"] == 0
    _check(groups["12m"]["response_rate"], 1, 4, [0.0456, 0.6994])  # E2 only
    _check(groups["12m"]["application_rate"], 1, 1, [0.2065, 1.0])
    assert groups["12m"]["response_rate"]["low"]  # 25 % is below the 30 % threshold


def test_filtering_by_outcome_keeps_its_events_only(facts):
    f = _fig(*facts, outcome="O10", timing="12m")
    assert f["events"] == 1 and f["participants"] == 4
    _check(f["overall"]["response_rate"], 1, 4, [0.0456, 0.6994])


def test_a_participant_who_answered_counts_as_reached_even_when_marked_unreachable():
    events = {"E": EventFact("E", "t", "O1", surveys=frozenset({"6m"}))}
    people = [PersonFact("E", "A", "female", "government", not_reached=frozenset({"6m"}),
                         answers={"6m": {"applied_knowledge": 4}}),
              PersonFact("E", "B", "male", "government", not_reached=frozenset({"6m"}))]
    f = training_figures(events, people, load_instrument(), None)
    assert (f["overall"]["response_rate"]["k"], f["overall"]["response_rate"]["n"]) == (1, 1)


def test_a_cell_of_ten_is_not_small_and_nine_is():
    events = {"E": EventFact("E", "t", "O1", surveys=frozenset({"6m"}))}
    people = [PersonFact("E", str(i), "female", "government",
                         answers={"6m": {"applied_knowledge": 5}}) for i in range(10)]
    ins = load_instrument()
    assert not training_figures(events, people, ins)["overall"]["application_rate"]["small"]
    assert training_figures(events, people[:9], ins)["overall"]["application_rate"]["small"]


def test_unknown_grouping_or_timing_is_a_config_error_with_the_choices():
    with pytest.raises(ConfigError) as err:
        training_figures({}, [], load_instrument(), by="region")
    assert "outcome" in err.value.hint
    with pytest.raises(ConfigError) as err:
        training_figures({}, [], load_instrument(), timing="9m")
    assert "6m" in err.value.hint


def test_answers_are_read_against_the_item_scale():
    items = load_instrument().items
    assert read_answer(items["applied_knowledge"], "4") == (4, None)
    assert read_answer(items["applied_knowledge"], "4.0") == (4, None)
    assert read_answer(items["applied_knowledge"], "n/a") == (None, None)
    assert read_answer(items["barriers"], "no_support; No_resources") == (
        None, "no_support;no_resources")
    for bad in ("yes", "6", "0", "3.5"):
        with pytest.raises(ValueError, match="applied_knowledge"):
            read_answer(items["applied_knowledge"], bad)
    with pytest.raises(ValueError, match="not a choice"):
        read_answer(items["barriers"], "no_time")


def test_an_instrument_whose_measure_names_a_text_item_is_refused():
    import yaml

    from tcmap.training import surveys

    data = yaml.safe_load((Path(surveys.__file__).parent / "data" / "surveys.yaml").read_text())
    data["measures"]["application_rate"]["item"] = "examples_of_application"
    with pytest.raises(ConfigError, match="points scale"):
        parse_instrument(data)
