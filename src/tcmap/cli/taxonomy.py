"""`tcmap taxonomy`: show a framework's codes and its approaches per outcome."""

from __future__ import annotations

import typer
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.taxonomy import load_framework


def register(app: typer.Typer) -> None:
    @app.command("taxonomy")
    def taxonomy(
        ctx: typer.Context,
        framework: str = typer.Option(
            None, "--framework", "-f",
            help="A packaged framework code, a framework YAML file or folder, or an IATI "
            "codelist XML (e.g. UNSDG-Goals.xml). Default: ilo-spf-2010-15."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Show the framework: outcomes by group, the other dimensions, approaches per outcome."""
        fw = load_framework(framework or state(ctx).settings.framework)
        if json_:
            return print_json(fw.to_dict())
        console.print(f"[bold]{fw.title}[/]  ({fw.version})")
        table = Table(title="Outcomes")
        for col in ("group", "code", "title", "approaches"):
            table.add_column(col, overflow="fold")
        grouped = [(g.code, o) for g in fw.groups for o in g.outcomes] or [
            (None, c) for c in fw.outcomes.codes]
        for group, code in grouped:
            approaches = ", ".join(a.name for a in fw.approaches_for(code))
            table.add_row(group or "", code, fw.outcomes.codes[code].title, approaches)
        console.print(table)
        for name, dim in fw.dimensions.items():
            if name == "outcomes":
                continue
            t = Table(title=name.replace("_", " ").capitalize())
            t.add_column("code")
            t.add_column("definition", overflow="fold")
            for c in dim:
                t.add_row(c.code, c.title)
            console.print(t)
        if fw.approaches:
            n_examples = sum(len(a.examples) for a in fw.approaches)
            console.print(f"{len(fw.approaches)} approaches with {n_examples} examples of "
                          "capacity-development activities; --json lists them in full.")
