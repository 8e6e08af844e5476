"""The `tcmap` command: a thin skin over the library, one module per command group.

Each command parses options, opens the store, makes one library call, prints the result
(a table, or with --json exactly the library's dict) and maps TcmapError to exit code 2.
"""

from __future__ import annotations

import sys

import typer

from tcmap.cli import (
    appraisal,
    assessment,
    classify,
    demo,
    evaluate,
    importing,
    indicator,
    portfolio,
    programme,
    report,
    review,
    serve,
    taxonomy,
    training,
    user,
)
from tcmap.cli.common import State, console_err
from tcmap.config import Settings
from tcmap.errors import TcmapError

app = typer.Typer(
    name="tcmap",
    help="Map how technical cooperation builds capacity, strengthen it, and report on it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    ctx: typer.Context,
    db: str = typer.Option(
        None, "--db", metavar="URL|PATH",
        help="Database: a SQLite file path or a SQLAlchemy URL. "
        "Default: $TCMAP_DATABASE_URL, else ./tcmap.db.",
    ),
) -> None:
    """Map how technical cooperation builds capacity, strengthen it, and report on it."""
    ctx.obj = State(Settings.load(database_url=db))


for module in (importing, portfolio, classify, review, evaluate, report, taxonomy, programme,
               indicator, assessment, appraisal, training, serve, demo, user):
    module.register(app)


def main() -> None:
    """Run the CLI; a TcmapError becomes a message, a hint and exit code 2."""
    try:
        app()
    except TcmapError as exc:
        console_err.print(f"[bold red]Error:[/] {exc.message}")
        if exc.hint:
            console_err.print(f"[dim]Hint:[/] {exc.hint}")
        sys.exit(2)
