"""`tcmap classify` (stored activities → tags) and `tcmap label` (IATI files → labels JSONL)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from tcmap.cli.common import (
    JSON_OPTION,
    console,
    console_err,
    print_json,
    print_problem,
    progress_bar,
    state,
)

FAST_OPTION = typer.Option(
    False, "--fast", help="Fast mode, for screening whole corpora: trust each narrative's "
    "declared language, read its first 1,000 characters (the text models the first 300 of "
    "the title and descriptions), keep one span of evidence per tag (about twice as fast; "
    "less accurate, see docs/classifier.md).")
KEYWORDS_OPTION = typer.Option(
    False, "--keywords", help="Use the plain keyword baseline instead of the trained model.")


def _mode(fast: bool, keywords: bool) -> str:
    return "keywords" if keywords else "fast" if fast else "default"


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify(
        ctx: typer.Context,
        fast: bool = FAST_OPTION,
        keywords: bool = KEYWORDS_OPTION,
        identifier: list[str] = typer.Option(
            None, "--id", help="Classify only this activity (repeatable)."),
        workers: int = typer.Option(
            None, "--workers", min=1, max=64,
            help="Processes classifying at once (default: the workers setting, "
            "$TCMAP_WORKERS)."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Map every stored activity onto the framework, as tags with evidence."""
        from tcmap.classify import load_classifier
        from tcmap.classify.run import classify_store

        st = state(ctx)
        clf = load_classifier(st.settings.framework, _mode(fast, keywords))
        store = st.store()
        with progress_bar("Classifying") as advance:
            result = classify_store(store, clf, progress=advance, identifiers=identifier,
                                    workers=workers or st.settings.workers)
        if json_:
            return print_json(result)
        table = Table(title="Classified", show_header=False)
        for key in ("activities", "world_of_work", "capacity_development", "added",
                    "changed", "removed", "kept_person"):
            table.add_row(key.replace("_", " "), f"{result.get(key, 0):,}")
        console.print(table)
        # the version is long: a line of its own, not a table title wrapped mid-word
        console.print(f"Model: {clf.version} ({clf.mode} mode)", soft_wrap=True)
        console.print("See one activity's tags and evidence with [bold]tcmap show ID[/]; "
                      "correct them with [bold]tcmap review[/].")

    @app.command("label")
    def label(
        ctx: typer.Context,
        paths: list[Path] = typer.Argument(..., help="IATI XML files or folders."),
        output: Path = typer.Option(None, "-o", "--output",
                                    help="Where to write the labels (JSONL); default stdout."),
        fast: bool = FAST_OPTION,
        keywords: bool = KEYWORDS_OPTION,
    ) -> None:
        """Classify IATI files directly (no database), one JSON object per activity."""
        from tcmap.classify import iter_labels
        from tcmap.classify.jsonl import write_labels

        unread: list = []
        labels = iter_labels(paths, state(ctx).settings.framework, _mode(fast, keywords),
                             unread)
        if output is None:
            write_labels(sys.stdout, labels)
        else:
            n = write_labels(output, labels)
            console_err.print(f"{n:,} activities labelled into {output}")
        if unread:
            for p in unread:
                print_problem(console_err, p, name_only=False)
            console_err.print(f"[red]{len(unread)} file(s) could not be read[/]; their "
                              "activities are not in the labels. Fix them and run again.")
            raise typer.Exit(1)
