"""How well predicted labels agree with gold labels, dimension by dimension.

Items are matched by `id`. The gold file decides what is scored: a gold item without a
prediction is scored as an empty prediction (false, empty sets, null primary outcome) and
counted in `missing`; a prediction without a gold item is counted in `extra` and ignored.
A field absent from a label reads as false, empty or null; `primary_outcome` absent reads as
the first of `outcomes` (or null).

Definitions (n = number of gold items; every division by zero gives 0.0):

- Set dimensions (outcomes, modalities, capacity_levels, target_groups), per item G = gold
  codes, P = predicted codes: tp = |G & P|, fp = |P - G|, fn = |G - P|. Micro precision =
  sum tp / (sum tp + sum fp), micro recall = sum tp / (sum tp + sum fn), micro F1 =
  2 tp / (2 tp + fp + fn) over the sums. Per code the same counts over the items; support =
  gold items with the code, predicted = predicted items with it. Macro F1 = mean of per-code
  F1 over the codes that occur in gold or predicted labels (codes that occur in neither are
  listed with zeros but left out of the mean). Codes not in the framework get rows too and
  are named in `unknown_codes`.
- primary_outcome (one class per item, null = "not world of work" is a class): accuracy =
  correct / n; accuracy_gold_not_null = correct / items whose gold primary is not null.
  Confusions: (gold, predicted, count) for gold != predicted, most frequent first, ties in
  order of first appearance, top 10.
- Booleans (world_of_work, capacity_development), true is the positive class: accuracy =
  (tp + tn) / n; precision, recall and F1 of the true class as above; Cohen's kappa =
  (po - pe) / (1 - pe) with observed agreement po = (tp + tn) / n and chance agreement
  pe = (gold true share * predicted true share) + (gold false share * predicted false share);
  when pe = 1, kappa is 1.0 if po = 1 and 0.0 otherwise.

Floats are rounded to 4 decimals.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tcmap.taxonomy import Framework, load_framework

SET_DIMENSIONS = ("outcomes", "modalities", "capacity_levels", "target_groups")
BOOL_DIMENSIONS = ("world_of_work", "capacity_development")
# The order in which dimensions are reported (and shown by `tcmap evaluate`).
DIMENSIONS = ("world_of_work", "outcomes", "primary_outcome", "capacity_development",
              "modalities", "capacity_levels", "target_groups")
TOP_CONFUSIONS = 10
MACRO_OVER = "codes that occur in gold or predicted labels"
NOTES = [
    "Items are matched by id; a gold item without a prediction is scored as an empty "
    "prediction (counted in missing); predictions without gold are ignored (counted in extra).",
    f"Macro F1 is the mean of per-code F1 over {MACRO_OVER}.",
    "A division by zero gives 0.0; kappa is 1.0 when chance agreement is 1 and observed "
    "agreement is 1, else 0.0.",
    "primary_outcome null is a class (not world of work).",
]


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _r(x: float) -> float:
    return round(x, 4)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    return {"precision": _r(_div(tp, tp + fp)), "recall": _r(_div(tp, tp + fn)),
            "f1": _r(_div(2 * tp, 2 * tp + fp + fn))}


def _view(label: dict[str, Any] | None) -> dict[str, Any]:
    """A label reduced to what is scored; None (no prediction) is the empty label."""
    label = label or {}
    outcomes = list(label.get("outcomes") or [])
    primary = label["primary_outcome"] if "primary_outcome" in label else (
        outcomes[0] if outcomes else None)
    view: dict[str, Any] = {name: bool(label.get(name)) for name in BOOL_DIMENSIONS}
    view.update({name: set(label.get(name) or ()) for name in SET_DIMENSIONS})
    view["primary_outcome"] = primary
    return view


def kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa of a 2x2 table (unrounded); see the module docstring for the edge case."""
    n = tp + fp + fn + tn
    po = _div(tp + tn, n)
    pe = _div(tp + fn, n) * _div(tp + fp, n) + _div(fp + tn, n) * _div(fn + tn, n)
    if pe >= 1.0:
        return 1.0 if po >= 1.0 else 0.0
    return (po - pe) / (1 - pe)


def _boolean(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    c = Counter(pairs)
    tp, fp, fn, tn = c[True, True], c[False, True], c[True, False], c[False, False]
    return {"kind": "boolean", "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "accuracy": _r(_div(tp + tn, len(pairs))), **_prf(tp, fp, fn),
            "kappa": _r(kappa(tp, fp, fn, tn))}


def _sets(pairs: list[tuple[set[str], set[str]]], known: list[str]) -> dict[str, Any]:
    support, predicted, tp = Counter(), Counter(), Counter()
    for gold, pred in pairs:
        support.update(gold)
        predicted.update(pred)
        tp.update(gold & pred)
    unknown = sorted((set(support) | set(predicted)) - set(known))
    rows = []
    for code in known + unknown:
        t, s, p = tp[code], support[code], predicted[code]
        rows.append({"code": code, "support": s, "predicted": p, "tp": t, "fp": p - t,
                     "fn": s - t, **_prf(t, p - t, s - t)})
    occurring = [row for row in rows if row["support"] or row["predicted"]]
    t_all, s_all, p_all = sum(tp.values()), sum(support.values()), sum(predicted.values())
    micro = _prf(t_all, p_all - t_all, s_all - t_all)
    return {
        "kind": "set",
        "tp": t_all, "fp": p_all - t_all, "fn": s_all - t_all,
        "micro_precision": micro["precision"], "micro_recall": micro["recall"],
        "micro_f1": micro["f1"],
        # The mean of rounded F1s would drift; recompute from counts.
        "macro_f1": _r(_div(sum(_div(2 * tp[r["code"]], r["support"] + r["predicted"])
                                for r in occurring), len(occurring))),
        "macro_over": MACRO_OVER,
        "macro_codes": len(occurring),
        "unknown_codes": unknown,
        "codes": rows,
    }


def _primary(pairs: list[tuple[str | None, str | None]]) -> dict[str, Any]:
    correct = sum(g == p for g, p in pairs)
    not_null = [(g, p) for g, p in pairs if g is not None]
    correct_not_null = sum(g == p for g, p in not_null)
    confusions = Counter((g, p) for g, p in pairs if g != p)
    top = sorted(confusions.items(), key=lambda kv: -kv[1])[:TOP_CONFUSIONS]
    return {
        "kind": "single",
        "correct": correct,
        "accuracy": _r(_div(correct, len(pairs))),
        "n_gold_not_null": len(not_null),
        "correct_gold_not_null": correct_not_null,
        "accuracy_gold_not_null": _r(_div(correct_not_null, len(not_null))),
        "confusions": [{"gold": g, "predicted": p, "count": n} for (g, p), n in top],
    }


def evaluate_labels(gold: list[dict[str, Any]], predicted: list[dict[str, Any]],
                    framework: Framework | str | None = None,
                    common: bool = False) -> dict[str, Any]:
    """Scores of predicted labels against gold labels, matched by id, as JSON-ready data.

    A gold item with no prediction is scored as an empty one; with `common`, it is left out
    instead (`left_out`), so that a sample labelled a second time, or a partial run, is
    scored on the items it has.
    """
    fw = framework if isinstance(framework, Framework) else (
        load_framework(framework) if framework else load_framework())
    by_id = {p["id"]: p for p in predicted}
    left_out = [g["id"] for g in gold if g["id"] not in by_id] if common else []
    if common:
        gold = [g for g in gold if g["id"] in by_id]
    gold_ids = {g["id"] for g in gold}
    pairs = [(_view(g), _view(by_id.get(g["id"]))) for g in gold]
    missing = [g["id"] for g in gold if g["id"] not in by_id]
    extra = [p["id"] for p in predicted if p["id"] not in gold_ids]

    dimensions: dict[str, Any] = {}
    for name in DIMENSIONS:
        column = [(g[name], p[name]) for g, p in pairs]
        if name in BOOL_DIMENSIONS:
            dimensions[name] = _boolean(column)
        elif name == "primary_outcome":
            dimensions[name] = _primary(column)
        else:
            dim = fw.dimensions.get(name)
            dimensions[name] = _sets(column, list(dim.codes) if dim else [])
    return {
        "framework": {"code": fw.code, "version": fw.version},
        "n": len(gold),
        "matched": len(gold) - len(missing),
        "missing": len(missing),
        "extra": len(extra),
        "missing_ids": missing,
        "extra_ids": extra,
        "left_out": len(left_out),
        "left_out_ids": left_out,
        "dimensions": dimensions,
        "notes": NOTES,
    }
