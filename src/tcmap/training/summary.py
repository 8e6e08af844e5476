"""Training follow-up for people: the figures from the store, and the governing-body section.

`figures` is the one call behind `tcmap training figures` and the /training page;
`report_section` gives the report a plain, JSON-ready dict (figures, tables and SVG charts)
that `templates/report_section.html.j2` renders.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from tcmap.taxonomy import Framework
from tcmap.training.charts import figure_rows, interval_chart
from tcmap.training.events import load_facts
from tcmap.training.figures import training_figures
from tcmap.training.surveys import Instrument, load_instrument


def figures(session: Session, framework: Framework, by: str = "outcome",
            timing: str | None = None, outcome: str | None = None,
            organizer: str | None = None, instrument: Instrument | None = None
            ) -> dict[str, Any]:
    """The training figures of the stored events (optionally of one outcome or organizer)."""
    instrument = instrument or load_instrument()
    events, people = load_facts(session, outcome=outcome, organizer=organizer)
    out = training_figures(events, people, instrument, framework, by=by, timing=timing,
                           outcome=outcome)
    out["organizer"] = organizer
    return out


def _notes(section: dict[str, Any]) -> list[str]:
    """What a reader must keep in mind: small cells and low response rates, named."""
    small = section["small_cell"]
    notes = []
    for key, what in (("by_sex", "sex"), ("by_constituent", "type of organization"),
                      ("by_outcome", "outcome")):
        cells = [g["key"] if key == "by_outcome" else g["label"] for g in section[key]
                 if g["application_rate"]["n"] < small]
        if cells:
            notes.append(f"Fewer than {small} respondents to the application item (marked *; "
                         f"read with care), by {what}: {', '.join(cells)}.")
    low = [r["label"] for r in section["response_rates"] if r["low"]]
    if low:
        notes.append(f"Response rate below {100 * section['low_response_rate']:.0f} per cent "
                     f"at: {', '.join(low)}; respondents may differ from those who did not "
                     "answer.")
    return notes


def report_section(session: Session, framework: Framework,
                   instrument: Instrument | None = None) -> dict[str, Any]:
    """The training follow-up section of the governing-body report, as plain data."""
    instrument = instrument or load_instrument()
    events, people = load_facts(session)
    base: dict[str, Any] = {
        "title": "Training follow-up", "available": bool(events and people),
        "instrument": instrument.ref, "events": len(events), "participants": len(people),
        "small_cell": instrument.small_cell,
        "low_response_rate": instrument.response_rate.get("low"),
    }
    if not base["available"]:
        return base
    timing = training_figures(events, people, instrument, framework, by="timing")
    at = timing["timing"]
    by = {key: training_figures(events, people, instrument, framework, by=key)["groups"]
          for key in ("sex", "constituent", "outcome")}
    organizers = Counter(e.organizer or "(not given)" for e in events.values())
    women = sum(p.sex == "female" for p in people)
    known = sum(p.sex in ("female", "male", "other") for p in people)
    base.update({
        "timing": at, "timing_label": instrument.timing_label(at),
        "timing_phrase": instrument.timing_phrase(at),
        "period": {"from": min(e.start for e in events.values()).isoformat(),
                   "to": max(e.end for e in events.values()).isoformat()},
        "organizers": [{"name": n, "events": c} for n, c in organizers.most_common()],
        "women": {"k": women, "n": known,
                  "percent": round(100 * women / known, 1) if known else None},
        "measures": timing["measures"],
        "overall": timing["overall"],
        "response_rates": [{"timing": g["key"], "label": g["label"],
                            "phrase": instrument.timing_phrase(g["key"]), **g["response_rate"]}
                           for g in timing["groups"] if g["response_rate"]["n"]],
        "by_sex": by["sex"], "by_constituent": by["constituent"], "by_outcome": by["outcome"],
        "charts": {
            "response_by_timing": interval_chart(
                [{"label": g["label"], **g["response_rate"]} for g in timing["groups"]
                 if g["response_rate"]["n"]], "Response rate by survey timing"),
            "application_by_group": interval_chart(
                [{"label": g["label"], **g["application_rate"]}
                 for g in by["sex"] + by["constituent"]],
                f"Application rate by sex and constituent type ({at})"),
            "application_by_outcome": interval_chart(
                figure_rows(by["outcome"], "application_rate"),
                f"Application rate by outcome ({at})"),
        },
    })
    base["notes"] = _notes(base)
    return base
