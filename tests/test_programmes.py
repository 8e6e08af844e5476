"""Country programmes: import from sheets (all or nothing), edits with history, links, gate."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest
from sqlalchemy import func, select

from tcmap.config import Settings
from tcmap.errors import ConflictError, NotFoundError
from tcmap.ingest import import_paths
from tcmap.results.importing import import_programmes
from tcmap.results.programmes import (
    edit_output,
    gate_input,
    link_activity,
    list_programmes,
    programme_detail,
)
from tcmap.results.recognition import recognise
from tcmap.results.sheets import sheet_specs, write_template
from tcmap.store.programme import (
    ActivityOutcomeLink,
    IndicatorValue,
    Programme,
    ProgrammeOutcome,
    ResultsEvent,
)

from conftest import DATA

RES = DATA / "results"
CODE = "KEN-2013-16"


def ken_files() -> list:
    return sorted(RES.glob("ken-*.csv"))


def load_ken(store, recognised: bool = True) -> dict:
    """The Kenya sample: its activities, the programme sheets, and (optionally) recognition."""
    import_paths(store, [RES / "ken-activities.xml"], Settings.load(workers=1))
    with store.session() as s, s.begin():
        report = import_programmes(s, ken_files(), "ana")
        if recognised:
            recognise(s, "ana")
    return report


@pytest.fixture
def ken(store):
    report = load_ken(store)
    assert report["ok"], report["problems"]
    return store


def test_the_sample_imports_every_sheet(store):
    report = load_ken(store, recognised=False)
    assert report["ok"] and report["imported"] and report["problems"] == []
    created = {sheet: c["created"] for sheet, c in report["counts"].items()}
    assert created == {"programmes": 1, "outcomes": 3, "outputs": 5, "links": 1,
                       "indicators": 2, "values": 5}
    with store.session() as s:
        d = programme_detail(s, CODE)
    assert d["programme"]["period_start"] == "2013-01-01"
    assert d["programme"]["priorities"] == ["Labour administration", "Social dialogue",
                                            "Youth employment"]
    assert [o["code"] for o in d["outcomes"]] == ["KEN101", "KEN102", "KEN103"]
    assert d["outcomes"][0]["framework_title"].startswith("Labour administrations apply")
    assert d["capacity_outputs"] == {"individual": 3, "organizational": 2,
                                     "enabling_environment": 0}
    ken101 = d["outcomes"][0]["activities"]
    assert [(a["origin"], a["output"]) for a in ken101] == [("person", "KEN101.1")]


def test_importing_the_same_files_again_changes_nothing(ken):
    with ken.session() as s, s.begin():
        events = s.scalar(select(func.count(ResultsEvent.id)))
        again = import_programmes(s, ken_files(), "ana")
    assert again["ok"]
    assert all(c["created"] == c["updated"] == 0 for c in again["counts"].values())
    with ken.session() as s:
        assert s.scalar(select(func.count(ResultsEvent.id))) == events


def test_a_workbook_imports_like_the_csv_files(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for path in ken_files():
        ws = wb.create_sheet(path.stem.removeprefix("ken-"))
        with path.open(encoding="utf-8") as fh:
            for i, row in enumerate(csv.reader(fh)):
                # Dates and numbers as a spreadsheet holds them, not as text.
                ws.append([date.fromisoformat(c) if i and len(c) == 10 and c[4] == "-"
                           else float(c) if i and c.replace(".", "", 1).isdigit() else c
                           or None for c in row])
    book = tmp_path / "kenya.xlsx"
    wb.save(book)
    import_paths(store, [RES / "ken-activities.xml"], Settings.load(workers=1))
    with store.session() as s, s.begin():
        report = import_programmes(s, [book], "ana")
    assert report["ok"], report["problems"]
    assert report["counts"]["values"]["created"] == 5
    with store.session() as s:
        assert programme_detail(s, CODE)["capacity_outputs"]["individual"] == 3


def test_the_template_lists_every_sheet_and_imports_as_written(store, tmp_path):
    written = write_template(tmp_path / "programme.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(written[0])
    assert wb.sheetnames == [*sheet_specs(), "Guide"]
    csvs = write_template(tmp_path / "programme.csv")
    assert [p.rsplit("-", 1)[1] for p in csvs] == [f"{s}.csv" for s in sheet_specs()]
    # Its examples are the Kenya sample, whose activities must exist for the links sheet.
    import_paths(store, [RES / "ken-activities.xml"], Settings.load(workers=1))
    with store.session() as s, s.begin():
        report = import_programmes(s, written, "ana")
    assert report["ok"], report["problems"]
    assert report["counts"]["outputs"]["created"] == 2


@pytest.mark.parametrize("bad, code, column", [
    ("bad-unknown-outcome-code.csv", "unknown-outcome-code", "outcome"),
    ("bad-programme-period-overlap.csv", "programme-period-overlap", "period_start"),
    ("bad-actual-without-period.csv", "actual-without-period", "period_start"),
    ("bad-non-numeric-value.csv", "non-numeric-value", "actual"),
    ("bad-indicator-period-overlap.csv", "indicator-period-overlap", "period_start"),
    ("bad-training-count-at-outcome.csv", "indicator-rule-broken", None),
    ("bad-unknown-framework-outcome.csv", "unknown-framework-outcome", "framework_outcome"),
])
def test_a_bad_file_imports_nothing_and_keeps_what_is_stored(ken, bad, code, column):
    with ken.session() as s:
        before = {"outcome": s.scalar(select(ProgrammeOutcome.statement).where(
            ProgrammeOutcome.code == "KEN101")),
            "values": s.scalar(select(func.count(IndicatorValue.id))),
            "events": s.scalar(select(func.count(ResultsEvent.id)))}
    with ken.session() as s, s.begin():
        report = import_programmes(s, [RES / bad], "ana")
    assert not report["ok"] and not report["imported"]
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert [p["code"] for p in errors] == [code]
    p = errors[0]
    assert p["file"] == bad and p["row"] >= 2 and p["hint"]
    if column:
        assert p["column"] == column
    with ken.session() as s:
        after = {"outcome": s.scalar(select(ProgrammeOutcome.statement).where(
            ProgrammeOutcome.code == "KEN101")),
            "values": s.scalar(select(func.count(IndicatorValue.id))),
            "events": s.scalar(select(func.count(ResultsEvent.id)))}
    assert after == before


def test_a_good_row_beside_a_bad_one_is_not_imported_either(ken):
    # bad-unknown-outcome-code.csv also renames output KEN101.1: that must not happen.
    with ken.session() as s, s.begin():
        import_programmes(s, [RES / "bad-unknown-outcome-code.csv"], "ana")
    with ken.session() as s:
        out = programme_detail(s, CODE)["outcomes"][0]["outputs"][0]
    assert out["statement"] == "Labour inspectors trained in risk-based inspection"


def test_an_unreadable_or_unknown_file_is_a_problem_not_a_crash(ken, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,size\nred,3\n", encoding="utf-8")
    with ken.session() as s, s.begin():
        report = import_programmes(s, [junk, odd, tmp_path / "missing.csv"], "ana")
    assert {p["code"] for p in report["problems"]} == {
        "unreadable-file", "programme-unknown-sheet", "file-not-found"}
    assert not report["imported"]


def test_an_output_edit_is_recorded_and_a_stale_one_refused(ken):
    with ken.session() as s, s.begin():
        out = edit_output(s, CODE, "KEN102.1", {"statement": "Employers' leaders trained "
                                                "on member services"}, "ana", 1)
    assert out["version"] == 2
    with ken.session() as s, s.begin():
        ev = s.scalars(select(ResultsEvent).where(ResultsEvent.entity == "output")
                       .order_by(ResultsEvent.id.desc())).first()
        assert ev.by == "ana" and ev.before == {
            "statement": "Employers' organization leaders briefed on member services"}
    with ken.session() as s, s.begin(), pytest.raises(ConflictError) as err:
        edit_output(s, CODE, "KEN102.1", {"statement": "x"}, "bob", 1)
    assert err.value.current["version"] == 2
    with ken.session() as s, s.begin(), pytest.raises(Exception) as err:
        edit_output(s, CODE, "KEN102.1", {"capacity_level": "national"}, "ana")
    assert "capacity_level" in str(err.value)


def test_a_rejected_link_stays_rejected_when_recognition_runs_again(ken):
    ident = "XM-DAC-41302-103906-396087-2013-KEN102"
    with ken.session() as s, s.begin():
        d = link_activity(s, "KEN102", ident, "ana", note="A different project", unlink=True)
    assert d["state"] == "rejected"
    with ken.session() as s, s.begin():
        again = recognise(s, "ana")
    assert again["linked"] == 0 and again["rejected_by_a_person"] == 1
    with ken.session() as s:
        link = s.scalar(select(ActivityOutcomeLink).where(ActivityOutcomeLink.note ==
                                                          "A different project"))
        assert (link.origin, link.state) == ("person", "rejected")


def test_linking_needs_known_records(ken):
    with ken.session() as s, s.begin(), pytest.raises(NotFoundError):
        link_activity(s, "KEN199", "XM-DAC-41302-103906-396087-2013-KEN102", "ana")
    with ken.session() as s, s.begin(), pytest.raises(NotFoundError):
        link_activity(s, "KEN102", "no-such-activity", "ana")


def test_gate_input_has_the_gate_s_shape(ken):
    with ken.session() as s:
        g = gate_input(s, CODE)
    assert set(g) == {"code", "country", "constituents", "outputs"}
    assert g["code"] == CODE and g["country"] == "KE"
    assert g["constituents"] == ["government", "employers_org", "workers_org"]
    assert g["outputs"][0] == {"code": "KEN101.1", "statement": "Labour inspectors trained "
                               "in risk-based inspection", "capacity_level": "individual",
                               "constituent": "government"}
    assert {o["capacity_level"] for o in g["outputs"]} <= {
        "individual", "organizational", "enabling_environment"}


def test_the_list_counts_outputs_by_level_and_linked_activities(ken):
    with ken.session() as s:
        d = list_programmes(s, "ke")
        assert list_programmes(s, "GH")["count"] == 0
    (p,) = d["programmes"]
    assert p["outputs_by_level"] == {"individual": 3, "organizational": 2,
                                     "enabling_environment": 0}
    assert p["activities"] == 3 and p["indicators"] == 2 and p["outcomes"] == 3


def test_deleting_a_programme_takes_its_parts(ken):
    from tcmap.results.programmes import delete_programme

    with ken.session() as s, s.begin():
        delete_programme(s, CODE, "ana")
    with ken.session() as s:
        assert s.scalar(select(func.count(Programme.id))) == 0
        assert s.scalar(select(func.count(IndicatorValue.id))) == 0
        assert s.scalar(select(func.count(ResultsEvent.id))) == 1  # the deletion itself


def test_a_sheet_named_for_its_noun_is_read_as_that_sheet(store, tmp_path):
    # A CSV without the signature column is still recognised by its file name.
    for p in ken_files():
        shutil.copy(p, tmp_path / p.name.replace("ken-", "programmes-2013-"))
    import_paths(store, [RES / "ken-activities.xml"], Settings.load(workers=1))
    with store.session() as s, s.begin():
        report = import_programmes(s, sorted(tmp_path.glob("*.csv")), "ana")
    assert report["ok"], report["problems"]
    assert sorted(f["sheet"] for f in report["files"]) == sorted(sheet_specs())


def test_the_demo_programmes_import_link_the_demo_portfolio_and_load_twice_the_same(tmp_path):
    from tcmap.appraisal.gate import gate_programmes
    from tcmap.demo import DEMO_XML
    from tcmap.results.demo import load_demo
    from tcmap.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    first = load_demo(store)
    assert first["counts"]["programmes"]["created"] == 4 and first["linked"] >= 10
    again = load_demo(store)
    assert again["counts"]["programmes"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert again["linked"] == 0
    with store.session() as s:
        gate = gate_programmes(s)
    # Sri Lanka's programme targets the government and workers with no capacity output.
    assert [p["code"] for p in gate["programmes"] if not p["passed"]] == ["LKA-2013-17"]
