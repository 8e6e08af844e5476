"""The results chain: built from the programme, typed links with assumptions, the checks."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select
from test_programmes import CODE, ken  # noqa: F401  (the fixture)

from tcmap.errors import ConflictError, ReviewError
from tcmap.results.chain import add_link, build_chain, chain_view, edit_link
from tcmap.results.checks import check_chain
from tcmap.results.indicators import add_indicator
from tcmap.results.programmes import edit_output
from tcmap.store import Activity, Tag
from tcmap.store.programme import CapacityIndicator

IC = "inspection manual and case-management procedure adopted by the labour department"


def view(store) -> dict:
    with store.session() as s:
        return chain_view(s, CODE)


def counts(store) -> dict:
    with store.session() as s:
        return check_chain(s, CODE)["counts"]


def test_the_chain_follows_the_programme(ken):  # noqa: F811
    v = view(ken)
    assert Counter(n["type"] for n in v["nodes"]) == {
        "framework_outcome": 2, "programme_outcome": 3, "output": 5, "capacity_outcome": 2,
        "institutional_change": 2, "activity": 3}
    links = {(lk["from"], lk["to"]) for lk in v["links"]}
    assert len(links) == 12
    # Two outputs naming the same institutional change share its node.
    assert ("output:KEN101.2", f"institutional_change:{IC}") in links
    assert ("capacity_outcome:KEN101.1:enhanced_skills", f"institutional_change:{IC}") in links
    assert ("output:KEN101.1", "capacity_outcome:KEN101.1:enhanced_skills") in links
    assert (f"institutional_change:{IC}", "programme_outcome:KEN101") in links
    assert ("output:KEN103.1", "programme_outcome:KEN103") in links  # no change named
    assert ("programme_outcome:KEN101", "framework_outcome:O11") in links
    assert ("activity:XM-DAC-41302-101895-378077-2013-KEN101", "output:KEN101.1") in links
    # The tree starts at the framework outcomes, then the outcome without one, then the
    # activities on no output.
    assert [t["ref"] for t in v["tree"]][:3] == ["framework_outcome:O11",
                                                  "framework_outcome:O9",
                                                  "programme_outcome:KEN103"]


def test_the_checks_find_what_the_sample_lacks(ken):  # noqa: F811
    assert counts(ken) == {
        "individual-output-unpaired": 2,  # KEN102.1, KEN103.1
        "individual-output-without-learning-outcome": 1,  # KEN103.1
        "outcome-without-framework-outcome": 1,  # KEN103
        "chain-without-indicator": 3,  # KEN102.1, KEN102.2, KEN103.1
        "output-without-activity": 4,  # all but KEN101.1
        "activity-not-on-chain": 2,  # recognised, but untagged: no output matches
        "stale-chain-element": 0}
    with ken.session() as s:
        d = check_chain(s, CODE)
    w = next(x for x in d["warnings"] if x["code"] == "individual-output-unpaired")
    assert w["node"] == "output:KEN102.1" and w["severity"] == "warning" and w["hint"]


def test_a_tagged_activity_lands_on_the_output_of_its_level_and_constituent(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        aid = s.scalar(select(Activity.id).where(
            Activity.iati_identifier == "XM-DAC-41302-103906-396087-2013-KEN102"))
        for dim, code in (("capacity_levels", "organizational"), ("target_groups",
                                                                  "workers_org")):
            s.add(Tag(activity_id=aid, framework="ilo-spf-2010-15", dimension=dim, code=code,
                      origin="person", review_state="added"))
        s.flush()
        build_chain(s, CODE, "ana")
    link = next(lk for lk in view(ken)["links"]
                if lk["from"] == "activity:XM-DAC-41302-103906-396087-2013-KEN102")
    assert link["to"] == "output:KEN102.2" and link["assumption"].startswith("Built: matched")
    c = counts(ken)
    assert c["activity-not-on-chain"] == 1 and c["output-without-activity"] == 3


def test_a_person_s_link_pairs_an_output_and_survives_a_rebuild(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        d = add_link(s, CODE, "capacity_outcome:KEN102.1:raised_awareness",
                     "institutional_change:KEN102.2", "ana",
                     assumption="Leaders briefed push the union centre's plan",
                     risk="Leadership changes at the congress", risk_rating="medium")
    assert d["origin"] == "person"
    assert counts(ken)["individual-output-unpaired"] == 1
    with ken.session() as s, s.begin():
        build_chain(s, CODE, "ana")
    assert counts(ken)["individual-output-unpaired"] == 1
    with ken.session() as s, s.begin(), pytest.raises(ReviewError):
        add_link(s, CODE, "output:KEN102.1", "framework_outcome:O9", "ana")
    with ken.session() as s, s.begin(), pytest.raises(ReviewError):
        add_link(s, CODE, "output:KEN102.1", "programme_outcome:KEN101", "ana",
                 risk_rating="severe")


def test_an_assumption_written_on_a_built_link_is_kept_and_versioned(ken):  # noqa: F811
    lk = next(x for x in view(ken)["links"] if x["from"] == "output:KEN103.1")
    with ken.session() as s, s.begin():
        d = edit_link(s, lk["id"], {"assumption": "Trained youth find funding"}, "ana", 1)
    assert d["version"] == 2
    with ken.session() as s, s.begin(), pytest.raises(ConflictError):
        edit_link(s, lk["id"], {"risk": "x"}, "bob", 1)
    with ken.session() as s, s.begin():
        build_chain(s, CODE, "ana")
    again = next(x for x in view(ken)["links"] if x["id"] == lk["id"])
    assert again["assumption"] == "Trained youth find funding"


def test_changing_an_output_moves_the_chain_and_keeps_measured_nodes(ken):  # noqa: F811
    with ken.session() as s, s.begin():
        ind = add_indicator(s, CODE, "capacity_outcome:KEN101.1:enhanced_skills", "ana",
                            library="IND-ICO-APPLICATION", code="KEN101-CO1")
        edit_output(s, CODE, "KEN101.1", {"learning_outcome": "raised_awareness"}, "ana")
    refs = {n["ref"]: n for n in view(ken)["nodes"]}
    assert "capacity_outcome:KEN101.1:raised_awareness" in refs
    old = refs["capacity_outcome:KEN101.1:enhanced_skills"]
    assert old["derived"] is False and old["indicators"] == 1
    assert counts(ken)["stale-chain-element"] == 1
    with ken.session() as s:
        assert s.get(CapacityIndicator, ind["id"]) is not None
    # An individual output turned organizational becomes its own institutional change.
    with ken.session() as s, s.begin():
        edit_output(s, CODE, "KEN103.1", {"capacity_level": "organizational"}, "ana")
    c = counts(ken)
    assert c["individual-output-unpaired"] == 1
    assert c["individual-output-without-learning-outcome"] == 0
