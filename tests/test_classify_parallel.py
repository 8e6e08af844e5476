"""Classifying in several processes gives exactly the tags one process gives."""

from __future__ import annotations

from sqlalchemy import select

from tcmap.classify import load_classifier
from tcmap.classify.run import classify_store
from tcmap.config import Settings
from tcmap.demo import DEMO_XML
from tcmap.ingest import import_paths
from tcmap.store import Activity, Tag, open_store
from tcmap.store.tag import TagEvent


def _tags(store) -> list[tuple]:
    with store.session() as s:
        return sorted(s.execute(
            select(Activity.iati_identifier, Tag.dimension, Tag.code, Tag.confidence,
                   Tag.rank, Tag.evidence, Tag.origin, Tag.model_version, Tag.review_state)
            .join(Activity, Activity.id == Tag.activity_id)).all(), key=repr)


def test_two_workers_write_the_same_tags_and_history_as_one(store, tmp_path):
    clf = load_classifier()
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    one = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    import_paths(one, [DEMO_XML], Settings.load(workers=1))
    seen: list[int] = []

    parallel = classify_store(store, clf, batch_size=40, workers=2, progress=seen.append)
    serial = classify_store(one, clf, batch_size=40, workers=1)

    assert parallel == serial and parallel["activities"] == 190
    assert sum(seen) == 190  # progress came back from the workers
    assert _tags(store) == _tags(one)
    with store.session() as s, one.session() as o:
        count = select(TagEvent.id).where(TagEvent.action == "machine-added")
        assert len(s.scalars(count).all()) == len(o.scalars(count).all()) == parallel["added"]
    # Run again in parallel: nothing changes.
    again = classify_store(store, clf, batch_size=40, workers=2)
    assert again["added"] == again["changed"] == again["removed"] == 0
    one.close()


def test_parallel_batches_shrink_at_the_end_and_cover_every_activity():
    from tcmap.classify.run import _batches

    ids = list(range(13_200))
    one = _batches(ids, 500, 1)
    assert [len(b) for b in one] == [500] * 26 + [200]
    two = _batches(ids, 500, 2)
    assert [i for b in two for i in b] == ids  # every id once, in order
    sizes = [len(b) for b in two]
    assert sizes[0] == 500 and max(sizes) == 500 and sizes[-2] < 100
    assert sizes == sorted(sizes, reverse=True)
