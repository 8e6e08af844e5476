"""The country-programme gate: a capacity output for each targeted constituent group."""

from __future__ import annotations

from tcmap.appraisal.gate import gate_documents, gate_programme

from conftest import DATA

DOCS = DATA / "appraisal"


def _programme(outputs, constituents=("government", "employers_org", "workers_org")):
    return {"code": "KEL-2012", "country": "KL", "constituents": list(constituents),
            "outputs": outputs}


def _out(code, level, group):
    return {"code": code, "statement": "...", "capacity_level": level, "constituent": group}


def test_a_programme_with_a_capacity_output_per_constituent_passes():
    result = gate_programme(_programme([
        _out("1.1", "organizational", "government"), _out("2.1", "individual", "employers_org"),
        _out("3.1", "enabling_environment", "workers_org"), _out("4.1", None, None)]))
    assert result["passed"] is True and result["missing_constituents"] == []
    assert result["code"] == "KEL-2012" and "2.1" in result["reasons"][0]


def test_a_programme_without_capacity_outputs_for_its_constituents_fails_with_reasons():
    result = gate_programme(_programme([
        _out("1.1", "organizational", "government"),
        _out("2.1", None, "employers_org"),  # an output for employers, but no capacity level
        _out("3.1", "individual", "final_beneficiaries")]))
    assert result["passed"] is False
    assert result["missing_constituents"] == ["employers_org", "workers_org"]
    assert any("employers' organizations (employers_org)" in r for r in result["reasons"])


def test_unknown_levels_and_no_constituents_are_explained():
    result = gate_programme(_programme([_out("1.1", "cosmic", "government")]))
    assert not result["passed"] and any("unknown capacity level 'cosmic'" in r
                                        for r in result["reasons"])
    empty = gate_programme(_programme([], constituents=()))
    assert not empty["passed"] and "names no constituent group" in empty["reasons"][0]


def test_the_document_gate_over_a_batch_gives_the_share_that_pass():
    result = gate_documents([DOCS / "dwcp-capacity.pdf", DOCS / "dwcp-no-capacity.docx",
                             DOCS / "dwcp-no-capacity.pdf", DOCS / "bad-encrypted.pdf"])
    assert [d["passed"] for d in result["documents"]] == [True, False, False]
    assert result["read"] == 3 and result["passed"] == 1 and result["share_passed"] == 0.3333
    assert result["unreadable"][0]["problem"]["code"] == "encrypted-pdf"
    no = result["documents"][1]
    assert no["missing_constituents"] == ["government", "employers_org", "workers_org"]
    assert no["capacity_outputs"] == 0 and no["outputs"] == 5
