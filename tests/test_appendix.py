"""The paper's appendix rebuilt from data: approaches per outcome with traceable examples."""

from __future__ import annotations

import json

from tcmap.analysis.appendix import approaches_per_outcome, assign_approach
from tcmap.analysis.frame import MappedActivity
from tcmap.taxonomy import load_framework

FW = load_framework()


def _act(n, title, outcomes, modalities, capdev=True, evidence=None):
    return MappedActivity(n, f"A-{n}", title, countries=[("GH", None)], outcomes=outcomes,
                          modalities=set(modalities), capacity_development=capdev,
                          world_of_work=True, evidence=evidence or {})


def test_an_activity_goes_to_the_approach_its_title_names():
    approaches = FW.approaches_for("O1")
    youth = _act(1, "Youth employment action plan in Ghana", ["O1"], ["policy_advice"])
    finance = _act(2, "Microfinance institutions and financial literacy", ["O1"], ["training"])
    assert assign_approach(youth, approaches, FW.outcomes.codes["O1"].title)[0].code == \
        "youth_employment"
    assert assign_approach(finance, approaches, FW.outcomes.codes["O1"].title)[0].code == \
        "social_finance"


def test_the_only_approach_of_an_outcome_takes_all_its_activities():
    a = _act(3, "Inspección del trabajo", ["O11"], ["training"])
    assert assign_approach(a, FW.approaches_for("O11"))[1] == "only approach"


def test_the_appendix_counts_examples_and_keeps_their_evidence():
    ev = {("modalities", "training"): [{"kind": "text", "field": "title", "text": "train",
                                        "context": "train 120 labour inspectors"}]}
    frame = [
        _act(1, "Labour inspection training", ["O11"], ["training"], evidence=ev),
        _act(2, "Labour inspection systems", ["O11", "O6"], ["institution_building"]),
        _act(3, "Food distribution", [], ["direct_action"], capdev=False),
        _act(4, "Inspection support without capacity aim", ["O11"], [], capdev=False),
    ]
    result = approaches_per_outcome(frame, FW)
    json.dumps(result)  # plain data
    o11 = next(o for g in result["groups"] for o in g["outcomes"] if o["code"] == "O11")
    assert o11["activities"] == 2  # capacity-development activities only
    row = o11["approaches"][0]
    assert row["identifiers"] == ["A-1", "A-2"]
    assert row["examples"][0]["evidence"] == [{"dimension": "modalities", "code": "training",
                                               "field": "title",
                                               "text": "train 120 labour inspectors"}]
    assert row["paper_examples"]  # the paper's own examples stand beside the portfolio's
    o6 = next(o for g in result["groups"] for o in g["outcomes"] if o["code"] == "O6")
    assert o6["activities"] == 1
    assert [g["code"] for g in result["groups"]] == ["EMP", "SP", "SD", "FPRW", "PC"]
