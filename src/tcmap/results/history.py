"""Who changed what in programmes, chains and indicators: events, versions, conflicts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import ConflictError, ReviewError
from tcmap.store.base import utcnow
from tcmap.store.programme import ResultsEvent


def plain(value: Any) -> Any:
    """A value as JSON keeps it (dates as ISO text)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def fields_of(row: Any, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {n: plain(getattr(row, n)) for n in names}


def need_author(by: str | None) -> str:
    if not (by or "").strip():
        raise ReviewError("A change needs its author.", hint="Log in, or give --by NAME.")
    return by.strip()


def check_version(row: Any, expected: int | None, what: str, current: dict[str, Any]) -> None:
    """Refuse a change made on a stale view, with the row as it is now."""
    if expected is not None and expected != row.version:
        raise ConflictError(
            f"{what} is at version {row.version}, not {expected}: someone changed it since "
            "you opened it.",
            hint="Read the current state (included), merge your change, and save again.",
            current=current)


def record(session: Session, programme_id: int | None, entity: str, entity_id: int | None,
           action: str, by: str, before: dict | None = None, after: dict | None = None,
           note: str | None = None) -> None:
    """Keep one change: who, when, what it was before and after."""
    session.add(ResultsEvent(programme_id=programme_id, entity=entity, entity_id=entity_id,
                             action=action, by=by, at=utcnow(), before=before, after=after,
                             note=note))


def apply_changes(row: Any, changes: dict[str, Any], by: str) -> tuple[dict, dict]:
    """Set the changed fields, bump the version; the fields' values before and after."""
    before = {k: plain(getattr(row, k)) for k, v in changes.items() if getattr(row, k) != v}
    for k in before:
        setattr(row, k, changes[k])
    if before:
        if hasattr(row, "version"):
            row.version = (row.version or 0) + 1
        if hasattr(row, "updated_by"):
            row.updated_by, row.updated_at = by, utcnow()
    return before, {k: plain(changes[k]) for k in before}


def events(session: Session, programme_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """The latest changes of a programme, newest first."""
    rows = session.scalars(select(ResultsEvent).where(ResultsEvent.programme_id == programme_id)
                           .order_by(ResultsEvent.id.desc()).limit(limit))
    return [{"entity": e.entity, "entity_id": e.entity_id, "action": e.action, "by": e.by,
             "at": e.at.isoformat(), "before": e.before, "after": e.after, "note": e.note}
            for e in rows]
