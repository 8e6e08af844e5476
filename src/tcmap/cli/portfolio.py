"""`tcmap activities`, `tcmap show` and `tcmap stats`: looking at what is stored."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.portfolio import Filters, activity_detail, list_activities, portfolio_stats
from tcmap.portfolio.render import show_detail


def register(app: typer.Typer) -> None:
    @app.command("activities")
    def activities(
        ctx: typer.Context,
        publisher: str = typer.Option(None, help="Reporting organisation identifier."),
        country: str = typer.Option(None, help="Recipient country code, e.g. GH."),
        region: str = typer.Option(None, help="Recipient region code, e.g. 298."),
        sector: str = typer.Option(None, help="DAC sector code or its first digits."),
        status: str = typer.Option(None, help="IATI activity status code (1-6)."),
        year: int = typer.Option(None, help="Active at some time in this year."),
        q: str = typer.Option(None, "--q", "-q", help="Words that must all appear in the "
                              "identifier, a title, a description or another narrative."),
        limit: int = typer.Option(50, min=1, help="Activities per page."),
        offset: int = typer.Option(0, min=0, help="Activities to skip."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """List stored activities, filtered."""
        filters = Filters(publisher, country, region, sector, status, year, q)
        with state(ctx).store().session() as s:
            result = list_activities(s, filters, limit=limit, offset=offset)
        if json_:
            return print_json(result)
        table = Table(title=f"{result['total']:,} activities"
                      + (f" (showing {offset + 1}-{offset + len(result['activities'])})"
                         if result["total"] > len(result["activities"]) else ""))
        table.add_column("activity (title, then identifier)", overflow="fold", ratio=1)
        table.add_column("countries", max_width=12)
        table.add_column("start", no_wrap=True)
        for a in result["activities"]:
            title, ident = escape(a["title"] or "(no title)"), escape(a["identifier"])
            table.add_row(f"{title}\n[dim]{ident}[/]", ", ".join(a["countries"]),
                          a["start"] or "")
        console.print(table)

    @app.command("show")
    def show(
        ctx: typer.Context,
        identifier: str = typer.Argument(..., help="The activity's IATI identifier."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Show everything stored about one activity."""
        with state(ctx).store().session() as s:
            detail = activity_detail(s, identifier)
        if json_:
            return print_json(detail)
        show_detail(console, detail)

    @app.command("stats")
    def stats(ctx: typer.Context, json_: bool = JSON_OPTION) -> None:
        """Count stored activities by publisher, country, year, sector, version and language."""
        with state(ctx).store().session() as s:
            result = portfolio_stats(s)
        if json_:
            return print_json(result)
        console.print(
            f"[bold]{result['activities']:,}[/] activities from {result['files']:,} "
            f"file{'s' if result['files'] != 1 else ''}, "
            f"{result['publishers']:,} publishers, {result['countries']:,} countries, "
            f"{result['tags']:,} tags.")
        for key, label, cols in (
            ("by_publisher", "Publishers", ("ref", "name", "activities")),
            ("by_country", "Countries", ("code", "name", "activities")),
            ("by_start_year", "Start year", ("year", "activities")),
            ("by_sector", "DAC sectors", ("code", "name", "activities")),
            ("by_version", "IATI versions", ("version", "activities")),
            ("by_language", "Languages of titles and descriptions", ("lang", "activities")),
        ):
            table = Table(title=label)
            for c in cols:
                table.add_column(c, justify="right" if c == "activities" else "left")
            for row in result[key]:
                table.add_row(*(f"{row[c]:,}" if c == "activities" else escape(str(row[c] or "-"))
                                for c in cols))
            console.print(table)
