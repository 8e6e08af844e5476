"""`tcmap programme`, `chain`, `indicator`: --json is the library's result; exit codes; docs."""

from __future__ import annotations

import json
import sys

import pytest
import typer.core
import typer.main
from test_programmes import CODE, RES, ken_files, load_ken
from typer.testing import CliRunner

from tcmap.cli import app
from tcmap.results.chain import chain_view
from tcmap.results.checks import check_chain
from tcmap.results.importing import import_programmes
from tcmap.results.programmes import gate_input, list_programmes
from tcmap.results.reference import library_listing
from tcmap.results.summary import programme_overview
from tcmap.results.values import indicator_figure
from tcmap.store import open_store

from conftest import REPO


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def same(data) -> object:
    return json.loads(json.dumps(data, default=str))


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    store = open_store(f"sqlite:///{path}")
    load_ken(store)
    yield str(path), store
    store.close()


def test_reading_commands_print_the_library_s_result(db):
    path, store = db
    with store.session() as s:
        expected = {
            ("programme", "list"): list_programmes(s),
            ("programme", "show", CODE): programme_overview(s, CODE),
            ("programme", "gate-ready", CODE): gate_input(s, CODE),
            ("chain", "show", CODE): chain_view(s, CODE),
            ("chain", "check", CODE): check_chain(s, CODE),
            ("indicator", "show", "KEN101-I2"): indicator_figure(s, "KEN101-I2"),
            ("indicator", "library"): library_listing(),
        }
    for args, want in expected.items():
        result = run("--db", path, *args, "--json")
        assert result.exit_code == 0, (args, result.output)
        assert json.loads(result.stdout) == same(want), args


def test_import_json_is_the_import_report_and_errors_exit_1(tmp_path):
    a, b = open_store(f"sqlite:///{tmp_path / 'a.db'}"), tmp_path / "b.db"
    load_ken(a, recognised=False)  # activities and programme through the library
    fresh = open_store(f"sqlite:///{b}")
    from tcmap.config import Settings
    from tcmap.ingest import import_paths

    import_paths(fresh, [RES / "ken-activities.xml"], Settings.load(workers=1))
    fresh.close()
    result = run("--db", str(b), "programme", "import", "--by", "ana", "--json",
                 *map(str, ken_files()))
    assert result.exit_code == 0, result.output
    c = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    import_paths(c, [RES / "ken-activities.xml"], Settings.load(workers=1))
    with c.session() as s, s.begin():
        want = import_programmes(s, ken_files(), "ana")
    assert json.loads(result.stdout) == same(want)
    bad = run("--db", str(b), "programme", "import", "--json",
              str(RES / "bad-non-numeric-value.csv"))
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["problems"][0]["code"] == "non-numeric-value"
    for store in (a, c):
        store.close()


def test_changes_through_the_cli(db):
    path, _ = db
    r = run("--db", path, "indicator", "value", "KEN101-I1", "--start", "2015-01-01",
            "--end", "2015-12-31", "--actual", "12", "--cell", "sex=female", "--by", "ana",
            "--json")
    assert r.exit_code == 0, r.output
    value = json.loads(r.stdout)
    assert value["disaggregation"] == {"sex": "female"} and value["updated_by"] == "ana"
    r = run("--db", path, "indicator", "approve", str(value["id"]), "--state", "submitted",
            "--json")
    assert json.loads(r.stdout)["approval"] == "submitted"
    r = run("--db", path, "chain", "link", CODE, "capacity_outcome:KEN102.1:raised_awareness",
            "institutional_change:KEN102.2", "--assumption", "Leaders push the plan",
            "--json")
    assert json.loads(r.stdout)["origin"] == "person"
    r = run("--db", path, "programme", "edit-output", CODE, "KEN103.1", "--learning-outcome",
            "enhanced_skills", "--expected-version", "1", "--json")
    assert json.loads(r.stdout)["version"] == 2
    r = run("--db", path, "programme", "link", "KEN102",
            "XM-DAC-41302-103906-396087-2013-KEN102", "--unlink", "--note", "Not ours",
            "--json")
    assert json.loads(r.stdout)["state"] == "rejected"


def test_refusals_exit_2_with_a_hint(db):
    from tcmap.cli import main

    path, _ = db
    for args in (["programme", "show", "NOPE"],
                 ["indicator", "add", CODE, "KEN101", "--title", "Number of people trained",
                  "--result-level", "outcome", "--measure", "count", "--across-periods", "sum",
                  "--across-activities", "sum"],
                 ["programme", "edit-output", CODE, "KEN103.1", "--statement", "x",
                  "--expected-version", "7"]):
        old = sys.argv
        sys.argv = ["tcmap", "--db", path, *args]
        try:
            with pytest.raises(SystemExit) as exit_:
                main()
        finally:
            sys.argv = old
        assert exit_.value.code == 2, args


def test_the_docs_name_every_subcommand_and_option():
    doc = (REPO / "docs" / "cli-results.md").read_text()
    group = typer.main.get_command(app)
    for name in ("programme", "chain", "indicator"):
        cmd = group.commands[name]
        section = doc.split(f"## tcmap {name}", 1)[1].split("\n## ", 1)[0]
        for sub, sc in cmd.commands.items():
            assert sc.help and sub in section, (name, sub)
            for p in sc.params:
                assert p.help, (name, sub, p.name)
                if isinstance(p, typer.core.TyperOption) and p.name != "help":
                    assert any(o in section for o in p.opts), (name, sub, p.opts)
