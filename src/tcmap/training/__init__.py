"""Training follow-up: events, participants and surveys by Kirkpatrick level, and their figures.

The survey instrument (levels, timings, items, scales, the rules of each figure) and the import
columns are data (`data/surveys.yaml`, `data/columns.yaml`). `importing.import_training` reads
CSV or XLSX files into the store, `figures.training_figures` computes response, application and
large-improvement rates with Wilson intervals, `summary.report_section` gives the
governing-body report its section. `DEMO_DIR` holds a small demonstration data set.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEMO_DIR = Path(str(resources.files("tcmap.training").joinpath("data", "demo")))
DEMO_FILES = [DEMO_DIR / f"{kind}.csv" for kind in ("events", "participants", "responses")]

__all__ = ["DEMO_DIR", "DEMO_FILES"]
