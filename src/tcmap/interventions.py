"""Intervention models: each technical cooperation approach written up as the paper describes.

A model has the paper's sections: the logic of the approach, where it has been used (derived
from the tagged activities, never typed), the tools it produced, notable successes,
challenges and the vision for the future. Analysts write the narrative sections; every edit
is kept, and an edit made on a stale version is refused with the section as it now is.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.analysis.appendix import assign_approach
from tcmap.analysis.frame import FrameFilters, load_frame
from tcmap.errors import ConflictError, NotFoundError, ReviewError
from tcmap.store.base import utcnow
from tcmap.store.intervention import ModelSection, ModelSectionEvent
from tcmap.taxonomy import Framework

SECTIONS = {
    "logic": "Logic of the approach",
    "tools": "Tools it produced",
    "successes": "Notable successes",
    "challenges": "Challenges",
    "vision": "Vision for the future",
}
_EXAMPLES = 20


def _approach(fw: Framework, code: str):
    for a in fw.approaches:
        if a.code == code:
            return a
    raise NotFoundError(f"No approach {code!r} in {fw.code}.",
                        hint="The approaches are listed at /models (or tcmap taxonomy).")


def _users_of(session: Session, fw: Framework, approach) -> list:
    """The capacity-development activities of the approach's outcome assigned to it."""
    frame = load_frame(session, FrameFilters(outcomes=[approach.outcome]))
    approaches = fw.approaches_for(approach.outcome)
    title = fw.outcomes.codes[approach.outcome].title
    return sorted((a for a in frame if a.capacity_development
                   and (assign_approach(a, approaches, title)[0] or approach).code
                   == approach.code), key=lambda a: a.identifier)


def _sections(session: Session, fw: Framework, code: str) -> dict[str, ModelSection]:
    return {r.section: r for r in session.scalars(select(ModelSection).where(
        ModelSection.framework == fw.code, ModelSection.approach == code))}


def model_index(session: Session, fw: Framework) -> dict[str, Any]:
    """Every approach by outcome, with how many sections analysts have written."""
    written = Counter(r.approach for r in session.scalars(select(ModelSection).where(
        ModelSection.framework == fw.code, ModelSection.text != "")))
    return {"title": "Intervention models", "framework": fw.version, "groups": [
        {"code": g.code, "title": g.title, "outcomes": [
            {"code": o, "title": fw.outcomes.codes[o].title, "approaches": [
                {"code": a.code, "name": a.name, "sections_written": written[a.code],
                 "sections": len(SECTIONS)} for a in fw.approaches_for(o)]}
            for o in g.outcomes]} for g in fw.groups]}


def model_page(session: Session, fw: Framework, code: str) -> dict[str, Any]:
    """One approach: its sections, where it has been used, the tools seen in the portfolio."""
    approach = _approach(fw, code)
    users = _users_of(session, fw, approach)
    rows = _sections(session, fw, code)
    countries = Counter(c for a in users for c, _ in a.countries)
    tools = []
    for a in users:
        for e in a.evidence.get(("modalities", "knowledge_products"), [])[:1]:
            if isinstance(e, dict) and e.get("kind") == "text":
                tools.append({"activity": a.identifier, "text": e.get("context") or e["text"]})
    history = []
    for r in rows.values():
        for ev in session.scalars(select(ModelSectionEvent).where(
                ModelSectionEvent.section_id == r.id)):
            history.append({"section": r.section, "by": ev.by, "at": ev.at.isoformat(),
                            "before": ev.before, "after": ev.after})
    history.sort(key=lambda h: h["at"], reverse=True)
    return {
        "title": approach.name, "code": code, "outcome": approach.outcome,
        "outcome_title": fw.outcomes.codes[approach.outcome].title,
        "paper_examples": [e.text for e in approach.examples],
        "sections": [
            {"section": s, "title": t, "text": rows[s].text if s in rows else "",
             "version": rows[s].version if s in rows else 0,
             "updated_by": rows[s].updated_by if s in rows else None,
             "updated_at": rows[s].updated_at.isoformat() if s in rows else None}
            for s, t in SECTIONS.items()],
        "where_used": {
            "activities": len(users),
            "countries": [{"code": c, "activities": n} for c, n in countries.most_common()],
            "modalities": [{"code": m, "activities": n} for m, n in Counter(
                m for a in users for m in a.modalities).most_common()],
            "examples": [{"identifier": a.identifier, "title": a.title,
                          "countries": [c for c, _ in a.countries]} for a in users[:_EXAMPLES]],
        },
        "tools_seen": tools[:15],
        "history": history,
    }


def edit_section(session: Session, fw: Framework, code: str, section: str, text: str, by: str,
                 expected_version: int | None = None) -> dict[str, Any]:
    """Replace a section's text; refused with the current text if it changed meanwhile."""
    _approach(fw, code)
    if section not in SECTIONS:
        raise ReviewError(f"No section {section!r}.", hint=f"Sections: {', '.join(SECTIONS)}.")
    if not (by or "").strip():
        raise ReviewError("An edit needs its author.", hint="Log in, or give --by.")
    row = _sections(session, fw, code).get(section)
    current = row.version if row else 0
    if expected_version is not None and expected_version != current:
        raise ConflictError(
            f"The section '{SECTIONS[section]}' of {code} is at version {current}, not "
            f"{expected_version}: someone edited it since you opened it.",
            hint="Read the current text (included), merge your changes, and save again.",
            current={"section": section, "text": row.text if row else "", "version": current,
                     "updated_by": row.updated_by if row else None})
    now = utcnow()
    before = row.text if row else None
    if row is None:
        row = ModelSection(framework=fw.code, approach=code, section=section, text=text,
                           version=1, updated_by=by, updated_at=now)
        session.add(row)
    else:
        row.text, row.version, row.updated_by, row.updated_at = text, row.version + 1, by, now
    session.flush()
    session.add(ModelSectionEvent(section_id=row.id, by=by, at=now, before=before, after=text))
    return {"section": section, "text": text, "version": row.version, "updated_by": by,
            "updated_at": now.isoformat()}
