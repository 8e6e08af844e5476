"""Assessments in the store: create one, list them, follow one up with a new round; the
helpers that the other modules share (lookups, events, status, checks of typed values).

An assessment keeps the instrument's text as first used (table assessment_instruments), so
scores can always be recomputed from the records. A round is closed when a follow-up round
starts: its ratings can no longer change, and the changes between rounds stay reproducible.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcmap.assessment.instrument import (
    Instrument,
    available_instruments,
    cells_of,
    instrument_from_text,
    load_instrument,
)
from tcmap.errors import ConflictError, InputError, NotFoundError
from tcmap.iati.codes import codelist
from tcmap.store.assessment import (
    Assessment,
    AssessmentAction,
    AssessmentCell,
    AssessmentDesiredLevel,
    AssessmentEvent,
    AssessmentInstrument,
    AssessmentRating,
)
from tcmap.store.base import utcnow
from tcmap.taxonomy import Framework

STATUSES = ("design", "data_collection", "summary", "response_defined", "closed")
DEFAULT_INSTRUMENT = "undp-2008"


def bad(message: str, hint: str = "", code: str = "assessment-bad-value", **context) -> InputError:
    """An InputError for a value a person typed (the message says which)."""
    return InputError(code, message, hint, **context)


def one_of(value: str | None, allowed: dict[str, str] | tuple[str, ...], what: str) -> str:
    """The value if it is an allowed code, else an InputError listing the allowed codes."""
    if value not in allowed:
        raise bad(f"{value!r} is not a {what}.", f"Use one of: {', '.join(allowed)}.",
                  code="assessment-unknown-code", value=value)
    return value


def parse_date(value: date | str | None) -> date:
    """A date from a date or YYYY-MM-DD; today when None."""
    if value is None or value == "":
        return utcnow().date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad(f"{value!r} is not a date.", "Write dates as YYYY-MM-DD, e.g. 2012-03-31.",
                  value=value) from None


def event(session: Session, a: Assessment, kind: str, by: str, subject: str = "",
          before: dict | None = None, after: dict | None = None) -> None:
    """Record a change to the assessment (and touch its updated_at)."""
    now = utcnow()
    a.updated_at = now
    session.add(AssessmentEvent(assessment_id=a.id, kind=kind, subject=subject, by=by, at=now,
                                before=before, after=after))


def advance(a: Assessment, status: str) -> None:
    """Move the status forward (never back): design → data_collection → summary → response."""
    if STATUSES.index(status) > STATUSES.index(a.status):
        a.status = status


def get(session: Session, assessment_id: int) -> Assessment:
    a = session.get(Assessment, assessment_id)
    if a is None:
        raise NotFoundError(f"No assessment #{assessment_id}.",
                            hint="List the assessments with `tcmap assessment list` "
                            "(or /assessments).")
    return a


def editable(session: Session, assessment_id: int) -> Assessment:
    """The assessment, if it may still change (it is not closed by a follow-up round)."""
    a = get(session, assessment_id)
    if a.status == "closed":
        later = session.scalar(select(Assessment).where(Assessment.baseline_id == a.id))
        raise ConflictError(
            f"Round {a.round} of assessment #{a.id} is closed"
            + (f": round {later.round} (#{later.id}) follows it." if later else "."),
            hint="Rate, set desired levels and respond in the latest round; a closed round "
            "stays as it was so that the change between rounds can be traced.",
            current=header(session, a))
    return a


@lru_cache(maxsize=32)
def _parsed(text: str) -> Instrument:
    return instrument_from_text(text)


def instrument_of(session: Session, a: Assessment) -> Instrument:
    """The instrument the assessment was made with, as stored."""
    return _parsed(session.get(AssessmentInstrument, a.instrument_id).text)


def store_instrument(session: Session, instrument: Instrument, origin: str,
                     by: str) -> AssessmentInstrument:
    """The stored copy of the instrument; stored now if new. A different text under the same
    code and version is refused: old assessments must keep their questions."""
    row = session.scalar(select(AssessmentInstrument).where(
        AssessmentInstrument.code == instrument.code,
        AssessmentInstrument.version == instrument.version))
    if row is None:
        row = AssessmentInstrument(code=instrument.code, version=instrument.version,
                                   title=instrument.title, sha256=instrument.sha256,
                                   text=instrument.text, origin=origin, loaded_by=by)
        session.add(row)
        session.flush()
    elif row.sha256 != instrument.sha256:
        raise ConflictError(
            f"Instrument {instrument.code} version {instrument.version} is already stored "
            f"with a different text (first loaded from {row.origin}).",
            hint="Give the edited file a new version (version: ...) so that assessments made "
            "with the old one keep their questions.",
            current={"code": row.code, "version": row.version, "sha256": row.sha256})
    return row


def _instrument_named(session: Session, ref: str) -> Instrument:
    """A packaged instrument or file, else the latest stored instrument of that code (one
    loaded from a file earlier)."""
    try:
        return load_instrument(ref)
    except NotFoundError:
        row = session.scalar(select(AssessmentInstrument).where(
            AssessmentInstrument.code == ref).order_by(AssessmentInstrument.loaded_at.desc(),
                                                       AssessmentInstrument.id.desc()))
        if row is None:
            raise
        return _parsed(row.text)


def list_instruments(session: Session) -> list[dict[str, Any]]:
    """The packaged instruments (the default first), then those loaded from files."""
    out = [load_instrument(c).summary() | {"origin": "packaged"} for c in sorted(
        available_instruments(), key=lambda c: (c != DEFAULT_INSTRUMENT, c))]
    packaged = {(i["code"], i["version"]) for i in out}
    for row in session.scalars(select(AssessmentInstrument).order_by(
            AssessmentInstrument.code, AssessmentInstrument.version)):
        if (row.code, row.version) not in packaged:
            out.append(_parsed(row.text).summary() | {"origin": row.origin})
    return out


def new_assessment(session: Session, framework: Framework, *, constituent: str,
                   constituent_type: str, by: str, country: str | None = None,
                   why: str = "", for_whom: str = "", for_what: str = "",
                   instrument: str = DEFAULT_INSTRUMENT, scope: list[str] | tuple = (),
                   assessed_on: date | str | None = None) -> dict[str, Any]:
    """Start an assessment (round 1) of a constituent with an instrument and a scope of cells
    (cell keys or prefixes; all cells when none is given)."""
    if not (constituent or "").strip():
        raise bad("An assessment needs the constituent's name.",
                  "Name the ministry, organization or inspectorate, e.g. "
                  "--constituent 'Ministry of Labour'.")
    types = {c.code: c.title for c in framework.dimension("target_groups")}
    one_of(constituent_type, types, "constituent type (a target group of "
           f"{framework.code})")
    if country:
        country = country.strip().upper()
        one_of(country, codelist("Country"), "country code (ISO 3166-1 alpha-2)")
    inst = _instrument_named(session, instrument)
    cells, unknown = cells_of(inst, scope or [""])
    if unknown:
        raise bad(f"No cell of {inst.code} matches {', '.join(map(repr, unknown))}.",
                  "Give cells as level[/core_issue[/functional_capacity]], e.g. "
                  f"{inst.cells()[0]}; see `tcmap assessment instruments {inst.code}`.",
                  code="assessment-unknown-code", value=", ".join(unknown))
    origin = "packaged" if instrument == inst.code else str(instrument)
    if origin == "packaged" and instrument not in available_instruments():
        origin = "stored"
    stored = store_instrument(session, inst, origin, by)
    a = Assessment(instrument_id=stored.id, constituent=constituent.strip(),
                   constituent_type=constituent_type, country=country or None,
                   purpose_why=why or "", for_whom=for_whom or "", for_what=for_what or "",
                   round=1, assessed_on=parse_date(assessed_on), status="design",
                   created_by=by, created_at=utcnow(), updated_at=utcnow())
    session.add(a)
    session.flush()
    session.add_all(AssessmentCell(assessment_id=a.id, cell=c) for c in cells)
    event(session, a, "created", by, after={"constituent": a.constituent,
                                            "instrument": f"{inst.code} {inst.version}",
                                            "cells": len(cells)})
    session.flush()
    return header(session, a)


def scope_of(session: Session, a: Assessment, inst: Instrument) -> list[str]:
    """The cells in scope, in the instrument's order."""
    chosen = set(session.scalars(select(AssessmentCell.cell).where(
        AssessmentCell.assessment_id == a.id)))
    return [c for c in inst.cells() if c in chosen]


def header(session: Session, a: Assessment) -> dict[str, Any]:
    """Who and what an assessment is about, without its scores."""
    inst = session.get(AssessmentInstrument, a.instrument_id)
    n_cells = session.scalar(select(func.count()).select_from(AssessmentCell).where(
        AssessmentCell.assessment_id == a.id))
    n_ratings = session.scalar(select(func.count()).select_from(AssessmentRating).where(
        AssessmentRating.assessment_id == a.id))
    return {
        "id": a.id, "title": f"{a.constituent}: capacity assessment, round {a.round}",
        "constituent": a.constituent, "constituent_type": a.constituent_type,
        "country": a.country,
        "purpose": {"why": a.purpose_why, "for_whom": a.for_whom, "for_what": a.for_what},
        "instrument": {"code": inst.code, "version": inst.version, "title": inst.title},
        "round": a.round, "baseline": a.baseline_id, "series": a.series_id or a.id,
        "assessed_on": a.assessed_on.isoformat(), "status": a.status,
        "created_by": a.created_by, "created_at": a.created_at.isoformat(),
        "updated_at": a.updated_at.isoformat(), "cells_in_scope": n_cells,
        "ratings": n_ratings,
    }


def list_assessments(session: Session, constituent: str | None = None,
                     country: str | None = None,
                     constituent_type: str | None = None) -> list[dict[str, Any]]:
    """The assessments, newest first, optionally of one constituent, country or type."""
    q = select(Assessment).order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    if constituent:
        q = q.where(func.lower(Assessment.constituent).contains(constituent.lower()))
    if country:
        q = q.where(Assessment.country == country.upper())
    if constituent_type:
        q = q.where(Assessment.constituent_type == constituent_type)
    return [header(session, a) for a in session.scalars(q)]


def ratings_of(session: Session, a: Assessment) -> list[AssessmentRating]:
    return list(session.scalars(select(AssessmentRating).where(
        AssessmentRating.assessment_id == a.id).order_by(AssessmentRating.question,
                                                          AssessmentRating.at)))


def rating_dict(r: AssessmentRating) -> dict[str, Any]:
    return {"id": r.id, "question": r.question, "score": r.score, "na": r.score is None,
            "evidence": r.evidence, "source": r.source, "by": r.by, "at": r.at.isoformat(),
            "version": r.version, "verified_score": r.verified_score,
            "verified_by": r.verified_by,
            "verified_at": r.verified_at.isoformat() if r.verified_at else None,
            "verification_note": r.verification_note}


def desired_of(session: Session, a: Assessment) -> dict[str, AssessmentDesiredLevel]:
    return {d.cell: d for d in session.scalars(select(AssessmentDesiredLevel).where(
        AssessmentDesiredLevel.assessment_id == a.id))}


def start_round(session: Session, assessment_id: int, by: str,
                assessed_on: date | str | None = None) -> dict[str, Any]:
    """Start the next round of an assessment's series: same constituent, instrument, scope and
    desired levels; the round followed is closed."""
    base = editable(session, assessment_id)
    when = parse_date(assessed_on)
    if when < base.assessed_on:
        raise bad(f"The follow-up date {when} is before round {base.round}'s date "
                  f"{base.assessed_on}.", "Give --date on or after the earlier round's date.",
                  value=when.isoformat())
    inst = instrument_of(session, base)
    a = Assessment(instrument_id=base.instrument_id, constituent=base.constituent,
                   constituent_type=base.constituent_type, country=base.country,
                   purpose_why=base.purpose_why, for_whom=base.for_whom,
                   for_what=base.for_what, round=base.round + 1, baseline_id=base.id,
                   series_id=base.series_id or base.id, assessed_on=when, status="design",
                   created_by=by, created_at=utcnow(), updated_at=utcnow())
    session.add(a)
    session.flush()
    session.add_all(AssessmentCell(assessment_id=a.id, cell=c)
                    for c in scope_of(session, base, inst))
    for d in desired_of(session, base).values():
        session.add(AssessmentDesiredLevel(assessment_id=a.id, cell=d.cell, score=d.score,
                                           set_by=d.set_by, by=by, at=utcnow()))
    event(session, a, "round_started", by, after={"baseline": base.id, "round": a.round})
    event(session, base, "closed", by, before={"status": base.status},
          after={"status": "closed", "followed_by": a.id})
    base.status = "closed"
    session.flush()
    return header(session, a)


def action_dict(x: AssessmentAction) -> dict[str, Any]:
    return {"id": x.id, "cell": x.cell, "horizon": x.horizon, "lever": x.lever,
            "description": x.description, "responsible": x.responsible, "cost": x.cost,
            "currency": x.currency, "linked_output": x.linked_output,
            "linked_activity": x.linked_activity, "by": x.by, "at": x.at.isoformat(),
            "version": x.version}
