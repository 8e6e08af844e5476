"""Outcome codes recognised in real ILO IATI identifiers and in IATI tags."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import select
from test_programmes import CODE, RES, load_ken

from tcmap.results.recognition import candidate_code, outcome_codes_in, recognise, segments
from tcmap.store.programme import ActivityOutcomeLink

from conftest import need_shared

ILO_ID = re.compile(r"XM-DAC-41302-[A-Za-z0-9/_.-]*[A-Za-z0-9]")


def sample() -> list[dict[str, str]]:
    with (RES / "ilo-identifiers.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", sample(), ids=lambda r: r["identifier"])
def test_the_ilo_pattern_finds_the_outcome_code_at_the_end(row):
    found = candidate_code(row["identifier"])
    if row["code"]:
        assert found["code"] == row["code"] and found["year"] == row["year"]
    else:
        assert found is None


def test_real_ilo_identifiers_in_the_shared_data_are_read_right():
    provenance = need_shared("data", "real", "PROVENANCE.md").read_text(encoding="utf-8")
    involved = need_shared("data", "real", "dportal-covid19-2021", "extracts",
                           "ilo_involved.xml").read_text(encoding="utf-8")
    # Complete identifiers only: PROVENANCE.md also abbreviates some with an ellipsis.
    quoted = {m for m in ILO_ID.findall(provenance) if not m.endswith("-")}
    assert "XM-DAC-41302-103349-373566-2014-PSE103" in quoted
    assert candidate_code("XM-DAC-41302-103349-373566-2014-PSE103") == {
        "code": "PSE103", "year": "2014",
        "pattern": "ILO country programme outcome or global product"}
    in_data = set(ILO_ID.findall(involved))
    assert "XM-DAC-41302-FED/2019/413-278" in in_data
    assert all(candidate_code(i) is None for i in in_data)  # project codes, no CPO code
    # Against stored outcome codes, a segment match (not a substring) links.
    assert outcome_codes_in("XM-DAC-41302-103349-373566-2014-PSE103", {"PSE103"}) == [
        {"code": "PSE103", "field": "iati-identifier",
         "value": "XM-DAC-41302-103349-373566-2014-PSE103"}]
    assert outcome_codes_in("XM-DAC-41302-103349-373566-2014-PSE1030", {"PSE103"}) == []


def test_segments_and_tags():
    assert segments("xm-dac-41302-2014-pse103") == ["XM", "DAC", "41302", "2014", "PSE103"]
    known = {"KEN103"}
    assert outcome_codes_in("NO-BRC-971277882-KEN-13/0042", known,
                            tags=[("99", "KEN103", None)])[0]["field"] == "tag/@code"
    assert outcome_codes_in("X-1", known, tags=[("99", None, "ken103")])[0]["field"] == \
        "tag/narrative"
    # SDG targets and other standard vocabularies are not outcome codes.
    assert outcome_codes_in("X-1", known, tags=[("3", "KEN103", None)]) == []
    assert outcome_codes_in("X-1", known, other_identifiers=["ILO-KEN103"])[0]["field"] == \
        "other-identifier"


def test_recognition_links_by_identifier_and_by_tag_once(store):
    load_ken(store, recognised=False)
    with store.session() as s, s.begin():
        first = recognise(s, "ana", CODE)
    assert {(x["activity"], x["outcome"], x["evidence"]["field"]) for x in first["links"]} == {
        ("XM-DAC-41302-103906-396087-2013-KEN102", "KEN102", "iati-identifier"),
        ("NO-BRC-971277882-KEN-13/0042", "KEN103", "tag/@code")}
    # The KEN101 activity was linked by a person in the links sheet: kept as it was.
    assert first["already_linked"] == 1
    with store.session() as s, s.begin():
        second = recognise(s, "ana")
    assert second["linked"] == 0 and second["already_linked"] == 3
    with store.session() as s:
        origins = sorted(s.scalars(select(ActivityOutcomeLink.origin)))
    assert origins == ["person", "recognised", "recognised"]


def test_codes_matching_no_programme_are_listed(store):
    from tcmap.config import Settings
    from tcmap.demo import DEMO_XML
    from tcmap.ingest import import_paths

    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    with store.session() as s, s.begin():
        d = recognise(s, "ana")
    # The demo has 150 distinct ILO-style outcome codes and no programme: none links.
    assert d["linked"] == 0 and d["unknown_codes_total"] == 150
    assert len(d["unknown_codes"]) == 50
    # Three distinct activities end in LKA172 (VNM104 has three rows but two identifiers).
    assert {"code": "LKA172", "activities": 3} in d["unknown_codes"]
