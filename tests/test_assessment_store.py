"""Assessments in the store (SQLite and PostgreSQL): ratings, desired levels, responses,
rounds and their changes; bad input is refused with its problem and loses nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tcmap import assessment as A
from tcmap.errors import ConflictError, InputError, NotFoundError
from tcmap.store.assessment import Assessment, AssessmentEvent, AssessmentRating
from tcmap.taxonomy import load_framework

from conftest import DATA

HERE = DATA / "assessment"
FW = load_framework()
SMALL = str(HERE / "instrument-small.yaml")
F1 = "organizational/leadership/engage_stakeholders"


def new(s, **more):
    args = {"constituent": "Ministry of Labour", "constituent_type": "government",
            "country": "ke", "by": "ana", "instrument": SMALL, "scope": ["organizational"],
            "assessed_on": "2012-03-01", "why": "Inspection reform"} | more
    return A.new_assessment(s, FW, **args)["id"]


def ratings_count(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(AssessmentRating))


@pytest.fixture
def rated(store):
    """An assessment of the small instrument's organizational level, rated from
    ratings-valid.csv, with desired levels: the hand-computed case of the scoring tests."""
    with store.session() as s, s.begin():
        aid = new(s)
        report = A.rate_file(s, aid, HERE / "ratings-valid.csv", by="ana")
        assert report["ok"] and (report["written"], report["skipped"]) == (6, 1), report
        A.set_desired(s, aid, "organizational/leadership", 4, set_by="self", by="ana")
    return aid


def test_a_new_assessment_records_why_for_whom_and_its_scope(store):
    with store.session() as s, s.begin():
        aid = new(s, for_whom="Inspection department", for_what="Risk-based planning")
    with store.session() as s:
        d = A.show_assessment(s, aid, FW)
    assert (d["constituent_type"], d["constituent_type_title"][:10], d["country"]) == (
        "government", "Ministries", "KE")
    assert d["purpose"] == {"why": "Inspection reform", "for_whom": "Inspection department",
                            "for_what": "Risk-based planning"}
    assert d["scope"] == [c for c in d["scope"] if c.startswith("organizational/")]
    assert len(d["scope"]) == 4 and d["status"] == "design" and d["round"] == 1
    assert d["events"][0]["kind"] == "created" and d["events"][0]["by"] == "ana"


def test_scores_come_from_the_stored_ratings(store, rated):
    with store.session() as s:
        d = A.show_assessment(s, rated)
    cells = {c["cell"]: c for c in d["cells"]}
    assert (cells[F1]["score"], cells[F1]["n_na"], cells[F1]["gap"]) == (2.5, 1, 1.5)
    assert cells[F1]["band"] == "high"
    lead = [x for x in d["cross_sections"] if x["core_issue"] == "leadership"][0]
    assert (lead["score"], lead["desired"], lead["gap"]) == (3.5, 4.0, 0.5)
    assert d["status"] == "summary"
    q = next(q for q in cells[F1]["questions"] if q["id"] == "ORG-LD-F1-1")
    assert {(x["source"], x["by"], x["score"]) for x in q["ratings"]} == {
        ("document", "ana", 2), ("interview", "bob", 3)}


def test_round_changes_give_one_row_per_cell_rated_in_both_rounds(store, rated):
    with store.session() as s, s.begin():
        follow = A.start_round(s, rated, by="ana", assessed_on="2013-03-01")
        assert (follow["round"], follow["baseline"], follow["series"]) == (2, rated, rated)
        A.rate(s, follow["id"], "ORG-LD-F1-1", 4, by="ana")
        A.rate(s, follow["id"], "ORG-KN-F1-1", 2, by="ana")
        A.rate(s, follow["id"], "ORG-KN-F5-1", 3, by="ana")  # not rated in round 1
    with store.session() as s:
        changes = A.round_changes(s, follow["id"])
        assert A.round_changes(s, rated) == []
    assert changes == [
        {"assessment": follow["id"], "baseline": rated, "constituent": "Ministry of Labour",
         "constituent_type": "government", "country": "KE", "level": "organizational",
         "core_issue": "leadership", "functional_capacity": "engage_stakeholders",
         "before": 2.5, "after": 4.0, "change": 1.5, "from_round": 1, "to_round": 2,
         "date": "2013-03-01"},
        {"assessment": follow["id"], "baseline": rated, "constituent": "Ministry of Labour",
         "constituent_type": "government", "country": "KE", "level": "organizational",
         "core_issue": "knowledge", "functional_capacity": "engage_stakeholders",
         "before": 1.0, "after": 2.0, "change": 1.0, "from_round": 1, "to_round": 2,
         "date": "2013-03-01"},
    ]


def test_a_follow_up_copies_scope_and_desired_levels_and_closes_the_round_before(store, rated):
    with store.session() as s, s.begin():
        follow = A.start_round(s, rated, by="ana", assessed_on="2013-03-01")["id"]
    with store.session() as s:
        before, after = A.show_assessment(s, rated), A.show_assessment(s, follow)
    assert after["scope"] == before["scope"]
    assert [c["desired"] for c in after["cells"]] == [c["desired"] for c in before["cells"]]
    assert before["status"] == "closed" and [r["round"] for r in after["rounds"]] == [1, 2]
    with store.session() as s, s.begin(), pytest.raises(ConflictError) as err:
        A.rate(s, rated, "ORG-LD-F1-1", 5, by="ana")
    assert f"#{follow}" in err.value.message
    with store.session() as s:
        assert A.show_assessment(s, rated)["cells"] == before["cells"]


def test_a_follow_up_dated_before_its_baseline_is_refused(store, rated):
    with store.session() as s, s.begin(), pytest.raises(InputError):
        A.start_round(s, rated, by="ana", assessed_on="2011-01-01")


@pytest.mark.parametrize(("question", "score", "source", "code"), [
    ("ORG-LD-F1-1", 6, "self", "rating-score-out-of-range"),
    ("ORG-LD-F1-1", 0, "self", "rating-score-out-of-range"),
    ("ORG-LD-F1-1", "2.5", "self", "rating-bad-score"),
    ("ORG-LD-F1-1", "high", "self", "rating-bad-score"),
    ("ORG-XX-F1-1", 3, "self", "rating-unknown-question"),
    ("IND-LD-F1-1", 3, "self", "rating-out-of-scope"),
    ("ORG-LD-F1-1", 3, "survey", "rating-unknown-source"),
])
def test_a_bad_rating_is_refused_and_the_stored_one_stays(store, rated, question, score,
                                                         source, code):
    before = ratings_count(store)
    with store.session() as s, s.begin(), pytest.raises(InputError) as err:
        A.rate(s, rated, question, score, by="ana", source=source)
    assert err.value.code == code and err.value.hint
    assert ratings_count(store) == before
    with store.session() as s:
        cell = next(c for c in A.show_assessment(s, rated)["cells"] if c["cell"] == F1)
    assert cell["score"] == 2.5


def test_a_ratings_file_with_problems_writes_nothing_and_lists_every_row(store, rated):
    before = ratings_count(store)
    with store.session() as s, s.begin():
        report = A.rate_file(s, rated, HERE / "ratings-bad.csv", by="ana")
    assert not report["ok"] and report["written"] == 0
    assert [(p["row"], p["code"]) for p in report["problems"]] == [
        (3, "rating-score-out-of-range"), (4, "rating-unknown-question"),
        (5, "rating-out-of-scope"), (6, "rating-unknown-source"), (7, "rating-bad-score"),
        (8, "rating-duplicate-row"), (9, "rating-bad-score")]
    assert all(p["file"].endswith("ratings-bad.csv") for p in report["problems"])
    assert ratings_count(store) == before


def test_a_ratings_file_without_a_score_column_is_one_problem(store, rated):
    with store.session() as s, s.begin():
        report = A.rate_file(s, rated, HERE / "ratings-missing-column.csv", by="ana")
    assert [p["code"] for p in report["problems"]] == ["rating-missing-column"]
    assert report["problems"][0]["column"] == "score"


def test_rating_again_keeps_the_history_and_a_stale_version_is_refused(store, rated):
    with store.session() as s, s.begin():
        second = A.rate(s, rated, "ORG-LD-F5-1", 2, by="ana", evidence="Re-checked",
                        expected_version=1)
    assert (second["version"], second["score"]) == (2, 2)
    with store.session() as s, s.begin(), pytest.raises(ConflictError) as err:
        A.rate(s, rated, "ORG-LD-F5-1", 3, by="ana", expected_version=1)
    assert err.value.current["score"] == 2 and err.value.current["version"] == 2
    with store.session() as s:
        events = s.scalars(select(AssessmentEvent).where(
            AssessmentEvent.subject == "ORG-LD-F5-1").order_by(AssessmentEvent.id)).all()
    assert [(e.before and e.before["score"], e.after["score"]) for e in events] == [
        (None, 4), (4, 2)]


def test_desired_levels_by_prefix_and_who_set_them(store, rated):
    with store.session() as s, s.begin():
        rows = A.set_desired(s, rated, "organizational/knowledge", 5,
                             set_by="primary_client", by="ana")
        assert [r["cell"] for r in rows] == ["organizational/knowledge/engage_stakeholders",
                                             "organizational/knowledge/evaluate"]
        with pytest.raises(InputError):
            A.set_desired(s, rated, F1, 4, set_by="the minister", by="ana")
        with pytest.raises(InputError):
            A.set_desired(s, rated, "individual", 4, set_by="self", by="ana")
        with pytest.raises(InputError):
            A.set_desired(s, rated, F1, 9, set_by="self", by="ana")
        with pytest.raises(ConflictError):
            A.set_desired(s, rated, F1, 3, set_by="self", by="ana", expected_version=7)
    with store.session() as s:
        cells = {c["cell"]: c for c in A.show_assessment(s, rated)["cells"]}
    assert cells["organizational/knowledge/evaluate"]["desired_set_by"] == "primary_client"
    assert cells[F1]["desired"] == 4


def test_response_actions_link_to_an_output_or_activity_and_edits_are_versioned(store, rated):
    with store.session() as s, s.begin():
        a = A.save_action(s, rated, cell=F1, horizon="short", lever="leadership",
                          description="Coach the director", responsible="ILO specialist",
                          cost=12000, currency="usd", linked_output="Output 1.2",
                          linked_activity="XM-DAC-41302-1", by="ana")
        assert (a["currency"], a["cost"], a["version"]) == ("USD", 12000.0, 1)
        b = A.save_action(s, rated, cell=F1, horizon="medium", lever="leadership",
                          description="Coach the director and deputies", by="ana",
                          action_id=a["id"], expected_version=1)
        assert (b["version"], b["horizon"]) == (2, "medium")
        with pytest.raises(ConflictError):
            A.save_action(s, rated, cell=F1, horizon="long", lever="leadership",
                          description="x", by="ana", action_id=a["id"], expected_version=1)
        for bad in ({"horizon": "someday"}, {"lever": "money"}, {"cell": "individual/x"},
                    {"description": " "}, {"currency": "XYZ"}, {"cost": -5}):
            args = {"cell": F1, "horizon": "short", "lever": "knowledge",
                    "description": "Train", "by": "ana"} | bad
            with pytest.raises(InputError):
                A.save_action(s, rated, **args)
    with store.session() as s:
        d = A.show_assessment(s, rated)
    assert [x["description"] for x in d["actions"]] == ["Coach the director and deputies"]
    assert d["status"] == "response_defined"


def test_bad_new_assessments_store_nothing(store):
    cases = [({"constituent_type": "ministry"}, InputError),
             ({"country": "XX"}, InputError),
             ({"constituent": " "}, InputError),
             ({"scope": ["organisational"]}, InputError),
             ({"instrument": "undp-2099"}, NotFoundError),
             ({"instrument": str(HERE / "instrument-malformed.yaml")}, InputError),
             ({"assessed_on": "31/12/2012"}, InputError)]
    for more, error in cases:
        with store.session() as s, s.begin(), pytest.raises(error):
            new(s, **more)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Assessment)) == 0
        with pytest.raises(NotFoundError):
            A.show_assessment(s, 99)


def test_an_edited_instrument_under_the_same_version_is_refused(store, tmp_path):
    edited = tmp_path / "small.yaml"
    edited.write_text((HERE / "instrument-small.yaml").read_text().replace(
        "Does it build alliances?", "Does it build coalitions?"))
    with store.session() as s, s.begin():
        new(s)
    with store.session() as s, s.begin(), pytest.raises(ConflictError) as err:
        new(s, instrument=str(edited))
    assert "new version" in err.value.hint


def test_a_consensus_score_is_verified_and_rating_again_clears_the_verification(store):
    with store.session() as s, s.begin():
        aid = new(s, constituent="Central Organization of Trade Unions",
                  constituent_type="workers_org", instrument="oca", scope=[])
        A.rate(s, aid, "ORG-FIN-1", 4, by="group", evidence="Budget 2012 approved")
        v = A.verify(s, aid, "ORG-FIN-1", 2, by="vic", note="Budget not linked to plan")
        assert (v["score"], v["verified_score"], v["verified_by"]) == (4, 2, "vic")
        with pytest.raises(InputError):
            A.verify(s, aid, "ORG-FIN-2", 2, by="vic")  # nothing to verify yet
    with store.session() as s:
        cell = next(c for c in A.show_assessment(s, aid)["cells"]
                    if c["cell"] == "organizational/financial_management")
    assert cell["score"] == 2.0
    with store.session() as s, s.begin():
        again = A.rate(s, aid, "ORG-FIN-1", 3, by="other", source="document")
    assert again["verified_at"] is None and again["version"] == 2
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(AssessmentRating)) == 1
    with store.session() as s, s.begin(), pytest.raises(InputError):
        A.verify(s, new(s, instrument="undp-2008"), "ORG-LD-F1-1", 3, by="vic")
