"""The capacity-assessment section of the governing-body report: its data, its template,
and the demo assessments it reports on (SQLite and PostgreSQL).

The small case, with the small instrument (bands: high from a gap of 1.5, medium from 0.5):
a ministry (KE) rated from ratings-valid.csv, desired level 4 on its organizational cells,
followed up by a second round (section/ministry-round2.csv); and a workers' organization
(UG) rated on its organizational knowledge cells (section/union-round1.csv), desired 4.
"""

from __future__ import annotations

import json

import pytest

from tcmap import assessment as A
from tcmap.assessment.demo import load_demo
from tcmap.assessment.section import report_section
from tcmap.taxonomy import load_framework

from conftest import DATA

HERE = DATA / "assessment"
SMALL = str(HERE / "instrument-small.yaml")
FW = load_framework()


def _render(section: dict, monkeypatch) -> str:
    """The section as the governing-body report renders it (its environment, its numbering)."""
    import tcmap.analysis.snapshot
    from tcmap.report import Numbers, _env

    monkeypatch.setitem(tcmap.analysis.snapshot.SECTIONS, "assessment",
                        "tcmap.assessment.section:report_section")
    return _env().get_template("assessment/report_section.html.j2").render(
        section=section, num=Numbers())


@pytest.fixture
def two_constituents(store):
    """The small case of the module docstring, stored."""
    with store.session() as s, s.begin():
        ministry = A.new_assessment(
            s, FW, constituent="Ministry of Labour", constituent_type="government",
            country="KE", by="ana", instrument=SMALL, scope=["organizational"],
            assessed_on="2011-03-01")["id"]
        assert A.rate_file(s, ministry, HERE / "ratings-valid.csv", by="ana")["ok"]
        A.set_desired(s, ministry, "organizational", 4, set_by="self", by="ana")
        A.save_action(s, ministry, cell="organizational/leadership/engage_stakeholders",
                      horizon="short", lever="leadership", description="Coach the council",
                      cost=1000, currency="USD", linked_output="Output 1.1", by="ana")
        follow = A.start_round(s, ministry, by="ana", assessed_on="2013-03-01")["id"]
        assert A.rate_file(s, follow, HERE / "section" / "ministry-round2.csv", by="ana")["ok"]
        A.save_action(s, follow, cell="organizational/knowledge/evaluate", horizon="medium",
                      lever="knowledge", description="Write up lessons", by="ana")
        union = A.new_assessment(
            s, FW, constituent="Union federation", constituent_type="workers_org",
            country="UG", by="ana", instrument=SMALL, scope=["organizational/knowledge"],
            assessed_on="2012-06-01")["id"]
        assert A.rate_file(s, union, HERE / "section" / "union-round1.csv", by="ana")["ok"]
        A.set_desired(s, union, "organizational/knowledge", 4, set_by="self", by="ana")
        A.save_action(s, union, cell="organizational/knowledge/evaluate", horizon="short",
                      lever="knowledge", description="Train officers in reporting", cost=500,
                      currency="USD", linked_activity="XM-DAC-41302-1", by="ana")
    return {"ministry": ministry, "follow": follow, "union": union}


def test_the_section_counts_constituents_rounds_types_and_countries(store, two_constituents):
    with store.session() as s:
        section = report_section(s, FW)
    assert json.loads(json.dumps(section)) == section  # plain data, ready for report.json
    assert section["available"] is True
    assert (section["constituents"], section["rounds"], section["followed_up"]) == (2, 3, 1)
    assert section["period"] == {"from": "2011-03-01", "to": "2013-03-01"}
    assert [(t["code"], t["constituents"], t["one"]) for t in section["by_type"]] == [
        ("government", 1, "government body"), ("workers_org", 1, "workers' organization")]
    assert [(i["code"], i["constituents"]) for i in section["instruments"]] == [
        ("small-test", 2)]
    assert section["countries"] == [{"code": "KE", "name": "Kenya"},
                                    {"code": "UG", "name": "Uganda"}]
    ministry = section["series"][0]
    assert (ministry["id"], ministry["latest"], ministry["dates"]) == (
        two_constituents["ministry"], two_constituents["follow"], ["2011-03-01", "2013-03-01"])


def test_priority_gaps_are_means_over_the_latest_rounds(store, two_constituents):
    # Latest rounds: the ministry's round 2 (LD-F1 4, KN-F1 (2+3)/2, KN-F5 3, LD-F5 unrated)
    # and the union (KN-F1 (2+3)/2, KN-F5 (1+2)/2), every desired level 4. Gaps: KN-F5
    # (1 + 2.5)/2 = 1.75 high; KN-F1 (1.5 + 1.5)/2 = 1.5 high; LD-F1 0 low.
    with store.session() as s:
        pr = report_section(s, FW)["priorities"]
    assert [(r["cell"], r["mean_gap"], r["assessments"], r["band"]) for r in pr["top"]] == [
        ("organizational/knowledge/evaluate", 1.75, 2, "high"),
        ("organizational/knowledge/engage_stakeholders", 1.5, 2, "high"),
        ("organizational/leadership/engage_stakeholders", 0.0, 1, "low")]
    assert pr["top"][0]["assessment_ids"] == sorted(
        [two_constituents["follow"], two_constituents["union"]])
    assert pr["top"][0]["functional_capacity_title"] == "Evaluate"
    assert pr["cells"] == 5
    assert [(b["code"], b["cells"]) for b in pr["bands"]] == [
        ("high", 3), ("medium", 1), ("low", 1)]


def test_changes_come_from_round_changes_per_level(store, two_constituents):
    # round_changes of round 2: LD-F1 2.5 -> 4 and KN-F1 1 -> 2.5 (LD-F5 and KN-F5 are not
    # scored in both rounds).
    with store.session() as s:
        ch = report_section(s, FW)["changes"]
        rows = A.round_changes(s, two_constituents["follow"])
    assert sorted(r["change"] for r in rows) == [1.5, 1.5]
    assert ch["by_level"] == [{"level": "organizational", "title": "Organizational",
                               "cells": 2, "series": 1, "mean_change": 1.5, "improved": 2,
                               "declined": 0}]
    assert (ch["cells"], ch["improved"], ch["unchanged"], ch["declined"]) == (2, 2, 0, 0)
    one = ch["series"][0]
    assert (one["from_round"], one["to_round"], one["from_date"], one["date"]) == (
        1, 2, "2011-03-01", "2013-03-01")


def test_the_response_counts_actions_by_horizon_and_lever(store, two_constituents):
    with store.session() as s:
        r = report_section(s, FW)["response"]
    assert (r["actions"], r["assessments"], r["constituents"]) == (3, 3, 2)
    assert [(h["code"], h["actions"]) for h in r["by_horizon"]] == [
        ("short", 2), ("medium", 1), ("long", 0)]
    assert [(x["code"], x["actions"]) for x in r["by_lever"]] == [
        ("knowledge", 2), ("leadership", 1)]
    assert (r["linked"], r["costed"]) == (2, 2)
    assert r["costs"] == [{"currency": "USD", "amount": 1500.0, "actions": 2}]


def test_the_section_renders_in_the_report_style(store, two_constituents, monkeypatch):
    with store.session() as s:
        html = _render(report_section(s, FW), monkeypatch)
    assert "<h2>Capacity assessments of constituents</h2>" in html
    assert html.count('<span class="pn">') == 4 and "Table 1." in html
    assert "2 constituents in 2 countries was assessed: 1 government body and 1 workers&#39; " \
        "organization" in html
    assert "Ministry of Labour (Kenya, 2011 and 2013)" in html
    assert "<td>Organizational</td><td>Knowledge</td><td>Evaluate</td><td class=\"n\">1.75" \
        "</td><td class=\"n\">2</td><td>High</td>" in html
    assert "3 show a high-priority gap (1.5 points or more), 1 a medium-priority gap (0.5 " \
        "to under 1.5) and 1 a low-priority gap (under 0.5)" in html
    assert "+1.50 points at the organizational level (2 cells)" in html
    assert "2 for the short and 1 for the medium" in html
    assert "USD 1,500 in all" in html


def test_without_assessments_the_section_says_so(store, monkeypatch):
    with store.session() as s:
        section = report_section(s, FW)
    assert section["available"] is False and "No capacity assessment" in section["message"]
    html = _render(section, monkeypatch)
    assert "No capacity assessment of a constituent has been recorded yet" in html
    assert "<table" not in html


def test_the_demo_assessments_load_once_and_fill_the_section(store, monkeypatch):
    first = load_demo(store, FW)
    assert first == {"assessments": 3, "created": 3, "already_loaded": 0, "rounds": 4,
                     "ratings": 82, "actions": 11}
    again = load_demo(store, FW)
    assert again == {**first, "created": 0, "already_loaded": 3}
    with store.session() as s:
        section = report_section(s, FW)
        listed = A.list_assessments(s)
    assert len(listed) == 4
    assert [t["code"] for t in section["by_type"]] == ["government", "employers_org",
                                                       "workers_org"]
    assert [c["code"] for c in section["countries"]] == ["GH", "LK", "MZ"]
    assert len(section["priorities"]["top"]) == 5
    assert section["changes"]["cells"] == 10 and section["changes"]["improved"] == 10
    html = _render(section, monkeypatch)
    assert "Employers&#39; Federation of Ceylon (Sri Lanka, 2011)" in html
