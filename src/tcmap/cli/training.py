"""`tcmap training`: training events, participants and follow-up surveys."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
