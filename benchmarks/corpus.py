"""The corpus the benchmarks read: the 13,200 real d-portal activities of the shared data."""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
TARBALL = SHARED / "data/real/dportal-covid19-2021/saved_data.tar.xz"


def extract(dest: Path, instead: str = "") -> Path:
    """Unpack the corpus into `dest` and return the folder of its XML files; without the
    shared data, exit saying so (`instead`: what the benchmark can be given in its place)."""
    if not TARBALL.exists():
        sys.exit(f"No corpus: {TARBALL} is absent" + (f"; give {instead}." if instead else "."))
    with tarfile.open(TARBALL) as tar:
        tar.extractall(dest, filter="data")
    return Path(dest) / "saved_data"
