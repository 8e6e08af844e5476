"""`tcmap appraise` and `tcmap appraisal`: quality appraisal and the programme gate."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.appraisal import appraisals as lib
from tcmap.appraisal.gate import gate_documents
from tcmap.appraisal.report import FORMATS, score_label, write_sheet
from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.errors import ReviewError

BY_OPTION = typer.Option(None, "--by", metavar="NAME",
                         help="Who makes the change. Default: $USER, else 'unknown'.")


def _by(by: str | None) -> str:
    return by or os.environ.get("USER") or "unknown"


def _print_sheet(sheet: dict[str, Any], evidence: bool = True) -> None:
    scale = sheet["template"]["scale"]
    console.print(f"[bold]Appraisal {sheet['id']}[/]: {escape(sheet['title'])}")
    console.print(f"{escape(sheet['template']['title'])} · {escape(sheet['document']['name'])}"
                  f" · round {sheet['round']} · [bold]{sheet['status']}[/]")
    table = Table(show_lines=False)
    for col in ("criterion", "M", "weight", "machine", "person", "comment / required action"):
        table.add_column(col)
    for sec in sheet["sections"]:
        table.add_row(f"[bold]{escape(sec['title'])}[/]", "", "", "", "",
                      f"section score {score_label(sec['score'])}")
        for c in sec["criteria"]:
            p, r = c["proposal"] or {}, c["rating"]
            note = ""
            if r:
                note = r["comment"] + (f" [b]Required:[/] {escape(r['required_action'])}"
                                       if r["required_action"] else "")
            table.add_row(escape(c["code"]), "M" if c["mandatory"] else "",
                          score_label(c["weight"]), score_label(p.get("proposed"), scale),
                          score_label(r["score"], scale) if r else "-", note)
    console.print(table)
    if evidence:
        for sec in sheet["sections"]:
            for c in sec["criteria"]:
                p = c["proposal"] or {}
                for e in p.get("evidence", [])[:2]:
                    console.print(f"  [cyan]{escape(c['code'])}[/] {escape(e['where'])}: "
                                  f"[dim]{escape(e['text'][:160])}[/]")
                for m in p.get("missing", [])[:3]:
                    console.print(f"  [cyan]{escape(c['code'])}[/] [yellow]missing:[/] "
                                  f"{escape(m)}")
    _print_verdict(sheet)


def _print_verdict(sheet: dict[str, Any]) -> None:
    sc = sheet["scores"]
    console.print(f"Weighted score (person's ratings): [bold]{score_label(sc['overall'])}[/]"
                  f" of 3; machine's proposals would give "
                  f"{score_label(sheet['machine']['scores']['overall'])} (never used to clear).")
    failing = [f"{f['criterion']} ({score_label(f['score'])})" for f in sc["failing_mandatory"]]
    if failing:
        console.print("[bold red]Failing mandatory criteria:[/] " + ", ".join(failing))
    if sc["unrated_mandatory"]:
        console.print("[yellow]Mandatory criteria not rated by a person:[/] "
                      + ", ".join(sc["unrated_mandatory"]))
    if sc["stale_mandatory"]:
        console.print("[yellow]Rated only in an earlier round:[/] "
                      + ", ".join(sc["stale_mandatory"]))
    if sheet.get("gate"):
        g = sheet["gate"]
        console.print(("[green]Gate: passes.[/] " if g["passed"] else "[red]Gate: fails.[/] ")
                      + escape(" ".join(g["reasons"])))
    console.print(f"Next: {', '.join(sheet['actions']) or 'nothing (final)'}.")


def register(app: typer.Typer) -> None:
    @app.command("appraise")
    def appraise(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="The document: PDF, Word (.docx) or text."),
        template: str = typer.Option(
            ..., "--template", metavar="dwcp|project|PATH",
            help="The checklist: dwcp, project, or the path of your own checklist YAML."),
        title: str = typer.Option(None, "--title", help="A title; default: the document's."),
        by: str = BY_OPTION,
        json_: bool = JSON_OPTION,
    ) -> None:
        """Pre-screen a document against a checklist and store a new draft appraisal."""
        with state(ctx).store().session() as s, s.begin():
            sheet = lib.create_appraisal(s, file, template, _by(by), title=title)
        if json_:
            return print_json(sheet)
        _print_sheet(sheet)

    sub = typer.Typer(no_args_is_help=True,
                      help="List, show, rate and clear appraisals; write their sheets.")
    app.add_typer(sub, name="appraisal")

    @sub.command("list")
    def list_(ctx: typer.Context,
              status: str = typer.Option(None, "--status",
                                         help="Only appraisals in this status, e.g. returned."),
              json_: bool = JSON_OPTION) -> None:
        """Every appraisal with its status, round, score and failing mandatory criteria."""
        with state(ctx).store().session() as s:
            result = lib.list_appraisals(s, status)
        if json_:
            return print_json(result)
        table = Table()
        for col in ("id", "title", "template", "status", "round", "rated", "score", "failing",
                    "gate"):
            table.add_column(col)
        for a in result["appraisals"]:
            gate = "" if a["gate_passed"] is None else ("pass" if a["gate_passed"] else "fail")
            table.add_row(str(a["id"]), escape(a["title"][:50]), a["template"], a["status"],
                          str(a["round"]), f"{a['rated']}/{a['criteria']}",
                          score_label(a["overall"]), ", ".join(a["failing_mandatory"]), gate)
        console.print(table)

    @sub.command("show")
    def show(ctx: typer.Context, appraisal_id: str = typer.Argument(..., help="Appraisal id."),
             json_: bool = JSON_OPTION) -> None:
        """The sheet: criteria, the machine's proposals and evidence, ratings, history."""
        with state(ctx).store().session() as s:
            sheet = lib.appraisal_sheet(s, appraisal_id)
        if json_:
            return print_json(sheet)
        _print_sheet(sheet)

    @sub.command("rate")
    def rate(
        ctx: typer.Context,
        appraisal_id: str = typer.Argument(..., help="Appraisal id."),
        criterion: str = typer.Argument(None, help="The criterion's code, e.g. capacity-outputs."),
        score: str = typer.Argument(None, help="0 absent, 1 weak, 2 adequate, 3 strong, or na."),
        comment: str = typer.Option(None, "--comment", help="Why this score."),
        action: str = typer.Option(None, "--action",
                                   help="What the authors must do (a required action)."),
        csv: Path = typer.Option(None, "--csv", metavar="FILE",
                                 help="Rate from a CSV file: criterion,score,comment,action."),
        expected_version: int = typer.Option(
            None, "--expected-version", help="Refuse if the rating changed since this version."),
        by: str = BY_OPTION,
        json_: bool = JSON_OPTION,
    ) -> None:
        """Rate one criterion (or every row of a CSV file) with a comment and required action."""
        if csv is None and (criterion is None or score is None):
            raise ReviewError("Give CRITERION and SCORE, or --csv FILE.",
                              hint=f"e.g. tcmap appraisal rate {appraisal_id} capacity-outputs "
                              "2 --comment '...'")
        with state(ctx).store().session() as s, s.begin():
            if csv is not None:
                result = lib.rate_many(s, appraisal_id, lib.read_ratings_csv(csv), _by(by))
            else:
                result = lib.rate(s, appraisal_id, criterion, score, _by(by), comment, action,
                                  expected_version)
        if json_:
            return print_json(result)
        rows = result.get("ratings") or [{"criterion": result["criterion"], **result["rating"]}]
        for r in rows:
            console.print(f"{escape(r['criterion'])}: {score_label(r['score'])} "
                          f"[dim](by {escape(r['rated_by'])}, round {r['round']}, "
                          f"version {r['version']})[/]")

    def _change(ctx, action, appraisal_id, note, expected_version, by, json_, file=None):
        with state(ctx).store().session() as s, s.begin():
            sheet = lib.change_status(s, appraisal_id, action, _by(by), note, expected_version,
                                      document=file)
        if json_:
            return print_json(sheet)
        console.print(f"Appraisal {sheet['id']} is now [bold]{sheet['status']}[/] "
                      f"(round {sheet['round']}).")
        _print_verdict(sheet)

    id_arg = typer.Argument(..., help="Appraisal id.")
    note_opt = typer.Option(None, "--note", help="Why; kept in the history.")
    version_opt = typer.Option(None, "--expected-version",
                               help="Refuse if the appraisal changed since this version.")

    @sub.command("submit")
    def submit(ctx: typer.Context, appraisal_id: str = id_arg, note: str = note_opt,
               expected_version: int = version_opt, by: str = BY_OPTION,
               json_: bool = JSON_OPTION) -> None:
        """Submit a rated draft for a decision (clear or return)."""
        _change(ctx, "submit", appraisal_id, note, expected_version, by, json_)

    @sub.command("return")
    def return_(ctx: typer.Context, appraisal_id: str = id_arg, note: str = note_opt,
                expected_version: int = version_opt, by: str = BY_OPTION,
                json_: bool = JSON_OPTION) -> None:
        """Return it for revision; needs --note or required actions on the ratings."""
        _change(ctx, "return", appraisal_id, note, expected_version, by, json_)

    @sub.command("resubmit")
    def resubmit(ctx: typer.Context, appraisal_id: str = id_arg, note: str = note_opt,
                 file: Path = typer.Option(None, "--file",
                                           help="The revised document; it is pre-screened."),
                 expected_version: int = version_opt, by: str = BY_OPTION,
                 json_: bool = JSON_OPTION) -> None:
        """Resubmit a returned appraisal after revision: a new round."""
        _change(ctx, "resubmit", appraisal_id, note, expected_version, by, json_, file)

    @sub.command("clear")
    def clear(ctx: typer.Context, appraisal_id: str = id_arg, note: str = note_opt,
              expected_version: int = version_opt, by: str = BY_OPTION,
              json_: bool = JSON_OPTION) -> None:
        """Clear it; refused, listing them, unless every mandatory criterion is rated 2 or
        more by a person in this round."""
        _change(ctx, "clear", appraisal_id, note, expected_version, by, json_)

    @sub.command("report")
    def report(
        ctx: typer.Context,
        appraisal_id: str = typer.Argument(..., help="Appraisal id."),
        out: Path = typer.Option(Path("."), "--out", help="Folder for the sheet's files."),
        format_: str = typer.Option("html,pdf", "--format",
                                    help=f"Comma-separated: {', '.join(FORMATS)}."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Write the appraisal sheet as HTML and PDF (and JSON); --json prints the sheet."""
        with state(ctx).store().session() as s:
            sheet = lib.appraisal_sheet(s, appraisal_id)
        if json_:
            return print_json(sheet)
        formats = tuple(f.strip() for f in format_.split(",") if f.strip())
        for kind, path in write_sheet(sheet, out, formats).items():
            console.print(f"{kind}: {escape(path)}")

    @app.command("gate")
    def gate(
        ctx: typer.Context,
        files: list[Path] = typer.Argument(..., help="DWCP documents (PDF, .docx, text)."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """The country-programme gate over DWCP documents: a capacity output per constituent."""
        result = gate_documents(files)
        if json_:
            return print_json(result)
        for d in result["documents"]:
            mark = "[green]pass[/]" if d["passed"] else "[red]fail[/]"
            console.print(f"{mark} {escape(d['document'])}: {escape(' '.join(d['reasons']))}")
        for u in result["unreadable"]:
            p = u["problem"]
            console.print(f"[yellow]unreadable[/] {escape(u['document'])}: "
                          f"{escape(p['message'])} [dim]{escape(p['hint'])}[/]")
        if result["read"]:
            console.print(f"{result['passed']} of {result['read']} pass "
                          f"({result['share_passed']:.0%}).")
