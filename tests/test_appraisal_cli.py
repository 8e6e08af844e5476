"""The appraisal CLI is a skin: --json equals the library's result; refusals exit 2."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from tcmap.appraisal import appraisals as lib
from tcmap.appraisal.gate import gate_documents
from tcmap.cli import app, main
from tcmap.store import open_store

from conftest import DATA

DOCS = DATA / "appraisal"


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _exit_code(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        sys.argv = ["tcmap", *args]
        main()
    return exc.value.code


def test_appraise_json_is_the_stored_sheet(tmp_path):
    db = str(tmp_path / "a.db")
    result = run("--db", db, "appraise", str(DOCS / "project-weak.pdf"), "--template",
                 "project", "--title", "Youth skills", "--by", "ana", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    store = open_store(db)
    with store.session() as s:
        assert printed == lib.appraisal_sheet(s, printed["id"])
    assert printed["title"] == "Youth skills" and printed["created_by"] == "ana"
    shown = run("--db", db, "appraisal", "show", str(printed["id"]))
    assert "capacity-outputs" in shown.stdout and "missing" in shown.stdout


def test_rate_submit_and_a_refused_clear_listing_the_failing_criteria(tmp_path):
    db = str(tmp_path / "a.db")
    aid = json.loads(run("--db", db, "appraise", str(DOCS / "dwcp-no-capacity.docx"),
                         "--template", "dwcp", "--json").stdout)["id"]
    r = run("--db", db, "appraisal", "rate", str(aid), "capacity-outputs", "0", "--comment",
            "none", "--action", "Add capacity outputs", "--by", "ana", "--json")
    assert json.loads(r.stdout)["rating"]["required_action"] == "Add capacity outputs"
    csv = tmp_path / "r.csv"
    csv.write_text("criterion,score\nrisks,1\nsustainability,1\n", encoding="utf-8")
    r = run("--db", db, "appraisal", "rate", str(aid), "--csv", str(csv), "--json")
    assert json.loads(r.stdout)["rated"] == 2
    assert run("--db", db, "appraisal", "submit", str(aid)).exit_code == 0
    assert _exit_code("--db", db, "appraisal", "clear", str(aid)) == 2
    assert _exit_code("--db", db, "appraisal", "rate", str(aid), "risks", "5") == 2
    listing = run("--db", db, "appraisal", "list", "--json")
    assert json.loads(listing.stdout)["appraisals"][0]["status"] == "submitted"
    r = run("--db", db, "appraisal", "return", str(aid), "--note", "Add capacity outputs")
    assert "returned" in r.stdout
    r = run("--db", db, "appraisal", "resubmit", str(aid), "--file",
            str(DOCS / "dwcp-capacity.pdf"), "--json")
    assert json.loads(r.stdout)["round"] == 2
    out = tmp_path / "sheets"
    r = run("--db", db, "appraisal", "report", str(aid), "--out", str(out), "--format",
            "html,json")
    assert r.exit_code == 0 and (out / f"appraisal-{aid}.html").exists()


def test_the_gate_json_is_the_library_result_and_names_the_share():
    files = [str(DOCS / "dwcp-capacity.docx"), str(DOCS / "dwcp-no-capacity.pdf")]
    r = run("gate", *files, "--json")
    assert json.loads(r.stdout) == gate_documents(files)
    r = run("gate", *files, str(DOCS / "bad-image-only.pdf"))
    assert "1 of 2 pass (50%)" in r.stdout and "no text layer" in r.stdout


def test_an_unknown_template_and_a_bad_document_exit_2(tmp_path):
    db = str(tmp_path / "a.db")
    assert _exit_code("--db", db, "appraise", str(DOCS / "project-good.pdf"), "--template",
                      "dwcpx") == 2
    assert _exit_code("--db", db, "appraise", str(DOCS / "bad-corrupt.docx"), "--template",
                      "project") == 2
