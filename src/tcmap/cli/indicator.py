"""`tcmap indicator`: capacity indicators on results chains, their values and figures."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.cli.programme import BY, VERSION, _date, _given, _pairs, _problems, _show_figure, _who


def _indicator_app() -> typer.Typer:
    sub = typer.Typer(help="Capacity indicators: the library, indicators on chain nodes, their "
                      "values and approval, figures with the values behind them.",
                      no_args_is_help=True)

    @sub.command("library")
    def library(level: str = typer.Option(None, "--level", help="Only this capacity level."),
                result_level: str = typer.Option(None, "--result-level",
                                                 help="Only this result level."),
                json_: bool = JSON_OPTION) -> None:
        """List the library of capacity indicators with their aggregation rules."""
        from tcmap.results.reference import library_listing

        d = library_listing(level, result_level)
        if json_:
            return print_json(d)
        t = Table(title=f"Capacity indicators ({d['count']})")
        for col in ("code", "title", "level", "result", "measure", "periods", "activities"):
            t.add_column(col, overflow="fold")
        for e in d["indicators"]:
            t.add_row(e["code"], e["title"], e["capacity_level"], e["result_level"],
                      e["measure"], e["across_periods"], e["across_activities"])
        console.print(t)

    @sub.command("add")
    def add(ctx: typer.Context, programme: str = typer.Argument(..., help="Programme code."),
            node: str = typer.Argument(..., help="The chain node: an output or outcome code, "
                                       "or TYPE:KEY."),
            library: str = typer.Option(None, "--library", help="Start from this library "
                                        "indicator; the options below override its fields."),
            code: str = typer.Option(None, "--code", help="The indicator's code "
                                     "(default PROGRAMME-I<n>)."),
            title: str = typer.Option(None, "--title", help="What it measures."),
            result_level: str = typer.Option(None, "--result-level", help="output, "
                                             "intermediate_outcome, outcome or impact."),
            capacity_level: str = typer.Option(None, "--capacity-level",
                                               help="Default: the node's."),
            measure: str = typer.Option(None, "--measure", help="count, ratio, percent, "
                                        "scale, binary or qualitative."),
            unit: str = typer.Option(None, "--unit", help="What is counted, or the scale."),
            direction: str = typer.Option(None, "--direction", help="increase or decrease."),
            across_periods: str = typer.Option(None, "--across-periods", help="sum, mean, "
                                               "latest, max, ratio or none."),
            across_activities: str = typer.Option(None, "--across-activities", help="sum, "
                                                  "mean, latest, max, ratio or none."),
            baseline: float = typer.Option(None, "--baseline", help="The baseline value."),
            baseline_date: str = typer.Option(None, "--baseline-date", help="YYYY-MM-DD."),
            disaggregation: list[str] = typer.Option(
                [], "--disaggregation", help="A dimension its values are split by "
                "(repeat: --disaggregation sex --disaggregation constituent_type)."),
            means: str = typer.Option(None, "--means-of-verification", help="Where the "
                                      "values come from."),
            by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Put an indicator on a chain node (refused when it breaks a rule)."""
        from tcmap.results.indicators import add_indicator

        fields = _given(title=title, result_level=result_level, capacity_level=capacity_level,
                        measure=measure, unit=unit, direction=direction,
                        across_periods=across_periods, across_activities=across_activities,
                        baseline=baseline, baseline_date=_date(baseline_date, "--baseline-date"),
                        means_of_verification=means, disaggregations=disaggregation or None)
        with state(ctx).store().session() as s, s.begin():
            d = add_indicator(s, programme, node, _who(by), library=library, code=code,
                              **fields)
        print_json(d) if json_ else console.print(f"Added [bold]{d['code']}[/] on "
                                                  f"{escape(d['node']['ref'])}")

    @sub.command("edit")
    def edit(ctx: typer.Context, code: str = typer.Argument(..., help="Indicator code."),
             title: str = typer.Option(None, "--title", help="New title."),
             result_level: str = typer.Option(None, "--result-level", help="New result level."),
             across_periods: str = typer.Option(None, "--across-periods",
                                                help="New rule across periods."),
             across_activities: str = typer.Option(None, "--across-activities",
                                                   help="New rule across activities."),
             baseline: float = typer.Option(None, "--baseline", help="New baseline."),
             disaggregation: list[str] = typer.Option(
                 [], "--disaggregation", help="Declare the dimensions anew (repeat); stored "
                 "values keep theirs."),
             rename: list[str] = typer.Option([], "--rename", help="OLD=NEW: rename a "
                                              "dimension in the stored values."),
             expected_version: int = VERSION, by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Change an indicator's definition or its disaggregations (values are kept)."""
        from tcmap.results.indicators import change_disaggregations, edit_indicator

        changes = _given(title=title, result_level=result_level, baseline=baseline,
                         across_periods=across_periods, across_activities=across_activities)
        with state(ctx).store().session() as s, s.begin():
            d = edit_indicator(s, code, changes, _who(by), expected_version)
            if disaggregation or rename:
                d = change_disaggregations(s, code, disaggregation, _who(by),
                                           rename=_pairs(rename, "--rename"))
        print_json(d) if json_ else console.print(f"{code}: version {d['version']}")

    @sub.command("value")
    def value(ctx: typer.Context, code: str = typer.Argument(..., help="Indicator code."),
              start: str = typer.Option(None, "--start", help="Period start, YYYY-MM-DD."),
              end: str = typer.Option(None, "--end", help="Period end, YYYY-MM-DD."),
              target: float = typer.Option(None, "--target", help="The period's target."),
              actual: float = typer.Option(None, "--actual", help="The period's actual."),
              numerator: float = typer.Option(None, "--numerator",
                                              help="Ratio indicators: the actual's numerator."),
              denominator: float = typer.Option(None, "--denominator",
                                                help="Ratio indicators: its denominator."),
              cell: list[str] = typer.Option([], "--cell", help="A disaggregation pair "
                                             "(repeat: --cell sex=female)."),
              evidence: str = typer.Option(None, "--evidence", help="Where it can be checked."),
              comment: str = typer.Option(None, "--comment", help="A note for readers."),
              expected_version: int = VERSION, by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Record the target and actual of one period (and cell) of an indicator."""
        from tcmap.results.values import record_value

        with state(ctx).store().session() as s, s.begin():
            d = record_value(s, code, _who(by), _date(start, "--start"), _date(end, "--end"),
                             _pairs(cell, "--cell"), expected_version=expected_version,
                             **_given(target=target, actual=actual, numerator=numerator,
                                      denominator=denominator, evidence=evidence,
                                      comment=comment))
        print_json(d) if json_ else console.print(f"Value {d['id']} {d['change']} "
                                                  f"({d['approval']})")

    @sub.command("approve")
    def approve(ctx: typer.Context, value_id: int = typer.Argument(..., help="The value's id."),
                to: str = typer.Option("approved", "--state", help="approved, returned or "
                                       "submitted."),
                note: str = typer.Option(None, "--note", help="Why (needed to return)."),
                expected_version: int = VERSION, by: str = BY,
                json_: bool = JSON_OPTION) -> None:
        """Approve a value, return it for correction, or submit it."""
        from tcmap.results.values import set_approval

        with state(ctx).store().session() as s, s.begin():
            d = set_approval(s, value_id, to, _who(by), note, expected_version)
        print_json(d) if json_ else console.print(f"Value {value_id}: {d['approval']}")

    @sub.command("show")
    def show(ctx: typer.Context, code: str = typer.Argument(..., help="Indicator code."),
             approved_only: bool = typer.Option(False, "--approved-only",
                                                help="Use approved values only."),
             json_: bool = JSON_OPTION) -> None:
        """Show an indicator's aggregated figure and the values behind it."""
        from tcmap.results.values import indicator_figure

        with state(ctx).store().session() as s:
            d = indicator_figure(s, code, ("approved",) if approved_only else None)
        print_json(d) if json_ else _show_figure(d)

    @sub.command("from-iati")
    def from_iati(ctx: typer.Context, programme: str = typer.Argument(..., help="Programme."),
                  by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Turn the IATI results of the programme's linked activities into indicators."""
        from tcmap.results.iati import indicators_from_iati

        with state(ctx).store().session() as s, s.begin():
            d = indicators_from_iati(s, programme, _who(by))
        if json_:
            return print_json(d)
        console.print({k: v for k, v in d.items() if k not in ("problems",)})
        _problems(d)

    @sub.command("from-assessment")
    def from_assessment(ctx: typer.Context,
                        code: str = typer.Argument(..., help="Indicator code (a scale "
                                                   "indicator such as a capacity score)."),
                        assessment: int = typer.Argument(..., help="The assessment's id."),
                        use: str = typer.Option("after", "--use", help="Record the rating "
                                                "after the round (after) or the change."),
                        by: str = BY, json_: bool = JSON_OPTION) -> None:
        """Record an assessment's round changes as actuals of an indicator."""
        from tcmap.assessment import round_changes
        from tcmap.results.values import values_from_assessment

        with state(ctx).store().session() as s, s.begin():
            d = values_from_assessment(s, code, round_changes(s, assessment), _who(by), use)
        print_json(d) if json_ else console.print(f"{d['recorded']} values recorded on "
                                                  f"{d['indicator']}")

    return sub


def register(app: typer.Typer) -> None:
    app.add_typer(_indicator_app(), name="indicator")
