"""IATI results of the activities linked to a programme, as capacity indicators on their nodes.

Each IATI indicator (of a result of an activity linked to the programme) becomes one
indicator on the activity's chain node, with its baseline, and one value per period (target
and actual, submitted for approval). IATI does not say whether a count is cumulative, so
counts are read as cumulative (the latest value counts; change the rule with `tcmap
indicator edit`); a percentage without numerator and denominator is never pooled. An IATI
outcome or impact indicator that only counts people trained is kept as an output indicator,
with a warning. Running it again updates the values and adds what is new; a person's edits
to an indicator's definition are kept.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import Problem, TcmapError
from tcmap.results.chain import build_chain
from tcmap.results.history import need_author
from tcmap.results.indicators import add_indicator
from tcmap.results.programmes import get_programme
from tcmap.results.reference import is_training_count, results_model
from tcmap.results.values import record_value
from tcmap.store import Activity, Indicator, Result, Tag
from tcmap.store.programme import (
    ActivityOutcomeLink,
    CapacityIndicator,
    ChainNode,
    ProgrammeOutcome,
)

RESULT_LEVELS = {"1": "output", "2": "outcome", "3": "impact"}
# IATI IndicatorMeasure → (measure, across periods, across activities)
MEASURES = {"1": ("count", "latest", "sum"), "2": ("percent", "latest", "none"),
            "3": ("qualitative", "none", "none"), "4": ("scale", "latest", "mean"),
            "5": ("qualitative", "none", "none")}
MAX_LISTED = 200


def _levels(session: Session, activity_id: int) -> set[str]:
    return set(session.scalars(select(Tag.code).where(
        Tag.activity_id == activity_id, Tag.dimension == "capacity_levels",
        Tag.review_state != "rejected")))


def indicators_from_iati(session: Session, code: str, by: str) -> dict[str, Any]:
    """Turn the IATI results of the programme's linked activities into indicators."""
    by = need_author(by)
    p = get_programme(session, code)
    build_chain(session, code, by)
    rows = session.execute(
        select(Activity.id, Activity.iati_identifier).join(
            ActivityOutcomeLink, ActivityOutcomeLink.activity_id == Activity.id)
        .join(ProgrammeOutcome, ProgrammeOutcome.id == ActivityOutcomeLink.outcome_id)
        .where(ProgrammeOutcome.programme_id == p.id, ActivityOutcomeLink.state == "linked")
        .distinct().order_by(Activity.iati_identifier)).all()
    problems: list[Problem] = []
    counts = {"activities": len(rows), "indicators_added": 0, "indicators_kept": 0,
              "values_created": 0, "values_updated": 0, "values_unchanged": 0,
              "values_skipped": 0}
    for aid, ident in rows:
        node = session.scalar(select(ChainNode).where(
            ChainNode.programme_id == p.id, ChainNode.type == "activity",
            ChainNode.key == ident))
        levels = _levels(session, aid)
        for result in session.scalars(select(Result).where(Result.activity_id == aid)
                                      .order_by(Result.result_no)):
            for ind in result.indicators:
                _one(session, p.code, node, ident, result, ind, levels, by, problems, counts)
    listed = [x.to_dict() for x in problems]
    return {"programme": p.code, **counts, "problems": listed[:MAX_LISTED],
            "problems_not_listed": max(0, len(listed) - MAX_LISTED)}


def _one(session: Session, programme: str, node: ChainNode, ident: str, result: Result,
         ind: Indicator, levels: set[str], by: str, problems: list[Problem],
         counts: dict[str, int]) -> None:
    where = f"result {result.result_no}, indicator {ind.indicator_no}"
    source = f"iati:{ident}#{result.result_no}.{ind.indicator_no}"
    mine = session.scalar(select(CapacityIndicator).where(CapacityIndicator.source == source))
    if mine is None:
        measure, periods_rule, nodes_rule = MEASURES.get(ind.measure or "1", MEASURES["1"])
        title = (ind.title or result.title or f"IATI indicator {where}").strip()
        level = RESULT_LEVELS.get(result.type or "", "output")
        if level in results_model()["no_training_counts_at"] and is_training_count(
                title, measure):
            problems.append(Problem.make("iati-training-count-reclassified", activity=ident,
                                         field=where, value=title))
            level = "output"
        base = next((b for b in ind.baselines if b.value is not None), None)
        base_date = None
        if base is not None:
            base_date = base.baseline_date or (date(base.year, 1, 1) if base.year else None)
        node_id = node.id
        out = add_indicator(
            session, programme, f"activity:{ident}", by,
            code=f"{programme}-IATI-{node_id}-{result.result_no}-{ind.indicator_no}",
            source=source, title=title, definition=ind.description, result_level=level,
            capacity_level=next(iter(levels)) if len(levels) == 1 else None,
            measure=measure, direction="decrease" if ind.ascending is False else "increase",
            across_periods=periods_rule, across_activities=nodes_rule,
            baseline=base.value if base else None, baseline_date=base_date,
            means_of_verification=f"IATI activity {ident}, {where}")
        mine = session.get(CapacityIndicator, out["id"])
        counts["indicators_added"] += 1
    else:
        counts["indicators_kept"] += 1
    for period in ind.periods:
        if period.period_start is None or period.period_end is None:
            problems.append(Problem.make("iati-period-missing", activity=ident,
                                         field=f"{where}, period {period.period_no}"))
            counts["values_skipped"] += 1
            continue
        fields: dict[str, Any] = {"target": period.target, "actual": period.actual}
        notes = [c for c in (period.target_comment, period.actual_comment) if c]
        for kind, text, number in (("target", period.target_text, period.target),
                                   ("actual", period.actual_text, period.actual)):
            if text and number is None:
                problems.append(Problem.make("iati-value-not-numeric", activity=ident,
                                             field=f"{where}, period {period.period_no} "
                                             f"{kind}", value=text))
                notes.append(f"{kind} as published: {text}")
        if mine.measure == "qualitative":
            fields = {"target": None, "actual": None}
        if all(v is None for v in fields.values()) and not notes:
            continue
        try:
            out = record_value(session, mine.id, f"iati:{ident}"[:100], period.period_start,
                               period.period_end, source=f"iati:{ident}", approval="submitted",
                               comment="; ".join(notes) or None, **fields)
        except TcmapError as exc:  # e.g. overlapping periods in the publisher's data
            problems.append(Problem.make("indicator-period-overlap", activity=ident,
                                         field=f"{where}, period {period.period_no}",
                                         message=f"{exc.message} The value was skipped."))
            counts["values_skipped"] += 1
            continue
        counts[f"values_{out['change']}"] += 1
