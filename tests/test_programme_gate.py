"""The country-programme gate over stored DWCPs: a capacity output per constituent targeted."""

from __future__ import annotations

import json

from test_programmes import CODE, load_ken
from typer.testing import CliRunner

from tcmap.appraisal.gate import gate_programmes
from tcmap.cli import app
from tcmap.results.programmes import edit_output
from tcmap.store import open_store


def test_a_programme_passes_until_a_constituent_loses_its_capacity_output(tmp_path):
    path = tmp_path / "gate.db"
    store = open_store(f"sqlite:///{path}")
    load_ken(store)
    with store.session() as s:
        first = gate_programmes(s)
    assert (first["checked"], first["passed"], first["share_passed"]) == (1, 1, 1.0)

    # The trade union centre's only output moves to the ministry: workers' organizations are
    # targeted with no capacity output left for them.
    with store.session() as s, s.begin():
        edit_output(s, CODE, "KEN102.2", {"constituent": "government"}, "ana")
    with store.session() as s:
        after = gate_programmes(s, [CODE])
    [result] = after["programmes"]
    assert not result["passed"] and result["missing_constituents"] == ["workers_org"]
    assert any("workers" in r for r in result["reasons"])
    assert after["share_passed"] == 0.0

    r = CliRunner().invoke(app, ["--db", str(path), "programme", "gate", "--json"])
    assert r.exit_code == 1
    assert json.loads(r.stdout) == json.loads(json.dumps(after))
