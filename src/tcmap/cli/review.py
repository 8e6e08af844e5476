"""`tcmap review`: a person accepts, rejects or adds tags of one activity."""

from __future__ import annotations

import os

import typer
from rich.markup import escape

from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.errors import ReviewError
from tcmap.review import review as review_tag


def _pair(option: str, value: str) -> tuple[str, str]:
    dimension, sep, code = value.partition(":")
    if not (sep and dimension.strip() and code.strip()):
        raise ReviewError(f"{option} {value!r} is not DIMENSION:CODE.",
                          hint=f"Write it as, e.g., {option} outcomes:O2 or "
                          f"{option} modalities:training.")
    return dimension.strip(), code.strip()


def register(app: typer.Typer) -> None:
    @app.command("review")
    def review(
        ctx: typer.Context,
        identifier: str = typer.Argument(..., help="The activity's IATI identifier."),
        accept: list[str] = typer.Option(
            [], "--accept", metavar="DIM:CODE", help="Accept a tag, e.g. outcomes:O2."),
        reject: list[str] = typer.Option(
            [], "--reject", metavar="DIM:CODE", help="Reject a tag, e.g. modalities:training."),
        add: list[str] = typer.Option(
            [], "--add", metavar="DIM:CODE", help="Add a tag the machine did not give."),
        by: str = typer.Option(
            None, "--by", metavar="NAME", help="Who decides. Default: $USER, else 'unknown'."),
        note: str = typer.Option(None, "--note", help="Why; kept with each decision."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Accept, reject or add tags of one activity; each decision goes into its history."""
        actions = [("accept", _pair("--accept", v)) for v in accept]
        actions += [("reject", _pair("--reject", v)) for v in reject]
        actions += [("add", _pair("--add", v)) for v in add]
        if not actions:
            raise ReviewError("Nothing to review.", hint=(
                "Give --accept, --reject or --add DIM:CODE; see the tags with "
                f"`tcmap show {identifier}`."))
        who = by or os.environ.get("USER") or "unknown"
        st = state(ctx)
        # All decisions in one transaction: either every one is recorded or none is.
        with st.store().session() as s, s.begin():
            results = [
                review_tag(s, identifier, action, dim, code, who, note=note,
                           framework=st.settings.framework)
                for action, (dim, code) in actions
            ]
        if json_:
            return print_json(results[0] if len(results) == 1 else results)
        for r in results:
            t = r["tag"]
            console.print(
                f"{escape(r['action'])}: {escape(t['dimension'])}:{escape(t['code'])} "
                f"[dim](by {escape(r['by'])}, version {t['version']})[/]")
