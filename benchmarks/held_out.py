"""The shipped classifier on activities it was never trained or tuned on.

`benchmarks/data/dportal-second-reading.jsonl` holds 600 real d-portal activities labelled by
careful reading under LABELLING.md for tcmap (see benchmarks/data/README.md). No model or
term list was trained, tuned or revised on them, so this measures the classifier as a user
meets it on new activities, beside the cross-validated figures of the development set. It
labels the activities with `tcmap label`'s code in each mode and scores the labels with
`tcmap evaluate`'s.

Usage: python benchmarks/held_out.py [--labels PATH]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from corpus import extract

from tcmap.classify import iter_labels, load_classifier
from tcmap.classify.jsonl import read_labels
from tcmap.classify.metrics import evaluate_labels

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "benchmarks/data/dportal-second-reading.jsonl"
ROWS = [("primary outcome accuracy", "primary_outcome", "accuracy"),
        ("world of work F1", "world_of_work", "f1"),
        ("capacity development precision", "capacity_development", "precision"),
        ("outcomes micro-F1", "outcomes", "micro_f1"),
        ("modalities micro-F1", "modalities", "micro_f1"),
        ("capacity levels micro-F1", "capacity_levels", "micro_f1"),
        ("target groups micro-F1", "target_groups", "micro_f1")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", type=Path, default=LABELS)
    args = ap.parse_args()
    gold = read_labels(args.labels)
    wanted = {g["id"] for g in gold}
    results = {}
    with tempfile.TemporaryDirectory(prefix="tcmap-bench-") as tmp:
        files = sorted(extract(Path(tmp)).glob("*.xml"))
        for mode in ("default", "fast", "keywords"):
            t0 = time.perf_counter()
            unread: list = []  # files that are not IATI XML (the corpus has one); the rest is read
            predicted = [p for p in iter_labels(files, None, mode, unread) if p["id"] in wanted]
            results[mode] = evaluate_labels(gold, predicted, common=True)
            print(f"{mode}: {len(predicted)} of {len(gold)} activities labelled "
                  f"({time.perf_counter() - t0:.0f} s; {len(unread)} unreadable file(s))",
                  flush=True)
    version = load_classifier().model.version
    print(f"\n{len(gold)} activities labelled by careful reading, never trained on "
          f"(model {version})\n")
    print(f"{'measure':34s} {'default':>8s} {'fast':>8s} {'keywords':>9s}")
    for name, dim, key in ROWS:
        print(f"{name:34s}" + "".join(f" {results[m]['dimensions'][dim][key]:8.3f}"
                                      for m in ("default", "fast")) +
              f" {results['keywords']['dimensions'][dim][key]:9.3f}")
    print("\nThe activities were drawn among those the classifier read as developing capacity, so "
          "capacity development shows its precision only, and the sets their errors on those.")


if __name__ == "__main__":
    main()
