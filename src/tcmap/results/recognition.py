"""Recognise country programme outcome codes inside activity identifiers and IATI tags.

The ILO publishes one IATI activity per country programme outcome and biennium, and its
identifiers end in the outcome's code (`XM-DAC-41302-103349-373566-2014-PSE103`). An
activity is linked to a stored outcome when the outcome's code is a whole segment of its
identifier or of one of its other identifiers, or the code (or whole text) of one of its
IATI tags of the reporting organisation's own vocabularies (98, 99). A person's decision
on a link (linked or rejected) is never overwritten.
Codes shaped like outcome codes that match no stored outcome are listed, so an analyst sees
which programmes are missing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.results.history import need_author, record
from tcmap.results.reference import recognition_rules
from tcmap.store import Activity, IatiTag, OtherIdentifier
from tcmap.store.base import utcnow
from tcmap.store.programme import ActivityOutcomeLink, Programme, ProgrammeOutcome

_SEGMENT = re.compile(r"[-/_.\s]+")
_LIST_UNKNOWN = 50


def segments(text: str) -> list[str]:
    """The upper-cased segments of an identifier ('XM-DAC-41302-2014-PSE103' → ..., 'PSE103')."""
    return [s for s in _SEGMENT.split(text.upper()) if s]


def outcome_codes_in(identifier: str, known: set[str] | frozenset[str],
                     other_identifiers: list[str] = (),
                     tags: list[tuple[str | None, str | None, str | None]] = ()
                     ) -> list[dict[str, str]]:
    """The known outcome codes found in an activity, each with where it was found.

    `known` holds upper-cased outcome codes; `tags` are (vocabulary, code, text) triples.
    """
    found: dict[str, dict[str, str]] = {}
    places = [("iati-identifier", identifier)]
    places += [("other-identifier", ref) for ref in other_identifiers if ref]
    for field, value in places:
        for seg in segments(value):
            if seg in known and seg not in found:
                found[seg] = {"code": seg, "field": field, "value": value}
    vocabularies = set(recognition_rules()["tag_vocabularies"])
    for vocabulary, code, text in tags:
        if vocabulary not in vocabularies:  # SDG targets and the like are not outcome codes
            continue
        for field, value in (("tag/@code", code), ("tag/narrative", text)):
            v = (value or "").strip().upper()
            if v in known and v not in found:
                found[v] = {"code": v, "field": field, "value": value, "vocabulary": vocabulary}
    return list(found.values())


def candidate_code(identifier: str) -> dict[str, str] | None:
    """The outcome code an identifier's publisher pattern says it ends in, if any."""
    for rule in recognition_rules()["patterns"]:
        if not identifier.startswith(rule["publisher"] + "-"):
            continue
        m = rule["regex"].search(identifier)
        if m:
            return {"code": m.group("code"), "year": m.group("year") or "",
                    "pattern": rule["name"]}
    return None


def recognise(session: Session, by: str = "recogniser", programme: str | None = None
              ) -> dict[str, Any]:
    """Link activities to the stored outcomes whose codes they carry; return what happened."""
    by = need_author(by)
    q = select(ProgrammeOutcome.id, ProgrammeOutcome.code, ProgrammeOutcome.programme_id,
               Programme.code).join(Programme, Programme.id == ProgrammeOutcome.programme_id)
    if programme:
        from tcmap.results.programmes import get_programme

        q = q.where(Programme.id == get_programme(session, programme).id)
    outcomes = {code.upper(): (oid, pid, pcode) for oid, code, pid, pcode in session.execute(q)}
    known = frozenset(outcomes)
    others: dict[int, list[str]] = defaultdict(list)
    for aid, ref in session.execute(select(OtherIdentifier.activity_id, OtherIdentifier.ref)):
        others[aid].append(ref)
    tags: dict[int, list[tuple]] = defaultdict(list)
    for aid, voc, code, text in session.execute(
            select(IatiTag.activity_id, IatiTag.vocabulary, IatiTag.code, IatiTag.text)):
        tags[aid].append((voc, code, text))
    existing = {(r.outcome_id, r.activity_id): r for r in session.scalars(
        select(ActivityOutcomeLink).where(ActivityOutcomeLink.outcome_id.in_(
            [v[0] for v in outcomes.values()])))}
    created, kept, refused = [], 0, 0
    unknown: Counter = Counter()
    touched: set[str] = set()
    for aid, ident in session.execute(select(Activity.id, Activity.iati_identifier)):
        hits = outcome_codes_in(ident, known, others.get(aid, []), tags.get(aid, []))
        if not hits and not programme:
            cand = candidate_code(ident)
            if cand and cand["code"] not in known:
                unknown[cand["code"]] += 1
        for hit in hits:
            oid, pid, pcode = outcomes[hit["code"]]
            link = existing.get((oid, aid))
            if link is not None:
                refused += link.state == "rejected"
                kept += link.state != "rejected"
                continue
            link = ActivityOutcomeLink(outcome_id=oid, activity_id=aid, origin="recognised",
                                       state="linked", evidence=hit, by=by, at=utcnow())
            session.add(link)
            existing[(oid, aid)] = link
            session.flush()
            record(session, pid, "activity_link", link.id, "recognised", by, None,
                   {"activity": ident, "outcome": hit["code"], "evidence": hit})
            created.append({"activity": ident, "outcome": hit["code"], "programme": pcode,
                            "evidence": hit})
            touched.add(pcode)
    if touched:
        from tcmap.results.chain import build_chain

        for code in sorted(touched):
            build_chain(session, code, by)
    return {"outcomes_known": len(known), "linked": len(created), "already_linked": kept,
            "rejected_by_a_person": refused, "links": created,
            "unknown_codes": [{"code": c, "activities": n}
                              for c, n in unknown.most_common(_LIST_UNKNOWN)],
            "unknown_codes_total": len(unknown)}
