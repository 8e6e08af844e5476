"""Appraisals in the store: create one from a document, rate it, and take it through clearance.

Status and rounds:

    draft ──submit──▶ submitted ──clear──▶ cleared
                         │  ▲
                    return  └──── (rate, then clear or return again)
                         ▼
                     returned ──resubmit (new document, round + 1)──▶ resubmitted ──clear──▶ cleared

Ratings may be given while the appraisal is draft, submitted or resubmitted. Clearing needs
every mandatory criterion rated by a person in the current round at the pass mark or above;
the machine's proposals never count. Every change is an event (who, when, before, after);
a change made on a stale view (an older version) is refused with the current state.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcmap.appraisal.checklist import checklist_from_dict, load_checklist
from tcmap.appraisal.extract import extract
from tcmap.appraisal.prescreen import prescreen
from tcmap.appraisal.scoring import NA, parse_score, proposed_ratings, score
from tcmap.errors import ConflictError, InputError, NotFoundError, ReviewError
from tcmap.store.appraisal import Appraisal, AppraisalEvent, AppraisalRating
from tcmap.store.base import utcnow

STATUSES = ("draft", "submitted", "returned", "resubmitted", "cleared")
RATABLE = ("draft", "submitted", "resubmitted")
TRANSITIONS = {"submit": (("draft",), "submitted"),
               "return": (("submitted", "resubmitted"), "returned"),
               "resubmit": (("returned",), "resubmitted"),
               "clear": (("submitted", "resubmitted"), "cleared")}


def _classifier(classifier):
    if classifier is not None:
        return classifier
    from tcmap.classify import load_classifier

    return load_classifier()


def _who(by: str) -> str:
    if not (by or "").strip():
        raise ReviewError("A change needs its author.", hint="Log in, or give --by.")
    return by.strip()


def _get(session: Session, appraisal_id: int | str) -> Appraisal:
    try:
        key = int(appraisal_id)
    except (TypeError, ValueError):
        key = None
    row = session.get(Appraisal, key) if key is not None else None
    if row is None:
        raise NotFoundError(f"No appraisal {appraisal_id!r}.",
                            hint="See the appraisals with `tcmap appraisal list` or at "
                            "/appraisals.")
    return row


def _event(session: Session, a: Appraisal, action: str, by: str, before=None, after=None,
           note: str | None = None, criterion: str | None = None) -> None:
    session.add(AppraisalEvent(appraisal_id=a.id, round=a.round, action=action, by=by,
                               at=utcnow(), before=before, after=after, note=note,
                               criterion=criterion))


def create_appraisal(session: Session, path: Path | str, template: str, by: str,
                     title: str | None = None, name: str | None = None,
                     classifier=None) -> dict[str, Any]:
    """Read the document, pre-screen it against the template and store a draft appraisal."""
    by = _who(by)
    checklist = load_checklist(template)
    doc = extract(path, name)
    screen = prescreen(doc, checklist, _classifier(classifier))
    a = Appraisal(title=(title or doc.title or doc.name)[:300], template=checklist.code,
                  object_type=checklist.object_type, checklist=checklist.to_dict(),
                  document_name=doc.name[:300], document_sha256=doc.sha256, prescreen=screen,
                  status="draft", round=1, version=1, created_by=by, created_at=utcnow(),
                  updated_at=utcnow())
    session.add(a)
    session.flush()
    _event(session, a, "created", by, after={
        "document": doc.name, "sha256": doc.sha256, "template": checklist.code,
        "proposed": proposed_ratings(screen)})
    return appraisal_sheet(session, a.id)


def _ratings(session: Session, a: Appraisal) -> dict[str, AppraisalRating]:
    return {r.criterion: r for r in session.scalars(
        select(AppraisalRating).where(AppraisalRating.appraisal_id == a.id))}


def _rating_dict(r: AppraisalRating | None, current_round: int) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"score": NA if r.not_applicable else r.score, "comment": r.comment,
            "required_action": r.required_action, "rated_by": r.rated_by,
            "rated_at": r.rated_at.isoformat(), "round": r.round, "version": r.version,
            "current": r.round == current_round}


def rate(session: Session, appraisal_id: int | str, criterion: str, value: Any, by: str,
         comment: str | None = None, action: str | None = None,
         expected_version: int | None = None) -> dict[str, Any]:
    """A person's score (0-3 or na) for one criterion, with a comment and a required action.

    A comment or action left as None keeps the one already there.
    """
    by = _who(by)
    a = _get(session, appraisal_id)
    if a.status not in RATABLE:
        raise ConflictError(f"Appraisal {a.id} is {a.status}: it cannot be rated now.",
                            hint="Ratings are given while an appraisal is draft, submitted or "
                            "resubmitted; a returned one is resubmitted first.",
                            current={"status": a.status, "round": a.round})
    c = checklist_from_dict(a.checklist).criterion(criterion)
    parsed = parse_score(value, c.na_allowed, c.code)
    row = _ratings(session, a).get(c.code)
    current = row.version if row else 0
    if expected_version is not None and expected_version != current:
        raise ConflictError(
            f"The rating of {c.code} is at version {current}, not {expected_version}: someone "
            "rated it since you opened the sheet.",
            hint="Read the current rating (included) and rate again.",
            current=_rating_dict(row, a.round))
    before = _rating_dict(row, a.round)
    now = utcnow()
    if row is None:
        row = AppraisalRating(appraisal_id=a.id, criterion=c.code, version=0, comment="",
                              required_action="")
        session.add(row)
    row.score = None if parsed == NA else parsed
    row.not_applicable = parsed == NA
    row.comment = row.comment if comment is None else comment.strip()
    row.required_action = row.required_action if action is None else action.strip()
    row.round, row.version, row.rated_by, row.rated_at = a.round, row.version + 1, by, now
    a.version, a.updated_at = a.version + 1, now
    session.flush()
    after = _rating_dict(row, a.round)
    _event(session, a, "rated", by, before=before, after=after, criterion=c.code)
    return {"appraisal": a.id, "criterion": c.code, "rating": after,
            "appraisal_version": a.version}


def read_ratings_csv(path: Path | str) -> list[dict[str, str]]:
    """Rows of a ratings file: criterion, score, comment, action (a header row first)."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file-not-found", f"No file {str(path)!r}.", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("bad-ratings-row", "The ratings file is not UTF-8 text.",
                         file=path.name) from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"criterion", "score"} <= {
            f.strip().lower() for f in reader.fieldnames}:
        raise InputError("bad-ratings-row", "The ratings file has no header with criterion "
                         "and score.", file=path.name, row=1)
    rows = []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not row.get("criterion") or not row.get("score"):
            raise InputError("bad-ratings-row", f"Row {n} has no criterion or no score.",
                             file=path.name, row=n)
        rows.append({"criterion": row["criterion"], "score": row["score"], "row": n,
                     "comment": row.get("comment") or None, "action": row.get("action") or None})
    return rows


def rate_many(session: Session, appraisal_id: int | str, rows: list[dict[str, Any]],
              by: str) -> dict[str, Any]:
    """Several ratings at once (from a CSV file); the caller's transaction makes it all or none."""
    results = []
    for r in rows:
        try:
            results.append(rate(session, appraisal_id, r["criterion"], r["score"], by,
                                r.get("comment"), r.get("action")))
        except ReviewError as exc:
            where = f"Row {r['row']}: " if r.get("row") else ""
            raise ReviewError(where + exc.message, hint=exc.hint) from None
    return {"appraisal": int(appraisal_id), "rated": len(results),
            "ratings": [{"criterion": x["criterion"], **x["rating"]} for x in results]}


def _clearance(a: Appraisal, ratings: dict[str, AppraisalRating]) -> dict[str, Any]:
    """The person's scores; mandatory criteria rated only in an earlier round count as
    unrated for clearance (the document has changed since)."""
    checklist = checklist_from_dict(a.checklist)
    values = {k: (NA if r.not_applicable else r.score) for k, r in ratings.items()}
    result = score(checklist, values)
    stale = [c.code for c in checklist.criteria if c.mandatory and c.code in ratings
             and ratings[c.code].round != a.round]
    result["stale_mandatory"] = stale
    result["clearable"] = result["clearable"] and not stale
    return result


def change_status(session: Session, appraisal_id: int | str, action: str, by: str,
                  note: str | None = None, expected_version: int | None = None,
                  document: Path | str | None = None, document_name: str | None = None,
                  classifier=None) -> dict[str, Any]:
    """submit, return, resubmit (optionally with the revised document) or clear."""
    by = _who(by)
    if action not in TRANSITIONS:
        raise ReviewError(f"No action {action!r}.", hint=f"Actions: {', '.join(TRANSITIONS)}.")
    a = _get(session, appraisal_id)
    allowed, target = TRANSITIONS[action]
    if expected_version is not None and expected_version != a.version:
        raise ConflictError(f"Appraisal {a.id} is at version {a.version}, not "
                            f"{expected_version}: it changed since you opened it.",
                            hint="Reload the sheet, check the changes, and try again.",
                            current={"status": a.status, "round": a.round,
                                     "version": a.version})
    if a.status not in allowed:
        raise ConflictError(f"Appraisal {a.id} is {a.status}; '{action}' needs it to be "
                            f"{' or '.join(allowed)}.", hint=_next_hint(a.status),
                            current={"status": a.status, "round": a.round,
                                     "version": a.version})
    ratings = _ratings(session, a)
    before = {"status": a.status, "round": a.round, "document": a.document_name}
    if action == "return" and not (note or "").strip() and not any(
            r.required_action for r in ratings.values()):
        raise ReviewError("Returning for revision needs the actions required.",
                          hint="Give a note, or required actions on the failing criteria.")
    if action == "clear":
        clearance = _clearance(a, ratings)
        if not clearance["clearable"]:
            raise ConflictError(_refusal(clearance), hint=(
                "Rate every mandatory criterion in this round; a failing one needs the "
                "document revised: return it for revision."),
                current={"status": a.status, "round": a.round, "version": a.version,
                         "failing_mandatory": clearance["failing_mandatory"],
                         "unrated_mandatory": clearance["unrated_mandatory"],
                         "stale_mandatory": clearance["stale_mandatory"]})
    if action == "resubmit":
        a.round += 1
        if document is not None:
            doc = extract(document, document_name)
            screen = prescreen(doc, checklist_from_dict(a.checklist), _classifier(classifier))
            a.prescreen, a.document_name, a.document_sha256 = screen, doc.name[:300], doc.sha256
    a.status, a.version, a.updated_at = target, a.version + 1, utcnow()
    after = {"status": a.status, "round": a.round, "document": a.document_name}
    _event(session, a, {"submit": "submitted", "return": "returned", "resubmit": "resubmitted",
                        "clear": "cleared"}[action], by, before, after, note)
    session.flush()
    return appraisal_sheet(session, a.id)


def _refusal(clearance: dict[str, Any]) -> str:
    parts = []
    if clearance["failing_mandatory"]:
        parts.append("failing mandatory criteria: " + ", ".join(
            f"{f['criterion']} ({f['score']})" for f in clearance["failing_mandatory"]))
    if clearance["unrated_mandatory"]:
        parts.append("mandatory criteria not rated: " + ", ".join(
            clearance["unrated_mandatory"]))
    if clearance["stale_mandatory"]:
        parts.append("mandatory criteria rated only in an earlier round: " + ", ".join(
            clearance["stale_mandatory"]))
    return "The document cannot be cleared: " + "; ".join(parts) + "."


def _next_hint(status: str) -> str:
    return {"draft": "Rate the criteria and submit it.",
            "submitted": "Clear it or return it for revision.",
            "returned": "Resubmit it with the revised document.",
            "resubmitted": "Rate the criteria again, then clear it or return it.",
            "cleared": "A cleared appraisal is final; start a new one for a new document."
            }[status]


def appraisal_sheet(session: Session, appraisal_id: int | str) -> dict[str, Any]:
    """The whole appraisal: criteria by section with the machine's proposal and evidence
    beside the person's rating, the scores, the clearance verdict and the history."""
    a = _get(session, appraisal_id)
    checklist = checklist_from_dict(a.checklist)
    ratings = _ratings(session, a)
    proposals = {p["criterion"]: p for p in a.prescreen.get("criteria", [])}
    scores = _clearance(a, ratings)
    sections = []
    for s, sec_score in zip(checklist.sections, scores["sections"], strict=True):
        sections.append({"code": s.code, "title": s.title, "weight": s.weight,
                         "score": sec_score["score"], "criteria": [
                             {**c.to_dict(), "proposal": proposals.get(c.code),
                              "rating": _rating_dict(ratings.get(c.code), a.round)}
                             for c in s.criteria]})
    events = session.scalars(select(AppraisalEvent).where(
        AppraisalEvent.appraisal_id == a.id).order_by(AppraisalEvent.id)).all()
    screen = a.prescreen
    return {
        "id": a.id, "title": a.title, "status": a.status, "round": a.round,
        "version": a.version, "created_by": a.created_by,
        "created_at": a.created_at.isoformat(), "updated_at": a.updated_at.isoformat(),
        "template": {"code": checklist.code, "title": checklist.title,
                     "version": checklist.version, "object_type": checklist.object_type,
                     "scale": {str(k): v for k, v in checklist.scale.items()},
                     "pass_mark": checklist.pass_mark},
        "document": screen.get("document", {"name": a.document_name}),
        "machine": {"version": screen.get("machine"), "classifier": screen.get("classifier"),
                    "language": screen.get("language"),
                    "scores": score(checklist, proposed_ratings(screen)),
                    "note": "The pre-screen only proposes scores; clearance counts a "
                    "person's ratings alone."},
        "constituents_targeted": screen.get("constituents_targeted", []),
        "results_framework": screen.get("results_framework", {}),
        "gate": screen.get("gate"),
        "sections": sections,
        "scores": scores,
        "required_actions": [{"criterion": k, "action": r.required_action, "round": r.round}
                             for k, r in ratings.items() if r.required_action],
        "actions": [act for act, (allowed, _) in TRANSITIONS.items() if a.status in allowed],
        "can_rate": a.status in RATABLE,
        "history": [{"at": e.at.isoformat(), "by": e.by, "round": e.round,
                     "action": e.action, "criterion": e.criterion, "before": e.before,
                     "after": e.after, "note": e.note} for e in events],
    }


def list_appraisals(session: Session, status: str | None = None) -> dict[str, Any]:
    """Every appraisal, newest first, with its status, round and person's overall score."""
    if status is not None and status not in STATUSES:
        raise ReviewError(f"No status {status!r}.", hint=f"Statuses: {', '.join(STATUSES)}.")
    q = select(Appraisal).order_by(Appraisal.id.desc())
    if status:
        q = q.where(Appraisal.status == status)
    rated = dict(session.execute(select(AppraisalRating.appraisal_id, func.count()).group_by(
        AppraisalRating.appraisal_id)).all())
    rows = []
    for a in session.scalars(q):
        clearance = _clearance(a, _ratings(session, a))
        gate = a.prescreen.get("gate") if a.object_type == "dwcp" else None
        rows.append({"id": a.id, "title": a.title, "template": a.template,
                     "object_type": a.object_type, "document": a.document_name,
                     "status": a.status, "round": a.round, "rated": rated.get(a.id, 0),
                     "criteria": len(a.prescreen.get("criteria", [])),
                     "overall": clearance["overall"],
                     "failing_mandatory": [f["criterion"] for f in
                                           clearance["failing_mandatory"]],
                     "gate_passed": gate["passed"] if gate else None,
                     "created_by": a.created_by, "updated_at": a.updated_at.isoformat()})
    return {"title": "Appraisals", "status": status, "statuses": list(STATUSES),
            "templates": ["dwcp", "project"], "appraisals": rows}
