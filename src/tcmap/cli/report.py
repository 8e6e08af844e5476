"""`tcmap snapshot`, `tcmap report` and `tcmap analyse`: freeze the mapping, report on it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state

ANALYSES = ("coverage", "appendix", "integration", "isolated-training", "synergy", "scatter",
            "constituents", "capacity-share", "trust")


def _filters(country, region, publisher, year_from, year_to, outcome):
    from tcmap.analysis import FrameFilters

    return FrameFilters(countries=country or None, regions=region or None,
                        publishers=publisher or None, year_from=year_from, year_to=year_to,
                        outcomes=outcome or None)


COUNTRY = typer.Option(None, "--country", help="Only activities in this country (repeatable).")
REGION = typer.Option(None, "--region", help="Only activities in this region (repeatable).")
PUBLISHER = typer.Option(None, "--publisher", help="Only this publisher (repeatable).")
YEAR_FROM = typer.Option(None, "--from", help="Only activities running in or after this year.")
YEAR_TO = typer.Option(None, "--to", help="Only activities running in or before this year.")
OUTCOME = typer.Option(None, "--outcome", help="Only activities with this outcome (repeatable).")


def register(app: typer.Typer) -> None:
    snapshot_app = typer.Typer(help="Freeze the mapping under a name, or list the snapshots.",
                               no_args_is_help=True)
    app.add_typer(snapshot_app, name="snapshot")

    @snapshot_app.command("create")
    def snapshot_create(ctx: typer.Context,
                        name: str = typer.Argument(None, help="Name (default: date and time)."),
                        country: list[str] = COUNTRY, region: list[str] = REGION,
                        publisher: list[str] = PUBLISHER, year_from: int = YEAR_FROM,
                        year_to: int = YEAR_TO, outcome: list[str] = OUTCOME,
                        json_: bool = JSON_OPTION) -> None:
        """Freeze the current mapping (optionally narrowed) as a named snapshot."""
        from tcmap.analysis.snapshot import create_snapshot

        st = state(ctx)
        with st.store().session() as s, s.begin():
            frozen = create_snapshot(s, name, st.settings.framework,
                                     _filters(country, region, publisher, year_from, year_to,
                                              outcome))
        if json_:
            return print_json(frozen.header())
        console.print(f"Snapshot [bold]{frozen.name}[/]: {len(frozen.frame):,} activities, "
                      f"checksum {frozen.sha256[:12]}.")

    @snapshot_app.command("list")
    def snapshot_list(ctx: typer.Context, json_: bool = JSON_OPTION) -> None:
        """List the snapshots, newest first."""
        from tcmap.analysis.snapshot import list_snapshots

        with state(ctx).store().session() as s:
            rows = list_snapshots(s)
        if json_:
            return print_json(rows)
        table = Table(title="Snapshots")
        for col in ("name", "created", "activities", "filters"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["name"], r["created_at"], f"{r['activities']:,}",
                          ", ".join(f"{k} {v}" for k, v in r["filters"].items()) or "all")
        console.print(table)

    @app.command("report")
    def report(ctx: typer.Context,
               output: Path = typer.Option(Path("reports"), "-o", "--output",
                                           help="Folder to write report.html/.pdf/.json into."),
               snapshot: str = typer.Option(None, "--snapshot",
                                            help="Build from this snapshot (default: a new one)."),
               formats: str = typer.Option("html,pdf", "--format",
                                           help="Comma-separated: html, pdf, json."),
               rates: Path = typer.Option(None, "--rates",
                                          help="CSV of exchange rates: currency,year,rate."),
               organisation: str = typer.Option("International Labour Office", "--organisation",
                                                help="The organisation named on the report."),
               country: list[str] = COUNTRY, region: list[str] = REGION,
               publisher: list[str] = PUBLISHER, year_from: int = YEAR_FROM,
               year_to: int = YEAR_TO, outcome: list[str] = OUTCOME,
               json_: bool = JSON_OPTION) -> None:
        """Build the governing-body report (HTML and PDF) from a snapshot of the mapping."""
        from tcmap.analysis.money import load_rates
        from tcmap.analysis.snapshot import create_snapshot, load_snapshot
        from tcmap.report import write_report
        from tcmap.report.content import build_content
        from tcmap.taxonomy import load_framework

        st = state(ctx)
        fw = load_framework(st.settings.framework)
        with st.store().session() as s, s.begin():
            if snapshot:
                frozen = load_snapshot(s, snapshot)
            else:
                frozen = create_snapshot(s, None, fw.code, _filters(
                    country, region, publisher, year_from, year_to, outcome))
        content = build_content(frozen, fw, rates=load_rates(rates) if rates else None,
                                organisation=organisation)
        written = write_report(content, output / frozen.name,
                               tuple(f.strip() for f in formats.split(",") if f.strip()))
        if json_:
            return print_json({"snapshot": frozen.header(), "files": written})
        console.print(f"Report from snapshot [bold]{frozen.name}[/] "
                      f"({len(frozen.frame):,} activities):")
        for kind, path in written.items():
            console.print(f"  {kind}: {path}")

    @app.command("analyse")
    def analyse(ctx: typer.Context,
                name: str = typer.Argument(..., help=f"One of: {', '.join(ANALYSES)}."),
                by: str = typer.Option(None, "--by", help="Grouping: outcome or country "
                                       "(coverage also region, publisher, year)."),
                rows: str = typer.Option("outcomes", "--rows", help="Coverage rows dimension."),
                cols: str = typer.Option("modalities", "--cols",
                                         help="Coverage columns dimension."),
                rates: Path = typer.Option(None, "--rates", help="CSV of exchange rates."),
                n_with: int = typer.Option(None, "--with", help="capacity-share of given counts: "
                                           "how many items carry capacity outputs."),
                n_of: int = typer.Option(None, "--of", help="capacity-share of given counts: "
                                         "how many items were looked at (e.g. 50 DWCPs)."),
                population: int = typer.Option(None, "--population", help="capacity-share: the "
                                               "population the items were sampled from."),
                country: list[str] = COUNTRY, region: list[str] = REGION,
                publisher: list[str] = PUBLISHER, year_from: int = YEAR_FROM,
                year_to: int = YEAR_TO, outcome: list[str] = OUTCOME,
                json_: bool = JSON_OPTION) -> None:
        """Run one analysis of the current mapping; --json prints the library's result."""
        from tcmap.analysis.run import run_analysis

        if name == "capacity-share" and n_of is not None:
            from tcmap.analysis.shares import capacity_share
            from tcmap.errors import ConfigError

            if n_with is None or not 0 <= n_with <= n_of:
                raise ConfigError("--with must be a count between 0 and --of.",
                                  hint="e.g. tcmap analyse capacity-share --with 29 --of 50")
            result = capacity_share(n_with, n_of, population=population)
            if json_:
                return print_json(result)
            lo, hi = result["interval"]
            return console.print(f"{n_with} of {n_of}: {result['percent']:.0f} % "
                                 f"(95 % interval {100 * lo:.0f}-{100 * hi:.0f} %)")
        st = state(ctx)
        with st.store().session() as s:
            result = run_analysis(s, name, st.settings.framework, _filters(
                country, region, publisher, year_from, year_to, outcome), by=by, rows=rows,
                cols=cols, rates=rates)
        if json_:
            return print_json(result)
        console.print_json(data=_brief(result))


def _brief(result):
    """The result without its long activity lists, for reading on a terminal."""
    if isinstance(result, dict):
        return {k: _brief(v) for k, v in result.items()
                if not (isinstance(v, list) and v and isinstance(v[0], str) and len(v) > 8)}
    if isinstance(result, list):
        return [_brief(v) for v in result[:25]]
    return result
