"""The SDG Classification Benchmark, zero-shot: the 17 SDGs loaded as a tcmap framework.

For each of the benchmark's 1,251 rows (a text, an SDG, and whether the text addresses it),
tcmap ranks the 17 goals by the similarity of the text to each goal's title and the texts of
its targets (the IATI UNSDG-Goals and UNSDG-Targets codelists), with no training on the
benchmark; a row is predicted true when its SDG is among the text's top k goals (k=2, chosen
before looking at the benchmark; k=1 and 3 shown too). Accuracy is reported as the benchmark
reports it: the mean of the 17 per-SDG accuracies.

Usage: python benchmarks/sdg_benchmark.py [--csv PATH]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import defaultdict
from pathlib import Path

from tcmap.classify.semantic import ZeroShot
from tcmap.iati.codes import codelist
from tcmap.taxonomy import load_framework

REPO = Path(__file__).resolve().parents[1]
REAL = REPO.parent / "shared" / "data" / "real"
PUBLISHED = [("AFD SDG Prospector (fine-tuned DistilRoBERTa)", 87.8),
             ("text2sdg (query systems)", 83.0), ("Aurora mBERT", 79.2),
             ("JRC SDG Mapper (keywords)", 77.3), ("OSDG v1 (keyword ontology)", 69.7)]


def descriptions(framework) -> dict[str, list[str]]:
    """Each goal's title and the texts of its targets."""
    targets = codelist("UNSDG-Targets")
    out = {}
    for goal in framework.outcomes.codes:
        title = framework.outcomes.codes[goal].title.split(". ", 1)[-1]
        out[goal] = [title] + [t for code, t in targets.items() if code.split(".")[0] == goal]
    return out


def score(rows: list[dict], predicted: list[bool]) -> dict[str, float]:
    per = defaultdict(lambda: [0, 0])
    tp = fp = fn = 0
    for row, p in zip(rows, predicted, strict=True):
        truth = row["label"] == "True"
        per[row["sdg"]][0] += p == truth
        per[row["sdg"]][1] += 1
        tp += p and truth
        fp += p and not truth
        fn += truth and not p
    accuracy = sum(c / n for c, n in per.values()) / len(per)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", type=Path, default=REAL / "sdgclassification-benchmark" /
                    "benchmark.csv")
    ap.add_argument("--codelist", type=Path, default=REAL / "iati-codelists-nonembedded" /
                    "xml" / "UNSDG-Goals.xml")
    args = ap.parse_args()
    fw = load_framework(args.codelist)
    rows = list(csv.DictReader(args.csv.open(encoding="utf-8")))
    t = time.perf_counter()
    model = ZeroShot(descriptions(fw))
    texts = sorted({r["text"] for r in rows})
    ranked = dict(zip(texts, model.top(texts, 3), strict=True))
    seconds = time.perf_counter() - t
    print(f"{fw.title}: {len(fw.outcomes)} goals; {len(rows):,} benchmark rows, "
          f"{len(texts):,} distinct texts encoded in {seconds:.1f} s")
    for k in (1, 2, 3):
        s = score(rows, [r["sdg"] in ranked[r["text"]][:k] for r in rows])
        mark = "  <- reported setting" if k == 2 else ""
        print(f"tcmap zero-shot, top-{k}: accuracy {100 * s['accuracy']:.1f}%  "
              f"P {100 * s['precision']:.1f}%  R {100 * s['recall']:.1f}%  "
              f"F1 {s['f1']:.2f}{mark}")
    print("published (same benchmark, mean per-SDG accuracy):")
    for name, acc in PUBLISHED:
        print(f"  {name}: {acc:.1f}%")


if __name__ == "__main__":
    main()
