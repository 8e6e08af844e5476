"""Train the classifier's model from labelled activities and measure it by cross-validation.

    python scripts/train_classifier.py [--shared ../shared] [--folds 5] [--out PATH]

Training data: the development set of real labelled activities (`shared/data/labelled`) and
the demo portfolio's intended labels (tcmap's own data). Figures are cross-validated on the
development set only: each fold trains on the other folds plus the demo portfolio and predicts
the held-out fold, and the decision thresholds are tuned inside the training folds. The final
model, trained on everything, is written to src/tcmap/classify/models/<framework>.json with
those figures and the keyword baseline's figures measured the same way.

The outputs are trained in the order the classifier runs them (world of work; modalities;
capacity development, which reads the modality model; then outcomes, levels and target
groups). Where one output reads another's scores, the training rows get the scores the
other model gives them; the level text model's scores for training rows are out-of-fold
(a model does not score the texts it was fit on). The modalities are decided by a second
pass over the first pass's probabilities of every modality (which ways of working go
together); the outputs after them read the first pass.
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
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from tcmap.classify.classifier import BOOLEANS, Classifier, choose
from tcmap.classify.document import from_record
from tcmap.classify.features import (
    SET_DIMENSIONS,
    STACK,
    capdev_features,
    doc_features,
    gather,
    model_text,
    pair_features,
    stack_features,
)
from tcmap.classify.jsonl import read_labels
from tcmap.classify.metrics import evaluate_labels
from tcmap.classify.model import Linear, Model, packaged_model_path
from tcmap.classify.textmodel import load_text_model, vector
from tcmap.demo import DEMO_LABELS, DEMO_XML
from tcmap.iati.reader import IatiFile
from tcmap.taxonomy import load_framework

REPO = Path(__file__).resolve().parents[1]
TEXT = load_text_model(str(packaged_model_path("ilo-spf-2010-15-text")))


def load_items(xml: Path, labels: Path, clf: Classifier) -> list[dict]:
    """(document, evidence, gold) for every labelled activity in the file, and under `fast`
    the document and evidence as fast mode reads them (declared languages, the start of
    each narrative)."""
    gold = {g["id"]: g for g in read_labels(labels)}
    fast = Classifier(clf.framework, None, "fast", clf.text_model)
    items = []
    for rec in IatiFile(xml, xml.name):
        if rec.identifier in gold and not rec.rejected:
            doc, quick = from_record(rec, detect=True), fast.prepare(
                from_record(rec, detect=False))
            items.append({"doc": doc, "ev": gather(doc, clf.lexicon, clf.sectors,
                                                   clf.text_model),
                          "fast": {"doc": quick, "ev": gather(
                              quick, fast.lexicon, fast.sectors, fast.text_model,
                              fast.text_limit)},
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
    """A Model trained on the items, in the order the classifier runs; thresholds given, or 0.5."""
    thresholds = thresholds or {}
    core = [it for it in items if not it.get("extra")]
    feats = [doc_features(it["doc"], it["ev"]) for it in items]
    priors = _priors(core, fw)
    binary = {"world_of_work": _fit([f for it, f in zip(items, feats, strict=True)
                                     if not it.get("extra")],
                                    [_binary_gold(it, "world_of_work") for it in core], c)}
    scores = [{"world_of_work": binary["world_of_work"].probability(f)} for f in feats]
    text = _text_outputs(items, fw)
    for i, found in _out_of_fold_text(items, fw).items():
        scores[i].update(found)
    pairs = {"modalities": _fit_pairs("modalities", items, scores, priors, fw, c)}
    mods = [{code: pairs["modalities"].probability(pair_features(
        "modalities", code, it["ev"], sc, priors["modalities"][code]))
        for code in fw.dimension("modalities").codes} for it, sc in zip(items, scores, strict=True)]
    pairs[STACK] = _fit_stack(items, mods, c)
    capdev_rows = [{**f, **capdev_features(m, it["ev"])}
                   for it, f, m in zip(items, feats, mods, strict=True)]
    binary["capacity_development"] = _fit(
        [r for it, r in zip(items, capdev_rows, strict=True) if not it.get("extra")],
        [_binary_gold(it, "capacity_development") for it in core], c)
    for sc, r in zip(scores, capdev_rows, strict=True):
        sc["capacity_development"] = binary["capacity_development"].probability(r)
    for dim in SET_DIMENSIONS:
        if dim != "modalities":
            pairs[dim] = _fit_pairs(dim, items, scores, priors, fw, c, mods)
    return with_thresholds(Model("cv", fw.code, binary, pairs, priors, {}, text), thresholds)


# Levels and target groups are only named when capacity development is true, and that is
# decided before them; so their models learn *which* ones from the activities that develop
# capacity, not whether there are any (which would repeat the capacity development model).
CONDITIONAL = ("target_groups", "capacity_levels")


def _fit_pairs(dim: str, items: list[dict], scores: list[dict], priors: dict, fw, c: float,
               mods: list[dict] | None = None) -> Linear:
    rows, y = [], []
    for i, it in enumerate(items):
        if it.get("extra") and dim not in EXTRA_DIMENSIONS:
            continue
        if dim in CONDITIONAL and not it["gold"]["capacity_development"]:
            continue
        for code in fw.dimension(dim).codes:
            rows.append(pair_features(dim, code, it["ev"], scores[i], priors[dim][code],
                                      mods[i] if mods else None))
            y.append(code in it["gold"][dim])
    return _fit(rows, y, c)


def _fit_stack(items: list[dict], mods: list[dict], c: float) -> Linear:
    """The second modality pass, over the first pass's probabilities of every modality."""
    rows, y = [], []
    for it, m in zip(items, mods, strict=True):
        for code in m:
            rows.append(stack_features(code, m))
            y.append(code in it["gold"]["modalities"])
    return _fit(rows, y, c)


# The capacity levels are broad notions (people's skills, an organization's systems, policies
# and laws) that show in the vocabulary of a whole text, so a words-and-pairs model trained on
# the labelled texts scores them; its scores are features of the level model.
TEXT_DIMENSION = "capacity_levels"
TEXT_C = 4.0
TEXT_KEEP = 3000  # terms kept per output, by weight
TEXT_FOLDS = 5


def _text_outputs(items: list[dict], fw) -> dict[str, tuple[dict[str, float], float]]:
    """Per level, term weights and bias of a logistic model over the texts' vectors."""
    vectors = [vector(model_text(it["doc"])) for it in items]
    df: dict[str, int] = {}
    for v in vectors:
        for t in v:
            df[t] = df.get(t, 0) + 1
    vocab = sorted(t for t, n in df.items() if n >= 2)
    col = {t: j for j, t in enumerate(vocab)}
    rows, cols, vals = [], [], []
    for i, v in enumerate(vectors):
        for t, x in v.items():
            if t in col:
                rows.append(i)
                cols.append(col[t])
                vals.append(x)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(items), len(vocab)))
    out = {}
    for code in fw.dimension(TEXT_DIMENSION).codes:
        y = [code in it["gold"][TEXT_DIMENSION] for it in items]
        if len(set(y)) < 2:
            continue
        lr = LogisticRegression(C=TEXT_C, max_iter=3000, class_weight="balanced").fit(x, y)
        coef = lr.coef_[0]
        keep = np.argsort(-np.abs(coef))[:TEXT_KEEP]
        out[f"level:{code}"] = ({vocab[j]: float(coef[j]) for j in keep if coef[j]},
                                float(lr.intercept_[0]))
    return out


def _text_scores(outputs: dict, it: dict) -> dict[str, float]:
    """The features the classifier makes of the text outputs (see Classifier.score)."""
    v = vector(model_text(it["doc"]))
    return {f"text:{name.split(':', 1)[1]}": (b + sum(w.get(t, 0.0) * x for t, x in v.items()))
            / 4 for name, (w, b) in outputs.items()}


def _out_of_fold_text(items: list[dict], fw) -> dict[int, dict[str, float]]:
    """Each item's level text scores from a model fit on the other folds."""
    found = {}
    for fold in folds(items, TEXT_FOLDS, seed=11):
        held = set(fold)
        outputs = _text_outputs([it for i, it in enumerate(items) if i not in held], fw)
        for i in fold:
            found[i] = _text_scores(outputs, items[i])
    return found


def with_thresholds(model: Model, thresholds: dict) -> Model:
    """The model with other decision rules: {boolean: threshold, dimension: {threshold,
    relative, gate, keep}}; what is not given stays."""
    def t(name, linear):
        rule = thresholds.get(name)
        if rule is None:
            return linear
        if not isinstance(rule, dict):
            rule = {"threshold": rule}
        return Linear(linear.weights, linear.bias, rule.get("threshold", linear.threshold),
                      rule.get("relative", linear.relative), rule.get("gate", linear.gate),
                      rule.get("keep", linear.keep))

    return Model(model.version, model.framework,
                 {k: t(k, v) for k, v in model.binary.items()},
                 {k: t(k, v) for k, v in model.pairs.items()}, model.priors, model.info,
                 model.text)


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
# Dimensions whose rule is chosen by its F1 averaged with the neighbouring thresholds': the
# inner folds are small, and a lone peak of the grid is more often noise than a better rule.
SMOOTHED = ("target_groups",)
# Sets without a gate of their own. The modalities have no boolean before them; the outcomes
# are named whenever world of work is true, since an activity of the world of work contributes
# to some outcome (LABELLING.md; no labelled activity is world of work without one): a gate
# above world of work's threshold left the activities between the two with none.
UNGATED = ("modalities", "outcomes")
# Codes that a chosen modality confirms: without one that implies it (implied_by in the term
# files), the code stays only when at least `keep` likely (see choose). Training, coaching,
# study visits and the like are how people's skills are developed; an activity that does none
# of them names `individual` mostly from words of skills in its aims.
CONFIRMED = {"capacity_levels": ("individual",)}
_KEEP = (0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)  # 0 keeps every code, 1.01 none unconfirmed


def tune_thresholds(items: list[dict], extra: list[dict], fw, c: float, k: int = 3) -> dict:
    """Decision rules that maximise F1 per output on inner out-of-fold probabilities.

    The probabilities do not depend on the rules, so each inner fold is scored once. The
    booleans' thresholds first (they gate the sets), then each set dimension's threshold and
    relative floor, and then its gate, and then what a code needs without a chosen modality
    that implies it (CONFIRMED).
    """
    scores, gold = [], []
    for fold in folds(items, k, seed=7):
        held = set(fold)
        model = fit_model([it for i, it in enumerate(items) if i not in held] + extra, fw, c)
        clf = Classifier(fw, model, text_model=TEXT)
        scores += [clf.score(items[i]["doc"], items[i]["ev"]) for i in fold]
        gold += [items[i]["gold"] for i in fold]
    best: dict = {}
    for b in BOOLEANS:
        best[b] = max(_GRID, key=lambda t: _boolean_f1(gold, scores, b, t))
    flags = [{b: s.doc[b] >= best[b] for b in BOOLEANS} for s in scores]
    implied = items[0]["ev"].implied if items else {}
    found: list[frozenset] = []  # the modalities chosen, once their rule is tuned
    for dim in SET_DIMENSIONS:
        def f1(rule: dict, dim: str = dim, found: list[frozenset] = found) -> float:
            return _set_f1(dim, rule, gold, scores, flags, implied.get(dim), found)

        if dim in SMOOTHED:
            best[dim] = _smoothed_rule(f1)
            continue
        rule = max(({"threshold": t, "relative": r, "gate": 0.0}
                    for t in _GRID for r in _RELATIVE), key=f1)
        if dim not in UNGATED:
            rule = max(({**rule, "gate": g} for g in _GATES), key=f1)
        for code in CONFIRMED.get(dim, ()):
            rule = max(({**rule, "keep": {**rule.get("keep", {}), code: t}} for t in _KEEP),
                       key=f1)
        best[dim] = rule
        if dim == "modalities":
            found = [frozenset(c for _, c in choose(dim, s.sets[dim], _linear(rule), s.doc, fl))
                     for s, fl in zip(scores, flags, strict=True)]
    return best


def _smoothed_rule(f1) -> dict:
    """The rule (threshold, relative, gate) whose F1, averaged with that of the thresholds
    next to it (same relative and gate), is best."""
    table = {(t, r, g): f1({"threshold": t, "relative": r, "gate": g})
             for t in _GRID for r in _RELATIVE for g in _GATES}

    def smooth(key: tuple) -> float:
        t, r, g = key
        near = [table[(u, r, g)] for u in _GRID if abs(u - t) < 0.06]
        return sum(near) / len(near)

    t, r, g = max(table, key=smooth)
    return {"threshold": t, "relative": r, "gate": g}


def _linear(rule: dict) -> Linear:
    """A decision rule ({threshold, relative, gate, keep}) as the classifier reads it."""
    return Linear({}, 0.0, rule["threshold"], rule["relative"], rule.get("gate", 0.0),
                  rule.get("keep", {}))


def _set_f1(dim: str, rule: dict, gold: list[dict], scores: list, flags: list[dict],
            implied: dict | None = None, found: list[frozenset] | None = None) -> float:
    """Micro F1 of a set dimension under a decision rule, from stored probabilities (`found`:
    each item's chosen modalities, for a rule that reads them)."""
    linear = _linear(rule)
    found = found or [frozenset()] * len(gold)
    tp = fp = fn = 0
    for g, s, fl, m in zip(gold, scores, flags, found, strict=True):
        got = {code for _, code in choose(dim, s.sets[dim], linear, s.doc, fl, implied, m)}
        want = set(g[dim])
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def _boolean_f1(gold: list[dict], scores: list, name: str, threshold: float) -> float:
    tp = fp = fn = 0
    for g, s in zip(gold, scores, strict=True):
        yes, want = s.doc[name] >= threshold, bool(g[name])
        tp, fp, fn = tp + (yes and want), fp + (yes and not want), fn + (want and not yes)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


SEED = 2012  # the folds of the reported figures; --repeats adds other shuffles


def cross_validate(dev: list[dict], extra: list[dict], fw, c: float, k: int,
                   seed: int = SEED) -> tuple:
    gold, model_preds, keyword_preds, fast_preds = [], [], [], []
    keywords = Classifier(fw, None, "keywords")
    for n, fold in enumerate(folds(dev, k, seed=seed), start=1):
        held = set(fold)
        train = [it for i, it in enumerate(dev) if i not in held]
        thresholds = tune_thresholds(train, extra, fw, c)
        model = fit_model(train + extra, fw, c, thresholds)
        test = [dev[i] for i in fold]
        model_preds += predict(test, model, fw)
        fast_preds += predict([it["fast"] for it in test], model, fw)
        keyword_preds += [keywords._keywords(it["doc"], it["ev"]).to_labelling() for it in test]
        gold += [it["gold"] for it in test]
        print(f"fold {n}/{k} done; thresholds {thresholds}")
    return (evaluate_labels(gold, model_preds, fw), evaluate_labels(gold, keyword_preds, fw),
            evaluate_labels(gold, fast_preds, fw))


def headline(m: dict) -> dict:
    d = m["dimensions"]
    return {
        "primary_outcome_accuracy": d["primary_outcome"]["accuracy"],
        "primary_outcome_accuracy_gold_not_null": d["primary_outcome"]["accuracy_gold_not_null"],
        "world_of_work_f1": d["world_of_work"]["f1"],
        "capacity_development_f1": d["capacity_development"]["f1"],
        **{f"{k}_micro_f1": d[k]["micro_f1"] for k in SET_DIMENSIONS},
    }


def repeated(dev: list[dict], extra: list[dict], fw, c: float, k: int, n: int,
             first: tuple) -> dict:
    """Mean figures over n shuffles of the folds (`first` is the reported one's): with 204
    activities a single split moves a figure by a point or two either way."""
    seeds = [SEED, *range(1, n)]
    runs = [first] + [cross_validate(dev, extra, fw, c, k, seed) for seed in seeds[1:]]
    mean = {name: {key: round(float(np.mean([headline(r[i])[key] for r in runs])), 4)
                   for key in headline(runs[0][i])}
            for i, name in enumerate(("model", "keywords", "fast"))}
    return {"seeds": seeds, **mean}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", type=float, default=0.3)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--repeats", type=int, default=1,
                    help="also report the mean over this many shuffles of the folds")
    args = ap.parse_args()
    fw = load_framework()
    clf = Classifier(fw, None, "default", TEXT)
    labelled = args.shared / "data" / "labelled"
    dev = load_items(labelled / "dev-activities.xml", labelled / "dev-labels.jsonl", clf)
    demo = [{**it, "extra": True} for it in load_items(DEMO_XML, DEMO_LABELS, clf)]
    print(f"{len(dev)} development activities, {len(demo)} demo activities")
    cv_model, cv_keywords, cv_fast = cross_validate(dev, demo, fw, args.c, args.folds)
    print("cross-validated model:    ", json.dumps(headline(cv_model)))
    print("cross-validated fast mode:", json.dumps(headline(cv_fast)))
    print("cross-validated keywords: ", json.dumps(headline(cv_keywords)))
    mean = (repeated(dev, demo, fw, args.c, args.folds, args.repeats,
                     (cv_model, cv_keywords, cv_fast)) if args.repeats > 1 else None)
    if mean:
        for name in ("model", "fast", "keywords"):
            print(f"mean of {args.repeats} shuffles, {name}:", json.dumps(mean[name]))
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
                             "keywords": headline(cv_keywords), "fast": headline(cv_fast),
                             "model_full": cv_model, "keywords_full": cv_keywords,
                             **({"repeated": mean} if mean else {})},
    }
    final = Model(version, fw.code, model.binary, model.pairs, model.priors, info, model.text)
    out = args.out or packaged_model_path(fw.code)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(final.to_dict(), indent=1, sort_keys=True) + "\n")
    print(f"model {version} written to {out}")


if __name__ == "__main__":
    main()
