"""List activities with filters (publisher, country, sector, status, year, text)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from tcmap.errors import ConfigError
from tcmap.store import Activity, RecipientCountry, RecipientRegion, Sector, Tag
from tcmap.store.search import matches, refresh


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
    # The mapping: codes of the tags that count (not rejected by a person).
    outcome: str | None = None
    modality: str | None = None
    capacity_level: str | None = None
    target_group: str | None = None
    world_of_work: bool | None = None
    capacity_development: bool | None = None
    review: str | None = None  # "reviewed" (a person decided a tag) or "machine" (no one has)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _start():
    return func.coalesce(Activity.start_actual, Activity.start_planned)


def _end():
    return func.coalesce(Activity.end_actual, Activity.end_planned)


_TAG_FILTERS = (("outcome", "outcomes"), ("modality", "modalities"),
                ("capacity_level", "capacity_levels"), ("target_group", "target_groups"))


def _tagged(dimension: str, code: str):
    return exists().where(Tag.activity_id == Activity.id, Tag.dimension == dimension,
                          Tag.code == code, Tag.review_state != "rejected")


def apply_filters(stmt: Select, f: Filters, dialect: str = "sqlite") -> Select:
    """The statement narrowed to activities matching every filter given."""
    for attr, dimension in _TAG_FILTERS:
        if getattr(f, attr):
            stmt = stmt.where(_tagged(dimension, getattr(f, attr)))
    for attr in ("world_of_work", "capacity_development"):
        if getattr(f, attr) is not None:
            stmt = stmt.where(_tagged(attr, "true" if getattr(f, attr) else "false"))
    if f.review == "reviewed":
        stmt = stmt.where(exists().where(Tag.activity_id == Activity.id,
                                         Tag.review_state != "machine"))
    elif f.review == "machine":
        stmt = stmt.where(~exists().where(Tag.activity_id == Activity.id,
                                          Tag.review_state != "machine"))
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
        condition = matches(dialect, f.q)
        if condition is not None:
            stmt = stmt.where(condition)
    return stmt


SORTS = {"identifier": Activity.iati_identifier, "title": Activity.title,
         "start": func.coalesce(Activity.start_actual, Activity.start_planned),
         "publisher": Activity.reporting_org_ref}


def list_activities(
    session: Session, filters: Filters | None = None, limit: int = 50, offset: int = 0,
    sort: str = "identifier",
) -> dict[str, Any]:
    """One page of activities matching the filters, with the total count.

    `sort` is a key of SORTS, `-key` for descending; ties go by identifier.
    """
    desc = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"))
    if column is None:
        raise ConfigError(f"Cannot sort by {sort!r}.",
                          hint=f"Sort by one of {', '.join(SORTS)} (with - for descending).")
    filters = filters or Filters()
    dialect = session.get_bind().dialect.name
    if filters.q and not session.in_transaction():
        # Before the session takes its connection: refreshing needs one of its own.
        refresh(session.get_bind())
    base = apply_filters(select(Activity.id), filters, dialect)
    total = session.scalar(select(func.count()).select_from(base.subquery()))
    rows = session.execute(
        apply_filters(
            select(Activity.id, Activity.iati_identifier, Activity.title,
                   Activity.reporting_org_ref, Activity.reporting_org_name, Activity.status,
                   _start().label("start"), _end().label("end")),
            filters, dialect,
        ).order_by(column.desc() if desc else column, Activity.iati_identifier)
        .limit(limit).offset(offset)
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
        "sort": sort,
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


def facet_counts(session: Session, filters: Filters | None = None) -> dict[str, list[dict]]:
    """For the activities matching the filters: how many carry each code of each dimension."""
    filters = filters or Filters()
    dialect = session.get_bind().dialect.name
    if filters.q and not session.in_transaction():
        refresh(session.get_bind())
    ids = apply_filters(select(Activity.id), filters, dialect).subquery()
    out: dict[str, list[dict]] = {}
    rows = session.execute(
        select(Tag.dimension, Tag.code, func.count(func.distinct(Tag.activity_id)))
        .where(Tag.activity_id.in_(select(ids.c.id)), Tag.review_state != "rejected")
        .group_by(Tag.dimension, Tag.code)
    ).all()
    for dimension, code, n in rows:
        out.setdefault(dimension, []).append({"code": code, "activities": n})
    rows = session.execute(
        select(RecipientCountry.code, func.count(func.distinct(RecipientCountry.activity_id)))
        .where(RecipientCountry.activity_id.in_(select(ids.c.id)))
        .group_by(RecipientCountry.code)
    ).all()
    out["countries"] = [{"code": c, "activities": n} for c, n in rows]
    for v in out.values():
        v.sort(key=lambda d: (-d["activities"], d["code"]))
    return out
