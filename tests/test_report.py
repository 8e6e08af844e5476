"""The governing-body report: built from a snapshot, the same bytes when rebuilt, a real PDF."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tcmap.analysis.snapshot import create_snapshot, load_snapshot
from tcmap.classify import load_classifier
from tcmap.classify.run import classify_store
from tcmap.cli import app
from tcmap.config import Settings
from tcmap.demo import DEMO_XML
from tcmap.errors import ConfigError
from tcmap.ingest import import_paths
from tcmap.report import render_html, write_report
from tcmap.report.content import build_content
from tcmap.taxonomy import load_framework

FW = load_framework()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from tcmap.store import open_store

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('r') / 'demo.db'}")
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    classify_store(store, load_classifier())
    with store.session() as s, s.begin():
        create_snapshot(s, "gb-2012", FW.code)
    return store


def _content(store, name="gb-2012"):
    with store.session() as s:
        return build_content(load_snapshot(s, name), FW)


def test_rebuilding_from_the_same_snapshot_gives_the_same_html(demo_store):
    first, second = render_html(_content(demo_store)), render_html(_content(demo_store))
    assert first == second
    assert "gb-2012" in first and "<svg" in first
    assert "http://" not in first.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no CDN


def test_the_report_states_its_snapshot_and_cites_figures_in_its_proposals(demo_store):
    content = _content(demo_store)
    html = render_html(content)
    assert content["meta"]["snapshot"]["sha256"][:16] in html
    assert content["proposals"]
    for p in content["proposals"]:
        assert any(ch.isdigit() for ch in p["text"]), p  # each proposal cites a figure
        assert p["text"] in html.replace("&#39;", "'")


def test_a_snapshot_keeps_the_mapping_as_it_was(demo_store):
    before = _content(demo_store)
    with demo_store.session() as s, s.begin():  # the mapping changes afterwards
        from sqlalchemy import delete

        from tcmap.store import Tag
        s.execute(delete(Tag))
    assert render_html(_content(demo_store)) == render_html(before)
    classify_store(demo_store, load_classifier())


def test_html_pdf_and_json_are_written(demo_store, tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    content = _content(demo_store)
    files = write_report(content, tmp_path, ("html", "pdf", "json"))
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(weasyprint.HTML(string=render_html(content)).render().pages) >= 5
    assert json.loads((tmp_path / "report.json").read_text())["meta"]["title"]
    assert set(files) == {"html", "pdf", "json"}


def test_the_pdf_renderer_can_be_swapped_and_formats_are_checked(demo_store, tmp_path):
    seen = []
    write_report(_content(demo_store), tmp_path, ("pdf",), pdf=lambda html, p: seen.append(p))
    assert seen == [tmp_path / "report.pdf"]
    with pytest.raises(ConfigError):
        write_report(_content(demo_store), tmp_path, ("docx",))


def test_report_and_analyse_commands(tmp_path):
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "import", str(DEMO_XML)]).exit_code == 1  # rough edges
    assert runner.invoke(app, ["--db", db, "classify"]).exit_code == 0
    result = runner.invoke(app, ["--db", db, "report", "-o", str(tmp_path / "out"),
                                 "--format", "html,json", "--country", "GH", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["snapshot"]["filters"] == {"countries": ["GH"]}
    assert (tmp_path / "out" / out["snapshot"]["name"] / "report.html").exists()
    result = runner.invoke(app, ["--db", db, "analyse", "constituents", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["measure"] == "constituents"
    result = runner.invoke(app, ["--db", db, "snapshot", "list", "--json"])
    assert len(json.loads(result.stdout)) == 1


def test_the_report_builds_over_the_real_d_portal_corpus(tmp_path):
    import tarfile

    from conftest import need_shared

    tar = need_shared("data", "real", "dportal-covid19-2021", "saved_data.tar.xz")
    with tarfile.open(tar) as t:
        t.extractall(tmp_path, filter="data")
    from tcmap.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'real.db'}")
    import_paths(store, [tmp_path / "saved_data"])
    classify_store(store, load_classifier())
    with store.session() as s, s.begin():
        frozen = create_snapshot(s, "real", FW.code)
    content = build_content(frozen, FW)
    assert content["portfolio"]["activities"] == 13_200
    assert 0 < content["portfolio"]["world_of_work"] < 13_200
    files = write_report(content, tmp_path / "out", ("html", "json"))
    assert "13200" in Path(files["html"]).read_text().replace(",", "")


def test_capacity_share_of_given_counts_reproduces_the_papers_figure():
    result = CliRunner().invoke(app, ["analyse", "capacity-share", "--with", "29", "--of", "50",
                                      "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["percent"] == 58.0 and out["interval"] == [0.4423, 0.7062]


def test_sections_on_other_nouns_are_frozen_with_the_snapshot_and_numbered_in_order(tmp_path):
    import re

    from tcmap.store import open_store
    from tcmap.training import DEMO_FILES
    from tcmap.training.importing import import_training

    store = open_store(f"sqlite:///{tmp_path / 'sections.db'}")
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    classify_store(store, load_classifier())
    assert import_training(store, DEMO_FILES, by="test").ok
    with store.session() as s, s.begin():
        create_snapshot(s, "with-training", FW.code)
    first = render_html(_content(store, "with-training"))
    assert "Training follow-up" in first
    # Later training data do not change a report rebuilt from the snapshot.
    from sqlalchemy import delete

    from tcmap.store.training import SurveyResponse

    with store.session() as s, s.begin():
        s.execute(delete(SurveyResponse))
    assert render_html(_content(store, "with-training")) == first
    # One numbering through the report: paragraphs 1, 2, 3 ...; the summary names the
    # decision's paragraph; tables and figures are numbered in order of first mention.
    numbers = [int(n) for n in re.findall(r'<li><span class="pn">(\d+)\.</span>', first)]
    assert numbers == list(range(1, len(numbers) + 1))
    decision = re.search(r'<div class="decision"><ol class="paras"><li><span class="pn">(\d+)',
                         first)
    assert f"Paragraph {decision.group(1)}." in first
    tables = [int(n) for n in re.findall(r'<p class="note">Table (\d+)\.', first)]
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 5


def test_text_from_the_data_is_escaped_in_the_report(demo_store):
    content = _content(demo_store)
    content["proposals"] = [{**content["proposals"][0], "text": "<script>alert(1)</script>"}]
    html = render_html(content)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_report_style_sheet_reaches_the_page_unescaped(demo_store):
    html = render_html(_content(demo_store))
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "ol.paras > li" in style and "&gt;" not in style
