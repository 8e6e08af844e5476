"""What the classifier reads of an activity: its narratives (with language) and coded fields.

A Document is built from a freshly read record (`from_record`, used by `tcmap label`) or from
a stored activity (`from_activity`, used by `tcmap classify`); both give the same Document
for the same activity, so a classification is a pure function of the activity and the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tcmap.classify.lexicon import LANGS

# Narratives the classifier reads: the activity's titles and descriptions, and the titles
# and descriptions of its results and indicators.
_READ = {("activity", "title"), ("activity", "description"), ("result", "title"),
         ("result", "description"), ("indicator", "title"), ("indicator", "description")}


@dataclass(slots=True)
class Segment:
    """One narrative: where it comes from (e.g. `title`, `description[2]`), language, text."""

    field: str
    lang: str
    text: str
    size: int = 0  # the narrative's full length when `text` holds only its start (0: len(text))


@dataclass(slots=True)
class Document:
    """The parts of an activity that carry signal for the mapping."""

    identifier: str
    segments: list[Segment] = field(default_factory=list)
    sectors: list[tuple[str, str]] = field(default_factory=list)  # (vocabulary, code)
    orgs: list[dict[str, Any]] = field(default_factory=list)  # role, type, ref, name
    policy_markers: list[tuple[str, str | None]] = field(default_factory=list)
    aid_type: str | None = None
    reporting_org: str | None = None

    @property
    def title(self) -> str:
        return next((s.text for s in self.segments if s.field == "title"), "")

    def content(self) -> tuple:
        """Everything the classifier reads, without the identifier: two activities with the
        same content get the same labels (portfolios repeat whole activities, e.g. one
        project reported once per donor or per year)."""
        return (tuple((s.field, s.lang, s.text, s.size) for s in self.segments),
                tuple(self.sectors),
                tuple((o.get("role"), o.get("type"), o.get("ref"), o.get("name"))
                      for o in self.orgs),
                tuple(self.policy_markers), self.aid_type, self.reporting_org)


def _field_name(owner: str, fld: str, kind: str | None) -> str:
    if owner == "activity":
        return f"description[{kind or '1'}]" if fld == "description" else fld
    return f"{owner}/{fld}"


_DETECTOR = None


def detect_language(text: str, declared: str | None) -> str:
    """en, fr or es as detected in the text (declared tags are often wrong), else `other`."""
    global _DETECTOR
    if len(text) < 25 and declared in LANGS:
        return declared  # too short to detect reliably
    if _DETECTOR is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _DETECTOR = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
        _DETECTOR.set_languages(["en", "fr", "es", "de", "sv", "pt", "it", "nl"])
    lang = _DETECTOR.classify(text[:600])[0]
    return lang if lang in LANGS else "other"


def _lang(text: str, declared: str | None, detect: bool) -> str:
    if detect:
        return detect_language(text, declared)
    return declared if declared in LANGS else "other"


def from_record(rec: Any, detect: bool = True) -> Document:
    """The Document of an ActivityRecord (as read by tcmap.iati.reader or tcmap.tabular)."""
    cols = rec.columns
    doc = Document(rec.identifier or "", aid_type=cols.get("default_aid_type"),
                   reporting_org=cols.get("reporting_org_ref"))
    for n in rec.parts.get("narratives", ()):
        if (n["owner"], n["field"]) in _READ:
            doc.segments.append(Segment(_field_name(n["owner"], n["field"], n["kind"]),
                                        _lang(n["text"], n["lang"], detect), n["text"]))
    doc.sectors = [(s["vocabulary"] or "1", s["code"]) for s in rec.parts.get("sectors", ())]
    doc.orgs = [{"role": o["role"], "type": o["type"], "ref": o["ref"], "name": o["name"]}
                for o in rec.parts.get("participating_orgs", ())]
    doc.policy_markers = [(p["code"], p["significance"])
                          for p in rec.parts.get("policy_markers", ())]
    return doc


def from_activity(activity: Any, detect: bool = True) -> Document:
    """The Document of a stored Activity (ORM object with its parts loaded)."""
    doc = Document(activity.iati_identifier, aid_type=activity.default_aid_type,
                   reporting_org=activity.reporting_org_ref)
    for n in activity.narratives:
        if (n.owner, n.field) in _READ:
            doc.segments.append(Segment(_field_name(n.owner, n.field, n.kind),
                                        _lang(n.text, n.lang, detect), n.text))
    doc.sectors = [(s.vocabulary or "1", s.code) for s in activity.sectors]
    doc.orgs = [{"role": o.role, "type": o.type, "ref": o.ref, "name": o.name}
                for o in activity.participating_orgs]
    doc.policy_markers = [(p.code, p.significance) for p in activity.policy_markers]
    return doc
