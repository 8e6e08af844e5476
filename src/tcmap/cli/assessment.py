"""`tcmap assessment`: capacity assessments of constituents."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state

ID = typer.Argument(..., help="The assessment's number (see `tcmap assessment list`).")
BY = typer.Option(None, "--by", metavar="NAME",
                  help="Who makes the change. Default: $USER, else 'unknown'.")
EXPECTED = typer.Option(None, "--expected-version", metavar="N",
                        help="Refuse the change if the record is no longer at this version "
                        "(someone else changed it).")


def _who(by: str | None) -> str:
    return by or os.environ.get("USER") or "unknown"


def _num(v) -> str:
    return "–" if v is None else f"{v:.2f}"


def _problems(report: dict, title: str = "Problems (nothing was written)") -> None:
    table = Table(title=title)
    for col in ("where", "code", "value", "message", "hint"):
        table.add_column(col, overflow="fold")
    for p in report["problems"]:
        where = (f"row {p['row']}" if p.get("row") else f"line {p['line']}" if p.get("line")
                 else p.get("field") or "")
        table.add_row(escape(where), p["code"], escape(str(p.get("value") or "")),
                      escape(p["message"]), escape(p["hint"]))
    console.print(table)


def _questions(d: dict) -> None:
    table = Table(title="Questions in scope (score: mean of ratings, N/A left out)")
    for col in ("question", "text", "score", "ratings"):
        table.add_column(col, overflow="fold")
    for cell in d["cells"]:
        for q in cell["questions"]:
            table.add_row(q["id"], escape(q["text"]), _num(q["score"]), str(len(q["ratings"])))
    console.print(table)


def _show(d: dict) -> None:
    console.print(f"[bold]#{d['id']} {escape(d['title'])}[/] · {d['constituent_type']}"
                  f"{' · ' + d['country'] if d['country'] else ''} · {d['assessed_on']} · "
                  f"{d['status']} · {escape(d['instrument']['code'])} "
                  f"{escape(d['instrument']['version'])}")
    for key, label in (("why", "For why"), ("for_whom", "For whom"), ("for_what", "For what")):
        if d["purpose"][key]:
            console.print(f"[dim]{label}:[/] {escape(d['purpose'][key])}")
    rows = d["cross_sections"] or d["cells"]
    table = Table(title="Scores (existing, desired, gap, priority)")
    for col in ("level", d["instrument"]["axis_labels"]["core_issue"].lower(), "existing",
                "desired", "gap", "priority"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["level"], r["core_issue"], _num(r["score"]), _num(r["desired"]),
                      _num(r["gap"]), r["band"] or "")
    for lv in d["levels"]:
        table.add_row(f"[bold]{lv['level']}[/]", "[bold]all[/]", _num(lv["score"]),
                      _num(lv["desired"]), _num(lv["gap"]), lv["band"] or "")
    console.print(table)
    if d["actions"]:
        actions = Table(title="Capacity-development response")
        for col in ("#", "cell", "horizon", "lever", "action", "responsible", "cost"):
            actions.add_column(col, overflow="fold")
        for a in d["actions"]:
            cost = f"{a['cost']:,.0f} {a['currency'] or ''}" if a["cost"] is not None else ""
            actions.add_row(str(a["id"]), a["cell"], a["horizon"], a["lever"],
                            escape(a["description"]), escape(a["responsible"]), cost)
        console.print(actions)
    for c in d["changes"]:
        console.print(f"change {c['level']}/{c['core_issue']}/{c['functional_capacity'] or ''}:"
                      f" {_num(c['before'])} → {_num(c['after'])} ({c['change']:+.2f})")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="Capacity assessments of constituents: instruments, ratings, "
                      "desired levels, gaps, the response, follow-up rounds, reports.",
                      no_args_is_help=True)
    app.add_typer(sub, name="assessment")

    @sub.command("instruments")
    def instruments(ctx: typer.Context, ref: str = typer.Argument(
            None, help="An instrument code or the path to an instrument YAML file to check."),
                    json_: bool = JSON_OPTION) -> None:
        """List the instruments (packaged, then loaded from files), or check and describe
        one (code or file)."""
        from tcmap.assessment import check_instrument, list_instruments

        if ref is None:
            with state(ctx).store().session() as s:
                rows = list_instruments(s)
            if json_:
                return print_json(rows)
            table = Table(title="Instruments")
            for col in ("code", "version", "title", "scale", "cells", "questions", "origin"):
                table.add_column(col, overflow="fold")
            for r in rows:
                table.add_row(r["code"], r["version"], escape(r["title"]),
                              f"{r['scale']['min']}–{r['scale']['max']}", str(r["cells"]),
                              str(r["questions"]), escape(r["origin"]))
            return console.print(table)
        report = check_instrument(ref)
        if json_:
            print_json(report)
        elif report["ok"]:
            i = report["instrument"]
            console.print(f"[bold]{escape(i['code'])}[/] {escape(i['version'])}: "
                          f"{escape(i['title'])}; {i['cells']} cells, {i['questions']} "
                          f"questions, scale {i['scale']['min']}–{i['scale']['max']}.")
            for axis in ("levels", "core_issues", "functional_capacities"):
                if i[axis]:
                    console.print(f"{axis}: " + ", ".join(x["code"] for x in i[axis]))
        else:
            _problems(report, f"Problems in {report['file']}")
        if not report["ok"]:
            raise typer.Exit(1)

    @sub.command("new")
    def new(ctx: typer.Context,
            constituent: str = typer.Option(..., "--constituent",
                                            help="Who is assessed, e.g. 'Ministry of Labour'."),
            type_: str = typer.Option(..., "--type", help="The constituent's type: a "
                                      "target group code (government, employers_org, "
                                      "workers_org, ...)."),
            country: str = typer.Option(None, "--country", help="ISO country code, e.g. KE."),
            why: str = typer.Option("", "--why", help="Capacity for why: the purpose."),
            for_whom: str = typer.Option("", "--for-whom", help="Capacity for whom."),
            for_what: str = typer.Option("", "--for-what", help="Capacity for what."),
            instrument: str = typer.Option("undp-2008", "--instrument",
                                           help="Instrument code or YAML file."),
            scope: list[str] = typer.Option(
                [], "--scope", metavar="CELL", help="A cell or prefix in scope, e.g. "
                "organizational/leadership (repeatable; default: every cell)."),
            on: str = typer.Option(None, "--date", help="Date of the assessment, YYYY-MM-DD "
                                   "(default: today)."),
            by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Start an assessment of a constituent (round 1)."""
        from tcmap.assessment import new_assessment
        from tcmap.taxonomy import load_framework

        st = state(ctx)
        with st.store().session() as s, s.begin():
            h = new_assessment(s, load_framework(st.settings.framework),
                               constituent=constituent, constituent_type=type_,
                               country=country, why=why, for_whom=for_whom, for_what=for_what,
                               instrument=instrument, scope=scope, assessed_on=on, by=_who(by))
        if json_:
            return print_json(h)
        console.print(f"Assessment [bold]#{h['id']}[/]: {escape(h['constituent'])}, "
                      f"{h['cells_in_scope']} cells of {h['instrument']['code']}.")

    @sub.command("rate")
    def rate(ctx: typer.Context, assessment: int = ID,
             question: str = typer.Argument(None, help="Question id, e.g. ORG-LD-F2-1."),
             score: str = typer.Argument(None, help="Score on the scale, or N/A."),
             evidence: str = typer.Option("", "--evidence", help="What the score rests on."),
             source: str = typer.Option("self", "--source",
                                        help="self, interview or document."),
             file: Path = typer.Option(None, "--file", help="A CSV of ratings: question, "
                                       "score, and optionally evidence, source, by."),
             by: str = BY, expected: int = EXPECTED, json_: bool = JSON_OPTION) -> None:
        """Rate a question, or many from a CSV file (all or nothing)."""
        from tcmap.assessment import rate as rate_one
        from tcmap.assessment import rate_file
        from tcmap.errors import InputError

        if (file is None) == (question is None or score is None):
            raise InputError("assessment-bad-value", "Give QUESTION and SCORE, or --file.",
                             "e.g. tcmap assessment rate 1 ORG-LD-F2-1 3 --evidence '...'")
        with state(ctx).store().session() as s, s.begin():
            if file is None:
                result = rate_one(s, assessment, question, score, by=_who(by),
                                  evidence=evidence, source=source, expected_version=expected)
            else:
                result = rate_file(s, assessment, file, by=_who(by), source=source)
        if json_:
            print_json(result)
        elif file is None:
            console.print(f"Rated {result['question']}: "
                          f"{'N/A' if result['na'] else result['score']} (version "
                          f"{result['version']}).")
        elif result["ok"]:
            console.print(f"{result['written']} ratings written, {result['skipped']} empty "
                          "rows skipped.")
        else:
            _problems(result)
        if file is not None and not result["ok"]:
            raise typer.Exit(1)

    @sub.command("verify")
    def verify(ctx: typer.Context, assessment: int = ID,
               question: str = typer.Argument(..., help="Question id, e.g. ORG-FIN-2."),
               score: str = typer.Argument(..., help="The verified score, or N/A."),
               note: str = typer.Option("", "--note", help="Why the score was confirmed or "
                                        "corrected."),
               by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Verify a consensus score (instruments with a verification step, such as oca)."""
        from tcmap.assessment import verify as verify_score

        with state(ctx).store().session() as s, s.begin():
            r = verify_score(s, assessment, question, score, by=_who(by), note=note)
        if json_:
            return print_json(r)
        console.print(f"Verified {r['question']}: {r['verified_score']}.")

    @sub.command("desire")
    def desire(ctx: typer.Context, assessment: int = ID,
               cell: str = typer.Argument(..., help="A cell, or a prefix (level, "
                                          "level/core_issue) for all its cells."),
               score: str = typer.Argument(..., help="The desired score."),
               set_by: str = typer.Option(..., "--set-by", help="Who set it: self, "
                                          "technical_reference_group or primary_client."),
               by: str = BY, expected: int = EXPECTED, json_: bool = JSON_OPTION) -> None:
        """Set the desired level of a cell (or of every cell under a prefix)."""
        from tcmap.assessment import set_desired

        with state(ctx).store().session() as s, s.begin():
            rows = set_desired(s, assessment, cell, score, set_by=set_by, by=_who(by),
                               expected_version=expected)
        if json_:
            return print_json(rows)
        console.print(f"Desired level {rows[0]['score']} set for {len(rows)} cell(s).")

    @sub.command("respond")
    def respond(ctx: typer.Context, assessment: int = ID,
                cell: str = typer.Argument(..., help="The cell the action answers."),
                horizon: str = typer.Option(..., "--horizon", help="short, medium or long."),
                lever: str = typer.Option(..., "--lever", help="institutional_arrangements, "
                                          "leadership, knowledge or accountability."),
                description: str = typer.Option(..., "-d", "--description",
                                                help="What will be done."),
                responsible: str = typer.Option("", "--responsible", help="Who does it."),
                cost: float = typer.Option(None, "--cost", help="Estimated cost."),
                currency: str = typer.Option(None, "--currency", help="ISO currency, e.g. USD."),
                output: str = typer.Option(None, "--output", help="The output it serves "
                                           "(text)."),
                activity: str = typer.Option(None, "--activity", help="The IATI identifier of "
                                             "the activity it belongs to."),
                edit: int = typer.Option(None, "--edit", metavar="ACTION",
                                         help="Change this action instead of adding one."),
                by: str = BY, expected: int = EXPECTED, json_: bool = JSON_OPTION) -> None:
        """Add (or change) an action of the capacity-development response."""
        from tcmap.assessment import save_action

        with state(ctx).store().session() as s, s.begin():
            a = save_action(s, assessment, cell=cell, horizon=horizon, lever=lever,
                            description=description, responsible=responsible, cost=cost,
                            currency=currency, linked_output=output, linked_activity=activity,
                            action_id=edit, expected_version=expected, by=_who(by))
        if json_:
            return print_json(a)
        console.print(f"Action #{a['id']} (version {a['version']}) for {a['cell']}.")

    @sub.command("round")
    def round_(ctx: typer.Context, assessment: int = ID,
               on: str = typer.Option(None, "--date", help="Date of the follow-up, YYYY-MM-DD "
                                      "(default: today)."),
               by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Start a follow-up round: same instrument, scope and desired levels."""
        from tcmap.assessment import start_round

        with state(ctx).store().session() as s, s.begin():
            h = start_round(s, assessment, by=_who(by), assessed_on=on)
        if json_:
            return print_json(h)
        console.print(f"Round {h['round']} is assessment [bold]#{h['id']}[/]; round "
                      f"{h['round'] - 1} (#{h['baseline']}) is closed.")

    @sub.command("list")
    def list_(ctx: typer.Context,
              constituent: str = typer.Option(None, "--constituent",
                                              help="Only constituents whose name contains it."),
              country: str = typer.Option(None, "--country", help="Only this country."),
              type_: str = typer.Option(None, "--type", help="Only this constituent type."),
              json_: bool = JSON_OPTION) -> None:
        """List the assessments, newest first."""
        from tcmap.assessment import list_assessments

        with state(ctx).store().session() as s:
            rows = list_assessments(s, constituent, country, type_)
        if json_:
            return print_json(rows)
        table = Table(title="Capacity assessments")
        for col in ("#", "constituent", "type", "country", "round", "date", "instrument",
                    "status", "ratings"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(str(r["id"]), escape(r["constituent"]), r["constituent_type"],
                          r["country"] or "", str(r["round"]), r["assessed_on"],
                          r["instrument"]["code"], r["status"], str(r["ratings"]))
        console.print(table)

    @sub.command("show")
    def show(ctx: typer.Context, assessment: int = ID,
             questions: bool = typer.Option(False, "--questions",
                                            help="Also list the questions in scope, their ids "
                                            "and scores."),
             json_: bool = JSON_OPTION) -> None:
        """Show an assessment: scores, gaps, priorities, response, change since last round."""
        from tcmap.assessment import show_assessment
        from tcmap.taxonomy import load_framework

        st = state(ctx)
        with st.store().session() as s:
            d = show_assessment(s, assessment, load_framework(st.settings.framework))
        if json_:
            return print_json(d)
        if questions:
            _questions(d)
        _show(d)

    @sub.command("report")
    def report(ctx: typer.Context, assessment: int = ID,
               output: Path = typer.Option(Path("reports"), "-o", "--output",
                                           help="Folder for assessment-ID.html/.pdf/.json."),
               formats: str = typer.Option(None, "--format", help="Comma-separated: html, "
                                           "pdf, json (default: all; pdf only when "
                                           "WeasyPrint is installed)."),
               json_: bool = JSON_OPTION) -> None:
        """Write the assessment report (HTML, PDF, JSON)."""
        from tcmap.assessment.report import write_assessment_report
        from tcmap.taxonomy import load_framework

        st = state(ctx)
        wanted = tuple(f.strip() for f in formats.split(",") if f.strip()) if formats else None
        with st.store().session() as s:
            files = write_assessment_report(s, assessment, output, wanted,
                                            framework=load_framework(st.settings.framework))
        if json_:
            return print_json(files)
        for kind, path in files.items():
            console.print(f"{kind}: {escape(path)}")
