"""Scores of an appraisal: weighted section and overall scores, and the clearance rule.

Pure functions over a checklist and a person's ratings ({criterion: 0..3, "na" or None for
not rated yet). A section's score is the weighted mean of its rated criteria, N/A and unrated
left out; the overall score is the weighted mean of the section scores (sections with nothing
rated left out). Clearance is separate from the means: a document clears only when every
mandatory criterion is rated at least the pass mark (2) by a person, so a high average can
never hide a failing mandatory criterion.
"""

from __future__ import annotations

from typing import Any

from tcmap.appraisal.checklist import SCORES, Checklist
from tcmap.errors import ReviewError

NA = "na"


def parse_score(value: Any, na_allowed: bool = True, criterion: str = "") -> int | str:
    """A score from user input: 0, 1, 2, 3 or "na" (any case); anything else is refused."""
    text = str(value).strip().lower() if value is not None else ""
    if text in ("na", "n/a"):
        if not na_allowed:
            raise ReviewError(f"The criterion {criterion} is mandatory: it cannot be N/A.",
                              hint="Rate it 0 (absent), 1 (weak), 2 (adequate) or 3 (strong).")
        return NA
    if text.lstrip("-").isdigit() and int(text) in SCORES:
        return int(text)
    raise ReviewError(f"{value!r} is not a score{f' for {criterion}' if criterion else ''}.",
                      hint="Scores are 0 (absent), 1 (weak), 2 (adequate), 3 (strong), or na "
                      "(not applicable).")


def _mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for w, _ in pairs)
    return round(sum(w * s for w, s in pairs) / total, 4) if total > 0 else None


def score(checklist: Checklist, ratings: dict[str, int | str | None]) -> dict[str, Any]:
    """Section scores, the overall score, and the clearance rule's verdict."""
    sections = []
    for s in checklist.sections:
        rated = [(c.weight, float(ratings[c.code])) for c in s.criteria
                 if isinstance(ratings.get(c.code), int)]
        sections.append({"code": s.code, "title": s.title, "weight": s.weight,
                         "score": _mean(rated), "rated": len(rated),
                         "not_applicable": sum(ratings.get(c.code) == NA for c in s.criteria),
                         "criteria": len(s.criteria)})
    overall = _mean([(s["weight"], s["score"]) for s in sections if s["score"] is not None])
    failing, unrated = [], []
    for c in checklist.criteria:
        if not c.mandatory:
            continue
        value = ratings.get(c.code)
        if value is None:
            unrated.append(c.code)
        elif value == NA or value < checklist.pass_mark:
            failing.append({"criterion": c.code, "section": c.section, "score": value,
                            "text": c.text})
    return {
        "overall": overall,
        "overall_percent": round(100 * overall / 3, 1) if overall is not None else None,
        "sections": sections,
        "failing_mandatory": failing,
        "unrated_mandatory": unrated,
        "unrated": [c.code for c in checklist.criteria if ratings.get(c.code) is None],
        "pass_mark": checklist.pass_mark,
        "clearable": not failing and not unrated,
    }


def proposed_ratings(prescreen: dict[str, Any]) -> dict[str, int | str | None]:
    """The machine's proposals as ratings, to show what its scores would give (never to clear)."""
    return {c["criterion"]: c["proposed"] for c in prescreen.get("criteria", [])}


def agreement(pairs: list[tuple[int | str | None, int | str | None]]) -> dict[str, Any]:
    """Exact and within-one agreement of (machine, person) score pairs.

    N/A agrees only with N/A (exactly and within one); a missing proposal never agrees.
    """
    exact = within = 0
    for machine, person in pairs:
        if machine == person and machine is not None:
            exact += 1
            within += 1
        elif isinstance(machine, int) and isinstance(person, int) and abs(machine - person) <= 1:
            within += 1
    n = len(pairs)
    return {"pairs": n, "exact": exact, "within_one": within,
            "exact_share": round(exact / n, 4) if n else None,
            "within_one_share": round(within / n, 4) if n else None}
