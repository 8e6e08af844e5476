"""The results chain of a programme: a typed graph built from its outcomes, outputs and activities.

activity → output (one capacity level) → capacity outcome (a WBI learning outcome) →
institutional change → country programme outcome → framework outcome. Building is
idempotent: nodes and links derived from the programme are made or refreshed; those a
person added, or that carry indicators or an assumption, are kept even when no longer
derived (then flagged as stale by the checks). Links carry an assumption and a risk.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import NotFoundError, ReviewError
from tcmap.results.history import apply_changes, check_version, need_author, record
from tcmap.results.reference import allowed_links, learning_outcomes, results_model
from tcmap.store import Activity, Tag
from tcmap.store.base import utcnow
from tcmap.store.programme import (
    ActivityOutcomeLink,
    CapacityIndicator,
    ChainLink,
    ChainNode,
    Programme,
)
from tcmap.taxonomy import load_framework

Key = tuple[str, str]  # (node type, key)
LINK_FIELDS = ("assumption", "risk", "risk_rating")


def _slug(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())[:250]


def _activity_tags(session: Session, ids: list[int]) -> dict[int, dict[str, set[str]]]:
    out: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if ids:
        for aid, dim, code in session.execute(
                select(Tag.activity_id, Tag.dimension, Tag.code).where(
                    Tag.activity_id.in_(ids), Tag.review_state != "rejected",
                    Tag.dimension.in_(("capacity_levels", "target_groups")))):
            out[aid][dim].add(code)
    return out


def _derive(session: Session, p: Programme) -> tuple[dict[Key, dict], dict[tuple[Key, Key], str]]:
    """The nodes and links the programme's data imply, with a note on each derived link."""
    fw = load_framework(p.framework)
    los = learning_outcomes()
    nodes: dict[Key, dict] = {}
    links: dict[tuple[Key, Key], str] = {}

    def node(kind: str, key: str, label: str, level: str | None = None,
             lo: str | None = None) -> Key:
        nodes.setdefault((kind, key), {"label": label, "capacity_level": level,
                                       "learning_outcome": lo})
        return (kind, key)

    outcome_ids = {o.id: o for o in p.outcomes}
    rows = session.execute(select(ActivityOutcomeLink, Activity.iati_identifier, Activity.title)
                           .join(Activity, Activity.id == ActivityOutcomeLink.activity_id)
                           .where(ActivityOutcomeLink.outcome_id.in_(outcome_ids),
                                  ActivityOutcomeLink.state == "linked")).all()
    tags = _activity_tags(session, [r[0].activity_id for r in rows])
    for o in p.outcomes:
        cpo = node("programme_outcome", o.code, o.statement)
        if o.framework_outcome:
            title = (fw.outcomes.codes[o.framework_outcome].title
                     if o.framework_outcome in fw.outcomes else "")
            links[(cpo, node("framework_outcome", o.framework_outcome, title))] = "declared"
        for out in o.outputs:
            tail = node("output", out.code, out.statement, out.capacity_level)
            if out.learning_outcome:
                title = los[out.learning_outcome]["title"] if out.learning_outcome in los else ""
                who = f" ({out.constituent})" if out.constituent else ""
                co = node("capacity_outcome", f"{out.code}:{out.learning_outcome}",
                          f"{title}{who}", out.capacity_level, out.learning_outcome)
                links[(tail, co)] = "declared"
                tail = co
            change = None
            if out.institutional_change:
                change = node("institutional_change", _slug(out.institutional_change),
                              out.institutional_change.strip())
            elif out.capacity_level != "individual":
                change = node("institutional_change", out.code, out.statement,
                              out.capacity_level)
            if change:
                links[(tail, change)] = "declared"
                links[(change, cpo)] = "declared"
            else:
                links[(tail, cpo)] = "declared"
    for link, ident, title in rows:
        o = outcome_ids[link.outcome_id]
        act = node("activity", ident, title or ident)
        if link.output_id is not None:
            targets = [x for x in o.outputs if x.id == link.output_id]
            how = "declared"
        else:
            t = tags.get(link.activity_id, {})
            groups = t.get("target_groups", set())
            targets = [x for x in o.outputs if x.capacity_level in t.get("capacity_levels", ())
                       and (not x.constituent or not groups or x.constituent in groups)]
            how = "matched by the activity's capacity level and constituent tags"
        for x in targets:
            links[(act, ("output", x.code))] = how
    return nodes, links


def build_chain(session: Session, code: str, by: str = "builder") -> dict[str, Any]:
    """Make the programme's chain follow its data; return counts of what changed."""
    from tcmap.results.programmes import get_programme

    p = get_programme(session, code)
    want_nodes, want_links = _derive(session, p)
    have = {(n.type, n.key): n for n in session.scalars(
        select(ChainNode).where(ChainNode.programme_id == p.id))}
    counts = {"nodes_added": 0, "nodes_removed": 0, "links_added": 0, "links_removed": 0}
    for k, attrs in want_nodes.items():
        n = have.get(k)
        if n is None:
            n = have[k] = ChainNode(programme_id=p.id, type=k[0], key=k[1], origin="built",
                                    created_at=utcnow(), **attrs)
            session.add(n)
            counts["nodes_added"] += 1
        else:
            n.label, n.capacity_level = attrs["label"], attrs["capacity_level"]
            n.learning_outcome = attrs["learning_outcome"]
        n.derived = True
    session.flush()
    links = {(lk.from_id, lk.to_id): lk for lk in session.scalars(
        select(ChainLink).where(ChainLink.programme_id == p.id))}
    wanted_ids = set()
    for (a, b), how in want_links.items():
        pair = (have[a].id, have[b].id)
        wanted_ids.add(pair)
        lk = links.get(pair)
        if lk is None:
            session.add(ChainLink(programme_id=p.id, from_id=pair[0], to_id=pair[1],
                                  origin="built", derived=True, updated_by=by,
                                  updated_at=utcnow(), assumption=None if how == "declared"
                                  else f"Built: {how}."))
            counts["links_added"] += 1
        else:
            lk.derived = True
    with_indicators = set(session.scalars(select(CapacityIndicator.node_id).where(
        CapacityIndicator.programme_id == p.id)))
    for pair, lk in links.items():
        if pair in wanted_ids or lk.origin == "person":
            continue
        if lk.assumption and not lk.assumption.startswith("Built:") or lk.risk:
            lk.derived = False  # a person wrote on it: keep it, flagged as stale
        else:
            session.delete(lk)
            counts["links_removed"] += 1
    person_ends = {x for pair, lk in links.items() if lk.origin == "person" for x in pair}
    for k, n in have.items():
        if k in want_nodes or n.origin == "person":
            continue
        if n.id in with_indicators or n.id in person_ends:
            n.derived = False
        else:
            session.delete(n)
            counts["nodes_removed"] += 1
    session.flush()
    return {"programme": p.code, **counts}


def find_node(session: Session, programme: Programme, ref: str) -> ChainNode:
    """A node by 'type:key' or by a key that only one node type has."""
    kind, sep, key = ref.partition(":")
    q = select(ChainNode).where(ChainNode.programme_id == programme.id)
    if sep and kind in results_model()["node_types"]:
        found = list(session.scalars(q.where(ChainNode.type == kind, ChainNode.key == key)))
    else:
        found = list(session.scalars(q.where(ChainNode.key == ref)))
    if len(found) == 1:
        return found[0]
    hint = (f"See the nodes with `tcmap chain show {programme.code}`; write TYPE:KEY, e.g. "
            "output:KEN101.1 or programme_outcome:KEN101.")
    if not found:
        raise NotFoundError(f"Programme {programme.code} has no chain node {ref!r}.", hint=hint)
    raise ReviewError(f"{ref!r} names {len(found)} nodes ({', '.join(n.type for n in found)}).",
                      hint=hint)


def _link_dict(lk: ChainLink, nodes: dict[int, ChainNode]) -> dict[str, Any]:
    a, b = nodes[lk.from_id], nodes[lk.to_id]
    return {"id": lk.id, "from": f"{a.type}:{a.key}", "to": f"{b.type}:{b.key}",
            "assumption": lk.assumption, "risk": lk.risk, "risk_rating": lk.risk_rating,
            "origin": lk.origin, "derived": lk.derived, "version": lk.version,
            "updated_by": lk.updated_by}


def add_link(session: Session, code: str, from_ref: str, to_ref: str, by: str,
             assumption: str | None = None, risk: str | None = None,
             risk_rating: str | None = None) -> dict[str, Any]:
    """A person links two nodes (allowed types only), with an assumption and a risk."""
    from tcmap.results.programmes import get_programme

    by = need_author(by)
    p = get_programme(session, code)
    a, b = find_node(session, p, from_ref), find_node(session, p, to_ref)
    if b.type not in allowed_links(a.type):
        raise ReviewError(f"A {a.type} cannot link to a {b.type}.",
                          hint=f"A {a.type} links to: {', '.join(allowed_links(a.type)) or '-'}.")
    _check_rating(risk_rating)
    lk = session.scalar(select(ChainLink).where(ChainLink.from_id == a.id,
                                                ChainLink.to_id == b.id))
    if lk is None:
        lk = ChainLink(programme_id=p.id, from_id=a.id, to_id=b.id, origin="person",
                       derived=False, version=1, updated_by=by, updated_at=utcnow())
        session.add(lk)
    lk.origin, lk.assumption, lk.risk, lk.risk_rating = "person", assumption, risk, risk_rating
    session.flush()
    nodes = {a.id: a, b.id: b}
    record(session, p.id, "chain_link", lk.id, "linked", by, None, _link_dict(lk, nodes))
    return _link_dict(lk, nodes)


def _check_rating(rating: str | None) -> None:
    if rating is not None and rating not in results_model()["risk_ratings"]:
        raise ReviewError(f"No risk rating {rating!r}.",
                          hint=f"Ratings: {', '.join(results_model()['risk_ratings'])}.")


def edit_link(session: Session, link_id: int, changes: dict[str, Any], by: str,
              expected_version: int | None = None) -> dict[str, Any]:
    """Change a link's assumption, risk or risk rating."""
    by = need_author(by)
    lk = session.get(ChainLink, link_id)
    if lk is None:
        raise NotFoundError(f"No chain link {link_id}.", hint="See them with `tcmap chain show`.")
    bad = sorted(set(changes) - set(LINK_FIELDS))
    if bad:
        raise ReviewError(f"A link has no field {', '.join(bad)}.",
                          hint=f"Fields: {', '.join(LINK_FIELDS)}.")
    _check_rating(changes.get("risk_rating"))
    nodes = {n.id: n for n in session.scalars(select(ChainNode).where(
        ChainNode.id.in_((lk.from_id, lk.to_id))))}
    check_version(lk, expected_version, f"Chain link {link_id}", _link_dict(lk, nodes))
    before, after = apply_changes(lk, changes, by)
    if before:
        record(session, lk.programme_id, "chain_link", lk.id, "edited", by, before, after)
    return _link_dict(lk, nodes)


def graph(session: Session, programme: Programme) -> tuple[dict[int, ChainNode], list[ChainLink]]:
    nodes = {n.id: n for n in session.scalars(
        select(ChainNode).where(ChainNode.programme_id == programme.id))}
    links = list(session.scalars(select(ChainLink).where(
        ChainLink.programme_id == programme.id).order_by(ChainLink.id)))
    return nodes, links


def chain_view(session: Session, code: str) -> dict[str, Any]:
    """The chain as nodes, links and a tree from the framework outcomes down."""
    from tcmap.results.programmes import get_programme

    p = get_programme(session, code)
    nodes, links = graph(session, p)
    counts: dict[int, int] = defaultdict(int)
    for nid in session.scalars(select(CapacityIndicator.node_id).where(
            CapacityIndicator.programme_id == p.id)):
        counts[nid] += 1
    up: dict[int, list[ChainLink]] = defaultdict(list)
    down: dict[int, list[ChainLink]] = defaultdict(list)
    for lk in links:
        up[lk.from_id].append(lk)
        down[lk.to_id].append(lk)
    order = {t: v["order"] for t, v in results_model()["node_types"].items()}

    def node_dict(n: ChainNode) -> dict[str, Any]:
        return {"id": n.id, "ref": f"{n.type}:{n.key}", "type": n.type, "key": n.key,
                "label": n.label, "capacity_level": n.capacity_level,
                "learning_outcome": n.learning_outcome, "origin": n.origin,
                "derived": n.derived, "indicators": counts[n.id]}

    def tree(n: ChainNode, via: ChainLink | None, seen: frozenset[int]) -> dict[str, Any]:
        kids = sorted(down[n.id], key=lambda lk: (order[nodes[lk.from_id].type],
                                                  nodes[lk.from_id].key))
        return {**node_dict(n), "link": _link_dict(via, nodes) if via else None,
                "children": [tree(nodes[lk.from_id], lk, seen | {n.id}) for lk in kids
                             if lk.from_id not in seen]}

    roots = sorted((n for n in nodes.values() if not up[n.id]),
                   key=lambda n: (-order[n.type], n.key))
    return {"programme": p.code, "title": f"Results chain of {p.code}",
            "nodes": [node_dict(n) for n in sorted(nodes.values(),
                                                    key=lambda n: (order[n.type], n.key))],
            "links": [_link_dict(lk, nodes) for lk in links],
            "tree": [tree(n, None, frozenset()) for n in roots]}
