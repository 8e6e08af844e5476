"""The assessment report: one HTML file with a chart per level, the same data as JSON, PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tcmap import assessment as A
from tcmap.assessment.report import radar, write_assessment_report
from tcmap.errors import ConfigError
from tcmap.taxonomy import load_framework

from conftest import DATA

FW = load_framework()


@pytest.fixture
def assessed(sqlite_store):
    """Enabling environment (one core issue: bars) and organizational (four: a radar)."""
    with sqlite_store.session() as s, s.begin():
        aid = A.new_assessment(s, FW, constituent="Labour Inspectorate", by="ana",
                               constituent_type="government", country="UA",
                               scope=["organizational", "enabling_environment/leadership"],
                               assessed_on="2012-02-01")["id"]
        A.rate_file(s, aid, DATA / "assessment" / "ratings-valid.csv", by="ana")
        A.rate(s, aid, "EE-LD-F1-1", 2, by="ana", evidence="No tripartite council <yet>")
        A.set_desired(s, aid, "organizational", 4, set_by="self", by="ana")
        A.save_action(s, aid, cell="organizational/leadership/evaluate", horizon="medium",
                      lever="leadership", description="Yearly performance review", by="ana")
    return sqlite_store, aid


def test_the_report_has_a_chart_per_level_and_the_json_is_the_assessment(assessed, tmp_path):
    store, aid = assessed
    rendered = []
    with store.session() as s:
        files = write_assessment_report(s, aid, tmp_path, ("html", "pdf", "json"),
                                        pdf=lambda html, path: (rendered.append(html),
                                                                path.write_bytes(b"%PDF")),
                                        framework=FW)
        expected = A.show_assessment(s, aid, FW)
    html = Path(files["html"]).read_text()
    assert rendered == [html]
    assert html.count("<svg") == 2 and "<polygon" in html  # radar for 4 core issues
    assert "Labour Inspectorate" in html and "Yearly performance review" in html
    assert "No tripartite council &lt;yet&gt;" in html  # evidence is escaped
    assert json.loads(Path(files["json"]).read_text()) == json.loads(json.dumps(expected))


def test_an_unknown_format_is_refused_before_anything_is_written(assessed, tmp_path):
    store, aid = assessed
    with store.session() as s, pytest.raises(ConfigError):
        write_assessment_report(s, aid, tmp_path / "out", ("html", "docx"))
    assert not (tmp_path / "out").exists()


def test_a_radar_puts_a_missing_value_at_the_centre():
    svg = radar(["A", "B", "C"], [("Existing", [5, None, 5], "#000")], top=5, size=300)
    # Centre at (210, 132); B (missing) sits there, A and C on the rim.
    assert "210.0,132.0" in svg and svg.count("<polygon") == 6  # 5 rings and the series


def test_the_pdf_renders_with_weasyprint(assessed, tmp_path):
    pytest.importorskip("weasyprint")
    store, aid = assessed
    with store.session() as s:
        files = write_assessment_report(s, aid, tmp_path, ("pdf",))
    assert Path(files["pdf"]).read_bytes()[:5] == b"%PDF-"
