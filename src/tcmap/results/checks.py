"""Checks of a programme's results chain; they return warnings and never raise.

- an individual-level output with no path to an institutional or enabling-environment
  change (training that stands alone: the paper's pairing principle);
- an individual-level output with no learning outcome (what the people trained will do);
- a programme outcome with no framework outcome;
- a chain (an output up to its outcome, or an outcome with no output) with no indicator;
- an output no activity delivers, an activity linked to an outcome but to none of its outputs;
- nodes and links no longer derived from the programme but kept (they carry indicators or
  a person's text).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import Problem
from tcmap.results.chain import graph
from tcmap.store.programme import CapacityIndicator, ChainNode

CHECKS = ("individual-output-unpaired", "individual-output-without-learning-outcome",
          "outcome-without-framework-outcome", "chain-without-indicator",
          "output-without-activity", "activity-not-on-chain", "stale-chain-element")


def _warn(code: str, node: ChainNode, message: str) -> dict[str, Any]:
    d = Problem.make(code, message=message, field=node.type, value=node.key).to_dict()
    return {**d, "node": f"{node.type}:{node.key}", "label": node.label}


def check_chain(session: Session, code: str) -> dict[str, Any]:
    """The warnings of a programme's chain, with a count per check."""
    from tcmap.results.programmes import get_programme

    p = get_programme(session, code)
    nodes, links = graph(session, p)
    up: dict[int, set[int]] = defaultdict(set)
    down: dict[int, set[int]] = defaultdict(set)
    for lk in links:
        up[lk.from_id].add(lk.to_id)
        down[lk.to_id].add(lk.from_id)
    measured = set(session.scalars(select(CapacityIndicator.node_id).where(
        CapacityIndicator.programme_id == p.id)))

    def reach(start: int, edges: dict[int, set[int]]) -> set[int]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in edges[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    warnings: list[dict[str, Any]] = []
    for n in sorted(nodes.values(), key=lambda n: (n.type, n.key)):
        above = reach(n.id, up)
        types_above = {nodes[i].type for i in above}
        if n.type == "output":
            if n.capacity_level == "individual":
                if "institutional_change" not in types_above:
                    warnings.append(_warn("individual-output-unpaired", n, (
                        f"Output {n.key} builds individuals' capacity but leads to no "
                        "institutional or enabling-environment change.")))
                if "capacity_outcome" not in types_above:
                    warnings.append(_warn("individual-output-without-learning-outcome", n, (
                        f"Output {n.key} names no learning outcome: what will the people it "
                        "reaches be able or disposed to do?")))
            if not any(nodes[i].type == "activity" for i in down[n.id]):
                warnings.append(_warn("output-without-activity", n, (
                    f"No activity linked to the programme delivers output {n.key}.")))
            # The chain of an output: the activities feeding it and every node up to its
            # programme outcome (the framework outcome is shared and measured elsewhere).
            chain = {i for i in above if nodes[i].type != "framework_outcome"}
            chain |= {i for i in down[n.id]}
            if not chain & measured:
                warnings.append(_warn("chain-without-indicator", n, (
                    f"No indicator measures the chain from output {n.key} up to its outcome.")))
        elif n.type == "programme_outcome":
            if "framework_outcome" not in types_above:
                warnings.append(_warn("outcome-without-framework-outcome", n, (
                    f"Programme outcome {n.key} is linked to no framework outcome.")))
            if not any(nodes[i].type != "framework_outcome" for i in down[n.id]) and (
                    n.id not in measured):
                warnings.append(_warn("chain-without-indicator", n, (
                    f"Programme outcome {n.key} has no output and no indicator.")))
        elif n.type == "activity" and not up[n.id]:
            warnings.append(_warn("activity-not-on-chain", n, (
                f"Activity {n.key} is linked to the programme but to none of its outputs.")))
        if not n.derived and n.origin == "built":
            warnings.append(_warn("stale-chain-element", n, (
                f"{n.type.replace('_', ' ').capitalize()} {n.key} no longer follows from the "
                "programme; it was kept because indicators or a person's links use it.")))
    for lk in links:
        if not lk.derived and lk.origin == "built":
            a, b = nodes[lk.from_id], nodes[lk.to_id]
            warnings.append(_warn("stale-chain-element", a, (
                f"The link {a.type}:{a.key} → {b.type}:{b.key} no longer follows from the "
                "programme; it was kept because it carries an assumption or a risk.")))
    counts = Counter(w["code"] for w in warnings)
    return {"programme": p.code, "nodes": len(nodes), "links": len(links),
            "warnings": warnings, "counts": {c: counts.get(c, 0) for c in CHECKS},
            "ok": not warnings}
