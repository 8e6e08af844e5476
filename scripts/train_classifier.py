"""Train the classifier's model from labelled activities and measure it by cross-validation.

    python scripts/train_classifier.py [--shared ../shared] [--folds 5] [--out PATH]

Training data: the development set of real labelled activities (`shared/data/labelled`) and
the demo portfolio's intended labels (tcmap's own data). Figures are cross-validated on the
development set only: each fold trains on the other folds plus the demo portfolio and predicts
the held-out fold, and the decision thresholds are tuned inside the training folds. The final
model, trained on everything, is written to src/tcmap/classify/models/<framework>.json with
those figures and the keyword baseline's figures measured the same way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import random
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from tcmap.classify.classifier import BOOLEANS, Classifier
from tcmap.classify.document import from_record
from tcmap.classify.features import SET_DIMENSIONS, doc_features, gather, pair_features
from tcmap.classify.jsonl import read_labels
from tcmap.classify.metrics import evaluate_labels
from tcmap.classify.model import Linear, Model, packaged_model_path
from tcmap.classify.textmodel import load_text_model
from tcmap.demo import DEMO_LABELS, DEMO_XML
from tcmap.iati.reader import IatiFile
from tcmap.taxonomy import load_framework

REPO = Path(__file__).resolve().parents[1]
TEXT = load_text_model(str(packaged_model_path("ilo-spf-2010-15-text")))


def load_items(xml: Path, labels: Path, clf: Classifier) -> list[dict]:
    """(document, evidence, gold) for every labelled activity in the file."""
    gold = {g["id"]: g for g in read_labels(labels)}
    items = []
    for rec in IatiFile(xml, xml.name):
        if rec.identifier in gold and not rec.rejected:
            doc = from_record(rec, detect=True)
            items.append({"doc": doc, "ev": gather(doc, clf.lexicon, clf.sectors,
                                                   clf.text_model),
                          "gold": gold.pop(rec.identifier)})
    return items


def _fit(rows: list[dict[str, float]], y: list[bool], c: float) -> Linear:
    names = sorted({k for r in rows for k in r})
    x = np.array([[r.get(n, 0.0) for n in names] for r in rows])
    if len(set(y)) < 2:
        return Linear({}, 10.0 if y and y[0] else -10.0)
    lr = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(x, y)
    return Linear(dict(zip(names, map(float, lr.coef_[0]), strict=True)),
                  float(lr.intercept_[0]))


def _priors(items: list[dict], fw) -> dict[str, dict[str, float]]:
    n = len(items)
    out = {}
    for dim in SET_DIMENSIONS:
        codes = fw.dimension(dim).codes
        out[dim] = {c: math.log((sum(c in it["gold"][dim] for it in items) + 1) / (n + 2))
                    for c in codes}
    return out


def _binary_gold(it: dict, name: str) -> bool:
    return bool(it["gold"][name])


# The demo portfolio is ILO work by design, so it would teach the booleans and the outcomes
# a world in which almost everything is world of work; it only helps with the dimensions
# that describe how capacity is developed.
EXTRA_DIMENSIONS = ("modalities", "capacity_levels", "target_groups")


def fit_model(items: list[dict], fw, c: float, thresholds: dict | None = None) -> Model:
    """A Model trained on the items; thresholds given, or 0.5."""
    thresholds = thresholds or {}
    core = [it for it in items if not it.get("extra")]
    feats = [doc_features(it["doc"], it["ev"]) for it in items]
    binary = {b: _fit([f for it, f in zip(items, feats, strict=True) if not it.get("extra")],
                      [_binary_gold(it, b) for it in core], c) for b in BOOLEANS}
    priors = _priors(core, fw)
    pairs = {}
    for dim in SET_DIMENSIONS:
        rows, y = [], []
        for it, f in zip(items, feats, strict=True):
            if it.get("extra") and dim not in EXTRA_DIMENSIONS:
                continue
            scores = {b: binary[b].probability(f) for b in BOOLEANS}
            for code in fw.dimension(dim).codes:
                rows.append(pair_features(dim, code, it["ev"], scores, priors[dim][code]))
                y.append(code in it["gold"][dim])
        pairs[dim] = _fit(rows, y, c)
    return with_thresholds(Model("cv", fw.code, binary, pairs, priors, {}), thresholds)


def with_thresholds(model: Model, thresholds: dict) -> Model:
    """The model with other decision rules: {output: threshold or (threshold, relative)}."""
    def t(name, linear):
        rule = thresholds.get(name, (linear.threshold, linear.relative, linear.gate))
        rule = rule if isinstance(rule, tuple) else (rule,)
        threshold, relative, gate = (*rule, *(linear.relative, linear.gate)[len(rule) - 1:])
        return Linear(linear.weights, linear.bias, threshold, relative, gate)

    return Model(model.version, model.framework,
                 {k: t(k, v) for k, v in model.binary.items()},
                 {k: t(k, v) for k, v in model.pairs.items()}, model.priors, model.info)


def predict(items: list[dict], model: Model, fw) -> list[dict]:
    clf = Classifier(fw, model, text_model=TEXT)
    return [clf._model(it["doc"], it["ev"]).to_labelling() for it in items]


def folds(items: list[dict], k: int, seed: int) -> list[list[int]]:
    idx = list(range(len(items)))
    random.Random(seed).shuffle(idx)
    return [idx[i::k] for i in range(k)]


_GRID = [round(float(x), 2) for x in np.arange(0.2, 0.86, 0.05)]
_RELATIVE = (0.0, 0.5, 0.7)
_GATES = (0.0, 0.35, 0.5, 0.65)


def tune_thresholds(items: list[dict], extra: list[dict], fw, c: float, k: int = 3) -> dict:
    """Decision rules that maximise F1 per output on inner out-of-fold predictions.

    The booleans' thresholds first (they gate the sets), then each set dimension's threshold
    and relative floor with the booleans' fixed.
    """
    fitted, tests = [], []
    for fold in folds(items, k, seed=7):
        held = set(fold)
        fitted.append(fit_model([it for i, it in enumerate(items) if i not in held] + extra,
                                fw, c))
        tests.append([items[i] for i in fold])
    gold = [it["gold"] for test in tests for it in test]

    def run(rules):
        preds = []
        for model, test in zip(fitted, tests, strict=True):
            preds += predict(test, with_thresholds(model, rules), fw)
        return evaluate_labels(gold, preds, fw)["dimensions"]

    best: dict = {}
    by_t = {t: run({b: t for b in BOOLEANS}) for t in _GRID}
    for b in BOOLEANS:
        best[b] = max(_GRID, key=lambda t: by_t[t][b]["f1"])
    results = {(t, r): run({**best, **{d: (t, r, 0.0) for d in SET_DIMENSIONS}})
               for t in _GRID for r in _RELATIVE}
    for d in SET_DIMENSIONS:
        best[d] = max(results, key=lambda tr: results[tr][d]["micro_f1"])
    gated = {g: run({**best, **{d: (*best[d][:2], g) for d in SET_DIMENSIONS}})
             for g in _GATES}
    for d in SET_DIMENSIONS:
        if d != "modalities":
            g = max(_GATES, key=lambda g: gated[g][d]["micro_f1"])
            best[d] = (*best[d][:2], g)
    return best


def cross_validate(dev: list[dict], extra: list[dict], fw, c: float, k: int) -> tuple:
    gold, model_preds, keyword_preds = [], [], []
    keywords = Classifier(fw, None, "keywords")
    for n, fold in enumerate(folds(dev, k, seed=2012), start=1):
        held = set(fold)
        train = [it for i, it in enumerate(dev) if i not in held]
        thresholds = tune_thresholds(train, extra, fw, c)
        model = fit_model(train + extra, fw, c, thresholds)
        test = [dev[i] for i in fold]
        model_preds += predict(test, model, fw)
        keyword_preds += [keywords._keywords(it["doc"], it["ev"]).to_labelling() for it in test]
        gold += [it["gold"] for it in test]
        print(f"fold {n}/{k} done; thresholds {thresholds}")
    return evaluate_labels(gold, model_preds, fw), evaluate_labels(gold, keyword_preds, fw)


def headline(m: dict) -> dict:
    d = m["dimensions"]
    return {
        "primary_outcome_accuracy": d["primary_outcome"]["accuracy"],
        "primary_outcome_accuracy_gold_not_null": d["primary_outcome"]["accuracy_gold_not_null"],
        "world_of_work_f1": d["world_of_work"]["f1"],
        "capacity_development_f1": d["capacity_development"]["f1"],
        **{f"{k}_micro_f1": d[k]["micro_f1"] for k in SET_DIMENSIONS},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", type=float, default=0.3)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    fw = load_framework()
    clf = Classifier(fw, None, "default", TEXT)
    labelled = args.shared / "data" / "labelled"
    dev = load_items(labelled / "dev-activities.xml", labelled / "dev-labels.jsonl", clf)
    demo = [{**it, "extra": True} for it in load_items(DEMO_XML, DEMO_LABELS, clf)]
    print(f"{len(dev)} development activities, {len(demo)} demo activities")
    cv_model, cv_keywords = cross_validate(dev, demo, fw, args.c, args.folds)
    print("cross-validated model:   ", json.dumps(headline(cv_model)))
    print("cross-validated keywords:", json.dumps(headline(cv_keywords)))
    if args.no_write:
        return
    thresholds = tune_thresholds(dev, demo, fw, args.c, k=args.folds)
    model = fit_model(dev + demo, fw, args.c, thresholds)
    body = json.dumps(model.to_dict(), sort_keys=True).encode()
    version = f"{dt.date.today().isoformat()}-{hashlib.sha256(body).hexdigest()[:8]}"
    info = {
        "trained": dt.date.today().isoformat(),
        "training_data": {"development_set": len(dev), "demo_portfolio": len(demo)},
        "c": args.c, "thresholds": thresholds,
        "cross_validation": {"folds": args.folds, "model": headline(cv_model),
                             "keywords": headline(cv_keywords),
                             "model_full": cv_model, "keywords_full": cv_keywords},
    }
    final = Model(version, fw.code, model.binary, model.pairs, model.priors, info)
    out = args.out or packaged_model_path(fw.code)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(final.to_dict(), indent=1, sort_keys=True) + "\n")
    print(f"model {version} written to {out}")


if __name__ == "__main__":
    main()
