"""Country programmes (DWCPs): read, edit, link activities to outcomes, and the gate's input.

A programme has a country, a period, priorities and the constituents it serves; its country
programme outcomes (CPOs) each name a framework outcome (O1..O19); each outcome has outputs
at one capacity level for one constituent. Programmes come from a spreadsheet
(`results.sheets`); people then edit outputs and link activities. An activity links to an
outcome explicitly (a person) or by recognition (`results.recognition`); a person's
rejection of a link stays. Every change is recorded with who, when, before and after.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcmap.errors import NotFoundError, ReviewError
from tcmap.results.history import (
    apply_changes,
    check_version,
    events,
    fields_of,
    need_author,
    record,
)
from tcmap.results.reference import CAPACITY_LEVELS, learning_outcomes
from tcmap.store import Activity
from tcmap.store.base import utcnow
from tcmap.store.programme import (
    ActivityOutcomeLink,
    CapacityIndicator,
    Programme,
    ProgrammeOutcome,
    ProgrammeOutput,
)
from tcmap.taxonomy import load_framework

OUTPUT_FIELDS = ("statement", "capacity_level", "constituent", "learning_outcome",
                 "institutional_change")
OUTCOME_FIELDS = ("statement", "framework_outcome", "priority")


def get_programme(session: Session, code: str) -> Programme:
    """The programme of this code, or NotFoundError saying how to list them."""
    p = session.scalar(select(Programme).where(Programme.code == code))
    if p is None:
        raise NotFoundError(f"No programme {code!r}.",
                            hint="List them with `tcmap programme list` (or at /programmes); "
                            "import one with `tcmap programme import FILE`.")
    return p


def get_outcome(session: Session, code: str) -> ProgrammeOutcome:
    o = session.scalar(select(ProgrammeOutcome).where(ProgrammeOutcome.code == code))
    if o is None:
        raise NotFoundError(f"No country programme outcome {code!r}.",
                            hint="See the outcomes with `tcmap programme show CODE`.")
    return o


def get_output(session: Session, programme: Programme, code: str) -> ProgrammeOutput:
    o = session.scalar(select(ProgrammeOutput).where(
        ProgrammeOutput.programme_id == programme.id, ProgrammeOutput.code == code))
    if o is None:
        raise NotFoundError(f"Programme {programme.code} has no output {code!r}.",
                            hint=f"See its outputs with `tcmap programme show {programme.code}`.")
    return o


def get_activity(session: Session, identifier: str) -> Activity:
    a = session.scalar(select(Activity).where(Activity.iati_identifier == identifier))
    if a is None:
        raise NotFoundError(f"No activity {identifier!r}.",
                            hint="Check the identifier with `tcmap activities -q WORDS`.")
    return a


def _output_dict(o: ProgrammeOutput) -> dict[str, Any]:
    return {"code": o.code, **fields_of(o, OUTPUT_FIELDS), "version": o.version,
            "updated_by": o.updated_by, "updated_at": o.updated_at.isoformat()}


def programme_summary(p: Programme) -> dict[str, Any]:
    """The programme's own fields."""
    return {"code": p.code, "country": p.country, "title": p.title,
            "period_start": p.period_start.isoformat(), "period_end": p.period_end.isoformat(),
            "priorities": list(p.priorities or []), "constituents": list(p.constituents or []),
            "framework": p.framework, "version": p.version, "updated_by": p.updated_by,
            "updated_at": p.updated_at.isoformat()}


def list_programmes(session: Session, country: str | None = None) -> dict[str, Any]:
    """Every programme with its counts of outcomes, outputs by level, activities, indicators."""
    q = select(Programme).order_by(Programme.country, Programme.period_start, Programme.code)
    if country:
        q = q.where(Programme.country == country.upper())
    outputs: dict[int, Counter] = {}
    for pid, level, n in session.execute(
            select(ProgrammeOutput.programme_id, ProgrammeOutput.capacity_level, func.count())
            .group_by(ProgrammeOutput.programme_id, ProgrammeOutput.capacity_level)):
        outputs.setdefault(pid, Counter())[level] = n
    outcomes = dict(session.execute(select(ProgrammeOutcome.programme_id, func.count())
                                    .group_by(ProgrammeOutcome.programme_id)).all())
    linked = dict(session.execute(
        select(ProgrammeOutcome.programme_id, func.count(func.distinct(
            ActivityOutcomeLink.activity_id)))
        .join(ActivityOutcomeLink, ActivityOutcomeLink.outcome_id == ProgrammeOutcome.id)
        .where(ActivityOutcomeLink.state == "linked")
        .group_by(ProgrammeOutcome.programme_id)).all())
    indicators = dict(session.execute(select(CapacityIndicator.programme_id, func.count())
                                      .group_by(CapacityIndicator.programme_id)).all())
    rows = []
    for p in session.scalars(q):
        levels = outputs.get(p.id, Counter())
        rows.append({**programme_summary(p), "outcomes": outcomes.get(p.id, 0),
                     "outputs": sum(levels.values()),
                     "outputs_by_level": {lv: levels.get(lv, 0) for lv in CAPACITY_LEVELS},
                     "activities": linked.get(p.id, 0),
                     "indicators": indicators.get(p.id, 0)})
    return {"title": "Country programmes", "count": len(rows), "programmes": rows}


def programme_detail(session: Session, code: str) -> dict[str, Any]:
    """A programme with its outcomes, their outputs and the activities linked to them."""
    p = get_programme(session, code)
    fw = load_framework(p.framework)
    outputs_by_id = {}
    links: dict[int, list[dict[str, Any]]] = {}
    outcome_ids = [o.id for o in p.outcomes]
    for link, ident, title in session.execute(
            select(ActivityOutcomeLink, Activity.iati_identifier, Activity.title)
            .join(Activity, Activity.id == ActivityOutcomeLink.activity_id)
            .where(ActivityOutcomeLink.outcome_id.in_(outcome_ids))
            .order_by(Activity.iati_identifier)):
        links.setdefault(link.outcome_id, []).append({
            "identifier": ident, "title": title or "", "origin": link.origin,
            "state": link.state, "evidence": link.evidence, "note": link.note,
            "output_id": link.output_id, "by": link.by, "at": link.at.isoformat()})
    outcomes = []
    for o in p.outcomes:
        outs = [_output_dict(x) for x in o.outputs]
        outputs_by_id.update({x.id: x.code for x in o.outputs})
        fo = o.framework_outcome
        outcomes.append({
            "code": o.code, **fields_of(o, OUTCOME_FIELDS), "version": o.version,
            "framework_title": fw.outcomes.codes[fo].title if fo in fw.outcomes else None,
            "outputs": outs, "activities": links.get(o.id, [])})
    for o in outcomes:
        for a in o["activities"]:
            a["output"] = outputs_by_id.get(a.pop("output_id"))
    levels = Counter(x["capacity_level"] for o in outcomes for x in o["outputs"])
    return {"title": f"{p.code}: {p.title}" if p.title else p.code,
            "programme": programme_summary(p), "outcomes": outcomes,
            "capacity_outputs": {lv: levels.get(lv, 0) for lv in CAPACITY_LEVELS},
            "history": events(session, p.id, limit=50)}


def check_output_fields(framework: str, changes: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, what is wrong) for each bad value of an output's fields."""
    fw = load_framework(framework)
    bad = []
    if "capacity_level" in changes and changes["capacity_level"] not in CAPACITY_LEVELS:
        bad.append(("capacity_level", f"is not one of {', '.join(CAPACITY_LEVELS)}"))
    groups = fw.dimensions.get("target_groups")
    if changes.get("constituent") and groups is not None and changes["constituent"] not in groups:
        bad.append(("constituent", "is not a target-group code of the framework "
                    f"({', '.join(c.code for c in groups)})"))
    lo = changes.get("learning_outcome")
    if lo and lo not in learning_outcomes():
        bad.append(("learning_outcome", f"is not one of {', '.join(learning_outcomes())}"))
    if "statement" in changes and not (changes["statement"] or "").strip():
        bad.append(("statement", "is empty"))
    return bad


def edit_output(session: Session, code: str, output_code: str, changes: dict[str, Any],
                by: str, expected_version: int | None = None) -> dict[str, Any]:
    """Change an output's statement, capacity level, constituent, learning outcome or
    institutional change; the chain is rebuilt so that it follows."""
    from tcmap.results.chain import build_chain

    by = need_author(by)
    p = get_programme(session, code)
    out = get_output(session, p, output_code)
    unknown = sorted(set(changes) - set(OUTPUT_FIELDS))
    if unknown:
        raise ReviewError(f"An output has no field {', '.join(unknown)}.",
                          hint=f"Fields: {', '.join(OUTPUT_FIELDS)}.")
    changes = {k: (v.strip() or None) if isinstance(v, str) and k != "statement" else v
               for k, v in changes.items()}
    bad = check_output_fields(p.framework, changes)
    if bad:
        raise ReviewError(f"Output {output_code}: " + "; ".join(f"{f} {w}" for f, w in bad)
                          + ".", hint="Correct the values named and save again.")
    check_version(out, expected_version, f"Output {output_code}", _output_dict(out))
    before, after = apply_changes(out, changes, by)
    if before:
        record(session, p.id, "output", out.id, "edited", by, before, after)
        session.flush()
        build_chain(session, code, by)
    return _output_dict(out)


def link_activity(session: Session, outcome_code: str, identifier: str, by: str,
                  output_code: str | None = None, note: str | None = None,
                  unlink: bool = False) -> dict[str, Any]:
    """A person links an activity to an outcome (and optionally one of its outputs), or
    rejects the link; a rejection stays when recognition runs again."""
    from tcmap.results.chain import build_chain

    by = need_author(by)
    outcome = get_outcome(session, outcome_code)
    programme = session.get(Programme, outcome.programme_id)
    activity = get_activity(session, identifier)
    output = None
    if output_code:
        output = get_output(session, programme, output_code)
        if output.outcome_id != outcome.id:
            raise ReviewError(f"Output {output_code} belongs to another outcome than "
                              f"{outcome_code}.", hint="Name an output of that outcome.")
    link = session.scalar(select(ActivityOutcomeLink).where(
        ActivityOutcomeLink.outcome_id == outcome.id,
        ActivityOutcomeLink.activity_id == activity.id))
    before = fields_of(link, ("origin", "state", "output_id", "note")) if link else None
    if link is None:
        link = ActivityOutcomeLink(outcome_id=outcome.id, activity_id=activity.id, origin="person")
        session.add(link)
    link.origin, link.state = "person", "rejected" if unlink else "linked"
    if output is not None or unlink:
        link.output_id = None if unlink else output.id
    link.note, link.by, link.at = note, by, utcnow()
    session.flush()
    after = fields_of(link, ("origin", "state", "output_id", "note"))
    record(session, programme.id, "activity_link", link.id, "unlinked" if unlink else "linked",
           by, before, after, note)
    build_chain(session, programme.code, by)
    return {"programme": programme.code, "outcome": outcome.code, "activity": identifier,
            "output": output.code if output else None, "state": link.state,
            "origin": link.origin, "by": by, "note": note}


def gate_input(session: Session, code: str) -> dict[str, Any]:
    """The programme in the shape the DWCP gate takes (tcmap.appraisal.gate.gate_programme)."""
    p = get_programme(session, code)
    outputs = [{"code": x.code, "statement": x.statement, "capacity_level": x.capacity_level,
                "constituent": x.constituent} for o in p.outcomes for x in o.outputs]
    declared = list(p.constituents or [])
    constituents = declared or sorted({x["constituent"] for x in outputs if x["constituent"]})
    return {"code": p.code, "country": p.country, "constituents": constituents,
            "outputs": outputs}


def delete_programme(session: Session, code: str, by: str) -> dict[str, Any]:
    """Delete a programme with its outcomes, outputs, links, chain and indicators."""
    by = need_author(by)
    p = get_programme(session, code)
    summary = programme_summary(p)
    session.delete(p)
    session.flush()
    record(session, None, "programme", None, "deleted", by, summary, None)
    return {"deleted": code, "by": by}
