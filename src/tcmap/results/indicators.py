"""Capacity indicators on results-chain nodes: definitions, their rules, disaggregation changes.

An indicator starts from a library entry or is written from scratch; either way it declares
its measure and how it aggregates across periods and across activities, and the rules are
checked when it is made or changed:

- the measure allows the aggregation rules (a ratio is never averaged or added);
- an indicator at intermediate-outcome, outcome or impact level is not a mere count of
  people trained (the CDRF's "mistaking outputs for results");
- an individual-level outcome indicator of training measures behaviour (Kirkpatrick 3+).

Disaggregations can be added, renamed or recoded after values exist: values keep their
cells (a rename or recode rewrites them, recorded as events), so nothing is lost.
Values, their approval and their figures are in `results.values`.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.errors import InputError, NotFoundError, ReviewError
from tcmap.results.history import apply_changes, check_version, fields_of, need_author, record
from tcmap.results.reference import (
    CAPACITY_LEVELS,
    allowed_rules,
    is_training_count,
    learning_outcomes,
    library_entry,
    results_model,
)
from tcmap.store.base import utcnow
from tcmap.store.programme import CapacityIndicator, ChainNode, IndicatorValue

DEFINITION_FIELDS = ("title", "definition", "capacity_level", "result_level", "measure", "unit",
                     "direction", "across_periods", "across_activities", "baseline",
                     "baseline_numerator", "baseline_denominator", "baseline_date",
                     "means_of_verification", "learning_outcome", "kirkpatrick_level")
CODE = re.compile(r"^[A-Za-z0-9._-]{1,120}$")
DIMENSION = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def rule_errors(d: dict[str, Any]) -> list[str]:
    """What is wrong with an indicator's definition (empty when it keeps every rule)."""
    model = results_model()
    errors = []
    if not (d.get("title") or "").strip():
        errors.append("it has no title")
    if d.get("measure") not in model["measures"]:
        return errors + [f"measure {d.get('measure')!r} is not one of "
                         f"{', '.join(model['measures'])}"]
    for across in ("periods", "activities"):
        rule, allowed = d.get(f"across_{across}"), allowed_rules(d["measure"], across)
        if rule not in allowed:
            errors.append(f"a {d['measure']} indicator aggregates across {across} by "
                          f"{' or '.join(allowed)}, not {rule!r}")
    if d.get("result_level") not in model["result_levels"]:
        errors.append(f"result level {d.get('result_level')!r} is not one of "
                      f"{', '.join(model['result_levels'])}")
    if d.get("capacity_level") not in (None, *CAPACITY_LEVELS):
        errors.append(f"capacity level {d['capacity_level']!r} is not one of "
                      f"{', '.join(CAPACITY_LEVELS)}")
    if d.get("direction", "increase") not in model["directions"]:
        errors.append(f"direction {d['direction']!r} is not increase or decrease")
    if d.get("learning_outcome") not in (None, *learning_outcomes()):
        errors.append(f"learning outcome {d['learning_outcome']!r} is not one of "
                      f"{', '.join(learning_outcomes())}")
    trained = d.get("counts_people_trained") or is_training_count(d.get("title") or "",
                                                                    d["measure"])
    if trained and d.get("result_level") in model["no_training_counts_at"]:
        errors.append(f"an {d['result_level'].replace('_', ' ')} indicator cannot be a mere "
                      "count of people trained: that is an output. Measure what they do "
                      "with it (e.g. the application rate, library IND-ICO-APPLICATION)")
    k = d.get("kirkpatrick_level")
    if (k is not None and k < 3 and d.get("capacity_level") == "individual"
            and d.get("result_level") in ("outcome", "impact")):
        errors.append(f"an individual-level outcome indicator measures behaviour or results "
                      f"(Kirkpatrick level 3 or 4), not level {k}")
    if d["measure"] == "ratio" and (d.get("baseline") is not None) and (
            d.get("baseline_denominator") in (None, 0)):
        errors.append("a ratio indicator's baseline needs its numerator and denominator")
    return errors


def _refuse(errors: list[str], what: str) -> None:
    if errors:
        raise InputError("indicator-rule-broken", message=f"{what}: " + "; ".join(errors) + ".")


def get_indicator(session: Session, ref: int | str) -> CapacityIndicator:
    """An indicator by its code or its number."""
    ind = None
    if isinstance(ref, int) or str(ref).isdigit():
        ind = session.get(CapacityIndicator, int(ref))
    if ind is None:
        ind = session.scalar(select(CapacityIndicator).where(CapacityIndicator.code == str(ref)))
    if ind is None:
        raise NotFoundError(f"No indicator {ref!r}.",
                            hint="See a programme's indicators with `tcmap programme show CODE` "
                            "or at /programmes/CODE.")
    return ind


def indicator_dict(ind: CapacityIndicator, node: ChainNode | None = None) -> dict[str, Any]:
    """The indicator's definition as JSON-ready data."""
    d = {"id": ind.id, "code": ind.code, "library_code": ind.library_code,
         **fields_of(ind, DEFINITION_FIELDS), "disaggregations": list(ind.disaggregations),
         "source": ind.source, "version": ind.version, "updated_by": ind.updated_by,
         "updated_at": ind.updated_at.isoformat()}
    if node is not None:
        d["node"] = {"ref": f"{node.type}:{node.key}", "type": node.type, "key": node.key,
                     "label": node.label}
    return d


def definition_from(library: str | None, fields: dict[str, Any]) -> dict[str, Any]:
    """A definition: the library entry's fields (if any), overridden by those given."""
    base: dict[str, Any] = {"direction": "increase", "disaggregations": []}
    if library:
        e = library_entry(library)
        base.update({k: e.get(k) for k in (*DEFINITION_FIELDS, "disaggregations")
                     if k in e})
        base["counts_people_trained"] = e.get("counts_people_trained", False)
    base.update({k: v for k, v in fields.items() if v is not None})
    return base


def add_indicator(session: Session, programme: str, node_ref: str, by: str,
                  library: str | None = None, code: str | None = None,
                  source: str = "person", **fields: Any) -> dict[str, Any]:
    """Put an indicator on a chain node; refused (with the reasons) if it breaks a rule."""
    from tcmap.results.chain import find_node
    from tcmap.results.programmes import get_programme

    by = need_author(by)
    p = get_programme(session, programme)
    node = find_node(session, p, node_ref)
    d = definition_from(library, fields)
    if d.get("capacity_level") is None and node.capacity_level:
        d["capacity_level"] = node.capacity_level
    if d.get("learning_outcome") is None and node.learning_outcome:
        d["learning_outcome"] = node.learning_outcome
    dims = d.pop("disaggregations", []) or []
    errors = rule_errors(d) + _dimension_errors(dims)
    if code is not None and not CODE.match(code):
        errors.append(f"code {code!r} may hold only letters, digits, '.', '_' and '-'")
    if code and session.scalar(select(CapacityIndicator.id).where(CapacityIndicator.code == code)):
        errors.append(f"code {code!r} is taken")
    _refuse(errors, f"Indicator {code or d.get('title')!r} was not added")
    d.pop("counts_people_trained", None)
    now = utcnow()
    ind = CapacityIndicator(programme_id=p.id, node_id=node.id, library_code=library,
                            code=code or f"tmp-{now.timestamp()}", disaggregations=dims,
                            source=source, version=1, created_by=by, created_at=now,
                            updated_by=by, updated_at=now,
                            **{k: d.get(k) for k in DEFINITION_FIELDS})
    session.add(ind)
    session.flush()
    if not code:
        ind.code = f"{p.code}-I{ind.id}"
    record(session, p.id, "indicator", ind.id, "added", by, None, indicator_dict(ind, node))
    return indicator_dict(ind, node)


def _dimension_errors(dims: list[str]) -> list[str]:
    bad = [d for d in dims if not DIMENSION.match(str(d))]
    return [f"disaggregation names {bad} must be lower-case words (e.g. sex, "
            "constituent_type)"] if bad else []


def edit_indicator(session: Session, ref: int | str, changes: dict[str, Any], by: str,
                   expected_version: int | None = None) -> dict[str, Any]:
    """Change an indicator's definition; refused when the result would break a rule."""
    by = need_author(by)
    ind = get_indicator(session, ref)
    bad = sorted(set(changes) - set(DEFINITION_FIELDS))
    if bad:
        raise ReviewError(f"An indicator has no field {', '.join(bad)}.",
                          hint=f"Fields: {', '.join(DEFINITION_FIELDS)}.")
    check_version(ind, expected_version, f"Indicator {ind.code}", indicator_dict(ind))
    merged = {**fields_of(ind, DEFINITION_FIELDS), **changes}
    if "title" not in changes and ind.library_code:
        merged["counts_people_trained"] = library_entry(ind.library_code).get(
            "counts_people_trained", False)
    _refuse(rule_errors(merged), f"Indicator {ind.code} was not changed")
    before, after = apply_changes(ind, changes, by)
    if before:
        record(session, ind.programme_id, "indicator", ind.id, "edited", by, before, after)
    return indicator_dict(ind)


def change_disaggregations(session: Session, ref: int | str, dimensions: list[str], by: str,
                           rename: dict[str, str] | None = None,
                           recode: dict[str, dict[str, str]] | None = None
                           ) -> dict[str, Any]:
    """Declare new disaggregation dimensions; optionally rename a dimension or recode its
    categories in the stored values. Values are rewritten, never dropped; a change that would
    merge two cells of one period is refused."""
    by = need_author(by)
    ind = get_indicator(session, ref)
    rename, recode = rename or {}, recode or {}
    _refuse(_dimension_errors([*dimensions, *rename.values()]),
            f"Indicator {ind.code}'s disaggregations were not changed")
    values = list(session.scalars(select(IndicatorValue).where(
        IndicatorValue.indicator_id == ind.id)))
    new_cells, seen, clashes = {}, {}, []
    for v in values:
        cell = {}
        for k, c in (v.disaggregation or {}).items():
            k2 = rename.get(k, k)
            cell[k2] = recode.get(k2, {}).get(c, c)
        key = (v.period_start, v.period_end, cell_key(cell))
        if key in seen:
            clashes.append(f"{v.period_start}..{v.period_end} {cell_key(cell)}")
        seen[key] = v
        new_cells[v.id] = cell
    if clashes:
        raise ReviewError(f"The change would merge cells of the same period: "
                          f"{'; '.join(clashes[:5])}.",
                          hint="Recode to distinct categories, or first combine those values "
                          "by hand.")
    rewritten = 0
    for v in values:
        cell = new_cells[v.id]
        if cell != (v.disaggregation or {}):
            before = {"disaggregation": v.disaggregation}
            v.disaggregation, v.cell = cell, cell_key(cell)
            v.version += 1
            record(session, ind.programme_id, "indicator_value", v.id, "recoded", by, before,
                   {"disaggregation": cell})
            rewritten += 1
    before = {"disaggregations": list(ind.disaggregations)}
    ind.disaggregations = list(dimensions)
    ind.version += 1
    ind.updated_by, ind.updated_at = by, utcnow()
    record(session, ind.programme_id, "indicator", ind.id, "disaggregations", by, before,
           {"disaggregations": list(dimensions), "rename": rename, "recode": recode})
    return {**indicator_dict(ind), "values_rewritten": rewritten, "values_kept": len(values)}


def cell_key(cell: dict[str, Any] | None) -> str:
    """The canonical text of a disaggregation cell: 'constituent_type=government;sex=male'."""
    return ";".join(f"{k}={v}" for k, v in sorted((cell or {}).items()))


def parse_cell(text: str | None) -> dict[str, str]:
    """'sex=female; constituent_type=workers_org' as a mapping; ValueError when malformed."""
    out: dict[str, str] = {}
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        k, sep, v = part.partition("=")
        k, v = k.strip().lower(), v.strip()
        if not sep or not DIMENSION.match(k) or not v or k in out:
            raise ValueError(part.strip())
        out[k] = v
    return out
