"""Synergy and scatter (paragraphs 7 and 13): do approaches meet in a country, or run apart?

`synergy` says, per country, which approaches run in the same years and, for each pair of
complementary approaches in `data/complementary.yaml`, whether the country has both sides for
the same outcome in overlapping years (`paired`), one side only (`missing_b`, `missing_a`), or
both but never at the same time (`apart`). `scatter_index` scores each country × outcome for
many single-modality activities. Both are pure functions of the frame; every figure names
its activities.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from itertools import combinations
from pathlib import Path
from statistics import median
from typing import Any

import yaml

from tcmap import yamlfile
from tcmap.analysis.frame import MappedActivity
from tcmap.analysis.shares import grouped, ids, outcome_order, outcome_title, ratio
from tcmap.errors import ConfigError

CONDITION_DIMENSIONS = ("modalities", "capacity_levels", "target_groups")
# Direct delivery to final beneficiaries has, by its definition, no capacity aim.
NON_CAPACITY_MODALITIES = frozenset({"direct_action"})
STATUSES = ("paired", "missing_b", "missing_a", "apart")

Period = tuple[int, int] | None


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a pair: an activity is on it when it meets any of the conditions."""

    label: str
    conditions: tuple[dict[str, frozenset[str]], ...]

    def matches(self, a: MappedActivity) -> bool:
        return any(all(getattr(a, dim) and set(getattr(a, dim)) & codes
                       for dim, codes in cond.items())
                   for cond in self.conditions)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label,
                "any": [{d: sorted(c) for d, c in cond.items()} for cond in self.conditions]}


@dataclass(frozen=True, slots=True)
class Pair:
    """Two approaches that should reinforce each other, optionally for some outcomes only."""

    id: str
    statement: str
    a: Side
    b: Side
    outcomes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "statement": self.statement, "outcomes": list(self.outcomes),
                "a": self.a.to_dict(), "b": self.b.to_dict()}


@dataclass(frozen=True)
class Complementary:
    """The complementary pairs and the named code sets they use."""

    code_sets: dict[str, frozenset[str]]
    pairs: tuple[Pair, ...]


def _default_path() -> Path:
    return Path(str(resources.files("tcmap.analysis").joinpath("data", "complementary.yaml")))


def _side(raw: Any, where: str, framework) -> Side:
    if not isinstance(raw, dict) or not isinstance(raw.get("any"), list) or not raw["any"]:
        raise ConfigError(f"{where}: a side needs a label and a non-empty list 'any'.",
                          hint="Write the side as {label: ..., any: [{modalities: [...]}]}.")
    conditions = []
    for cond in raw["any"]:
        if not isinstance(cond, dict) or not cond:
            raise ConfigError(f"{where}: each condition maps dimensions to lists of codes.",
                              hint=f"Use dimensions among {', '.join(CONDITION_DIMENSIONS)}.")
        parsed = {}
        for dim, codes in cond.items():
            if dim not in CONDITION_DIMENSIONS:
                raise ConfigError(f"{where}: unknown dimension {dim!r}.",
                                  hint=f"Use one of {', '.join(CONDITION_DIMENSIONS)}.")
            codes = [str(c) for c in (codes if isinstance(codes, list) else [codes])]
            known = framework.dimensions.get(dim) if framework is not None else None
            unknown = [c for c in codes if known is not None and c not in known]
            if unknown:
                raise ConfigError(f"{where}: unknown {dim} {unknown}.",
                                  hint=f"Use codes of '{dim}' in the framework "
                                       f"{framework.code}.")
            parsed[dim] = frozenset(codes)
        conditions.append(parsed)
    return Side(str(raw.get("label", "")), tuple(conditions))


def load_complementary(path: str | Path | None = None, framework=None) -> Complementary:
    """The pairs in the file (default: the packaged one), codes checked against the framework."""
    path = Path(path) if path is not None else _default_path()
    try:
        data = yamlfile.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}",
                          hint="Fix the YAML syntax at the line shown.") from None
    sets = {str(k): frozenset(map(str, v)) for k, v in (data.get("code_sets") or {}).items()}
    pairs, seen = [], set()
    for i, p in enumerate(data.get("pairs") or []):
        if not isinstance(p, dict):
            raise ConfigError(f"{path}: pair {i + 1} is not a mapping.",
                              hint="Write each pair as id, statement, outcomes, a and b.")
        where = f"{path}: pair {p.get('id') or i + 1}"
        if not p.get("id") or p["id"] in seen or not p.get("statement"):
            raise ConfigError(f"{where} needs a unique id and a statement.",
                              hint="Give every pair a kebab-case id and a plain-words reason.")
        seen.add(p["id"])
        outcomes = tuple(str(o) for o in p.get("outcomes") or ())
        if framework is not None and (bad := [o for o in outcomes
                                              if o not in framework.outcomes]):
            raise ConfigError(f"{where}: unknown outcomes {bad}.",
                              hint=f"Use outcome codes of the framework {framework.code}.")
        pairs.append(Pair(str(p["id"]), " ".join(str(p["statement"]).split()),
                          _side(p.get("a"), f"{where} side a", framework),
                          _side(p.get("b"), f"{where} side b", framework), outcomes))
    return Complementary(sets, tuple(pairs))


def training_modalities() -> frozenset[str]:
    """The training-type modalities (the `training_type` code set of the packaged file)."""
    return load_complementary().code_sets["training_type"]


def _years(a: MappedActivity, period: Period) -> set[int]:
    ys = set(a.years)
    return ys & set(range(period[0], period[1] + 1)) if period else ys


def _co_occurrence(acts: list[MappedActivity], yrs: dict[int, set[int]]) -> tuple[dict, list]:
    """The years and activities of each modality, and the modality pairs that share years."""
    years_of: dict[str, set[int]] = defaultdict(set)
    users: dict[str, list[MappedActivity]] = defaultdict(list)
    for a in acts:
        for m in a.modalities:
            years_of[m] |= yrs[a.id]
            users[m].append(a)
    approaches = {m: {"years": sorted(years_of[m]), "activities": ids(users[m])}
                  for m in sorted(users)}
    together = []
    for m1, m2 in combinations(sorted(users), 2):
        shared = years_of[m1] & years_of[m2]
        if shared:
            together.append({"modalities": [m1, m2], "years": sorted(shared), "activities": ids(
                a for a in users[m1] + users[m2] if yrs[a.id] & shared)})
    return approaches, together


def _pair_status(pair: Pair, acts: list[MappedActivity], yrs: dict[int, set[int]]):
    side_a = [a for a in acts if pair.a.matches(a)]
    side_b = [a for a in acts if pair.b.matches(a)]
    if not side_a and not side_b:
        return None
    links = sorted({(x.identifier, y.identifier) for x in side_a for y in side_b
                    if yrs[x.id] & yrs[y.id]})
    if links:
        status = "paired"
    elif side_a and side_b:
        status = "apart"
    else:
        status = "missing_b" if side_a else "missing_a"
    linked_a, linked_b = {x for x, _ in links}, {y for _, y in links}
    return {"pair": pair.id, "status": status, "a": ids(side_a), "b": ids(side_b),
            "links": [list(link) for link in links],
            "a_without_b": sorted({a.identifier for a in side_a} - linked_a),
            "b_without_a": sorted({b.identifier for b in side_b} - linked_b)}


def synergy(frame: list[MappedActivity], framework, period: Period = None,
            pairs: Complementary | str | Path | None = None) -> dict[str, Any]:
    """Per country: approaches that run in the same years, and the state of each pair."""
    comp = pairs if isinstance(pairs, Complementary) else load_complementary(pairs, framework)
    yrs = {a.id: _years(a, period) for a in frame}
    dated = [a for a in frame if yrs[a.id]]
    groups, unplaced = grouped(dated, framework, "country")
    summary = {p.id: {s: [] for s in STATUSES} for p in comp.pairs}
    countries = []
    for country, acts in groups:
        approaches, together = _co_occurrence(acts, yrs)
        per_outcome = []
        for o in outcome_order(framework, {o for a in acts for o in a.outcomes}):
            o_acts = [a for a in acts if o in a.outcomes]
            o_appr, o_together = _co_occurrence(o_acts, yrs)
            per_outcome.append({"outcome": o, "title": outcome_title(framework, o),
                                "approaches": o_appr, "co_occurring": o_together})
        states = []
        for pair in comp.pairs:
            for o in outcome_order(framework, pair.outcomes or
                                   {o for a in acts for o in a.outcomes}):
                row = _pair_status(pair, [a for a in acts if o in a.outcomes], yrs)
                if row is not None:
                    states.append({"outcome": o, **row})
                    summary[pair.id][row["status"]].append(f"{country}/{o}")
        countries.append({"country": country, "activities": ids(acts),
                          "approaches": approaches, "co_occurring": together,
                          "by_outcome": per_outcome, "pairs": states})
    return {
        "measure": "synergy",
        "period": list(period) if period else None,
        "pairs": [p.to_dict() for p in comp.pairs],
        "countries": countries,
        "summary": {pid: {s: {"count": len(v), "clusters": v} for s, v in st.items()}
                    for pid, st in summary.items()},
        "without_country": ids(unplaced),
        "undated": ids(a for a in frame if a.start_year is None),
        "outside_period": ids(a for a in frame if a.start_year is not None and not yrs[a.id]),
    }


def capacity_modalities(a: MappedActivity) -> set[str]:
    return set(a.modalities) - NON_CAPACITY_MODALITIES


def _budget(a: MappedActivity) -> tuple[str, float] | None:
    """The activity's total budget and its currency, or None when unknown or mixed."""
    currencies = {m.currency for m in a.budgets}
    if not a.budgets or len(currencies) != 1 or None in currencies:
        return None
    return currencies.pop(), sum(m.value for m in a.budgets)


def scatter_index(frame: list[MappedActivity], framework, period: Period = None,
                  min_activities: int = 2) -> dict[str, Any]:
    """Per country × outcome: single-modality share × log2(activities), with its components.

    Counted are the capacity-development activities with at least one capacity modality
    (any modality but direct_action) that run in `period`. Clusters with fewer than
    `min_activities` such activities are left out (a lone activity scores 0 anyway).
    """
    yrs = {a.id: _years(a, period) for a in frame}
    cap = [a for a in frame if a.capacity_development and (yrs[a.id] or not period)]
    budgets = {a.id: _budget(a) for a in cap}
    by_currency: dict[str, list[float]] = defaultdict(list)
    for b in budgets.values():
        if b:
            by_currency[b[0]].append(b[1])
    medians = {c: median(v) for c, v in sorted(by_currency.items())}
    groups, unplaced = grouped(cap, framework, "country")
    clusters = []
    for country, acts in groups:
        for o in outcome_order(framework, {o for a in acts for o in a.outcomes}):
            members = [a for a in acts if o in a.outcomes]
            tagged = [a for a in members if capacity_modalities(a)]
            tagged_ids = {a.id for a in tagged}
            if len(tagged) < max(1, min_activities):
                continue
            single = [a for a in tagged if len(capacity_modalities(a)) == 1]
            small = [a for a in single if budgets[a.id]
                     and budgets[a.id][1] < medians[budgets[a.id][0]]]
            n, share = len(tagged), len(single) / len(tagged)
            used: dict[str, list[MappedActivity]] = defaultdict(list)
            for a in tagged:
                for m in capacity_modalities(a):
                    used[m].append(a)
            clusters.append({
                "country": country, "outcome": o, "title": outcome_title(framework, o),
                "scatter_index": round(share * math.log2(n), 4),
                "activities": n,
                "single_modality": len(single),
                "single_modality_share": ratio(len(single), n),
                "distinct_modalities": len(used),
                "modalities_per_activity": ratio(sum(len(capacity_modalities(a))
                                                     for a in tagged), n),
                "small_single_modality": ids(small),
                "single_modality_activities": [
                    {"activity": a.identifier, "modality": next(iter(capacity_modalities(a))),
                     "budget": list(budgets[a.id]) if budgets[a.id] else None}
                    for a in sorted(single, key=lambda a: a.identifier)],
                "modalities": {m: ids(v) for m, v in sorted(used.items())},
                "all_activities": ids(tagged),
                "without_capacity_modality": ids(a for a in members
                                                 if a.id not in tagged_ids),
            })
    clusters.sort(key=lambda c: (-c["scatter_index"], c["country"], c["outcome"]))
    return {
        "measure": "scatter_index",
        "definition": "single-modality activities / activities × log2(activities), per "
                      "country × outcome, among capacity-development activities",
        "period": list(period) if period else None,
        "min_activities": min_activities,
        "median_budget_by_currency": {c: round(v, 2) for c, v in medians.items()},
        "clusters": clusters,
        "without_country": ids(unplaced),
        "without_outcome": ids(a for a in cap if not a.outcomes),
        "outside_period": ids(a for a in frame if a.capacity_development and period
                              and not yrs[a.id]),
    }
