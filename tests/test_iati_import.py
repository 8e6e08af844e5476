"""Importing IATI XML through the library: what lands in the store, and the problems reported."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date

import pytest
from lxml import etree
from sqlalchemy import func, select, text

from tcmap.config import Settings
from tcmap.errors import problem_catalogue
from tcmap.ingest import import_paths
from tcmap.store import Activity, Base, Note, SourceFile, Tag, open_store

from conftest import DATA

V1 = DATA / "iati-1.0x-valid.xml"
V2 = DATA / "iati-2.0x-valid.xml"
V2_GZ = DATA / "gzipped-valid.xml.gz"
OVERSIZED = DATA / "oversized-text.xml.gz"
REFUSED_FOR_DTD = ["billion-laughs.xml", "external-entity.xml", "external-dtd.xml"]
SAMPLES = sorted(p.name for p in DATA.iterdir() if p.name.endswith((".xml", ".xml.gz")))


def run_import(store, *paths, **settings):
    """Import in this process unless the test asks for workers."""
    settings.setdefault("workers", 1)
    return import_paths(store, list(paths), Settings.load(**settings))


def line_of(path, needle: str, nth: int = 1) -> int:
    """The line number of the nth line of the file that contains the text."""
    hits = [no for no, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[nth - 1]


def activity(session, identifier: str) -> Activity:
    return session.scalars(select(Activity).where(Activity.iati_identifier == identifier)).one()


def row_counts(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                for t in store.tables() if t != "alembic_version"}


def identifiers(store) -> set[str]:
    with store.session() as s:
        return set(s.scalars(select(Activity.iati_identifier)))


def only_problem(report, code: str):
    """The file's single problem, checked to be of the code and to carry the file's name."""
    (fr,) = report.files
    assert [p.code for p in fr.problems] == [code], [p.to_dict() for p in fr.problems]
    assert fr.problems[0].file == fr.path
    return fr.problems[0]


# --- IATI 1.0x --------------------------------------------------------------------------------


def test_1_0x_file_imports_with_codes_normalised_to_their_2_0x_form(store):
    report = run_import(store, V1)
    (fr,) = report.files
    assert report.ok and fr.version == "1.03" and (fr.inserted, fr.problems) == (3, [])
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-BGD-LI-001")
        assert [o.role for o in a.participating_orgs] == ["1", "4"]
        assert [t.type for t in a.transactions] == ["2", "3", "4"]
        assert [(t.value, t.currency) for t in a.transactions] == [
            (2400000, "USD"), (300000, "USD"), (410000.25, "USD")]
        assert [(x.vocabulary, x.code, x.percentage) for x in a.sectors] == [
            ("1", "16070", 70), ("1", "15110", 30)]
        assert [(m.vocabulary, m.code, m.significance) for m in a.policy_markers] == [
            ("1", "1", "1")]
        assert [(c.code, c.percentage) for c in a.countries] == [("BD", 80), ("KH", 20)]
        assert [(b.type, b.value, b.currency, b.period_start) for b in a.budgets] == [
            ("1", 750000, "USD", date(2012, 1, 1)), ("2", 820000.5, "USD", date(2013, 1, 1))]
        (result,) = a.results
        (indicator,) = result.indicators
        (baseline,) = indicator.baselines
        (period,) = indicator.periods
        assert (result.type, result.title) == ("1", "Labour inspectors trained")
        assert (indicator.measure, indicator.ascending) == ("1", True)
        assert (baseline.year, baseline.value, baseline.comment) == (
            2011, 120, "Inspectors in post at the start")
        assert (period.period_start, period.target, period.actual) == (date(2012, 1, 1), 320, 275)
        (doc,) = a.document_links
        assert (doc.categories, doc.languages, doc.format) == ("A01", "en", "application/pdf")
        assert [(r.ref, r.type) for r in a.related_activities] == [("XM-DAC-41302-BGD-LI", "1")]
        (other,) = a.other_identifiers
        assert (other.ref, other.owner_ref, other.owner_name) == (
            "MOLE-2012-07", "BD-MOLE", "Ministry of Labour and Employment, Bangladesh")
        assert (a.reporting_org_ref, a.reporting_org_name) == (
            "XM-DAC-41302", "International Labour Organization")
        assert (a.status, a.default_aid_type, a.hierarchy) == ("2", "C01", 1)
        assert [o.role for o in activity(s, "XM-DAC-41302-MOZ-SP-003").participating_orgs] == [
            "1", "3", "4"]


def test_1_0x_activity_dates_land_in_their_columns_even_as_element_text(store):
    run_import(store, V1)
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-BGD-LI-001")
        assert (a.start_planned, a.start_actual, a.end_planned, a.end_actual) == (
            date(2012, 1, 1), date(2012, 3, 15), date(2014, 12, 31), date(2014, 6, 30))
        assert a.start_year == 2012
        b = activity(s, "XM-DAC-41302-GHA-CL-002")
        assert (b.start_planned, b.start_actual, b.start_year) == (date(2011, 7, 1), None, 2011)


def test_1_0x_titles_and_descriptions_keep_every_language(store):
    run_import(store, V1)
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-BGD-LI-001")
        own = [n for n in a.narratives if n.owner == "activity"]
        titles = {n.lang: n.text for n in own if n.field == "title"}
        assert titles == {
            "fr": "Renforcement de l'inspection du travail au Bangladesh",
            "en": "Strengthening labour inspection in Bangladesh",
            "es": "Fortalecimiento de la inspección del trabajo en Bangladesh",
        }
        descriptions = [(n.kind, n.lang) for n in own if n.field == "description"]
        assert descriptions == [("1", "en"), ("1", "fr")]
        assert [o.name for o in a.participating_orgs] == [
            "Netherlands", "International Labour Organization"]


def test_1_0x_title_column_is_in_the_activity_language(store):
    run_import(store, V1)
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-BGD-LI-001")
        assert a.default_lang == "en"
        assert a.title == "Strengthening labour inspection in Bangladesh"


# --- IATI 2.0x --------------------------------------------------------------------------------


def test_2_0x_file_keeps_every_narrative_with_its_language(store):
    report = run_import(store, V2)
    assert report.ok and report.files[0].version == "2.03" and report.files[0].inserted == 3
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-COL-OSH-101")
        own = [(n.field, n.kind, n.lang) for n in a.narratives if n.owner == "activity"]
        assert own == [("title", None, "en"), ("title", None, "fr"), ("title", None, "es"),
                       ("description", "1", "en"), ("description", "1", "es"),
                       ("description", "2", "en"), ("description", "2", "fr")]
        assert a.title == "Safe return to work for health and migrant workers during COVID-19"
        assert [n.lang for n in a.narratives if n.owner == "reporting-org"] == ["en", "fr", "es"]
        # The title column follows the activity's own language.
        b = activity(s, "XM-DAC-41302-SEN-SP-102")
        assert b.default_lang == "fr" and b.title.startswith("Extension de la protection sociale")
        assert b.reporting_org_name == "Organisation internationale du Travail"
        c = activity(s, "XM-DAC-41302-GTM-CL-103")
        assert c.default_lang == "es" and c.title.startswith("Prevención del trabajo infantil")


def test_2_0x_file_imports_results_indicators_baselines_and_periods(store):
    run_import(store, V2)
    with store.session() as s:
        (result,) = activity(s, "XM-DAC-41302-COL-OSH-101").results
        assert (result.type, result.aggregation_status) == ("2", True)
        assert result.title == "Workplaces apply COVID-19 prevention plans"
        share, trained = result.indicators
        assert (share.measure, trained.measure) == ("2", "1")
        assert [(b.year, b.baseline_date, b.value, b.comment) for b in share.baselines] == [
            (2020, date(2020, 6, 1), 12.5, "Inspection records, June 2020")]
        assert [(p.period_no, p.period_start, p.period_end, p.target, p.actual)
                for p in share.periods] == [
            (1, date(2020, 6, 1), date(2020, 12, 31), 40, 35.5),
            (2, date(2021, 1, 1), date(2021, 12, 31), 70, 64)]
        assert share.periods[1].target_comment == "Revised after the second wave"
        assert [(p.target, p.actual) for p in trained.periods] == [(150, 180), (300, 290)]
        assert [b.value for b in trained.baselines] == [0]


def test_2_0x_file_imports_money_places_tags_and_dates(store):
    run_import(store, V2)
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-COL-OSH-101")
        assert [(b.value, b.currency, b.status) for b in a.budgets] == [
            (1500000, "USD", "2"), (900000, "EUR", "1")]
        first, second = a.transactions
        assert (first.type, first.value, first.currency, first.description) == (
            "2", 2200000, "EUR", "Commitment from Germany")
        assert (first.provider_ref, first.provider_name, first.receiver_ref) == (
            "XM-DAC-5", "Germany", "XM-DAC-41302")
        assert (second.currency, second.receiver_name) == (
            "USD", "Ministerio del Trabajo de Colombia")
        assert [(c.code, c.percentage) for c in a.countries] == [("CO", 50), ("PE", 30)]
        assert [(r.code, r.vocabulary, r.percentage) for r in a.regions] == [("489", "1", 20)]
        assert [(t.vocabulary, t.code) for t in a.iati_tags] == [("3", "8.8"), ("2", "3")]
        assert a.iati_tags[0].text.startswith("Protect labour rights")
        assert ("99", "https://www.ilo.org/outcomes", "O6") in [
            (x.vocabulary, x.vocabulary_uri, x.code) for x in a.sectors]
        assert (a.humanitarian, a.start_year, a.start_actual) == (True, 2020, date(2020, 7, 15))
        b = activity(s, "XM-DAC-41302-SEN-SP-102")
        assert (b.humanitarian, b.start_year, b.default_currency) == (None, 2019, "EUR")
        assert [(t.value, t.currency) for t in b.transactions] == [(1350000, "EUR"),
                                                                   (380000, "EUR")]
        c = activity(s, "XM-DAC-41302-GTM-CL-103")
        assert (c.humanitarian, c.start_year, c.end_actual) == (False, 2017, date(2020, 1, 31))
        assert [(x.value, x.currency, x.type) for x in c.budgets] == [
            (250000, "USD", "2"), (1900000, "GTQ", "1")]


# --- Gzip, re-import and updates --------------------------------------------------------------


def _content(store) -> dict[str, list]:
    """Every row of the tables that come from the input, without ids, times or file links."""
    skip = {"id", "activity_id", "source_file_id", "first_imported_at", "updated_at",
            "imported_at", "path", "name", "sha256", "size"}
    out = {}
    with store.engine.connect() as conn:
        for name, table in Base.metadata.tables.items():
            if name not in ("source_files", "search_queue"):  # the queue is SQLite's index work
                rows = conn.execute(select(table)).mappings()
                out[name] = sorted(repr(sorted((k, _number(v)) for k, v in r.items()
                                               if k not in skip)) for r in rows)
    return out


def _number(value):
    """Amounts as floats: SQLite hands back whole amounts as int."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def test_gzipped_file_reads_the_same_as_the_plain_file(store, tmp_path):
    assert gzip.decompress(V2_GZ.read_bytes()) == V2.read_bytes()  # the sample is in step
    plain = run_import(store, V2)
    other = open_store(f"sqlite:///{tmp_path / 'gz.db'}")
    try:
        zipped = run_import(other, V2_GZ)
        assert zipped.files[0].to_dict() | {"path": ""} == plain.files[0].to_dict() | {"path": ""}
        assert _content(other) == _content(store)
    finally:
        other.close()
    again = run_import(store, V2_GZ).files[0]
    assert (again.unchanged, again.inserted, again.updated) == (3, 0, 0)


def test_importing_the_same_file_twice_reports_unchanged_and_writes_nothing(store):
    first = run_import(store, V2).files[0]
    counts = row_counts(store)
    second = run_import(store, V2).files[0]
    assert (first.inserted, first.status) == (3, "imported")
    assert (second.inserted, second.updated, second.unchanged, second.status) == (
        0, 0, 3, "unchanged")
    assert row_counts(store) == counts
    assert counts["activities"] == 3 and counts["source_files"] == 1


def test_changed_activity_is_updated_in_place_with_its_parts_replaced(store, tmp_path):
    path = tmp_path / "portfolio.xml"
    shutil.copy(V2, path)
    run_import(store, path)
    counts = row_counts(store)
    with store.session() as s:
        before = activity(s, "XM-DAC-41302-COL-OSH-101")
        old_id, parts = before.id, len(before.narratives)
    old_title = "Safe return to work for health and migrant workers during COVID-19"
    new_title = "Safe return to work for health workers during COVID-19"
    path.write_text(path.read_text().replace(old_title, new_title))

    fr = run_import(store, path).files[0]

    assert (fr.inserted, fr.updated, fr.unchanged) == (0, 1, 2)
    assert row_counts(store) == counts | {"source_files": 2}  # the edited file is a new source
    with store.session() as s:
        after = activity(s, "XM-DAC-41302-COL-OSH-101")
        assert (after.id, after.title, len(after.narratives)) == (old_id, new_title, parts)
        texts = [n.text for n in after.narratives]
        assert new_title in texts and old_title not in texts
        assert [p.period_no for i in after.results[0].indicators for p in i.periods] == [
            1, 2, 1, 2]


@pytest.mark.parametrize("comment", ["", "<!-- <iati-activity> was here -->",
                                     "<![CDATA[</iati-activity>]]>"])
def test_a_changed_activity_is_found_even_when_comments_hide_tags(store, tmp_path, comment):
    # The reader fingerprints each activity's bytes as they stream past; a comment or CDATA
    # that looks like a tag must not shift the fingerprints onto the wrong activities.
    path = tmp_path / "portfolio.xml"
    text = V2.read_text()
    first = text.index("<iati-activity ")
    if comment.startswith("<!--"):
        text = text[:first] + comment + "\n  " + text[first:]
    elif comment:  # CDATA is only allowed inside an element: put it in the first description
        text = text.replace("</narrative>", comment + "</narrative>", 1)
    path.write_text(text)
    run_import(store, path)
    assert run_import(store, path).files[0].unchanged == 3
    old_title = "Safe return to work for health and migrant workers during COVID-19"
    path.write_text(text.replace(old_title, "Safe return to work for health workers"))

    fr = run_import(store, path).files[0]

    assert (fr.inserted, fr.updated, fr.unchanged) == (0, 1, 2)


def test_fingerprints_do_not_depend_on_how_the_parser_chunks_the_file():
    import io

    from tcmap.iati.reader import _Limited

    data = V2.read_bytes()
    prints = []
    for size in (7, 64, 4096, 1 << 20):
        stream = _Limited(io.BytesIO(data), 1 << 30, 1 << 30, "x")
        while stream.read(size):
            pass
        prints.append(list(stream.fingerprints))
    assert len(prints[0]) == 3 and all(p == prints[0] for p in prints)


def test_appending_an_activity_leaves_the_others_unchanged(store, tmp_path):
    path = tmp_path / "portfolio.xml"
    shutil.copy(V2, path)
    run_import(store, path)
    new = etree.parse(str(DATA / "missing-version.xml")).find("iati-activity")
    block = etree.tostring(new, with_tail=False).decode()
    path.write_text(path.read_text().replace(
        "</iati-activities>", f"  {block}\n</iati-activities>"))

    fr = run_import(store, path).files[0]

    assert (fr.inserted, fr.updated, fr.unchanged) == (1, 0, 3)


def test_tags_and_notes_survive_reimport_of_a_changed_file(store, tmp_path):
    path = tmp_path / "portfolio.xml"
    shutil.copy(V2, path)
    run_import(store, path)
    with store.session() as s, s.begin():
        a = activity(s, "XM-DAC-41302-COL-OSH-101")
        aid = a.id
        s.add(Tag(activity_id=aid, framework="ilo-spf-2010-15", dimension="outcomes",
                  code="O11", origin="person", review_state="added"))
        s.add(Note(activity_id=aid, author="ana", text="Check the inspection figures."))
    path.write_text(path.read_text().replace("Share of inspected workplaces",
                                             "Proportion of inspected workplaces"))

    fr = run_import(store, path).files[0]

    assert fr.updated == 1
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-COL-OSH-101")
        assert a.id == aid
        assert a.results[0].indicators[0].title.startswith("Proportion of inspected")
        assert [(t.code, t.origin, t.review_state) for t in a.tags] == [("O11", "person", "added")]
        assert [(n.author, n.text) for n in a.notes] == [("ana", "Check the inspection figures.")]


# --- Problems in activities: errors reject the activity, warnings keep it ---------------------


def test_activity_without_identifier_is_rejected_and_the_others_kept(store):
    path = DATA / "missing-identifier.xml"
    report = run_import(store, path)
    (fr,) = report.files
    assert (fr.activities, fr.inserted, fr.rejected, fr.refused) == (4, 2, 2, False)
    assert [p.code for p in fr.problems] == ["missing-identifier"] * 2
    assert [p.line for p in fr.problems] == [
        line_of(path, "<iati-activity", 2), line_of(path, "<iati-activity", 3)]
    assert all(p.file == str(path) and p.is_error for p in fr.problems)
    assert identifiers(store) == {"XM-DAC-41302-TEST-GOOD-1", "XM-DAC-41302-TEST-GOOD-2"}
    assert not report.ok


def test_repeated_identifier_keeps_the_first_copy_and_rejects_the_later_one(store):
    path = DATA / "duplicate-identifier.xml"
    report = run_import(store, path)
    p = only_problem(report, "duplicate-activity-identifier")
    assert (p.file, p.line, p.activity, p.field, p.value) == (
        str(path), line_of(path, 'last-updated-datetime="2021-03-03'),
        "XM-DAC-41302-TEST-GOOD-1", "iati-identifier", "XM-DAC-41302-TEST-GOOD-1")
    fr = report.files[0]
    assert (fr.inserted, fr.rejected) == (2, 1) and not report.ok
    with store.session() as s:
        assert activity(s, "XM-DAC-41302-TEST-GOOD-1").title == "Labour inspection in Ghana"


def test_impossible_date_is_dropped_with_a_warning_and_the_activity_kept(store):
    path = DATA / "bad-date.xml"
    report = run_import(store, path)
    p = only_problem(report, "bad-date")
    assert (p.severity, p.file, p.line, p.activity, p.field, p.value) == (
        "warning", str(path), line_of(path, "2020-02-30"), "XM-DAC-41302-TEST-BAD-DATE",
        "activity-date[type=1]", "2020-02-30")
    assert report.ok and report.files[0].inserted == 2
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-TEST-BAD-DATE")
        assert (a.start_planned, a.start_actual, a.start_year) == (None, date(2020, 4, 1), 2020)


def test_amount_with_thousands_separators_is_dropped_with_a_warning(store):
    path = DATA / "bad-amount.xml"
    report = run_import(store, path)
    p = only_problem(report, "bad-amount")
    assert (p.severity, p.line, p.activity, p.field, p.value) == (
        "warning", line_of(path, "1,250,000.00"), "XM-DAC-41302-TEST-BAD-AMOUNT",
        "transaction/value", "1,250,000.00")
    assert report.ok and report.files[0].inserted == 2
    with store.session() as s:
        (t,) = activity(s, "XM-DAC-41302-TEST-BAD-AMOUNT").transactions
        assert (t.type, t.value, t.transaction_date) == ("2", None, date(2020, 1, 15))


def test_unknown_sector_code_is_kept_as_given_with_a_warning(store):
    path = DATA / "unknown-sector-code.xml"
    report = run_import(store, path)
    p = only_problem(report, "unknown-sector-code")
    assert (p.severity, p.line, p.activity, p.field, p.value) == (
        "warning", line_of(path, 'code="99999"'), "XM-DAC-41302-TEST-BAD-SECTOR",
        "sector[vocabulary=1]", "99999")
    assert report.ok and report.files[0].inserted == 2
    with store.session() as s:
        sectors = activity(s, "XM-DAC-41302-TEST-BAD-SECTOR").sectors
        assert [(x.vocabulary, x.code, x.percentage) for x in sectors] == [("1", "99999", 100)]


def test_unknown_country_code_is_kept_as_given_with_a_warning(store):
    path = DATA / "unknown-country-code.xml"
    report = run_import(store, path)
    p = only_problem(report, "unknown-country-code")
    assert (p.severity, p.line, p.activity, p.field, p.value) == (
        "warning", line_of(path, 'code="QQ"'), "XM-DAC-41302-TEST-BAD-COUNTRY",
        "recipient-country/@code", "QQ")
    assert report.ok and report.files[0].inserted == 2
    with store.session() as s:
        countries = activity(s, "XM-DAC-41302-TEST-BAD-COUNTRY").countries
        assert [(c.code, c.percentage) for c in countries] == [("QQ", 100)]


def test_percentages_that_do_not_sum_to_100_give_a_warning(store):
    path = DATA / "percentages-do-not-sum.xml"
    report = run_import(store, path)
    p = only_problem(report, "percentages-do-not-sum")
    assert (p.severity, p.line, p.activity, p.field, p.value) == (
        "warning", line_of(path, "<iati-activity", 2), "XM-DAC-41302-TEST-BAD-PERCENT",
        "recipient-country/recipient-region", "90")
    assert report.ok and report.files[0].inserted == 2
    with store.session() as s:
        countries = activity(s, "XM-DAC-41302-TEST-BAD-PERCENT").countries
        assert [(c.code, c.percentage) for c in countries] == [("GH", 60), ("MZ", 30)]


def test_value_without_any_currency_is_kept_without_one_with_a_warning(store):
    path = DATA / "missing-currency.xml"
    report = run_import(store, path)
    (fr,) = report.files
    assert [(p.code, p.severity, p.activity, p.field, p.line) for p in fr.problems] == [
        ("missing-currency", "warning", "XM-DAC-41302-TEST-NO-CURRENCY", "budget/value",
         line_of(path, "<value", 2)),
        ("missing-currency", "warning", "XM-DAC-41302-TEST-NO-CURRENCY", "transaction/value",
         line_of(path, "<value", 3)),
    ]
    assert report.ok and fr.inserted == 2
    with store.session() as s:
        a = activity(s, "XM-DAC-41302-TEST-NO-CURRENCY")
        assert a.default_currency is None
        assert [(b.value, b.currency) for b in a.budgets] == [(250000, None)]
        assert [(t.value, t.currency) for t in a.transactions] == [(40000, None)]


# --- Files that cannot be read (whole or in part) ---------------------------------------------


def test_broken_xml_keeps_the_activities_before_the_break(store):
    path = DATA / "malformed-xml.xml"
    report = run_import(store, path)
    p = only_problem(report, "malformed-xml")
    assert (p.file, p.line, p.is_error) == (str(path), line_of(path, "XML breaks</title>"), True)
    assert "before" in p.hint and "kept" in p.hint
    fr = report.files[0]
    assert (fr.activities, fr.inserted, fr.refused) == (2, 2, False)
    assert identifiers(store) == {"XM-DAC-41302-TEST-GOOD-1", "XM-DAC-41302-TEST-GOOD-2"}


def test_report_is_not_ok_when_the_xml_breaks_midway(store):
    report = run_import(store, DATA / "malformed-xml.xml")
    assert report.files[0].problems[0].is_error
    assert not report.ok


@pytest.mark.parametrize("name, code, value", [
    ("unsupported-version.xml", "unsupported-version", "3.01"),
    ("not-xml.xml", "malformed-xml", None),
    ("not-iati.xml", "not-iati-activities", "iati-organisations"),
])
def test_unreadable_file_is_one_problem_and_refused(store, name, code, value):
    path = DATA / name
    report = run_import(store, path)
    p = only_problem(report, code)
    assert (p.file, p.value, p.is_error, p.activity) == (str(path), value, True, None)
    fr = report.files[0]
    assert (fr.refused, fr.status, fr.activities, fr.inserted) == (True, "refused", 0, 0)
    assert not report.ok and row_counts(store)["activities"] == 0
    with store.session() as s:
        assert s.scalars(select(SourceFile.status)).one() == "refused"


def test_json_reply_is_refused_with_a_hint_that_it_is_not_xml(store):
    p = only_problem(run_import(store, DATA / "not-xml.xml"), "malformed-xml")
    assert p.line == 1 and "not JSON" in p.hint


def test_unsupported_version_is_located_on_the_root_element(store):
    path = DATA / "unsupported-version.xml"
    p = only_problem(run_import(store, path), "unsupported-version")
    assert p.line == line_of(path, "<iati-activities")


def test_file_without_version_is_read_with_a_warning(store):
    path = DATA / "missing-version.xml"
    report = run_import(store, path)
    p = only_problem(report, "missing-version")
    assert (p.severity, p.line) == ("warning", line_of(path, "<iati-activities"))
    fr = report.files[0]
    assert report.ok and (fr.version, fr.inserted) == (None, 2)


@pytest.mark.parametrize("name", REFUSED_FOR_DTD)
def test_files_declaring_a_dtd_are_refused_and_import_nothing(store, name):
    path = DATA / name
    report = run_import(store, path)
    p = only_problem(report, "refused-dtd")
    assert p.file == str(path) and "<!DOCTYPE" in p.hint
    assert report.files[0].refused and not report.ok
    counts = row_counts(store)
    assert counts["activities"] == counts["narratives"] == 0


def test_external_entity_text_never_reaches_the_database(store):
    secret = "root:x:0:0"  # the first line of /etc/passwd on any Linux
    run_import(store, DATA / "external-entity.xml")
    with store.engine.connect() as conn:
        for t in store.tables():
            for row in conn.execute(text(f"SELECT * FROM {t}")):
                assert not any(secret in str(v) for v in row), t


def test_oversized_text_is_refused(store):
    report = run_import(store, OVERSIZED)
    p = only_problem(report, "oversized-input")
    assert p.file == str(OVERSIZED) and p.line is not None
    assert report.files[0].refused and row_counts(store)["activities"] == 0


def test_max_file_mb_refuses_a_file_larger_once_decompressed(store):
    assert OVERSIZED.stat().st_size < 2**20 < len(gzip.decompress(OVERSIZED.read_bytes()))
    report = run_import(store, OVERSIZED, max_file_mb=1)
    p = only_problem(report, "oversized-input")
    assert "1 MB" in p.message and "max_file_mb" in p.hint
    assert report.files[0].refused


def test_truncated_gzip_is_one_unreadable_file_problem(store, tmp_path):
    raw = OVERSIZED.read_bytes()
    path = tmp_path / "truncated.xml.gz"
    path.write_bytes(raw[: len(raw) // 2])  # cut well after the first 64 KB once unpacked
    report = run_import(store, path)
    only_problem(report, "unreadable-file")
    assert report.files[0].refused


# --- Paths ------------------------------------------------------------------------------------


def test_folder_import_finds_xml_and_gz_files_recursively_and_ignores_others(store, tmp_path):
    deep = tmp_path / "in" / "2013" / "q1"
    deep.mkdir(parents=True)
    shutil.copy(V1, tmp_path / "in" / "ilo-1.03.xml")
    shutil.copy(V2_GZ, deep / "ilo-2.03.xml.gz")
    (tmp_path / "in" / "README.md").write_text("Files from the registry.\n")
    shutil.copy(DATA / "not-xml.xml", deep / "reply.json")
    shutil.copy(V1, deep / "ilo-1.03.xml.bak")

    report = run_import(store, tmp_path / "in", workers=2)

    assert sorted(f.path for f in report.files) == [
        str(tmp_path / "in" / "2013" / "q1" / "ilo-2.03.xml.gz"),
        str(tmp_path / "in" / "ilo-1.03.xml")]
    assert report.ok and report.total("inserted") == 6 and len(identifiers(store)) == 6


def test_missing_path_gives_file_not_found(store, tmp_path):
    missing = tmp_path / "no-such-file.xml"
    report = run_import(store, missing)
    p = only_problem(report, "file-not-found")
    assert p.file == str(missing) and p.hint
    assert report.files[0].refused and not report.ok


def test_named_file_of_another_type_gives_unsupported_file_type(store, tmp_path):
    path = tmp_path / "reply.json"
    shutil.copy(DATA / "not-xml.xml", path)
    report = run_import(store, path)
    p = only_problem(report, "unsupported-file-type")
    assert p.file == str(path) and report.files[0].refused


# --- The report -------------------------------------------------------------------------------


def test_every_problem_has_a_catalogued_code_a_severity_and_a_hint(sqlite_store):
    report = run_import(sqlite_store, *(DATA / n for n in SAMPLES))
    problems = [p for f in report.files for p in f.problems]
    assert len(report.files) == len(SAMPLES) >= 20 and len(problems) >= 18
    catalogue = problem_catalogue()
    for p in problems:
        assert p.code in catalogue and p.severity == catalogue[p.code]["severity"], p
        assert p.hint and p.message and p.file, p


def test_report_is_ok_with_warnings_only_and_not_ok_once_anything_is_rejected(store):
    warnings_only = run_import(store, DATA / "bad-date.xml", DATA / "unknown-sector-code.xml")
    assert warnings_only.ok and warnings_only.problem_counts() == {
        "bad-date": 1, "unknown-sector-code": 1}
    assert not run_import(store, DATA / "duplicate-identifier.xml").ok
    assert not run_import(store, V2, DATA / "not-iati.xml").ok


def test_report_as_dict_is_json_with_totals(store):
    report = run_import(store, V1, V2, DATA / "duplicate-identifier.xml",
                        DATA / "billion-laughs.xml", DATA / "bad-amount.xml")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False
    assert data["totals"] == {"activities": 11, "inserted": 9, "updated": 0, "unchanged": 1,
                              "rejected": 1, "files": 5, "refused_files": 1, "problems": 3}
    assert data["problem_counts"] == {"bad-amount": 1, "duplicate-activity-identifier": 1,
                                      "refused-dtd": 1}
    assert [f["status"] for f in data["files"]] == [
        "imported", "imported", "imported", "refused", "imported"]
    assert data["files"][2]["problems"][0]["activity"] == "XM-DAC-41302-TEST-GOOD-1"


def test_source_file_records_what_the_import_did(store):
    run_import(store, DATA / "duplicate-identifier.xml")
    with store.session() as s:
        sf = s.scalars(select(SourceFile)).one()
        assert (sf.status, sf.iati_version, sf.n_activities, sf.n_inserted, sf.n_rejected,
                sf.n_problems) == ("complete", "2.03", 3, 2, 1, 1)
        linked = s.scalar(select(func.count()).where(Activity.source_file_id == sf.id))
        assert linked == 2
