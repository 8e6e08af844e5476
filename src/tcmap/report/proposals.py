"""Proposals for the governing body, each a sentence generated from a measured gap and citing
the figure (and the section) it comes from. Nothing here is written by hand per client."""

from __future__ import annotations

from typing import Any

_CONSTITUENT = {"government": "governments", "employers_org": "employers' organizations",
                "workers_org": "workers' organizations"}


def _pct(x: float | None) -> str:
    if x is None:
        return "–"
    if 0 < x < 0.01:
        return f"{100 * x:.1f} per cent"  # a small share must not read as none
    return f"{100 * x:.0f} per cent"


def _names(items: list[str], n: int = 4) -> str:
    items = list(items)
    if len(items) <= n:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] \
            if items else ""
    return ", ".join(items[:n]) + f" and {len(items) - n} more"


def proposals(content: dict[str, Any]) -> list[dict[str, str]]:
    """Sentences with the figure each rests on, strongest gaps first."""
    out: list[dict[str, str]] = []
    integ = content["integration"]["by_outcome"]
    overall = integ["overall"]
    one = overall["levels"]["one"]
    if overall["activities"]:
        weak = sorted((g for g in integ["groups"] if g["activities"] >= 3),
                      key=lambda g: -g["levels"]["one"]["share"])[:3]
        out.append({
            "section": "integration",
            "text": f"Pair capacity development for individuals with institutional and "
                    f"enabling-environment work: {one['count']} of {overall['activities']} "
                    f"capacity-development activities ({_pct(one['share'])}) work at a single "
                    "level; the share is highest for "
                    + _names([f"{g['outcome']} ({_pct(g['levels']['one']['share'])})"
                              for g in weak]) + ".",
        })
    isolated = content["integration"]["isolated"]["clusters"]
    if isolated:
        out.append({
            "section": "integration",
            "text": f"Review the {len(isolated)} country-outcome "
                    f"cluster{'s' if len(isolated) != 1 else ''} where individual "
                    "training stands alone, starting with "
                    + _names([f"{c['country']}/{c['outcome']} ({c['count']} activities)"
                              for c in isolated[:3]]) + ".",
        })
    summary = content["synergy"]["pairs"]["summary"]
    statements = {p["id"]: p for p in content["synergy"]["pairs"]["pairs"]}
    gaps = sorted(((pid, s["missing_b"]["count"]) for pid, s in summary.items()),
                  key=lambda x: -x[1])
    for pid, missing in gaps[:2]:
        if not missing:
            continue
        p = statements[pid]
        paired = summary[pid]["paired"]["count"]
        out.append({
            "section": "synergy",
            "text": f"Complete the pairing '{p['a']['label']}' with '{p['b']['label']}': "
                    f"{missing} country-outcome clusters have the first without the second "
                    f"({paired} are paired), for example "
                    + _names(summary[pid]["missing_b"]["clusters"][:3], 3) + ".",
        })
    scatter = [c for c in content["synergy"]["scatter"]["clusters"] if c["scatter_index"] > 0]
    if scatter:
        top = scatter[:3]
        out.append({
            "section": "synergy",
            "text": "Consolidate scattered work into programmes where many small, "
                    "single-modality activities serve one outcome in one country: "
                    + _names([f"{c['country']}/{c['outcome']} (index {c['scatter_index']:.2f}, "
                              f"{c['activities']} activities)" for c in top]) + ".",
        })
    const = content["constituents"]["by_outcome"]
    for group in ("employers_org", "workers_org"):
        left = const["left_out"].get(group) or []
        if left:
            out.append({
                "section": "constituents",
                "text": f"Involve {_CONSTITUENT[group]} in capacity development for "
                        + _names(left) + f": none of the portfolio's activities under "
                        f"{'this outcome' if len(left) == 1 else 'these outcomes'} targets them.",
            })
    tri = const["overall"]["tripartite"]
    out.append({
        "section": "constituents",
        "text": f"Use tripartite settings more: {tri['count']} of "
                f"{const['overall']['activities']} capacity-development activities "
                f"({_pct(tri['share'])}) develop the capacity of governments, employers' and "
                "workers' organizations together.",
    })
    machine = [d for d in content["trust"]["dimensions"] if d["machine_only_share"] > 0.9]
    if machine:
        out.append({
            "section": "methods",
            "text": "Have analysts review the mapping before figures are used for decisions: "
                    + _names([d["dimension"].replace("_", " ") for d in machine])
                    + " are over 90 per cent machine-only.",
        })
    return out
