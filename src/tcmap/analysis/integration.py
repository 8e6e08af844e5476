"""Integration of capacity levels (paragraph 7): is individual training paired with the rest?

The paper asks that capacity building for individuals be paired with institutional capacity
building and with work on the enabling environment. `integration` counts, per outcome or per
country, the capacity-development activities that reach all three levels, two, one or none;
`isolated_training` finds the country × outcome clusters where training of individuals
stands alone. Both list the activities behind every figure.
"""

from __future__ import annotations

from typing import Any

from tcmap.analysis.frame import MappedActivity
from tcmap.analysis.shares import (
    counted,
    country_codes,
    group_label,
    grouped,
    ids,
    outcome_order,
    outcome_title,
)

LEVELS = ("individual", "organizational", "enabling_environment")
SPANS = ("three", "two", "one", "none")


def levels_of(a: MappedActivity) -> set[str]:
    """The activity's capacity levels among the three (other codes are ignored)."""
    return set(a.capacity_levels) & set(LEVELS)


def _span(a: MappedActivity) -> str:
    return SPANS[3 - len(levels_of(a))]


def _profile(acts: list[MappedActivity]) -> dict[str, Any]:
    n = len(acts)
    return {
        "activities": n,
        "levels": {s: counted([a for a in acts if _span(a) == s], n) for s in SPANS},
        "individual_only": counted([a for a in acts if levels_of(a) == {"individual"}], n),
        "reach": {lv: counted([a for a in acts if lv in levels_of(a)], n) for lv in LEVELS},
    }


def integration(frame: list[MappedActivity], framework, by: str = "outcome") -> dict[str, Any]:
    """Per outcome (or country): capacity-development activities by how many levels they span.

    Shares are of the group's capacity-development activities, so three + two + one + none
    = 1. An activity with several outcomes (countries) counts under each of them.
    """
    cap = [a for a in frame if a.capacity_development]
    groups, unplaced = grouped(cap, framework, by)
    return {
        "measure": "integration",
        "by": by,
        "definition": "capacity-development activities whose levels (individual, "
                      "organizational, enabling_environment) number 3, 2, 1 or 0, / all "
                      "capacity-development activities of the group",
        "overall": _profile(cap),
        "groups": [{**group_label(framework, by, key), **_profile(acts)}
                   for key, acts in groups],
        f"without_{by}": ids(unplaced),
    }


def isolated_training(frame: list[MappedActivity], framework, min_activities: int = 2,
                      modalities: frozenset[str] | set[str] | None = None) -> dict[str, Any]:
    """Country × outcome clusters where every capacity-development activity is training of
    individuals only, with at least `min_activities` activities.

    An activity is "individual training" when its capacity levels are exactly {individual}
    and it uses at least one training-type modality (by default the `training_type` set of
    data/complementary.yaml: training, training of trainers, e-learning, on-the-job
    learning, study visits, peer education).
    """
    if modalities is None:
        from tcmap.analysis.synergy import training_modalities

        modalities = training_modalities()
    training = set(modalities)

    def is_training(a: MappedActivity) -> bool:
        return levels_of(a) == {"individual"} and bool(set(a.modalities) & training)

    clusters: dict[tuple[str, str], list[MappedActivity]] = {}
    unplaced = []
    for a in frame:
        if not a.capacity_development:
            continue
        if not (country_codes(a) and a.outcomes):
            unplaced.append(a)
        for c in country_codes(a):
            for o in dict.fromkeys(a.outcomes):
                clusters.setdefault((c, o), []).append(a)
    rank = {o: i for i, o in enumerate(outcome_order(framework, {o for _, o in clusters}))}
    found = []
    for (country, outcome), acts in sorted(clusters.items(),
                                           key=lambda kv: (kv[0][0], rank[kv[0][1]])):
        if len(acts) < min_activities or not all(is_training(a) for a in acts):
            continue
        years = [y for a in acts for y in a.years]
        found.append({
            "country": country, "outcome": outcome,
            "title": outcome_title(framework, outcome),
            "activities": ids(acts),
            "count": len(acts),
            "modalities": sorted({m for a in acts for m in a.modalities}),
            "target_groups": sorted({t for a in acts for t in a.target_groups}),
            "years": [min(years), max(years)] if years else None,
        })
    return {
        "measure": "isolated_training",
        "definition": "country × outcome clusters whose capacity-development activities "
                      f"(at least {min_activities}) are all individual-level only and use "
                      "a training-type modality",
        "min_activities": min_activities,
        "training_modalities": sorted(training),
        "clusters": found,
        "without_country_or_outcome": ids(unplaced),
    }
