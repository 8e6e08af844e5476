"""Run an analysis by name on the current mapping: what `tcmap analyse NAME` calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tcmap.analysis.frame import FrameFilters, load_frame
from tcmap.errors import ConfigError
from tcmap.taxonomy import load_framework


def run_analysis(session: Session, name: str, framework: str, filters: FrameFilters,
                 by: str | None = None, rows: str = "outcomes", cols: str = "modalities",
                 rates: Path | None = None) -> dict[str, Any]:
    """The named analysis of the stored mapping, narrowed by the filters."""
    from tcmap.analysis import appendix, constituents, coverage, integration, shares, synergy
    from tcmap.analysis import trust as trust_mod
    from tcmap.analysis.money import load_rates

    fw = load_framework(framework)
    frame = load_frame(session, filters)
    runs = {
        "coverage": lambda: coverage.coverage(frame, fw, rows, cols, by=by, rates=load_rates(
            rates) if rates else None),
        "appendix": lambda: appendix.approaches_per_outcome(frame, fw),
        "integration": lambda: integration.integration(frame, fw, by=by or "outcome"),
        "isolated-training": lambda: integration.isolated_training(frame, fw),
        "synergy": lambda: synergy.synergy(frame, fw),
        "scatter": lambda: synergy.scatter_index(frame, fw),
        "constituents": lambda: constituents.constituents(frame, fw, by=by or "outcome"),
        "capacity-share": lambda: shares.capacity_share_of(frame, fw),
        "trust": lambda: trust_mod.trust(frame, fw, trust_mod.model_quality(fw.code)),
    }
    if name not in runs:
        raise ConfigError(f"No analysis named {name!r}.", hint=f"Use one of {', '.join(runs)}.")
    return {"filters": filters.to_dict(), **runs[name]()}
