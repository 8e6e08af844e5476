"""`tcmap evaluate`: score predicted labels (a JSONL file, or tcmap's own) against gold labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from tcmap.classify.jsonl import read_labels
from tcmap.classify.metrics import evaluate_labels
from tcmap.cli.common import JSON_OPTION, console, print_json, state
from tcmap.errors import TcmapError
from tcmap.taxonomy import load_framework


def _label_activities(paths: list[Path], framework: str) -> list[dict[str, Any]]:
    """Labels from tcmap's classifier, imported only when asked for."""
    try:
        from tcmap.classify import label_paths
    except ImportError as exc:
        raise TcmapError(
            f"tcmap cannot classify activities in this installation ({exc}).",
            hint="Label the activities first and compare files with --predicted PRED.jsonl.",
        ) from exc
    return label_paths(paths, framework=framework)


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def _ids(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(escape(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def show_evaluation(result: dict[str, Any]) -> None:
    """Print the summary table, the primary-outcome confusions and one table per set dimension."""
    console.print(
        f"[bold]{result['n']:,}[/] gold items, {result['matched']:,} predicted, "
        f"{result['missing']:,} missing (scored empty); {result['extra']:,} extra ignored.")
    if result["left_out"]:
        console.print(f"{result['left_out']:,} gold items without a prediction left out "
                      f"(--common): {_ids(result['left_out_ids'])}")
    if result["missing_ids"]:
        console.print(f"[dim]missing:[/] {_ids(result['missing_ids'])}")
    if result["extra_ids"]:
        console.print(f"[dim]extra:[/] {_ids(result['extra_ids'])}")
    dims = result["dimensions"]
    summary = Table(title="Agreement by dimension", box=box.SIMPLE_HEAD)
    for col in ("dimension", "micro-F1", "macro-F1", "accuracy", "kappa"):
        summary.add_column(col, justify="left" if col == "dimension" else "right")
    for name, d in dims.items():
        if d["kind"] == "set":
            summary.add_row(name, _f(d["micro_f1"]), _f(d["macro_f1"]), "", "")
        elif d["kind"] == "boolean":
            summary.add_row(name, _f(d["f1"]), "", _f(d["accuracy"]), _f(d["kappa"]))
        else:
            summary.add_row(name, "", "", _f(d["accuracy"]), "")
            summary.add_row("  where gold not null", "", "", _f(d["accuracy_gold_not_null"]), "")
    summary.caption = ("F1 of a boolean is that of the true class; macro-F1 averages the codes "
                       "that occur in gold or predicted labels.")
    console.print(summary)
    confusions = dims["primary_outcome"]["confusions"]
    if confusions:
        t = Table(title="Primary outcome confusions", box=box.SIMPLE_HEAD)
        for col in ("gold", "predicted", "items"):
            t.add_column(col, justify="right" if col == "items" else "left")
        for c in confusions:
            t.add_row(escape(c["gold"] or "(none)"), escape(c["predicted"] or "(none)"),
                      f"{c['count']:,}")
        console.print(t)
    for name, d in dims.items():
        if d["kind"] != "set":
            continue
        t = Table(title=f"{name.replace('_', ' ').capitalize()} by code", box=box.SIMPLE_HEAD,
                  pad_edge=False)
        t.add_column("code", overflow="fold", min_width=8)
        for col in ("gold", "pred", "tp", "fp", "fn", "prec", "rec", "F1"):
            t.add_column(col, justify="right")
        # Codes in neither gold nor predicted labels are only counted, to keep the table short.
        occurring = [r for r in d["codes"] if r["support"] or r["predicted"]]
        for row in occurring:
            t.add_row(escape(row["code"]), *(f"{row[k]:,}" for k in
                                             ("support", "predicted", "tp", "fp", "fn")),
                      *(_f(row[k]) for k in ("precision", "recall", "f1")))
        absent = len(d["codes"]) - len(occurring)
        console.print(t)
        # Below the table rather than as its caption, which would wrap at the table's width.
        console.print(f"micro P {_f(d['micro_precision'])} R {_f(d['micro_recall'])} "
                      f"F1 {_f(d['micro_f1'])} | macro-F1 {_f(d['macro_f1'])} "
                      f"({d['macro_codes']} codes present"
                      + (f", {absent} absent)" if absent else ")")
                      + (f"; not in the framework: {_ids(d['unknown_codes'])}"
                         if d["unknown_codes"] else ""), style="dim")


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        ctx: typer.Context,
        gold: Path = typer.Option(..., "--gold", help="Gold labels, JSONL (LABELLING.md)."),
        predicted: Path = typer.Option(
            None, "--predicted", help="Predicted labels, JSONL, to compare with the gold."),
        activities: list[Path] = typer.Option(
            None, "--activities",
            help="IATI activity files to classify with tcmap and compare with the gold "
            "(repeat the option for several files)."),
        framework: str = typer.Option(
            None, "--framework", "-f",
            help="A packaged framework code or a framework file (default: setting "
            "TCMAP_FRAMEWORK)."),
        common: bool = typer.Option(
            False, "--common",
            help="Score only the gold items that have a prediction (a sample labelled a "
            "second time, a partial run); the others are left out, not scored empty."),
        json_: bool = JSON_OPTION,
    ) -> None:
        """Score predicted labels against gold labels: F1 per code, accuracy, kappa.

        Two people's labels of the same activities compare the same way: give one file as
        --gold and the other as --predicted (with --common when one labels only a sample).
        """
        if bool(predicted) == bool(activities):
            raise typer.BadParameter("give either --predicted PRED.jsonl or --activities "
                                     "FILE.xml, not both and not neither.")
        ref = framework or state(ctx).settings.framework
        fw = load_framework(ref)
        gold_labels = read_labels(gold)
        pred_labels = (read_labels(predicted) if predicted
                       else _label_activities(list(activities), ref))
        result = evaluate_labels(gold_labels, pred_labels, fw, common=common)
        if json_:
            return print_json(result)
        show_evaluation(result)
