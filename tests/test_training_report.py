"""The training section of the governing-body report: its data and its template."""

from __future__ import annotations

import json

from tcmap.taxonomy import load_framework
from tcmap.training.importing import import_training
from tcmap.training.summary import report_section

from conftest import DATA

VALID = sorted((DATA / "training" / "valid").glob("*.csv"))


def _render(section: dict) -> str:
    """The section as the governing-body report renders it (its environment, its numbering)."""
    from tcmap.report import Numbers, _env

    return _env().get_template("training/report_section.html.j2").render(
        section=section, num=Numbers())


def test_the_section_holds_the_six_month_figures_by_sex_and_constituent(sqlite_store):
    assert import_training(sqlite_store, VALID, by="test").ok
    with sqlite_store.session() as s:
        section = report_section(s, load_framework())
    assert json.loads(json.dumps(section)) == section  # plain data, ready for report.json
    assert section["available"] and section["timing"] == "6m"
    assert (section["events"], section["participants"]) == (2, 9)
    assert section["women"] == {"k": 5, "n": 9, "percent": 55.6}
    o = section["overall"]["application_rate"]
    assert (o["k"], o["n"], o["interval"]) == (3, 5, [0.2307, 0.8824])
    assert [r["timing"] for r in section["response_rates"]] == ["end", "6m", "12m"]
    assert [g["key"] for g in section["by_sex"]] == ["female", "male"]
    assert section["period"] == {"from": "2011-03-14", "to": "2011-04-08"}
    assert any("Fewer than 10" in n for n in section["notes"])
    html = _render(section)
    assert "Training follow-up" in html
    assert "3 of 5 (60 per cent; 95 per cent interval 23–88)" in html
    assert "78 per cent at the end of the course (7 of 9)" in html
    assert html.count("<svg") == 1 and "Workers&#39; organizations" in html


def test_without_training_data_the_section_says_so(sqlite_store):
    with sqlite_store.session() as s:
        section = report_section(s, load_framework())
    assert section["available"] is False
    assert "No training events" in _render(section)
