"""The capacity-assessment section of the governing-body report, as plain data.

`report_section(session, framework)` reads every stored assessment and gives the report: who
was assessed (constituent types, instruments, countries); in the latest round of each series,
the cells with the largest mean gap across assessments; where a series was followed up, the
mean change per level between its rounds (`round_changes`); and the capacity-development
response by horizon and lever. `templates/report_section.html.j2` renders it.

Gaps are summed exactly (fractions), as the assessments score them, and rounded to two
decimals for output only; a mean gap's priority band is decided on the exact mean. Changes are
the two-decimal values `round_changes` gives for each cell, so each can be found in the
assessment's own report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap import yamlfile
from tcmap.assessment.assessments import desired_of, instrument_of
from tcmap.assessment.instrument import FRAMEWORK_LEVELS, Instrument
from tcmap.assessment.scoring import band_of, mean, rounded
from tcmap.assessment.summary import exact_cell_scores, round_changes
from tcmap.iati.codes import codelist
from tcmap.store.assessment import Assessment, AssessmentAction
from tcmap.taxonomy import Framework

TOP = 5  # cells in the table of priority gaps


@cache
def _type_nouns() -> dict[str, dict[str, str]]:
    path = Path(str(resources.files("tcmap.assessment").joinpath(
        "data", "constituent-types.yaml")))
    return yamlfile.load(path.read_text(encoding="utf-8"))


def _who(series: list[list[Assessment]], latest: list[tuple[Assessment, Instrument]],
         framework: Framework) -> dict[str, Any]:
    """Constituent types, instruments and countries of the assessed constituents."""
    types = framework.dimension("target_groups").codes
    counted = Counter(rs[0].constituent_type for rs in series)
    order = [c for c in types if c in counted] + sorted(c for c in counted if c not in types)
    nouns = _type_nouns()
    by_type = []
    for code in order:
        title = types[code].title if code in types else code
        noun = nouns.get(code, {"one": title, "many": title})
        by_type.append({"code": code, "title": title, "one": noun["one"],
                        "many": noun["many"], "constituents": counted[code]})
    used = Counter((inst.code, inst.version) for _, inst in latest)
    instruments = []
    for (code, version), n in sorted(used.items(), key=lambda kv: (-kv[1], kv[0])):
        inst = next(i for _, i in latest if (i.code, i.version) == (code, version))
        instruments.append({"code": code, "version": version, "title": inst.title,
                            "constituents": n,
                            "scale": {"min": inst.scale_min, "max": inst.scale_max},
                            "core_issue_label": inst.axis_labels.get("core_issue", "Core issue"),
                            "functional_capacities": bool(inst.functional_capacities),
                            "bands": [{"code": b.code, "label": b.label, "min_gap": b.min_gap}
                                      for b in inst.bands]})
    names = codelist("Country")
    countries = sorted({rs[0].country for rs in series if rs[0].country})
    return {"by_type": by_type, "instruments": instruments,
            "countries": [{"code": c, "name": names.get(c, c)} for c in countries]}


def _priorities(session: Session, latest: list[tuple[Assessment, Instrument]]
                ) -> dict[str, Any]:
    """The cells with the largest mean gap over the latest rounds, and gaps per band."""
    gaps: dict[tuple[str, str], list[tuple[int, Fraction]]] = defaultdict(list)
    instruments: dict[str, Instrument] = {}
    bands: Counter[str] = Counter()
    for a, inst in latest:
        instruments.setdefault(inst.code, inst)
        desired = {c: d.score for c, d in desired_of(session, a).items()}
        for cell, score in exact_cell_scores(session, a).items():
            if score is None or cell not in desired:
                continue
            gap = Fraction(desired[cell]) - score
            gaps[(inst.code, cell)].append((a.id, gap))
            band = band_of(gap, inst.bands)
            bands[band.code if band else ""] += 1
    rows = []
    for (code, cell), found in gaps.items():
        inst = instruments[code]
        level, core, fc = inst.parts(cell)
        gap = mean(g for _, g in found)
        band = band_of(gap, inst.bands)
        rows.append({"instrument": code, "cell": cell, "level": level,
                     "level_title": inst.title_of("level", level), "core_issue": core,
                     "core_issue_title": inst.title_of("core_issue", core),
                     "functional_capacity": fc,
                     "functional_capacity_title": inst.title_of("functional_capacity", fc)
                     if fc else None,
                     "exact": gap, "mean_gap": rounded(gap), "assessments": len(found),
                     "assessment_ids": sorted(i for i, _ in found),
                     "band": band.code if band else None,
                     "band_label": band.label if band else None})
    rows.sort(key=lambda r: (-r["exact"], -r["assessments"], r["cell"]))
    for r in rows:
        del r["exact"]
    declared = {}
    for inst in instruments.values():
        previous = None
        for b in inst.bands:
            declared.setdefault(b.code, {"code": b.code, "label": b.label,
                                         "min_gap": b.min_gap, "below": previous})
            previous = b.min_gap
    return {"cells": sum(bands.values()), "top": rows[:TOP], "cells_with_gap": len(rows),
            "bands": [{**b, "cells": bands[code]} for code, b in declared.items()]}


def _changes(session: Session, series: list[list[Assessment]]) -> dict[str, Any]:
    """The mean change per level between the last two scored rounds of each followed-up
    series (the values of round_changes, per cell)."""
    out_series, by_level = [], defaultdict(list)
    titles: dict[str, str] = {}
    names = codelist("Country")
    for rs in series:
        rows = []
        for a in reversed(rs[1:]):  # the latest follow-up that has scores in both rounds
            rows = round_changes(session, a.id)
            if rows:
                break
        if not rows:
            continue
        inst = instrument_of(session, session.get(Assessment, rows[0]["assessment"]))
        values = [Fraction(str(r["change"])) for r in rows]
        out_series.append({
            "constituent": rows[0]["constituent"], "country": rows[0]["country"],
            "country_name": names.get(rows[0]["country"] or "", rows[0]["country"]),
            "assessment": rows[0]["assessment"], "baseline": rows[0]["baseline"],
            "from_round": rows[0]["from_round"], "to_round": rows[0]["to_round"],
            "from_date": session.get(Assessment, rows[0]["baseline"]).assessed_on.isoformat(),
            "date": rows[0]["date"], "cells": len(rows), "mean_change": rounded(mean(values)),
            "improved": sum(v > 0 for v in values), "declined": sum(v < 0 for v in values)})
        for r, v in zip(rows, values, strict=True):
            by_level[r["level"]].append((r["assessment"], v))
            titles.setdefault(r["level"], inst.title_of("level", r["level"]))
    levels = [lv for lv in FRAMEWORK_LEVELS if lv in by_level] + sorted(
        lv for lv in by_level if lv not in FRAMEWORK_LEVELS)
    all_values = [v for lv in levels for _, v in by_level[lv]]
    return {
        "series": out_series,
        "by_level": [{"level": lv, "title": titles[lv], "cells": len(by_level[lv]),
                      "series": len({a for a, _ in by_level[lv]}),
                      "mean_change": rounded(mean(v for _, v in by_level[lv])),
                      "improved": sum(v > 0 for _, v in by_level[lv]),
                      "declined": sum(v < 0 for _, v in by_level[lv])} for lv in levels],
        "cells": len(all_values), "improved": sum(v > 0 for v in all_values),
        "unchanged": sum(v == 0 for v in all_values),
        "declined": sum(v < 0 for v in all_values),
    }


def _response(session: Session, rows: list[Assessment]) -> dict[str, Any]:
    """The actions of the capacity-development response, by horizon and lever, with costs."""
    horizons: dict[str, str] = {}
    levers: dict[str, str] = {}
    for a in rows:
        inst = instrument_of(session, a)
        for code, title in inst.horizons.items():
            horizons.setdefault(code, title)
        for code, title in inst.levers.items():
            levers.setdefault(code, title)
    actions = list(session.scalars(select(AssessmentAction).where(
        AssessmentAction.assessment_id.in_([a.id for a in rows])).order_by(
        AssessmentAction.id)))
    by_h = Counter(x.horizon for x in actions)
    by_l = Counter(x.lever for x in actions)
    costs: dict[str, list[float]] = defaultdict(list)
    for x in actions:
        if x.cost is not None:
            costs[x.currency or ""].append(x.cost)
    series_of = {a.id: a.series_id or a.id for a in rows}
    return {
        "actions": len(actions),
        "assessments": len({x.assessment_id for x in actions}),
        "constituents": len({series_of[x.assessment_id] for x in actions}),
        "by_horizon": [{"code": c, "title": t, "actions": by_h[c]} for c, t in horizons.items()],
        "by_lever": sorted(({"code": c, "title": t, "actions": by_l[c]}
                            for c, t in levers.items()), key=lambda r: -r["actions"]),
        "linked": sum(bool(x.linked_output or x.linked_activity) for x in actions),
        "costed": sum(x.cost is not None for x in actions),
        "costs": [{"currency": cur, "amount": round(sum(v), 2), "actions": len(v)}
                  for cur, v in sorted(costs.items())],
    }


def report_section(session: Session, framework: Framework) -> dict[str, Any]:
    """The capacity-assessment section of the governing-body report, as plain data."""
    rows = list(session.scalars(select(Assessment).order_by(Assessment.assessed_on,
                                                            Assessment.id)))
    base: dict[str, Any] = {"title": "Capacity assessments of constituents",
                            "available": bool(rows), "top_n": TOP}
    if not rows:
        base["message"] = (
            "No capacity assessment of a constituent has been recorded yet, so the gaps "
            "between existing and desired capacity, and their change over time, cannot be "
            "reported. Record assessments with `tcmap assessment new` or at /assessments.")
        return base
    grouped: dict[int, list[Assessment]] = defaultdict(list)
    for a in rows:
        grouped[a.series_id or a.id].append(a)
    series = sorted((sorted(rs, key=lambda a: a.round) for rs in grouped.values()),
                    key=lambda rs: (rs[0].assessed_on, rs[0].id))
    latest = [(rs[-1], instrument_of(session, rs[-1])) for rs in series]
    names = codelist("Country")
    base.update({
        "constituents": len(series), "rounds": len(rows),
        "followed_up": sum(len(rs) > 1 for rs in series),
        "period": {"from": rows[0].assessed_on.isoformat(),
                   "to": max(a.assessed_on for a in rows).isoformat()},
        **_who(series, latest, framework),
        "series": [{"id": rs[0].id, "latest": rs[-1].id, "constituent": rs[0].constituent,
                    "constituent_type": rs[0].constituent_type, "country": rs[0].country,
                    "country_name": names.get(rs[0].country or "", rs[0].country),
                    "rounds": len(rs), "dates": [a.assessed_on.isoformat() for a in rs],
                    "years": sorted({a.assessed_on.year for a in rs})}
                   for rs in series],
        "priorities": _priorities(session, latest),
        "changes": _changes(session, series),
        "response": _response(session, rows),
    })
    return base
