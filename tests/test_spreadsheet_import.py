"""Spreadsheet template and import: one activity per row, from CSV or XLSX."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from tcmap.errors import ConfigError
from tcmap.ingest import import_paths
from tcmap.store import (
    Activity,
    Budget,
    Narrative,
    ParticipatingOrg,
    RecipientCountry,
    RecipientRegion,
    Sector,
    Tag,
)
from tcmap.tabular import KINDS, template_columns
from tcmap.tabular.reader import SheetFile
from tcmap.tabular.template import write_template
from tcmap.taxonomy import load_framework

from conftest import DATA

GHANA = "XM-DAC-41302-GHA/12/01/NOR"
KENYA = "XM-DAC-41302-KEN/13/02/SWE"
SENEGAL = "XM-DAC-41302-SEN/11/50/EEC"
ANDES = "XM-DAC-41302-RLA/12/03/USA"
MOZAMBIQUE = "XM-DAC-41302-MOZ/14/01/PRT"
VALID = ("sheet-valid.csv", "sheet-valid.xlsx")


def _activity(store, identifier: str) -> Activity:
    with store.session() as s:
        return s.scalars(select(Activity).where(Activity.iati_identifier == identifier)).one()


def _rows(store, model, identifier: str) -> list:
    with store.session() as s:
        return list(s.scalars(
            select(model).join(Activity, Activity.id == model.activity_id)
            .where(Activity.iati_identifier == identifier).order_by(model.seq)
        ))


def _tags(store, identifier: str) -> dict[str, list[str]]:
    """Codes per dimension, in rank order."""
    with store.session() as s:
        tags = s.scalars(
            select(Tag).join(Activity, Activity.id == Tag.activity_id)
            .where(Activity.iati_identifier == identifier).order_by(Tag.dimension, Tag.rank)
        ).all()
    out: dict[str, list[str]] = {}
    for t in tags:
        out.setdefault(t.dimension, []).append(t.code)
    return out


def _problems(report) -> list:
    return [p for f in report.files for p in f.problems]


def test_every_template_column_has_a_known_kind_help_and_two_examples():
    names = [c.name for c in template_columns()]
    assert len(names) == len(set(names))
    for col in template_columns():
        assert col.kind in KINDS, col.name
        assert col.help, col.name
        assert len(col.examples) == 2, col.name
    assert [c.name for c in template_columns() if c.required] == ["identifier"]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_examples_import_without_problems(sqlite_store, tmp_path, suffix):
    path = write_template(tmp_path / f"activities{suffix}")
    report = import_paths(sqlite_store, [path])
    assert report.ok
    assert _problems(report) == []
    assert report.total("inserted") == 2
    assert _tags(sqlite_store, GHANA)["outcomes"] == ["O11", "O6"]


def test_xlsx_template_has_a_bold_frozen_header_and_a_guide_with_every_code(tmp_path):
    path = write_template(tmp_path / "activities.xlsx")
    wb = openpyxl.load_workbook(path)
    sheet, guide = wb["Activities"], wb["Guide"]
    header = [c.value for c in sheet[1]]
    assert header == [c.name for c in template_columns()]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet.max_row == 3
    assert sheet.cell(2, header.index("start_planned") + 1).value.date() == date(2012, 3, 1)
    guide_rows = [tuple(r) for r in guide.iter_rows(values_only=True)]
    assert {r[0] for r in guide_rows} >= set(header)
    listed = {(r[0], r[1]) for r in guide_rows}
    framework = load_framework()
    for name in ("outcomes", "modalities", "capacity_levels", "target_groups"):
        assert {(name, c.code) for c in framework.dimensions[name]} <= listed


def test_csv_template_is_a_header_and_two_example_rows(tmp_path):
    path = write_template(tmp_path / "activities.csv")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [c.name for c in template_columns()]
    assert [r[0] for r in rows[1:]] == [GHANA, KENYA]


def test_template_leaves_out_dimensions_the_framework_lacks(tmp_path):
    framework = tmp_path / "outcomes-only.yaml"
    framework.write_text(
        "framework: {code: mini, title: Mini}\noutcomes: {O11: Labour administration}\n",
        encoding="utf-8",
    )
    path = write_template(tmp_path / "mini.csv", str(framework))
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert "outcomes" in header and "modalities" not in header


def test_template_refuses_other_suffixes(tmp_path):
    with pytest.raises(ConfigError) as exc:
        write_template(tmp_path / "activities.ods")
    assert ".xlsx" in exc.value.message and exc.value.hint


@pytest.mark.parametrize("name", VALID)
def test_valid_sheet_imports_every_activity_with_its_values(store, name):
    report = import_paths(store, [DATA / name])
    assert report.ok
    assert _problems(report) == []
    assert report.total("inserted") == 5

    ghana = _activity(store, GHANA)
    assert ghana.title.startswith("Strengthening labour inspection in Ghana")
    assert (ghana.origin, ghana.default_lang, ghana.status) == ("sheet", "en", "2")
    assert (ghana.reporting_org_ref, ghana.reporting_org_type) == ("XM-DAC-41302", "40")
    assert (ghana.start_planned, ghana.end_planned) == (date(2012, 3, 1), date(2014, 2, 28))
    assert (ghana.start_actual, ghana.end_actual, ghana.start_year) == (
        date(2012, 4, 15), None, 2012)
    assert ghana.default_currency == "USD"
    assert ghana.source_line == 2
    titles = {(n.lang, n.kind): n.text for n in _rows(store, Narrative, GHANA)
              if n.owner == "activity" and n.field == "title"}
    assert set(titles) == {("en", None), ("fr", None)}
    assert titles["fr", None].startswith("Renforcement de l'inspection du travail")
    kinds = {n.kind for n in _rows(store, Narrative, GHANA) if n.field == "description"}
    assert kinds == {"1", "2"}
    assert [(s.vocabulary, s.code, s.percentage) for s in _rows(store, Sector, GHANA)] == [
        ("1", "16070", 70.0), ("1", "16020", 30.0)]
    orgs = [(o.role, o.name, o.ref) for o in _rows(store, ParticipatingOrg, GHANA)]
    assert orgs == [
        ("1", "Government of Norway", "XM-DAC-8"),
        ("4", "International Labour Organization", "XM-DAC-41302"),
        ("4", "Ministry of Employment and Labour Relations", None),
    ]
    [budget] = _rows(store, Budget, GHANA)
    assert (budget.value, budget.currency) == (850000.0, "USD")
    assert (budget.period_start, budget.period_end) == (date(2012, 3, 1), date(2014, 2, 28))

    kenya = _activity(store, KENYA)
    assert (kenya.status, kenya.default_currency) == ("2", "USD")  # by name; currency upper-cased
    assert [(c.code, c.percentage) for c in _rows(store, RecipientCountry, KENYA)] == [
        ("KE", 80.0), ("UG", 20.0)]
    assert _rows(store, Budget, KENYA)[0].value == 420000.5
    assert {n.lang: n.text for n in _rows(store, Narrative, KENYA) if n.field == "title"}[
        "es"].startswith("Inicie y Mejore su Negocio")

    senegal = _activity(store, SENEGAL)  # French only: French is its language
    assert (senegal.default_lang, senegal.status) == ("fr", "4")
    assert senegal.title == "Appui au dialogue social tripartite au Sénégal"
    assert (senegal.end_actual, _rows(store, Budget, SENEGAL)[0].currency) == (
        date(2014, 3, 31), "EUR")

    assert [(r.code, r.vocabulary, r.percentage)
            for r in _rows(store, RecipientRegion, ANDES)] == [("489", "1", 30.0)]
    assert [c.code for c in _rows(store, RecipientCountry, ANDES)] == ["PE", "BO"]
    assert ("United States Department of Labor", None) in [
        (o.name, o.ref) for o in _rows(store, ParticipatingOrg, ANDES)]

    mozambique = _activity(store, MOZAMBIQUE)  # title_pt is read though not in the template
    assert mozambique.status == "1"
    assert "pt" in {n.lang for n in _rows(store, Narrative, MOZAMBIQUE) if n.field == "title"}
    assert _rows(store, Budget, MOZAMBIQUE) == []


@pytest.mark.parametrize("name", VALID)
def test_sheet_codes_become_person_tags_ranked_in_cell_order(store, name):
    import_paths(store, [DATA / name])
    assert _tags(store, GHANA) == {
        "capacity_levels": ["individual", "organizational"],
        "modalities": ["training", "knowledge_products"],
        "outcomes": ["O11", "O6"],
        "target_groups": ["government"],
    }
    assert _tags(store, MOZAMBIQUE)["outcomes"] == ["O4"]  # "o4" in the cell
    with store.session() as s:
        tag = s.scalars(select(Tag).where(Tag.code == "O11")).one()
    assert (tag.origin, tag.framework, tag.rank, tag.confidence) == (
        "person", "ilo-spf-2010-15", 1, 1.0)
    assert tag.reviewed_by == f"sheet:{name}"
    assert tag.evidence == [{"field": "outcomes", "value": "O11; O6"}]


def test_reader_yields_rows_numbered_as_in_the_sheet_skipping_blank_ones():
    sheet = SheetFile(DATA / "sheet-valid.xlsx", "sheet-valid.xlsx")
    records = list(sheet)
    assert [(r.identifier, r.line) for r in records] == [
        (GHANA, 2), (KENYA, 3), (SENEGAL, 4), (ANDES, 6), (MOZAMBIQUE, 7)]
    assert sheet.problems == [] and sheet.version is None
    assert all(r.content_hash and not r.rejected for r in records)


def test_same_rows_give_the_same_content_hash_on_every_read():
    first = [r.content_hash for r in SheetFile(DATA / "sheet-valid.csv", "a.csv")]
    again = [r.content_hash for r in SheetFile(DATA / "sheet-valid.csv", "b.csv")]
    assert first == again and len(set(first)) == 5


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_delimited_csv_are_sniffed(sqlite_store, tmp_path, delimiter):
    with (DATA / "sheet-valid.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    path = tmp_path / "activities.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:  # with a BOM this time
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    report = import_paths(sqlite_store, [path])
    assert report.ok and report.total("inserted") == 5
    assert [(c.code, c.percentage) for c in _rows(sqlite_store, RecipientCountry, KENYA)] == [
        ("KE", 80.0), ("UG", 20.0)]


@pytest.mark.parametrize("name", VALID)
def test_importing_the_same_sheet_again_changes_nothing(store, name):
    import_paths(store, [DATA / name])
    before = _activity(store, GHANA)
    report = import_paths(store, [DATA / name])
    assert report.ok
    assert (report.total("inserted"), report.total("updated"), report.total("unchanged")) == (
        0, 0, 5)
    after = _activity(store, GHANA)
    assert (after.id, after.updated_at) == (before.id, before.updated_at)


def test_edited_row_is_updated_in_place_keeping_tags_people_set(store, tmp_path):
    path = tmp_path / "portfolio.csv"
    shutil.copy(DATA / "sheet-valid.csv", path)
    import_paths(store, [path])
    ghana = _activity(store, GHANA)
    with store.session() as s:  # a person adds a code in the app after the import
        s.add(Tag(activity_id=ghana.id, framework="ilo-spf-2010-15", dimension="target_groups",
                  code="workers_org", origin="person", review_state="added",
                  reviewed_by="analyst"))
        s.commit()

    text = path.read_text(encoding="utf-8")
    text = text.replace("training of labour inspectors,", "training of 150 labour inspectors,")
    text = text.replace(",850000,USD,O11; O6,", ",900000,USD,O11; O6; O18,")
    path.write_text(text, encoding="utf-8")
    report = import_paths(store, [path])

    assert report.ok
    assert (report.total("inserted"), report.total("updated"), report.total("unchanged")) == (
        0, 1, 4)
    edited = _activity(store, GHANA)
    assert edited.id == ghana.id
    assert edited.title == ("Strengthening labour inspection in Ghana: "
                            "training of 150 labour inspectors")
    assert [b.value for b in _rows(store, Budget, GHANA)] == [900000.0]
    assert len(_rows(store, Sector, GHANA)) == 2  # parts were replaced, not added to
    tags = _tags(store, GHANA)
    assert tags["outcomes"] == ["O11", "O6", "O18"]
    assert sorted(tags["target_groups"]) == ["government", "workers_org"]

    report = import_paths(store, [path])  # and once more: the person's tag still stands
    assert report.total("unchanged") == 5
    assert "workers_org" in _tags(store, GHANA)["target_groups"]


def test_codes_removed_or_reordered_in_a_sheet_replace_the_sheets_earlier_codes(store, tmp_path):
    path = tmp_path / "portfolio.csv"
    shutil.copy(DATA / "sheet-valid.csv", path)
    import_paths(store, [path])
    ghana = _activity(store, GHANA)
    with store.session() as s:  # a machine tag the sheet will confirm
        s.add(Tag(activity_id=ghana.id, framework="ilo-spf-2010-15", dimension="outcomes",
                  code="O18", origin="model", review_state="machine", confidence=0.6))
        s.commit()
    text = path.read_text(encoding="utf-8").replace(",850000,USD,O11; O6,", ",850000,USD,O18; O11,")
    path.write_text(text, encoding="utf-8")
    import_paths(store, [path])
    assert _tags(store, GHANA)["outcomes"] == ["O18", "O11"]  # O6 went, the order is the sheet's
    with store.session() as s:
        o18 = s.scalars(select(Tag).where(Tag.activity_id == ghana.id, Tag.code == "O18")).one()
    assert (o18.origin, o18.review_state, o18.reviewed_by) == (
        "model", "accepted", "sheet:portfolio.csv")


def test_bad_cells_are_reported_where_they_are_and_good_rows_imported(store):
    report = import_paths(store, [DATA / "sheet-bad-cells.csv"])
    found = {(p.code, p.row, p.column) for p in _problems(report)}
    assert found >= {
        ("bad-date", 3, "start_planned"),
        ("bad-amount", 3, "budget"),
        ("bad-list-value", 4, "funding_orgs"),
        ("bad-percentage", 4, "countries"),
        ("bad-list-value", 4, "countries"),
        ("unknown-country-code", 5, "countries"),
        ("unknown-sector-code", 5, "sectors"),
        ("unknown-code", 5, "status"),
        ("unknown-code", 5, "currency"),
        ("unknown-taxonomy-code", 5, "outcomes"),
        ("unknown-taxonomy-code", 5, "modalities"),
        ("missing-currency", 6, "currency"),
        ("percentages-do-not-sum", 6, "countries"),
        ("missing-title", 7, "title_en"),
        ("missing-identifier", 8, "identifier"),
        ("duplicate-activity-identifier", 10, "identifier"),
        ("unknown-column", 1, "notes"),
    }
    assert [p.column for p in _problems(report) if p.code == "unknown-column"] == ["notes"]
    by_value = {p.value: p for p in _problems(report)}
    assert by_value["31/03/2012"].activity == "XM-DAC-41302-ZMB/12/02/IRL"
    assert by_value["31/03/2012"].file == str(DATA / "sheet-bad-cells.csv")
    assert by_value["Côte d'Ivoire"].code == "bad-list-value"
    assert by_value["O42"].code == "unknown-taxonomy-code"

    fr = report.files[0]
    assert (fr.activities, fr.inserted, fr.rejected) == (9, 7, 2)
    zambia = _activity(store, "XM-DAC-41302-ZMB/12/02/IRL")
    assert (zambia.start_planned, zambia.end_planned) == (None, date(2015, 12, 31))
    assert _rows(store, Budget, "XM-DAC-41302-ZMB/12/02/IRL") == []
    ivory = "XM-DAC-41302-CIV/13/01/FRA"
    assert [(c.code, c.percentage) for c in _rows(store, RecipientCountry, ivory)] == [
        ("CI", None)]
    assert [o.name for o in _rows(store, ParticipatingOrg, ivory)] == ["Ministère du Travail"]
    nepal = _activity(store, "XM-DAC-41302-NPL/12/04/GBR")
    assert (nepal.status, nepal.default_currency) == (None, None)
    assert [c.code for c in _rows(store, RecipientCountry, nepal.iati_identifier)] == ["NP", "XX"]
    assert [s.code for s in _rows(store, Sector, nepal.iati_identifier)] == ["16070", "99999"]
    assert _tags(store, nepal.iati_identifier) == {"modalities": ["study_visit"],
                                                   "outcomes": ["O7"]}
    assert _activity(store, "XM-DAC-41302-ETH/14/01/ITA").title is None
    assert _activity(store, GHANA).title == "Strengthening labour inspection in Ghana"


def test_missing_identifier_column_is_one_problem_and_imports_nothing(store):
    report = import_paths(store, [DATA / "sheet-missing-identifier-column.csv"])
    [problem] = _problems(report)
    assert (problem.code, problem.column, problem.row) == ("missing-column", "identifier", 1)
    assert report.files[0].refused and report.total("activities") == 0
    with store.session() as s:
        assert s.scalars(select(Activity)).all() == []


def test_corrupt_xlsx_is_one_problem_and_imports_nothing(store):
    report = import_paths(store, [DATA / "sheet-corrupt.xlsx"])
    [problem] = _problems(report)
    assert problem.code == "unreadable-file" and problem.hint
    assert report.files[0].refused
    with store.session() as s:
        assert s.scalars(select(Activity)).all() == []


def test_csv_that_is_not_utf8_text_is_one_problem(sqlite_store, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((DATA / "sheet-valid.csv").read_text(encoding="utf-8").encode("cp1252"))
    report = import_paths(sqlite_store, [path])
    [problem] = _problems(report)
    assert problem.code == "unreadable-file" and "UTF-8" in problem.message
    assert report.total("inserted") == 0


def test_header_only_sheet_imports_nothing_with_a_warning(sqlite_store, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("identifier,title_en\n", encoding="utf-8")
    report = import_paths(sqlite_store, [path])
    assert [p.code for p in _problems(report)] == ["empty-sheet"]
    assert report.ok and report.files[0].status == "empty"


def test_report_is_ok_with_warnings_and_not_ok_with_rejected_rows_or_refused_files(
    sqlite_store, tmp_path
):
    assert import_paths(sqlite_store, [DATA / "sheet-valid.csv"]).ok
    assert not import_paths(sqlite_store, [DATA / "sheet-bad-cells.csv"]).ok
    assert not import_paths(sqlite_store, [DATA / "sheet-missing-identifier-column.csv"]).ok
    assert not import_paths(sqlite_store, [DATA / "sheet-corrupt.xlsx"]).ok

    lines = (DATA / "sheet-bad-cells.csv").read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.endswith(("no identifier", "duplicate identifier"))]
    warnings_only = tmp_path / "warnings-only.csv"
    warnings_only.write_text("\n".join(kept) + "\n", encoding="utf-8")
    report = import_paths(sqlite_store, [warnings_only])
    assert report.ok and _problems(report)
    assert report.total("rejected") == 0
