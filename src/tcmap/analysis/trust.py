"""How far to trust each figure: which tags a person decided, and how good the machine is.

Every analysis counts tags; a tag is either decided by a person (confirmed, corrected, added
or rejected in review) or left as the classifier proposed it. `trust` gives, per dimension,
the share of each, and, when the classifier's cross-validated quality is given, a plain hint
such as "machine-only, cross-validated micro-F1 0.68".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tcmap.analysis.frame import MappedActivity
from tcmap.analysis.shares import ids, ratio

DIMENSION_ORDER = ("world_of_work", "capacity_development", "outcomes", "modalities",
                   "capacity_levels", "target_groups")
BOOLEAN_DIMENSIONS = ("world_of_work", "capacity_development")
# Secondary figures worth showing beside a dimension's main one.
EXTRA_QUALITY = {"outcomes": ("primary_outcome_accuracy",)}


def model_quality(framework: str = "ilo-spf-2010-15",
                  path: str | Path | None = None) -> dict[str, float] | None:
    """The cross-validated quality stored in a model file (default: the packaged one)."""
    from tcmap.classify.model import load_model, packaged_model_path

    model = load_model(Path(path) if path else packaged_model_path(framework))
    if model is None:
        return None
    quality = (model.info.get("cross_validation") or {}).get("model")
    return dict(quality) if isinstance(quality, dict) else None


def _quality(dimension: str, quality: dict[str, Any] | None) -> dict[str, Any] | None:
    if not quality:
        return None
    if dimension in BOOLEAN_DIMENSIONS:
        key, label = f"{dimension}_f1", "F1"
    else:
        key, label = f"{dimension}_micro_f1", "micro-F1"
    if quality.get(key) is None:
        return None
    out = {"metric": label, "key": key, "value": round(float(quality[key]), 4)}
    extra = {k: quality[k] for k in EXTRA_QUALITY.get(dimension, ()) if k in quality}
    if extra:
        out["also"] = extra
    return out


def _hint(person: int, machine: int, quality: dict[str, Any] | None,
          quality_given: bool) -> str:
    if person + machine == 0:
        return "no tags"
    if machine == 0:
        return "all decided by a person"
    if quality is not None:
        measured = f"cross-validated {quality['metric']} {quality['value']:.2f}"
    elif quality_given:
        measured = "no measured quality for this dimension"
    else:
        measured = "classifier quality not given"
    if person == 0:
        return f"machine-only, {measured}"
    share = round(100 * person / (person + machine))
    return f"{share} % decided by a person, the rest machine-only ({measured})"


def trust(frame: list[MappedActivity], framework=None,
          quality: dict[str, Any] | None = None) -> dict[str, Any]:
    """Per dimension: tags decided by a person versus machine-only, with a hint for readers.

    `quality` is a dict like a model file's info.cross_validation.model (see
    `model_quality`); without it the hints say the quality is not given.
    """
    seen = {d for a in frame for d in a.reviewed}
    dims = [d for d in DIMENSION_ORDER if d in seen] + sorted(seen - set(DIMENSION_ORDER))
    rows = []
    total_person = total_machine = 0
    for d in dims:
        person = sum(a.reviewed.get(d, (0, 0))[0] for a in frame)
        machine = sum(a.reviewed.get(d, (0, 0))[1] for a in frame)
        total_person, total_machine = total_person + person, total_machine + machine
        q = _quality(d, quality)
        rows.append({
            "dimension": d,
            "tags": person + machine,
            "person": person,
            "machine_only": machine,
            "person_share": ratio(person, person + machine),
            "machine_only_share": ratio(machine, person + machine),
            "activities_with_person_decisions": ids(
                a for a in frame if a.reviewed.get(d, (0, 0))[0]),
            "activities_machine_only": ids(
                a for a in frame if a.reviewed.get(d, (0, 0))[1]
                and not a.reviewed.get(d, (0, 0))[0]),
            "quality": q,
            "hint": _hint(person, machine, q, bool(quality)),
        })
    total = total_person + total_machine
    return {
        "measure": "trust",
        "definition": "tags decided by a person (confirmed, corrected, added or rejected) "
                      "/ all tags, per dimension; the rest are the classifier's alone",
        "dimensions": rows,
        "overall": {"tags": total, "person": total_person, "machine_only": total_machine,
                    "person_share": ratio(total_person, total),
                    "machine_only_share": ratio(total_machine, total)},
        "quality_given": bool(quality),
        "activities_never_reviewed": ids(
            a for a in frame if a.reviewed and not any(p for p, _ in a.reviewed.values())),
    }
