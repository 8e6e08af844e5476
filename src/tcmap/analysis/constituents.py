"""Constituents (paragraphs 3 and 11): whose capacity is developed, and is it done together?

Among capacity-development activities, per outcome or per country: how many target
government, employers' organizations and workers' organizations; how many target all three
in the same activity (tripartite) or exactly two (bipartite); and the outcomes or countries
where employers or workers are never targeted.
"""

from __future__ import annotations

from typing import Any

from tcmap.analysis.frame import MappedActivity
from tcmap.analysis.shares import counted, group_label, grouped, ids

CONSTITUENTS = ("government", "employers_org", "workers_org")
# Exactly these constituents among the three; every activity falls in one combination.
COMBINATIONS: dict[str, frozenset[str]] = {
    "tripartite": frozenset(CONSTITUENTS),
    "government_employers": frozenset({"government", "employers_org"}),
    "government_workers": frozenset({"government", "workers_org"}),
    "employers_workers": frozenset({"employers_org", "workers_org"}),
    "government_only": frozenset({"government"}),
    "employers_only": frozenset({"employers_org"}),
    "workers_only": frozenset({"workers_org"}),
    "no_constituent": frozenset(),
}
BIPARTITE = ("government_employers", "government_workers", "employers_workers")


def constituents_of(a: MappedActivity) -> frozenset[str]:
    return frozenset(a.target_groups) & frozenset(CONSTITUENTS)


def _profile(acts: list[MappedActivity]) -> dict[str, Any]:
    n = len(acts)
    combos = {name: counted([a for a in acts if constituents_of(a) == members], n)
              for name, members in COMBINATIONS.items()}
    bipartite = [a for a in acts if len(constituents_of(a)) == 2]
    return {
        "activities": n,
        "coverage": {c: counted([a for a in acts if c in constituents_of(a)], n)
                     for c in CONSTITUENTS},
        "tripartite": combos["tripartite"],
        "bipartite": counted(bipartite, n),
        "combinations": combos,
        "left_out": [c for c in CONSTITUENTS if not any(c in constituents_of(a) for a in acts)],
    }


def constituents(frame: list[MappedActivity], framework, by: str = "outcome") -> dict[str, Any]:
    """Per outcome (or country): coverage of the three constituents among capacity development.

    Shares are of the group's capacity-development activities. A constituent is "left out"
    of a group that has capacity-development activities none of which targets it.
    """
    cap = [a for a in frame if a.capacity_development]
    groups, unplaced = grouped(cap, framework, by)
    rows = [{**group_label(framework, by, key), **_profile(acts)} for key, acts in groups]
    return {
        "measure": "constituents",
        "by": by,
        "definition": "capacity-development activities targeting each constituent (and "
                      "all three, or exactly two, in the same activity) / capacity-"
                      "development activities of the group",
        "overall": _profile(cap),
        "groups": rows,
        "left_out": {c: [r[by] for r in rows if c in r["left_out"]] for c in CONSTITUENTS},
        f"without_{by}": ids(unplaced),
    }
