"""The paper's appendix rebuilt from data: approaches per outcome, with examples from the portfolio.

For each outcome under its strategic objective: the technical cooperation approaches the
framework lists for it (`approaches.yaml`), which of them the portfolio's activities use, how
often, with which modalities, and up to three example activities each, every example with
the evidence text behind its tags so a reader can trace it.

An activity tagged with an outcome is assigned to one of that outcome's approaches: the one
whose name shares the most words with the activity's title and evidence (e.g. "youth",
"finance", "inspection"), else the one whose paper examples use the most of the activity's
modalities. Activities that match neither are counted under the outcome as `other`.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from tcmap.analysis.frame import MappedActivity
from tcmap.taxonomy import Approach, Framework

_WORD = re.compile(r"[a-z]{4,}")
# Words of approach names that say nothing about which approach it is.
_STOP = {"development", "activities", "work", "world", "promotion", "international", "social",
         "convention", "national", "labour", "and", "the"}
EXAMPLES = 3


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _stems(words: set[str]) -> set[str]:
    return {w[:6] for w in words}


def _activity_words(a: MappedActivity) -> set[str]:
    texts = [a.title]
    for items in a.evidence.values():
        texts += [str(e.get("context") or e.get("text") or "") for e in items
                  if isinstance(e, dict)]
    return _stems(_words(" ".join(texts)))


def assign_approach(a: MappedActivity, approaches: list[Approach],
                    outcome_title: str = "") -> tuple[Approach | None, str]:
    """The approach an activity of this outcome uses, and why ('name' or 'modalities').

    Words of the outcome's own title (every activity of the outcome shares them, e.g.
    "employment" for O1, "enterprises" for O3) do not count as matching a name.
    """
    if not approaches:
        return None, ""
    if len(approaches) == 1:
        return approaches[0], "only approach"
    words = _activity_words(a) - _stems(_words(outcome_title))
    by_name = [(len(_stems(_words(ap.name)) & words), i) for i, ap in enumerate(approaches)]
    best, i = max(by_name)
    if best > 0:
        return approaches[i], "name"
    by_mod = [(len({m for e in ap.examples for m in e.modalities} & a.modalities), -i)
              for i, ap in enumerate(approaches)]
    best, neg = max(by_mod)
    if best > 0:
        return approaches[-neg], "modalities"
    return None, ""


def _example(a: MappedActivity) -> dict[str, Any]:
    evidence = []
    for (dim, code), items in sorted(a.evidence.items()):
        if dim != "modalities" or code not in a.modalities:
            continue
        for e in items[:1]:
            if isinstance(e, dict) and e.get("kind") == "text":
                evidence.append({"dimension": dim, "code": code, "field": e.get("field"),
                                 "text": e.get("context") or e.get("text")})
    return {"identifier": a.identifier, "title": a.title,
            "countries": [c for c, _ in a.countries], "modalities": sorted(a.modalities),
            "capacity_levels": sorted(a.capacity_levels),
            "target_groups": sorted(a.target_groups), "evidence": evidence[:3]}


def approaches_per_outcome(frame: list[MappedActivity], framework: Framework,
                           only_capacity: bool = True) -> dict[str, Any]:
    """The appendix table rebuilt: groups → outcomes → approaches found, with examples."""
    groups = []
    for g in framework.groups or []:
        outcomes = []
        for code in g.outcomes:
            approaches = framework.approaches_for(code)
            acts = [a for a in frame if code in a.outcomes
                    and (a.capacity_development or not only_capacity)]
            # Examples come from the activities that say most: the outcome first, most tags.
            acts.sort(key=lambda a: (a.primary_outcome != code, -len(a.modalities),
                                     a.identifier))
            found: dict[str, list[tuple[MappedActivity, str]]] = {}
            other = []
            for a in acts:
                ap, why = assign_approach(a, approaches,
                                          framework.outcomes.codes[code].title)
                if ap is None:
                    other.append(a)
                else:
                    found.setdefault(ap.code, []).append((a, why))
            rows = []
            for ap in approaches:
                members = found.get(ap.code, [])
                modalities = Counter(m for a, _ in members for m in a.modalities)
                rows.append({
                    "code": ap.code, "name": ap.name, "activities": len(members),
                    "identifiers": [a.identifier for a, _ in members],
                    "assigned_by": dict(Counter(why for _, why in members)),
                    "modalities": [{"code": m, "activities": n}
                                   for m, n in modalities.most_common()],
                    "examples": [_example(a) for a, _ in members[:EXAMPLES]],
                    "paper_examples": [e.text for e in ap.examples],
                })
            outcomes.append({
                "code": code, "title": framework.outcomes.codes[code].title,
                "activities": len(acts), "approaches": rows,
                "other": {"activities": len(other),
                          "identifiers": [a.identifier for a in other]},
            })
        groups.append({"code": g.code, "title": g.title, "outcomes": outcomes})
    return {"framework": framework.version, "only_capacity_development": only_capacity,
            "activities": len(frame), "groups": groups}
