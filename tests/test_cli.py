"""The CLI is a skin: exit codes, and --json output equal to the library's result."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from tcmap.cli import app
from tcmap.config import Settings
from tcmap.ingest import import_paths
from tcmap.portfolio import Filters, activity_detail, list_activities, portfolio_stats
from tcmap.store import open_store

from conftest import DATA

VALID = DATA / "iati-2.0x-valid.xml"


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.db")


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def imported(db: str, *paths):
    store = open_store(db)
    import_paths(store, list(paths), Settings.load(workers=1))
    return store


def test_import_of_a_valid_file_exits_0_and_reports_it(db):
    result = run("--db", db, "import", str(VALID))
    assert result.exit_code == 0, result.output
    assert "iati-2.0x-valid" in result.stdout and "imported" in result.stdout


def test_import_json_is_the_report_and_a_second_import_is_unchanged(db):
    first = json.loads(run("--db", db, "import", "--json", str(VALID)).stdout)
    second = json.loads(run("--db", db, "import", "--json", str(VALID)).stdout)
    assert first["ok"] and first["totals"]["inserted"] == first["totals"]["activities"] > 0
    assert second["totals"]["unchanged"] == first["totals"]["activities"]
    assert second["files"][0]["status"] == "unchanged"


def test_import_with_a_rejected_activity_exits_1_and_lists_the_problem(db):
    result = run("--db", db, "import", str(DATA / "duplicate-identifier.xml"))
    assert result.exit_code == 1
    assert "duplicate-activity-identifier" in result.stdout


def test_import_with_warnings_only_exits_0(db):
    assert run("--db", db, "import", str(DATA / "bad-date.xml")).exit_code == 0


def test_import_of_a_missing_path_exits_1_with_file_not_found(db):
    result = run("--db", db, "import", "--json", "no/such/file.xml")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["files"][0]["problems"][0]["code"] == "file-not-found"


def test_activities_json_equals_list_activities(db):
    store = imported(db, VALID)
    result = run("--db", db, "activities", "--json", "--limit", "2")
    with store.session() as s:
        expected = list_activities(s, Filters(), limit=2)
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, default=str))


def test_activities_filters_by_text(db):
    imported(db, VALID)
    everything = json.loads(run("--db", db, "activities", "--json").stdout)
    none = json.loads(run("--db", db, "activities", "--json", "-q", "zzqqxx").stdout)
    assert everything["total"] > 0 and none["total"] == 0


def test_show_json_equals_activity_detail_and_table_shows_title(db):
    store = imported(db, VALID)
    with store.session() as s:
        ident = list_activities(s)["activities"][0]["identifier"]
        expected = activity_detail(s, ident)
    result = run("--db", db, "show", "--json", ident)
    assert json.loads(result.stdout) == json.loads(json.dumps(expected, default=str))
    table = run("--db", db, "show", ident)
    assert table.exit_code == 0 and ident in table.stdout


def test_show_of_an_unknown_identifier_exits_2_with_a_hint(db):
    from tcmap.cli import main

    imported(db, VALID)
    with pytest.raises(SystemExit) as exc:
        import sys

        sys.argv = ["tcmap", "--db", db, "show", "NO-SUCH-ID"]
        main()
    assert exc.value.code == 2


def test_stats_json_equals_portfolio_stats(db):
    store = imported(db, VALID)
    with store.session() as s:
        expected = portfolio_stats(s)
    assert json.loads(run("--db", db, "stats", "--json").stdout) == expected


def test_database_url_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("TCMAP_DATABASE_URL", f"sqlite:///{db}")
    assert run("import", str(VALID)).exit_code == 0
    assert json.loads(run("stats", "--json").stdout)["activities"] > 0


def test_problem_fields_with_brackets_are_printed_as_written(db):
    result = run("--db", db, "import", str(DATA / "unknown-sector-code.xml"))
    assert "sector[vocabulary=1]" in result.stdout
