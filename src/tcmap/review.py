"""Review of tags: people's decisions, the merge of machine tags with them, and the history.

A person's decision (review state `accepted`, `rejected` or `added`) always wins: a new
classification refreshes the machine's opinion on such a tag (confidence, evidence, model
version) but never deletes it nor changes its state, and import never touches tags. Every
change writes a TagEvent with the tag as it was before and after. The functions take an
SQLAlchemy Session and leave the commit to the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tcmap.errors import ConflictError, NotFoundError, ReviewError
from tcmap.store import Activity, Note, Tag, jsontext
from tcmap.store import base as _base
from tcmap.store.tag import TagEvent
from tcmap.taxonomy import Framework, load_framework

MACHINE = "machine"
PERSON_STATES = ("accepted", "rejected", "added")
ACTIONS = {"accept": "accepted", "reject": "rejected", "add": "added"}
# Yes/no judgements that every framework shares (spec/LABELLING.md); their codes are
# "true" and "false", and one replaces the other.
BOOLEAN_DIMENSIONS = ("world_of_work", "capacity_development")
RANKED_DIMENSION = "outcomes"
# A machine tag's confidence moving less than this is noise, not news: no event.
SIGNIFICANT_CONFIDENCE = 0.1
# Reviewer names with these prefixes are reserved for the machine and for sheet imports
# (store.bulk replaces tags reviewed by "sheet:..." when the sheet is imported again).
_RESERVED_BY = ("model:", "sheet:")
_MAX_BY = 100


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def snapshot(tag: Tag | None) -> dict[str, Any] | None:
    """What an event records of a tag: review state, confidence, rank, origin, evidence."""
    if tag is None:
        return None
    return {"review_state": tag.review_state, "confidence": tag.confidence, "rank": tag.rank,
            "origin": tag.origin, "evidence": tag.evidence}


def tag_dict(tag: Tag) -> dict[str, Any]:
    """A tag as JSON-ready data, with its version for the next decision on it."""
    return {
        "id": tag.id, "framework": tag.framework, "dimension": tag.dimension,
        "code": tag.code, "confidence": tag.confidence, "rank": tag.rank,
        "evidence": tag.evidence, "origin": tag.origin, "model_version": tag.model_version,
        "review_state": tag.review_state, "reviewed_by": tag.reviewed_by,
        "reviewed_at": _iso(tag.reviewed_at), "note": tag.note, "version": tag.version,
    }


def event_dict(event: TagEvent) -> dict[str, Any]:
    """A history event as JSON-ready data."""
    return {
        "id": event.id, "tag_id": event.tag_id, "dimension": event.dimension,
        "code": event.code, "action": event.action, "by": event.by, "at": _iso(event.at),
        "before": event.before, "after": event.after, "note": event.note,
    }


def _activity(session: Session, identifier: str) -> Activity:
    from tcmap.portfolio.detail import find_activity

    return find_activity(session, identifier)


def _event(session: Session, activity_id: int, tag: Tag | None, action: str, by: str,
           at: datetime, before: dict | None, *, dimension: str | None = None,
           code: str | None = None, note: str | None = None) -> TagEvent:
    event = TagEvent(
        activity_id=activity_id, tag=tag, action=action, by=by, at=at, before=before,
        after=snapshot(tag) if tag is not None else None, note=note,
        dimension=tag.dimension if tag is not None else dimension,
        code=tag.code if tag is not None else code,
    )
    session.add(event)
    return event


def _significant(before: dict, after: dict) -> bool:
    if before["rank"] != after["rank"] or before["origin"] != after["origin"]:
        return True
    b, a = before["confidence"], after["confidence"]
    if b is None or a is None:
        return (b is None) != (a is None)
    return round(abs(a - b), 9) >= SIGNIFICANT_CONFIDENCE


def _set(tag: Tag, **values: Any) -> bool:
    """Set the fields that differ; True when any did (only then does the version move)."""
    changed = False
    for name, value in values.items():
        if getattr(tag, name) != value:
            setattr(tag, name, value)
            changed = True
    return changed


def apply_machine_tags(session: Session, activity_id: int, framework: str, model_version: str,
                       assignments: list[dict[str, Any]],
                       now: datetime | None = None) -> dict[str, int]:
    """Merge a classifier's tags for one activity with what is stored; people's decisions win.

    New codes are inserted as machine tags; machine-only tags are updated, or deleted when
    the classifier no longer gives them (only those of this framework); tags a person decided
    keep their state and get the latest confidence, evidence and model version (and a yes/no
    dimension a person answered gets no machine tag for the other answer). Applying the same
    assignments twice changes nothing. Returns {added, changed, removed, kept_person}.
    """
    now = now or _base.utcnow()
    by = f"model:{model_version}"
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for a in assignments:
        if a.get("origin", "model") not in ("rule", "model"):
            raise ReviewError(
                f"A machine tag has origin {a.get('origin')!r}.",
                hint="Machine tags come from a 'rule' or a 'model'; people use review().")
        wanted.setdefault((a["dimension"], a["code"]), a)
    existing = {(t.dimension, t.code): t for t in session.scalars(
        select(Tag).where(Tag.activity_id == activity_id))}
    counts = {"added": 0, "changed": 0, "removed": 0, "kept_person": 0}
    # A person who chose yes or no has settled the question: the machine's other answer
    # does not come back as a tag beside theirs.
    settled = {t.dimension for t in existing.values()
               if t.dimension in BOOLEAN_DIMENSIONS and t.review_state in ("accepted", "added")}

    for key, a in wanted.items():
        tag = existing.get(key)
        # As the database hands them back (floats, lists), so that equal means unchanged.
        confidence = None if a.get("confidence") is None else float(a["confidence"])
        evidence = None if a.get("evidence") is None else jsontext.loads(jsontext.dumps(
            a["evidence"]))
        if tag is None and key[0] in settled:
            continue
        if tag is None:
            tag = Tag(activity_id=activity_id, framework=framework, dimension=key[0],
                      code=key[1], confidence=confidence, rank=a.get("rank"),
                      evidence=evidence, origin=a.get("origin", "model"),
                      model_version=model_version, review_state=MACHINE, created_at=now,
                      updated_at=now)
            session.add(tag)
            _event(session, activity_id, tag, "machine-added", by, now, None)
            counts["added"] += 1
            continue
        before = snapshot(tag)
        if tag.review_state == MACHINE:
            changed = _set(tag, framework=framework, confidence=confidence, rank=a.get("rank"),
                           evidence=evidence, origin=a.get("origin", "model"),
                           model_version=model_version)
        else:
            # A person decided: show them the machine's latest opinion, keep their decision.
            changed = _set(tag, confidence=confidence, evidence=evidence,
                           model_version=model_version)
        if changed:
            tag.updated_at = now
            if _significant(before, snapshot(tag)):
                _event(session, activity_id, tag, "machine-changed", by, now, before)
                if tag.review_state == MACHINE:
                    counts["changed"] += 1

    for key, tag in existing.items():
        if tag.review_state != MACHINE:
            counts["kept_person"] += 1
        elif key not in wanted and tag.framework == framework:
            _event(session, activity_id, None, "machine-removed", by, now, snapshot(tag),
                   dimension=tag.dimension, code=tag.code)
            session.delete(tag)
            counts["removed"] += 1
    return counts


def _framework(framework: Framework | str | None) -> Framework:
    if isinstance(framework, Framework):
        return framework
    return load_framework(framework) if framework else load_framework()


def check_code(fw: Framework, dimension: str, code: str) -> str:
    """The code as the framework spells it, or ReviewError whose hint lists the valid ones."""
    if dimension in BOOLEAN_DIMENSIONS:
        if code.lower() in ("true", "false"):
            return code.lower()
        raise ReviewError(f"{code!r} is not a value of {dimension}.",
                          hint=f"Use {dimension}:true or {dimension}:false.")
    if dimension not in fw.dimensions:
        raise ReviewError(
            f"The framework {fw.code} has no dimension {dimension!r}.",
            hint=f"Dimensions: {', '.join([*fw.dimensions, *BOOLEAN_DIMENSIONS])}.")
    codes = fw.dimensions[dimension].codes
    by_lower = {c.lower(): c for c in codes}
    if code.lower() in by_lower:
        return by_lower[code.lower()]
    raise ReviewError(f"{code!r} is not a code of {dimension} in the framework {fw.code}.",
                      hint=f"Codes of {dimension}: {', '.join(codes)}.")


def _check_by(by: str | None) -> str:
    by = (by or "").strip()
    if not by:
        raise ReviewError("A review needs the reviewer's name.",
                          hint="Give it with --by NAME (default: $USER).")
    if len(by) > _MAX_BY or by.lower().startswith(_RESERVED_BY):
        raise ReviewError(f"{by[:40]!r} cannot name a reviewer.",
                          hint=f"Use a person's name of at most {_MAX_BY} characters, not "
                          "starting with model: or sheet:.")
    return by


def _next_rank(session: Session, activity_id: int) -> int:
    top = session.scalar(select(func.max(Tag.rank)).where(
        Tag.activity_id == activity_id, Tag.dimension == RANKED_DIMENSION,
        Tag.review_state != "rejected"))
    return (top or 0) + 1


def review(session: Session, identifier: str, action: str, dimension: str, code: str, by: str,
           note: str | None = None, framework: Framework | str | None = None,
           expected_version: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Record a person's decision on one tag (accept, reject or add) and return its event.

    The event dict (as `history` lists it) has one more key, `tag`: the tag as it is now,
    with the version to pass as `expected_version` next time. A different version than
    `expected_version` raises ConflictError carrying the tag's current state.
    """
    state = ACTIONS.get(action)
    if state is None:
        raise ReviewError(f"Unknown review action {action!r}.",
                          hint=f"Use one of {', '.join(ACTIONS)}.")
    by = _check_by(by)
    fw = _framework(framework)
    code = check_code(fw, dimension, code)
    now = now or _base.utcnow()
    activity = _activity(session, identifier)
    tag = session.scalar(select(Tag).where(
        Tag.activity_id == activity.id, Tag.dimension == dimension, Tag.code == code))

    if expected_version is not None and (tag is None or tag.version != expected_version):
        current = tag_dict(tag) if tag is not None else None
        raise ConflictError(
            f"The tag {dimension}:{code} of {identifier} "
            + (f"is at version {tag.version}, not {expected_version}: someone changed it "
               "since you looked." if tag is not None else "no longer exists."),
            hint="Look at its current state (included), then decide again.", current=current)
    if tag is None and state != "added":
        raise NotFoundError(
            f"{identifier} has no tag {dimension}:{code} to {action}.",
            hint=f"To tag it, add it: tcmap review {identifier} --add {dimension}:{code}.")

    before, rank = snapshot(tag), None
    if state == "added":
        # Adding a code the machine proposed confirms it; a person's own code is "added".
        if tag is not None and tag.origin != "person":
            state = "accepted"
        if dimension == RANKED_DIMENSION and (tag is None or tag.rank is None
                                              or tag.review_state == "rejected"):
            rank = _next_rank(session, activity.id)
            if tag is not None:
                tag.rank = rank
    if tag is None:
        tag = Tag(activity_id=activity.id, framework=fw.code, dimension=dimension, code=code,
                  origin="person", rank=rank, created_at=now)
        session.add(tag)
    tag.review_state, tag.reviewed_by, tag.reviewed_at = state, by, now
    tag.note, tag.updated_at = note, now
    event = _event(session, activity.id, tag, state, by, now, before, note=note)
    try:
        if dimension in BOOLEAN_DIMENSIONS and state != "rejected":
            _reject_opposite(session, activity.id, dimension, code, by, now)
        session.flush()
    except StaleDataError:
        raise ConflictError(
            f"The tag {dimension}:{code} of {identifier} was changed by someone else at the "
            "same moment.", hint="Reload the activity and decide again.") from None
    return {**event_dict(event), "tag": tag_dict(tag)}


def _reject_opposite(session: Session, activity_id: int, dimension: str, code: str, by: str,
                     now: datetime) -> None:
    opposite = session.scalar(select(Tag).where(
        Tag.activity_id == activity_id, Tag.dimension == dimension,
        Tag.code == ("false" if code == "true" else "true")))
    if opposite is None or opposite.review_state == "rejected":
        return
    before = snapshot(opposite)
    opposite.review_state, opposite.reviewed_by, opposite.reviewed_at = "rejected", by, now
    opposite.note, opposite.updated_at = f"replaced by {dimension}:{code}", now
    _event(session, activity_id, opposite, "rejected", by, now, before, note=opposite.note)


def add_note(session: Session, identifier: str, author: str, text: str,
             now: datetime | None = None) -> dict[str, Any]:
    """Add a person's note to an activity; it shows in the history too. Returns the event."""
    author = _check_by(author)
    if not (text or "").strip():
        raise ReviewError("The note is empty.", hint="Write the note's text.")
    now = now or _base.utcnow()
    activity = _activity(session, identifier)
    session.add(Note(activity_id=activity.id, author=author, text=text, created_at=now))
    event = _event(session, activity.id, None, "note", author, now, None, note=text)
    session.flush()
    return event_dict(event)


def history(session: Session, identifier: str) -> list[dict[str, Any]]:
    """Every change to an activity's tags and notes, newest first."""
    activity = _activity(session, identifier)
    events = session.scalars(
        select(TagEvent).where(TagEvent.activity_id == activity.id)
        .order_by(TagEvent.at.desc(), TagEvent.id.desc())
        # tag_id may have been set null by the database when a tag was deleted.
        .execution_options(populate_existing=True))
    return [event_dict(e) for e in events]


def effective_tags(session: Session, activity_id: int) -> dict[str, list[dict[str, Any]]]:
    """The tags that count (all but rejected ones) per dimension, by rank then confidence."""
    tags = session.scalars(select(Tag).where(
        Tag.activity_id == activity_id, Tag.review_state != "rejected"))
    out: dict[str, list[dict[str, Any]]] = {}
    # A person's code has no confidence: it comes before the machine's among unranked ones.
    for t in sorted(tags, key=lambda t: (t.dimension, t.rank is None, t.rank or 0,
                                         -(2.0 if t.confidence is None else t.confidence),
                                         t.code)):
        out.setdefault(t.dimension, []).append(tag_dict(t))
    return out
