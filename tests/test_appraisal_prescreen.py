"""The pre-screen on sample documents, as PDF and as DOCX: proposed scores and evidence."""

from __future__ import annotations

import pytest

from tcmap.appraisal import extract, load_checklist, prescreen
from tcmap.classify import load_classifier

from conftest import DATA

DOCS = DATA / "appraisal"
FORMATS = ("pdf", "docx")


def _screen(name: str, fmt: str, template: str):
    return prescreen(extract(DOCS / f"{name}.{fmt}"), load_checklist(template),
                     load_classifier())


def _by_code(screen):
    return {c["criterion"]: c for c in screen["criteria"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_project_document_gets_strong_capacity_scores_with_evidence(fmt):
    screen = _screen("project-good", fmt, "project")
    c = _by_code(screen)
    for code in ("capacity-outputs", "levels-and-pairing", "capacity-indicators",
                 "capacity-assessment", "sustainability", "training-centre"):
        assert c[code]["proposed"] == 3, (code, c[code])
    assert screen["constituents_targeted"] == ["government", "employers_org", "workers_org"]
    assert screen["results_framework"]["capacity_outputs"] == 5
    # Evidence names where it is: the capacity assessment is on the first page of the PDF.
    evidence = c["capacity-assessment"]["evidence"][0]
    assert "carried out in January 2012" in evidence["text"]
    if fmt == "pdf":
        assert evidence["page"] == 1 and evidence["where"].startswith("p. 1, ¶")
    else:
        assert evidence["where"].startswith("section ")
    assert c["capacity-outputs"]["missing"] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_weak_project_document_is_weak_where_a_reader_finds_it_weak(fmt):
    c = _by_code(_screen("project-weak", fmt, "project"))
    assert c["capacity-outputs"]["proposed"] == 1
    assert c["capacity-outputs"]["missing"] == ["No capacity output for government."]
    assert c["capacity-indicators"]["proposed"] == 0
    assert c["capacity-indicators"]["missing"] == [
        "Only counts of people trained or events held."]
    assert c["levels-and-pairing"]["proposed"] == 1
    assert c["training-centre"]["proposed"] == 0  # people are trained; the Centre is absent
    # "No major risks are foreseen": a negation, not a risk analysis.
    assert c["risks"]["proposed"] == 0
    # "Sustainability will be ensured through the commitment of partners": named, no mechanism.
    assert c["sustainability"]["proposed"] == 1
    assert "No institution is named to take the work over." in c["sustainability"]["missing"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dwcp_without_capacity_outputs_fails_the_gate_and_its_capacity_criteria(fmt):
    screen = _screen("dwcp-no-capacity", fmt, "dwcp")
    c = _by_code(screen)
    assert screen["gate"]["passed"] is False
    assert screen["gate"]["missing_constituents"] == ["government", "employers_org",
                                                       "workers_org"]
    assert c["capacity-outputs"]["proposed"] == 0
    # "No capacity assessment of the constituents has been carried out": negated.
    assert c["capacity-assessment"]["proposed"] == 0
    assert c["training-centre"]["proposed"] == "na"  # no one's capacity is trained
    assert c["priorities-aligned"]["proposed"] == 3


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dwcp_with_capacity_outputs_passes_the_gate(fmt):
    screen = _screen("dwcp-capacity", fmt, "dwcp")
    assert screen["gate"]["passed"] is True
    rows = {o["code"]: o for o in screen["results_framework"]["outputs_found"]}
    assert rows["3.1.2"]["levels"] == ["individual", "organizational"]
    assert rows["3.1.2"]["constituents"] == ["workers_org"]
    assert rows["1.1.2"]["paired_with"] == ["1.1.1"]


def test_pdf_and_docx_of_the_same_document_get_the_same_proposals():
    pdf = _screen("dwcp-capacity", "pdf", "dwcp")
    docx = _screen("dwcp-capacity", "docx", "dwcp")
    assert [c["proposed"] for c in pdf["criteria"]] == [c["proposed"] for c in docx["criteria"]]


def test_a_level_not_stated_comes_from_the_classifier_and_says_so():
    screen = _screen("project-weak", "pdf", "project")
    rows = screen["results_framework"]["outputs_found"]
    unions = next(o for o in rows if "trade union officials" in o["statement"])
    assert unions["levels"] == ["individual"] and unions["level_source"] == "classifier"
    assert unions["constituents"] == ["workers_org"] and unions["constituent_source"] == "cues"
