"""Report speed on the real d-portal corpus: each stage timed, HTML and PDF, in one run.

Imports the 13,200 activities into a fresh SQLite database, classifies them, then times:
snapshot (freezing the mapping), content (every analysis), HTML rendering and PDF rendering.
Run several rounds (--runs) of the report stages and quote the medians.

Usage: python benchmarks/report.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from corpus import extract

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from tcmap.analysis.snapshot import create_snapshot
    from tcmap.classify import load_classifier
    from tcmap.classify.run import classify_store
    from tcmap.ingest import import_paths
    from tcmap.report import render_html, weasyprint_pdf
    from tcmap.report.content import build_content
    from tcmap.store import open_store
    from tcmap.taxonomy import load_framework

    fw = load_framework()
    with tempfile.TemporaryDirectory(prefix="tcmap-bench-") as tmp:
        tmp = Path(tmp)
        corpus = extract(tmp)
        store = open_store(f"sqlite:///{tmp / 'r.db'}")
        t = time.perf_counter()
        import_paths(store, [corpus])
        t_import = time.perf_counter() - t
        t = time.perf_counter()
        classify_store(store, load_classifier())
        t_classify = time.perf_counter() - t
        print(f"set-up: import {t_import:.1f} s, classify {t_classify:.1f} s")
        stages: dict[str, list[float]] = {k: [] for k in
                                          ("snapshot", "content", "html", "pdf", "total")}
        pages = 0
        for i in range(args.runs):
            t0 = time.perf_counter()
            with store.session() as s, s.begin():
                frozen = create_snapshot(s, f"bench-{i}", fw.code)
            t1 = time.perf_counter()
            content = build_content(frozen, fw)
            t2 = time.perf_counter()
            html = render_html(content)
            t3 = time.perf_counter()
            weasyprint_pdf(html, tmp / "report.pdf")
            t4 = time.perf_counter()
            for k, v in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
                stages[k].append(v)
            pages = (tmp / "report.pdf").stat().st_size
        print(f"report over {len(frozen.frame):,} activities, medians of {args.runs} runs:")
        for k, values in stages.items():
            print(f"  {k:9s} {statistics.median(values):6.2f} s")
        print(f"  PDF size {pages / 1024:.0f} KB, HTML {len(html) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
