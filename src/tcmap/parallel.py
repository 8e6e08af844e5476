"""Import files, or classify batches of activities, in worker processes, each with its own
connection.

Import workers parse and write whole files; classification workers read, classify and write
batches. SQLite serialises their write transactions (a shared lock hands over at once) and
PostgreSQL runs them side by side. Progress comes back over a queue as activity counts.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from tcmap.config import Settings

_progress_queue = None
_write_lock = None
_classifier = None


def _init(q, lock, classifier=None) -> None:
    global _progress_queue, _write_lock, _classifier
    _progress_queue, _write_lock, _classifier = q, lock, classifier


def _report(n: int) -> None:
    if _progress_queue is not None:
        _progress_queue.put(n)


_stores: dict = {}


def _import_one(url: str, path: str, settings: Settings):
    from tcmap.ingest import import_file

    store = _worker_store(url)
    # SQLite lets one writer in at a time; a shared lock hands over at once instead of
    # leaving the other worker polling the busy handler.
    lock = _write_lock if store.engine.dialect.name == "sqlite" else None
    return import_file(store, Path(path), settings, _report, lock)


def _worker_store(url: str):
    from tcmap.store import open_store

    store = _stores.get(url)
    if store is None:  # one engine per worker process, kept for all its tasks
        store = _stores[url] = open_store(url, migrate=False)
    return store


def _classify_one(url: str, ids: list[int]) -> dict[str, int]:
    from tcmap.classify.run import classify_batch

    store = _worker_store(url)
    lock = _write_lock if store.engine.dialect.name == "sqlite" else None
    counts = classify_batch(store, _classifier, ids, lock)
    _report(len(ids))
    return counts


def classify_in_workers(store, classifier, batches: list[list[int]], workers: int,
                        progress=None) -> list[dict[str, int]]:
    """The counts of each batch, classified and written by `workers` processes."""
    ctx = _context()
    q, lock = ctx.Queue(), ctx.Lock()
    store.engine.dispose()  # no pooled connection may cross the fork
    pool = ProcessPoolExecutor(min(workers, len(batches)), mp_context=ctx, initializer=_init,
                               initargs=(q, lock, classifier))
    with pool:
        futures = [pool.submit(_classify_one, store.connect_url, ids) for ids in batches]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(q, progress)
        _drain(q, progress)
        return [f.result() for f in futures]


def _context():
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def import_in_workers(store, files: list[Path], settings: Settings, progress=None) -> list:
    """FileReports for the files, in the order given, imported by settings.workers processes."""
    ctx = _context()
    q, lock = ctx.Queue(), ctx.Lock()
    workers = min(settings.workers, len(files))
    store.engine.dispose()  # no pooled connection may cross the fork
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(q, lock))
    with pool:
        futures = {
            pool.submit(_import_one, store.connect_url, str(f), settings): i
            for i, f in enumerate(files)
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(q, progress)
        _drain(q, progress)
        results = [None] * len(files)
        for fut, i in futures.items():
            results[i] = fut.result()
    return results


def _drain(q, progress) -> None:
    while True:
        try:
            n = q.get_nowait()
        except queue.Empty:
            return
        if progress:
            progress(n)
