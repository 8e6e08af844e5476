"""`tcmap assessment` is a skin: --json equals the library's result; refusals exit non-zero."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tcmap import assessment as A
from tcmap.cli import app
from tcmap.store import open_store
from tcmap.taxonomy import load_framework

from conftest import DATA

HERE = DATA / "assessment"


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.db")


def run(db, *args: str):
    return CliRunner().invoke(app, ["--db", db, "assessment", *args], catch_exceptions=False)


def main_exit_code(db, *args: str) -> int:
    """The exit code of the real entry point (which turns errors into code 2)."""
    from tcmap.cli import main

    sys.argv = ["tcmap", "--db", db, "assessment", *args]
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code


def started(db) -> int:
    out = run(db, "new", "--constituent", "Ministry of Labour", "--type", "government",
              "--country", "KE", "--why", "Reform", "--for-whom", "Inspectorate",
              "--for-what", "Planning", "--scope", "organizational", "--date", "2012-03-01",
              "--by", "ana", "--json")
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["id"]


def test_new_rate_desire_respond_show_print_the_librarys_dicts(db):
    aid = started(db)
    rated = json.loads(run(db, "rate", str(aid), "ORG-LD-F1-1", "3", "--evidence", "Minutes",
                           "--source", "document", "--by", "ana", "--json").stdout)
    assert (rated["score"], rated["source"], rated["version"]) == (3, "document", 1)
    na = json.loads(run(db, "rate", str(aid), "ORG-LD-F1-2", "N/A", "--json").stdout)
    assert na["na"] and na["score"] is None
    desired = json.loads(run(db, "desire", str(aid), "organizational/leadership", "5",
                             "--set-by", "technical_reference_group", "--json").stdout)
    assert len(desired) == 5 and desired[0]["set_by"] == "technical_reference_group"
    action = json.loads(run(
        db, "respond", str(aid), "organizational/leadership/engage_stakeholders",
        "--horizon", "short", "--lever", "leadership", "-d", "Coach the director",
        "--cost", "5000", "--currency", "EUR", "--output", "Output 1.1", "--activity",
        "XM-DAC-41302-1", "--json").stdout)
    assert (action["cost"], action["linked_activity"]) == (5000.0, "XM-DAC-41302-1")
    store = open_store(db)
    with store.session() as s:
        expected = A.show_assessment(s, aid, load_framework())
        listed = A.list_assessments(s)
    shown = json.loads(run(db, "show", str(aid), "--json").stdout)
    assert shown == json.loads(json.dumps(expected, default=str))
    assert json.loads(run(db, "list", "--json").stdout) == listed
    table = run(db, "show", str(aid), "--questions")
    assert table.exit_code == 0 and "ORG-LD-F1-1" in table.stdout and "high" in table.stdout


def test_a_ratings_file_with_problems_exits_1_and_writes_nothing(db):
    aid = started(db)
    out = run(db, "rate", str(aid), "--file", str(HERE / "ratings-bad.csv"), "--json")
    assert out.exit_code == 1
    report = json.loads(out.stdout)
    assert not report["ok"] and len(report["problems"]) == 7
    assert json.loads(run(db, "show", str(aid), "--json").stdout)["ratings"] == 0
    good = run(db, "rate", str(aid), "--file", str(HERE / "ratings-valid.csv"))
    assert good.exit_code == 0 and "6 ratings written" in good.stdout


@pytest.mark.parametrize("args", [
    ("rate", "1", "ORG-LD-F1-1", "9"),
    ("rate", "1", "NO-SUCH-Q", "3"),
    ("rate", "1", "ORG-LD-F1-1", "3", "--source", "rumour"),
    ("rate", "1"),
    ("show", "42"),
    ("desire", "1", "organizational", "4", "--set-by", "nobody"),
    ("new", "--constituent", "X", "--type", "government", "--instrument", "undp-2099"),
    ("new", "--constituent", "X", "--type", "union"),
])
def test_refusals_exit_2_and_lose_nothing(db, args):
    aid = started(db)
    before = run(db, "show", str(aid), "--json").stdout
    assert main_exit_code(db, *args) == 2
    after = json.loads(run(db, "show", str(aid), "--json").stdout)
    assert {k: v for k, v in after.items() if k not in ("events", "updated_at")} == {
        k: v for k, v in json.loads(before).items() if k not in ("events", "updated_at")}
    assert len(json.loads(run(db, "list", "--json").stdout)) == 1


def test_instruments_lists_the_packaged_ones_and_checks_a_file(db):
    rows = json.loads(run(db, "instruments", "--json").stdout)
    assert [r["code"] for r in rows] == ["undp-2008", "oca"]
    with open_store(db).session() as s:
        assert rows == A.list_instruments(s)
    ok = run(db, "instruments", str(HERE / "instrument-small.yaml"), "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["instrument"]["cells"] == 8
    bad = run(db, "instruments", str(HERE / "instrument-unknown-code.yaml"))
    assert bad.exit_code == 1 and "instrument-unknown-code" in bad.stdout


def test_round_then_report_writes_html_and_json_with_the_change(db, tmp_path):
    aid = started(db)
    run(db, "rate", str(aid), "ORG-LD-F1-1", "2")
    follow = json.loads(run(db, "round", str(aid), "--date", "2013-03-01", "--json").stdout)
    run(db, "rate", str(follow["id"]), "ORG-LD-F1-1", "4")
    out = run(db, "report", str(follow["id"]), "-o", str(tmp_path / "r"), "--format",
              "html,json", "--json")
    files = json.loads(out.stdout)
    assert set(files) == {"html", "json"}
    data = json.loads(Path(files["json"]).read_text())
    assert data["changes"][0]["change"] == 2.0 and data["round"] == 2
    assert "Change since round 1" in Path(files["html"]).read_text()


def test_an_instrument_loaded_from_a_file_is_listed_and_reused_by_its_code(db):
    small = str(HERE / "instrument-small.yaml")
    first = run(db, "new", "--constituent", "A", "--type", "government", "--instrument", small,
                "--json")
    assert first.exit_code == 0, first.output
    rows = json.loads(run(db, "instruments", "--json").stdout)
    assert (rows[-1]["code"], rows[-1]["origin"]) == ("small-test", small)
    again = json.loads(run(db, "new", "--constituent", "B", "--type", "workers_org",
                           "--instrument", "small-test", "--json").stdout)
    assert again["instrument"]["code"] == "small-test" and again["cells_in_scope"] == 8
