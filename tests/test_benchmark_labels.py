"""The labels kept under benchmarks/data (second readings) follow LABELLING.md and the taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tcmap.classify.jsonl import read_labels
from tcmap.taxonomy import load_framework

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data"
SETS = ("outcomes", "modalities", "capacity_levels", "target_groups")


@pytest.mark.parametrize("name, count", [("dev-second-reading.jsonl", 90),
                                         ("dportal-second-reading.jsonl", 600)])
def test_second_readings_use_the_taxonomys_codes_and_the_labelling_rules(name, count):
    fw = load_framework()
    labels = read_labels(DATA / name)
    assert len(labels) == count == len({g["id"] for g in labels})
    for g in labels:
        for dim in SETS:
            assert set(g[dim]) <= set(fw.dimension(dim).codes), (g["id"], dim)
        if not g["capacity_development"]:
            assert g["capacity_levels"] == g["target_groups"] == [], g["id"]
        if not g["world_of_work"]:
            assert g["outcomes"] == [] and g["primary_outcome"] is None, g["id"]
        assert len(g["outcomes"]) <= 3
        assert g["primary_outcome"] == (g["outcomes"][0] if g["outcomes"] else None), g["id"]
        assert 1 <= len(g["evidence"]) <= 3, g["id"]
