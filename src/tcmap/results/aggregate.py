"""Aggregation of indicator values: pure functions that return a figure AND the values behind it.

An indicator declares how it combines across periods and across activities (sum, mean,
latest, max, ratio of sums, none). Three steps, each traceable:

1. A period's total: the total row when one was given; else its disaggregated cells, combined
   by the measure's cell rule (counts add, ratios pool numerators and denominators, scores
   average). When a period holds cells of several breakdowns (the disaggregation changed),
   the finest breakdown is used and the others are listed as ignored, so nothing is counted
   twice and nothing is lost.
2. Periods combine by the indicator's `across_periods` rule. A ratio of sums adds numerators
   and denominators, never averages percentages; `latest` takes the last period (cumulative
   indicators). A ratio is shown as a percentage: 100 × numerator ÷ denominator.
3. Figures of several nodes (activities) carrying the same library indicator combine by
   `across_activities`; ratios again pool numerators and denominators.

Every Figure lists the values it used (`behind`) and those it did not, with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

RULES = ("sum", "mean", "latest", "max", "ratio", "none")


@dataclass(frozen=True, slots=True)
class Point:
    """One stored value (one period, one disaggregation cell) as aggregation sees it."""

    period_start: date
    period_end: date
    cell: tuple[tuple[str, str], ...] = ()  # sorted (dimension, category) pairs; () = total
    actual: float | None = None
    target: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    id: int | None = None
    node: str = ""
    approval: str = ""
    source: str = ""

    @property
    def period(self) -> tuple[date, date]:
        return (self.period_start, self.period_end)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "node": self.node, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(), "disaggregation": dict(self.cell),
                "actual": self.actual, "target": self.target, "numerator": self.numerator,
                "denominator": self.denominator, "approval": self.approval,
                "source": self.source}


def cell_of(mapping: dict[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """A disaggregation mapping as a sorted tuple of pairs (the total is ())."""
    return tuple(sorted((str(k), str(v)) for k, v in (mapping or {}).items()))


@dataclass(slots=True)
class Figure:
    """An aggregated value with the rule that made it and the values behind it."""

    rule: str
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    target: float | None = None
    period_end: date | None = None  # the last period that contributed
    behind: list[dict[str, Any]] = field(default_factory=list)
    ignored: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""
    target_all: float | None = None  # over every period, not only those with an actual

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "value": _round(self.value), "numerator": self.numerator,
                "denominator": self.denominator, "target": _round(self.target),
                "target_all_periods": _round(self.target_all),
                "period_end": self.period_end.isoformat() if self.period_end else None,
                "values_used": len(self.behind), "behind": self.behind,
                "ignored": self.ignored, "note": self.note}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def _ratio(num: float, den: float) -> float | None:
    """A ratio as a percentage (targets of ratio indicators are percentages too)."""
    return 100.0 * num / den if den else None


def _why(point: Point, reason: str) -> dict[str, Any]:
    return {**point.to_dict(), "reason": reason}


# -- step 1: a period's total from its rows -------------------------------------------------

@dataclass(slots=True)
class _Total:
    """One period (or one group of a period) reduced to a value, with the rows it used."""

    period: tuple[date, date]
    value: float | None
    numerator: float | None
    denominator: float | None
    used: list[Point]


def _has(p: Point, what: str, cell_rule: str) -> bool:
    if what == "target":
        return p.target is not None
    if cell_rule == "ratio":
        return p.numerator is not None and p.denominator is not None
    return p.actual is not None


def _combine_cells(period: tuple[date, date], rows: list[Point], what: str, cell_rule: str
                   ) -> _Total:
    if what == "actual" and cell_rule == "ratio":
        num = sum(p.numerator for p in rows)
        den = sum(p.denominator for p in rows)
        return _Total(period, _ratio(num, den), num, den, rows)
    values = [getattr(p, what) for p in rows]
    if len(rows) == 1:
        value = values[0]
    elif cell_rule == "sum":
        value = sum(values)
    elif cell_rule == "mean":
        value = sum(values) / len(values)
    elif cell_rule == "max":
        value = max(values)
    else:  # none: cells of a percentage cannot make a total
        value = None
    return _Total(period, value, None, None, rows)


def _partition(rows: list[Point], need: str | None = None) -> tuple[list[Point], list[Point]]:
    """The rows of one period to use (one breakdown) and the rows left out."""
    by_dims: dict[tuple[str, ...], list[Point]] = defaultdict(list)
    for p in rows:
        by_dims[tuple(k for k, _ in p.cell)].append(p)
    if need is None and () in by_dims:  # a total was given: it is what was reported
        chosen = ()
    else:
        candidates = [d for d in by_dims if need is None or need in d]
        if not candidates:
            return [], rows
        # The finest breakdown (most dimensions, then most cells) holds the most information.
        chosen = max(candidates, key=lambda d: (len(d), len(by_dims[d]), d))
    return by_dims[chosen], [p for d, ps in by_dims.items() if d != chosen for p in ps]


def period_totals(points: list[Point], what: str, cell_rule: str
                  ) -> tuple[list[_Total], list[dict[str, Any]]]:
    """One total per period, oldest first, and the rows not used (with the reason)."""
    ignored: list[dict[str, Any]] = []
    periods: dict[tuple[date, date], list[Point]] = defaultdict(list)
    for p in points:
        if _has(p, what, cell_rule):
            periods[p.period].append(p)
        elif what == "actual" and p.actual is not None:
            ignored.append(_why(p, "a ratio of sums needs the numerator and the denominator"))
        elif what == "actual":
            ignored.append(_why(p, "no actual yet (a target only)"))
    totals = []
    for period in sorted(periods, key=lambda x: (x[1], x[0])):
        used, left = _partition(periods[period])
        dims = ", ".join(k for k, _ in used[0].cell) or "total"
        for p in left:
            ignored.append(_why(p, f"another breakdown of the same period was used ({dims})"))
        totals.append(_combine_cells(period, used, what, cell_rule))
    return totals, ignored


# -- step 2: periods -------------------------------------------------------------------------

def _reduce(items: list[Any], rule: str, value=lambda t: t.value, end=None
            ) -> tuple[float | None, float | None, float | None, list[Any]]:
    """Combine totals or figures by a rule: value, numerator, denominator, items used."""
    if rule == "ratio":
        usable = [t for t in items if t.numerator is not None and t.denominator is not None]
        num = sum(t.numerator for t in usable)
        den = sum(t.denominator for t in usable)
        return (_ratio(num, den), num, den, usable) if usable else (None, None, None, [])
    usable = [t for t in items if value(t) is not None]
    if not usable or rule == "none":
        return None, None, None, usable
    if rule == "sum":
        return sum(value(t) for t in usable), None, None, usable
    if rule == "mean":
        return sum(value(t) for t in usable) / len(usable), None, None, usable
    if rule == "max":
        top = max(usable, key=value)
    elif end is not None:  # latest, by the end of the last period
        top = max(usable, key=end)
    else:  # latest of totals already sorted by period
        top = usable[-1]
    return value(top), top.numerator, top.denominator, [top]


def over_periods(points: list[Point], rule: str, cell_rule: str) -> Figure:
    """The figure of one indicator over its periods, by the indicator's rule."""
    if rule not in RULES:
        raise ValueError(f"unknown aggregation rule {rule!r}")
    totals, ignored = period_totals(points, "actual", cell_rule)
    value, num, den, used = _reduce(totals, rule)
    if rule == "none":
        used = totals
    used_periods = {t.period for t in used}
    behind = [p.to_dict() for t in used for p in t.used]
    for t in totals:
        if t.period not in used_periods:
            reason = ("an earlier period; the latest value counts" if rule == "latest"
                      else "not the largest value" if rule == "max" else "no value")
            ignored += [_why(p, reason) for p in t.used]
    # The target to compare with: that of the periods the actual used (for progress), and
    # the target over every period (for a reader who wants the end target).
    targets, _ = period_totals(points, "target", cell_rule)
    t_rule = "latest" if rule in ("ratio", "none") else rule  # a ratio's target: the last one
    same = [t for t in targets if t.period in used_periods]
    target = _reduce(same, t_rule)[0] if same else None
    target_all = _reduce(targets, t_rule)[0] if targets else None
    note = ""
    if rule == "none" and totals:
        note = "Not combined: the values are shown side by side."
    return Figure(rule, value, num, den, target,
                  max((t.period[1] for t in used), default=None), behind, ignored, note,
                  target_all)


def breakdown(points: list[Point], dimension: str, rule: str, cell_rule: str
              ) -> dict[str, Any]:
    """The figure of each category of one dimension, plus the periods not broken down by it."""
    groups: dict[str, list[Point]] = defaultdict(list)
    rest: list[Point] = []
    periods: dict[tuple[date, date], list[Point]] = defaultdict(list)
    for p in points:
        periods[p.period].append(p)
    for rows in periods.values():
        used, _ = _partition(rows, need=dimension)
        if not used:
            rest.extend(rows)
            continue
        for p in used:
            groups[dict(p.cell)[dimension]].append(p)
    out = []
    for category in sorted(groups):
        # Within a category, the other dimensions are cells of one period: drop them.
        merged = _merge_cells(groups[category], dimension, cell_rule)
        out.append({"category": category,
                    "figure": over_periods(merged, rule, cell_rule).to_dict()})
    return {"dimension": dimension, "groups": out,
            "not_broken_down": over_periods(rest, rule, cell_rule).to_dict() if rest else None}


def _merge_cells(rows: list[Point], dimension: str, cell_rule: str) -> list[Point]:
    """Rows of one category, one per period: the other dimensions combined by the cell rule."""
    by_period: dict[tuple[date, date], list[Point]] = defaultdict(list)
    for p in rows:
        by_period[p.period].append(p)
    out = []
    for period, ps in by_period.items():
        if len(ps) == 1:
            out.append(ps[0])
            continue
        cat = dict(ps[0].cell)[dimension]
        merged = {}
        for what in ("actual", "target"):
            have = [p for p in ps if _has(p, what, cell_rule)]
            merged[what] = _combine_cells(period, have, what, cell_rule) if have else None
        a, t = merged["actual"], merged["target"]
        out.append(Point(period[0], period[1], ((dimension, cat),),
                         actual=a.value if a else None, target=t.value if t else None,
                         numerator=a.numerator if a else None,
                         denominator=a.denominator if a else None,
                         id=None, node=ps[0].node,
                         source="; ".join(sorted({p.source for p in ps if p.source}))))
    return out


# -- step 3: nodes (activities) --------------------------------------------------------------

def over_nodes(figures: list[tuple[str, Figure]], rule: str) -> Figure:
    """Combine the figures of several nodes carrying the same indicator."""
    if rule not in RULES:
        raise ValueError(f"unknown aggregation rule {rule!r}")
    items = [_Item(label, f) for label, f in figures]
    value, num, den, used = _reduce(items, rule, end=lambda i: i.period_end or date.min)
    if rule == "none":
        used = items
    chosen = {id(i) for i in used}
    behind, ignored = [], []
    for i in items:
        rows = [{**b, "node": b.get("node") or i.label} for b in i.figure.behind]
        if id(i) in chosen:
            behind += rows
        else:
            reason = ("no value" if i.value is None else "not the latest" if rule == "latest"
                      else "not the largest value" if rule == "max"
                      else "no numerator and denominator" if rule == "ratio" else "not used")
            ignored += [{**r, "reason": reason} for r in rows]
    t_items = [i for i in items if i.figure.target is not None]
    target = None
    if rule in ("sum", "mean", "max") and t_items:
        target = _reduce(t_items, rule, value=lambda i: i.figure.target)[0]
    return Figure(rule, value, num, den, target,
                  max((i.period_end for i in used if i.period_end), default=None),
                  behind, ignored,
                  "Not combined: the values are shown side by side." if rule == "none" else "")


@dataclass(slots=True)
class _Item:
    label: str
    figure: Figure

    @property
    def value(self) -> float | None:
        return self.figure.value

    @property
    def numerator(self) -> float | None:
        return self.figure.numerator

    @property
    def denominator(self) -> float | None:
        return self.figure.denominator

    @property
    def period_end(self) -> date | None:
        return self.figure.period_end
