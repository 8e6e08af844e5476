"""Freeze the mapping into a named snapshot, and read it back, so a report can be rebuilt.

A snapshot holds the mapped activities (filtered) as canonical JSON, gzipped without a
timestamp, with its checksum, the framework and model versions and the counts behind it.
The same snapshot always gives the same rows in the same order.

It also freezes the report's sections on the other nouns (country programmes and results,
assessments and appraisals, training follow-up): each provider in SECTIONS turns the store
into a JSON-ready dict, kept with the rows, so a report rebuilt later says the same. Those
sections cover everything stored, not the snapshot's filters (the filters select activities).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tcmap.analysis.frame import FrameFilters, MappedActivity, load_frame
from tcmap.errors import ConfigError, NotFoundError
from tcmap.store import Snapshot, SourceFile, Tag
from tcmap.store.base import utcnow

# The report's sections on other nouns: name -> "module:function(session, framework) -> dict".
SECTIONS = {
    "results": "tcmap.results.summary:report_section",
    "assessment": "tcmap.assessment.section:report_section",
    "appraisal": "tcmap.appraisal.section:report_section",
    "training": "tcmap.training.summary:report_section",
}


@dataclass
class Frozen:
    """A snapshot read back: its name, what it was made from, and its rows."""

    name: str
    created_at: str
    filters: dict[str, Any]
    framework: str
    info: dict[str, Any]
    sha256: str
    frame: list[MappedActivity]
    sections: dict[str, Any] = field(default_factory=dict)

    def header(self) -> dict[str, Any]:
        return {"name": self.name, "created_at": self.created_at, "filters": self.filters,
                "framework": self.framework, "info": self.info, "sha256": self.sha256}


def _encode(frame: list[MappedActivity], sections: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps({"activities": [a.to_dict() for a in sorted(
        frame, key=lambda a: a.identifier)], "sections": sections}, sort_keys=True,
        ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return gzip.compress(body, mtime=0), hashlib.sha256(body).hexdigest()


def freeze_sections(session: Session, framework: str) -> dict[str, Any]:
    """Every provider's section of the report, as it is now, made JSON-plain."""
    from tcmap.taxonomy import load_framework

    fw = load_framework(framework)
    out = {}
    for name, target in SECTIONS.items():
        module, _, function = target.partition(":")
        section = getattr(importlib.import_module(module), function)(session, fw)
        # Through JSON and back: what a rebuilt report reads is exactly what was stored.
        out[name] = json.loads(json.dumps(section, ensure_ascii=False, default=str))
    return out


def create_snapshot(session: Session, name: str | None, framework: str,
                    filters: FrameFilters | None = None, by: str | None = None) -> Frozen:
    """Freeze the current mapping (narrowed by the filters) under a new name."""
    filters = filters or FrameFilters()
    now = utcnow()
    name = name or f"{now:%Y-%m-%d-%H%M%S}"
    if session.scalar(select(Snapshot.id).where(Snapshot.name == name)) is not None:
        raise ConfigError(f"A snapshot named {name!r} already exists.",
                          hint="Choose another name, or build the report from that snapshot "
                          "with --snapshot.")
    frame = load_frame(session, filters)
    sections = freeze_sections(session, framework)
    data, sha = _encode(frame, sections)
    versions = sorted(v for (v,) in session.execute(
        select(Tag.model_version).where(Tag.model_version.is_not(None)).distinct()))
    info = {
        "activities": len(frame),
        "files": session.scalar(select(func.count(SourceFile.id))) or 0,
        "sources": sorted(p for (p,) in session.execute(select(SourceFile.name).distinct())),
        "model_versions": versions,
    }
    row = Snapshot(name=name, created_at=now, created_by=by, filters=filters.to_dict(),
                   framework=framework, info=info, sha256=sha, data=data)
    session.add(row)
    session.flush()
    return _frozen(row, frame, sections)


def _frozen(row: Snapshot, frame: list[MappedActivity],
            sections: dict[str, Any] | None = None) -> Frozen:
    return Frozen(row.name, row.created_at.isoformat(timespec="seconds"), row.filters,
                  row.framework, row.info, row.sha256, frame, sections or {})


def load_snapshot(session: Session, name: str) -> Frozen:
    """The named snapshot with its rows."""
    row = session.scalar(select(Snapshot).where(Snapshot.name == name))
    if row is None:
        raise NotFoundError(f"No snapshot named {name!r}.",
                            hint="List them with `tcmap snapshot list`.")
    body = json.loads(gzip.decompress(row.data))
    if isinstance(body, list):  # made before snapshots kept sections
        body = {"activities": body, "sections": {}}
    return _frozen(row, [MappedActivity.from_dict(d) for d in body["activities"]],
                   body["sections"])


def list_snapshots(session: Session) -> list[dict[str, Any]]:
    return [{"name": r.name, "created_at": r.created_at.isoformat(timespec="seconds"),
             "created_by": r.created_by, "filters": r.filters, "framework": r.framework,
             "activities": r.info.get("activities"), "sha256": r.sha256}
            for r in session.scalars(select(Snapshot).order_by(Snapshot.created_at.desc()))]
