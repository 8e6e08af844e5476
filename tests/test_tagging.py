"""Merging a batch of machine tags (tcmap.tagging, set-based SQL) leaves exactly the tags and
history that merging them one activity at a time (tcmap.review.apply_machine_tags) leaves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tcmap.classify import load_classifier
from tcmap.classify.run import load_documents
from tcmap.config import Settings
from tcmap.demo import DEMO_XML
from tcmap.ingest import import_paths
from tcmap.review import apply_machine_tags, review
from tcmap.store import Activity, Tag, open_store
from tcmap.store.tag import TagEvent
from tcmap.tagging import apply_machine_tags_many

FW = "ilo-spf-2010-15"
T0 = datetime(2026, 3, 2, 9, 0, 0)
T1 = datetime(2026, 3, 3, 10, 30, 0)


def _assignments(store) -> dict[str, list[dict]]:
    """The classifier's assignments per activity identifier (evidence and all)."""
    clf = load_classifier()
    with store.session() as s:
        ids = dict(s.execute(select(Activity.id, Activity.iati_identifier)).all())
        docs = load_documents(s, list(ids), clf.detect_language)
    return {ids[aid]: [{"dimension": a.dimension, "code": a.code, "confidence": a.confidence,
                        "rank": a.rank, "evidence": a.evidence, "origin": a.origin}
                       for a in clf.classify(doc).assignments()]
            for aid, doc in docs.items()}


def _changed(batch: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """A second model's opinion: every third activity loses its last code, confidences move,
    some evidence changes and a new code appears on every fifth."""
    out = {}
    for i, (ident, tags) in enumerate(sorted(batch.items())):
        tags = [dict(t, confidence=round(t["confidence"] * (0.5 if j % 2 else 1.0), 4))
                for j, t in enumerate(tags)]
        if i % 3 == 0 and len(tags) > 2:
            tags = tags[:-1]
        if i % 5 == 0:
            tags.append({"dimension": "modalities", "code": "networks", "confidence": 0.51,
                         "rank": None, "origin": "model",
                         "evidence": [{"kind": "field", "field": "sector", "value": "16020"}]})
        if i % 4 == 0 and tags:
            tags[0] = dict(tags[0], evidence=[{"kind": "text", "text": "changed"}])
        out[ident] = tags
    return out


def _merge_one_by_one(store, batch, version, now):
    with store.session() as s, s.begin():
        ids = dict(s.execute(select(Activity.iati_identifier, Activity.id)).all())
        for ident, tags in batch.items():
            apply_machine_tags(s, ids[ident], FW, version, tags, now=now)


def _merge_many(store, batch, version, now):
    with store.session() as s:
        ids = dict(s.execute(select(Activity.iati_identifier, Activity.id)).all())
    with store.engine.begin() as conn:
        return apply_machine_tags_many(conn, {ids[k]: v for k, v in batch.items()}, FW,
                                       version, now)


def _state(store) -> tuple[list, list]:
    """Tags and events, with ids replaced by what they point at."""
    with store.session() as s:
        idents = dict(s.execute(select(Activity.id, Activity.iati_identifier)).all())
        tags = {t.id: t for t in s.scalars(select(Tag))}
        tag_rows = sorted(((idents[t.activity_id], t.dimension, t.code, t.framework,
                            t.confidence, t.rank, t.evidence, t.origin, t.model_version,
                            t.review_state, t.reviewed_by, t.version, t.created_at,
                            t.updated_at) for t in tags.values()), key=repr)
        events = sorted(((idents[e.activity_id],
                          None if e.tag_id is None else (tags[e.tag_id].dimension,
                                                         tags[e.tag_id].code),
                          e.dimension, e.code, e.action, e.by, e.at, e.before, e.after, e.note)
                         for e in s.scalars(select(TagEvent))), key=repr)
    return tag_rows, events


def test_a_batch_merges_exactly_as_one_activity_at_a_time(store, tmp_path):
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    one = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    import_paths(one, [DEMO_XML], Settings.load(workers=1))
    first = _assignments(store)
    assert sum(len(v) for v in first.values()) > 1000

    _merge_one_by_one(one, first, "m1", T0)
    counts = _merge_many(store, first, "m1", T0)
    assert counts["added"] == sum(len(v) for v in first.values())
    assert _state(store) == _state(one)

    # A person decides on two activities; then a changed model runs.
    ident = sorted(first)[0]
    code = next(t["code"] for t in first[ident] if t["dimension"] == "modalities")
    for s_ in (store, one):
        with s_.session() as s, s.begin():
            review(s, ident, "reject", "modalities", code, by="ana", now=T0)
            review(s, sorted(first)[3], "add", "target_groups", "workers_org", by="ana", now=T0)
    second = _changed(first)
    _merge_one_by_one(one, second, "m2", T1)
    counts = _merge_many(store, second, "m2", T1)
    assert counts["changed"] > 0 and counts["removed"] > 0 and counts["kept_person"] >= 2
    assert _state(store) == _state(one)

    # The same opinion again changes nothing.
    assert _merge_many(store, second, "m2", T1) == {
        "added": 0, "changed": 0, "removed": 0, "kept_person": counts["kept_person"]}
    one.close()


def test_values_are_stored_as_sqlalchemy_stores_them(tmp_path):
    """Straight through the SQLite driver, a missing value is what SQLAlchemy writes for it
    (JSON null, not SQL NULL, in the history's before/after), JSON is written as it writes it
    (the history's after too) and times have its format."""
    stores = [open_store(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db")]
    for s_ in stores:
        import_paths(s_, [DEMO_XML], Settings.load(workers=1))
    first = dict(list(_assignments(stores[0]).items())[:5])
    _merge_one_by_one(stores[0], first, "m1", T0)
    _merge_many(stores[1], first, "m1", T0)
    raw = []
    for s_ in stores:
        with s_.engine.connect() as conn:
            raw.append(conn.exec_driver_sql(
                "SELECT action, typeof(before), before, typeof(after), after, at FROM tag_events "
                "ORDER BY activity_id, dimension, code").all())
            raw.append(conn.exec_driver_sql(
                "SELECT typeof(evidence), evidence, created_at FROM tags "
                "ORDER BY activity_id, dimension, code").all())
        s_.close()
    assert raw[0] == raw[2] and raw[1] == raw[3]


def test_new_tag_ids_are_read_back_when_sqlite_cannot_vouch_for_them(tmp_path, monkeypatch):
    import tcmap.tagging as tagging

    stores = [open_store(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db")]
    for s_ in stores:
        import_paths(s_, [DEMO_XML], Settings.load(workers=1))
    first = dict(list(_assignments(stores[0]).items())[:20])
    _merge_many(stores[0], first, "m1", T0)
    monkeypatch.setattr(tagging, "_sqlite_span", lambda conn, keys: None)
    _merge_many(stores[1], first, "m1", T0)
    assert _state(stores[0]) == _state(stores[1])
    monkeypatch.undo()
    # ids SQLite did not give to these keys are not trusted
    with stores[0].engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO notes (activity_id, author, text, created_at) "
                             "VALUES (1, 'a', 'b', '2026-01-01 00:00:00.000000')")
        assert tagging._sqlite_span(conn, [(1, "outcomes", "O1")]) is None
    for s_ in stores:
        s_.close()

