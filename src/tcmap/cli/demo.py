"""`tcmap demo`: the main job on the embedded default, the project's own demo portfolio."""

from __future__ import annotations

import typer

from tcmap.cli.common import JSON_OPTION, console, print_json, progress_bar, state
from tcmap.cli.importing import show_report
from tcmap.ingest import import_paths
from tcmap.portfolio import portfolio_stats


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(ctx: typer.Context, json_: bool = JSON_OPTION) -> None:
        """Import the demo portfolio (IATI 2.03, written by tcmap) and summarise it."""
        from tcmap.demo import DEMO_XML

        st = state(ctx)
        store = st.store()
        with progress_bar("Importing the demo portfolio") as advance:
            report = import_paths(store, [DEMO_XML], st.settings, progress=advance)
        with store.session() as s:
            summary = portfolio_stats(s, top=10)
        if json_:
            return print_json({"database": store.url, "import": report.to_dict(),
                               "stats": summary})
        show_report(report, limit=15, closing=False)
        console.print(
            f"\n[bold]{summary['activities']:,}[/] activities in [bold]{store.url}[/] from "
            f"{summary['publishers']} publishers in {summary['countries']} countries. "
            "The problems above are the demo's deliberate rough edges: the activities marked "
            "✗ were not imported, the others were.")
        console.print("Next: [bold]tcmap stats[/], [bold]tcmap activities --q inspection[/], "
                      "[bold]tcmap show ID[/], [bold]tcmap taxonomy[/].")
