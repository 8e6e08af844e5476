"""`tcmap programme`, `tcmap chain`, `tcmap indicator`: country programmes and results."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
