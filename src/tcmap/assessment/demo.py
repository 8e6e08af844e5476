"""The demonstration capacity assessments: three constituents, one followed up in a second round.

The data are package files (`data/demo/assessments.yaml` and one ratings CSV per round), loaded
through the same library calls a person's commands make, so every score of the demo can be
traced to its ratings and events. Loading is idempotent: an assessment series already stored
by the same author (same constituent and country) is left as it is.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tcmap import yamlfile
from tcmap.assessment.assessments import new_assessment, start_round
from tcmap.assessment.changes import rate_file, save_action, set_desired
from tcmap.errors import ConfigError
from tcmap.store.assessment import Assessment, AssessmentAction, AssessmentRating
from tcmap.taxonomy import Framework, load_framework

DEMO_DIR = Path(str(resources.files("tcmap.assessment").joinpath("data", "demo")))


def _plan() -> dict[str, Any]:
    return yamlfile.load((DEMO_DIR / "assessments.yaml").read_text(encoding="utf-8"))


def _existing(session, item: dict[str, Any], by: str) -> Assessment | None:
    """Round 1 of the demo series of this constituent, if it is stored already."""
    return session.scalar(select(Assessment).where(
        Assessment.constituent == item["constituent"], Assessment.country == item["country"],
        Assessment.round == 1, Assessment.created_by == by))


def _load_series(session, framework: Framework, instrument: str, item: dict[str, Any],
                 by: str) -> int:
    """Create one constituent's rounds: ratings, desired levels and response actions."""
    previous = None
    for n, rnd in enumerate(item["rounds"]):
        if n == 0:
            aid = new_assessment(
                session, framework, constituent=item["constituent"],
                constituent_type=item["type"], country=item["country"], why=item["why"],
                for_whom=item["for_whom"], for_what=item["for_what"], instrument=instrument,
                scope=item["scope"], assessed_on=rnd["date"], by=by)["id"]
        else:
            aid = start_round(session, previous, by=by, assessed_on=rnd["date"])["id"]
        report = rate_file(session, aid, DEMO_DIR / rnd["ratings"], by=by)
        if not report["ok"]:  # a packaged file broken by an edit: say which and why
            first = report["problems"][0]
            raise ConfigError(f"The demo ratings {rnd['ratings']} are invalid (row "
                              f"{first.get('row')}): {first['message']}",
                              hint="Fix the file under tcmap/assessment/data/demo/.")
        for d in rnd.get("desired", []):
            set_desired(session, aid, d["cells"], d["level"], set_by=d["set_by"], by=by)
        for x in rnd.get("actions", []):
            save_action(session, aid, cell=x["cell"], horizon=x["horizon"], lever=x["lever"],
                        description=x["description"], responsible=x.get("responsible", ""),
                        cost=x.get("cost"), currency=x.get("currency"),
                        linked_output=x.get("output"), linked_activity=x.get("activity"),
                        by=by)
        previous = aid
    return len(item["rounds"])


def load_demo(store, framework: Framework | str | None = None, by: str = "demo"
              ) -> dict[str, Any]:
    """Store the demo assessments (those not stored yet by `by`); the counts of what is there."""
    fw = framework if isinstance(framework, Framework) else load_framework(
        framework or "ilo-spf-2010-15")
    plan = _plan()
    created = 0
    with store.session() as s, s.begin():
        for item in plan["assessments"]:
            if _existing(s, item, by) is None:
                _load_series(s, fw, plan["instrument"], item, by)
                created += 1
    with store.session() as s:
        # Only the demo's own series: the demo login may add assessments of its own.
        firsts = [_existing(s, item, by).id for item in plan["assessments"]]
        mine = select(Assessment.id).where(Assessment.id.in_(firsts)
                                           | Assessment.series_id.in_(firsts))
        rounds = s.scalar(select(func.count()).select_from(mine.subquery()))
        ratings = s.scalar(select(func.count()).select_from(AssessmentRating).where(
            AssessmentRating.assessment_id.in_(mine)))
        actions = s.scalar(select(func.count()).select_from(AssessmentAction).where(
            AssessmentAction.assessment_id.in_(mine)))
    total = len(plan["assessments"])
    return {"assessments": total, "created": created, "already_loaded": total - created,
            "rounds": rounds, "ratings": ratings, "actions": actions}
