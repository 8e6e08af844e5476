"""Importing training events, participants and responses: clean files, re-imports, bad files.

Every bad file is imported on top of the valid set: it must give problems naming row, column,
value and a hint, and leave what is stored exactly as it was (apart from the import's record).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tcmap.store.training import SurveyResponse, TrainingChange, TrainingImport
from tcmap.training import DEMO_FILES
from tcmap.training.events import Index, state
from tcmap.training.importing import import_training

from conftest import DATA, REPO

BAD = DATA / "training"
VALID = sorted((BAD / "valid").glob("*.csv"))


def stored(store) -> dict:
    """Everything stored about training, as plain data."""
    with store.session() as s:
        index = Index(s)
        return {kind: {key: state(kind, obj) for key, obj in table.items()}
                for kind, table in (("event", index.events), ("participant",
                                    index.participants), ("response", index.responses))}


@pytest.fixture
def loaded(store):
    """The store with the valid set imported."""
    report = import_training(store, VALID, by="test")
    assert report.ok, report.to_dict()["problems"]
    return store


def test_the_valid_set_imports_every_row_with_codes_normalised(store):
    report = import_training(store, VALID, by="ana").to_dict()
    assert report["ok"] and report["problems"] == []
    assert {k: (t["rows"], t["inserted"]) for k, t in report["totals"].items()} == {
        "events": (2, 2), "participants": (9, 9), "responses": (13, 13)}
    data = stored(store)
    assert data["event"][("E2",)]["outcome"] == "O10"  # written o10
    assert data["event"][("E2",)]["modality"] == "face_to_face"  # written "Face to face"
    assert data["participant"][("E1", "P2")]["sex"] == "female"  # written F
    assert data["participant"][("E2", "Q2")]["constituent_type"] == "workers_org"  # trade union
    assert data["participant"][("E1", "P5")]["not_reached"] == ["6m"]
    assert ("E2", "Q1", "6m") in data["response"]  # written "6 months after"
    assert data["response"][("E1", "P2", "6m")]["answers"]["barriers"] == "no_support;no_resources"
    assert "improvement_organization" not in data["response"][("E1", "P3", "6m")]["answers"]


def test_reimporting_the_same_files_changes_nothing(loaded):
    before = stored(loaded)
    with loaded.session() as s:
        changes = s.scalar(select(func.count()).select_from(TrainingChange))
    report = import_training(loaded, VALID, by="ana").to_dict()
    assert report["ok"]
    assert all(t["unchanged"] == t["rows"] and t["inserted"] == t["updated"] == 0
               for t in report["totals"].values())
    assert stored(loaded) == before
    with loaded.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainingChange)) == changes
        assert s.scalar(select(func.count()).select_from(TrainingImport)) == 2  # both recorded


def test_the_workbook_holds_the_same_rows_as_the_csv_files(loaded):
    report = import_training(loaded, [BAD / "valid.xlsx"], by="ana").to_dict()
    assert report["ok"], report["problems"]
    assert [s["file"].rsplit(":", 1)[1] for s in report["sheets"]] == [
        "Events", "Participants", "Responses"]
    assert all(t["unchanged"] == t["rows"] for t in report["totals"].values())


def test_a_changed_row_is_updated_and_its_before_and_after_kept(loaded, tmp_path):
    changed = tmp_path / "events.csv"
    changed.write_text((BAD / "valid" / "events.csv").read_text().replace(
        "Labour inspection for inspectors", "Labour inspection: risk-based planning"))
    report = import_training(loaded, [changed], by="ana").to_dict()
    assert report["totals"]["events"] == {"rows": 2, "inserted": 0, "updated": 1,
                                          "unchanged": 1, "rejected": 0}
    with loaded.session() as s:
        change = s.scalars(select(TrainingChange).where(TrainingChange.action == "updated")).one()
        imp = s.get(TrainingImport, change.import_id)
        event = Index(s).events[("E1",)]
    assert change.key == "E1" and imp.by == "ana"
    assert change.before["title"] == "Labour inspection for inspectors"
    assert change.after["title"] == "Labour inspection: risk-based planning"
    assert event.version == 2 and event.source.endswith("events.csv:2")


BAD_FILES = [
    # file, [(code, row, column, value)], what the file tried to store that must not be stored
    ("events-unknown-outcome.csv", [("training-unknown-outcome", 2, "outcome", "O99"),
                                    ("training-unknown-outcome", 3, "outcome", "O42")]),
    ("participants-unknown-constituent-type.csv", [
        ("training-unknown-constituent-type", 2, "constituent_type", "goverment"),
        ("training-unknown-constituent-type", 3, "constituent_type", "ngo")]),
    ("participants-unknown-sex.csv", [("training-unknown-sex", 2, "sex", "x")]),
    ("events-bad-dates.csv", [("training-bad-date", 2, "start_date", "2011-02-30"),
                              ("training-bad-date", 3, "start_date", "14/03/2011")]),
    ("events-end-before-start.csv", [("training-end-before-start", 2, "end_date",
                                      "2011-04-08 to 2011-04-04")]),
    ("responses-unknown-participant.csv", [("training-unknown-participant", 2, "participant",
                                            "P9"),
                                           ("training-unknown-event", 3, "event", "E9")]),
    ("responses-bad-answers.csv", [("training-bad-answer", 2, "applied_knowledge", "yes"),
                                   ("training-bad-answer", 2, "improvement_skills_job", "7"),
                                   ("training-bad-answer", 2, "improvement_organization",
                                    "4.5"),
                                   ("training-bad-answer", 2, "barriers", "no_time")]),
    ("responses-unknown-timing.csv", [("training-unknown-timing", 2, "timing", "9m")]),
    ("events-missing-column.csv", [("training-missing-column", 1, "outcome", None)]),
    ("not-training.csv", [("training-unrecognised-sheet", 1, None, None)]),
]


@pytest.mark.parametrize("name,expected", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_file_gives_located_problems_and_keeps_what_is_stored(loaded, name, expected):
    before = stored(loaded)
    report = import_training(loaded, [BAD / name], by="ana")
    got = [(p.code, p.row, p.column, p.value) for p in report.problems]
    assert got == expected
    for p in report.problems:
        assert p.is_error and p.hint and p.message and p.file.endswith(name)
    assert not report.ok
    assert stored(loaded) == before


def test_duplicate_rows_keep_the_first_and_reject_the_repeats(loaded):
    report = import_training(loaded, [BAD / "participants-duplicate-rows.csv"], by="ana")
    assert [(p.code, p.row, p.value) for p in report.problems] == [
        ("training-duplicate-row", 3, "E2/Q5"), ("training-duplicate-row", 5, "E2/Q6")]
    assert "row 2 of" in report.problems[0].message
    people = stored(loaded)["participant"]
    assert people[("E2", "Q5")]["sex"] == "female" and people[("E2", "Q6")]["sex"] == "male"
    assert report.to_dict()["totals"]["participants"] == {
        "rows": 4, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 2}


def test_an_answer_at_a_timing_that_does_not_ask_it_is_ignored_with_a_warning(loaded):
    report = import_training(loaded, [BAD / "responses-item-not-asked.csv"], by="ana")
    assert report.ok
    assert [(p.code, p.severity, p.column) for p in report.problems] == [
        ("training-item-not-asked", "warning", "applied_knowledge")]
    assert stored(loaded)["response"][("E2", "Q4", "end")]["answers"] == {"satisfaction": 5}


def test_a_rejected_event_takes_its_participants_with_it_and_says_why(store, tmp_path):
    (tmp_path / "events.csv").write_text(
        "event,title,start_date,end_date,outcome\nE7,Course,2011-01-10,2011-01-14,O77\n")
    (tmp_path / "participants.csv").write_text(
        "event,participant,sex,constituent_type\nE7,A1,female,government\n")
    report = import_training(store, [tmp_path / "participants.csv", tmp_path / "events.csv"],
                             by="ana")
    codes = [p.code for p in report.problems]
    assert codes == ["training-unknown-outcome", "training-unknown-event"]
    assert "was rejected (row 2 of" in report.problems[1].message
    assert stored(store)["participant"] == {}


def test_check_only_reports_and_stores_nothing(store):
    report = import_training(store, VALID, by="ana", check=True).to_dict()
    assert report["check"] and report["ok"] and report["totals"]["responses"]["inserted"] == 13
    assert report["import_id"] is None
    assert stored(store) == {"event": {}, "participant": {}, "response": {}}
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(TrainingImport)) == 0


def test_unreadable_missing_and_foreign_files_are_problems_not_exceptions(store, tmp_path):
    binary = tmp_path / "events.csv"
    binary.write_bytes(b"\x00\x01\x02 not text")
    corrupt = tmp_path / "training.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not a workbook")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    report = import_training(store, [binary, corrupt, other, tmp_path / "missing.csv"],
                             by="ana")
    assert [p.code for p in report.problems] == [
        "unreadable-file", "unreadable-file", "unsupported-file-type", "file-not-found"]
    assert not report.ok


def test_the_demo_data_imports_cleanly_and_the_script_rewrites_it_byte_for_byte(
        sqlite_store, tmp_path):
    import runpy

    report = import_training(sqlite_store, DEMO_FILES, by="demo").to_dict()
    assert report["ok"] and report["problems"] == []
    assert report["totals"]["events"]["inserted"] == 12
    assert 350 <= report["totals"]["participants"]["inserted"] <= 450
    script = runpy.run_path(str(REPO / "scripts" / "make_training_demo.py"))
    for path in script["write"](tmp_path):
        assert path.read_bytes() == (Path(DEMO_FILES[0]).parent / path.name).read_bytes()
    with sqlite_store.session() as s:
        timings = set(s.scalars(select(SurveyResponse.timing)))
    assert timings == {"end", "6m", "12m"}


def test_warnings_keep_the_row_and_leave_only_the_bad_value_out(store):
    report = import_training(store, [BAD / "events-warnings.csv"], by="ana")
    assert report.ok
    assert [(p.code, p.severity, p.column, p.value) for p in report.problems] == [
        ("training-unknown-column", "warning", "notes", None),
        ("training-unknown-modality", "warning", "modality", "webinar"),
        ("unknown-country-code", "warning", "venue_country", "XX"),
        ("training-bad-list-value", "warning", "surveys", "18m"),
    ]
    event = stored(store)["event"][("E10",)]
    assert (event["start_date"], event["modality"], event["venue_country"], event["surveys"]
            ) == ("2011-09-05", None, "XX", ["end"])
