"""Merge a classifier's tags for many activities at once, as review.apply_machine_tags does.

Same policy, same events, set-based SQL: one query reads the batch's tags, one statement
inserts the new ones, one updates the changed ones, one deletes the dropped ones, one writes
the events. `tests/test_tagging.py` checks that both paths leave identical tags and history.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from tcmap.review import BOOLEAN_DIMENSIONS, MACHINE, _significant
from tcmap.store import jsontext
from tcmap.store.tag import Tag, TagEvent

_TAG = Tag.__table__
_EVENT = TagEvent.__table__
_FIELDS = ("confidence", "rank", "evidence", "origin", "model_version", "framework")


def _snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("review_state", "confidence", "rank", "origin", "evidence")}


def apply_machine_tags_many(conn: Connection, batch: dict[int, list[dict[str, Any]]],
                            framework: str, model_version: str, now: datetime) -> dict[str, int]:
    """Merge the assignments of each activity in the batch; people's decisions win."""
    by = f"model:{model_version}"
    counts = {"added": 0, "changed": 0, "removed": 0, "kept_person": 0}
    existing: dict[int, dict[tuple[str, str], dict[str, Any]]] = {aid: {} for aid in batch}
    for r in conn.execute(select(_TAG).where(_TAG.c.activity_id.in_(list(batch)))):
        row = dict(r._mapping)
        existing[row["activity_id"]][(row["dimension"], row["code"])] = row
    inserts, updates, deletes, events = [], [], [], []
    for aid, assignments in batch.items():
        have = existing[aid]
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        for a in assignments:
            wanted.setdefault((a["dimension"], a["code"]), a)
        settled = {k[0] for k, t in have.items()
                   if k[0] in BOOLEAN_DIMENSIONS and t["review_state"] in ("accepted", "added")}
        for key, a in wanted.items():
            row = have.get(key)
            evidence = a.get("evidence")
            if evidence is not None and row is not None:  # as the database hands it back
                evidence = jsontext.loads(jsontext.dumps(evidence))
            new = {
                "confidence": None if a.get("confidence") is None else float(a["confidence"]),
                "evidence": evidence, "rank": a.get("rank"),
                "origin": a.get("origin", "model"), "model_version": model_version,
                "framework": framework,
            }
            if row is None:
                if key[0] in settled:
                    continue
                tag = {"activity_id": aid, "dimension": key[0], "code": key[1], **new,
                       "review_state": MACHINE, "version": 1, "created_at": now,
                       "updated_at": now}
                inserts.append(tag)  # its "machine-added" event is written with it
                counts["added"] += 1
                continue
            fields = _FIELDS if row["review_state"] == MACHINE else (
                "confidence", "evidence", "model_version")
            changes = {f: new[f] for f in fields if row[f] != new[f]}
            if not changes:
                continue
            before = _snapshot(row)
            after_row = {**row, **changes}
            updates.append({"b_id": row["id"], **{f"v_{f}": after_row[f] for f in _FIELDS},
                            "b_version": row["version"] + 1, "b_updated": now})
            after = _snapshot(after_row)
            if _significant(before, after):
                events.append({"activity_id": aid, "tag_id": row["id"], "dimension": key[0],
                               "code": key[1], "action": "machine-changed", "by": by,
                               "at": now, "before": before, "after": after, "note": None})
                if row["review_state"] == MACHINE:
                    counts["changed"] += 1
        for key, row in have.items():
            if row["review_state"] != MACHINE:
                counts["kept_person"] += 1
            elif key not in wanted and row["framework"] == framework:
                deletes.append(row["id"])
                events.append({"activity_id": aid, "tag_id": None, "dimension": key[0],
                               "code": key[1], "action": "machine-removed", "by": by,
                               "at": now, "before": _snapshot(row), "after": None,
                               "note": None})
                counts["removed"] += 1
    _write(conn, inserts, updates, deletes, events, by, now)
    return counts


def _write(conn: Connection, inserts, updates, deletes, events, by: str,
           now: datetime) -> None:
    if inserts:
        ids, span = _insert_tags(conn, inserts)
        if span is not None:
            _added_events_in_sql(conn, span, by, now)
        else:
            events = [{"activity_id": t["activity_id"],
                       "tag_id": ids[(t["activity_id"], t["dimension"], t["code"])],
                       "dimension": t["dimension"], "code": t["code"], "action": "machine-added",
                       "by": by, "at": now, "before": None, "after": _snapshot(t), "note": None}
                      for t in inserts] + events
    if updates:
        conn.execute(
            update(_TAG).where(_TAG.c.id == bindparam("b_id")).values(
                **{f: bindparam(f"v_{f}") for f in _FIELDS}, version=bindparam("b_version"),
                updated_at=bindparam("b_updated")),
            updates)
    if deletes:
        conn.execute(delete(_TAG).where(_TAG.c.id.in_(deletes)))
    if events:
        _executemany(conn, _EVENT, events)


def _insert_tags(conn: Connection, inserts: list[dict]
                 ) -> tuple[dict | None, tuple[int, int] | None]:
    """Insert the new tags. On SQLite, the span of ids they were given when it is checked to
    hold them and nothing else; otherwise their ids by (activity, dimension, code)."""
    if conn.dialect.name != "sqlite":  # the ids come back with the batched INSERT
        return {(r.activity_id, r.dimension, r.code): r.id for r in conn.execute(
            insert(_TAG).returning(_TAG.c.id, _TAG.c.activity_id, _TAG.c.dimension,
                                   _TAG.c.code), inserts)}, None
    _executemany(conn, _TAG, inserts)
    keys = [(t["activity_id"], t["dimension"], t["code"]) for t in inserts]
    span = _sqlite_span(conn, keys)
    if span is not None:
        return None, span
    # read back in one query (our transaction holds them: nobody else wrote)
    return {(r.activity_id, r.dimension, r.code): r.id for r in conn.execute(
        select(_TAG.c.id, _TAG.c.activity_id, _TAG.c.dimension, _TAG.c.code)
        .where(_TAG.c.activity_id.in_(sorted({k[0] for k in keys}))))}, None


def _sqlite_span(conn: Connection, keys: list[tuple]) -> tuple[int, int] | None:
    """The first and last ids SQLite gave the rows just inserted, in order: each new row of a
    table with an INTEGER PRIMARY KEY gets one more than the largest id, and no one else
    writes inside our transaction. Checked: exactly these many rows at and above the first
    id, the first and the last ours; None (read them back) if not."""
    last = conn.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    first = last - len(keys) + 1
    low, high, n = conn.execute(select(func.min(_TAG.c.id), func.max(_TAG.c.id), func.count())
                                .where(_TAG.c.id >= first)).one()
    ends = {r[0]: tuple(r[1:]) for r in conn.execute(
        select(_TAG.c.id, _TAG.c.activity_id, _TAG.c.dimension, _TAG.c.code)
        .where(_TAG.c.id.in_((first, last))))}
    if (low, high, n) != (first, last, len(keys)) or ends != {first: keys[0], last: keys[-1]}:
        return None
    return first, last


def _added_events_in_sql(conn: Connection, span: tuple[int, int], by: str,
                         now: datetime) -> None:
    """The "machine-added" event of each tag in the span of new ids, made by SQLite from the
    rows just written: the same values, and the same JSON text, as the events written from
    Python (`after` is the tag's snapshot, in _snapshot's order; `before` JSON null)."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ("activity_id", "tag_id", "dimension", "code", "action", "by", "at", "before",
               "after", "note")
    at = _converter(_EVENT.c.at.type, conn.dialect)(now)
    conn.exec_driver_sql(
        f"INSERT INTO {quote(_EVENT.name)} ({', '.join(map(quote, columns))}) "
        "SELECT activity_id, id, dimension, code, 'machine-added', ?, ?, 'null', "
        "json_object('review_state', review_state, 'confidence', confidence, 'rank', rank, "
        "'origin', origin, 'evidence', json(evidence)), NULL "
        f"FROM {quote(_TAG.name)} WHERE id BETWEEN ? AND ? ORDER BY id",
        (by, at, *span))


def _executemany(conn: Connection, table, rows: list[dict]) -> None:
    """INSERT many rows. On SQLite straight through the driver, each value converted by its
    column type's own bind processor (so stored values are exactly what SQLAlchemy stores,
    without its per-row overhead; a time is converted once per distinct value); elsewhere
    through SQLAlchemy's batched INSERT."""
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    convert = [_converter(table.c[c].type, conn.dialect) for c in columns]
    quote = conn.dialect.identifier_preparer.quote
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    values = list(map(itemgetter(*columns), rows))
    if any(convert):  # column by column: one map per converted column, not a loop per row
        by_column = list(zip(*values, strict=True))
        for i, f in enumerate(convert):
            if f is not None:
                by_column[i] = map(f, by_column[i])
        values = list(zip(*by_column, strict=True))
    conn.exec_driver_sql(sql, values)


def _converter(type_, dialect):
    process = type_.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    if isinstance(type_, DateTime):
        return lru_cache(maxsize=8)(process)
    if isinstance(type_, JSON):  # None (an event's empty side) the same every time
        null = process(None)
        return lambda v: null if v is None else process(v)
    return process
