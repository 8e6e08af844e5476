"""Import speed and memory on the real d-portal corpus (13,200 IATI 2.03 activities).

Prints, as medians over --runs interleaved runs (each in a fresh process):
  - a bare lxml iterparse pass over the same files that touches every element;
  - `tcmap import` of the corpus into a fresh SQLite database (default settings);
  - activities per second, the ratio import / bare parse, peak memory (RSS) of the importing
    process and of its worker processes;
and then, to show that memory does not grow with file size, the peak RSS of importing one
file made of the corpus concatenated 1x and 4x (identifiers made unique per copy).

Usage: python benchmarks/ingest.py [--corpus DIR] [--runs 3]
Default corpus: ../shared/data/real/dportal-covid19-2021/saved_data.tar.xz, unpacked to a temp dir.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import extract

REPO = Path(__file__).resolve().parents[1]


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def child_bare(folder: str) -> dict:
    from lxml import etree

    t = time.perf_counter()
    elements = activities = 0
    for f in sorted(Path(folder).glob("*.xml")):
        try:
            for _, el in etree.iterparse(str(f), events=("end",), resolve_entities=False,
                                         no_network=True, load_dtd=False):
                elements += 1
                if el.tag == "iati-activity":
                    activities += 1
                    el.clear()
                    while el.getprevious() is not None:
                        del el.getparent()[0]
        except etree.XMLSyntaxError:
            pass
    return {"seconds": time.perf_counter() - t, "elements": elements, "activities": activities}


def child_import(paths: list[str], db: str, workers: int) -> dict:
    from tcmap.config import Settings
    from tcmap.ingest import import_paths
    from tcmap.store import open_store

    store = open_store(f"sqlite:///{db}")
    t = time.perf_counter()
    report = import_paths(store, paths, Settings.load(workers=workers))
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "activities": report.total("activities"),
            "inserted": report.total("inserted"),
            "rss_main_mb": _rss_mb(resource.RUSAGE_SELF),
            "rss_workers_mb": _rss_mb(resource.RUSAGE_CHILDREN)}


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                         capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def concatenate(folder: Path, copies: int, target: Path) -> int:
    """One file holding every activity of the corpus `copies` times, identifiers unique."""
    ident = re.compile(rb"(<iati-identifier>)([^<]*)(</iati-identifier>)")
    block = re.compile(rb"<iati-activity[\s>].*?</iati-activity>", re.S)
    n = 0
    with target.open("wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for copy in range(copies):
            for f in sorted(folder.glob("*.xml")):
                for m in block.finditer(f.read_bytes()):
                    out.write(ident.sub(rb"\g<1>\g<2>-copy%d\g<3>" % copy, m.group(0)) + b"\n")
                    n += 1
        out.write(b"</iati-activities>\n")
    return n


def _runs(results: list[dict]) -> str:
    return ", ".join(f"{r['seconds']:.2f}" for r in results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--child", nargs="+")
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_bare(rest[0]) if kind == "bare" else child_import(
            rest[:-2], rest[-2], int(rest[-1]))
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="tcmap-bench-") as tmp:
        tmp_path = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            corpus = extract(tmp_path, instead="--corpus DIR")
        bare, imp = [], []
        for i in range(args.runs):
            bare.append(run_child("bare", str(corpus)))
            db = tmp_path / f"run{i}.db"
            imp.append(run_child("import", str(corpus), str(db), "2"))
            db.unlink()
        n = imp[0]["activities"]
        t_bare = statistics.median(r["seconds"] for r in bare)
        t_imp = statistics.median(r["seconds"] for r in imp)
        print(f"corpus: {corpus} ({n:,} activities, {bare[0]['elements']:,} elements)")
        print(f"bare iterparse, every element:  median {t_bare:.2f} s  (runs: {_runs(bare)})")
        print(f"tcmap import into fresh SQLite: median {t_imp:.2f} s  (runs: {_runs(imp)})")
        print(f"activities per second:          {n / t_imp:,.0f}")
        print(f"import / bare parse:            {t_imp / t_bare:.2f}x")
        print(f"peak RSS: importing process {max(r['rss_main_mb'] for r in imp):.0f} MB, "
              f"each worker at most {max(r['rss_workers_mb'] for r in imp):.0f} MB")

        print("\nmemory against file size (one file, one process):")
        for copies in (1, 4):
            big = tmp_path / f"corpus-x{copies}.xml"
            count = concatenate(corpus, copies, big)
            size_mb = big.stat().st_size / 2**20
            r = run_child("import", str(big), str(tmp_path / f"x{copies}.db"), "1")
            print(f"  x{copies}: {size_mb:,.0f} MB, {count:,} activities: "
                  f"{r['seconds']:.1f} s, {count / r['seconds']:,.0f} activities/s, "
                  f"peak RSS {r['rss_main_mb']:.0f} MB")
            big.unlink()


if __name__ == "__main__":
    main()
