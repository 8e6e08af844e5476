"""Counts over the stored portfolio: by publisher, country, year, sector, version, language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from tcmap.iati.codes import name_of
from tcmap.store import Activity, Narrative, RecipientCountry, Sector, SourceFile, Tag

_TOP = 25


def _counts(session: Session, stmt, top: int | None = _TOP) -> list[tuple[Any, int]]:
    rows = session.execute(stmt.order_by(func.count().desc()).limit(top)).all()
    return [(k, n) for k, n in rows]


def _publishers(session: Session, top: int) -> list[dict[str, Any]]:
    """Publishers by activity count, each named by the name it uses most often."""
    a = Activity
    counts: dict[Any, int] = {}
    names: dict[Any, tuple[int, str]] = {}
    for ref, name, n in session.execute(
        select(a.reporting_org_ref, a.reporting_org_name, func.count())
        .group_by(a.reporting_org_ref, a.reporting_org_name)
    ):
        counts[ref] = counts.get(ref, 0) + n
        if name and (ref not in names or (n, name) > names[ref]):
            names[ref] = (n, name)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] or ""))[:top]
    return [{"ref": ref, "name": names.get(ref, (0, None))[1], "activities": n}
            for ref, n in ranked]


def portfolio_stats(session: Session, top: int = _TOP) -> dict[str, Any]:
    """Totals and the largest groups by publisher, country, year, sector, version, language."""
    n = session.scalar(select(func.count(Activity.id))) or 0
    a = Activity
    return {
        "activities": n,
        "files": session.scalar(select(func.count(SourceFile.id))) or 0,
        "publishers": session.scalar(select(func.count(distinct(a.reporting_org_ref)))) or 0,
        "countries": session.scalar(select(func.count(distinct(RecipientCountry.code)))) or 0,
        "tags": session.scalar(select(func.count(Tag.id))) or 0,
        "by_publisher": _publishers(session, top),
        "by_country": [
            {"code": code, "name": name_of("Country", code), "activities": c}
            for code, c in _counts(session, select(RecipientCountry.code, func.count(
                distinct(RecipientCountry.activity_id))).group_by(RecipientCountry.code), top)
        ],
        "by_start_year": [
            {"year": y, "activities": c}
            for y, c in sorted(session.execute(
                select(a.start_year, func.count()).group_by(a.start_year)).all(),
                key=lambda r: (r[0] is None, r[0] or 0))
        ],
        "by_sector": [
            {"code": code, "name": name_of("Sector", code), "activities": c}
            for code, c in _counts(session, select(Sector.code, func.count(
                distinct(Sector.activity_id))).where(Sector.vocabulary == "1")
                .group_by(Sector.code), top)
        ],
        "by_version": [
            {"version": v, "activities": c}
            for v, c in _counts(session, select(a.iati_version, func.count())
                                .group_by(a.iati_version), None)
        ],
        "by_language": [
            {"lang": lang, "activities": c}
            for lang, c in _counts(session, select(Narrative.lang, func.count(
                distinct(Narrative.activity_id))).where(Narrative.owner == "activity")
                .group_by(Narrative.lang), top)
        ],
    }
