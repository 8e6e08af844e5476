"""Classification speed and memory on the real d-portal corpus (13,200 activities).

Imports the corpus once into a fresh SQLite database, then, each in a fresh process and
interleaved over --runs rounds, runs `tcmap classify` in default mode, in fast mode and with
the keyword baseline in one process, and default and fast mode with two worker processes,
each on an untouched copy of that database (so every run writes all its tags). Prints median
activities per second of classifying (and, apart, with the time to load the model, a fixed
cost of a fraction of a second), peak memory (RSS) for each, and the ratio to the keyword
baseline.

Also prints the interpreter and a machine reference: the median time of a fixed pure-Python
loop, timed before every run. These shared machines drift by 10-15% within an hour, and the
keyword baseline is no yardstick across revisions when its code changes too; the reference
does not depend on tcmap's code, so figures of two sessions can be set side by side.

Usage: python benchmarks/classify.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import extract

REPO = Path(__file__).resolve().parents[1]
MODES = ("default", "fast", "keywords")
# Each mode in one process (workers=1), and the two model modes also with two processes.
RUNS = [(m, 1) for m in MODES] + [("default", 2), ("fast", 2)]


def child(db: str, mode: str, workers: str = "1") -> dict:
    from tcmap.classify import load_classifier
    from tcmap.classify.run import classify_store
    from tcmap.store import open_store

    store = open_store(f"sqlite:///{db}")
    t = time.perf_counter()
    clf = load_classifier(None, mode)
    loaded = time.perf_counter()
    result = classify_store(store, clf, workers=int(workers))
    seconds = time.perf_counter() - loaded
    return {"seconds": seconds, "load_seconds": loaded - t,
            "activities": result["activities"], "tags": result["added"],
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def reference() -> float:
    """Seconds for a fixed pure-Python workload (dict updates and string work), best of 3."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        counts: dict[int, int] = {}
        for i in range(1_000_000):
            counts[i % 1000] = counts.get(i % 1000, 0) + 1
        sum(len(str(i)) for i in range(500_000))
        best = min(best, time.perf_counter() - t)
    return best


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, write-ahead log included."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", nargs=3)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    with tempfile.TemporaryDirectory(prefix="tcmap-bench-") as tmp:
        tmp = Path(tmp)
        corpus = extract(tmp)
        base = tmp / "base.db"
        from tcmap.ingest import import_paths
        from tcmap.store import open_store

        store = open_store(f"sqlite:///{base}")
        report = import_paths(store, [corpus])
        store.close()  # the last connection out merges the write-ahead log into the file
        print(f"corpus: {report.total('inserted'):,} activities imported")
        results: dict[tuple[str, int], list[dict]] = {r: [] for r in RUNS}
        machine: list[float] = []
        for _ in range(args.runs):
            for mode, workers in RUNS:
                machine.append(reference())
                db = tmp / f"{mode}-{workers}.db"
                _copy(base, db)
                out = subprocess.run([sys.executable, __file__, "--child", str(db), mode,
                                      str(workers)],
                                     check=True, capture_output=True, text=True, cwd=REPO)
                results[(mode, workers)].append(json.loads(out.stdout.strip().splitlines()[-1]))
                db.unlink()
        rates = {k: statistics.median(r["activities"] / r["seconds"] for r in v)
                 for k, v in results.items()}
        print(f"python: {platform.python_implementation()} {platform.python_version()} "
              f"({sys.executable}); machine reference: median {statistics.median(machine):.3f} s "
              f"(range {min(machine):.3f}-{max(machine):.3f} s; lower is faster)")
        for (mode, workers), r in results.items():
            memory = f"peak RSS {max(x['rss_mb'] for x in r):.0f} MB" + (
                f" + {max(x['workers_rss_mb'] for x in r):.0f} MB per worker"
                if workers > 1 else "")
            whole = statistics.median(x["activities"] / (x["seconds"] + x["load_seconds"])
                                      for x in r)
            print(f"tcmap classify ({mode}, {workers} process{'es' if workers > 1 else ''}): "
                  f"median {rates[(mode, workers)]:,.0f} activities/s "
                  f"({statistics.median(x['seconds'] for x in r):.2f} s for "
                  f"{r[0]['activities']:,} activities, {r[0]['tags']:,} tags; with loading the "
                  f"model, {statistics.median(x['load_seconds'] for x in r):.2f} s, "
                  f"{whole:,.0f}/s), {memory}, "
                  f"{rates[(mode, workers)] / rates[('keywords', 1)]:.2f}x the keyword "
                  "baseline's rate")


if __name__ == "__main__":
    main()
