"""Coverage matrices: the activities, and their money, in each pair of framework codes.

`coverage` crosses two set dimensions of the framework (outcomes, modalities, capacity levels,
target groups), optionally once per country, region, publisher or year, and returns plain
dicts ready for a table, a heatmap or JSON. Every cell lists the identifiers of its
activities, so each figure can be traced to its records; docs/analyses-coverage.md gives the
definitions and formulas.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tcmap.analysis.frame import SET_DIMENSIONS, MappedActivity, Money
from tcmap.analysis.money import Rates
from tcmap.errors import ConfigError, Problem
from tcmap.taxonomy import Framework

GROUPINGS = ("country", "region", "publisher", "year")
MAX_PROBLEMS = 100

# A budget line of an activity as allocated to one group: (its index, the line, the share).
Line = tuple[int, Money, float]


@dataclass
class _Purse:
    """Money of some activities: per currency, converted, and lines left out."""

    currencies: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    amount: float = 0.0
    unconverted: int = 0
    lines: int = 0

    def add(self, other: _Purse) -> None:
        for cur, value in other.currencies.items():
            self.currencies[cur] += value
        self.amount += other.amount
        self.unconverted += other.unconverted
        self.lines += other.lines


class _Ledger:
    """Builds purses and records, once per budget line, which rate converted it or why not."""

    def __init__(self, rates: Rates | None) -> None:
        self.rates = rates
        self.seen: set[tuple[int, int]] = set()
        self.used: Counter[tuple[str, int | None, int | None, float]] = Counter()
        self.missing: dict[str, list[Any]] = defaultdict(lambda: [0, set()])
        self.no_currency: list[Any] = [0, set()]
        self.currencies: set[str] = set()

    def purse(self, a: MappedActivity, lines: Iterable[Line]) -> _Purse:
        p = _Purse()
        for idx, money, share in lines:
            p.lines += 1
            first = (a.id, idx) not in self.seen
            self.seen.add((a.id, idx))
            cur = money.currency.strip().upper() if money.currency else None
            if not cur:
                p.unconverted += 1
                if first:
                    self.no_currency[0] += 1
                    self.no_currency[1].add(a.identifier)
                continue
            self.currencies.add(cur)
            if self.rates is None:
                p.currencies[cur] += money.value * share
                continue
            rate = self.rates.lookup(cur, money.year)
            if rate is None:
                p.unconverted += 1
                if first:
                    self.missing[cur][0] += 1
                    self.missing[cur][1].add(a.identifier)
                continue
            p.amount += money.value * rate.rate * share
            if first:
                self.used[(rate.currency, rate.year, rate.rate_year, rate.rate)] += 1
        return p


def _axis(framework: Framework, name: str, role: str) -> list[dict[str, Any]]:
    """The codes of a dimension in framework order; outcomes ordered by strategic objective."""
    if name not in SET_DIMENSIONS:
        raise ConfigError(f"{role} must be one of {', '.join(SET_DIMENSIONS)}, not {name!r}.",
                          hint=f"Choose {role} from {', '.join(SET_DIMENSIONS)}.")
    if name not in framework.dimensions:
        raise ConfigError(f"The framework {framework.code} has no dimension {name!r}.",
                          hint=f"It has {', '.join(framework.dimensions)}; choose {role} "
                          "among them or load a framework that defines it.")
    dim = framework.dimension(name)
    if name != "outcomes":
        return [{"code": c.code, "title": c.title} for c in dim]
    order = [o for g in framework.groups for o in g.outcomes if o in dim]
    order += [c for c in dim.codes if c not in order]
    return [{"code": c, "title": dim.codes[c].title, "group": dim.codes[c].group}
            for c in order]


def _codes(a: MappedActivity, dimension: str, primary_only: bool) -> list[str]:
    if dimension == "outcomes" and primary_only:
        return [a.primary_outcome] if a.primary_outcome else []
    return sorted(set(a.codes(dimension)))


def _shares(places: list[tuple[str, float | None]]) -> dict[str, float]:
    """Each place's share of an activity: its percentage over the sum, missing ones filled."""
    stated = sum(p for _, p in places if p is not None)
    missing = sum(1 for _, p in places if p is None)
    fill = max(0.0, 100.0 - stated) / missing if missing else 0.0
    weights = [(c, p if p is not None else fill) for c, p in places]
    total = sum(w for _, w in weights)
    out: dict[str, float] = defaultdict(float)
    for c, w in weights:
        out[c] += w / total if total > 0 else 1 / len(weights)
    return out


def _allocate(a: MappedActivity, by: str | None) -> tuple[dict[Any, list[Line]], list[int]]:
    """The groups an activity is in with its budget lines there, and the lines left out."""
    lines = list(enumerate(a.budgets))
    if by is None:
        return {None: [(i, m, 1.0) for i, m in lines]}, []
    if by == "publisher":
        return ({a.publisher: [(i, m, 1.0) for i, m in lines]} if a.publisher else {}), []
    if by in ("country", "region"):
        places = a.countries if by == "country" else a.regions
        return {g: [(i, m, s) for i, m in lines] for g, s in _shares(places).items()}, []
    years = set(a.years)
    groups = {y: [(i, m, 1.0) for i, m in lines if m.year == y] for y in a.years}
    return groups, [i for i, m in lines if m.year not in years]


def _money(purse: _Purse, converted: bool) -> dict[str, Any]:
    if converted:
        return {"amount": round(purse.amount, 2), "unconverted": purse.unconverted}
    return {"amounts": {c: round(v, 2) for c, v in sorted(purse.currencies.items())},
            "no_currency": purse.unconverted}


def _tally(members: set[int], acts: dict[int, MappedActivity], purses: dict[int, _Purse],
           converted: bool) -> dict[str, Any]:
    total = _Purse()
    for aid in members:
        total.add(purses[aid])
    return {
        "count": len(members),
        "activities": sorted(acts[aid].identifier for aid in members),
        "with_budget": sum(1 for aid in members if purses[aid].lines),
        **_money(total, converted),
    }


def _matrix(group: Any, placed: list[tuple[MappedActivity, list[str], list[str]]],
            purses: dict[int, _Purse], row_codes: list[str], col_codes: list[str],
            converted: bool) -> dict[str, Any]:
    acts = {a.id: a for a, _, _ in placed}
    cell: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_row: dict[str, set[int]] = defaultdict(set)
    by_col: dict[str, set[int]] = defaultdict(set)
    for a, rs, cs in placed:
        for r in rs:
            by_row[r].add(a.id)
            for c in cs:
                cell[(r, c)].add(a.id)
        for c in cs:
            by_col[c].add(a.id)
    return {
        "group": group,
        "cells": [{"row": r, "col": c, **_tally(cell[(r, c)], acts, purses, converted)}
                  for r in row_codes for c in col_codes],
        "row_totals": [{"row": r, **_tally(by_row[r], acts, purses, converted)}
                       for r in row_codes],
        "col_totals": [{"col": c, **_tally(by_col[c], acts, purses, converted)}
                       for c in col_codes],
        "total": _tally(set(acts), acts, purses, converted),
    }


def _notes(rows: str, cols: str, by: str | None, primary_only: bool, rates: Rates | None,
           nearest: int) -> list[str]:
    outcomes = ("its primary outcome only" if primary_only else "any of its outcomes")
    notes = [
        f"A cell counts each activity at most once: the activities having both the row's "
        f"{rows} code and the column's {cols} code"
        + (f" (for outcomes, {outcomes})." if "outcomes" in (rows, cols) else "."),
        f"Cells are not additive: an activity with several {rows} or {cols} codes is in "
        "several cells, with its whole budget in each. Row, column and grand totals count "
        "each activity, and its money, once.",
    ]
    if by in ("country", "region"):
        notes.append(f"An activity counts in each of its recipient {by} matrices; its budget "
                     f"is split between them by the {by} percentages (missing percentages "
                     "share what the stated ones leave of 100; all missing: equal shares).")
    elif by == "year":
        notes.append("An activity counts in every year from its start to its end; a year's "
                     "amounts are its budget lines of that year only.")
    elif by == "publisher":
        notes.append("An activity counts, with its whole budget, under its reporting "
                     "organisation.")
    if rates is None:
        notes.append("Amounts are per currency and not converted; give a rates file to get "
                     "one total in the reporting currency. Budget lines without a currency "
                     "are counted in no_currency, not in the amounts.")
    else:
        notes.append(f"Amounts are in {rates.reporting}, each budget line at the rate of its "
                     "currency for its year, else the nearest year listed; lines without a "
                     "currency or a rate are counted in unconverted, not in the amount.")
        if nearest:
            notes.append(f"{nearest} budget lines were converted at the rate of another year "
                         "(see money.rates_used).")
    return notes


def coverage(frame: list[MappedActivity], framework: Framework, rows: str = "outcomes",
             cols: str = "modalities", by: str | None = None, rates: Rates | None = None,
             reporting: str | None = None, only_capacity: bool = False,
             primary_only: bool = False) -> dict[str, Any]:
    """Matrices of rows × cols codes (one per `by` value) with activities and money per cell."""
    row_axis, col_axis = _axis(framework, rows, "rows"), _axis(framework, cols, "cols")
    if by is not None and by not in GROUPINGS:
        raise ConfigError(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}.",
                          hint=f"Choose by from {', '.join(GROUPINGS)}, or leave it out.")
    if rates is not None and reporting and reporting.strip().upper() != rates.reporting:
        raise ConfigError(f"The rates convert into {rates.reporting}, not {reporting}.",
                          hint=f"Load the rates with reporting={reporting!r} (and rates into "
                          f"{reporting}), or leave the reporting currency out.")
    row_codes = [x["code"] for x in row_axis]
    col_codes = [x["code"] for x in col_axis]
    known = {rows: set(row_codes), cols: set(col_codes)}
    unknown: dict[tuple[str, str], list[str]] = defaultdict(list)
    left_out: dict[str, list[str]] = {"without_row_code": [], "without_col_code": []}
    if only_capacity:
        left_out["not_capacity_development"] = []
    if by is not None:
        left_out["without_group"] = []
    placed = []
    for a in frame:
        if only_capacity and not a.capacity_development:
            left_out["not_capacity_development"].append(a.identifier)
            continue
        found = {}
        for dim in dict.fromkeys((rows, cols)):
            codes = _codes(a, dim, primary_only)
            for c in codes:
                if c not in known[dim]:
                    unknown[(dim, c)].append(a.identifier)
            found[dim] = [c for c in codes if c in known[dim]]
        if not found[rows]:
            left_out["without_row_code"].append(a.identifier)
        if not found[cols]:
            left_out["without_col_code"].append(a.identifier)
        if found[rows] and found[cols]:
            placed.append((a, found[rows], found[cols]))

    ledger = _Ledger(rates)
    members: dict[Any, list[tuple[MappedActivity, list[str], list[str]]]] = defaultdict(list)
    purses: dict[Any, dict[int, _Purse]] = defaultdict(dict)
    outside: list[Any] = [0, set()]
    for a, rs, cs in placed:
        groups, unplaced = _allocate(a, by)
        if not groups:
            left_out["without_group"].append(a.identifier)
        for g, lines in groups.items():
            members[g].append((a, rs, cs))
            purses[g][a.id] = ledger.purse(a, lines)
        if groups and unplaced:
            outside[0] += len(unplaced)
            outside[1].add(a.identifier)

    converted = rates is not None
    matrices = [_matrix(g, members[g], purses[g], row_codes, col_codes, converted)
                for g in sorted(members, key=lambda g: (g is None, g))]
    if not matrices:
        matrices = [_matrix(None, [], {}, row_codes, col_codes, converted)]
    in_matrix = {a.id for group in members.values() for a, _, _ in group}
    used = [{"currency": c, "year": y, "rate_year": ry, "rate": r, "lines": n}
            for (c, y, ry, r), n in sorted(ledger.used.items(), key=lambda kv: (
                kv[0][0], kv[0][1] is None, kv[0][1] or 0))]
    nearest = sum(u["lines"] for u in used if u["year"] != u["rate_year"])
    money: dict[str, Any] = {
        "no_currency": {"lines": ledger.no_currency[0],
                        "activities": sorted(ledger.no_currency[1])},
    }
    if converted:
        money["rates_source"] = rates.source
        money["rates_used"] = used
        money["missing_rates"] = [{"currency": c, "lines": n, "activities": sorted(ids)}
                                  for c, (n, ids) in sorted(ledger.missing.items())]
    if by == "year":
        money["outside_years"] = {"lines": outside[0], "activities": sorted(outside[1])}

    problems = [Problem.make(
        "unknown-taxonomy-code", field=dim, value=code, activity=ids[0],
        message=f"{len(ids)} activities carry the {dim} code {code}, which {framework.code} "
                "does not define; it was ignored here.") for (dim, code), ids in unknown.items()]
    problems += [Problem.make(
        "missing-rate", field="currency", value=c, file=rates.source,
        message=f"No {c} rate in the rates file: {n} budget lines of {len(ids)} activities "
                "were left out of the converted amounts.")
        for c, (n, ids) in sorted(ledger.missing.items())] if converted else []
    if ledger.no_currency[0]:
        problems.append(Problem.make(
            "missing-currency", field="currency",
            message=f"{ledger.no_currency[0]} budget lines of {len(ledger.no_currency[1])} "
                    "activities have no currency; they were left out of the amounts."))

    return {
        "analysis": "coverage",
        "framework": {"code": framework.code, "version": framework.version},
        "options": {"rows": rows, "cols": cols, "by": by, "only_capacity": only_capacity,
                    "primary_only": primary_only},
        "rows": row_axis,
        "cols": col_axis,
        "row_groups": [{"code": g.code, "title": g.title,
                        "rows": [o for o in g.outcomes if o in known[rows]]}
                       for g in framework.groups] if rows == "outcomes" else [],
        "converted": converted,
        "reporting": rates.reporting if converted else None,
        "currencies": sorted(ledger.currencies),
        "matrices": matrices,
        "activities": {
            "considered": len(frame) - len(left_out.get("not_capacity_development", [])),
            "in_matrix": len(in_matrix),
            **{k: len(v) for k, v in left_out.items()},
        },
        "left_out": {k: sorted(v) for k, v in left_out.items()},
        "money": money,
        "notes": _notes(rows, cols, by, primary_only, rates, nearest),
        "problems": [p.to_dict() for p in problems[:MAX_PROBLEMS]],
    }
