"""The quality-appraisal section of the governing-body report, as plain data.

`report_section(session, framework)` reads every stored appraisal and gives the report: the
appraisals by template (DWCP, project) and status, the share cleared, the criteria a person
most often rated below the pass mark (mandatory ones first), the country-programme gate over
the DWCP documents as the pre-screen read them, and how far the pre-screen's proposals agree
with a person's ratings. `templates/report_section.html.j2` renders it.

Every count is over the stored records: a criterion's rating is the latest a person gave; the
agreement pairs a person's rating with the machine's proposal only when both are of the same
round, so both read the same version of the document.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tcmap.appraisal.appraisals import STATUSES
from tcmap.appraisal.checklist import checklist_from_dict
from tcmap.appraisal.gate import GROUP_NAMES
from tcmap.appraisal.scoring import NA, agreement
from tcmap.appraisal.structure import CONSTITUENTS
from tcmap.store.appraisal import Appraisal, AppraisalRating
from tcmap.taxonomy import Framework

TOP = 6  # criteria in the table of those most often failing
TEMPLATE_ORDER = ("dwcp", "project")


def _share(k: int, n: int) -> dict[str, Any]:
    return {"k": k, "n": n, "percent": round(100 * k / n, 1) if n else None}


def _failing(rows: list[Appraisal], ratings: dict[int, list[AppraisalRating]]
             ) -> dict[str, Any]:
    """Per criterion: how many documents a person rated below the pass mark, of those rated."""
    failing: Counter[str] = Counter()
    rated: Counter[str] = Counter()
    info: dict[str, dict[str, Any]] = {}
    templates: dict[str, set[str]] = defaultdict(set)
    pass_marks = set()
    for a in rows:
        checklist = checklist_from_dict(a.checklist)
        pass_marks.add(checklist.pass_mark)
        criteria = {c.code: c for c in checklist.criteria}
        for r in ratings.get(a.id, []):
            c = criteria.get(r.criterion)
            if c is None or r.not_applicable or r.score is None:
                continue
            rated[c.code] += 1
            templates[c.code].add(a.object_type)
            entry = info.setdefault(c.code, {"criterion": c.code, "text": c.text,
                                             "mandatory": False})
            entry["mandatory"] = entry["mandatory"] or c.mandatory
            if r.score < checklist.pass_mark:
                failing[c.code] += 1
    table = [{**info[code], "failing": n, "rated": rated[code],
              "templates": sorted(templates[code], key=_template_key)}
             for code, n in failing.items()]
    table.sort(key=lambda r: (not r["mandatory"], -r["failing"], r["criterion"]))
    return {"criteria": table[:TOP], "criteria_failing": len(table),
            "mandatory_failing": sum(r["mandatory"] for r in table),
            "ratings_failing": sum(failing.values()), "ratings": sum(rated.values()),
            "pass_mark": min(pass_marks) if len(pass_marks) == 1 else None}


def _template_key(code: str) -> tuple[int, str]:
    return (TEMPLATE_ORDER.index(code) if code in TEMPLATE_ORDER else len(TEMPLATE_ORDER), code)


def _gate(rows: list[Appraisal]) -> dict[str, Any]:
    """The country-programme gate over the DWCP documents, as the pre-screen read them."""
    gates = [(a, a.prescreen.get("gate")) for a in rows if a.object_type == "dwcp"]
    gates = [(a, g) for a, g in gates if g]
    missing = Counter(c for _, g in gates if not g["passed"]
                      for c in g.get("missing_constituents", []))
    return {**_share(sum(g["passed"] for _, g in gates), len(gates)),
            "failed": [{"appraisal": a.id, "title": a.title,
                        "missing": g.get("missing_constituents", [])}
                       for a, g in gates if not g["passed"]],
            "missing": [{"group": c, "label": GROUP_NAMES.get(c, c), "programmes": n}
                        for c, n in sorted(missing.items(),
                                           key=lambda kv: (-kv[1], _group_key(kv[0])))]}


def _group_key(code: str) -> tuple[int, str]:
    return (CONSTITUENTS.index(code) if code in CONSTITUENTS else len(CONSTITUENTS), code)


def _agreement(rows: list[Appraisal], ratings: dict[int, list[AppraisalRating]]
               ) -> dict[str, Any]:
    """Exact and within-one agreement of the machine's proposals with a person's ratings."""
    pairs, used = [], set()
    for a in rows:
        proposed = {p["criterion"]: p["proposed"] for p in a.prescreen.get("criteria", [])}
        for r in ratings.get(a.id, []):
            machine = proposed.get(r.criterion)
            if machine is None or r.round != a.round:
                continue
            pairs.append((machine, NA if r.not_applicable else r.score))
            used.add(a.id)
    return {**agreement(pairs), "appraisals": len(used)}


def report_section(session: Session, framework: Framework) -> dict[str, Any]:
    """The quality-appraisal section of the governing-body report, as plain data."""
    rows = list(session.scalars(select(Appraisal).order_by(Appraisal.id)))
    base: dict[str, Any] = {"title": "Quality appraisal of country programmes and projects",
                            "available": bool(rows), "top_n": TOP}
    if not rows:
        base["message"] = (
            "No country programme or project document has been appraised yet, so clearance, "
            "the criteria that fail and the country-programme gate cannot be reported. "
            "Appraise documents with `tcmap appraise FILE --template dwcp` or at /appraisals.")
        return base
    ratings: dict[int, list[AppraisalRating]] = defaultdict(list)
    for r in session.scalars(select(AppraisalRating).order_by(AppraisalRating.id)):
        ratings[r.appraisal_id].append(r)
    by_template = []
    for code in sorted({a.object_type for a in rows}, key=_template_key):
        mine = [a for a in rows if a.object_type == code]
        by_template.append({"object_type": code, "template": mine[0].template,
                            "title": mine[0].checklist.get("title", mine[0].template),
                            "appraisals": len(mine),
                            "cleared": sum(a.status == "cleared" for a in mine)})
    status = Counter(a.status for a in rows)
    base.update({
        "appraisals": len(rows),
        "by_template": by_template,
        "by_status": [{"status": s, "appraisals": status[s]} for s in STATUSES if status[s]],
        "cleared": _share(status["cleared"], len(rows)),
        "failing": _failing(rows, ratings),
        "gate": _gate(rows),
        "agreement": _agreement(rows, ratings),
    })
    return base
