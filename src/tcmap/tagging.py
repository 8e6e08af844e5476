"""Merge a classifier's tags for many activities at once, as review.apply_machine_tags does.

Same policy, same events, set-based SQL: one query reads the batch's tags, one statement
inserts the new ones, one updates the changed ones, one deletes the dropped ones, one writes
the events. `tests/test_tagging.py` checks that both paths leave identical tags and history.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from tcmap.review import BOOLEAN_DIMENSIONS, MACHINE, _significant
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
            new = {
                "confidence": None if a.get("confidence") is None else float(a["confidence"]),
                "evidence": None if a.get("evidence") is None else json.loads(
                    json.dumps(a["evidence"])),
                "rank": a.get("rank"), "origin": a.get("origin", "model"),
                "model_version": model_version, "framework": framework,
            }
            row = have.get(key)
            if row is None:
                if key[0] in settled:
                    continue
                tag = {"activity_id": aid, "dimension": key[0], "code": key[1], **new,
                       "review_state": MACHINE, "version": 1, "created_at": now,
                       "updated_at": now}
                inserts.append(tag)
                events.append({"activity_id": aid, "tag_key": key, "dimension": key[0],
                               "code": key[1], "action": "machine-added", "by": by, "at": now,
                               "before": None, "after": _snapshot(tag), "note": None})
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
    _write(conn, inserts, updates, deletes, events)
    return counts


def _write(conn: Connection, inserts, updates, deletes, events) -> None:
    ids: dict[tuple[int, str, str], int] = {}
    if inserts:
        for r in conn.execute(
            insert(_TAG).returning(_TAG.c.id, _TAG.c.activity_id, _TAG.c.dimension,
                                   _TAG.c.code), inserts
        ):
            ids[(r.activity_id, r.dimension, r.code)] = r.id
    if updates:
        conn.execute(
            update(_TAG).where(_TAG.c.id == bindparam("b_id")).values(
                **{f: bindparam(f"v_{f}") for f in _FIELDS}, version=bindparam("b_version"),
                updated_at=bindparam("b_updated")),
            updates)
    if deletes:
        conn.execute(delete(_TAG).where(_TAG.c.id.in_(deletes)))
    if events:
        rows = []
        for e in events:
            key = e.pop("tag_key", None)
            if key is not None:
                e["tag_id"] = ids[(e["activity_id"], *key)]
            rows.append(e)
        conn.execute(insert(_EVENT), rows)
