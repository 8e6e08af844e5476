"""Instruments are data: the packaged ones are complete, and bad files give clear problems."""

from __future__ import annotations

from collections import Counter

import pytest

from tcmap.assessment import available_instruments, check_instrument, load_instrument
from tcmap.errors import InputError, NotFoundError
from tcmap.taxonomy import load_framework

from conftest import DATA

HERE = DATA / "assessment"


def test_the_undp_cube_has_3_levels_4_core_issues_5_functional_capacities_2_questions_each():
    inst = load_instrument("undp-2008")
    assert [i.code for i in inst.levels] == ["enabling_environment", "organizational",
                                             "individual"]
    assert [i.code for i in inst.core_issues] == ["institutional_arrangements", "leadership",
                                                  "knowledge", "accountability"]
    assert len(inst.functional_capacities) == 5
    per_cell = Counter(q.cell for q in inst.questions)
    assert set(per_cell) == set(inst.cells()) and len(per_cell) == 60
    assert min(per_cell.values()) >= 2
    assert (inst.scale_min, inst.scale_max, inst.allow_na) == (1, 5, True)
    assert len(inst.scale_labels) == 5
    assert [(b.code, b.min_gap) for b in inst.bands] == [("high", 2), ("medium", 1),
                                                         ("low", None)]
    assert set(inst.sources) == {"self", "interview", "document"}


def test_the_oca_variant_has_domains_with_benchmarks_on_1_to_4_and_a_verification_step():
    inst = load_instrument("oca")
    assert (inst.scale_min, inst.scale_max, inst.mode, inst.verification) == (
        1, 4, "consensus", True)
    assert inst.functional_capacities == ()
    assert inst.axis_labels["core_issue"] == "Domain"
    assert all(sorted(q.benchmarks) == [1, 2, 3, 4] for q in inst.questions)
    assert min(Counter(q.cell for q in inst.questions).values()) >= 2


def test_instrument_levels_are_capacity_levels_of_the_framework():
    levels = set(load_framework().dimension("capacity_levels").codes)
    for code in available_instruments():
        assert {i.code for i in load_instrument(code).levels} <= levels


def test_question_ids_are_unique_and_readable():
    inst = load_instrument("undp-2008")
    ids = [q.id for q in inst.questions]
    assert len(ids) == len(set(ids))
    assert inst.question("ORG-LD-F2-1").cell == "organizational/leadership/assess_and_define_vision"


def test_a_file_of_the_same_shape_loads_with_its_own_bands():
    inst = load_instrument(HERE / "instrument-small.yaml")
    assert inst.code == "small-test" and len(inst.cells()) == 8 and len(inst.questions) == 16
    assert [b.min_gap for b in inst.bands] == [1.5, 0.5, None]


def test_an_unknown_instrument_names_the_packaged_ones():
    with pytest.raises(NotFoundError) as err:
        load_instrument("undp-2099")
    assert "undp-2008" in err.value.hint and "oca" in err.value.hint


def test_a_missing_file_is_file_not_found():
    with pytest.raises(InputError) as err:
        load_instrument(HERE / "no-such-instrument.yaml")
    assert err.value.code == "file-not-found"


def test_a_yaml_syntax_error_is_reported_with_its_line():
    report = check_instrument(HERE / "instrument-malformed.yaml")
    assert not report["ok"] and report["instrument"] is None
    [p] = report["problems"]
    assert p["code"] == "instrument-unreadable" and p["line"] == 6
    with pytest.raises(InputError) as err:
        load_instrument(HERE / "instrument-malformed.yaml")
    assert err.value.code == "instrument-unreadable" and "line 6" in err.value.message


def test_every_missing_field_is_reported_at_once():
    report = check_instrument(HERE / "instrument-missing-fields.yaml")
    fields = {p["field"] for p in report["problems"]}
    assert {"scale", "priority_bands", "questions"} <= fields
    assert {p["code"] for p in report["problems"]} == {"instrument-invalid"}


def test_unknown_levels_and_core_issues_are_named():
    report = check_instrument(HERE / "instrument-unknown-code.yaml")
    unknown = {(p["field"], p["value"]) for p in report["problems"]
               if p["code"] == "instrument-unknown-code"}
    assert ("levels", "societal") in unknown
    assert ("questions.organizational.finance", "finance") in unknown


def test_a_duplicate_abbreviation_is_refused():
    report = check_instrument(HERE / "instrument-duplicate-code.yaml")
    assert [p["value"] for p in report["problems"]
            if p["code"] == "instrument-duplicate-code"] == ["LD"]


def test_the_packaged_instruments_check_clean():
    for code in available_instruments():
        report = check_instrument(code)
        assert report["ok"] and report["problems"] == [], code
