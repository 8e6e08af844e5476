"""`tcmap training`: --json prints exactly the library's result; exit codes; the template."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tcmap.cli import app
from tcmap.store import open_store
from tcmap.taxonomy import load_framework
from tcmap.training.events import event_detail, list_events
from tcmap.training.importing import import_training
from tcmap.training.summary import figures
from tcmap.training.surveys import load_instrument

from conftest import DATA

VALID = sorted((DATA / "training" / "valid").glob("*.csv"))
runner = CliRunner()


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    result = runner.invoke(app, ["--db", url, "training", "import", "--by", "ana",
                                 *map(str, VALID)])
    assert result.exit_code == 0, result.output
    return url


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_figures_events_and_show_print_the_library_result(db):
    store = open_store(db)
    fw = load_framework()
    with store.session() as s:
        lib_figures = figures(s, fw, "sex", "12m", None, None)
        lib_events = list_events(s, fw, "O11", None, 2011)
        lib_event = event_detail(s, fw, load_instrument(), "E2")
    store.close()
    assert _json(["--db", db, "training", "figures", "--by", "sex", "--timing", "12m",
                  "--json"]) == json.loads(json.dumps(lib_figures, default=str))
    assert _json(["--db", db, "training", "events", "--outcome", "O11", "--year", "2011",
                  "--json"]) == lib_events
    assert _json(["--db", db, "training", "show", "E2", "--json"]) == lib_event


def test_import_json_is_the_report_and_rejected_rows_exit_with_1(db, tmp_path):
    bad = str(DATA / "training" / "events-unknown-outcome.csv")
    result = runner.invoke(app, ["--db", db, "training", "import", "--check", "--json", bad])
    assert result.exit_code == 1
    store = open_store(db)
    expected = import_training(store, [DATA / "training" / "events-unknown-outcome.csv"],
                               "x", names=[bad], check=True).to_dict()
    store.close()
    assert json.loads(result.stdout) == expected
    table = runner.invoke(app, ["--db", db, "training", "import", bad])
    assert table.exit_code == 1
    assert "training-unknown-outcome" in table.output and "O99" in table.output
    again = runner.invoke(app, ["--db", db, "training", "import", *map(str, VALID)])
    assert again.exit_code == 0 and "13" in again.output


def test_an_unknown_event_or_grouping_exits_with_2_and_a_hint(db, monkeypatch, capsys):
    from tcmap.cli import main

    for args, words in ((["show", "NOPE"], ("NOPE", "tcmap training events")),
                        (["figures", "--by", "region"], ("region", "constituent"))):
        monkeypatch.setattr("sys.argv", ["tcmap", "--db", db, "training", *args])
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == 2
        err = " ".join(capsys.readouterr().err.split())
        assert all(w in err for w in words), err


def test_the_template_workbook_documents_every_column_and_imports_cleanly(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "training.xlsx"
    result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "training",
                                 "template", "-o", str(path)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(path)
    assert wb.sheetnames == ["Events", "Participants", "Responses", "Guide"]
    guide = [[c.value for c in r] for r in wb["Guide"].iter_rows()]
    documented = {(r[0], r[1]) for r in guide if r and r[0] in (
        "Events", "Participants", "Responses")}
    for sheet in ("Events", "Participants", "Responses"):
        for cell in wb[sheet][1]:
            assert (sheet, cell.value) in documented
    codes = {(r[0], r[1]) for r in guide if r and len(r) > 1}
    assert ("outcome", "O11") in codes and ("constituent_type", "workers_org") in codes
    assert ("sex", "unknown") in codes and ("timing", "6m") in codes
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    report = import_training(store, [path], by="x")
    store.close()
    assert report.ok and report.problems == []


def test_the_template_as_csv_files_in_a_folder(tmp_path):
    result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "training",
                                 "template", "-o", str(tmp_path / "sheets")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "sheets").iterdir()) == [
        "events.csv", "guide.csv", "participants.csv", "responses.csv"]
    bad = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "training",
                              "template", "-o", str(tmp_path / "t.ods")])
    assert bad.exit_code != 0 and ".xlsx" in bad.exception.hint
