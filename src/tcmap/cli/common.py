"""What every command shares: the state, the store, JSON printing, progress bars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from tcmap.config import Settings
from tcmap.errors import Problem
from tcmap.store import Store, open_store

console = Console()
console_err = Console(stderr=True)

JSON_OPTION = typer.Option(False, "--json", help="Print the result as JSON.")


@dataclass
class State:
    settings: Settings
    _store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.database_url)
        return self._store


def state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)


def print_json(data: Any) -> None:
    """Print the library's result as JSON on standard output, nothing else."""
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class _Rate(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} activities/s" if speed else "", style="cyan")


def print_problem(out: Console, p: Problem, name_only: bool = True) -> None:
    """One problem as a readable entry: its mark (✗ error, ! warning), code and place, the
    activity, the message with the field and value, and the hint."""
    mark = "[red]✗[/]" if p.is_error else "[yellow]![/]"
    where = (Path(p.file).name if name_only else p.file) if p.file else ""
    if p.line or p.row:
        where += f":{p.line or p.row}"
    out.print(f"{mark} [bold]{p.code}[/]  {escape(where)}")
    if p.activity:
        out.print(f"    activity {escape(p.activity)}", highlight=False)
    detail = escape(p.message)
    if p.field or p.column or p.value is not None:
        what = escape(f"{p.field or p.column or 'value'}: {p.value or ''}")
        detail += f" [dim]({what})[/]"
    out.print(f"    {detail}\n    [dim]→ {escape(p.hint)}[/]", highlight=False)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[Any]:
    """A Rich progress bar on standard error; yields a callback that takes a count."""
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}")]
    columns += [MofNCompleteColumn()] if total else [TextColumn("{task.completed:,} activities")]
    columns += [_Rate(), TimeElapsedColumn()]
    with Progress(*columns, console=console_err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
