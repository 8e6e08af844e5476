"""Killing an import leaves whole activities only, and running it again completes it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from tcmap.config import Settings
from tcmap.demo import DEMO_XML
from tcmap.ingest import import_paths
from tcmap.store import open_store
from tcmap.store.bulk import PART_TABLES

COPIES = 12  # about 2,300 activities: long enough to kill half-way on any machine


def _big_file(path):
    """The demo portfolio repeated, identifiers made unique per copy."""
    raw = DEMO_XML.read_bytes()
    head, rest = raw.split(b"<iati-activity", 1)
    body, tail = (b"<iati-activity" + rest).rsplit(b"</iati-activities>", 1)
    with path.open("wb") as out:
        out.write(head)
        for n in range(COPIES):
            out.write(re.sub(rb"(<iati-identifier>)([^<]+)", rb"\g<1>\g<2>-%d" % n, body))
        out.write(b"</iati-activities>" + tail)


def _parts_per_activity(url):
    """{identifier: (rows in each part table)} for every stored activity."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        idents = dict(conn.execute(text("SELECT id, iati_identifier FROM activities")).all())
        counts = {i: [] for i in idents}
        for name in PART_TABLES:
            per = dict(conn.execute(text(
                f"SELECT activity_id, count(*) FROM {name} GROUP BY activity_id")).all())
            for i in idents:
                counts[i].append(per.get(i, 0))
        out = {idents[i]: tuple(c) for i, c in counts.items()}
    engine.dispose()
    return out


def test_killed_import_keeps_whole_activities_and_rerun_completes(tmp_path):
    big = tmp_path / "big.xml"
    _big_file(big)
    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    full = import_paths(open_store(reference), [big], Settings.load(workers=1))
    expected = _parts_per_activity(reference)
    assert len(expected) == full.total("inserted") > 2000

    killed = f"sqlite:///{tmp_path / 'killed.db'}"
    open_store(killed).close()
    env = {**os.environ, "TCMAP_BATCH_SIZE": "50", "TCMAP_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tcmap", "--db", killed, "import", str(big)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = create_engine(killed)
    deadline = time.time() + 60
    stored = 0
    while time.time() < deadline and proc.poll() is None:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM activities")).scalar()
        if stored >= 200:
            break
        time.sleep(0.02)
    engine.dispose()
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    partial = _parts_per_activity(killed)
    assert 0 < len(partial) < len(expected)
    for ident, counts in partial.items():  # every stored activity is complete
        assert counts == expected[ident], ident

    rerun = import_paths(open_store(killed), [big], Settings.load(workers=1))
    assert rerun.total("unchanged") == len(partial)
    assert rerun.total("inserted") == len(expected) - len(partial)
    assert _parts_per_activity(killed) == expected
