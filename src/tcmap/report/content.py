"""Everything the governing-body report says, as one dict built from a snapshot.

The template only reads this dict (and the HTML and JSON come from it), so every figure of
the report is computed here, from the snapshot's rows, by the analysis functions.
"""

from __future__ import annotations

from typing import Any

from tcmap.analysis.appendix import approaches_per_outcome
from tcmap.analysis.constituents import constituents
from tcmap.analysis.coverage import coverage
from tcmap.analysis.integration import integration, isolated_training
from tcmap.analysis.shares import capacity_share_of
from tcmap.analysis.snapshot import Frozen
from tcmap.analysis.synergy import scatter_index, synergy
from tcmap.analysis.trust import model_quality, trust
from tcmap.report import charts
from tcmap.report.proposals import proposals
from tcmap.taxonomy import Framework

CONSTITUENTS = ("government", "employers_org", "workers_org")
LEVELS = ("individual", "organizational", "enabling_environment")


def _matrix_svg(cov: dict[str, Any], title: str, label=str) -> str:
    m = cov["matrices"][0]
    rows = [r["code"] for r in cov["rows"]]
    cols = [c["code"] for c in cov["cols"]]
    counts = {(c["row"], c["col"]): c["count"] for c in m["cells"]}
    used_cols = [c for c in cols if any(counts.get((r, c), 0) for r in rows)]
    values = [[counts.get((r, c), 0) for c in used_cols] for r in rows]
    return charts.heatmap(rows, used_cols, values, title,
                          col_labels=[label(c) for c in used_cols])


def _label(code: str) -> str:
    return code.replace("_", " ")


def _money(cov: dict[str, Any]) -> dict[str, Any]:
    """Budgets of capacity-development activities per outcome, per currency or converted."""
    m = cov["matrices"][0]
    converted = cov["converted"]
    if converted:
        columns = [cov["reporting"]]
        def amounts(t):
            return {cov["reporting"]: t.get("amount") or 0.0}
    else:
        columns = sorted(cov.get("currencies", []),
                         key=lambda c: -(m["total"].get("amounts") or {}).get(c, 0))[:4]
        def amounts(t):
            return t.get("amounts") or {}
    rows = [{"outcome": t["row"], "activities": t["count"], "with_budget": t["with_budget"],
             "amounts": [round(amounts(t).get(c, 0.0)) for c in columns]}
            for t in m["row_totals"] if t["count"]]
    total = m["total"]
    return {"converted": converted, "reporting": cov.get("reporting"), "columns": columns,
            "all_currencies": cov.get("currencies", []), "rows": rows,
            "total": [round(amounts(total).get(c, 0.0)) for c in columns],
            "with_budget": total["with_budget"], "activities": total["count"]}


def build_content(frozen: Frozen, framework: Framework, rates=None,
                  organisation: str = "International Labour Office",
                  quality: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's content: sections, figures, tables, proposals, appendix, methods."""
    frame = frozen.frame
    quality = quality if quality is not None else model_quality(framework.code)
    n = len(frame)
    wow = [a for a in frame if a.world_of_work]
    capdev = [a for a in frame if a.capacity_development]
    share = capacity_share_of(frame, framework)
    cov_mod = coverage(frame, framework, "outcomes", "modalities", rates=rates,
                       only_capacity=True)
    cov_lvl = coverage(frame, framework, "outcomes", "capacity_levels", only_capacity=True)
    cov_grp = coverage(frame, framework, "outcomes", "target_groups", only_capacity=True)
    integ = integration(frame, framework, by="outcome")
    integ_country = integration(frame, framework, by="country")
    isolated = isolated_training(frame, framework)
    syn = synergy(frame, framework)
    scatter = scatter_index(frame, framework)
    const = constituents(frame, framework, by="outcome")
    const_country = constituents(frame, framework, by="country")
    tr = trust(frame, framework, quality)
    level_counts = {lv: sum(lv in a.capacity_levels for a in capdev) for lv in LEVELS}
    by_country: dict[str, int] = {}
    for a in capdev:
        for code, _ in a.countries:
            by_country[code] = by_country.get(code, 0) + 1
    top_countries = sorted(by_country.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    group_counts = {g: sum(g in a.target_groups for a in capdev) for g in CONSTITUENTS}
    content = {
        "meta": {
            "organisation": organisation,
            "title": "Mapping of technical cooperation approaches to capacity development",
            "docref": f"tcmap/{frozen.name}",
            "date": frozen.created_at[:10],
            "snapshot": frozen.header(),
            "framework": {"code": framework.code, "title": framework.title,
                          "version": framework.version},
        },
        "portfolio": {
            "activities": n, "world_of_work": len(wow), "capacity_development": len(capdev),
            "share": share["overall"],
            "heatmap": _matrix_svg(cov_mod, "Capacity-development activities by outcome and "
                                   "modality", _label),
            "levels_heatmap": _matrix_svg(cov_lvl, "By outcome and capacity level", _label),
            "groups_heatmap": _matrix_svg(cov_grp, "By outcome and target group", _label),
            "levels_bars": charts.bars([_label(x) for x in LEVELS],
                                       [("activities", [level_counts[x] for x in LEVELS])],
                                       "Capacity levels"),
            "constituents_bars": charts.bars(
                ["government", "employers' organizations", "workers' organizations"],
                [("activities", [group_counts[x] for x in CONSTITUENTS])], "Constituents"),
            "countries_bars": charts.bars([c for c, _ in top_countries],
                                          [("activities", [n for _, n in top_countries])],
                                          "Countries with most capacity-development activities"),
            "coverage_notes": cov_mod["notes"],
            "money": _money(cov_lvl),
        },
        "integration": {"by_outcome": integ, "by_country": integ_country,
                        "isolated": isolated},
        "synergy": {"pairs": syn, "scatter": scatter},
        "constituents": {"by_outcome": const, "by_country": const_country},
        "trust": tr,
        "quality": quality,
        "appendix": approaches_per_outcome(frame, framework),
        # Programmes and results, assessments, appraisals, training: frozen with the snapshot.
        "sections": frozen.sections,
    }
    content["proposals"] = proposals(content)
    return content
