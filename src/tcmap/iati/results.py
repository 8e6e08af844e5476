"""The <result> element: results, indicators, baselines and periods (1.0x and 2.0x)."""

from __future__ import annotations

from typing import Any

from tcmap.iati.codes import normalise
from tcmap.iati.record import (
    ActivityRecord,
    Context,
    first_text,
    narratives,
    parse_date,
    parse_flag,
)
from tcmap.iati.record import parse_number as _number


def _texts(el: Any, name: str, rec: ActivityRecord, ctx: Context, owner: str, seq: str):
    """Store every narrative of the named children; return the first text."""
    first = None
    for child in el.iterchildren(name):
        items = narratives(child, ctx)
        for lang, text in items:
            rec.narrative(owner, seq, name, None, lang, text)
        first = first or first_text(items, ctx.lang)
    return first


def _comment(el: Any, ctx: Context) -> str | None:
    if el is None:
        return None
    c = el.find("comment")
    return None if c is None else first_text(narratives(c, ctx), ctx.lang)


def _measured(el: Any, rec: ActivityRecord, fld: str) -> tuple[str | None, float | None]:
    """The value as given and as a number (non-numeric values are kept as text only)."""
    if el is None:
        return None, None
    raw = el.get("value")
    if raw is None:
        return None, None
    return raw.strip()[:200], _number(raw, None, el, fld)


def _date(el: Any, name: str, rec: ActivityRecord, fld: str):
    d = el.find(name)
    return None if d is None else parse_date(d.get("iso-date") or d.text, rec, d, fld)


def result(el: Any, rec: ActivityRecord, ctx: Context) -> None:
    results = rec.parts.setdefault("results", [])
    result_no = len(results) + 1
    rseq = str(result_no)
    results.append({
        "result_no": result_no,
        "type": normalise("result_type", el.get("type")),
        "aggregation_status": parse_flag(el.get("aggregation-status")),
        "title": _texts(el, "title", rec, ctx, "result", rseq),
        "description": _texts(el, "description", rec, ctx, "result", rseq),
    })
    for indicator_no, ind in enumerate(el.iterchildren("indicator"), start=1):
        iseq = f"{result_no}.{indicator_no}"
        key = {"result_no": result_no, "indicator_no": indicator_no}
        rec.parts.setdefault("indicators", []).append({
            **key,
            "measure": normalise("indicator_measure", ind.get("measure")),
            "ascending": parse_flag(ind.get("ascending")),
            "aggregation_status": parse_flag(ind.get("aggregation-status")),
            "title": _texts(ind, "title", rec, ctx, "indicator", iseq),
            "description": _texts(ind, "description", rec, ctx, "indicator", iseq),
        })
        for seq, base in enumerate(ind.iterchildren("baseline"), start=1):
            text, value = _measured(base, rec, "baseline/@value")
            year = base.get("year")
            rec.parts.setdefault("indicator_baselines", []).append({
                **key, "seq": seq,
                "year": int(year) if year and year.strip().isdigit() else None,
                "baseline_date": parse_date(base.get("iso-date"), rec, base, "baseline/@iso-date"),
                "value_text": text, "value": value, "comment": _comment(base, ctx),
            })
        for period_no, per in enumerate(ind.iterchildren("period"), start=1):
            target, actual = per.find("target"), per.find("actual")
            t_text, t_value = _measured(target, rec, "target/@value")
            a_text, a_value = _measured(actual, rec, "actual/@value")
            rec.parts.setdefault("indicator_periods", []).append({
                **key, "period_no": period_no,
                "period_start": _date(per, "period-start", rec, "period/period-start"),
                "period_end": _date(per, "period-end", rec, "period/period-end"),
                "target_text": t_text, "target": t_value, "target_comment": _comment(target, ctx),
                "actual_text": a_text, "actual": a_value, "actual_comment": _comment(actual, ctx),
            })
