"""Appraisals in the store: rating, rounds, clearance, history (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tcmap.appraisal import appraisals as lib
from tcmap.appraisal.report import render_html, write_sheet
from tcmap.classify import load_classifier
from tcmap.errors import ConflictError, InputError, NotFoundError, ReviewError

from conftest import DATA

DOCS = DATA / "appraisal"
PASSING = {"context-analysis": 3, "tripartite-ownership": 2, "priorities-aligned": 3,
           "results-framework": 2, "capacity-outputs": 3, "levels-and-pairing": 2,
           "capacity-indicators": 2, "capacity-assessment": 2, "sustainability": 3}


def _create(s, name="dwcp-no-capacity.pdf", template="dwcp"):
    return lib.create_appraisal(s, DOCS / name, template, "ana", classifier=load_classifier())


def test_an_appraisal_keeps_the_prescreen_but_only_a_person_can_clear_it(store):
    with store.session() as s, s.begin():
        sheet = _create(s, "dwcp-capacity.pdf")
        aid = sheet["id"]
        assert sheet["status"] == "draft" and sheet["round"] == 1
        assert sheet["gate"]["passed"] is True
        assert sheet["scores"]["unrated_mandatory"]  # the machine's proposals do not count
        lib.change_status(s, aid, "submit", "ana")
        with pytest.raises(ConflictError) as exc:
            lib.change_status(s, aid, "clear", "chief")
        assert "mandatory criteria not rated" in exc.value.message
        assert "capacity-outputs" in exc.value.current["unrated_mandatory"]


def test_a_failing_mandatory_criterion_refuses_clearance_until_the_revised_round(store):
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        for code, value in PASSING.items():
            lib.rate(s, aid, code, value, "ana")
        lib.rate(s, aid, "capacity-outputs", 0, "ana", comment="No capacity outputs at all",
                 action="Add a capacity output for each constituent group")
        lib.rate(s, aid, "training-centre", "na", "ana")
        sheet = lib.appraisal_sheet(s, aid)
        assert sheet["scores"]["overall"] > 2  # a good mean ...
        assert [f["criterion"] for f in sheet["scores"]["failing_mandatory"]] == [
            "capacity-outputs"]  # ... hides nothing
        lib.change_status(s, aid, "submit", "ana")
        with pytest.raises(ConflictError) as exc:
            lib.change_status(s, aid, "clear", "chief")
        assert "capacity-outputs (0)" in exc.value.message
        lib.change_status(s, aid, "return", "chief", note="See the required actions")
        with pytest.raises(ConflictError):  # the document is with its authors
            lib.rate(s, aid, "capacity-outputs", 3, "ana")
        sheet = lib.change_status(s, aid, "resubmit", "ana",
                                  document=DOCS / "dwcp-capacity.docx",
                                  classifier=load_classifier())
        assert sheet["round"] == 2 and sheet["document"]["name"] == "dwcp-capacity.docx"
        assert sheet["gate"]["passed"] is True
        # Ratings carried over from round 1 must be confirmed in round 2 before clearing.
        with pytest.raises(ConflictError, match="rated only in an earlier round"):
            lib.change_status(s, aid, "clear", "chief")
        for code, value in PASSING.items():
            lib.rate(s, aid, code, value, "ana")
        sheet = lib.change_status(s, aid, "clear", "chief", note="Capacity outputs added")
    assert sheet["status"] == "cleared" and sheet["scores"]["clearable"]
    actions = [(h["action"], h["round"]) for h in sheet["history"] if h["action"] != "rated"]
    assert actions == [("created", 1), ("submitted", 1), ("returned", 1), ("resubmitted", 2),
                       ("cleared", 2)]
    rated = [h for h in sheet["history"] if h["criterion"] == "capacity-outputs"]
    assert rated[0]["before"] is None and rated[1]["before"]["score"] == 3
    assert rated[1]["after"]["score"] == 0 and rated[1]["by"] == "ana"


def test_a_rating_made_on_a_stale_view_is_refused_with_the_current_one(store):
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        lib.rate(s, aid, "risks", 1, "ana", expected_version=0)
        with pytest.raises(ConflictError) as exc:
            lib.rate(s, aid, "risks", 2, "bob", expected_version=0)
        assert exc.value.current["score"] == 1 and exc.value.current["rated_by"] == "ana"
        with pytest.raises(ConflictError):
            lib.change_status(s, aid, "submit", "ana", expected_version=1)


def test_bad_ratings_and_actions_are_refused_with_hints(store):
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        with pytest.raises(ReviewError, match="is not a score"):
            lib.rate(s, aid, "risks", 4, "ana")
        with pytest.raises(ReviewError, match="no criterion 'nope'"):
            lib.rate(s, aid, "nope", 2, "ana")
        with pytest.raises(ReviewError, match="cannot be N/A"):
            lib.rate(s, aid, "capacity-outputs", "na", "ana")
        with pytest.raises(ConflictError, match="'return' needs it to be"):
            lib.change_status(s, aid, "return", "ana", note="x")
        lib.change_status(s, aid, "submit", "ana")
        with pytest.raises(ReviewError, match="needs the actions required"):
            lib.change_status(s, aid, "return", "chief")
        with pytest.raises(NotFoundError):
            lib.appraisal_sheet(s, 999)
        with pytest.raises(NotFoundError):
            lib.appraisal_sheet(s, "x")


def test_ratings_from_a_csv_file_are_all_or_nothing(store, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("criterion,score,comment,action\nrisks,2,Table given,\n"
                    "capacity-outputs,0,None,Add outputs\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("criterion,score\nrisks,2\ncapacity-outputs,9\n", encoding="utf-8")
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        result = lib.rate_many(s, aid, lib.read_ratings_csv(good), "ana")
        assert result["rated"] == 2 and result["ratings"][1]["required_action"] == "Add outputs"
        with pytest.raises(ReviewError, match="Row 3: '9' is not a score"):
            lib.rate_many(s, aid, lib.read_ratings_csv(bad), "ana")
    headless = tmp_path / "headless.csv"
    headless.write_text("risks,2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        lib.read_ratings_csv(headless)
    assert exc.value.code == "bad-ratings-row"


def test_the_sheet_renders_to_html_and_pdf_with_the_failing_criteria_shown(store, tmp_path):
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        lib.rate(s, aid, "capacity-outputs", 0, "ana", action="Add capacity outputs")
        sheet = lib.appraisal_sheet(s, aid)
    html = render_html(sheet)
    assert "Cannot be cleared" in html and "Add capacity outputs" in html
    assert "Failing mandatory criteria" in html and "Fails" in html
    written = write_sheet(sheet, tmp_path, ("html", "pdf", "json"),
                          pdf=lambda h, p: p.write_bytes(b"%PDF-fake " + h[:20].encode()))
    assert set(written) == {"html", "pdf", "json"}
    assert (tmp_path / f"appraisal-{aid}.pdf").read_bytes().startswith(b"%PDF-fake")


def test_the_sheet_escapes_what_people_and_documents_wrote(store):
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        lib.rate(s, aid, "capacity-outputs", 0, "ana", comment="<b>bold</b> & <script>x</script>")
        sheet = lib.appraisal_sheet(s, aid)
    html = render_html(sheet)
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "&gt;" not in style and "&#34;" not in style  # the style sheet itself is not escaped


def test_the_list_shows_status_and_failing_criteria(store):
    with store.session() as s, s.begin():
        aid = _create(s)["id"]
        lib.rate(s, aid, "capacity-outputs", 1, "ana")
        listing = lib.list_appraisals(s)
        assert listing["appraisals"][0]["failing_mandatory"] == ["capacity-outputs"]
        assert listing["appraisals"][0]["gate_passed"] is False
        assert lib.list_appraisals(s, "cleared")["appraisals"] == []
        with pytest.raises(ReviewError):
            lib.list_appraisals(s, "lost")
