"""The paper's analyses on a small hand-made frame, checked against hand-computed figures.

The frame (ids XM-n; all world of work; budgets in USD unless said):

  id country outcomes modalities                       levels      targets     years   budget   cd
  1  KH      O11      training                         ind         gov         2012-13  10 000  y
  2  KH      O11      institution_building             org         gov         2013-14 200 000  y
  3  KH      O11,O18  legal_framework, policy_advice   env         gov         2010-11  50 000  y
  4  KH      O16      training                         ind         wkr         2012      5 000  y
  5  KH      O16      e_learning                       ind         emp,wkr     2013      8 000  y
  6  VN      O12      training, institution_building,  ind,org,env gov,emp,wkr 2011-14 300 000  y
                      dialogue_mechanism
  7  VN      O12      legal_framework                  env         gov         2014-15  20 000  y
  8  VN      O11      training                         ind         gov         2012          -  y
  9  KH      O1       direct_action                    -           final       2012          -  n
  10 -       O11      training, institution_building   ind,org     gov         2012-13 100 000* y

(* in EUR; ind = individual, org = organizational, env = enabling_environment;
gov = government, emp = employers_org, wkr = workers_org, final = final_beneficiaries.)
"""

from __future__ import annotations

import json
import math

import pytest

from tcmap.analysis.constituents import constituents
from tcmap.analysis.frame import MappedActivity, Money
from tcmap.analysis.integration import integration, isolated_training
from tcmap.analysis.shares import capacity_share, capacity_share_of
from tcmap.analysis.synergy import load_complementary, scatter_index, synergy
from tcmap.analysis.trust import model_quality, trust
from tcmap.errors import ConfigError
from tcmap.taxonomy import load_framework

LEVEL = {"ind": "individual", "org": "organizational", "env": "enabling_environment"}
TARGET = {"gov": "government", "emp": "employers_org", "wkr": "workers_org",
          "final": "final_beneficiaries"}


def activity(n, country, outcomes, modalities, levels, targets, years, budget=None,
             currency="USD", cd=True, reviewed=None):
    """One MappedActivity from the short codes of the table in the module docstring."""
    start, end = years
    return MappedActivity(
        id=n, identifier=f"XM-{n}", title=f"Activity {n}",
        countries=[(country, None)] if country else [],
        start_year=start, end_year=end,
        budgets=[Money(budget, currency, start)] if budget else [],
        world_of_work=True, capacity_development=cd,
        outcomes=list(outcomes), modalities=set(modalities),
        capacity_levels={LEVEL[x] for x in levels},
        target_groups={TARGET[x] for x in targets},
        reviewed=reviewed or {},
    )


def sample_frame():
    return [
        activity(1, "KH", ["O11"], ["training"], ["ind"], ["gov"], (2012, 2013), 10_000,
                 reviewed={"outcomes": (1, 0), "modalities": (1, 1)}),
        activity(2, "KH", ["O11"], ["institution_building"], ["org"], ["gov"], (2013, 2014),
                 200_000, reviewed={"outcomes": (0, 1), "modalities": (0, 2)}),
        activity(3, "KH", ["O11", "O18"], ["legal_framework", "policy_advice"], ["env"],
                 ["gov"], (2010, 2011), 50_000, reviewed={"capacity_levels": (0, 2)}),
        activity(4, "KH", ["O16"], ["training"], ["ind"], ["wkr"], (2012, 2012), 5_000,
                 reviewed={"target_groups": (1, 0)}),
        activity(5, "KH", ["O16"], ["e_learning"], ["ind"], ["emp", "wkr"], (2013, 2013),
                 8_000),
        activity(6, "VN", ["O12"], ["training", "institution_building", "dialogue_mechanism"],
                 ["ind", "org", "env"], ["gov", "emp", "wkr"], (2011, 2014), 300_000),
        activity(7, "VN", ["O12"], ["legal_framework"], ["env"], ["gov"], (2014, 2015),
                 20_000),
        activity(8, "VN", ["O11"], ["training"], ["ind"], ["gov"], (2012, 2012)),
        activity(9, "KH", ["O1"], ["direct_action"], [], ["final"], (2012, 2012), cd=False),
        activity(10, None, ["O11"], ["training", "institution_building"], ["ind", "org"],
                 ["gov"], (2012, 2013), 100_000, currency="EUR"),
    ]


@pytest.fixture(scope="module")
def framework():
    return load_framework()


@pytest.fixture
def frame():
    return sample_frame()


def json_ready(result):
    """The result survives a JSON round trip unchanged (no tuples, sets or odd keys)."""
    assert json.loads(json.dumps(result)) == result
    return result


def group(result, key, value):
    return next(g for g in result["groups"] if g[key] == value)


# Integration (paragraph 7)

def test_integration_by_outcome_counts_levels_spanned(frame, framework):
    r = json_ready(integration(frame, framework, by="outcome"))
    assert [g["outcome"] for g in r["groups"]] == ["O11", "O12", "O16", "O18"]
    o11 = group(r, "outcome", "O11")
    # O11: XM-1 ind, XM-2 org, XM-3 env, XM-8 ind (one level each), XM-10 ind+org (two).
    assert o11["activities"] == 5
    assert o11["levels"]["three"]["count"] == 0
    assert o11["levels"]["two"] == {"count": 1, "share": 0.2, "activities": ["XM-10"]}
    assert o11["levels"]["one"]["share"] == 0.8
    assert o11["individual_only"] == {"count": 2, "share": 0.4,
                                      "activities": ["XM-1", "XM-8"]}
    o12 = group(r, "outcome", "O12")
    assert o12["levels"]["three"] == {"count": 1, "share": 0.5, "activities": ["XM-6"]}
    assert group(r, "outcome", "O16")["individual_only"]["share"] == 1.0
    # Overall: 9 capacity-development activities (XM-9 is not one): XM-6 spans three,
    # XM-10 two, the other seven one; XM-1, 4, 5, 8 are individual only: 4/9.
    assert r["overall"]["activities"] == 9
    assert r["overall"]["levels"]["three"]["share"] == round(1 / 9, 4)
    assert r["overall"]["levels"]["one"]["share"] == round(7 / 9, 4)
    assert r["overall"]["individual_only"]["share"] == round(4 / 9, 4)


def test_integration_by_country_lists_activities_without_a_country(frame, framework):
    r = json_ready(integration(frame, framework, by="country"))
    assert [g["country"] for g in r["groups"]] == ["KH", "VN"]
    kh, vn = group(r, "country", "KH"), group(r, "country", "VN")
    assert kh["activities"] == 5 and kh["levels"]["one"]["share"] == 1.0
    assert kh["individual_only"]["activities"] == ["XM-1", "XM-4", "XM-5"]
    assert kh["individual_only"]["share"] == 0.6
    assert vn["levels"]["three"]["share"] == 0.3333 and vn["levels"]["one"]["share"] == 0.6667
    assert r["without_country"] == ["XM-10"]


def test_integration_refuses_an_unknown_grouping(frame, framework):
    with pytest.raises(ConfigError, match="region"):
        integration(frame, framework, by="region")


def test_isolated_training_finds_the_cluster_where_training_stands_alone(frame, framework):
    r = json_ready(isolated_training(frame, framework))
    # KH/O16: XM-4 (training) and XM-5 (e-learning), both individual only. KH/O11 also has
    # XM-2 and XM-3; VN/O11 has XM-8 alone, below the minimum of two.
    assert [(c["country"], c["outcome"]) for c in r["clusters"]] == [("KH", "O16")]
    kh = r["clusters"][0]
    assert kh["activities"] == ["XM-4", "XM-5"]
    assert kh["modalities"] == ["e_learning", "training"]
    assert kh["target_groups"] == ["employers_org", "workers_org"]
    assert kh["years"] == [2012, 2013]
    assert r["without_country_or_outcome"] == ["XM-10"]
    lone = isolated_training(frame, framework, min_activities=1)
    assert [(c["country"], c["outcome"]) for c in lone["clusters"]] == [
        ("KH", "O16"), ("VN", "O11")]


# Synergy and scatter (paragraphs 7 and 13)

def pair_state(result, country, pair, outcome):
    c = next(c for c in result["countries"] if c["country"] == country)
    return next(p for p in c["pairs"] if p["pair"] == pair and p["outcome"] == outcome)


def test_synergy_pairs_training_with_institution_building_in_overlapping_years(
        frame, framework):
    r = json_ready(synergy(frame, framework))
    # KH/O11: XM-1 trains individuals in 2012-13, XM-2 builds the institution in 2013-14.
    s = pair_state(r, "KH", "training-with-institution-building", "O11")
    assert s["status"] == "paired"
    assert s["a"] == ["XM-1"] and s["b"] == ["XM-2"]
    assert s["links"] == [["XM-1", "XM-2"]]
    # VN/O12: XM-6 does both itself.
    assert pair_state(r, "VN", "training-with-institution-building", "O12")["links"] == [
        ["XM-6", "XM-6"]]
    assert pair_state(r, "KH", "inspector-training-with-institution", "O11")["status"] == (
        "paired")


def test_synergy_reports_missing_and_apart_sides(frame, framework):
    r = synergy(frame, framework)
    # KH/O16: training of individuals (XM-4, XM-5) with no institution building.
    s = pair_state(r, "KH", "training-with-institution-building", "O16")
    assert s["status"] == "missing_b" and s["a_without_b"] == ["XM-4", "XM-5"]
    # Policy support (XM-3, 2010-11) and training (XM-1, 2012-13) in KH/O11 never overlap.
    assert pair_state(r, "KH", "policy-with-people-trained", "O11")["status"] == "apart"
    # KH/O16: people trained, no law or policy supported; KH/O18: a law, no one trained.
    assert pair_state(r, "KH", "policy-with-people-trained", "O16")["status"] == "missing_a"
    assert pair_state(r, "KH", "policy-with-people-trained", "O18")["status"] == "missing_b"
    # VN/O12: the law (XM-7, 2014-15) meets the training of XM-6 (2011-14) in 2014.
    assert pair_state(r, "VN", "policy-with-people-trained", "O12")["links"] == [
        ["XM-7", "XM-6"]]
    summary = r["summary"]["training-with-institution-building"]
    assert summary["paired"]["clusters"] == ["KH/O11", "VN/O12"]
    assert summary["missing_b"]["clusters"] == ["KH/O16", "VN/O11"]
    assert r["without_country"] == ["XM-10"]


def test_synergy_co_occurrence_of_modalities_and_the_period(frame, framework):
    r = synergy(frame, framework)
    kh = next(c for c in r["countries"] if c["country"] == "KH")
    both = next(t for t in kh["co_occurring"]
                if t["modalities"] == ["institution_building", "training"])
    # Training runs 2012-13 (XM-1, XM-4), institution building 2013-14 (XM-2): 2013 only,
    # when XM-1 and XM-2 run (XM-4 ran in 2012).
    assert both["years"] == [2013] and both["activities"] == ["XM-1", "XM-2"]
    assert not any(t["modalities"] == ["legal_framework", "training"]
                   for t in kh["co_occurring"])
    later = synergy(frame, framework, period=(2014, 2015))
    # From 2014 on XM-1 no longer runs: XM-2's institution building stands alone.
    s = pair_state(later, "KH", "training-with-institution-building", "O11")
    assert s["status"] == "missing_a" and s["b"] == ["XM-2"]
    assert later["outside_period"] == ["XM-1", "XM-10", "XM-3", "XM-4", "XM-5", "XM-8", "XM-9"]
    assert later["undated"] == []


def test_scatter_index_of_a_cluster_and_its_components(frame, framework):
    r = json_ready(scatter_index(frame, framework))
    # KH/O11: XM-1 (training), XM-2 (institution building) single; XM-3 two modalities:
    # 2/3 single × log2(3) = 0.6667 × 1.585 = 1.0566. KH/O16: 2/2 × log2(2) = 1.
    # VN/O12: XM-7 single, XM-6 three: 1/2 × 1 = 0.5. KH/O18 and VN/O11 have one activity.
    assert [(c["country"], c["outcome"], c["scatter_index"]) for c in r["clusters"]] == [
        ("KH", "O11", round(2 / 3 * math.log2(3), 4)), ("KH", "O16", 1.0),
        ("VN", "O12", 0.5)]
    kh = r["clusters"][0]
    assert kh["activities"] == 3 and kh["single_modality"] == 2
    assert kh["distinct_modalities"] == 4
    assert kh["modalities_per_activity"] == round(4 / 3, 4)
    assert [s["activity"] for s in kh["single_modality_activities"]] == ["XM-1", "XM-2"]
    # USD budgets of capacity development: 5, 8, 10, 20, 50, 200, 300 thousand: median
    # 20 000; EUR: XM-10 alone. Small = below the median of its currency: XM-1, not XM-2.
    assert r["median_budget_by_currency"] == {"EUR": 100_000, "USD": 20_000}
    assert kh["small_single_modality"] == ["XM-1"]
    assert r["clusters"][2]["small_single_modality"] == []  # XM-7 is at the median


# Constituents (paragraphs 3 and 11)

def test_constituents_tripartite_share_and_left_out_outcomes(frame, framework):
    r = json_ready(constituents(frame, framework, by="outcome"))
    o12 = group(r, "outcome", "O12")
    assert o12["tripartite"] == {"count": 1, "share": 0.5, "activities": ["XM-6"]}
    assert o12["coverage"]["employers_org"]["share"] == 0.5
    o16 = group(r, "outcome", "O16")
    assert o16["bipartite"]["activities"] == ["XM-5"]
    assert o16["combinations"]["workers_only"]["activities"] == ["XM-4"]
    assert o16["coverage"]["workers_org"]["share"] == 1.0
    assert r["left_out"] == {"government": ["O16"], "employers_org": ["O11", "O18"],
                             "workers_org": ["O11", "O18"]}
    # Overall: government 7 of 9, employers 2 (XM-5, XM-6), workers 3, tripartite 1.
    cov = r["overall"]["coverage"]
    assert (cov["government"]["count"], cov["employers_org"]["count"],
            cov["workers_org"]["count"]) == (7, 2, 3)
    assert r["overall"]["tripartite"]["share"] == round(1 / 9, 4)
    assert sum(c["count"] for c in r["overall"]["combinations"].values()) == 9


def test_constituents_by_country(frame, framework):
    r = constituents(frame, framework, by="country")
    assert group(r, "country", "KH")["left_out"] == []
    assert group(r, "country", "VN")["tripartite"]["share"] == 0.3333
    assert r["without_country"] == ["XM-10"]


# Capacity-development share (paragraph 3)

def test_capacity_share_reproduces_the_papers_29_of_50():
    # p = 29/50 = 0.58, n = 50, z = 1.959964, z² = 3.841459, z²/n = 0.0768292:
    # centre = (0.58 + 3.841459/100) / 1.0768292 = 0.6184146 / 1.0768292 = 0.574292
    # half   = 1.959964 × sqrt(0.58 × 0.42 / 50 + 3.841459 / 10000) / 1.0768292
    #        = 1.959964 × sqrt(0.004872 + 0.000384146) / 1.0768292
    #        = 1.959964 × 0.0724993 / 1.0768292 = 0.131958
    # interval = [0.442334, 0.706250] → 44.2 % to 70.6 %
    r = json_ready(capacity_share(29, 50))
    assert r["share"] == 0.58 and r["percent"] == 58.0
    assert r["z"] == 1.959964
    assert r["interval"] == [0.4423, 0.7062]


def test_capacity_share_with_a_finite_population():
    # 50 of 200 DWCPs sampled: n_eff = 50 × 199 / 150 = 66.333; z²/n_eff = 0.057911;
    # centre = (0.58 + 0.028956) / 1.057911 = 0.575621;
    # half = 1.959964 × sqrt(0.0036724 + 0.00021826) / 1.057911 = 0.115561
    r = capacity_share(29, 50, population=200)
    assert r["finite_population_correction"] == round(math.sqrt(150 / 199), 4)
    assert r["interval"] == [0.4601, 0.6912]
    assert capacity_share(29, 50, population=50)["interval"] == [0.58, 0.58]
    assert capacity_share(0, 0)["interval"] is None
    with pytest.raises(ValueError):
        capacity_share(51, 50)


def test_capacity_share_of_the_frame(frame, framework):
    r = json_ready(capacity_share_of(frame, framework))
    # Ten world-of-work activities, nine develop capacity (all but XM-9).
    assert (r["overall"]["n_with"], r["overall"]["n_total"]) == (9, 10)
    assert r["overall"]["interval"] == capacity_share(9, 10)["interval"]
    assert r["overall"]["not_capacity_development"] == ["XM-9"]
    o1 = next(o for o in r["by_outcome"] if o["outcome"] == "O1")
    assert (o1["n_with"], o1["n_total"], o1["share"]) == (0, 1, 0.0)


# Trust

def test_trust_shares_and_hints(frame, framework):
    quality = {"outcomes_micro_f1": 0.7849, "modalities_micro_f1": 0.6832,
               "capacity_levels_micro_f1": 0.6885, "primary_outcome_accuracy": 0.8137}
    r = json_ready(trust(frame, framework, quality=quality))
    dims = {d["dimension"]: d for d in r["dimensions"]}
    assert list(dims) == ["outcomes", "modalities", "capacity_levels", "target_groups"]
    # outcomes: XM-1 one person tag, XM-2 one machine tag: 1/2.
    assert (dims["outcomes"]["person"], dims["outcomes"]["machine_only"]) == (1, 1)
    assert dims["outcomes"]["person_share"] == 0.5
    assert dims["outcomes"]["hint"] == ("50 % decided by a person, the rest machine-only "
                                        "(cross-validated micro-F1 0.78)")
    assert dims["outcomes"]["quality"]["also"] == {"primary_outcome_accuracy": 0.8137}
    # modalities: XM-1 (1 person, 1 machine), XM-2 (2 machine): 1/4 person.
    assert dims["modalities"]["person_share"] == 0.25
    assert dims["modalities"]["activities_machine_only"] == ["XM-2"]
    assert dims["capacity_levels"]["hint"] == "machine-only, cross-validated micro-F1 0.69"
    assert dims["target_groups"]["hint"] == "all decided by a person"
    # Overall: person 1 + 1 + 0 + 1 = 3; machine 1 + 3 + 2 + 0 = 6: 3 of 9 tags.
    assert r["overall"]["person_share"] == round(3 / 9, 4)
    assert r["activities_never_reviewed"] == ["XM-2", "XM-3"]


def test_trust_reads_the_packaged_models_quality(frame, framework):
    quality = model_quality("ilo-spf-2010-15")
    assert quality and 0 < quality["modalities_micro_f1"] < 1
    hint = trust(frame, framework, quality)["dimensions"][2]["hint"]
    assert hint.startswith("machine-only, cross-validated micro-F1")
    assert trust(frame, framework)["dimensions"][2]["hint"] == (
        "machine-only, classifier quality not given")


# The complementary pairs are data

def test_packaged_pairs_use_codes_of_the_framework(framework):
    comp = load_complementary(framework=framework)
    assert 6 <= len(comp.pairs) <= 10
    assert len({p.id for p in comp.pairs}) == len(comp.pairs)
    assert all(p.statement and p.a.label and p.b.label for p in comp.pairs)


def test_a_pair_with_an_unknown_code_is_refused(tmp_path, framework):
    path = tmp_path / "pairs.yaml"
    path.write_text("pairs:\n  - id: x\n    statement: s\n"
                    "    a: {label: a, any: [{modalities: [trainings]}]}\n"
                    "    b: {label: b, any: [{capacity_levels: [individual]}]}\n")
    with pytest.raises(ConfigError, match="trainings"):
        load_complementary(path, framework)
