"""The committed demo portfolio is reproducible, large and varied enough, and labelled in taxonomy
codes."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import yaml
from lxml import etree

from tcmap.demo import DEMO_LABELS, DEMO_XML, build_demo

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TCMAP_SHARED_DIR") or REPO.parent / "shared")
TAXONOMY = SHARED / "spec" / "taxonomy.yaml"


@pytest.fixture(scope="module")
def activities() -> list[etree._Element]:
    """The activities of the committed portfolio, parsed without entities or network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(DEMO_XML), parser).getroot().findall("iati-activity")


@pytest.fixture(scope="module")
def labels() -> list[dict]:
    """The committed label lines."""
    return [json.loads(line) for line in DEMO_LABELS.read_text(encoding="utf-8").splitlines()]


def test_committed_files_are_what_the_generator_writes(tmp_path):
    xml_path, labels_path = tmp_path / "demo.xml", tmp_path / "labels.jsonl"
    count = build_demo(xml_path, labels_path)
    assert xml_path.read_bytes() == DEMO_XML.read_bytes()
    assert labels_path.read_bytes() == DEMO_LABELS.read_bytes()
    assert count == len(etree.parse(str(DEMO_XML)).getroot().findall("iati-activity"))


def test_portfolio_is_iati_203_with_at_least_150_activities(activities):
    root = activities[0].getparent()
    assert root.get("version") == "2.03"
    assert root.get("generated-datetime") == "2026-01-01T00:00:00Z"
    assert len(activities) >= 150


def test_every_identified_activity_has_exactly_one_label(activities, labels):
    ids = {a.findtext("iati-identifier") for a in activities} - {None}
    label_ids = [label["id"] for label in labels]
    assert len(label_ids) == len(set(label_ids))
    assert set(label_ids) == ids


def test_labels_cover_all_19_outcomes_at_least_four_times(labels):
    primary = Counter(label["primary_outcome"] for label in labels)
    for number in range(1, 20):
        assert primary[f"O{number}"] >= 4, f"O{number}"


def test_labels_follow_the_labelling_rules(labels):
    for label in labels:
        assert list(label) == ["id", "world_of_work", "outcomes", "primary_outcome",
                               "capacity_development", "modalities", "capacity_levels",
                               "target_groups", "evidence"]
        assert len(label["outcomes"]) <= 3
        assert label["primary_outcome"] == (label["outcomes"] or [None])[0]
        if not label["world_of_work"]:
            assert label["outcomes"] == []
        if not label["capacity_development"]:
            assert label["capacity_levels"] == [] and label["target_groups"] == []
        assert 1 <= len(label["evidence"]) <= 3
    assert sum(not label["world_of_work"] for label in labels) >= 12


def test_evidence_is_copied_verbatim_from_title_or_description(activities, labels):
    texts = {}
    for act in activities:
        parts = act.findall("title/narrative") + act.findall("description/narrative")
        texts.setdefault(act.findtext("iati-identifier"), " ".join(n.text or "" for n in parts))
    for label in labels:
        for phrase in label["evidence"]:
            assert phrase in texts[label["id"]], (label["id"], phrase)


def test_narratives_are_in_english_french_and_spanish(activities):
    only = Counter()
    for act in activities:
        default = act.get(XML_LANG)
        narratives = act.findall("title/narrative") + act.findall("description/narrative")
        langs = {n.get(XML_LANG, default) for n in narratives}
        only["+".join(sorted(langs))] += 1
    assert only["en"] > 100
    assert only["fr"] >= 15
    assert only["es"] >= 12
    assert only["en+fr"] + only["en+es"] >= 3


def test_results_have_indicators_baselines_and_periods(activities):
    with_results = [a for a in activities if a.find("result/indicator/period/target") is not None]
    assert len(with_results) >= 40
    for indicator in activities[0].getparent().iter("indicator"):
        assert indicator.get("measure") in {"1", "2"}
        assert indicator.find("baseline").get("year")


def test_deliberate_rough_edges_are_present(activities):
    ids = Counter(a.findtext("iati-identifier") for a in activities)
    assert ids[None] == 1
    assert any(count == 2 for key, count in ids.items() if key)
    dates = {d.get("iso-date") for a in activities for d in a.iter("activity-date")}
    assert "2011-13-45" in dates
    assert "1,2 million" in {v.text for a in activities for v in a.findall("budget/value")}
    assert "16099" in {s.get("code") for a in activities for s in a.findall("sector")}
    assert sum(a.find("activity-status") is None for a in activities) == 1
    assert sum(a.get("default-currency") is None for a in activities) == 1


def test_scattered_and_social_partner_free_patterns_are_present(activities, labels):
    countries = {}
    for act in activities:
        codes = [c.get("code") for c in act.findall("recipient-country")]
        countries.setdefault(act.findtext("iati-identifier"), codes)
    for country, outcome in (("KE", "O6"), ("PE", "O3")):
        found = [lb for lb in labels if outcome in lb["outcomes"]
                 and country in countries[lb["id"]]]
        assert len(found) >= 3
        assert all(lb["capacity_levels"] == ["individual"] for lb in found)
    for outcome in ("O8", "O15"):
        groups = {g for lb in labels if outcome in lb["outcomes"] for g in lb["target_groups"]}
        assert not groups & {"employers_org", "workers_org"}


@pytest.mark.shared
def test_label_codes_are_codes_of_the_taxonomy(labels):
    if not TAXONOMY.exists():
        pytest.skip(f"{TAXONOMY} is absent")
    taxonomy = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
    for label in labels:
        assert set(label["outcomes"]) <= set(taxonomy["outcomes"]), label["id"]
        assert set(label["modalities"]) <= set(taxonomy["modalities"]), label["id"]
        assert set(label["capacity_levels"]) <= set(taxonomy["capacity_levels"]), label["id"]
        assert set(label["target_groups"]) <= set(taxonomy["target_groups"]), label["id"]
