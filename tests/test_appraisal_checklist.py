"""Checklists are data: the packaged templates, a user's own file, and clear faults."""

from __future__ import annotations

import pytest

from tcmap.appraisal.checklist import checklist_from_dict, load_checklist
from tcmap.errors import InputError

from conftest import DATA

CAPACITY = {"capacity-outputs", "levels-and-pairing", "capacity-indicators",
            "capacity-assessment", "sustainability", "training-centre"}


@pytest.mark.parametrize("name", ["dwcp", "project"])
def test_packaged_templates_have_the_capacity_criteria_mandatory_where_required(name):
    checklist = load_checklist(name)
    codes = {c.code: c for c in checklist.criteria}
    assert set(codes) >= CAPACITY
    assert all(codes[c].mandatory and not codes[c].na_allowed for c in CAPACITY - {
        "training-centre"})
    assert not codes["training-centre"].mandatory and codes["training-centre"].na_allowed
    assert checklist.scale == {0: "absent", 1: "weak", 2: "adequate", 3: "strong"}
    assert checklist.pass_mark == 2
    assert all(c.text and c.guidance and c.rule.get("kind") for c in checklist.criteria)


def test_a_checklist_survives_its_round_trip_through_the_store():
    checklist = load_checklist("dwcp")
    assert checklist_from_dict(checklist.to_dict()).criteria == checklist.criteria


def test_a_users_own_checklist_file_loads():
    checklist = load_checklist(str(DATA / "appraisal" / "checklist-custom.yaml"))
    assert checklist.code == "MY_CHECK"
    assert [c.code for c in checklist.criteria] == ["a1", "a2", "b1", "b2", "b3"]


def test_an_unknown_template_is_a_problem_with_a_hint():
    with pytest.raises(InputError) as exc:
        load_checklist("dwcpx")
    assert exc.value.code == "unknown-checklist" and "--template dwcp" in exc.value.hint


def test_a_broken_checklist_file_names_the_field():
    with pytest.raises(InputError) as exc:
        load_checklist(str(DATA / "appraisal" / "checklist-bad.yaml"))
    assert exc.value.code == "invalid-checklist"
    assert "sections[1].criteria[2]" in exc.value.message and "twice" in exc.value.message
