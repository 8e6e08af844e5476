"""The country-programme gate: a DWCP passes only with a capacity output for each constituent.

GB.307/14 (para. 48) asked that DWCPs programme specific outputs for the institutional capacity
of the constituents; the quality assurance mechanism made it a requirement (the paper's para.
12(d)). `gate_programme` is a pure function over a structured programme, used by the stored
country programmes and by `gate_documents`, which reads DWCP documents with the pre-screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tcmap.errors import InputError

LEVELS = ("individual", "organizational", "enabling_environment")
GROUP_NAMES = {"government": "government", "employers_org": "employers' organizations",
               "workers_org": "workers' organizations"}


def _name(code: str) -> str:
    name = GROUP_NAMES.get(code, code)
    return name if name == code else f"{name} ({code})"


def gate_programme(programme: dict[str, Any]) -> dict[str, Any]:
    """Whether the programme has at least one capacity output per targeted constituent group.

    A capacity output is an output with a capacity level (individual, organizational or
    enabling_environment) and the constituent group it serves.
    """
    code = str(programme.get("code") or "")
    targeted = list(dict.fromkeys(programme.get("constituents") or []))
    outputs = programme.get("outputs") or []
    reasons: list[str] = []
    capacity: dict[str, list[str]] = {g: [] for g in targeted}
    for o in outputs:
        level = o.get("capacity_level")
        if level is not None and level not in LEVELS:
            reasons.append(f"Output {o.get('code') or '?'} has the unknown capacity level "
                           f"{level!r}; it was not counted (levels: {', '.join(LEVELS)}).")
            continue
        group = o.get("constituent")
        if level and group in capacity:
            capacity[group].append(str(o.get("code") or "?"))
    missing = [g for g in targeted if not capacity[g]]
    if not targeted:
        reasons.insert(0, "The programme names no constituent group that it targets, so "
                       "there is nothing to build capacity for: it fails the gate.")
    elif not outputs:
        reasons.insert(0, "The programme has no outputs, so no capacity output for its "
                       "constituents.")
    for g in missing:
        reasons.append(f"No capacity output for {_name(g)}: no output with a capacity level "
                       "names this group.")
    passed = bool(targeted) and not missing
    if passed:
        reasons.insert(0, "Every targeted constituent group has a capacity output: " + "; ".join(
            f"{_name(g)}: {', '.join(dict.fromkeys(capacity[g]))}" for g in targeted) + ".")
    return {"code": code, "passed": passed, "reasons": reasons, "missing_constituents": missing}


def gate_documents(paths: Iterable[Path | str], classifier=None,
                   names: list[str] | None = None) -> dict[str, Any]:
    """The gate over DWCP documents: each one's result, and the share that pass.

    A document that cannot be read is listed with its problem and left out of the share,
    which is over the documents read. The classifier defaults to the packaged one.
    """
    from tcmap.appraisal.checklist import load_checklist
    from tcmap.appraisal.extract import extract
    from tcmap.appraisal.prescreen import prescreen

    if classifier is None:
        from tcmap.classify import load_classifier

        classifier = load_classifier()
    checklist = load_checklist("dwcp")
    documents, unreadable = [], []
    for n, path in enumerate(paths):
        name = names[n] if names else Path(path).name
        try:
            doc = extract(path, name)
        except InputError as exc:
            unreadable.append({"document": name, "problem": exc.to_problem().to_dict()})
            continue
        screen = prescreen(doc, checklist, classifier)
        gate = screen["gate"]
        documents.append({"document": name, **gate,
                          "capacity_outputs": screen["results_framework"]["capacity_outputs"],
                          "outputs": screen["results_framework"]["outputs"]})
    passed = sum(d["passed"] for d in documents)
    return {"documents": documents, "unreadable": unreadable, "read": len(documents),
            "passed": passed, "share_passed": round(passed / len(documents), 4)
            if documents else None}


def gate_programmes(session, codes: Iterable[str] | None = None) -> dict[str, Any]:
    """The gate over stored country programmes (all, or those named): each one's result, and
    the share that pass."""
    from sqlalchemy import select

    from tcmap.results.programmes import gate_input
    from tcmap.store.programme import Programme

    codes = list(codes) if codes else list(session.scalars(
        select(Programme.code).order_by(Programme.code)))
    programmes = [gate_programme(gate_input(session, code)) for code in codes]
    passed = sum(p["passed"] for p in programmes)
    return {"programmes": programmes, "checked": len(programmes), "passed": passed,
            "share_passed": round(passed / len(programmes), 4) if programmes else None}
