"""The demo's country programmes: four DWCPs (Kenya, Ukraine, Ghana, Sri Lanka) whose outcome
codes end the demo portfolio's ILO identifiers, with outputs, indicators and values."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from tcmap.store import Store

DEMO_DIR = Path(str(resources.files("tcmap.results").joinpath("data", "demo")))
DEMO_FILES = sorted(DEMO_DIR.glob("*.csv"))


def load_demo(store: Store, framework: str = "ilo-spf-2010-15",
              by: str = "demo") -> dict[str, Any]:
    """Import the demo programmes (idempotent: a second run changes nothing), then link the
    activities whose identifiers carry their outcome codes; the counts of both."""
    from tcmap.results.importing import import_programmes
    from tcmap.results.recognition import recognise

    with store.session() as s, s.begin():
        report = import_programmes(s, DEMO_FILES, by, framework)
    if not report["ok"]:  # the packaged files are checked by a test; this is a safeguard
        raise RuntimeError(f"the demo programmes did not import: {report['problems'][:3]}")
    with store.session() as s, s.begin():
        linked = recognise(s, by=by)
    return {"counts": report["counts"], "linked": linked["linked"],
            "already_linked": linked["already_linked"]}
