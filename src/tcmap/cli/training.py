"""`tcmap training`: training events, participants and follow-up surveys."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.taxonomy import load_framework
from tcmap.training.figures import GROUPINGS

INSTRUMENT_OPTION = typer.Option(
    None, "--instrument", metavar="YAML",
    help="A survey instrument file shaped like the packaged surveys.yaml (default: packaged).")


def _instrument(path: Path | None):
    from tcmap.training.surveys import load_instrument

    return load_instrument(path)


def _fmt(f: dict[str, Any]) -> str:
    """A figure as '60% [52–66] 109/183', with * for a small cell."""
    if not f["n"]:
        return "[dim]–[/]"
    lo, hi = f["interval"]
    star = "*" if f["small"] else ""
    return f"{100 * f['rate']:.0f}%{star} [dim][{100 * lo:.0f}–{100 * hi:.0f}] {f['k']}/{f['n']}[/]"


def show_import(report: dict[str, Any], limit: int = 40) -> None:
    """The import report: counts per sheet, then the problems with where and what to do."""
    table = Table(title="Training import" + (" (check only: nothing stored)"
                                             if report["check"] else ""), title_justify="left")
    for col in ("sheet", "kind", "rows", "new", "upd", "same", "rej"):
        table.add_column(col, justify="left" if col in ("sheet", "kind") else "right")
    for s in report["sheets"]:
        table.add_row(escape(Path(s["file"]).name), s["kind"], *(str(s[k]) for k in (
            "rows", "inserted", "updated", "unchanged", "rejected")))
    console.print(table)
    problems = report["problems"]
    if problems:
        shown = sorted(problems, key=lambda p: p["severity"] != "error")[:limit]
        total = len(problems) + report["problems_not_listed"]
        console.print(f"\n[bold]Problems[/] ({len(shown)} of {total}, errors first;"
                      " [red]✗[/] = row rejected, [yellow]![/] = imported anyway):")
        for p in shown:
            mark = "[red]✗[/]" if p["severity"] == "error" else "[yellow]![/]"
            where = p.get("file", "") + (f":{p['row']}" if p.get("row") else "")
            what = f" [dim]({escape(p['column'])}: {escape(p.get('value', ''))})[/]" if p.get(
                "column") else ""
            console.print(f"{mark} [bold]{p['code']}[/]  {escape(where)}")
            console.print(f"    {escape(p['message'])}{what}\n    [dim]→ {escape(p['hint'])}[/]",
                          highlight=False)
    if not report["ok"]:
        console.print("[red]Some rows were rejected[/]; the rest were imported and nothing "
                      "stored was changed by the rejected rows. Fix them and import again.")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(no_args_is_help=True, help=(
        "Training follow-up: import events, participants and survey responses; list events; "
        "response, application and large-improvement rates with 95% intervals."))
    app.add_typer(sub, name="training")

    @sub.command("template")
    def template(
        ctx: typer.Context,
        path: Path = typer.Option(Path("training-template.xlsx"), "-o", "--output",
                                  help="A .xlsx workbook (with a Guide sheet) or a folder for "
                                  "CSV files."),
        instrument: Path = INSTRUMENT_OPTION,
    ) -> None:
        """Write the import template: Events, Participants, Responses and a Guide."""
        from tcmap.training.template import write_training_template

        written = write_training_template(path, state(ctx).settings.framework,
                                          _instrument(instrument))
        console.print("Template written: " + ", ".join(f"[bold]{escape(str(w))}[/]"
                                                       for w in written))

    @sub.command("import")
    def import_(
        ctx: typer.Context,
        paths: list[Path] = typer.Argument(..., help="A workbook with sheets Events, "
                                           "Participants and Responses, or CSV files of them."),
        by: str = typer.Option(None, "--by", metavar="NAME",
                               help="Who imports. Default: $USER, else 'unknown'."),
        check: bool = typer.Option(False, "--check",
                                   help="Only check the files: report problems, store nothing."),
        instrument: Path = INSTRUMENT_OPTION,
        json_: bool = JSON_OPTION,
    ) -> None:
        """Import training data; exit code 1 when any row or file was rejected."""
        from tcmap.training.importing import import_training

        st = state(ctx)
        report = import_training(st.store(), paths, by or os.environ.get("USER") or "unknown",
                                 st.settings.framework, _instrument(instrument),
                                 check=check).to_dict()
        if json_:
            print_json(report)
        else:
            show_import(report)
        raise typer.Exit(0 if report["ok"] else 1)

    @sub.command("events")
    def events(
        ctx: typer.Context,
        outcome: str = typer.Option(None, "--outcome", help="Only events of this outcome."),
        organizer: str = typer.Option(None, "--organizer",
                                      help="Only events of this organizer, e.g. ITC-ILO."),
        year: int = typer.Option(None, "--year", help="Only events starting in this year."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """List training events with their participants and responses per timing."""
        from tcmap.training.events import list_events

        st = state(ctx)
        with st.store().session() as s:
            result = list_events(s, load_framework(st.settings.framework), outcome,
                                 organizer, year)
        if json_:
            return print_json(result)
        table = Table(title=f"Training events ({result['total']})", title_justify="left")
        for col in ("event", "start", "outcome", "organizer", "title", "people", "responses"):
            table.add_column(col, overflow="fold", no_wrap=col in ("event", "start", "outcome"),
                             ratio=3 if col == "title" else None)
        for e in result["events"]:
            table.add_row(escape(e["code"]), e["start_date"],
                          e["outcome"], escape(e["organizer"] or ""), escape(e["title"]),
                          str(e["participants"]),
                          ", ".join(f"{t} {n}" for t, n in e["responses"].items()))
        console.print(table)

    @sub.command("show")
    def show(
        ctx: typer.Context,
        event: str = typer.Argument(..., help="The event's code."),
        instrument: Path = INSTRUMENT_OPTION,
        json_: bool = JSON_OPTION,
    ) -> None:
        """One event: participants by sex and constituent type, its survey results."""
        from tcmap.training.events import event_detail

        st = state(ctx)
        with st.store().session() as s:
            d = event_detail(s, load_framework(st.settings.framework),
                             _instrument(instrument), event)
        if json_:
            return print_json(d)
        console.print(f"[bold]{escape(d['title_page'])}[/]\n{d['start_date']} – "
                      f"{d['end_date']} · {d['outcome']} {escape(d['outcome_title'] or '')} · "
                      f"{escape(d['organizer'] or '')} · {d['modality'] or ''}")
        console.print(f"{d['participants']} participants: " + ", ".join(
            f"{escape(s['label'])} {s['participants']}" for s in d["by_sex"]) + "; " + ", ".join(
            f"{escape(c['label'])} {c['participants']}" for c in d["by_constituent"]))
        table = Table(title_justify="left")
        for col in ("survey", "responded", "applied", "large improvement", "organization"):
            table.add_column(col)
        for s in d["survey_results"]:
            table.add_row(s["label"], _fmt(s["response_rate"]), _fmt(s["application_rate"]),
                          _fmt(s["large_improvement"]), _fmt(s["large_improvement_org"]))
        console.print(table)

    @sub.command("figures")
    def figures(
        ctx: typer.Context,
        by: str = typer.Option("outcome", "--by",
                               help=f"Group by: {', '.join(GROUPINGS)}."),
        outcome: str = typer.Option(None, "--outcome", help="Only events of this outcome."),
        organizer: str = typer.Option(None, "--organizer",
                                      help="Only events of this organizer."),
        timing: str = typer.Option(None, "--timing",
                                   help="Survey timing (end, 3m, 6m, 12m); default 6m."),
        instrument: Path = INSTRUMENT_OPTION,
        json_: bool = JSON_OPTION,
    ) -> None:
        """Response, application and large-improvement rates with 95% Wilson intervals."""
        from tcmap.training.summary import figures as training_figures

        st = state(ctx)
        with st.store().session() as s:
            result = training_figures(s, load_framework(st.settings.framework), by, timing,
                                      outcome, organizer, _instrument(instrument))
        if json_:
            return print_json(result)
        table = Table(title=f"Training follow-up, {result['timing_label'].lower()} "
                      f"({result['events']} events, {result['participants']} participants)",
                      title_justify="left")
        table.add_column(by)
        table.add_column("people", justify="right")
        for m in result["measures"]:
            table.add_column(m["column"])
        for g in [result["overall"], *result["groups"]]:
            table.add_row(escape(g["label"]), str(g["participants"]),
                          *(_fmt(g[m["code"]]) for m in result["measures"]))
        console.print(table)
        console.print(f"[dim]rate% [95% interval] k/n; * fewer than {result['small_cell']} "
                      "answers. " + " ".join(f"{m['column']}: {m['definition']}"
                                             for m in result["measures"]) + "[/]")
