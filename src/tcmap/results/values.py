"""Indicator values: targets and actuals per period and cell, their approval, their figures.

A value belongs to one period (start and end dates) and one disaggregation cell ({} is the
total); the same period and cell is one row, updated in place. Periods of one indicator and
cell must not overlap. A ratio-of-sums indicator stores the numerator and denominator of
every actual; the actual is their quotient (a percentage). Values start as draft (or
submitted, from IATI and assessments); an analyst approves or returns them. Changing an
approved value sends it back for approval. Every change is an event.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import InputError, NotFoundError, ReviewError
from tcmap.results import aggregate
from tcmap.results.history import check_version, fields_of, need_author, plain, record
from tcmap.results.indicators import cell_key, get_indicator, indicator_dict
from tcmap.results.reference import results_model
from tcmap.store.base import utcnow
from tcmap.store.programme import CapacityIndicator, ChainNode, IndicatorValue

VALUE_FIELDS = ("target", "actual", "numerator", "denominator", "comment", "evidence")


def value_dict(v: IndicatorValue) -> dict[str, Any]:
    return {"id": v.id, "period_start": v.period_start.isoformat(),
            "period_end": v.period_end.isoformat(), "disaggregation": dict(v.disaggregation),
            **fields_of(v, VALUE_FIELDS), "source": v.source, "approval": v.approval,
            "approved_by": v.approved_by,
            "approved_at": v.approved_at.isoformat() if v.approved_at else None,
            "version": v.version, "updated_by": v.updated_by,
            "updated_at": v.updated_at.isoformat()}


def overlapping(session: Session, ind: CapacityIndicator, start: date, end: date, cell: str
                ) -> IndicatorValue | None:
    """A stored value of the same cell whose period overlaps this one without being it."""
    for v in session.scalars(select(IndicatorValue).where(
            IndicatorValue.indicator_id == ind.id, IndicatorValue.cell == cell)):
        same = v.period_start == start and v.period_end == end
        if not same and v.period_start <= end and start <= v.period_end:
            return v
    return None


def check_value(measure: str, start: date | None, end: date | None, fields: dict[str, Any]
                ) -> list[tuple[str, str]]:
    """(problem code, message) for each thing wrong with a value before it is stored."""
    out = []
    if start is None or end is None:
        out.append(("actual-without-period", "A value needs period_start and period_end."))
    elif end < start:
        out.append(("period-ends-before-start", f"The period ends ({end}) before it starts "
                    f"({start})."))
    for k in ("target", "actual", "numerator", "denominator"):
        v = fields.get(k)
        if v is not None and not isinstance(v, int | float):
            out.append(("non-numeric-value", f"{k} {v!r} is not a number."))
    if measure == "ratio":
        num, den = fields.get("numerator"), fields.get("denominator")
        if fields.get("actual") is not None or (num is None) != (den is None):
            out.append(("ratio-needs-parts", "A ratio-of-sums indicator takes the numerator "
                        "and the denominator of the actual, not the actual itself."))
        elif den == 0:
            out.append(("ratio-needs-parts", "The denominator is 0."))
    elif fields.get("numerator") is not None or fields.get("denominator") is not None:
        out.append(("indicator-rule-broken", f"A {measure} indicator takes the actual itself, "
                    "not a numerator and a denominator."))
    return out


def record_value(session: Session, ref: int | str, by: str, period_start: date | None,
                 period_end: date | None, disaggregation: dict[str, str] | None = None,
                 source: str = "person", approval: str | None = None,
                 expected_version: int | None = None, **fields: Any) -> dict[str, Any]:
    """Store (or update) the target and actual of one period and cell of an indicator."""
    by = need_author(by)
    ind = get_indicator(session, ref)
    unknown = sorted(set(fields) - set(VALUE_FIELDS))
    if unknown:
        raise ReviewError(f"A value has no field {', '.join(unknown)}.",
                          hint=f"Fields: {', '.join(VALUE_FIELDS)}.")
    fields = {k: v for k, v in fields.items() if v is not None}
    errors = check_value(ind.measure, period_start, period_end, fields)
    if errors:
        code, message = errors[0]
        raise InputError(code, message=f"Indicator {ind.code}: {message}")
    cell = {str(k): str(v) for k, v in (disaggregation or {}).items()}
    key = cell_key(cell)
    clash = overlapping(session, ind, period_start, period_end, key)
    if clash is not None:
        raise InputError("indicator-period-overlap", message=(
            f"Indicator {ind.code}: the period {period_start}..{period_end} overlaps the stored "
            f"period {clash.period_start}..{clash.period_end}"
            + (f" of cell {key}" if key else "") + "."))
    if ind.measure == "ratio" and "numerator" in fields:
        fields["actual"] = 100.0 * fields["numerator"] / fields["denominator"]
    v = session.scalar(select(IndicatorValue).where(
        IndicatorValue.indicator_id == ind.id, IndicatorValue.period_start == period_start,
        IndicatorValue.period_end == period_end, IndicatorValue.cell == key))
    now = utcnow()
    if v is None:
        v = IndicatorValue(indicator_id=ind.id, period_start=period_start, period_end=period_end,
                           disaggregation=cell, cell=key, source=source,
                           approval=approval or "draft", version=1, created_by=by,
                           created_at=now, updated_by=by, updated_at=now, **fields)
        session.add(v)
        session.flush()
        record(session, ind.programme_id, "indicator_value", v.id, "added", by, None,
               value_dict(v))
        return {**value_dict(v), "change": "created"}
    check_version(v, expected_version, f"The value of {ind.code} for {period_start}..{period_end}",
                  value_dict(v))
    before = {k: plain(getattr(v, k)) for k, val in fields.items() if getattr(v, k) != val}
    if not before:
        return {**value_dict(v), "change": "unchanged"}
    for k in before:
        setattr(v, k, fields[k])
    if approval is not None:
        v.approval = approval
    elif v.approval == "approved":  # a changed figure needs approving again
        v.approval, v.approved_by, v.approved_at = "submitted", None, None
    v.source, v.version, v.updated_by, v.updated_at = source, v.version + 1, by, now
    record(session, ind.programme_id, "indicator_value", v.id, "edited", by, before,
           {k: plain(getattr(v, k)) for k in before})
    return {**value_dict(v), "change": "updated"}


def set_approval(session: Session, value_id: int, state: str, by: str, note: str | None = None,
                 expected_version: int | None = None) -> dict[str, Any]:
    """Move a value to another approval state (draft → submitted → approved | returned)."""
    by = need_author(by)
    v = session.get(IndicatorValue, value_id)
    if v is None:
        raise NotFoundError(f"No indicator value {value_id}.",
                            hint="See the values with `tcmap indicator show CODE`.")
    allowed = results_model()["approval_states"].get(v.approval, [])
    if state not in allowed:
        raise ReviewError(f"A {v.approval} value cannot become {state}.",
                          hint=f"From {v.approval}: {', '.join(allowed) or 'nothing'}.")
    if state == "returned" and not (note or "").strip():
        raise ReviewError("Returning a value needs the reason.",
                          hint="Say what to correct (--note), so that it stays in the history.")
    check_version(v, expected_version, f"Value {value_id}", value_dict(v))
    before = {"approval": v.approval}
    v.approval = state
    v.approved_by, v.approved_at = (by, utcnow()) if state == "approved" else (None, None)
    v.version += 1
    v.updated_by, v.updated_at = by, utcnow()
    ind = session.get(CapacityIndicator, v.indicator_id)
    record(session, ind.programme_id, "indicator_value", v.id, state, by, before,
           {"approval": state}, note)
    return value_dict(v)


def values_from_assessment(session: Session, indicator_id: int | str,
                           changes: list[dict[str, Any]], by: str, use: str = "after"
                           ) -> dict[str, Any]:
    """One actual per change of an assessment round (period: the follow-up date; cell: the
    level, core issue, functional capacity and constituent; source: assessment:<id>)."""
    by = need_author(by)
    ind = get_indicator(session, indicator_id)
    if use not in ("after", "change"):
        raise ReviewError(f"No use {use!r}.", hint="Record the rating after the round (after) "
                          "or the change between rounds (change).")
    if ind.measure not in ("scale", "count"):
        raise ReviewError(f"Indicator {ind.code} is a {ind.measure} indicator; assessment "
                          "ratings feed scale (or count) indicators.",
                          hint="Choose an indicator such as ORG-OC-CAPACITY-SCORE.")
    dims = list(ind.disaggregations)
    recorded = []
    skipped = 0
    for ch in changes:
        if ch.get(use) is None:  # nothing rated in one of the two rounds
            skipped += 1
            continue
        when = ch.get("date")
        if isinstance(when, datetime):
            when = when.date()
        when = date.fromisoformat(when[:10]) if isinstance(when, str) else when
        cell = {k: str(ch[k]) for k in ("level", "core_issue", "functional_capacity",
                                        "constituent") if ch.get(k) not in (None, "")}
        for k in cell:  # declaring a new dimension keeps every earlier value
            if k not in dims:
                dims.append(k)
        evidence = (f"Assessment {ch.get('assessment')}, round {ch.get('from_round')} → "
                    f"{ch.get('to_round')}: {ch.get('before')} → {ch.get('after')}")
        recorded.append(record_value(
            session, ind.id, by, when, when, disaggregation=cell,
            source=f"assessment:{ch.get('assessment')}", approval="submitted",
            actual=ch.get(use), evidence=evidence))
    if dims != list(ind.disaggregations):
        before = {"disaggregations": list(ind.disaggregations)}
        ind.disaggregations = dims
        record(session, ind.programme_id, "indicator", ind.id, "disaggregations", by, before,
               {"disaggregations": dims})
    return {"indicator": ind.code, "recorded": len(recorded), "skipped": skipped,
            "values": recorded}


def points(session: Session, indicators: list[CapacityIndicator],
           states: tuple[str, ...] | None = None) -> dict[int, list[aggregate.Point]]:
    """The values of indicators as aggregation points, by indicator id."""
    ids = [i.id for i in indicators]
    labels = dict(session.execute(select(ChainNode.id, ChainNode.key).where(
        ChainNode.id.in_({i.node_id for i in indicators}))).all())
    node_of = {i.id: labels.get(i.node_id, "") for i in indicators}
    out: dict[int, list[aggregate.Point]] = {i: [] for i in ids}
    q = select(IndicatorValue).where(IndicatorValue.indicator_id.in_(ids)).order_by(
        IndicatorValue.period_end, IndicatorValue.id)
    for v in session.scalars(q):
        if states and v.approval not in states:
            continue
        out[v.indicator_id].append(aggregate.Point(
            v.period_start, v.period_end, aggregate.cell_of(v.disaggregation), v.actual,
            v.target, v.numerator, v.denominator, v.id, node_of[v.indicator_id], v.approval,
            v.source))
    return out


def progress(ind: CapacityIndicator, fig: aggregate.Figure) -> float | None:
    """Achievement: (actual − baseline) ÷ (target − baseline), as a percentage."""
    if None in (ind.baseline, fig.value, fig.target) or fig.target == ind.baseline:
        return None
    return round(100.0 * (fig.value - ind.baseline) / (fig.target - ind.baseline), 1)


def indicator_figure(session: Session, ref: int | str, states: tuple[str, ...] | None = None
                     ) -> dict[str, Any]:
    """An indicator with its figure over its periods, one breakdown per dimension, the values."""
    ind = get_indicator(session, ref)
    node = session.get(ChainNode, ind.node_id)
    pts = points(session, [ind], states)[ind.id]
    cell_rule = results_model()["measures"][ind.measure]["across_cells"]
    fig = aggregate.over_periods(pts, ind.across_periods, cell_rule)
    dims = list(ind.disaggregations)
    dims += sorted({k for p in pts for k, _ in p.cell} - set(dims))  # kept from earlier
    rows = session.scalars(select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id)
                           .order_by(IndicatorValue.period_end, IndicatorValue.cell))
    return {**indicator_dict(ind, node), "figure": fig.to_dict(),
            "progress": progress(ind, fig),
            "breakdowns": [{**aggregate.breakdown(pts, d, ind.across_periods, cell_rule),
                            "declared": d in ind.disaggregations} for d in dims],
            "values": [value_dict(v) for v in rows],
            "approval_counts": _count(p.approval for p in pts), "states": list(states or [])}


def _count(items) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


def library_figures(session: Session, programme_id: int | None = None,
                    states: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Per library indicator used on several nodes: the figure across them (activities)."""
    q = select(CapacityIndicator).where(CapacityIndicator.library_code.is_not(None))
    if programme_id is not None:
        q = q.where(CapacityIndicator.programme_id == programme_id)
    inds = list(session.scalars(q.order_by(CapacityIndicator.library_code,
                                           CapacityIndicator.id)))
    pts = points(session, inds, states)
    groups: dict[str, list[CapacityIndicator]] = {}
    for i in inds:
        groups.setdefault(i.library_code, []).append(i)
    out = []
    for code, members in groups.items():
        first = members[0]
        cell_rule = results_model()["measures"][first.measure]["across_cells"]
        # Members may have been edited apart; only those still measured alike are pooled.
        alike = [m for m in members if (m.measure, m.across_periods, m.across_activities)
                 == (first.measure, first.across_periods, first.across_activities)]
        figs = [(m.code, aggregate.over_periods(pts[m.id], m.across_periods, cell_rule))
                for m in alike]
        total = aggregate.over_nodes(figs, first.across_activities)
        out.append({"library_code": code, "title": first.title, "measure": first.measure,
                    "unit": first.unit, "across_periods": first.across_periods,
                    "across_activities": first.across_activities,
                    "indicators": [m.code for m in alike], "carried_by": len(alike),
                    "not_pooled": [m.code for m in members if m not in alike],
                    "figure": total.to_dict(),
                    "per_indicator": [{"indicator": c, "figure": f.to_dict()} for c, f in figs]})
    return out
