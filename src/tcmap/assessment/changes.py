"""What people change in an assessment: ratings (typed, or a CSV file), verification,
desired levels and response actions. Each change is an event with who, when, before, after.

A rating is keyed by question, source and person (with a "consensus" instrument, by question
alone): rating again replaces it, version + 1. A change made against a stale version
(`expected_version`) is refused with the record as it now is. A batch of ratings is checked
in full first: if any row has a problem nothing is written, and the report lists them all.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.assessment.assessments import (
    action_dict,
    advance,
    bad,
    desired_of,
    editable,
    event,
    instrument_of,
    one_of,
    rating_dict,
    scope_of,
)
from tcmap.assessment.instrument import Instrument
from tcmap.errors import ConflictError, InputError, Problem
from tcmap.iati.codes import codelist
from tcmap.store.assessment import AssessmentAction, AssessmentDesiredLevel, AssessmentRating
from tcmap.store.base import utcnow

NA = {"na", "n/a", "n.a.", "not applicable"}
COLUMNS = ("question", "score", "evidence", "source", "by")
MAX_PROBLEMS = 100


def parse_score(value: Any, inst: Instrument, what: str = "score") -> int | None:
    """A score of the instrument's scale, or None for N/A; InputError otherwise."""
    text = str(value).strip() if value is not None else ""
    if text.lower() in NA:
        if not inst.allow_na:
            raise InputError("rating-na-not-allowed", value=text)
        return None
    try:
        number = float(text)
    except ValueError:
        raise InputError("rating-bad-score", f"The {what} {text!r} is not a whole number or "
                         "N/A.", value=text) from None
    if number != int(number):
        raise InputError("rating-bad-score", f"The {what} {text} is not a whole number.",
                         value=text)
    if not inst.scale_min <= number <= inst.scale_max:
        raise InputError("rating-score-out-of-range",
                         f"The {what} {text} is outside the scale {inst.scale_min} to "
                         f"{inst.scale_max}" + (" (or N/A)." if inst.allow_na else "."),
                         value=text)
    return int(number)


def _blank(value: Any) -> bool:
    return value is None or not str(value).strip()


def _check_row(inst: Instrument, scope: set[str], row: dict[str, Any],
               default_source: str) -> tuple[str, int | None, str]:
    qid = (row.get("question") or "").strip()
    q = inst.question(qid)
    if q is None:
        raise InputError("rating-unknown-question", f"No question {qid!r} in {inst.code}.",
                         value=qid)
    if q.cell not in scope:
        raise InputError("rating-out-of-scope", f"Question {qid} belongs to {q.cell}, "
                         "which is not in the assessment's scope.", value=qid)
    source = (row.get("source") or "").strip() or default_source
    if source not in inst.sources:
        raise InputError("rating-unknown-source", f"{source!r} is not a source of "
                         f"{inst.code}.", f"Use one of: {', '.join(inst.sources)}.",
                         value=source)
    return qid, parse_score(row.get("score"), inst), source


def rate_many(session: Session, assessment_id: int, rows: list[dict[str, Any]], *, by: str,
              source: str = "self", file: str | None = None) -> dict[str, Any]:
    """Record ratings (question, score, evidence, and optionally source and by per row); all
    or nothing. Rows with neither score nor evidence are skipped (an unfilled template)."""
    a = editable(session, assessment_id)
    inst = instrument_of(session, a)
    scope = set(scope_of(session, a, inst))
    problems: list[Problem] = []
    checked, seen, skipped = [], set(), 0
    for n, row in enumerate(rows, start=2 if file else 1):
        if _blank(row.get("score")) and _blank(row.get("evidence")):
            skipped += 1
            continue
        try:
            qid, score, src = _check_row(inst, scope, row, source)
        except InputError as exc:
            problems.append(exc.to_problem())
            problems[-1].row, problems[-1].file = n, file
            continue
        who = (row.get("by") or "").strip() or by
        key = (qid,) if inst.mode == "consensus" else (qid, src, who)
        if key in seen:
            problems.append(Problem.make("rating-duplicate-row", file=file, row=n, value=qid))
            continue
        seen.add(key)
        checked.append((qid, score, str(row.get("evidence") or "").strip(), src, who,
                        row.get("expected_version")))
    if problems:
        return {"ok": False, "assessment": a.id, "written": 0, "skipped": skipped,
                "problems": [p.to_dict() for p in problems[:MAX_PROBLEMS]],
                "more_problems": max(0, len(problems) - MAX_PROBLEMS)}
    written = [_write_rating(session, a, inst, *c) for c in checked]
    if written:
        advance(a, "data_collection")
    session.flush()
    return {"ok": True, "assessment": a.id, "written": len(written), "skipped": skipped,
            "problems": [], "more_problems": 0, "ratings": written}


def rate(session: Session, assessment_id: int, question: str, score: Any, *, by: str,
         evidence: str = "", source: str = "self",
         expected_version: int | None = None) -> dict[str, Any]:
    """Record one rating; InputError (with its problem code) if it is refused."""
    report = rate_many(session, assessment_id, [
        {"question": question, "score": score, "evidence": evidence, "source": source,
         "by": by, "expected_version": expected_version}], by=by, source=source)
    if not report["ok"]:
        p = report["problems"][0]
        raise InputError(p["code"], p["message"], p["hint"], value=p.get("value"))
    if not report["ratings"]:
        raise InputError("rating-bad-score", "A rating needs a score (or N/A).")
    return report["ratings"][0]


def _write_rating(session: Session, a, inst: Instrument, qid: str, score: int | None,
                  evidence: str, source: str, who: str,
                  expected_version: int | None) -> dict[str, Any]:
    q = select(AssessmentRating).where(AssessmentRating.assessment_id == a.id,
                                       AssessmentRating.question == qid)
    if inst.mode != "consensus":
        q = q.where(AssessmentRating.source == source, AssessmentRating.by == who)
    row = session.scalar(q)
    current = row.version if row else 0
    if expected_version not in (None, "") and int(expected_version) != current:
        raise ConflictError(
            f"The rating of {qid} is at version {current}, not {expected_version}: someone "
            "rated it since you looked.", hint="Read the current rating (included) and rate "
            "again if you still disagree.", current=rating_dict(row) if row else None)
    before = rating_dict(row) if row else None
    now = utcnow()
    if row is None:
        row = AssessmentRating(assessment_id=a.id, question=qid, source=source, by=who,
                               score=score, evidence=evidence, at=now, version=1)
        session.add(row)
    else:
        row.source, row.by, row.score, row.evidence, row.at = source, who, score, evidence, now
        row.version += 1
        # A changed consensus needs verifying again.
        row.verified_score = row.verified_by = row.verified_at = row.verification_note = None
    session.flush()
    after = rating_dict(row)
    event(session, a, "rated", who, qid, before, after)
    return after


def read_ratings_csv(path: str | Path) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The rows of a ratings CSV (header: question, score, evidence, source, by), or the
    problems that make it unreadable."""
    path = Path(path)
    if not path.exists():
        return [], [Problem.make("file-not-found", file=str(path))]
    try:
        text = path.read_bytes().decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        rows = [{k.strip().lower(): v for k, v in r.items() if k} for r in reader]
    except (UnicodeDecodeError, csv.Error) as exc:
        return [], [Problem.make("rating-file-unreadable", file=str(path), value=str(exc))]
    missing = [c for c in ("question", "score") if c not in header]
    if missing:
        return [], [Problem.make("rating-missing-column", file=str(path), row=1,
                                 column=", ".join(missing), value=", ".join(header))]
    return rows, []


def rate_file(session: Session, assessment_id: int, path: str | Path, *, by: str,
              source: str = "self") -> dict[str, Any]:
    """Ratings from a CSV file: the report of rate_many (nothing written if any problem)."""
    rows, problems = read_ratings_csv(path)
    if problems:
        return {"ok": False, "assessment": assessment_id, "written": 0, "skipped": 0,
                "problems": [p.to_dict() for p in problems], "more_problems": 0}
    return rate_many(session, assessment_id, rows, by=by, source=source, file=str(path))


def verify(session: Session, assessment_id: int, question: str, score: Any, *, by: str,
           note: str = "") -> dict[str, Any]:
    """Confirm or correct a consensus score (instruments with a verification step)."""
    a = editable(session, assessment_id)
    inst = instrument_of(session, a)
    if not inst.verification:
        raise bad(f"Instrument {inst.code} has no verification step.",
                  "Verification belongs to consensus instruments such as oca; rate instead.")
    row = session.scalar(select(AssessmentRating).where(
        AssessmentRating.assessment_id == a.id, AssessmentRating.question == question))
    if row is None:
        raise bad(f"Question {question!r} has no consensus score to verify yet.",
                  f"Rate it first: tcmap assessment rate {a.id} {question} SCORE.",
                  value=question)
    value = parse_score(score, inst, "verified score")
    before = rating_dict(row)
    row.verified_score, row.verified_by, row.verified_at = value, by, utcnow()
    row.verification_note = note or None
    session.flush()
    event(session, a, "verified", by, question, before, rating_dict(row))
    return rating_dict(row)


def set_desired(session: Session, assessment_id: int, selector: str, score: Any, *,
                set_by: str, by: str,
                expected_version: int | None = None) -> list[dict[str, Any]]:
    """Set the desired level of a cell, or of every cell in scope under a prefix (a level or
    a cross-section), and who set it."""
    a = editable(session, assessment_id)
    inst = instrument_of(session, a)
    one_of(set_by, inst.desired_set_by, "party that sets desired levels")
    value = parse_score(score, inst, "desired level")
    if value is None:
        raise InputError("rating-bad-score", "A desired level cannot be N/A.", value=score)
    scope = scope_of(session, a, inst)
    cells = [c for c in inst.expand(selector) if c in scope]
    if not cells:
        raise bad(f"No cell in scope matches {selector!r}.",
                  f"Cells in scope look like {scope[0] if scope else '(none)'}; see "
                  f"`tcmap assessment show {a.id}`.", code="assessment-unknown-code",
                  value=selector)
    existing = desired_of(session, a)
    out = []
    for cell in cells:
        row = existing.get(cell)
        current = row.version if row else 0
        if expected_version is not None and len(cells) == 1 and expected_version != current:
            raise ConflictError(
                f"The desired level of {cell} is at version {current}, not "
                f"{expected_version}.", hint="Look at the current level (included) and set "
                "it again if needed.", current=_desired_dict(row) if row else None)
        before = _desired_dict(row) if row else None
        if row is None:
            row = AssessmentDesiredLevel(assessment_id=a.id, cell=cell, score=value,
                                         set_by=set_by, by=by, at=utcnow(), version=1)
            session.add(row)
        else:
            row.score, row.set_by, row.by, row.at = value, set_by, by, utcnow()
            row.version += 1
        session.flush()
        event(session, a, "desired", by, cell, before, _desired_dict(row))
        out.append(_desired_dict(row))
    advance(a, "summary")
    return out


def _desired_dict(d: AssessmentDesiredLevel) -> dict[str, Any]:
    return {"cell": d.cell, "score": d.score, "set_by": d.set_by, "by": d.by,
            "at": d.at.isoformat(), "version": d.version}


def save_action(session: Session, assessment_id: int, *, cell: str, horizon: str, lever: str,
                description: str, by: str, responsible: str = "", cost: float | None = None,
                currency: str | None = None, linked_output: str | None = None,
                linked_activity: str | None = None, action_id: int | None = None,
                expected_version: int | None = None) -> dict[str, Any]:
    """Add an action to the capacity-development response, or (action_id) change one."""
    a = editable(session, assessment_id)
    inst = instrument_of(session, a)
    one_of(cell, scope_of(session, a, inst), "cell in the assessment's scope")
    one_of(horizon, inst.horizons, "horizon")
    one_of(lever, inst.levers, "lever")
    if not (description or "").strip():
        raise bad("An action needs a description.", "Say what will be done, e.g. "
                  "'Train inspectors in risk-based planning'.")
    if cost is not None and cost < 0:
        raise bad(f"The cost {cost} is negative.", "Give the estimated cost as a positive "
                  "amount, with --currency.", value=cost)
    if currency:
        currency = one_of(currency.strip().upper(), codelist("Currency"),
                          "currency code (ISO 4217)")
    fields = {"cell": cell, "horizon": horizon, "lever": lever,
              "description": description.strip(), "responsible": (responsible or "").strip(),
              "cost": cost, "currency": currency or None,
              "linked_output": (linked_output or "").strip() or None,
              "linked_activity": (linked_activity or "").strip() or None}
    if action_id is None:
        row = AssessmentAction(assessment_id=a.id, by=by, at=utcnow(), version=1, **fields)
        session.add(row)
        before = None
    else:
        row = session.get(AssessmentAction, action_id)
        if row is None or row.assessment_id != a.id:
            raise bad(f"Assessment #{a.id} has no action #{action_id}.",
                      f"See its actions with `tcmap assessment show {a.id}`.", value=action_id)
        if expected_version is not None and expected_version != row.version:
            raise ConflictError(
                f"Action #{action_id} is at version {row.version}, not {expected_version}: "
                "someone changed it since you looked.", hint="Read the action as it is now "
                "(included), merge your change and save again.", current=action_dict(row))
        before = action_dict(row)
        for k, v in fields.items():
            setattr(row, k, v)
        row.by, row.at, row.version = by, utcnow(), row.version + 1
    session.flush()
    event(session, a, "action", by, f"#{row.id} {cell}", before, action_dict(row))
    advance(a, "response_defined")
    return action_dict(row)
