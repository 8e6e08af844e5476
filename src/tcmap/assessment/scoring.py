"""Scoring rules of a capacity assessment, as pure functions of ratings and desired levels.

The rules (UNDP Supporting Tool, research notes section 1.4; the priority bands are ours):

- a question's score: with the "mean" mode, the mean of its ratings' scores (several raters
  and sources); with the "consensus" mode, its one agreed rating, or the verified score once a
  verifier has confirmed or corrected it. N/A ratings are ignored; a question rated only N/A
  has no score.
- a cell's score (a functional capacity within a level and core issue): the mean of its
  questions' scores, ignoring questions without a score.
- a cross-section's score (level × core issue): the mean of its cells' scores.
- a level's score: the mean of its cross-sections' scores.
- a cell's gap: its desired level minus its score; a cross-section's (a level's) desired level
  and gap: the means of its cells' (cross-sections') desired levels and gaps.
- a gap's priority: the first band of the instrument whose min_gap the gap reaches.

Arithmetic is exact (fractions); values are rounded to 2 decimals only for output, and bands
are decided on the exact gap, so 1.995 rounded to 2.0 is still "medium".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from tcmap.assessment.instrument import Band, Instrument

Number = Fraction | int


def mean(values: Iterable[Number | None]) -> Fraction | None:
    """The mean of the values that are not None, or None if there is none."""
    vs = [Fraction(v) for v in values if v is not None]
    return sum(vs, Fraction(0)) / len(vs) if vs else None


def rounded(value: Number | None) -> float | None:
    """A value as shown and exported: a float rounded to 2 decimals."""
    return None if value is None else round(float(value), 2)


def band_of(gap: Number | None, bands: Iterable[Band]) -> Band | None:
    """The priority band of a gap: the first whose min_gap it reaches (the last takes the rest)."""
    if gap is None:
        return None
    for b in bands:
        if b.min_gap is None or Fraction(gap) >= Fraction(str(b.min_gap)):
            return b
    return None


def effective_score(rating: Mapping[str, Any]) -> int | None:
    """The score a rating counts with: the verified score once verified, else its own."""
    return rating["verified_score"] if rating.get("verified_at") else rating["score"]


def question_scores(instrument: Instrument,
                    ratings: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per rated question: its exact score (or None), how many ratings and how many N/A.

    A rating is a mapping with question, score (None = N/A), at, and for verification
    verified_score and verified_at.
    """
    by_q: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in ratings:
        by_q[r["question"]].append(r)
    out = {}
    for qid, rs in by_q.items():
        if instrument.mode == "consensus":
            # One agreed rating per question; if several were stored, the latest one counts.
            rs = [max(rs, key=lambda r: r["at"])]
        values = [effective_score(r) for r in rs]
        out[qid] = {"score": mean(values), "ratings": len(rs),
                    "na": sum(v is None for v in values)}
    return out


def cell_values(instrument: Instrument, scope: Iterable[str],
                qscores: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per cell in scope: its exact score and counts of questions scored, N/A and unrated."""
    by_cell: dict[str, list[str]] = defaultdict(list)
    for q in instrument.questions:
        by_cell[q.cell].append(q.id)
    out = {}
    for cell in scope:
        qs = by_cell.get(cell, [])
        scores = [qscores[q]["score"] for q in qs if q in qscores]
        out[cell] = {"score": mean(scores), "n_questions": len(qs),
                     "n_scored": sum(s is not None for s in scores),
                     "n_na": sum(s is None for s in scores),
                     "n_unrated": sum(q not in qscores for q in qs)}
    return out


def _summary(score, desired, gap, bands) -> dict[str, Any]:
    band = band_of(gap, bands)
    return {"score": rounded(score), "desired": rounded(desired), "gap": rounded(gap),
            "band": band.code if band else None}


def score_assessment(instrument: Instrument, scope: list[str],
                     ratings: Iterable[Mapping[str, Any]],
                     desired: Mapping[str, int]) -> dict[str, Any]:
    """Scores, desired levels, gaps and bands per cell, cross-section and level, and the
    question scores, all rounded for output."""
    qs = question_scores(instrument, ratings)
    cells = cell_values(instrument, scope, qs)
    bands = instrument.bands
    cell_rows = []
    groups: dict[tuple[str, str], list[tuple[Any, Any, Any]]] = defaultdict(list)
    for cell in scope:
        v = cells[cell]
        level, core, fc = instrument.parts(cell)
        want = desired.get(cell)
        gap = None if want is None or v["score"] is None else Fraction(want) - v["score"]
        cell_rows.append({"cell": cell, "level": level, "core_issue": core,
                          "functional_capacity": fc, **_summary(v["score"], want, gap, bands),
                          **{k: v[k] for k in ("n_questions", "n_scored", "n_na",
                                               "n_unrated")}})
        groups[(level, core)].append((v["score"], want, gap))
    crosses = []
    by_level: dict[str, list[tuple[Any, Any, Any]]] = defaultdict(list)
    for (level, core), members in groups.items():
        s, d, g = (mean(m[i] for m in members) for i in range(3))
        crosses.append({"level": level, "core_issue": core, "cells": len(members),
                        **_summary(s, d, g, bands)})
        by_level[level].append((s, d, g))
    levels = []
    for level, members in by_level.items():
        s, d, g = (mean(m[i] for m in members) for i in range(3))
        levels.append({"level": level, **_summary(s, d, g, bands)})
    return {
        "questions": {q: {"score": rounded(v["score"]), "ratings": v["ratings"], "na": v["na"]}
                      for q, v in qs.items()},
        "cells": cell_rows,
        # Without functional capacities a cross-section is a cell: no second table.
        "cross_sections": crosses if instrument.functional_capacities else [],
        "levels": levels,
    }


def priorities(cell_rows: Iterable[Mapping[str, Any]],
               bands: Iterable[Band]) -> list[dict[str, Any]]:
    """The cells with a gap, largest gap first, grouped by band order."""
    order = {b.code: n for n, b in enumerate(bands)}
    rows = [dict(r) for r in cell_rows if r["gap"] is not None]
    return sorted(rows, key=lambda r: (order.get(r["band"], 99), -r["gap"], r["cell"]))


def changes(before: Mapping[str, Fraction | None],
            after: Mapping[str, Fraction | None]) -> list[tuple[str, Fraction, Fraction]]:
    """(cell, before, after) for every cell scored in both rounds, in the order of `after`."""
    return [(c, before[c], a) for c, a in after.items()
            if a is not None and before.get(c) is not None]
