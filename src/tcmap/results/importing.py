"""Import country programmes, outcomes, outputs, links, indicators and values from sheets.

All or nothing: every row of every file is checked first, against the files and against
what is stored; if any problem is an error, nothing at all is written and the report lists
every problem (file, row, column, value, hint). Otherwise `results.storing` writes the rows:
they create or update the stored ones of the same code; nothing stored is ever deleted by an
import. Each change is an event, and the chains of the programmes touched are rebuilt.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import Problem
from tcmap.iati.codes import codelist
from tcmap.results import sheets
from tcmap.results.chain import _slug
from tcmap.results.history import need_author
from tcmap.results.indicators import (
    _dimension_errors,
    cell_key,
    definition_from,
    parse_cell,
    rule_errors,
)
from tcmap.results.programmes import check_output_fields
from tcmap.results.reference import indicator_library, results_model
from tcmap.results.storing import apply, definition
from tcmap.results.values import check_value
from tcmap.store import Activity
from tcmap.store.programme import (
    CapacityIndicator,
    ChainNode,
    IndicatorValue,
    Programme,
    ProgrammeOutcome,
    ProgrammeOutput,
)
from tcmap.taxonomy import load_framework

MAX_LISTED = 200
POLICY = ("All or nothing: a file set with any error imports nothing; fix the errors listed "
          "and import again. Rows update the stored ones of the same code; nothing stored is "
          "deleted.")


class _Check:
    """The state of one import's checks: problems, and what the files and the store hold."""

    def __init__(self, session: Session, read: sheets.Read, framework: str) -> None:
        self.s, self.read, self.framework = session, read, framework
        self.problems = read.problems
        self.programmes = {p.code: p for p in session.scalars(select(Programme))}
        self.outcomes = {o.code: o for o in session.scalars(select(ProgrammeOutcome))}
        pcode = {p.id: p.code for p in self.programmes.values()}
        self.outcome_programme = {o.code: pcode[o.programme_id] for o in self.outcomes.values()}
        self.outputs = {(pcode[x.programme_id], x.code): x for x in
                        session.scalars(select(ProgrammeOutput))}
        self.output_outcome = {(pcode[x.programme_id], x.code): next(
            o.code for o in self.outcomes.values() if o.id == x.outcome_id)
            for x in self.outputs.values()}
        self.nodes: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for pid, kind, key in session.execute(select(ChainNode.programme_id, ChainNode.type,
                                                     ChainNode.key)):
            self.nodes[pcode[pid]].add((kind, key))
        self.indicators = {i.code: i for i in session.scalars(select(CapacityIndicator))}
        self.file_indicators: dict[str, dict[str, Any]] = {}

    def error(self, code: str, row: sheets.Row, column: str | None = None, value: Any = None,
              **kw: Any) -> None:
        self.problems.append(Problem.make(code, **row.where(column, value), **kw))

    def unique(self, row: sheets.Row, key: Any, seen: set) -> bool:
        if key in seen:
            self.error("programme-duplicate-row", row, "code", row.values.get("code"))
            return False
        seen.add(key)
        return True


def _overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a != b and a[0] <= b[1] and b[0] <= a[1]


def _check_programmes(c: _Check) -> None:
    seen: set = set()
    spans: dict[str, list[tuple[str, tuple[date, date]]]] = defaultdict(list)
    for p in c.programmes.values():
        spans[p.country].append((p.code, (p.period_start, p.period_end)))
    groups = load_framework(c.framework).dimensions.get("target_groups")
    for row in c.read.rows["programmes"]:
        v = row.values
        if not c.unique(row, v.get("code"), seen):
            continue
        country = (v.get("country") or "").upper()
        if country and country not in codelist("Country"):
            c.error("unknown-country-code", row, "country", country, severity="error",
                    message="The country code is not an ISO 3166-1 alpha-2 code.")
        for g in v.get("constituents") or []:
            if groups is not None and g not in groups:
                c.error("unknown-constituent", row, "constituents", g)
        start, end = v.get("period_start"), v.get("period_end")
        if isinstance(start, date) and isinstance(end, date):
            if end < start:
                c.error("period-ends-before-start", row, "period_end", end.isoformat())
                continue
            others = [x for x in spans[country] if x[0] != v["code"]]
            clash = next((x for x in others if _overlaps(x[1], (start, end))), None)
            if clash:
                c.error("programme-period-overlap", row, "period_start", start.isoformat(),
                        message=f"Programme {clash[0]} of {country} runs {clash[1][0]} to "
                        f"{clash[1][1]}, which overlaps {start} to {end}.")
            spans[country] = [x for x in spans[country] if x[0] != v["code"]]
            spans[country].append((v["code"], (start, end)))


def _check_outcomes(c: _Check) -> None:
    seen: set = set()
    file_programmes = {r.values.get("code") for r in c.read.rows["programmes"]}
    outcomes = load_framework(c.framework).outcomes
    for row in c.read.rows["outcomes"]:
        v = row.values
        prog, code = v.get("programme"), v.get("code")
        if prog not in file_programmes and prog not in c.programmes:
            c.error("unknown-programme", row, "programme", prog)
        if not c.unique(row, code, seen):
            continue
        stored = c.outcome_programme.get(code)
        if stored and stored != prog:
            c.error("programme-duplicate-row", row, "code", code,
                    message=f"Outcome {code} belongs to programme {stored}; codes are unique.")
        fo = v.get("framework_outcome")
        if fo and fo not in outcomes:
            c.error("unknown-framework-outcome", row, "framework_outcome", fo)
        c.outcome_programme.setdefault(code, prog)
        c.nodes[prog].add(("programme_outcome", code))
        if fo:
            c.nodes[prog].add(("framework_outcome", fo))


def _check_outputs(c: _Check) -> None:
    seen: set = set()
    codes = {"capacity_level": "unknown-capacity-level", "constituent": "unknown-constituent",
             "learning_outcome": "unknown-learning-outcome", "statement": "programme-missing-value"}
    for row in c.read.rows["outputs"]:
        v = row.values
        prog, outcome, code = v.get("programme"), v.get("outcome"), v.get("code")
        if c.outcome_programme.get(outcome) != prog:
            c.error("unknown-outcome-code", row, "outcome", outcome, message=(
                f"Outcome {outcome!r} is not an outcome of programme {prog!r} in the file or "
                "the store."))
        if not c.unique(row, (prog, code), seen):
            continue
        fields = {k: v[k] for k in ("capacity_level", "constituent", "learning_outcome")
                  if v.get(k) is not None}
        for column, _ in check_output_fields(c.framework, fields):
            c.error(codes[column], row, column, v.get(column))
        c.output_outcome[(prog, code)] = outcome
        c.nodes[prog].add(("output", code))
        if v.get("learning_outcome"):
            c.nodes[prog].add(("capacity_outcome", f"{code}:{v['learning_outcome']}"))
        if v.get("institutional_change"):
            c.nodes[prog].add(("institutional_change", _slug(v["institutional_change"])))
        elif v.get("capacity_level") != "individual":
            c.nodes[prog].add(("institutional_change", code))


def _check_links(c: _Check) -> None:
    idents = {r.values.get("activity") for r in c.read.rows["links"]}
    known = set(c.s.scalars(select(Activity.iati_identifier).where(
        Activity.iati_identifier.in_([i for i in idents if i]))))
    for row in c.read.rows["links"]:
        v = row.values
        outcome, ident, output = v.get("outcome"), v.get("activity"), v.get("output")
        prog = c.outcome_programme.get(outcome)
        if prog is None:
            c.error("unknown-outcome-code", row, "outcome", outcome)
        if ident not in known:
            c.error("unknown-activity", row, "activity", ident)
        elif prog:
            c.nodes[prog].add(("activity", ident))
        if output and prog and c.output_outcome.get((prog, output)) != outcome:
            c.error("unknown-output-code", row, "output", output)


def _node_known(c: _Check, prog: str, ref: str) -> bool:
    kind, sep, key = ref.partition(":")
    nodes = c.nodes[prog]
    if sep and kind in results_model()["node_types"]:
        return (kind, key) in nodes
    return sum(1 for _, k in nodes if k == ref) == 1


def _check_indicators(c: _Check) -> None:
    seen: set = set()
    for row in c.read.rows["indicators"]:
        v = row.values
        prog, code, lib = v.get("programme"), v.get("code"), v.get("library")
        if prog not in c.programmes and prog not in {
                r.values.get("code") for r in c.read.rows["programmes"]}:
            c.error("unknown-programme", row, "programme", prog)
            continue
        if not c.unique(row, code, seen):
            continue
        stored = c.indicators.get(code)
        if stored is not None and stored.programme_id != getattr(c.programmes.get(prog), "id",
                                                                 None):
            c.error("programme-duplicate-row", row, "code", code,
                    message=f"Indicator {code} belongs to another programme; codes are unique.")
        if v.get("attach_to") and not _node_known(c, prog, v["attach_to"]):
            c.error("unknown-chain-node", row, "attach_to", v["attach_to"])
        if lib and lib not in indicator_library():
            c.error("indicator-rule-broken", row, "library", lib,
                    message=f"No library indicator {lib!r} (see `tcmap indicator library`).")
            continue
        d = definition_from(lib, definition(v))
        errors = rule_errors(d) + _dimension_errors(v.get("disaggregations") or [])
        if errors:
            c.error("indicator-rule-broken", row, None, None,
                    message=f"Indicator {code}: " + "; ".join(errors) + ".")
        c.file_indicators[code] = d


def _check_values(c: _Check) -> list[tuple[sheets.Row, dict[str, str]]]:
    periods: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
    stored_ids = {i.id: code for code, i in c.indicators.items()}
    for iid, start, end, cell in c.s.execute(select(
            IndicatorValue.indicator_id, IndicatorValue.period_start, IndicatorValue.period_end,
            IndicatorValue.cell)):
        if stored_ids.get(iid) not in c.file_indicators:  # file definitions replace these
            periods[(stored_ids.get(iid), cell)].append((start, end))
    seen: set = set()
    out = []
    for row in c.read.rows["values"]:
        v = row.values
        code = v.get("indicator")
        d = c.file_indicators.get(code) or (
            {"measure": c.indicators[code].measure} if code in c.indicators else None)
        if d is None:
            c.error("unknown-indicator", row, "indicator", code)
            continue
        try:
            cell = parse_cell(v.get("disaggregation"))
        except ValueError as exc:
            c.error("bad-disaggregation", row, "disaggregation", str(exc))
            continue
        if any(sheets.is_bad(x) for x in v.values()):
            continue  # the bad cell is already reported
        start, end = v.get("period_start"), v.get("period_end")
        fields = {k: v.get(k) for k in ("target", "actual", "numerator", "denominator")
                  if v.get(k) is not None}
        for problem, message in check_value(d["measure"], start, end, fields):
            column = {"actual-without-period": "period_start",
                      "period-ends-before-start": "period_end"}.get(problem, "actual")
            c.error(problem, row, column, None, message=message)
        if start is None or end is None or end < start:
            continue
        key = (code, cell_key(cell))
        if (key, start, end) in seen:
            c.error("programme-duplicate-row", row, "period_start", start.isoformat(),
                    message="The same indicator, period and cell appear on an earlier row.")
            continue
        seen.add((key, start, end))
        clash = next((p for p in periods[key] if _overlaps(p, (start, end))), None)
        if clash:
            c.error("indicator-period-overlap", row, "period_start", start.isoformat(),
                    message=f"{start} to {end} overlaps {clash[0]} to {clash[1]} of "
                    f"indicator {code}" + (f", cell {key[1]}" if key[1] else "") + ".")
        periods[key].append((start, end))
        out.append((row, cell))
    return out


def import_programmes(session: Session, paths: list[Path], by: str,
                      framework: str = "ilo-spf-2010-15") -> dict[str, Any]:
    """Check the files, then import them all or (when any error is found) nothing."""
    by = need_author(by)
    read = sheets.read_files([Path(p) for p in paths])
    c = _Check(session, read, framework)
    for step in (_check_programmes, _check_outcomes, _check_outputs, _check_links,
                 _check_indicators):
        step(c)
    values = _check_values(c)
    errors = [p for p in c.problems if p.is_error]
    counts: dict[str, dict[str, int]] = {s: {"created": 0, "updated": 0, "unchanged": 0}
                                         for s in sheets.sheet_specs()}
    touched: set[str] = set()
    if not errors and any(read.rows.values()):
        apply(session, read, values, by, framework, counts, touched)
    problems = [p.to_dict() for p in c.problems]
    return {"ok": not errors, "imported": not errors and any(read.rows.values()),
            "policy": POLICY, "files": read.files, "counts": counts,
            "programmes": sorted(touched), "errors": len(errors),
            "warnings": len(problems) - len(errors), "problems": problems[:MAX_LISTED],
            "problems_not_listed": max(0, len(problems) - MAX_LISTED)}
