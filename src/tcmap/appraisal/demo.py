"""The demonstration appraisals: two country programmes and a project document, rated by a person.

The documents (`data/demo/*.md`, written for the demonstration) are appraised through the same
library calls as a person's commands: the machine pre-screens each one, the ratings of
`data/demo/appraisals.yaml` are recorded, and each document is taken through its steps, so one
is cleared, one returned for revision and one awaits a decision. Loading is idempotent: a
document already appraised by the same author (same file contents) is left as it is.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tcmap import yamlfile
from tcmap.appraisal.appraisals import change_status, create_appraisal, rate
from tcmap.store.appraisal import Appraisal
from tcmap.taxonomy import Framework

DEMO_DIR = Path(str(resources.files("tcmap.appraisal").joinpath("data", "demo")))


def _plan() -> dict[str, Any]:
    return yamlfile.load((DEMO_DIR / "appraisals.yaml").read_text(encoding="utf-8"))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _existing(session, path: Path, by: str) -> Appraisal | None:
    return session.scalar(select(Appraisal).where(
        Appraisal.document_sha256 == _sha(path), Appraisal.created_by == by).order_by(
        Appraisal.id))


def _appraise(session, item: dict[str, Any], by: str, classifier) -> None:
    """Pre-screen one document, record the person's ratings, and take it through its steps."""
    aid = create_appraisal(session, DEMO_DIR / item["document"], item["template"], by,
                           classifier=classifier)["id"]
    for criterion, r in item["ratings"].items():
        rate(session, aid, criterion, r["score"], by, comment=r.get("comment"),
             action=r.get("action"))
    for step in item.get("steps", []):
        change_status(session, aid, step["action"], by, note=step.get("note"))


def load_demo(store, framework: Framework | str | None = None, by: str = "demo",
              classifier=None) -> dict[str, Any]:
    """Store the demo appraisals (those not stored yet by `by`); the counts of what is there."""
    plan = _plan()["appraisals"]
    created = 0
    with store.session() as s, s.begin():
        todo = [item for item in plan if _existing(s, DEMO_DIR / item["document"], by) is None]
        if todo and classifier is None:
            from tcmap.classify import load_classifier

            code = framework.code if isinstance(framework, Framework) else framework
            classifier = load_classifier(code)
        for item in todo:
            _appraise(s, item, by, classifier)
            created += 1
    with store.session() as s:
        rows = [_existing(s, DEMO_DIR / item["document"], by) for item in plan]
        status = Counter(a.status for a in rows)
        templates = Counter(a.object_type for a in rows)
    return {"appraisals": len(plan), "created": created, "already_loaded": len(plan) - created,
            "by_template": dict(sorted(templates.items())),
            "by_status": dict(sorted(status.items()))}
