"""The project's own demo portfolio: IATI 2.03 activities modelled on the source paper, with labels.

``DEMO_XML`` and ``DEMO_LABELS`` are the committed outputs; ``build_demo`` rewrites them (or
copies elsewhere) from ``initiatives.yaml`` and a fixed seed, so they can always be rebuilt.
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).parent
DEMO_XML = DEMO_DIR / "demo-portfolio.xml"
DEMO_LABELS = DEMO_DIR / "demo-labels.jsonl"
DEMO_SPEC = DEMO_DIR / "initiatives.yaml"

__all__ = ["DEMO_LABELS", "DEMO_SPEC", "DEMO_XML", "build_demo"]


def build_demo(xml_path: Path | str, labels_path: Path | str | None = None) -> int:
    """Write the demo portfolio to ``xml_path`` (and labels to ``labels_path``); return its size."""
    # Imported here so that `python -m tcmap.demo.build` does not import the module twice.
    from tcmap.demo.build import build_demo as _build

    return _build(xml_path, labels_path)
