"""What the governing-body report says about country programmes, results chains and indicators.

`report_section(session, framework)` returns one dict (programmes with their capacity
outputs, chain-check counts, indicators with their aggregated figures and the values behind
them); `render_section(dict)` renders it with the partial `templates/report_section.html.j2`,
which the report can also include directly (it reads the variable `section`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.appraisal.gate import gate_programmes
from tcmap.results import aggregate
from tcmap.results.chain import chain_view
from tcmap.results.checks import CHECKS, check_chain
from tcmap.results.programmes import get_programme, list_programmes, programme_detail
from tcmap.results.reference import CAPACITY_LEVELS, results_model
from tcmap.results.values import indicator_figure, library_figures, points, progress
from tcmap.store.programme import CapacityIndicator, ChainNode, Programme, ProgrammeOutcome
from tcmap.taxonomy import Framework, load_framework

MAX_INDICATORS = 40
MAX_BEHIND = 12  # values listed under a figure in print; the JSON keeps them all


def _indicator_rows(session: Session, programme_ids: dict[int, str]) -> list[dict[str, Any]]:
    inds = list(session.scalars(select(CapacityIndicator).where(
        CapacityIndicator.programme_id.in_(programme_ids)).order_by(
        CapacityIndicator.programme_id, CapacityIndicator.code)))
    nodes = {n.id: n for n in session.scalars(select(ChainNode).where(
        ChainNode.id.in_({i.node_id for i in inds})))}
    pts = points(session, inds)
    rows = []
    for i in inds:
        cell_rule = results_model()["measures"][i.measure]["across_cells"]
        fig = aggregate.over_periods(pts[i.id], i.across_periods, cell_rule)
        n = nodes[i.node_id]
        d = fig.to_dict()
        for b in d["behind"]:
            b["period"] = period_label(b["period_start"], b["period_end"])
        rows.append({"programme": programme_ids[i.programme_id], "code": i.code,
                     "title": i.title, "node": f"{n.type}:{n.key}", "node_label": n.label,
                     "node_type": n.type, "result_level": i.result_level,
                     "capacity_level": i.capacity_level, "measure": i.measure,
                     "unit": i.unit or ("%" if i.measure == "percent" else None),
                     "across_periods": i.across_periods,
                     "baseline": i.baseline, "value": d["value"], "target": d["target"],
                     "numerator": d["numerator"], "denominator": d["denominator"],
                     "progress": progress(i, fig), "values_used": d["values_used"],
                     "not_approved": sum(b["approval"] != "approved" for b in d["behind"]),
                     "behind": d["behind"], "ignored": len(d["ignored"])})
    return rows


def report_section(session: Session, framework: Framework | str | None = None
                   ) -> dict[str, Any]:
    """The report's section on country programmes, results chains and capacity indicators."""
    fw = framework if isinstance(framework, Framework) else load_framework(
        framework or "ilo-spf-2010-15")
    progs = list_programmes(session)["programmes"]
    checks_total: Counter = Counter()
    for p in progs:
        counts = check_chain(session, p["code"])["counts"]
        p["checks"] = counts
        p["warnings"] = sum(counts.values())
        checks_total.update(counts)
    ids = {p.id: p.code for p in session.scalars(select(Programme))}
    indicators = _indicator_rows(session, ids)
    by_outcome: dict[str, dict[str, Any]] = defaultdict(lambda: {"programmes": set(),
                                                                 "outcomes": 0})
    for pid, fo in session.execute(select(ProgrammeOutcome.programme_id,
                                          ProgrammeOutcome.framework_outcome)):
        key = fo or "none"
        by_outcome[key]["programmes"].add(pid)
        by_outcome[key]["outcomes"] += 1
    outcomes = [{"code": code, "title": fw.outcomes.codes[code].title
                 if code in fw.outcomes else "No framework outcome",
                 "programmes": len(v["programmes"]), "outcomes": v["outcomes"]}
                for code, v in sorted(by_outcome.items(), key=lambda kv: _order(kv[0]))]
    levels = Counter()
    for p in progs:
        levels.update(p["outputs_by_level"])
    with_capacity = sum(1 for p in progs if p["outputs"])
    pooled = library_figures(session)
    not_approved = sum(r["not_approved"] for r in indicators)
    return {
        "title": "Country programmes, results chains and capacity indicators",
        "framework": fw.code,
        "programmes": progs,
        "totals": {"programmes": len(progs),
                   "with_capacity_outputs": with_capacity,
                   "outcomes": sum(p["outcomes"] for p in progs),
                   "outputs": sum(p["outputs"] for p in progs),
                   "outputs_by_level": {lv: levels.get(lv, 0) for lv in CAPACITY_LEVELS},
                   "activities": sum(p["activities"] for p in progs),
                   "indicators": len(indicators),
                   "values_not_approved": not_approved},
        "checks": {c: checks_total.get(c, 0) for c in CHECKS},
        "framework_outcomes": outcomes,
        "indicators": indicators[:MAX_INDICATORS],
        "indicators_not_listed": max(0, len(indicators) - MAX_INDICATORS),
        "pooled": pooled,
        "max_behind": MAX_BEHIND,
        "gate": gate_programmes(session),
    }


def programme_overview(session: Session, code: str) -> dict[str, Any]:
    """Everything about one programme: outcomes, outputs, linked activities, the chain, its
    checks, and its indicators with their figures and the values behind them."""
    p = get_programme(session, code)
    d = programme_detail(session, code)
    d["chain"] = chain_view(session, code)
    d["checks"] = check_chain(session, code)
    d["indicators"] = [indicator_figure(session, i) for i in session.scalars(
        select(CapacityIndicator.id).where(CapacityIndicator.programme_id == p.id)
        .order_by(CapacityIndicator.code))]
    d["pooled"] = library_figures(session, p.id)
    return d


def period_label(start: str, end: str) -> str:
    """'2013' for a calendar year, else 'start–end'."""
    if start[:4] == end[:4] and start[5:] == "01-01" and end[5:] == "12-31":
        return start[:4]
    return f"{start}–{end}"


def _order(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else 10**6, code)


def render_section(section: dict[str, Any]) -> str:
    """The section as HTML, as the governing-body report renders it (its numbering from 1)."""
    from tcmap.report import Numbers, _env

    return _env().get_template("results/report_section.html.j2").render(
        section=section, num=Numbers())
