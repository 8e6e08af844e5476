"""Write batches of read activities: insert new ones, update changed ones in place, skip the rest.

Works on plain records (identifier, columns, parts, content_hash, line, tags) so that any
reader can feed it. Only the tables that come from the input are rewritten; tags a person set
and notes stay, because they hang off the activity's id, which an update keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from tcmap.store.activity import (
    Activity,
    DocumentLink,
    IatiTag,
    Narrative,
    OtherIdentifier,
    ParticipatingOrg,
    PolicyMarker,
    RecipientCountry,
    RecipientRegion,
    RelatedActivity,
    Sector,
)
from tcmap.store.finance import Budget, Transaction
from tcmap.store.result import Indicator, IndicatorBaseline, IndicatorPeriod, Result
from tcmap.store.tag import Tag

# Parents before children: insert in this order, delete in the reverse.
PART_MODELS = (
    Narrative, ParticipatingOrg, OtherIdentifier, RecipientCountry, RecipientRegion, Sector,
    PolicyMarker, IatiTag, Budget, Transaction, DocumentLink, RelatedActivity,
    Result, Indicator, IndicatorBaseline, IndicatorPeriod,
)
PART_TABLES = {m.__tablename__: m.__table__ for m in PART_MODELS}
_ACTIVITY = Activity.__table__
_COLUMNS = [c.name for c in _ACTIVITY.columns if c.name not in ("id", "first_imported_at")]
_PART_COLUMNS = {
    name: [c.name for c in table.columns if c.name != "activity_id"]
    for name, table in PART_TABLES.items()
}




_GETTERS = {name: itemgetter(*columns) for name, columns in _PART_COLUMNS.items()}


class Record(Protocol):
    identifier: str | None
    line: int | None
    columns: dict[str, Any]
    parts: dict[str, list[dict[str, Any]]]
    tags: list[dict[str, Any]]
    content_hash: str


@dataclass
class BatchResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


Prepared = dict[str, dict[str, list[tuple]]]


def prepare_parts(records: Sequence[Record], dialect: str = "") -> Prepared:
    """Each record's part rows as driver-ready tuples (without the activity id).

    Done before the write transaction so that a writer holds the database for less time.
    Dates stay dates: the SQLite driver is taught to store them as ISO text (engine.py).
    """
    out: Prepared = {}
    for rec in records:
        tables: dict[str, list[tuple]] = {}
        for name, parts in rec.parts.items():
            getter = _GETTERS[name]
            try:
                rows = [getter(part) for part in parts]
            except KeyError:  # a reader that leaves out empty values
                columns = _PART_COLUMNS[name]
                rows = [tuple(map(part.get, columns)) for part in parts]
            tables[name] = rows
        out[rec.identifier] = tables
    return out


def write_batch(
    conn: Connection, records: Sequence[Record], source_file_id: int | None, now: datetime,
    origin: str = "iati", prepared: Prepared | None = None,
) -> BatchResult:
    """Write one batch of distinct activities inside the caller's transaction."""
    result = BatchResult()
    if not records:
        return result
    if prepared is None:
        prepared = prepare_parts(records, conn.dialect.name)
    existing = {
        row.iati_identifier: row
        for row in conn.execute(
            select(_ACTIVITY.c.id, _ACTIVITY.c.iati_identifier, _ACTIVITY.c.content_hash,
                   _ACTIVITY.c.source_file_id)
            .where(_ACTIVITY.c.iati_identifier.in_([r.identifier for r in records]))
        )
    }
    new, changed, moved = [], [], []
    for rec in records:
        row = existing.get(rec.identifier)
        if row is None:
            new.append(rec)
        elif row.content_hash != rec.content_hash:
            changed.append((row.id, rec))
        else:
            result.unchanged += 1
            if row.source_file_id != source_file_id:
                moved.append({"b_id": row.id, "source_file_id": source_file_id,
                              "source_line": rec.line})
    if moved:
        conn.execute(
            update(_ACTIVITY).where(_ACTIVITY.c.id == bindparam("b_id"))
            .values(source_file_id=bindparam("source_file_id"),
                    source_line=bindparam("source_line")),
            moved,
        )

    ids: dict[str, int] = {}
    if changed:
        changed_ids = [i for i, _ in changed]
        for table in reversed(PART_TABLES.values()):
            conn.execute(delete(table).where(table.c.activity_id.in_(changed_ids)))
        rows = [
            {**_activity_row(rec, source_file_id, now, origin), "b_id": i} for i, rec in changed
        ]
        conn.execute(
            update(_ACTIVITY).where(_ACTIVITY.c.id == bindparam("b_id"))
            .values({c: bindparam(c) for c in _COLUMNS}),
            rows,
        )
        ids.update((rec.identifier, i) for i, rec in changed)
        result.updated = len(changed)
    if new:
        rows = [
            {**_activity_row(rec, source_file_id, now, origin), "first_imported_at": now}
            for rec in new
        ]
        returned = conn.execute(
            insert(_ACTIVITY).returning(_ACTIVITY.c.id, _ACTIVITY.c.iati_identifier), rows
        )
        ids.update((r.iati_identifier, r.id) for r in returned)
        result.inserted = len(new)

    written = [rec for rec in new] + [rec for _, rec in changed]
    _insert_parts(conn, written, ids, prepared)
    _write_person_tags(conn, written, ids, now)
    if conn.dialect.name == "sqlite" and written:  # the search index catches up later
        conn.exec_driver_sql("INSERT OR IGNORE INTO search_queue (activity_id) VALUES (?)",
                             [(ids[rec.identifier],) for rec in written])
    return result


def _insert_parts(conn: Connection, written: list, ids: dict[str, int], prepared: Prepared):
    """Insert the part rows straight through the driver: they are most of the volume."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    for name in PART_TABLES:
        columns = _PART_COLUMNS[name]
        rows = []
        for rec in written:
            parts = prepared[rec.identifier].get(name)
            if parts:
                aid = ids[rec.identifier]
                rows.extend((aid, *row) for row in parts)
        if rows:
            sql = (f"INSERT INTO {name} (activity_id, {', '.join(columns)}) "
                   f"VALUES ({', '.join([mark] * (len(columns) + 1))})")
            conn.exec_driver_sql(sql, rows)


def _activity_row(rec: Record, source_file_id: int | None, now: datetime, origin: str) -> dict:
    cols = rec.columns
    row = {c: cols.get(c) for c in _COLUMNS}
    row.update(
        iati_identifier=rec.identifier, content_hash=rec.content_hash,
        source_file_id=source_file_id, source_line=rec.line, updated_at=now,
        origin=cols.get("origin") or origin,
    )
    return row


def _write_person_tags(conn: Connection, written, ids: dict[str, int], now: datetime) -> None:
    """Codes a person gave in a sheet become that person's decisions on the activity.

    The sheet's earlier codes for a written activity are replaced (a code removed from the row
    goes); a machine tag with the same code counts as accepted by the sheet; a decision made
    since by someone else (review in the app) is left as it is.
    """
    tag = Tag.__table__
    sheet_ids = {ids[rec.identifier] for rec in written if rec.columns.get("origin") == "sheet"}
    if sheet_ids:
        conn.execute(delete(tag).where(
            tag.c.activity_id.in_(sheet_ids), tag.c.origin == "person",
            tag.c.reviewed_by.like("sheet:%")))
    wanted: dict[tuple[int, str, str], dict] = {}
    for rec in written:
        for t in rec.tags:
            wanted.setdefault((ids[rec.identifier], t["dimension"], t["code"]), t)
    if not wanted:
        return
    have = {
        (r.activity_id, r.dimension, r.code): r
        for r in conn.execute(
            select(tag.c.id, tag.c.activity_id, tag.c.dimension, tag.c.code, tag.c.origin,
                   tag.c.reviewed_by)
            .where(tag.c.activity_id.in_({k[0] for k in wanted}))
        )
    }
    rows, accepted = [], []
    for key, t in wanted.items():
        found = have.get(key)
        if found is None:
            rows.append({
                "activity_id": key[0], "framework": t["framework"], "dimension": key[1],
                "code": key[2], "confidence": 1.0, "rank": t.get("rank"),
                "evidence": t.get("evidence"), "origin": "person", "model_version": None,
                "review_state": "added", "reviewed_by": t.get("by"), "reviewed_at": now,
                "created_at": now, "updated_at": now})
        elif found.origin != "person" and found.reviewed_by is None:
            accepted.append({"b_id": found.id, "reviewed_by": t.get("by"), "rank": t.get("rank")})
    if rows:
        conn.execute(insert(tag), rows)
    if accepted:
        conn.execute(
            update(tag).where(tag.c.id == bindparam("b_id")).values(
                review_state="accepted", reviewed_by=bindparam("reviewed_by"),
                rank=bindparam("rank"), reviewed_at=now, updated_at=now),
            accepted)
