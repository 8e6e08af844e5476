"""Training follow-up figures: response rate, application rate and large-improvement shares.

Pure functions over plain facts (no database): each figure is k of n with its rate and 95 %
Wilson score interval (`tcmap.analysis.shares.capacity_share`), flagged as a small cell when n
is below the instrument's threshold. The rules are data (surveys.yaml):

- response rate at a timing = participants who returned that survey / participants it reached
  (participants of events where it was sent, less those it could not reach; a participant
  who answered was reached);
- a measure (application rate, large improvement) = respondents at the timing whose answer to
  the measure's item is one of its positive points / respondents with a valid answer to it.

Every figure is for one timing: the same person answering at 6 and 12 months is two answers,
not two people, and pooling them would overstate the sample.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tcmap.analysis.shares import capacity_share, outcome_order
from tcmap.errors import ConfigError
from tcmap.taxonomy import Framework
from tcmap.training.reading import code_labels
from tcmap.training.surveys import Instrument

GROUPINGS = ("outcome", "sex", "constituent", "timing", "organizer")
NO_ORGANIZER = "(not given)"


@dataclass(frozen=True, slots=True)
class EventFact:
    """What the figures need of an event."""

    code: str
    title: str
    outcome: str
    organizer: str | None = None
    modality: str | None = None
    start: date | None = None
    end: date | None = None
    surveys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PersonFact:
    """What the figures need of a participant: who, and their answers per timing returned."""

    event: str
    code: str
    sex: str
    constituent_type: str
    country: str | None = None
    not_reached: frozenset[str] = frozenset()
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)


def share(k: int, n: int, instrument: Instrument) -> dict[str, Any]:
    """k of n with rate, percent and Wilson interval; small when n is below the threshold."""
    s = capacity_share(k, n, instrument.confidence)
    return {"k": k, "n": n, "rate": s["share"], "percent": s["percent"],
            "interval": s["interval"], "small": n < instrument.small_cell}


def sent_timings(events: dict[str, EventFact], people: Iterable[PersonFact]
                 ) -> dict[str, set[str]]:
    """The surveys each event sent: those listed, and any timing someone answered."""
    out = {code: set(e.surveys) for code, e in events.items()}
    for p in people:
        out.setdefault(p.event, set()).update(p.answers)
    return out


def reached(p: PersonFact, timing: str, sent: dict[str, set[str]]) -> bool:
    """Whether the survey of the timing reached the participant."""
    if timing in p.answers:
        return True
    return timing in sent.get(p.event, ()) and timing not in p.not_reached


def response_rate(people: Iterable[PersonFact], timing: str, sent: dict[str, set[str]],
                  instrument: Instrument) -> dict[str, Any]:
    """Participants who returned the timing's survey / participants it reached."""
    reach = [p for p in people if reached(p, timing, sent)]
    fig = share(sum(timing in p.answers for p in reach), len(reach), instrument)
    low = instrument.response_rate.get("low")
    fig["low"] = bool(low is not None and fig["rate"] is not None and fig["rate"] < low)
    return fig


def measure_rate(people: Iterable[PersonFact], timing: str, code: str,
                 instrument: Instrument) -> dict[str, Any]:
    """Respondents at the timing answering the measure's item positively / valid answers."""
    m = instrument.measures[code]
    values = [p.answers[timing].get(m.item) for p in people if timing in p.answers]
    valid = [v for v in values if isinstance(v, int)]
    return share(sum(v in m.positive for v in valid), len(valid), instrument)


def row(people: list[PersonFact], timing: str, sent: dict[str, set[str]],
        instrument: Instrument) -> dict[str, Any]:
    """Every figure of a set of participants at one timing."""
    out: dict[str, Any] = {
        "timing": timing, "events": sorted({p.event for p in people}),
        "participants": len(people),
        "response_rate": response_rate(people, timing, sent, instrument)}
    for code in instrument.measures:
        out[code] = measure_rate(people, timing, code, instrument)
    return out


def _keys(by: str, events: dict[str, EventFact], framework: Framework | None
          ) -> tuple[Callable[[PersonFact], str], Callable[[Iterable[str]], list[str]],
                     Callable[[str], str]]:
    """How to group by `by`: a participant's key, the keys' order, a key's label."""
    if by == "outcome":
        titles = {c.code: c.title for c in framework.outcomes} if framework else {}
        return (lambda p: events[p.event].outcome, lambda ks: outcome_order(framework, ks),
                lambda k: f"{k} {titles[k]}" if k in titles else k)
    if by == "organizer":
        return (lambda p: events[p.event].organizer or NO_ORGANIZER, sorted, str)
    name = "sex" if by == "sex" else "constituent_type"
    labels = code_labels(framework, name) if framework else {}
    rank = {c: i for i, c in enumerate(labels)}
    return (lambda p: getattr(p, name),
            lambda ks: sorted(set(ks), key=lambda k: (rank.get(k, len(rank)), k)),
            lambda k: labels.get(k, k))


def training_figures(events: dict[str, EventFact], people: list[PersonFact],
                     instrument: Instrument, framework: Framework | None = None,
                     by: str = "outcome", timing: str | None = None,
                     outcome: str | None = None) -> dict[str, Any]:
    """Response, application and large-improvement rates overall and per group, at one timing.

    `by` is one of GROUPINGS; with by="timing" the groups are the instrument's timings (only
    `timing` when it is given). `outcome` keeps the events of that outcome only.
    """
    if by not in GROUPINGS:
        raise ConfigError(f"Cannot group training figures by {by!r}.",
                          hint=f"Use one of: {', '.join(GROUPINGS)}.")
    if timing is not None and timing not in instrument.timings:
        raise ConfigError(f"{timing!r} is not a survey timing.",
                          hint=f"Use one of: {', '.join(instrument.timings)}.")
    if outcome is not None:
        events = {c: e for c, e in events.items() if e.outcome == outcome}
    people = [p for p in people if p.event in events]
    sent = sent_timings(events, people)
    at = timing or instrument.default_timing
    groups = []
    if by == "timing":
        for t in instrument.timings:
            if timing is None or t == timing:
                groups.append({"key": t, "label": instrument.timing_label(t),
                               **row(people, t, sent, instrument)})
    else:
        key, order, label = _keys(by, events, framework)
        members: dict[str, list[PersonFact]] = defaultdict(list)
        for p in people:
            members[key(p)].append(p)
        for k in order(members):
            groups.append({"key": k, "label": label(k),
                           **row(members[k], at, sent, instrument)})
    return {
        "instrument": instrument.ref, "by": by, "timing": at,
        "timing_label": instrument.timing_label(at), "outcome": outcome,
        "confidence": instrument.confidence, "small_cell": instrument.small_cell,
        "low_response_rate": instrument.response_rate.get("low"),
        "measures": [{"code": "response_rate", "label": instrument.response_rate["label"],
                      "column": instrument.response_rate.get("column", "Response rate"),
                      "definition": instrument.response_rate["definition"]}]
        + [{"code": m.code, "label": m.label, "item": m.item, "positive": list(m.positive),
            "definition": m.definition, "sentence": m.sentence, "column": m.column}
           for m in instrument.measures.values()],
        "events": len(events), "participants": len(people),
        "overall": {"key": "all", "label": "All participants",
                    **row(people, at, sent, instrument)},
        "groups": groups,
    }


def answer_counts(people: Iterable[PersonFact], timing: str, instrument: Instrument
                  ) -> list[dict[str, Any]]:
    """For each item asked at the timing: how many gave each point (or choice), and the mean."""
    people = [p for p in people if timing in p.answers]
    out = []
    for item in instrument.items_at(timing):
        values = [p.answers[timing].get(item.code) for p in people]
        values = [v for v in values if v is not None]
        entry: dict[str, Any] = {"item": item.code, "level": item.level, "text": item.text,
                                 "answers": len(values)}
        if item.scale.kind == "points":
            points = range(item.scale.min, item.scale.max + 1)
            entry["counts"] = {str(k): sum(v == k for v in values) for k in points}
            entry["labels"] = {str(k): v for k, v in item.scale.labels.items()}
            entry["mean"] = round(sum(values) / len(values), 2) if values else None
        elif item.scale.kind == "choices":
            picks = [c for v in values for c in str(v).split(";")]
            entry["counts"] = {c: picks.count(c) for c in item.scale.choices}
            entry["labels"] = dict(item.scale.choices)
        else:
            entry["examples"] = [str(v) for v in values[:5]]
        out.append(entry)
    return out
