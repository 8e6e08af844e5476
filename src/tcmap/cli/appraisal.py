"""`tcmap appraise` and `tcmap appraisal`: quality appraisal and the programme gate."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
