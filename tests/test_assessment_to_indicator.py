"""A follow-up assessment round becomes capacity-indicator values, end to end (CLI included)."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from tcmap.assessment import round_changes
from tcmap.assessment.demo import load_demo as load_assessments
from tcmap.cli import app
from tcmap.config import Settings
from tcmap.demo import DEMO_XML
from tcmap.ingest import import_paths
from tcmap.results.demo import load_demo as load_programmes
from tcmap.results.indicators import add_indicator
from tcmap.results.values import indicator_figure
from tcmap.store import open_store
from tcmap.store.assessment import Assessment


def test_the_change_between_rounds_lands_on_an_indicator_with_its_source(tmp_path):
    path = tmp_path / "chain.db"
    store = open_store(f"sqlite:///{path}")
    import_paths(store, [DEMO_XML], Settings.load(workers=1))  # the programmes link to it
    load_programmes(store)
    load_assessments(store)
    with store.session() as s:
        follow_up = s.scalar(select(Assessment.id).where(Assessment.country == "GH",
                                                         Assessment.round == 2))
        changes = round_changes(s, follow_up)
    assert changes and all(c["change"] > 0 for c in changes)  # the demo's inspectorate improved
    with store.session() as s, s.begin():
        add_indicator(s, "GHA-2012-15", "GHA135", "ana", library="ORG-OC-CAPACITY-SCORE",
                      code="GHA135-CS")

    r = CliRunner().invoke(app, ["--db", str(path), "indicator", "from-assessment", "GHA135-CS",
                                 str(follow_up), "--use", "change", "--by", "ana", "--json"])
    assert r.exit_code == 0, r.output
    recorded = json.loads(r.stdout)
    assert recorded["recorded"] == len(changes)
    assert {v["source"] for v in recorded["values"]} == {f"assessment:{follow_up}"}
    with store.session() as s:
        figure = indicator_figure(s, "GHA135-CS")
    # A capacity score is not added up: the figure is the mean change over the cells, and the
    # values behind it are the cells of the round.
    mean = sum(c["change"] for c in changes) / len(changes)
    assert abs(figure["figure"]["value"] - mean) < 0.01
    assert len(figure["figure"]["behind"]) == len(changes)
