"""The store: migrations build the models' schema on SQLite and PostgreSQL; URLs and errors."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from tcmap.errors import StoreError
from tcmap.store import Activity, Base, Narrative, Note, Tag, database_url, jsontext, open_store


def test_migrations_create_exactly_the_models_schema(store):
    from tcmap.store.search import UNMODELLED

    def include(name, type_, parent_names):
        return not (type_ in ("table", "index") and name in UNMODELLED)

    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_opening_twice_is_harmless(db_url):
    open_store(db_url).close()
    s = open_store(db_url)
    assert "activities" in s.tables() and "alembic_version" in s.tables()
    s.close()


def test_activity_with_parts_tags_and_notes_round_trips(store):
    with store.session() as s, s.begin():
        a = Activity(iati_identifier="XM-DAC-41302-1", title="Labour inspection",
                     content_hash="x" * 64)
        a.narratives.append(Narrative(seq=1, owner="activity", field="title", lang="fr",
                                      text="Inspection du travail"))
        s.add(a)
        s.flush()
        s.add(Tag(activity_id=a.id, framework="ilo-spf-2010-15", dimension="outcomes",
                  code="O11", origin="person", review_state="added", evidence=[{"text": "x"}]))
        s.add(Note(activity_id=a.id, author="ana", text="Check the budget"))
    with store.session() as s:
        a = s.scalar(select(Activity))
        assert a.narratives[0].text == "Inspection du travail"
        assert a.tags[0].evidence == [{"text": "x"}]
        assert a.notes[0].author == "ana"


def test_json_is_written_compact_in_utf8_and_read_back_as_json_reads_it(store):
    evidence = [{"text": "formación profesional", "start": 3, "confidence": 0.1 + 0.2,
                 "implied_by": None, "spans": (1, 2)}, {7: "a key that is not a string"}]
    with store.session() as s, s.begin():
        a = Activity(iati_identifier="XM-1", title="t", content_hash="x" * 64)
        s.add(a)
        s.flush()
        s.add(Tag(activity_id=a.id, framework="f", dimension="modalities", code="training",
                  origin="model", evidence=evidence))
    with store.session() as s:
        stored = s.scalar(select(Tag.evidence))
        raw = s.connection().exec_driver_sql("SELECT evidence FROM tags").scalar()
    assert stored == json.loads(json.dumps(evidence))
    if isinstance(raw, str):  # PostgreSQL's json column hands back the value itself
        assert raw.startswith('[{"text":"formación profesional","start":3,')
    assert jsontext.loads(jsontext.dumps(evidence)) == stored
    with pytest.raises(TypeError):
        jsontext.dumps({"x": object()})


def test_deleting_an_activity_removes_its_parts(store):
    with store.session() as s, s.begin():
        a = Activity(iati_identifier="A-1", content_hash="h")
        a.narratives.append(Narrative(seq=1, owner="activity", field="title", text="t"))
        s.add(a)
    with store.session() as s, s.begin():
        s.delete(s.scalar(select(Activity)))
    with store.session() as s:
        assert s.scalar(select(Narrative)) is None


def test_a_path_becomes_a_sqlite_url(tmp_path):
    assert database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert database_url("sqlite://") == "sqlite://"


def test_an_unreachable_database_is_a_store_error_with_a_hint(tmp_path):
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    assert "--db" in err.value.hint


def test_in_memory_sqlite_is_not_shareable():
    s = open_store("sqlite://")
    assert not s.shareable
    s.close()
