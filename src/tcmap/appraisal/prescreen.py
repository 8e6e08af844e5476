"""The machine pre-screen: a proposed score for every criterion, with evidence and what is missing.

Each criterion's `rule` in the checklist says how to propose its score (0 absent, 1 weak,
2 adequate, 3 strong, or "na"):

- `cues`: groups of cue phrases (data/terms/cues.yaml); a group is found when a passage that
  is not a heading holds its cue, not closely preceded by a negation ("No capacity assessment
  ..."), and, with `with:`, one of the other cues in the same passage. The score is the
  highest whose count of groups (`scores`, default [1, 2, 3]) is reached. `na_unless:
  individual_outputs` proposes N/A when no capacity output trains people.
- `capacity_outputs`, `levels_pairing`, `capacity_indicators`, `results_framework`: rules over
  the results framework that tcmap.appraisal.structure reads from the text (see each function).

The pre-screen only proposes: a person rates every criterion, and only a person's ratings
count for clearance (tcmap.appraisal.scoring).
"""

from __future__ import annotations

from typing import Any

from tcmap.appraisal.checklist import Checklist, Criterion
from tcmap.appraisal.extract import Extracted, is_heading
from tcmap.appraisal.gate import gate_programme
from tcmap.appraisal.structure import (
    _CUE_GROUP,
    CONSTITUENTS,
    Output,
    Structure,
    build_structure,
)
from tcmap.classify.lexicon import Hit

MACHINE = "tcmap-prescreen/1"
_NEGATION_REACH = 25  # characters between a negation and the cue it cancels
_EVIDENCE = 4
GROUP_NAMES = {"government": "government", "employers_org": "employers' organizations",
               "workers_org": "workers' organizations"}


def prescreen(doc: Extracted, checklist: Checklist, classifier=None) -> dict[str, Any]:
    """Proposed scores for every criterion of the checklist, from the document's text."""
    st = build_structure(doc, classifier)
    targeted = _targeted(checklist, st)
    programme = programme_of(st, targeted, doc.name)
    ctx = {"st": st, "targeted": targeted, "unit": doc.page_unit}
    criteria = [_propose(c, ctx) for c in checklist.criteria]
    return {
        "machine": MACHINE,
        "classifier": getattr(classifier, "version", None),
        "template": checklist.code, "template_version": checklist.version,
        "document": doc.summary(), "language": st.language,
        "constituents_targeted": targeted,
        "results_framework": {
            "outcomes": len(st.outcomes), "outputs": len(st.outputs),
            "capacity_outputs": sum(o.is_capacity for o in st.outputs),
            "indicators": len(st.indicators),
            "outputs_found": [_output_row(o, doc.page_unit) for o in st.outputs]},
        "gate": gate_programme(programme),
        "criteria": criteria,
    }


def programme_of(st: Structure, targeted: list[str], code: str) -> dict[str, Any]:
    """The structured programme (the gate's input) that the document's outputs describe."""
    outputs = []
    for o in st.outputs:
        level = o.levels[0] if o.levels else None
        for group in o.constituents or [None]:
            outputs.append({"code": o.code or "", "statement": o.statement,
                            "capacity_level": level, "constituent": group})
    return {"code": code, "country": "", "constituents": targeted, "outputs": outputs}


def _targeted(checklist: Checklist, st: Structure) -> list[str]:
    """The constituent groups the document must serve: listed in the rule, or named in it."""
    for c in checklist.criteria:
        if c.rule.get("kind") == "capacity_outputs":
            given = c.rule.get("targeted", "detected")
            if isinstance(given, list):
                return [g for g in CONSTITUENTS if g in given]
    return list(st.constituents_named())


def _output_row(o: Output, unit: str) -> dict[str, Any]:
    return {"code": o.code, "statement": o.statement, "page": o.page, "para": o.para,
            "where": _where(o.page, o.para, unit), "levels": o.levels,
            "level_source": o.level_source, "constituents": o.constituents,
            "constituent_source": o.constituent_source, "paired_with": o.paired_with,
            "modalities": o.modalities, "is_capacity": o.is_capacity,
            "indicators": [{"text": i.text, "baseline": i.baseline, "target": i.target,
                            "training_count": i.training_count} for i in o.indicators]}


def _where(page: int, para: int, unit: str) -> str:
    return f"{'p.' if unit == 'page' else 'section'} {page}, ¶ {para}"


def _propose(c: Criterion, ctx: dict[str, Any]) -> dict[str, Any]:
    kind = c.rule.get("kind", "none")
    if c.rule.get("na_unless") == "individual_outputs" and not any(
            o.is_capacity and "individual" in o.levels for o in ctx["st"].outputs):
        out = {"proposed": "na", "evidence": [], "found": [], "missing": [],
               "explanation": "No capacity output trains people, so the criterion does not "
               "apply."}
    elif kind == "none":
        out = {"proposed": None, "evidence": [], "found": [], "missing": [],
               "explanation": "The checklist gives no rule for this criterion: rate it by "
               "reading."}
    else:
        out = _RULES[kind](c, ctx)
    out["evidence"] = out["evidence"][:_EVIDENCE]
    return {"criterion": c.code, "section": c.section, "rule": kind, **out}


# -- cue groups -------------------------------------------------------------------------------
def _live(hits: list[Hit], cue: str) -> list[Hit]:
    """Hits of the cue not closely preceded by a negation."""
    negations = [h for h in hits if h.code == "negation"]
    return [h for h in hits if h.code == cue and not any(
        0 <= h.start - n.end <= _NEGATION_REACH for n in negations)]


def _has(st: Structure, i: int, cue: str) -> Hit | None:
    hits = _live(st.hits[i], cue)
    if hits:
        return hits[0]
    group = _CUE_GROUP.get(cue)
    if group and any(g == group and acr in st.passages[i].text for acr, g in
                     st.acronyms.items()):
        text = st.passages[i].text
        acr = next(a for a, g in st.acronyms.items() if g == group and a in text)
        start = text.index(acr)
        return Hit("cues", cue, start, start + len(acr), acr)
    return None


def _cues(c: Criterion, ctx: dict[str, Any]) -> dict[str, Any]:
    st, unit = ctx["st"], ctx["unit"]
    found, missing, evidence = [], [], []
    for g in c.rule["groups"]:
        withs = g.get("with") or []
        withs = [withs] if isinstance(withs, str) else withs
        where = None
        for i, p in enumerate(st.passages):
            if is_heading(p.text) or len(p.text) < 25 and not p.text.rstrip().endswith("."):
                continue  # a heading says a section exists, not what it holds
            hit = _has(st, i, g["cue"])
            if hit and (not withs or any(_has(st, i, w) for w in withs)):
                where = (p, hit)
                break
        if where:
            found.append(g.get("label") or g["cue"])
            if all(e["para"] != where[0].para for e in evidence):
                evidence.append(where[0].evidence(g["cue"], where[1], unit))
        else:
            missing.append(g.get("missing") or f"No {g['cue'].replace('_', ' ')} found.")
    scores = c.rule.get("scores", [1, 2, 3])
    proposed = max([s for s, need in enumerate(scores, start=1) if len(found) >= need],
                   default=0)
    return {"proposed": proposed, "evidence": evidence, "found": found, "missing": missing,
            "explanation": f"{len(found)} of {len(c.rule['groups'])} elements found."}


# -- rules over the results framework -----------------------------------------------------------
def _output_evidence(o: Output, unit: str, st: Structure) -> dict[str, Any]:
    p = next(p for p in st.passages if p.para == o.para)
    e = p.evidence(unit=unit)
    e["output"] = o.code
    return e


def _capacity_outputs(c: Criterion, ctx: dict[str, Any]) -> dict[str, Any]:
    """0 none, 1 some targeted groups lack one, 2 every group has one, 3 and levels stated."""
    st, targeted = ctx["st"], ctx["targeted"]
    caps = [o for o in st.outputs if o.is_capacity]
    by_group = {g: [o for o in caps if g in o.constituents] for g in targeted}
    covered = [g for g in targeted if by_group[g]]
    missing = [f"No capacity output for {GROUP_NAMES[g]}." for g in targeted if not by_group[g]]
    if not targeted:
        missing = ["The document names no constituent group (government, employers' or "
                   "workers' organizations) that it works with."]
    evidence = [_output_evidence(o, ctx["unit"], st) for o in caps]
    if not caps or not targeted:
        proposed = 0
    elif len(covered) < len(targeted):
        proposed = 1
    else:
        stated = all(o.level_source == "stated" for g in targeted for o in by_group[g])
        proposed = 3 if stated else 2
        if not stated:
            missing.append("Some capacity outputs do not state their level.")
    return {"proposed": proposed, "evidence": evidence,
            "found": [f"{GROUP_NAMES[g]}: {', '.join(o.code or '?' for o in by_group[g])}"
                      for g in covered], "missing": missing,
            "explanation": f"{len(caps)} capacity output(s) of {len(st.outputs)}; "
            f"{len(covered)} of {len(targeted)} targeted constituent group(s) covered."}


def _levels_pairing(c: Criterion, ctx: dict[str, Any]) -> dict[str, Any]:
    """0 no capacity output; 3 levels stated and training paired (or a reason given);
    2 training paired and at least half the levels stated; else 1."""
    st = ctx["st"]
    caps = [o for o in st.outputs if o.is_capacity]
    if not caps:
        return {"proposed": 0, "evidence": [], "found": [], "explanation":
                "No capacity output, so no level or pairing to check.",
                "missing": ["No output states a capacity level for a constituent group."]}
    stated = [o for o in caps if o.level_source == "stated"]
    justified = any(_has(st, i, "pairing_justification") for i in range(len(st.passages)))
    unpaired = []
    for o in caps:
        if o.levels == ["individual"] and not o.paired_with and not justified and not any(
                set(o.constituents) & set(other.constituents) and set(other.levels) -
                {"individual"} for other in caps):
            unpaired.append(o)
    missing = [f"Output {o.code or o.statement[:40]} states no capacity level."
               for o in caps if o.level_source != "stated"]
    missing += [f"Output {o.code or o.statement[:40]} trains individuals with no "
                "organizational or enabling-environment output for the same group, and no "
                "reason is given." for o in unpaired]
    if not unpaired and len(stated) == len(caps):
        proposed = 3
    elif not unpaired and 2 * len(stated) >= len(caps):
        proposed = 2
    else:
        proposed = 1
    return {"proposed": proposed,
            "evidence": [_output_evidence(o, ctx["unit"], st) for o in caps],
            "found": [f"{o.code}: {', '.join(o.levels)} ({o.level_source})" for o in caps],
            "missing": missing,
            "explanation": f"{len(stated)} of {len(caps)} capacity outputs state their level; "
            f"{len(unpaired)} training output(s) unpaired."}


def _capacity_indicators(c: Criterion, ctx: dict[str, Any]) -> dict[str, Any]:
    """Indicators of capacity outputs and of the outcomes they serve, other than counts of
    people trained: 0 none; 1 none with baseline and target; 3 every such outcome has one
    complete and three in four are complete; else 2."""
    st = ctx["st"]
    caps = [o for o in st.outputs if o.is_capacity]
    served = {o.outcome for o in caps if o.outcome}
    outcome_inds = {oc.code: [i for i in oc.indicators if not i.training_count]
                    for oc in st.outcomes if oc.code in served}
    inds = [i for v in outcome_inds.values() for i in v] + [
        i for o in caps for i in o.indicators if not i.training_count]
    counts = [i for o in caps for i in o.indicators if i.training_count]
    missing = []
    if not inds:
        missing.append("Only counts of people trained or events held." if counts else
                       "No indicator measures a change in capacity.")
        return {"proposed": 0, "evidence": [], "found": [], "missing": missing,
                "explanation": "No capacity indicator found."}
    complete = [i for i in inds if i.complete]
    outcomes_ok = bool(outcome_inds) and all(any(i.complete for i in v)
                                             for v in outcome_inds.values())
    missing += [f"No baseline: {i.text[:80]}" for i in inds if i.baseline is None][:3]
    missing += [f"No target: {i.text[:80]}" for i in inds if i.target is None][:3]
    if not outcomes_ok:
        missing.append("Not every outcome served by capacity outputs has a capacity "
                       "indicator with a baseline and a target.")
    if not complete:
        proposed = 1
    elif outcomes_ok and 4 * len(complete) >= 3 * len(inds):
        proposed = 3
    else:
        proposed = 2
    unit = ctx["unit"]
    evidence = [st.passages[_index(st, i.para)].evidence(unit=unit) for i in complete]
    return {"proposed": proposed, "evidence": evidence,
            "found": [f"{len(complete)} of {len(inds)} capacity indicators have a baseline "
                      "and a target"], "missing": missing,
            "explanation": f"{len(inds)} capacity indicator(s), {len(complete)} complete; "
            f"{len(counts)} count(s) of people trained not counted."}


def _results_framework(c: Criterion, ctx: dict[str, Any]) -> dict[str, Any]:
    """0 no outcome or output; 3 both, nine in ten indicators complete, means of verification;
    2 both, and three in five indicators (or all outcome indicators) complete; else 1."""
    st = ctx["st"]
    inds = st.indicators
    complete = [i for i in inds if i.complete]
    outcome_inds = [i for o in st.outcomes for i in o.indicators]
    verified = any(i.verification for i in inds)
    missing = []
    if not st.outcomes:
        missing.append("No outcomes found (labelled 'Outcome 1: ...').")
    if not st.outputs:
        missing.append("No outputs found (labelled 'Output 1.1: ...').")
    if inds and len(complete) < len(inds):
        missing.append(f"{len(inds) - len(complete)} of {len(inds)} indicators lack a "
                       "baseline or a target.")
    if not inds:
        missing.append("No indicators found.")
    if inds and not verified:
        missing.append("No means of verification stated.")
    share = len(complete) / len(inds) if inds else 0.0
    if not st.outcomes and not st.outputs:
        proposed = 0
    elif not (st.outcomes and st.outputs and complete):
        proposed = 1
    elif share >= 0.9 and verified:
        proposed = 3
    elif share >= 0.6 or (outcome_inds and all(i.complete for i in outcome_inds)):
        proposed = 2
    else:
        proposed = 1
    unit = ctx["unit"]
    evidence = [st.passages[_index(st, o.para)].evidence(unit=unit) for o in st.outcomes[:2]]
    return {"proposed": proposed, "evidence": evidence,
            "found": [f"{len(st.outcomes)} outcomes, {len(st.outputs)} outputs, "
                      f"{len(complete)} of {len(inds)} indicators complete"],
            "missing": missing,
            "explanation": f"{share:.0%} of indicators have a baseline and a target."}


def _index(st: Structure, para: int) -> int:
    return next(i for i, p in enumerate(st.passages) if p.para == para)


_RULES = {"cues": _cues, "capacity_outputs": _capacity_outputs,
          "levels_pairing": _levels_pairing, "capacity_indicators": _capacity_indicators,
          "results_framework": _results_framework}
