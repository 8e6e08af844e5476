"""The quality-appraisal section of the governing-body report: its data, its template, and
the demo appraisals it reports on (SQLite and PostgreSQL).

The small case (data/appraisal/section.yaml) stores three appraisals with the machine's
proposals as given, then rates them and takes them through their steps with the library:

- a DWCP, cleared: 9 ratings, risks 1 below the pass mark; proposals on all 9, of which 4
  equal the person's (capacity-outputs, levels-and-pairing, capacity-indicators,
  training-centre na) and all 9 are within one point;
- a DWCP returned, then resubmitted (round 2): capacity-assessment 1 and risks 1 from round 1,
  capacity-outputs 0 then 2 in round 2; only the round-2 rating pairs with the proposal (0 vs
  2: no agreement); its gate fails for employers' and workers' organizations;
- a project document in draft: capacity-assessment 0 (proposal 1: within one), and
  programme-link 3 (no proposal: not paired).
"""

from __future__ import annotations

import hashlib
import json

import pytest
import yaml

from tcmap.appraisal import appraisals as lib
from tcmap.appraisal.checklist import load_checklist
from tcmap.appraisal.demo import load_demo
from tcmap.appraisal.section import report_section
from tcmap.store.appraisal import Appraisal
from tcmap.store.base import utcnow
from tcmap.taxonomy import load_framework

from conftest import DATA

FW = load_framework()


def _render(section: dict, monkeypatch) -> str:
    """The section as the governing-body report renders it (its environment, its numbering)."""
    import tcmap.analysis.snapshot
    from tcmap.report import Numbers, _env

    monkeypatch.setitem(tcmap.analysis.snapshot.SECTIONS, "appraisal",
                        "tcmap.appraisal.section:report_section")
    return _env().get_template("appraisal/report_section.html.j2").render(
        section=section, num=Numbers())


def _store_appraisal(s, item: dict) -> int:
    """An appraisal as create_appraisal stores it, with the pre-screen given in the file."""
    checklist = load_checklist(item["template"])
    prescreen = {"gate": item["gate"], "criteria": [
        {"criterion": c, "proposed": v} for c, v in item["proposed"].items()]}
    a = Appraisal(title=item["title"], template=checklist.code,
                  object_type=checklist.object_type, checklist=checklist.to_dict(),
                  document_name=f"{item['title']}.pdf",
                  document_sha256=hashlib.sha256(item["title"].encode()).hexdigest(),
                  prescreen=prescreen, status="draft", round=1, version=1, created_by="ana",
                  created_at=utcnow(), updated_at=utcnow())
    s.add(a)
    s.flush()
    for step in item["steps"]:
        if isinstance(step, dict):
            for criterion, value in step["rate"].items():
                lib.rate(s, a.id, criterion, value, "ana",
                         action="Revise" if value in (0, 1) else None)
        else:
            lib.change_status(s, a.id, step, "chief")
    return a.id


@pytest.fixture
def three_appraisals(store):
    plan = yaml.safe_load((DATA / "appraisal" / "section.yaml").read_text(encoding="utf-8"))
    with store.session() as s, s.begin():
        ids = [_store_appraisal(s, item) for item in plan["appraisals"]]
    with store.session() as s:
        assert [lib.appraisal_sheet(s, i)["status"] for i in ids] == [
            "cleared", "resubmitted", "draft"]
    return ids


def test_appraisals_by_template_status_and_clearance(store, three_appraisals):
    with store.session() as s:
        section = report_section(s, FW)
    assert json.loads(json.dumps(section)) == section  # plain data, ready for report.json
    assert section["available"] is True and section["appraisals"] == 3
    assert [(t["object_type"], t["template"], t["appraisals"], t["cleared"])
            for t in section["by_template"]] == [("dwcp", "DWCP_QA", 2, 1),
                                                 ("project", "TC_APPRAISAL", 1, 0)]
    assert section["by_status"] == [{"status": "draft", "appraisals": 1},
                                    {"status": "resubmitted", "appraisals": 1},
                                    {"status": "cleared", "appraisals": 1}]
    assert section["cleared"] == {"k": 1, "n": 3, "percent": 33.3}


def test_failing_criteria_list_mandatory_ones_first(store, three_appraisals):
    # Latest ratings below 2: capacity-assessment in the returned DWCP (1) and the project (0),
    # of 3 rated; risks (not mandatory) in both DWCPs, of 2 rated. capacity-outputs is now 2.
    with store.session() as s:
        f = report_section(s, FW)["failing"]
    assert [(c["criterion"], c["mandatory"], c["failing"], c["rated"], c["templates"])
            for c in f["criteria"]] == [
        ("capacity-assessment", True, 2, 3, ["dwcp", "project"]),
        ("risks", False, 2, 2, ["dwcp"])]
    # 8 + 4 + 2 scores (the N/A left out), 4 of them below 2.
    assert (f["criteria_failing"], f["mandatory_failing"], f["ratings_failing"],
            f["ratings"], f["pass_mark"]) == (2, 1, 4, 14, 2)


def test_the_gate_counts_dwcp_documents_only(store, three_appraisals):
    with store.session() as s:
        g = report_section(s, FW)["gate"]
    assert (g["k"], g["n"], g["percent"]) == (1, 2, 50.0)
    assert [(m["group"], m["programmes"]) for m in g["missing"]] == [
        ("employers_org", 1), ("workers_org", 1)]
    assert [x["appraisal"] for x in g["failed"]] == [three_appraisals[1]]


def test_agreement_pairs_only_ratings_of_the_round_the_prescreen_read(store, three_appraisals):
    with store.session() as s:
        ag = report_section(s, FW)["agreement"]
    assert ag == {"pairs": 11, "exact": 4, "within_one": 10, "exact_share": 0.3636,
                  "within_one_share": 0.9091, "appraisals": 3}


def test_the_section_renders_in_the_report_style(store, three_appraisals, monkeypatch):
    with store.session() as s:
        html = _render(report_section(s, FW), monkeypatch)
    assert "<h2>Quality appraisal of country programmes and projects</h2>" in html
    assert html.count('<span class="pn">') == 4 and "Table 1." in html
    assert "2 Decent Work Country Programmes and 1 technical cooperation project document" \
        in html
    assert "1 has been cleared (33 per cent), 1 has been resubmitted and awaits a decision " \
        "and 1 is still in draft" in html
    assert "the most frequent is capacity assessment (2 of 3 documents rated)" in html
    assert "1 of the 2 DWCP documents appraised (50 per cent) passes the gate" in html
    assert "employers&#39; organizations (1) and workers&#39; organizations (1)" in html
    assert "(11 ratings in 3 appraisals)" in html
    assert "the same in 4 (36 per cent) and within one point in 10 (91 per cent)" in html
    assert '<span class="mono">risks</span></td><td>no</td><td class="n">2</td>' \
        '<td class="n">2</td>' in html


def test_without_appraisals_the_section_says_so(store, monkeypatch):
    with store.session() as s:
        section = report_section(s, FW)
    assert section["available"] is False
    html = _render(section, monkeypatch)
    assert "No country programme or project document has been appraised yet" in html
    assert "<table" not in html


def test_the_demo_appraisals_load_once_and_fill_the_section(store, monkeypatch):
    first = load_demo(store, FW)
    assert first == {"appraisals": 3, "created": 3, "already_loaded": 0,
                     "by_template": {"dwcp": 2, "project": 1},
                     "by_status": {"cleared": 1, "returned": 1, "submitted": 1}}
    assert load_demo(store, FW) == {**first, "created": 0, "already_loaded": 3}
    with store.session() as s:
        section = report_section(s, FW)
        assert len(lib.list_appraisals(s)["appraisals"]) == 3
    assert section["cleared"] == {"k": 1, "n": 3, "percent": 33.3}
    assert (section["gate"]["k"], section["gate"]["n"]) == (1, 2)
    assert section["failing"]["criteria"][0]["mandatory"] is True
    assert section["agreement"]["pairs"] > 0
    assert "Table 1." in _render(section, monkeypatch)
