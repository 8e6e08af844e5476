"""Write checked programme sheets into the store (called by `results.importing` only).

Rows create or update the records of the same code, each change an event; nothing stored is
deleted. The chains of the programmes touched are rebuilt before indicators are attached.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import TcmapError
from tcmap.results import sheets
from tcmap.results.chain import build_chain, find_node
from tcmap.results.history import apply_changes, fields_of, record
from tcmap.results.indicators import (
    DEFINITION_FIELDS,
    add_indicator,
    definition_from,
    get_indicator,
)
from tcmap.results.programmes import OUTCOME_FIELDS, OUTPUT_FIELDS
from tcmap.results.values import record_value
from tcmap.store import Activity
from tcmap.store.base import utcnow
from tcmap.store.programme import (
    ActivityOutcomeLink,
    CapacityIndicator,
    Programme,
    ProgrammeOutcome,
    ProgrammeOutput,
)


def definition(v: dict[str, Any]) -> dict[str, Any]:
    """An indicator row's definition fields (a ratio baseline from its parts)."""
    d = {k: v.get(k) for k in DEFINITION_FIELDS if v.get(k) is not None}
    if "kirkpatrick_level" in d:
        d["kirkpatrick_level"] = int(d["kirkpatrick_level"])
    if d.get("baseline_denominator") and d.get("baseline") is None:
        d["baseline"] = 100.0 * (d.get("baseline_numerator") or 0) / d["baseline_denominator"]
    if v.get("disaggregations") is not None:
        d["disaggregations"] = v["disaggregations"]
    return d


def _upsert(row_obj: Any, fields: dict[str, Any], by: str, counts: dict[str, int],
            session: Session, pid: int, entity: str) -> None:
    before, after = apply_changes(row_obj, fields, by)
    counts["updated" if before else "unchanged"] += 1
    if before:
        record(session, pid, entity, row_obj.id, "imported", by, before, after)


def apply(s: Session, read: sheets.Read, values: list, by: str, framework: str,
           counts: dict[str, dict[str, int]], touched: set[str]) -> None:
    now = utcnow()
    progs = {p.code: p for p in s.scalars(select(Programme))}
    for row in read.rows["programmes"]:
        v = row.values
        fields = {"country": v["country"].upper(), "title": v.get("title") or "",
                  "period_start": v["period_start"], "period_end": v["period_end"],
                  "priorities": v.get("priorities") or [],
                  "constituents": v.get("constituents") or []}
        p = progs.get(v["code"])
        if p is None:
            p = progs[v["code"]] = Programme(code=v["code"], framework=framework, version=1,
                                             created_by=by, created_at=now, updated_by=by,
                                             updated_at=now, **fields)
            s.add(p)
            s.flush()
            record(s, p.id, "programme", p.id, "imported", by, None, {"code": p.code})
            counts["programmes"]["created"] += 1
        else:
            _upsert(p, fields, by, counts["programmes"], s, p.id, "programme")
        touched.add(p.code)
    outs = {o.code: o for o in s.scalars(select(ProgrammeOutcome))}
    for row in read.rows["outcomes"]:
        v, p = row.values, progs[row.values["programme"]]
        fields = {k: v.get(k) for k in OUTCOME_FIELDS}
        o = outs.get(v["code"])
        if o is None:
            o = outs[v["code"]] = ProgrammeOutcome(programme_id=p.id, code=v["code"],
                                                   version=1, updated_by=by, updated_at=now,
                                                   **fields)
            s.add(o)
            s.flush()
            record(s, p.id, "outcome", o.id, "imported", by, None, {"code": o.code})
            counts["outcomes"]["created"] += 1
        else:
            _upsert(o, fields, by, counts["outcomes"], s, p.id, "outcome")
        touched.add(p.code)
    outputs = {(x.programme_id, x.code): x for x in s.scalars(select(ProgrammeOutput))}
    for row in read.rows["outputs"]:
        v, p = row.values, progs[row.values["programme"]]
        fields = {k: v.get(k) for k in OUTPUT_FIELDS}
        fields["outcome_id"] = outs[v["outcome"]].id
        x = outputs.get((p.id, v["code"]))
        if x is None:
            x = ProgrammeOutput(programme_id=p.id, code=v["code"], version=1, updated_by=by,
                                updated_at=now, **fields)
            s.add(x)
            s.flush()
            outputs[(p.id, x.code)] = x
            record(s, p.id, "output", x.id, "imported", by, None, {"code": x.code})
            counts["outputs"]["created"] += 1
        else:
            _upsert(x, fields, by, counts["outputs"], s, p.id, "output")
        touched.add(p.code)
    for row in read.rows["links"]:
        v = row.values
        o = outs[v["outcome"]]
        act = s.scalar(select(Activity.id).where(Activity.iati_identifier == v["activity"]))
        link = s.scalar(select(ActivityOutcomeLink).where(
            ActivityOutcomeLink.outcome_id == o.id, ActivityOutcomeLink.activity_id == act))
        out_id = outputs[(o.programme_id, v["output"])].id if v.get("output") else None
        after = {"origin": "person", "state": "linked", "output_id": out_id,
                 "note": v.get("note")}
        if link is None:
            link = ActivityOutcomeLink(outcome_id=o.id, activity_id=act, by=by, at=now, **after)
            s.add(link)
            s.flush()
            counts["links"]["created"] += 1
            record(s, o.programme_id, "activity_link", link.id, "imported", by, None, after)
        else:
            before = fields_of(link, tuple(after))
            changed = before != after
            counts["links"]["updated" if changed else "unchanged"] += 1
            if changed:
                for k, val in after.items():
                    setattr(link, k, val)
                link.by, link.at = by, now
                record(s, o.programme_id, "activity_link", link.id, "imported", by, before, after)
    s.flush()
    for code in sorted(touched | {r.values["programme"] for r in read.rows["indicators"]}):
        build_chain(s, code, by)
    _apply_indicators(s, read, values, by, counts, touched)


def _apply_indicators(s: Session, read: sheets.Read, values: list, by: str,
                      counts: dict[str, dict[str, int]], touched: set[str]) -> None:
    for row in read.rows["indicators"]:
        v = row.values
        d = definition(v)
        dims = d.pop("disaggregations", None)
        existing = s.scalar(select(CapacityIndicator).where(CapacityIndicator.code == v["code"]))
        if existing is None:
            add_indicator(s, v["programme"], v["attach_to"], by, library=v.get("library"),
                          code=v["code"], source=f"sheet:{row.file}",
                          **({"disaggregations": dims} if dims is not None else {}), **d)
            counts["indicators"]["created"] += 1
        else:
            merged = definition_from(v.get("library"), d)
            merged.pop("counts_people_trained", None)
            fields = {k: merged.get(k) for k in DEFINITION_FIELDS}
            fields["node_id"] = find_node(s, s.get(Programme, existing.programme_id),
                                          v["attach_to"]).id
            if dims is not None:
                fields["disaggregations"] = dims
            _upsert(existing, fields, by, counts["indicators"], s, existing.programme_id,
                    "indicator")
        touched.add(v["programme"])
    for row, cell in values:
        v = row.values
        ind = get_indicator(s, v["indicator"])
        fields = {k: v.get(k) for k in ("target", "actual", "numerator", "denominator",
                                        "evidence", "comment")}
        try:
            out = record_value(s, ind.id, by, v["period_start"], v["period_end"], cell,
                               source=f"sheet:{row.file}", **fields)
        except TcmapError as exc:  # checked above; a surprise must still abort the import
            raise TcmapError(f"{row.file} row {row.row}: {exc.message}", exc.hint) from None
        counts["values"][out["change"]] += 1
