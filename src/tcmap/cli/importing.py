"""`tcmap import` and `tcmap template`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import (
    JSON_OPTION,
    console,
    print_json,
    print_problem,
    progress_bar,
    state,
)
from tcmap.ingest import ImportReport, import_paths


def show_report(report: ImportReport, limit: int = 30, closing: bool = True) -> None:
    """The import report: a table of files, then the problems as readable entries."""
    files = Table(title="Import", title_justify="left")
    files.add_column("file", ratio=1, overflow="fold", min_width=16)
    for col in ("IATI", "status", "acts", "new", "upd", "same", "rej", "probs"):
        files.add_column(col, justify="left" if col in ("status", "IATI") else "right",
                         no_wrap=True)
    for f in report.files:
        files.add_row(escape(Path(f.path).name), f.version or "", f.status, f"{f.activities:,}",
                      f"{f.inserted:,}", f"{f.updated:,}", f"{f.unchanged:,}",
                      f"{f.rejected:,}", f"{len(f.problems) + f.problems_not_listed:,}")
    if len(report.files) > 1:
        files.add_row("[bold]total", "", "", *(f"[bold]{report.total(k):,}" for k in (
            "activities", "inserted", "updated", "unchanged", "rejected")),
            f"[bold]{sum(len(f.problems) + f.problems_not_listed for f in report.files):,}")
    console.print(files)
    problems = [p for f in report.files for p in f.problems]
    if problems:
        shown = sorted(problems, key=lambda p: (not p.is_error, p.code))[:limit]
        console.print(f"\n[bold]Problems[/] (first {len(shown)} of {len(problems)}, errors "
                      "first; [red]✗[/] = not imported, [yellow]![/] = imported anyway):")
        for p in shown:
            print_problem(console, p)
        counts = ", ".join(f"{code} {n}" for code, n in report.problem_counts().items())
        console.print(f"By code: {counts}. --json lists every problem.")
    if closing and not report.ok:
        console.print("[red]Some activities or files were rejected[/]; the rest were "
                      "imported. Fix what is listed above and import again.")


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        ctx: typer.Context,
        paths: list[Path] = typer.Argument(..., help="IATI XML (.xml, .xml.gz), CSV or XLSX "
                                           "files, or folders to search recursively."),
        workers: int = typer.Option(None, "--workers", min=1,
                                    help="Processes importing files at once (default 2)."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Import activities; exit code 1 when any activity or file was rejected."""
        st = state(ctx)
        if workers:
            st.settings.workers = workers
        store = st.store()
        with progress_bar("Importing") as advance:
            report = import_paths(store, paths, st.settings, progress=advance)
        if json_:
            print_json(report.to_dict())
        else:
            show_report(report)
        raise typer.Exit(0 if report.ok else 1)

    @app.command("template")
    def template(
        ctx: typer.Context,
        path: Path = typer.Option(Path("tcmap-template.xlsx"), "-o", "--output",
                                  help="Where to write the template (.xlsx or .csv)."),
    ) -> None:
        """Write the spreadsheet template for importing activities, with a guide sheet."""
        from tcmap.tabular.template import write_template

        written = write_template(path, state(ctx).settings.framework)
        console.print(f"Template written to [bold]{written}[/]. Fill one row per activity, "
                      f"then run: tcmap import {written}")
