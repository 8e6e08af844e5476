"""Training events and participants in the store: saving imported rows, listing, one event.

Rows are saved by key (event; event and participant; event, participant and timing) and a
content hash: a row whose hash is unchanged is left alone, a changed one is updated with its
version raised, and both insertions and updates are recorded with their before and after state.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tcmap.errors import NotFoundError
from tcmap.store.base import utcnow
from tcmap.store.training import (
    Participant,
    SurveyAnswer,
    SurveyResponse,
    TrainingChange,
    TrainingEvent,
    TrainingImport,
)
from tcmap.taxonomy import Framework
from tcmap.training.figures import (
    EventFact,
    PersonFact,
    answer_counts,
    response_rate,
    row,
    sent_timings,
)
from tcmap.training.reading import code_labels
from tcmap.training.surveys import Instrument, load_instrument

FIELDS = {
    "event": ("title", "start_date", "end_date", "outcome", "modality", "organizer",
              "venue_country", "activity", "surveys"),
    "participant": ("sex", "constituent_type", "organization", "country", "not_reached"),
    "response": ("responded_on",),
}


@dataclass
class Incoming:
    """One accepted row of an import: its kind, key, values, answers and where it came from."""

    kind: str  # event, participant, response
    key: tuple[str, ...]
    fields: dict[str, Any]
    answers: dict[str, tuple[int | None, str | None]] = field(default_factory=dict)
    source: str = ""
    salt: str = ""  # what else decides the stored values: the framework or the instrument

    @property
    def content_hash(self) -> str:
        data = {"f": self.fields, "a": self.answers, "s": self.salt}
        text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def state(kind: str, obj: Any) -> dict[str, Any]:
    """A stored row's values as plain data (for change history and --json)."""
    out = {f: _plain(getattr(obj, f)) for f in FIELDS[kind]}
    if kind == "response":
        out["answers"] = {a.item: a.value if a.value is not None else a.text
                          for a in obj.answers}
    return out


class Index:
    """The stored events, participants and responses by key, loaded once per import."""

    def __init__(self, session: Session) -> None:
        self.events = {(e.code,): e for e in session.scalars(select(TrainingEvent))}
        by_id = {e.id: e.code for e in self.events.values()}
        self.participants = {(by_id[p.event_id], p.code): p
                             for p in session.scalars(select(Participant))}
        pk = {p.id: key for key, p in self.participants.items()}
        self.responses = {(*pk[r.participant_id], r.timing): r for r in session.scalars(
            select(SurveyResponse).options(selectinload(SurveyResponse.answers)))}

    def has(self, kind: str, key: tuple[str, ...]) -> bool:
        return key in {"event": self.events, "participant": self.participants,
                       "response": self.responses}[kind]


def save(session: Session, index: Index, inc: Incoming, imp: TrainingImport,
         framework: str, instrument: str) -> str:
    """Insert or update the row; 'inserted', 'updated' or 'unchanged'."""
    table = {"event": index.events, "participant": index.participants,
             "response": index.responses}[inc.kind]
    obj = table.get(inc.key)
    digest = inc.content_hash
    if obj is not None and obj.content_hash == digest:
        return "unchanged"
    before = state(inc.kind, obj) if obj is not None else None
    if obj is None:
        obj = _new(index, inc, framework, instrument)
        session.add(obj)
        table[inc.key] = obj
    else:
        obj.version += 1
    for name in FIELDS[inc.kind]:
        setattr(obj, name, inc.fields.get(name))
    if inc.kind == "response":
        obj.instrument = instrument
        _answers(obj, inc.answers)
    if inc.kind == "event":
        obj.framework = framework
    obj.content_hash, obj.source, obj.import_id, obj.updated_at = (
        digest, inc.source[:300], imp.id, utcnow())
    session.add(TrainingChange(import_id=imp.id, kind=inc.kind, key="/".join(inc.key)[:400],
                               action="inserted" if before is None else "updated",
                               before=before, after=state(inc.kind, obj)))
    return "inserted" if before is None else "updated"


def _new(index: Index, inc: Incoming, framework: str, instrument: str) -> Any:
    if inc.kind == "event":
        return TrainingEvent(code=inc.key[0], framework=framework)
    if inc.kind == "participant":
        return Participant(event=index.events[inc.key[:1]], code=inc.key[1])
    return SurveyResponse(participant=index.participants[inc.key[:2]], timing=inc.key[2],
                          instrument=instrument, answers=[])


def _answers(resp: SurveyResponse, answers: dict[str, tuple[int | None, str | None]]) -> None:
    """Make the response's answers exactly these, updating rows in place."""
    have = {a.item: a for a in resp.answers}
    for item, a in list(have.items()):
        if item not in answers:
            resp.answers.remove(a)
    for item, (value, text) in answers.items():
        if item in have:
            have[item].value, have[item].text = value, text
        else:
            resp.answers.append(SurveyAnswer(item=item, value=value, text=text))


def load_facts(session: Session, outcome: str | None = None, organizer: str | None = None,
               event: str | None = None) -> tuple[dict[str, EventFact], list[PersonFact]]:
    """The events (optionally of one outcome, organizer or code) and their participants."""
    q = select(TrainingEvent)
    if outcome:
        q = q.where(TrainingEvent.outcome == outcome)
    if organizer:
        q = q.where(TrainingEvent.organizer == organizer)
    if event:
        q = q.where(TrainingEvent.code == event)
    events = {e.id: e for e in session.scalars(q)}
    facts = {e.code: EventFact(e.code, e.title, e.outcome, e.organizer, e.modality,
                               e.start_date, e.end_date, frozenset(e.surveys or ()))
             for e in events.values()}
    people = []
    if events:
        rows = session.scalars(select(Participant).where(
            Participant.event_id.in_(list(events))).options(
            selectinload(Participant.responses).selectinload(SurveyResponse.answers)))
        for p in rows:
            answers = {r.timing: {a.item: a.value if a.value is not None else a.text
                                  for a in r.answers} for r in p.responses}
            people.append(PersonFact(events[p.event_id].code, p.code, p.sex,
                                     p.constituent_type, p.country,
                                     frozenset(p.not_reached or ()), answers))
    people.sort(key=lambda p: (p.event, p.code))
    return facts, people


def _timing_rank(timing: str) -> tuple[int, str]:
    order = list(load_instrument().timings)
    return (order.index(timing) if timing in order else len(order), timing)


def _summary(e: TrainingEvent, framework: Framework) -> dict[str, Any]:
    outcome = framework.outcomes.codes.get(e.outcome)
    return {"code": e.code, "title": e.title, "start_date": e.start_date.isoformat(),
            "end_date": e.end_date.isoformat(), "outcome": e.outcome,
            "outcome_title": outcome.title if outcome else None, "modality": e.modality,
            "organizer": e.organizer, "venue_country": e.venue_country,
            "activity": e.activity, "surveys": list(e.surveys or ())}


def list_events(session: Session, framework: Framework, outcome: str | None = None,
                organizer: str | None = None, year: int | None = None) -> dict[str, Any]:
    """The events (newest first) with participants and responses counted."""
    q = select(TrainingEvent).order_by(TrainingEvent.start_date.desc(), TrainingEvent.code)
    if outcome:
        q = q.where(TrainingEvent.outcome == outcome)
    if organizer:
        q = q.where(TrainingEvent.organizer == organizer)
    if year:
        q = q.where(TrainingEvent.start_date >= date(year, 1, 1),
                    TrainingEvent.start_date <= date(year, 12, 31))
    rows = list(session.scalars(q.options(
        selectinload(TrainingEvent.participants).selectinload(Participant.responses))))
    out = []
    for e in rows:
        d = _summary(e, framework)
        d["participants"] = len(e.participants)
        counts = Counter(r.timing for p in e.participants for r in p.responses)
        d["responses"] = {t: counts[t] for t in sorted(counts, key=_timing_rank)}
        out.append(d)
    return {"filters": {"outcome": outcome, "organizer": organizer, "year": year},
            "total": len(out), "events": out}


def event_detail(session: Session, framework: Framework, instrument: Instrument,
                 code: str) -> dict[str, Any]:
    """One event: its facts, participants by sex and constituent type, results per timing."""
    e = session.scalar(select(TrainingEvent).where(TrainingEvent.code == code))
    if e is None:
        raise NotFoundError(f"No training event {code!r}.",
                            hint="See the events with `tcmap training events` or at /training.")
    events, people = load_facts(session, event=code)
    sent = sent_timings(events, people)
    sexes, types = code_labels(framework, "sex"), code_labels(framework, "constituent_type")
    table = Counter((p.constituent_type, p.sex) for p in people)
    used = [t for t in types if any(k[0] == t for k in table)]
    results = []
    for t in instrument.timings:
        if t not in sent.get(code, ()):
            continue
        figures = row(people, t, sent, instrument)
        results.append({"timing": t, "label": instrument.timing_label(t), **figures,
                        "items": answer_counts(people, t, instrument)})
    d = _summary(e, framework)
    d.update({
        "title_page": f"{e.code}: {e.title}", "instrument": instrument.ref,
        "source": e.source, "version": e.version, "updated_at": e.updated_at.isoformat(),
        "participants": len(people),
        "by_sex": [{"sex": s, "label": lab, "participants": sum(p.sex == s for p in people)}
                   for s, lab in sexes.items() if any(p.sex == s for p in people)],
        "by_constituent": [
            {"constituent_type": t, "label": types[t], "participants": sum(
                n for k, n in table.items() if k[0] == t),
             "by_sex": {s: table[(t, s)] for s in sexes}} for t in used],
        "response_rates": [{"timing": s["timing"], "label": s["label"],
                            **response_rate(people, s["timing"], sent, instrument)}
                           for s in results],
        "survey_results": results,
    })
    return d


def import_history(session: Session, limit: int = 20) -> list[dict[str, Any]]:
    """The latest imports: who, when, which files, what they changed."""
    rows = session.scalars(select(TrainingImport).order_by(TrainingImport.id.desc())
                           .limit(limit))
    return [{"id": r.id, "at": r.at.isoformat(timespec="seconds"), "by": r.by,
             "files": r.files, "counts": r.counts, "problems": r.n_problems} for r in rows]
