"""`tcmap demo`: the main job on the embedded default, the project's own demo portfolio."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

import typer
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, progress_bar, state
from tcmap.cli.importing import show_report
from tcmap.ingest import import_paths
from tcmap.portfolio import portfolio_stats


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(ctx: typer.Context,
             output: Path = typer.Option(Path("reports"), "-o", "--output",
                                         help="Folder for the report (default ./reports)."),
             serve: bool = typer.Option(False, "--serve",
                                        help="Then serve the web app on the demo data, with "
                                        "a demo login, until Ctrl+C."),
             port: int = typer.Option(8000, "--port", help="Port for --serve."),
             json_: bool = JSON_OPTION) -> None:
        """Import the demo portfolio (IATI 2.03, written by tcmap), classify it, report on it."""
        from tcmap.analysis.snapshot import create_snapshot
        from tcmap.classify import load_classifier
        from tcmap.classify.run import classify_store, mapping_summary
        from tcmap.demo import DEMO_XML
        from tcmap.report import write_report
        from tcmap.report.content import build_content

        st = state(ctx)
        store = st.store()
        with progress_bar("Importing the demo portfolio") as advance:
            report = import_paths(store, [DEMO_XML], st.settings, progress=advance)
        clf = load_classifier(st.settings.framework)
        with progress_bar("Classifying") as advance:
            classified = classify_store(store, clf, progress=advance)
        extras = load_demo_extras(store, st.settings)
        with store.session() as s:
            summary = portfolio_stats(s, top=10)
            mapping = mapping_summary(s, clf.framework)
        with store.session() as s, s.begin():
            frozen = create_snapshot(s, None, clf.framework.code)
        formats = ("html", "pdf") if _has_weasyprint() else ("html",)
        files = write_report(build_content(frozen, clf.framework), output / frozen.name,
                             formats)
        if json_:
            return print_json({"database": store.url, "import": report.to_dict(),
                               "classify": classified, "stats": summary, "mapping": mapping,
                               "demo_data": extras, "report": files})
        show_report(report, limit=15, closing=False)
        console.print(
            f"\n[bold]{summary['activities']:,}[/] activities in [bold]{store.url}[/] from "
            f"{summary['publishers']} publishers in {summary['countries']} countries. "
            "The problems above are the demo's deliberate rough edges: the activities marked "
            "✗ were not imported, the others were.")
        table = Table(title="Activities per outcome (titles: tcmap taxonomy)",
                      title_justify="left")
        table.add_column("outcome")
        table.add_column("activities", justify="right")
        table.add_column("most used modalities", overflow="fold")
        for row in mapping["outcomes"]:
            table.add_row(row["code"], f"{row['activities']:,}",
                          ", ".join(m.replace("_", " ") for m in row["modalities"][:3]))
        console.print(table)
        console.print(
            f"{mapping['world_of_work']:,} activities are about the world of work, "
            f"{mapping['capacity_development']:,} develop capacity (model {clf.version}).")
        for line in extras.values():
            console.print(line)
        console.print(f"\n[bold]Report[/] (snapshot {frozen.name}):")
        for kind, path in files.items():
            console.print(f"  {kind}: {path}")
        if "pdf" not in files:
            console.print("  (no PDF: pip install 'tcmap[report]' for WeasyPrint)")
        console.print("Next: [bold]tcmap stats[/], [bold]tcmap activities -q inspection[/], "
                      "[bold]tcmap show ID[/] (tags with evidence), [bold]tcmap review[/].")
        if serve:
            _serve_demo(st, port)


DEMO_USER, DEMO_PASSWORD = "demo", "decent-work-2012"


def load_demo_extras(store, settings) -> dict[str, str]:
    """The demo's other nouns (training follow-up, ...), each loaded idempotently; one line
    per noun saying what is there."""
    from tcmap.results.demo import load_demo as load_programmes
    from tcmap.training import DEMO_FILES
    from tcmap.training.importing import import_training

    out = {}
    programmes = load_programmes(store, settings.framework)
    c = programmes["counts"]
    out["programmes"] = (
        f"Country programmes: {sum(c['programmes'].values())} DWCPs, "
        f"{sum(c['outputs'].values())} outputs, {sum(c['indicators'].values())} indicators; "
        f"{programmes['linked'] + programmes['already_linked']} activities linked by the "
        "outcome codes in their identifiers (tcmap programme list, tcmap programme gate).")
    from tcmap.appraisal.demo import load_demo as load_appraisals
    from tcmap.assessment.demo import load_demo as load_assessments

    a = load_assessments(store, settings.framework, by="demo")
    out["assessment"] = (f"Capacity assessments: {a['assessments']} constituents, {a['rounds']} "
                         f"rounds, {a['ratings']} ratings, {a['actions']} response actions"
                         + ("" if a["created"] else ", already loaded")
                         + " (tcmap assessment list).")
    p = load_appraisals(store, settings.framework, by="demo")
    out["appraisal"] = (f"Quality appraisals: {p['appraisals']} documents, "
                        + ", ".join(f"{n} {s}" for s, n in p["by_status"].items())
                        + ("" if p["created"] else ", already loaded")
                        + " (tcmap appraisal list).")
    training = import_training(store, DEMO_FILES, by="demo", framework=settings.framework)
    n = {k: v["rows"] for k, v in training.totals().items()}
    out["training"] = (f"Training follow-up: {n['events']} events, {n['participants']} "
                       f"participants, {n['responses']} survey responses "
                       "(tcmap training figures).")
    return out


def _serve_demo(st, port: int) -> None:
    """Serve the app on the demo data with a demo analyst account."""
    import uvicorn

    from tcmap import users
    from tcmap.errors import UserError
    from tcmap.web import create_app

    store = st.store()
    with store.session() as s, s.begin(), suppress(UserError):  # made by an earlier run
        users.add_user(s, DEMO_USER, "analyst", DEMO_PASSWORD, display_name="Demo analyst")
    console.print(f"\n[bold]Web app[/]: http://127.0.0.1:{port}/  log in as "
                  f"[bold]{DEMO_USER}[/] / [bold]{DEMO_PASSWORD}[/] (an analyst). "
                  "Ctrl+C stops it.")
    from tcmap.web.serving import PROTOCOL

    uvicorn.run(create_app(st.settings, store), host="127.0.0.1", port=port,
                log_level="warning", http=PROTOCOL)


def _has_weasyprint() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True
