"""What an assessment shows: its scores, gaps and priorities from the stored records, the
rounds of its series, and the change per cell since the round before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.assessment import scoring
from tcmap.assessment.assessments import (
    action_dict,
    desired_of,
    get,
    header,
    instrument_of,
    rating_dict,
    ratings_of,
    scope_of,
)
from tcmap.store.assessment import Assessment, AssessmentAction, AssessmentEvent
from tcmap.taxonomy import Framework


def exact_cell_scores(session: Session, a: Assessment) -> dict[str, Any]:
    """Exact (fraction) score per cell in scope, for comparing rounds."""
    inst = instrument_of(session, a)
    qs = scoring.question_scores(inst, [rating_dict(r) | {"at": r.at}
                                        for r in ratings_of(session, a)])
    values = scoring.cell_values(inst, scope_of(session, a, inst), qs)
    return {c: v["score"] for c, v in values.items()}


def round_changes(session: Session, assessment_id: int) -> list[dict[str, Any]]:
    """For a follow-up round: per cell scored in both rounds, the score before and after and
    the change (after − before), rounded to 2 decimals; [] for a first round."""
    a = get(session, assessment_id)
    if a.baseline_id is None:
        return []
    base = get(session, a.baseline_id)
    inst = instrument_of(session, a)
    out = []
    for cell, before, after in scoring.changes(exact_cell_scores(session, base),
                                               exact_cell_scores(session, a)):
        level, core, fc = inst.parts(cell)
        out.append({"assessment": a.id, "baseline": base.id, "constituent": a.constituent,
                    "constituent_type": a.constituent_type, "country": a.country,
                    "level": level, "core_issue": core, "functional_capacity": fc,
                    "before": scoring.rounded(before), "after": scoring.rounded(after),
                    "change": scoring.rounded(after - before), "from_round": base.round,
                    "to_round": a.round, "date": a.assessed_on.isoformat()})
    return out


def show_assessment(session: Session, assessment_id: int,
                    framework: Framework | None = None) -> dict[str, Any]:
    """Everything about one assessment: who and why, the scores per question, cell,
    cross-section and level, desired levels, gaps and bands, the response, the rounds of its
    series, the change since the last round, and the history. With the framework, the
    constituent type's title too."""
    a = get(session, assessment_id)
    inst = instrument_of(session, a)
    scope = scope_of(session, a, inst)
    ratings = ratings_of(session, a)
    desired = desired_of(session, a)
    scores = scoring.score_assessment(
        inst, scope, [rating_dict(r) | {"at": r.at} for r in ratings],
        {c: d.score for c, d in desired.items()})
    by_q: dict[str, list] = {}
    for r in ratings:
        by_q.setdefault(r.question, []).append(rating_dict(r))
    questions: dict[str, list] = {}
    for q in inst.questions:
        qs = scores["questions"].get(q.id, {})
        questions.setdefault(q.cell, []).append({
            "id": q.id, "text": q.text, "benchmarks": {str(k): v for k, v in
                                                       q.benchmarks.items()},
            "score": qs.get("score"), "ratings": by_q.get(q.id, [])})
    t = inst.title_of
    for row in scores["cells"]:
        d = desired.get(row["cell"])
        row.update(level_title=t("level", row["level"]),
                   core_issue_title=t("core_issue", row["core_issue"]),
                   functional_capacity_title=t("functional_capacity",
                                               row["functional_capacity"])
                   if row["functional_capacity"] else None,
                   desired_set_by=d.set_by if d else None, desired_version=d.version if d else 0,
                   cell_title=" · ".join(t(ax, code) for ax, code in zip(
                       ("level", "core_issue", "functional_capacity"),
                       inst.parts(row["cell"]), strict=True) if code),
                   questions=questions.get(row["cell"], []))
    for row in scores["cross_sections"]:
        row.update(level_title=t("level", row["level"]),
                   core_issue_title=t("core_issue", row["core_issue"]))
    for row in scores["levels"]:
        row["title"] = t("level", row["level"])
    series = a.series_id or a.id
    rounds = session.scalars(select(Assessment).where(
        (Assessment.id == series) | (Assessment.series_id == series)).order_by(Assessment.round))
    actions = session.scalars(select(AssessmentAction).where(
        AssessmentAction.assessment_id == a.id).order_by(AssessmentAction.id))
    events = session.scalars(select(AssessmentEvent).where(
        AssessmentEvent.assessment_id == a.id).order_by(AssessmentEvent.at.desc(),
                                                        AssessmentEvent.id.desc()))
    types = framework.dimension("target_groups").codes if framework else {}
    return {
        **header(session, a),
        "constituent_type_title": types[a.constituent_type].title
        if a.constituent_type in types else a.constituent_type,
        "instrument": inst.summary(),
        "scope": scope,
        "levels": scores["levels"],
        "cross_sections": scores["cross_sections"],
        "cells": scores["cells"],
        "priorities": [{k: r[k] for k in ("cell", "cell_title", "level", "core_issue",
                                          "functional_capacity", "score", "desired", "gap",
                                          "band")}
                       for r in scoring.priorities(scores["cells"], inst.bands)],
        "actions": [action_dict(x) for x in actions],
        "rounds": [{"id": r.id, "round": r.round, "assessed_on": r.assessed_on.isoformat(),
                    "status": r.status} for r in rounds],
        "changes": round_changes(session, a.id),
        "events": [{"kind": e.kind, "subject": e.subject, "by": e.by, "at": e.at.isoformat(),
                    "before": e.before, "after": e.after} for e in events],
    }
