"""Web app latency on the real d-portal corpus (13,200 IATI 2.03 activities), under load.

Loads the corpus into a SQLite database (unpacked from the tarball, imported, classified; or
--db PATH reuses a database already made), serves the app with uvicorn in a subprocess, one
process as `tcmap serve` runs it, and drives it from this process with threads, one
`httpx.Client` each, each logged in once with its own API token. For each concurrency level
(1, 10, 50 clients) and each request below, a fixed number of requests (--requests) is shared
among the clients; the rounds (--rounds) are interleaved and the table shows medians over
rounds of p50 and p95 latency and of throughput:
  - list:     GET /api/activities?outcome=O1&modality=training&q=employment (two facets and a
              search; ten such queries in turn)
  - activity: GET /activities/<id> (the HTML page; ids cycle through a fixed sample)
  - matrix:   GET /api/matrix
  - health:   GET /health (no login, no query: the floor of server and load generator)
Target: p95 under 150 ms at 10 clients.

The load generator runs on the same machine as the server and shares its cores, so figures at
50 clients include the generator's own cost; the health row shows how much.

Usage: python benchmarks/web.py [--db PATH] [--requests 200] [--rounds 3] [--levels 1,10,50]
Default corpus: ../shared/data/real/dportal-covid19-2021/saved_data.tar.xz, unpacked to a temp dir.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from corpus import extract

REPO = Path(__file__).resolve().parents[1]
# Two facets and a search each; distinct queries, so the page memo cannot serve them all.
LIST = [f"/api/activities?outcome={o}&modality={m}&q={q}"
        for o, m, q in [("O1", "training", "employment"), ("O2", "training", "skills"),
                        ("O1", "policy_advice", "employment"), ("O11", "training", "inspection"),
                        ("O5", "institution_building", "health"), ("O16", "training", "child"),
                        ("O4", "policy_advice", "social"), ("O3", "training", "enterprise"),
                        ("O1", "knowledge_products", "jobs"), ("O6", "training", "safety")]]
TARGET_MS, TARGET_CLIENTS = 150.0, 10
USER, PASSWORD = "bench", "benchmark horse battery staple"


def factory():
    """The app for `python -m uvicorn --factory web:factory` (settings from TCMAP_* variables)."""
    from tcmap.config import Settings
    from tcmap.web import create_app

    return create_app(Settings.load())


def build_database(db: Path, tmp: Path) -> None:
    """Unpack the corpus, import it and classify it into a fresh SQLite file."""
    from tcmap.classify import load_classifier
    from tcmap.classify.run import classify_store
    from tcmap.config import Settings
    from tcmap.ingest import import_paths
    from tcmap.store import open_store

    corpus = extract(tmp, instead="--db PATH to a database made before")
    store = open_store(f"sqlite:///{db}")
    t = time.perf_counter()
    report = import_paths(store, sorted(corpus.glob("*.xml")), Settings.load())
    t_import = time.perf_counter() - t
    t = time.perf_counter()
    classify_store(store, load_classifier())
    t_classify = time.perf_counter() - t
    store.close()
    print(f"database: {db} made: {report.total('activities'):,} activities imported in "
          f"{t_import:.1f} s, classified in {t_classify:.1f} s")


def prepare(db: Path, clients: int, sample: int) -> tuple[list[str], list[str], int]:
    """API tokens (one per client), a fixed sample of activity ids, the number of activities."""
    from sqlalchemy import func, select

    from tcmap import users
    from tcmap.errors import TcmapError
    from tcmap.store import Activity, open_store

    store = open_store(f"sqlite:///{db}")
    with store.session() as s, s.begin():
        try:
            users.get_user(s, USER)
        except TcmapError:
            users.add_user(s, USER, "analyst", PASSWORD)
    run = secrets.token_hex(4)
    tokens = []
    with store.session() as s, s.begin():
        for i in range(clients):
            tokens.append(users.create_token(s, USER, f"bench-{run}-{i}"))
    with store.session() as s:
        n = s.scalar(select(func.count()).select_from(Activity))
        ids = sorted(s.scalars(select(Activity.iati_identifier)))
    store.close()
    rng = random.Random(0)
    return tokens, rng.sample(ids, min(sample, len(ids))), n


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, port: int, log, workers: int = 1,
                 page_memo: int | None = None) -> subprocess.Popen:
    env = {**os.environ, "TCMAP_DATABASE_URL": f"sqlite:///{db}",
           "TCMAP_SECRET_KEY": secrets.token_urlsafe(16)}
    if page_memo is not None:
        env["TCMAP_PAGE_MEMO"] = str(page_memo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(Path(__file__).parent),
         "web:factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         "--workers", str(workers), "--http", "tcmap.web.serving:NoDelayH11Protocol"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.flush()
            sys.exit(f"the server exited with {proc.returncode}: "
                     f"{Path(log.name).read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    sys.exit("the server did not answer /health within 60 s")


def load(clients: list, paths: list[str], n: int, budget: float = float("inf")) -> dict:
    """n requests shared among the clients, each in its own thread; latencies in ms.

    No request is issued once `budget` seconds have passed (those in flight finish).
    """
    lock = threading.Lock()
    issued = [0]
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(len(clients) + 1)
    start = [0.0]

    def work(client) -> None:
        mine, bad = [], []
        barrier.wait()
        while True:
            with lock:
                i = issued[0]
                if i >= n or time.perf_counter() - start[0] > budget:
                    break
                issued[0] += 1
            path = paths[i % len(paths)]
            t = time.perf_counter()
            try:
                r = client.get(path)
                r.read()
                ok = r.status_code == 200
                why = f"{r.status_code} {path}"
            except Exception as exc:  # a timeout or a dropped connection counts as an error
                ok, why = False, f"{type(exc).__name__} {path}"
            mine.append((time.perf_counter() - t) * 1000)
            if not ok:
                bad.append(why)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for th in threads:
        th.start()
    start[0] = t = time.perf_counter()
    barrier.wait()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t
    return {"p50": statistics.median(latencies),
            "p95": statistics.quantiles(latencies, n=100, method="inclusive")[94],
            "rps": len(latencies) / wall, "n": len(latencies), "wall": wall, "errors": errors}


def settle(client, quiet_ms: float = 10.0, limit: float = 300.0) -> None:
    """Wait until the server is idle again (work left from a cell answered /health slowly)."""
    deadline, calm = time.monotonic() + limit, 0
    while calm < 5 and time.monotonic() < deadline:
        t = time.perf_counter()
        try:
            client.get("/health")
            calm = calm + 1 if (time.perf_counter() - t) * 1000 < quiet_ms else 0
        except Exception:  # still swamped: a timeout counts as not calm
            calm = 0
        time.sleep(0.05 if calm else 0.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="a database made before (import and classify)")
    ap.add_argument("--requests", type=int, default=200, help="requests per level and endpoint")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--levels", default="1,10,50", help="concurrent clients, comma-separated")
    ap.add_argument("--budget", type=float, default=20.0,
                    help="seconds after which a cell issues no new request (slow requests)")
    ap.add_argument("--workers", type=int, default=1,
                    help="server processes, as `tcmap serve --workers N`")
    ap.add_argument("--page-memo", type=int, default=None,
                    help="TCMAP_PAGE_MEMO for the server (0: every page built afresh)")
    ap.add_argument("--only", help="requests to run, comma-separated (list,activity,matrix,"
                    "health)")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    import httpx

    with tempfile.TemporaryDirectory(prefix="tcmap-bench-web-") as tmp:
        tmp_path = Path(tmp)
        db = args.db
        if db is None:
            db = tmp_path / "web.db"
            build_database(db, tmp_path)
        elif not db.is_file():
            sys.exit(f"No database at {db}.")
        tokens, ids, n_activities = prepare(db, max(levels), 50)
        endpoints = {"list": LIST,
                     "activity": [f"/activities/{quote(i, safe='/')}" for i in ids],
                     "matrix": ["/api/matrix"], "health": ["/health"]}
        if args.only:
            endpoints = {k: v for k, v in endpoints.items() if k in args.only.split(",")}
        port = free_port()
        log = (tmp_path / "server.log").open("w")
        server = start_server(db, port, log, args.workers, args.page_memo)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        # A long timeout: no request is abandoned while the server still works on it.
        clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300,
                                limits=limits, headers={"Authorization": f"Bearer {t}"})
                   for t in tokens]
        try:
            for paths in endpoints.values():  # warm up: caches, connections, first queries
                load(clients[:4], paths, 20, budget=5)
            settle(clients[0])
            results: dict[tuple[str, int], list[dict]] = {}
            slow: set[tuple[str, int]] = set()
            t0 = time.perf_counter()
            for _ in range(args.rounds):
                for level in levels:
                    for name, paths in endpoints.items():
                        if (name, level) in slow:  # not cheap: one round is enough
                            continue
                        r = load(clients[:level], paths, args.requests, args.budget)
                        results.setdefault((name, level), []).append(r)
                        if r["n"] < args.requests or r["wall"] > args.budget:
                            slow.add((name, level))
                        settle(clients[0])
            seconds = time.perf_counter() - t0
        finally:
            for c in clients:
                c.close()
            server.terminate()
            server.wait(timeout=30)
            log.close()
        server_errors = collections.Counter(
            line for line in (tmp_path / "server.log").read_text(errors="replace").splitlines()
            if re.match(r"[A-Za-z_][\w.]*(Error|Exception)\b.*:", line))

    memo = "default" if args.page_memo is None else args.page_memo
    print(f"{n_activities:,} activities; uvicorn, {args.workers} process(es), page memo {memo}, "
          f"SQLite; {os.cpu_count()} CPUs shared with the load generator")
    print(f"{args.requests} requests per cell, medians over {args.rounds} interleaved rounds "
          f"({seconds:.0f} s of load); a cell that passes {args.budget:g} s issues no more "
          "requests ('done')\nand runs one round only; 'errors' counts non-200 answers and "
          "failed requests over all rounds.\n")
    print(f"{'request':<10}{'clients':>8}{'done':>6}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"
          f"{'errors':>8}   p95 per round")
    failed_target = []
    for name in endpoints:
        for level in levels:
            rs = results[(name, level)]
            p50 = statistics.median(r["p50"] for r in rs)
            p95 = statistics.median(r["p95"] for r in rs)
            rps = statistics.median(r["rps"] for r in rs)
            errors = sum(len(r["errors"]) for r in rs)
            done = statistics.median(r["n"] for r in rs)
            print(f"{name:<10}{level:>8}{done:>6.0f}{p50:>9.1f}{p95:>9.1f}{rps:>8.1f}{errors:>8}   "
                  + ", ".join(f"{r['p95']:.0f}" for r in rs))
            if level == TARGET_CLIENTS and name != "health" and p95 >= TARGET_MS:
                failed_target.append(f"{name} ({p95:.0f} ms)")
        print()
    samples = sorted({e for rs in results.values() for r in rs for e in r["errors"]})[:5]
    if samples:
        print("errors, e.g.: " + "; ".join(samples))
    for line, count in server_errors.most_common(3):
        print(f"server log: {count} x {line[:160]}")
    if TARGET_CLIENTS in levels:
        verdict = ("met" if not failed_target
                   else "missed by " + ", ".join(failed_target))
        print(f"target: p95 under {TARGET_MS:.0f} ms at {TARGET_CLIENTS} clients: {verdict}")


if __name__ == "__main__":
    main()
