"""Classify the stored portfolio and write the result as Tags, batch by batch.

Documents are read with a few set-based queries per batch (not one activity at a time), the
classifier runs on them, and the tags are merged with what is stored: people's decisions are
never touched (tcmap.review.apply_machine_tags). Each batch is its own transaction, so a run
that is stopped can simply be run again.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import func, literal, select, tuple_

from tcmap.classify.classifier import Classifier
from tcmap.classify.document import _READ, Document, Segment, _field_name, _lang
from tcmap.store import (
    Activity,
    Narrative,
    ParticipatingOrg,
    PolicyMarker,
    Sector,
    Store,
)
from tcmap.store.base import utcnow

# The tables themselves: classifying reads and writes with Core statements only, so a run
# never pays for setting up the ORM's mappers (about 50 ms, in every process).
_ACTIVITY, _NARRATIVE, _SECTOR, _ORG, _MARKER = (
    m.__table__.c for m in (Activity, Narrative, Sector, ParticipatingOrg, PolicyMarker))


def load_documents(session, ids: list[int], detect: bool,
                   limit: int | None = None) -> dict[int, Document]:
    """The Documents of the activities with these ids, read with one query per part; with
    `limit`, the first `limit` characters of each narrative (and its full length)."""
    conn = session.connection()
    docs = {
        aid: Document(identifier, aid_type=aid_type, reporting_org=reporting_org)
        for aid, identifier, aid_type, reporting_org in _rows(conn, select(
            _ACTIVITY.id, _ACTIVITY.iati_identifier, _ACTIVITY.default_aid_type,
            _ACTIVITY.reporting_org_ref).where(_ACTIVITY.id.in_(ids)))
    }
    text = _NARRATIVE.text if limit is None else func.substr(_NARRATIVE.text, 1, limit)
    size = literal(0) if limit is None else func.length(_NARRATIVE.text)
    names: dict[tuple, str] = {}  # (owner, field, kind) -> the segment's field name
    for aid, owner, fld, kind, lang, txt, n in _rows(conn, (
        select(_NARRATIVE.activity_id, _NARRATIVE.owner, _NARRATIVE.field, _NARRATIVE.kind,
               _NARRATIVE.lang, text, size)
        .where(_NARRATIVE.activity_id.in_(ids),
               tuple_(_NARRATIVE.owner, _NARRATIVE.field).in_(sorted(_READ)))
        .order_by(_NARRATIVE.activity_id, _NARRATIVE.seq))):
        name = names.get((owner, fld, kind))
        if name is None:
            name = names[(owner, fld, kind)] = _field_name(owner, fld, kind)
        docs[aid].segments.append(Segment(name, _lang(txt, lang, detect), txt, n))
    for aid, vocabulary, code in _rows(conn, select(
            _SECTOR.activity_id, _SECTOR.vocabulary, _SECTOR.code)
            .where(_SECTOR.activity_id.in_(ids)).order_by(_SECTOR.seq)):
        docs[aid].sectors.append((vocabulary or "1", code))
    for aid, role, kind, ref, name in _rows(conn, select(
            _ORG.activity_id, _ORG.role, _ORG.type,
            _ORG.ref, _ORG.name)
            .where(_ORG.activity_id.in_(ids)).order_by(_ORG.seq)):
        docs[aid].orgs.append({"role": role, "type": kind, "ref": ref, "name": name})
    for aid, code, significance in _rows(conn, select(
            _MARKER.activity_id, _MARKER.code, _MARKER.significance)
            .where(_MARKER.activity_id.in_(ids))):
        docs[aid].policy_markers.append((code, significance))
    return docs


def _rows(conn, statement) -> list[tuple]:
    """The rows of a Core select as the driver's plain tuples, on the connection's own
    cursor (in its transaction). The statement is compiled with its values written in: they
    are ids and fixed names here, and a batch reads tens of thousands of rows, for which
    SQLAlchemy's Row objects cost as much again as the query (every column read here comes
    back from the driver as the Python value it stands for)."""
    sql = str(statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def classify_store(
    store: Store, classifier: Classifier, batch_size: int = 500,
    progress: Callable[[int], None] | None = None, identifiers: list[str] | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Classify every stored activity (or those named) and merge the tags; return counts.

    With `workers` > 1 (and a database other processes can open), batches are read,
    classified and written by that many processes at once: classifying one activity is a
    pure function of the activity and the model, and each batch is its own transaction.
    """
    with store.session() as s:
        q = select(_ACTIVITY.id).order_by(_ACTIVITY.id)
        if identifiers:
            q = q.where(_ACTIVITY.iati_identifier.in_(identifiers))
        all_ids = list(s.connection().execute(q).scalars())
    parallel = workers > 1 and len(all_ids) > batch_size and store.shareable
    batches = _batches(all_ids, batch_size, workers if parallel else 1)
    totals: dict[str, int] = defaultdict(int)
    with fewer_collections():
        if parallel:
            from tcmap.parallel import classify_in_workers

            results = classify_in_workers(store, classifier, batches, workers, progress)
        else:
            results = []
            for ids in batches:
                results.append(classify_batch(store, classifier, ids))
                if progress:
                    progress(len(ids))
    for counts in results:
        for k, v in counts.items():
            totals[k] += v
    return {"framework": classifier.framework.code, "model_version": classifier.version,
            "mode": classifier.mode, **dict(totals)}


def _batches(ids: list[int], size: int, workers: int) -> list[list[int]]:
    """Batches of `size`; for several workers the last ones smaller (a share of what is
    left), so that the workers finish together rather than one waiting for the other's last
    full batch."""
    out, i = [], 0
    while i < len(ids):
        left = len(ids) - i
        step = size if workers == 1 else min(size, max(-(-left // (2 * workers)), 50))
        out.append(ids[i:i + step])
        i += step
    return out


@contextmanager
def fewer_collections():
    """Classifying makes many small objects that live for one batch; Python's cycle collector
    would scan everything already loaded (the model, the lexicon) over and over as they come
    and go. Set what exists aside and collect less often, for the run (and its workers,
    which inherit it)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def classify_batch(store: Store, classifier: Classifier, ids: list[int],
                   write_lock=None) -> dict[str, int]:
    """Read, classify and merge the tags of one batch of activities, in one transaction;
    `write_lock` (from parallel runs on SQLite) is held around the write only."""
    from tcmap.tagging import apply_machine_tags_many

    totals: dict[str, int] = defaultdict(int)
    with store.session() as s:
        docs = load_documents(s, ids, classifier.detect_language, classifier.limit)
    batch = {}
    for aid, doc in docs.items():
        labels = classifier.classify(doc)
        batch[aid] = [{"dimension": a.dimension, "code": a.code, "confidence": a.confidence,
                       "rank": a.rank, "evidence": a.evidence, "origin": a.origin}
                      for a in labels.assignments()]
        totals["activities"] += 1
        totals["world_of_work"] += labels.world_of_work.code == "true"
        totals["capacity_development"] += labels.capacity_development.code == "true"
    with write_lock or nullcontext(), store.engine.begin() as conn:
        counts = apply_machine_tags_many(conn, batch, classifier.framework.code,
                                         classifier.version, utcnow())
    for k, v in counts.items():
        totals[k] += v
    return dict(totals)


def mapping_summary(session, framework) -> dict[str, Any]:
    """Activities per outcome (primary or not) with their most used modalities, from the tags
    that count (people's rejections left out)."""
    from tcmap.store import Tag

    rows = session.execute(
        select(Tag.activity_id, Tag.dimension, Tag.code)
        .where(Tag.review_state != "rejected")
    ).all()
    by_activity: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for aid, dim, code in rows:
        by_activity[aid][dim].add(code)
    outcomes = []
    order = {m: i for i, m in enumerate(framework.dimension("modalities").codes)}
    for code, c in framework.outcomes.codes.items():
        acts = [a for a in by_activity.values() if code in a["outcomes"]]
        if not acts:
            continue
        modalities: dict[str, int] = defaultdict(int)
        for a in acts:
            for m in a["modalities"]:
                modalities[m] += 1
        # most used first; equally used in the taxonomy's order (not the order sets iterate)
        outcomes.append({"code": code, "title": c.title, "activities": len(acts),
                         "modalities": sorted(modalities, key=lambda m: (
                             -modalities[m], order.get(m, len(order)), m))})
    return {
        "world_of_work": sum("true" in a["world_of_work"] for a in by_activity.values()),
        "capacity_development": sum("true" in a["capacity_development"]
                                    for a in by_activity.values()),
        "outcomes": outcomes,
    }
