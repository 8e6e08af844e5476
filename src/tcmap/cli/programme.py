"""`tcmap programme` and `tcmap chain`: country programmes and their results chains."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.errors import ReviewError

BY = typer.Option(None, "--by", metavar="NAME",
                  help="Who makes the change. Default: $USER, else 'unknown'.")
VERSION = typer.Option(None, "--expected-version", metavar="N",
                       help="Refuse the change if the record is no longer at this version.")


def _who(by: str | None) -> str:
    return by or os.environ.get("USER") or "unknown"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReviewError(f"{option} {value!r} is not a date.",
                          hint="Write dates as YYYY-MM-DD, e.g. 2013-12-31.") from None


def _pairs(values: list[str], option: str) -> dict[str, str]:
    out = {}
    for v in values:
        k, sep, val = v.partition("=")
        if not sep or not k.strip() or not val.strip():
            raise ReviewError(f"{option} {v!r} is not NAME=VALUE.",
                              hint=f"Write it as, e.g., {option} sex=female.")
        out[k.strip()] = val.strip()
    return out


def _given(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _problems(report: dict[str, Any]) -> None:
    for p in report.get("problems", [])[:30]:
        mark = "[red]✗[/]" if p["severity"] == "error" else "[yellow]![/]"
        where = ":".join(str(x) for x in (p.get("file"), p.get("row")) if x)
        col = f" [dim]({escape(str(p.get('column') or p.get('field') or ''))}: "\
              f"{escape(str(p.get('value') or ''))})[/]" if p.get("column") or p.get(
                  "field") else ""
        console.print(f"{mark} [bold]{p['code']}[/] {escape(where)}\n    {escape(p['message'])}"
                      f"{col}\n    [dim]→ {escape(p['hint'])}[/]", highlight=False)


def _show_figure(d: dict[str, Any]) -> None:
    f = d["figure"]
    unit = d.get("unit") or ""
    console.print(f"[bold]{escape(d['code'])}[/] {escape(d['title'])}\n  on "
                  f"{escape(d['node']['ref'])} · {d['result_level']} · {d['measure']} · "
                  f"across periods: {d['across_periods']}, across activities: "
                  f"{d['across_activities']}")
    parts = f" ({f['numerator']:g} / {f['denominator']:g})" if f["numerator"] is not None and \
        f["denominator"] else ""
    console.print(f"  figure: [bold]{f['value']}[/] {escape(unit)}{parts}; target {f['target']};"
                  f" baseline {d['baseline']}; progress {d['progress']}")
    table = Table(title=f"Values behind it ({f['values_used']})", title_justify="left")
    for col in ("id", "period", "cell", "target", "actual", "num/den", "approval", "source"):
        table.add_column(col, overflow="fold")
    for b in f["behind"]:
        cell = ", ".join(f"{k}={v}" for k, v in b["disaggregation"].items()) or "total"
        nd = f"{b['numerator']:g}/{b['denominator']:g}" if b["numerator"] is not None else ""
        table.add_row(str(b["id"] or ""), f"{b['period_start']}..{b['period_end']}", cell,
                      str(b["target"]), str(b["actual"]), nd, b["approval"],
                      escape(b["source"]))
    console.print(table)
    for i in f["ignored"]:
        console.print(f"  [dim]not used: {i['period_start']}..{i['period_end']} "
                      f"{i['disaggregation'] or 'total'}: {escape(i['reason'])}[/]")


def _programme_app() -> typer.Typer:
    sub = typer.Typer(help="Country programmes (DWCPs): template, import, list, show, link "
                      "activities, recognise outcome codes, the gate's input.",
                      no_args_is_help=True)

    @sub.command("template")
    def template(path: Path = typer.Argument(..., help="programme.xlsx (a workbook with a "
                                             "guide) or programme.csv (one CSV per sheet).")
                 ) -> None:
        """Write the country-programme template (programmes, outcomes, outputs, links,
        indicators, values)."""
        from tcmap.results.sheets import write_template

        for f in write_template(path):
            console.print(f"Written: [bold]{escape(f)}[/]")

    @sub.command("import")
    def import_(ctx: typer.Context,
                paths: list[Path] = typer.Argument(..., help="Programme sheets (.xlsx or .csv)."),
                by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Import programme sheets: all or nothing; exit code 1 when any error was found."""
        from tcmap.results.importing import import_programmes

        st = state(ctx)
        with st.store().session() as s, s.begin():
            report = import_programmes(s, paths, _who(by), st.settings.framework)
        if json_:
            print_json(report)
        else:
            for sheet, c in report["counts"].items():
                if any(c.values()):
                    console.print(f"{sheet}: {c['created']} created, {c['updated']} updated, "
                                  f"{c['unchanged']} unchanged")
            _problems(report)
            console.print("[green]Imported.[/]" if report["imported"] else
                          f"[red]Nothing was imported[/] ({report['errors']} errors). "
                          f"{report['policy']}")
        raise typer.Exit(0 if report["ok"] else 1)

    @sub.command("list")
    def list_(ctx: typer.Context, country: str = typer.Option(
            None, "--country", help="Only this country (ISO alpha-2)."),
            json_: bool = JSON_OPTION) -> None:
        """List the programmes with their outcomes, outputs by capacity level, activities."""
        from tcmap.results.programmes import list_programmes

        with state(ctx).store().session() as s:
            d = list_programmes(s, country)
        if json_:
            return print_json(d)
        t = Table(title=d["title"])
        for col in ("code", "country", "period", "outcomes", "ind.", "org.", "env.",
                    "activities", "indicators"):
            t.add_column(col)
        for p in d["programmes"]:
            lv = p["outputs_by_level"]
            t.add_row(p["code"], p["country"], f"{p['period_start']}..{p['period_end']}",
                      str(p["outcomes"]), str(lv["individual"]), str(lv["organizational"]),
                      str(lv["enabling_environment"]), str(p["activities"]),
                      str(p["indicators"]))
        console.print(t)

    @sub.command("show")
    def show(ctx: typer.Context, code: str = typer.Argument(..., help="The programme's code."),
             json_: bool = JSON_OPTION) -> None:
        """Show a programme: outcomes, outputs, activities, chain checks, indicators."""
        from tcmap.results.summary import programme_overview

        with state(ctx).store().session() as s:
            d = programme_overview(s, code)
        if json_:
            return print_json(d)
        p = d["programme"]
        console.print(f"[bold]{escape(d['title'])}[/] ({p['country']}, {p['period_start']} to "
                      f"{p['period_end']})")
        for o in d["outcomes"]:
            console.print(f"\n[bold]{o['code']}[/] {escape(o['statement'])} "
                          f"[dim]→ {o['framework_outcome'] or 'no framework outcome'}[/]")
            for x in o["outputs"]:
                tags = escape(f"[{x['capacity_level']}, {x['constituent'] or '-'}]")
                console.print(f"  {x['code']} {tags} {escape(x['statement'])}")
            for a in o["activities"]:
                console.print(f"  [dim]{a['origin']} {a['state']}:[/] {escape(a['identifier'])}")
        console.print(f"\nChain warnings: {len(d['checks']['warnings'])}; indicators: "
                      f"{len(d['indicators'])} (see `tcmap chain check`, `tcmap indicator show`)")

    @sub.command("link")
    def link(ctx: typer.Context,
             outcome: str = typer.Argument(..., help="The programme outcome's code."),
             activity: str = typer.Argument(..., help="The activity's IATI identifier."),
             output: str = typer.Option(None, "--output", help="The output it delivers."),
             note: str = typer.Option(None, "--note", help="Why; kept with the link."),
             unlink: bool = typer.Option(False, "--unlink", help="Reject the link instead "
                                         "(recognition will not bring it back)."),
             by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Link an activity to a programme outcome (or reject the link)."""
        from tcmap.results.programmes import link_activity

        with state(ctx).store().session() as s, s.begin():
            d = link_activity(s, outcome, activity, _who(by), output, note, unlink)
        print_json(d) if json_ else console.print(
            f"{escape(activity)} → {outcome}: {d['state']} (by {escape(d['by'])})")

    @sub.command("recognise")
    def recognise_(ctx: typer.Context, programme: str = typer.Option(
            None, "--programme", help="Only this programme's outcome codes."),
            by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Link activities whose identifiers or tags carry a stored outcome code."""
        from tcmap.results.recognition import recognise

        with state(ctx).store().session() as s, s.begin():
            d = recognise(s, _who(by), programme)
        if json_:
            return print_json(d)
        for x in d["links"]:
            console.print(f"{escape(x['activity'])} → {x['outcome']} "
                          f"[dim]({x['evidence']['field']})[/]")
        console.print(f"{d['linked']} linked, {d['already_linked']} already linked, "
                      f"{d['rejected_by_a_person']} rejected by a person. "
                      f"{d['unknown_codes_total']} outcome codes seen in identifiers match no "
                      "stored programme" + (": " + ", ".join(
                          u["code"] for u in d["unknown_codes"][:15]) if d["unknown_codes"]
                          else "") + ".")

    @sub.command("gate-ready")
    def gate_ready(ctx: typer.Context, code: str = typer.Argument(..., help="Programme code."),
                   json_: bool = JSON_OPTION) -> None:
        """Print the programme as the DWCP gate takes it (code, country, constituents,
        outputs)."""
        from tcmap.results.programmes import gate_input

        with state(ctx).store().session() as s:
            d = gate_input(s, code)
        print_json(d)

    @sub.command("gate")
    def gate(ctx: typer.Context, codes: list[str] = typer.Argument(
                 None, help="Programme codes; none: every stored programme."),
             json_: bool = JSON_OPTION) -> None:
        """The country-programme gate over stored programmes: a capacity output for each
        constituent group targeted, or the reason it fails; the share that pass."""
        from tcmap.appraisal.gate import gate_programmes

        with state(ctx).store().session() as s:
            d = gate_programmes(s, codes)
        if json_:
            print_json(d)
        else:
            for p in d["programmes"]:
                mark = "[green]passes[/]" if p["passed"] else "[red]fails[/]"
                console.print(f"{escape(p['code'])}: {mark}" + (
                    "" if p["passed"] else " - " + escape("; ".join(p["reasons"]))))
            if d["checked"]:
                console.print(f"{d['passed']} of {d['checked']} programmes pass "
                              f"({100 * d['share_passed']:.0f} per cent).")
            else:
                console.print("No country programme is stored: tcmap programme import FILE.")
        if d["passed"] < d["checked"]:
            raise typer.Exit(1)

    @sub.command("edit-output")
    def edit_output_(ctx: typer.Context,
                     code: str = typer.Argument(..., help="The programme's code."),
                     output: str = typer.Argument(..., help="The output's code."),
                     statement: str = typer.Option(None, "--statement", help="New statement."),
                     capacity_level: str = typer.Option(None, "--capacity-level",
                                                        help="individual, organizational or "
                                                        "enabling_environment."),
                     constituent: str = typer.Option(None, "--constituent",
                                                     help="A target-group code."),
                     learning_outcome: str = typer.Option(None, "--learning-outcome",
                                                          help="A WBI learning outcome code."),
                     institutional_change: str = typer.Option(
                         None, "--institutional-change", help="The change it serves."),
                     expected_version: int = VERSION, by: str = BY,
                     json_: bool = JSON_OPTION) -> None:
        """Change an output; the results chain follows."""
        from tcmap.results.programmes import edit_output

        changes = _given(statement=statement, capacity_level=capacity_level,
                         constituent=constituent, learning_outcome=learning_outcome,
                         institutional_change=institutional_change)
        with state(ctx).store().session() as s, s.begin():
            d = edit_output(s, code, output, changes, _who(by), expected_version)
        print_json(d) if json_ else console.print(f"{output}: version {d['version']}")

    return sub


def _chain_app() -> typer.Typer:
    sub = typer.Typer(help="The results chain of a programme: build, show, check, link.",
                      no_args_is_help=True)

    @sub.command("build")
    def build(ctx: typer.Context, code: str = typer.Argument(..., help="Programme code."),
              by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Rebuild the chain from the programme's outcomes, outputs and activities."""
        from tcmap.results.chain import build_chain

        with state(ctx).store().session() as s, s.begin():
            d = build_chain(s, code, _who(by))
        print_json(d) if json_ else console.print(d)

    @sub.command("show")
    def show(ctx: typer.Context, code: str = typer.Argument(..., help="Programme code."),
             json_: bool = JSON_OPTION) -> None:
        """Show the chain as a tree, from the framework outcomes down."""
        from tcmap.results.chain import chain_view

        with state(ctx).store().session() as s:
            d = chain_view(s, code)
        if json_:
            return print_json(d)

        def walk(n: dict[str, Any], depth: int) -> None:
            link = n["link"] or {}
            extra = f" [dim]assumes: {escape(link['assumption'])}[/]" if link.get(
                "assumption") else ""
            key = "" if n["key"].lower() == n["label"].lower() else f"{escape(n['key'])} "
            console.print(f"{'  ' * depth}[bold]{n['type']}[/] {key}"
                          f"{escape(n['label'][:70])} ({n['indicators']} ind.){extra}",
                          highlight=False)
            for c in n["children"]:
                walk(c, depth + 1)
        for n in d["tree"]:
            walk(n, 0)

    @sub.command("check")
    def check(ctx: typer.Context, code: str = typer.Argument(..., help="Programme code."),
              json_: bool = JSON_OPTION) -> None:
        """Check the chain: unpaired individual outputs, missing framework outcomes and
        indicators, outputs no activity delivers."""
        from tcmap.results.checks import check_chain

        with state(ctx).store().session() as s:
            d = check_chain(s, code)
        if json_:
            return print_json(d)
        for w in d["warnings"]:
            console.print(f"[yellow]![/] [bold]{w['code']}[/] {escape(w['message'])}\n"
                          f"    [dim]→ {escape(w['hint'])}[/]", highlight=False)
        console.print(f"{len(d['warnings'])} warnings over {d['nodes']} nodes.")

    @sub.command("link")
    def link(ctx: typer.Context, code: str = typer.Argument(..., help="Programme code."),
             from_: str = typer.Argument(..., metavar="FROM", help="TYPE:KEY of the lower node."),
             to: str = typer.Argument(..., help="TYPE:KEY of the node it contributes to."),
             assumption: str = typer.Option(None, "--assumption", help="What must hold."),
             risk: str = typer.Option(None, "--risk", help="What could break the link."),
             risk_rating: str = typer.Option(None, "--risk-rating", help="low, medium or high."),
             by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Link two nodes of the chain, with an assumption and a risk."""
        from tcmap.results.chain import add_link

        with state(ctx).store().session() as s, s.begin():
            d = add_link(s, code, from_, to, _who(by), assumption, risk, risk_rating)
        print_json(d) if json_ else console.print(f"{d['from']} → {d['to']} (link {d['id']})")

    return sub


def register(app: typer.Typer) -> None:
    app.add_typer(_programme_app(), name="programme")
    app.add_typer(_chain_app(), name="chain")
