"""Review of tags: machine tags merge with people's decisions, which always win; the history."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from tcmap.cli import app, main
from tcmap.cli.common import console
from tcmap.config import Settings
from tcmap.errors import ConflictError, NotFoundError, ReviewError
from tcmap.ingest import import_paths
from tcmap.portfolio import activity_detail
from tcmap.review import (
    add_note,
    apply_machine_tags,
    effective_tags,
    history,
    review,
    tag_dict,
)
from tcmap.store import Activity, Tag, open_store
from tcmap.store.tag import TagEvent

from conftest import DATA

VALID = DATA / "iati-2.0x-valid.xml"
OSH = "XM-DAC-41302-COL-OSH-101"
FW = "ilo-spf-2010-15"
T0 = datetime(2026, 3, 2, 9, 0, 0)
T1 = datetime(2026, 3, 3, 10, 30, 0)
T2 = datetime(2026, 3, 4, 14, 15, 0)

MACHINE = [
    {"dimension": "outcomes", "code": "O6", "confidence": 0.9, "rank": 1, "origin": "rule",
     "evidence": [{"field": "title", "text": "Safe return to work", "start": 0, "end": 19}]},
    {"dimension": "outcomes", "code": "O11", "confidence": 0.7, "rank": 2, "origin": "model",
     "evidence": [{"field": "description", "text": "labour inspectorates"}]},
    {"dimension": "modalities", "code": "training", "confidence": 0.55, "rank": None,
     "origin": "model", "evidence": []},
    {"dimension": "target_groups", "code": "government", "confidence": 0.6, "rank": None,
     "origin": "model", "evidence": [{"text": "labour inspectorates"}]},
]


def _imported(store, *paths) -> int:
    import_paths(store, list(paths or [VALID]), Settings.load(workers=1))
    with store.session() as s:
        return s.scalar(select(Activity.id).where(Activity.iati_identifier == OSH))


def _apply(store, aid, assignments, version="m1", now=T0):
    with store.session() as s, s.begin():
        return apply_machine_tags(s, aid, FW, version, assignments, now=now)


def _review(store, *args, **kw):
    with store.session() as s, s.begin():
        return review(s, OSH, *args, **kw)


def _tags(store, aid) -> dict[tuple[str, str], tuple]:
    with store.session() as s:
        return {(t.dimension, t.code): (t.review_state, t.origin, t.confidence, t.rank,
                                        t.reviewed_by, t.version)
                for t in s.scalars(select(Tag).where(Tag.activity_id == aid))}


def _events(store) -> int:
    with store.session() as s:
        return s.scalar(select(func.count()).select_from(TagEvent))


def _changed(assignments, **by_code):
    return [a | by_code.get(a["code"], {}) for a in assignments]


# --- Machine tags ----------------------------------------------------------------------------


def test_machine_tags_reapplied_unchanged_write_no_events_and_change_nothing(store):
    aid = _imported(store)
    first = _apply(store, aid, MACHINE)
    tags, events = _tags(store, aid), _events(store)

    as_tuples = [a | {"evidence": tuple(a["evidence"])} for a in MACHINE]
    again = _apply(store, aid, as_tuples, now=T1)

    assert first == {"added": 4, "changed": 0, "removed": 0, "kept_person": 0}
    assert again == {"added": 0, "changed": 0, "removed": 0, "kept_person": 0}
    assert events == 4 and _events(store) == 4
    assert _tags(store, aid) == tags
    assert {v[0] for v in tags.values()} == {"machine"} and {v[5] for v in tags.values()} == {1}


def test_a_small_confidence_move_updates_the_tag_quietly_a_large_one_is_an_event(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)

    small = _apply(store, aid, _changed(MACHINE, O6={"confidence": 0.85}), now=T1)
    large = _apply(store, aid, _changed(MACHINE, O6={"confidence": 0.6}), now=T2)
    reranked = _apply(store, aid, _changed(MACHINE, O6={"confidence": 0.6, "rank": 3}), now=T2)

    assert small["changed"] == 0 and large["changed"] == 1 and reranked["changed"] == 1
    assert _tags(store, aid)[("outcomes", "O6")][2:4] == (0.6, 3)
    with store.session() as s:
        latest = history(s, OSH)[0]
    assert (latest["action"], latest["before"]["rank"], latest["after"]["rank"]) == (
        "machine-changed", 1, 3)


def test_a_machine_tag_no_longer_given_is_removed_and_its_history_kept(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)

    counts = _apply(store, aid, MACHINE[:3], version="m2", now=T1)

    assert counts == {"added": 0, "changed": 0, "removed": 1, "kept_person": 0}
    assert ("target_groups", "government") not in _tags(store, aid)
    with store.session() as s:
        removed = history(s, OSH)[0]
    assert removed | {"id": None} == {
        "id": None, "tag_id": None, "dimension": "target_groups", "code": "government",
        "action": "machine-removed", "by": "model:m2", "at": T1.isoformat(),
        "before": {"review_state": "machine", "confidence": 0.6, "rank": None,
                   "origin": "model", "evidence": [{"text": "labour inspectorates"}]},
        "after": None, "note": None}


# --- People's decisions win -----------------------------------------------------------------


def test_accepted_rejected_and_added_tags_survive_a_different_classification(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)
    _review(store, "accept", "outcomes", "O6", "ana", now=T1)
    _review(store, "reject", "outcomes", "O11", "ana", note="no inspection component", now=T1)
    _review(store, "add", "capacity_levels", "organizational", "ana", now=T1)

    # The new model gives none of the decided codes except O11, with another opinion.
    counts = _apply(store, aid, [
        {"dimension": "outcomes", "code": "O11", "confidence": 0.95, "rank": 1,
         "origin": "model", "evidence": [{"text": "inspection"}]},
        {"dimension": "modalities", "code": "policy_advice", "confidence": 0.5, "rank": None,
         "origin": "model", "evidence": []},
    ], version="m2", now=T2)

    tags = _tags(store, aid)
    assert counts == {"added": 1, "changed": 0, "removed": 2, "kept_person": 3}
    assert tags[("outcomes", "O6")][:2] == ("accepted", "rule")
    assert tags[("outcomes", "O11")][:5] == ("rejected", "model", 0.95, 2, "ana")
    assert tags[("capacity_levels", "organizational")][:2] == ("added", "person")
    assert tags[("modalities", "policy_advice")][0] == "machine"
    assert ("modalities", "training") not in tags
    with store.session() as s:
        o11 = s.scalar(select(Tag).where(Tag.activity_id == aid, Tag.code == "O11"))
        assert (o11.model_version, o11.evidence) == ("m2", [{"text": "inspection"}])
        assert effective_tags(s, aid)["outcomes"][0]["code"] == "O6"


def test_decisions_and_history_survive_a_reimport_of_the_changed_file(store, tmp_path):
    path = tmp_path / "portfolio.xml"
    shutil.copy(VALID, path)
    aid = _imported(store, path)
    _apply(store, aid, MACHINE)
    _review(store, "accept", "outcomes", "O11", "ana", now=T1)
    _review(store, "reject", "modalities", "training", "ana", now=T1)
    _review(store, "add", "outcomes", "O5", "ana", now=T1)
    tags = _tags(store, aid)
    with store.session() as s:
        events = history(s, OSH)
    path.write_text(path.read_text().replace(
        "Safe return to work for health and migrant workers during COVID-19",
        "Safe return to work for health workers during COVID-19"))

    report = import_paths(store, [path], Settings.load(workers=1))

    assert report.total("updated") == 1
    assert _imported(store, path) == aid
    assert _tags(store, aid) == tags
    with store.session() as s:
        assert history(s, OSH) == events


# --- Review ---------------------------------------------------------------------------------


def test_history_shows_who_when_before_and_after_newest_first(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)

    result = _review(store, "accept", "outcomes", "O6", "ana", note="title says so", now=T1)
    _review(store, "reject", "outcomes", "O6", "bo", now=T2)

    with store.session() as s:
        events = history(s, OSH)
    assert [(e["action"], e["by"], e["at"]) for e in events[:2]] == [
        ("rejected", "bo", T2.isoformat()), ("accepted", "ana", T1.isoformat())]
    assert events[1] == {k: v for k, v in result.items() if k != "tag"}
    assert events[1]["before"] == {"review_state": "machine", "confidence": 0.9, "rank": 1,
                                   "origin": "rule", "evidence": MACHINE[0]["evidence"]}
    assert events[1]["after"] == events[1]["before"] | {"review_state": "accepted"}
    assert events[1]["note"] == "title says so"
    assert events[0]["before"]["review_state"] == "accepted"
    assert events[-1]["action"] == "machine-added" and events[-1]["by"] == "model:m1"
    assert (result["tag"]["version"], result["tag"]["reviewed_by"]) == (2, "ana")
    assert _tags(store, aid)[("outcomes", "O6")][4:] == ("bo", 3)


def test_a_decision_on_a_stale_version_is_a_conflict_carrying_the_current_tag(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)
    seen = _review(store, "accept", "outcomes", "O11", "ana", now=T1)["tag"]["version"]
    _review(store, "reject", "outcomes", "O11", "bo", expected_version=seen, now=T2)

    with pytest.raises(ConflictError) as err:
        _review(store, "accept", "outcomes", "O11", "ana", expected_version=seen)

    assert err.value.current["review_state"] == "rejected"
    assert err.value.current["reviewed_by"] == "bo"
    assert err.value.current["version"] == seen + 1
    assert _tags(store, aid)[("outcomes", "O11")][0] == "rejected"  # nothing overwritten


def test_an_unknown_code_or_dimension_is_an_error_listing_the_valid_ones(store):
    _imported(store)
    with pytest.raises(ReviewError) as code:
        _review(store, "add", "outcomes", "O99", "ana")
    with pytest.raises(ReviewError) as dimension:
        _review(store, "add", "sdg", "8", "ana")
    with pytest.raises(ReviewError) as boolean:
        _review(store, "add", "world_of_work", "maybe", "ana")

    assert "O99" in code.value.message and "O1, O2" in code.value.hint
    assert "modalities" in dimension.value.hint and "world_of_work" in dimension.value.hint
    assert "world_of_work:true" in boolean.value.hint


def test_accepting_a_tag_that_does_not_exist_says_to_add_it(store):
    _imported(store)
    with pytest.raises(NotFoundError) as err:
        _review(store, "accept", "outcomes", "O2", "ana")
    assert "--add outcomes:O2" in err.value.hint


def test_reviewing_an_unknown_activity_is_not_found(store):
    with store.session() as s, pytest.raises(NotFoundError) as err:
        review(s, "NO-SUCH-ID", "add", "outcomes", "O2", "ana")
    assert "tcmap activities" in err.value.hint


def test_adding_gives_outcomes_the_next_rank_and_accepts_a_machine_tag(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)

    added = _review(store, "add", "outcomes", "o17", "ana")  # codes match case-insensitively
    confirmed = _review(store, "add", "outcomes", "O6", "ana")
    _review(store, "reject", "outcomes", "O11", "ana")
    restored = _review(store, "add", "outcomes", "O11", "ana")

    assert (added["code"], added["action"], added["tag"]["rank"]) == ("O17", "added", 3)
    assert (confirmed["action"], confirmed["tag"]["rank"]) == ("accepted", 1)
    assert (restored["action"], restored["tag"]["rank"]) == ("accepted", 4)


def test_choosing_a_yes_no_value_rejects_the_other(store):
    aid = _imported(store)
    _review(store, "add", "world_of_work", "false", "ana", now=T1)

    _review(store, "add", "world_of_work", "true", "bo", now=T2)

    tags = _tags(store, aid)
    assert tags[("world_of_work", "true")][0] == "added"
    assert tags[("world_of_work", "false")][0] == "rejected"
    with store.session() as s:
        assert [t["code"] for t in effective_tags(s, aid)["world_of_work"]] == ["true"]
        assert history(s, OSH)[0]["note"] == "replaced by world_of_work:true"


def test_a_persons_yes_no_answer_keeps_the_machines_other_answer_out(store):
    aid = _imported(store)
    _review(store, "add", "capacity_development", "true", "ana", now=T1)

    counts = _apply(store, aid, [
        {"dimension": "capacity_development", "code": "false", "confidence": 0.8,
         "rank": None, "origin": "model", "evidence": []}], now=T2)

    assert counts["added"] == 0
    with store.session() as s:
        assert [t["code"] for t in effective_tags(s, aid)["capacity_development"]] == ["true"]


def test_reserved_or_missing_reviewer_names_are_refused(store):
    _imported(store)
    for by in ("", "model:x", "sheet:portfolio.csv"):
        with pytest.raises(ReviewError):
            _review(store, "add", "outcomes", "O2", by)


def test_effective_tags_leave_out_rejected_ones_by_rank_then_confidence(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE + [
        {"dimension": "modalities", "code": "policy_advice", "confidence": 0.8, "rank": None,
         "origin": "model", "evidence": []}])
    _review(store, "reject", "outcomes", "O6", "ana")

    with store.session() as s:
        tags = effective_tags(s, aid)

    assert [t["code"] for t in tags["outcomes"]] == ["O11"]
    assert [t["code"] for t in tags["modalities"]] == ["policy_advice", "training"]


def test_a_note_is_kept_and_shows_in_the_history(store):
    _imported(store)
    with store.session() as s, s.begin():
        event = add_note(s, OSH, "ana", "Ask the office for the inspection figures.", now=T1)
    with store.session() as s:
        assert history(s, OSH) == [event]
        assert activity_detail(s, OSH)["notes"][0]["author"] == "ana"
    assert (event["action"], event["tag_id"], event["note"]) == (
        "note", None, "Ask the office for the inspection figures.")


def test_every_change_moves_the_version_even_a_core_update(store):
    aid = _imported(store)
    _apply(store, aid, MACHINE)
    _apply(store, aid, _changed(MACHINE, O6={"confidence": 0.88}), now=T1)  # quiet, but a change
    assert _tags(store, aid)[("outcomes", "O6")][5] == 2
    with store.engine.begin() as conn:  # as the sheet import accepts a machine tag
        conn.execute(update(Tag).where(Tag.code == "O6").values(review_state="accepted"))
    assert _tags(store, aid)[("outcomes", "O6")][5] == 3


# --- The command line -----------------------------------------------------------------------


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _cli_db(tmp_path, name: str) -> str:
    db = str(tmp_path / name)
    store = open_store(db)
    aid = _imported(store)
    _apply(store, aid, MACHINE)
    store.close()
    return db


def test_cli_review_json_equals_the_library_result(tmp_path, monkeypatch):
    monkeypatch.setattr("tcmap.store.base.utcnow", lambda: T1)
    by_cli, by_library = _cli_db(tmp_path, "cli.db"), _cli_db(tmp_path, "lib.db")

    result = _cli("--db", by_cli, "review", OSH, "--accept", "outcomes:O6", "--by", "ana",
                  "--note", "clear from the title", "--json")

    store = open_store(by_library)
    with store.session() as s, s.begin():
        expected = review(s, OSH, "accept", "outcomes", "O6", "ana",
                          note="clear from the title")
    store.close()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


def test_cli_review_with_several_decisions_prints_a_list_and_uses_user(tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "zoe")
    db = _cli_db(tmp_path, "cli.db")

    result = _cli("--db", db, "review", OSH, "--reject", "outcomes:O11", "--add",
                  "target_groups:workers_org", "--json")

    out = json.loads(result.stdout)
    assert [(r["action"], r["code"], r["by"]) for r in out] == [
        ("rejected", "O11", "zoe"), ("added", "workers_org", "zoe")]
    store = open_store(db)
    with store.session() as s:
        assert [e["action"] for e in history(s, OSH)[:2]] == ["added", "rejected"]
        tag = s.scalar(select(Tag).where(Tag.code == "workers_org"))
        assert out[1]["tag"] == tag_dict(tag)
    store.close()


def test_cli_review_of_an_unknown_code_exits_2_and_records_nothing(tmp_path, capsys):
    db = _cli_db(tmp_path, "cli.db")
    sys_argv = sys.argv
    try:
        sys.argv = ["tcmap", "--db", db, "review", OSH, "--accept", "outcomes:O6",
                    "--add", "outcomes:O99"]
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = sys_argv
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "O99" in err and "Hint" in err
    store = open_store(db)
    with store.session() as s:
        assert [e["action"] for e in history(s, OSH)] == ["machine-added"] * 4  # all or none
    store.close()


def test_cli_review_needs_a_dimension_and_code(tmp_path):
    db = _cli_db(tmp_path, "cli.db")
    with pytest.raises(ReviewError) as err:
        _cli("--db", db, "review", OSH, "--accept", "O6")
    assert "outcomes:O2" in err.value.hint


def test_show_lists_the_tags_with_their_review_and_the_history(tmp_path, monkeypatch):
    monkeypatch.setattr(console, "width", 240)  # so that table cells do not wrap
    db = _cli_db(tmp_path, "cli.db")
    _cli("--db", db, "review", OSH, "--reject", "outcomes:O11", "--by", "ana",
         "--note", "no inspection work")

    shown = _cli("--db", db, "show", OSH)
    as_json = json.loads(_cli("--db", db, "show", OSH, "--json").stdout)

    assert shown.exit_code == 0
    for text in ("Tags: outcomes", "rejected by ana", "History", "model:m1",
                 "no inspection work", "labour inspectorates", "machine 0.70 -> rejected 0.70"):
        assert text in shown.stdout, text
    store = open_store(db)
    with store.session() as s:
        assert as_json["history"] == history(s, OSH)
    store.close()


def test_show_names_the_classifier_by_its_model_version(tmp_path, monkeypatch):
    from tcmap.classify import load_classifier

    monkeypatch.setattr(console, "width", 240)
    db = _cli_db(tmp_path, "classified.db")
    assert _cli("--db", db, "classify").exit_code == 0
    shown = _cli("--db", db, "show", OSH).stdout
    history_part = shown[shown.index("History"):]
    assert f"model {load_classifier().model.version}" in history_part
    assert "@" not in history_part  # the framework's hash and the text model's stay in --json
