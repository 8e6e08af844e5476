"""List activities with filters (publisher, country, sector, status, year, text)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from tcmap.store import Activity, Narrative, RecipientCountry, RecipientRegion, Sector


@dataclass
class Filters:
    """What to narrow a list of activities to; None means no narrowing."""

    publisher: str | None = None
    country: str | None = None
    region: str | None = None
    sector: str | None = None
    status: str | None = None
    year: int | None = None
    q: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _start():
    return func.coalesce(Activity.start_actual, Activity.start_planned)


def _end():
    return func.coalesce(Activity.end_actual, Activity.end_planned)


def apply_filters(stmt: Select, f: Filters) -> Select:
    """The statement narrowed to activities matching every filter given."""
    if f.publisher:
        stmt = stmt.where(Activity.reporting_org_ref == f.publisher)
    if f.country:
        stmt = stmt.where(exists().where(
            RecipientCountry.activity_id == Activity.id,
            RecipientCountry.code == f.country.upper()))
    if f.region:
        stmt = stmt.where(exists().where(
            RecipientRegion.activity_id == Activity.id, RecipientRegion.code == f.region))
    if f.sector:
        code = Sector.code.like(f"{f.sector}%") if len(f.sector) < 5 else Sector.code == f.sector
        stmt = stmt.where(exists().where(Sector.activity_id == Activity.id, code))
    if f.status:
        stmt = stmt.where(Activity.status == f.status)
    if f.year:
        first, last = date(f.year, 1, 1), date(f.year, 12, 31)
        # Active at some point in the year: started by its end, not ended before its start.
        stmt = stmt.where(and_(_start() <= last, or_(_end().is_(None), _end() >= first)))
    if f.q:
        words = [w for w in f.q.lower().split() if w]
        for word in words:
            stmt = stmt.where(or_(
                func.lower(Activity.iati_identifier).contains(word, autoescape=True),
                exists().where(Narrative.activity_id == Activity.id,
                               func.lower(Narrative.text).contains(word, autoescape=True)),
            ))
    return stmt


def list_activities(
    session: Session, filters: Filters | None = None, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """One page of activities matching the filters, with the total count."""
    filters = filters or Filters()
    base = apply_filters(select(Activity.id), filters)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.execute(
        apply_filters(
            select(Activity.id, Activity.iati_identifier, Activity.title,
                   Activity.reporting_org_ref, Activity.reporting_org_name, Activity.status,
                   _start().label("start"), _end().label("end")),
            filters,
        ).order_by(Activity.iati_identifier).limit(limit).offset(offset)
    ).all()
    countries: dict[int, list[str]] = {}
    if rows:
        for aid, code in session.execute(
            select(RecipientCountry.activity_id, RecipientCountry.code)
            .where(RecipientCountry.activity_id.in_([r.id for r in rows]))
            .order_by(RecipientCountry.activity_id, RecipientCountry.seq)
        ):
            countries.setdefault(aid, []).append(code)
    return {
        "filters": filters.to_dict(),
        "total": total,
        "limit": limit,
        "offset": offset,
        "activities": [
            {
                "identifier": r.iati_identifier,
                "title": r.title,
                "publisher": r.reporting_org_ref,
                "publisher_name": r.reporting_org_name,
                "countries": countries.get(r.id, []),
                "status": r.status,
                "start": r.start.isoformat() if r.start else None,
                "end": r.end.isoformat() if r.end else None,
            }
            for r in rows
        ],
    }
