"""Shares with honest intervals: the Wilson score interval and the share of capacity development.

`capacity_share` turns "29 of 50" into 58 % with its 95 % Wilson interval (and, when the 50
are a sample drawn from a known population, the finite-population correction). The helpers
here (`ratio`, `grouped`, `outcome_title`) are the common ground of every analysis module:
how a share is rounded, and how activities are grouped by outcome or by country.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from statistics import NormalDist
from typing import Any

from tcmap.analysis.frame import MappedActivity
from tcmap.errors import ConfigError

GROUPINGS = ("outcome", "country")
DIGITS = 4


def ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to four decimals; None when there is nothing to divide by."""
    return round(part / whole, DIGITS) if whole else None


def ids(activities: Iterable[MappedActivity]) -> list[str]:
    """The identifiers of the activities, sorted, so every figure can be traced."""
    return sorted({a.identifier for a in activities})


def counted(activities: Iterable[MappedActivity], whole: int) -> dict[str, Any]:
    """A count, its share of `whole` and the identifiers behind it."""
    found = ids(activities)
    return {"count": len(found), "share": ratio(len(found), whole), "activities": found}


def outcome_title(framework, code: str) -> str | None:
    c = framework.outcomes.codes.get(code) if framework is not None else None
    return c.title if c else None


def outcome_order(framework, codes: Iterable[str]) -> list[str]:
    """The codes in the framework's order, unknown ones after it, alphabetically."""
    known = list(framework.outcomes.codes) if framework is not None else []
    rank = {c: i for i, c in enumerate(known)}
    return sorted(set(codes), key=lambda c: (rank.get(c, len(rank)), c))


def country_codes(a: MappedActivity) -> list[str]:
    return list(dict.fromkeys(c for c, _ in a.countries if c))


def grouped(frame: list[MappedActivity], framework, by: str
            ) -> tuple[list[tuple[str, list[MappedActivity]]], list[MappedActivity]]:
    """The activities under each outcome (or country) they have, and those with none.

    An activity with two outcomes (or countries) counts under both: a group's figures are
    about the work done for that outcome, not a split of the portfolio.
    """
    if by not in GROUPINGS:
        raise ConfigError(f"Cannot group an analysis by {by!r}.",
                          hint=f"Use by= one of: {', '.join(GROUPINGS)}.")
    groups: dict[str, list[MappedActivity]] = defaultdict(list)
    unplaced = []
    for a in frame:
        keys = list(dict.fromkeys(a.outcomes)) if by == "outcome" else country_codes(a)
        if not keys:
            unplaced.append(a)
        for k in keys:
            groups[k].append(a)
    order = outcome_order(framework, groups) if by == "outcome" else sorted(groups)
    return [(k, groups[k]) for k in order], unplaced


def group_label(framework, by: str, key: str) -> dict[str, Any]:
    if by == "outcome":
        return {"outcome": key, "title": outcome_title(framework, key)}
    return {"country": key}


def wilson_interval(p: float, n: float, z: float) -> tuple[float, float]:
    """The Wilson score interval of a share p observed on n items (n may be an effective size)."""
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def capacity_share(n_with: int, n_total: int, confidence: float = 0.95,
                   population: int | None = None) -> dict[str, Any]:
    """The share n_with / n_total with its Wilson score interval at the given confidence.

    When `population` is given, the n_total items are taken as a simple random sample drawn
    without replacement from that many: the interval is narrowed by the finite-population
    correction, computed as the Wilson interval for the effective sample size
    n_eff = n_total * (population - 1) / (population - n_total); a census (n_total equal to
    the population) has no sampling error and its interval is the share itself.
    """
    if n_total < 0 or n_with < 0 or n_with > n_total:
        raise ValueError(f"A share needs 0 <= n_with <= n_total, not {n_with} of {n_total}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}.")
    if population is not None and population < n_total:
        raise ValueError(f"population ({population}) cannot be smaller than the sample "
                         f"({n_total}).")
    z = NormalDist().inv_cdf(1 - (1 - confidence) / 2)
    out: dict[str, Any] = {
        "n_with": n_with, "n_total": n_total, "share": ratio(n_with, n_total),
        "percent": round(100 * n_with / n_total, 1) if n_total else None,
        "confidence": confidence, "z": round(z, 6), "method": "wilson",
        "population": population, "finite_population_correction": None, "interval": None,
    }
    if not n_total:
        return out
    n_eff: float = n_total
    if population is not None:
        if population == n_total:
            out["finite_population_correction"] = 0.0
            out["interval"] = [out["share"], out["share"]]
            return out
        fpc = math.sqrt((population - n_total) / (population - 1)) if population > 1 else 1.0
        out["finite_population_correction"] = round(fpc, DIGITS)
        n_eff = n_total / (fpc * fpc)
    lo, hi = wilson_interval(n_with / n_total, n_eff, z)
    out["interval"] = [round(lo, DIGITS), round(hi, DIGITS)]
    return out


def capacity_share_of(frame: list[MappedActivity], framework=None, confidence: float = 0.95,
                      population: int | None = None) -> dict[str, Any]:
    """The share of world-of-work activities that develop capacity, overall and per outcome.

    `population` (optional) is the size of the portfolio the frame samples, for the
    finite-population correction of the overall share; per-outcome shares have none.
    """
    wow = [a for a in frame if a.world_of_work]
    cap = [a for a in wow if a.capacity_development]
    overall = capacity_share(len(cap), len(wow), confidence, population)
    overall["activities"] = ids(cap)
    overall["not_capacity_development"] = ids(a for a in wow if not a.capacity_development)
    groups, unplaced = grouped(wow, framework, "outcome")
    per_outcome = []
    for code, members in groups:
        with_cd = [a for a in members if a.capacity_development]
        row = {"outcome": code, "title": outcome_title(framework, code),
               **capacity_share(len(with_cd), len(members), confidence)}
        row["activities"] = ids(with_cd)
        row["not_capacity_development"] = ids(a for a in members if not a.capacity_development)
        per_outcome.append(row)
    return {
        "measure": "capacity_share",
        "definition": "world-of-work activities that are capacity development / "
                      "world-of-work activities, with a Wilson score interval",
        "overall": overall,
        "by_outcome": per_outcome,
        "without_outcome": ids(unplaced),
        "capacity_development_outside_world_of_work": ids(
            a for a in frame if a.capacity_development and not a.world_of_work),
    }
