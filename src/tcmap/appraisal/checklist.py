"""Checklist templates: sections of criteria with weights, mandatory flags and pre-screen rules.

A template is a YAML file (see `data/checklists/project.yaml`). The two packaged ones are named
`dwcp` and `project`; any other value is read as the path of a user's own file, validated the
same way. A checklist is plain data (`to_dict`) so that an appraisal can keep a copy of the
template it was made with, whatever happens to the file later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tcmap import yamlfile
from tcmap.errors import InputError

PACKAGED = ("dwcp", "project")
SCORES = (0, 1, 2, 3)
RULE_KINDS = ("cues", "capacity_outputs", "levels_pairing", "capacity_indicators",
              "results_framework", "none")
DEFAULT_SCALE = {0: "absent", 1: "weak", 2: "adequate", 3: "strong"}


@dataclass(frozen=True, slots=True)
class Criterion:
    """One thing the appraiser checks, with how much it counts and whether it must pass."""

    code: str
    section: str
    text: str
    guidance: str = ""
    weight: float = 1.0
    mandatory: bool = False
    na_allowed: bool = True
    capacity: bool = False
    dac: str | None = None
    rule: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "section": self.section, "text": self.text,
                "guidance": self.guidance, "weight": self.weight, "mandatory": self.mandatory,
                "na_allowed": self.na_allowed, "capacity": self.capacity, "dac": self.dac,
                "rule": self.rule}


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    title: str
    weight: float
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Checklist:
    """A template: its identity, scale, pass mark and sections."""

    code: str
    object_type: str
    version: str
    title: str
    sections: tuple[Section, ...]
    scale: dict[int, str]
    pass_mark: int = 2
    source: str = ""

    @property
    def criteria(self) -> list[Criterion]:
        return [c for s in self.sections for c in s.criteria]

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        from tcmap.errors import ReviewError

        raise ReviewError(f"The checklist {self.code} has no criterion {code!r}.",
                          hint="Its criteria: " + ", ".join(c.code for c in self.criteria) + ".")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "object_type": self.object_type, "version": self.version,
                "title": self.title, "scale": {str(k): v for k, v in self.scale.items()},
                "pass_mark": self.pass_mark, "source": self.source,
                "sections": [{"code": s.code, "title": s.title, "weight": s.weight,
                              "criteria": [_criterion_yaml(c) for c in s.criteria]}
                             for s in self.sections]}


def _criterion_yaml(c: Criterion) -> dict[str, Any]:
    d = c.to_dict()
    d.pop("section")
    return d


def _bad(source: str, where: str, what: str) -> InputError:
    return InputError("invalid-checklist", f"{source}: {where}: {what}", file=source, field=where)


def _number(value: Any, source: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _bad(source, where, f"the weight must be a number of 0 or more, not {value!r}")
    return float(value)


def _rule(raw: Any, source: str, where: str, strict: bool = True) -> dict[str, Any]:
    rule = raw or {"kind": "none"}
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        raise _bad(source, f"{where}.rule", f"kind must be one of {', '.join(RULE_KINDS)}")
    if rule["kind"] == "cues":
        groups = rule.get("groups")
        if not isinstance(groups, list) or not groups or not all(
                isinstance(g, dict) and g.get("cue") for g in groups):
            raise _bad(source, f"{where}.rule.groups", "give a list of {cue: ..., missing: ...}")
        for k, g in enumerate(groups, start=1):
            extra = set(g) - {"cue", "with", "label", "missing"}
            if extra and strict:  # often a comma in an unquoted {...} value
                raise _bad(source, f"{where}.rule.groups[{k}]", f"unknown keys {sorted(extra)}; "
                           "quote values that hold commas")
        scores = rule.get("scores", [1, 2, 3])
        if not isinstance(scores, list) or not 1 <= len(scores) <= 3 or not all(
                isinstance(n, int) and n >= 1 for n in scores):
            raise _bad(source, f"{where}.rule.scores",
                       "give up to three counts of groups needed for scores 1, 2 and 3")
    return rule


def parse_checklist(data: Any, source: str = "<data>", strict: bool = True) -> Checklist:
    """A Checklist from parsed YAML; every fault names the field (InputError invalid-checklist)."""
    if not isinstance(data, dict):
        raise _bad(source, "(top)", "the file must be a mapping with code, title and sections")
    for key in ("code", "title", "sections"):
        if not data.get(key):
            raise _bad(source, key, "missing")
    pass_mark = data.get("pass_mark", 2)
    if pass_mark not in SCORES:
        raise _bad(source, "pass_mark", "must be 0, 1, 2 or 3")
    sections, seen = [], set()
    if not isinstance(data["sections"], list):
        raise _bad(source, "sections", "must be a list")
    for i, s in enumerate(data["sections"], start=1):
        where = f"sections[{i}]"
        if not isinstance(s, dict) or not s.get("code") or not s.get("criteria"):
            raise _bad(source, where, "a section needs code, title and criteria")
        criteria = []
        for j, c in enumerate(s["criteria"], start=1):
            cw = f"{where}.criteria[{j}]"
            if not isinstance(c, dict) or not c.get("code") or not c.get("text"):
                raise _bad(source, cw, "a criterion needs code and text")
            code = str(c["code"])
            if code in seen:
                raise _bad(source, cw, f"the code {code!r} is used twice")
            seen.add(code)
            mandatory = bool(c.get("mandatory", False))
            criteria.append(Criterion(
                code=code, section=str(s["code"]), text=str(c["text"]),
                guidance=str(c.get("guidance") or ""),
                weight=_number(c.get("weight", 1), source, f"{cw}.weight"),
                mandatory=mandatory,
                # A mandatory criterion applies to every document of its kind.
                na_allowed=bool(c.get("na_allowed", not mandatory)),
                capacity=bool(c.get("capacity", False)), dac=c.get("dac"),
                rule=_rule(c.get("rule"), source, cw, strict)))
        sections.append(Section(str(s["code"]), str(s.get("title") or s["code"]),
                                _number(s.get("weight", 1), source, f"{where}.weight"),
                                tuple(criteria)))
    scale = {int(k): str(v) for k, v in (data.get("scale") or DEFAULT_SCALE).items()}
    if set(scale) != set(SCORES):
        raise _bad(source, "scale", "name the four scores 0, 1, 2 and 3")
    return Checklist(code=str(data["code"]), object_type=str(data.get("object_type", "project")),
                     version=str(data.get("version", "1")), title=str(data["title"]),
                     sections=tuple(sections), scale=scale, pass_mark=pass_mark, source=source)


def packaged_path(name: str) -> Path:
    return Path(str(resources.files("tcmap.appraisal").joinpath("data", "checklists",
                                                                 f"{name}.yaml")))


def load_checklist(name_or_path: str) -> Checklist:
    """The packaged template `dwcp` or `project`, or a user's YAML file at the path given."""
    if name_or_path in PACKAGED:
        path, source = packaged_path(name_or_path), name_or_path
    else:
        path, source = Path(name_or_path), name_or_path
        if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
            raise InputError("unknown-checklist",
                             f"There is no checklist template {name_or_path!r}.",
                             value=name_or_path)
    try:
        data = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise _bad(source, "(file)", f"cannot be read as YAML ({exc})") from None
    return parse_checklist(data, source)


def checklist_from_dict(data: dict[str, Any]) -> Checklist:
    """The Checklist an appraisal keeps (`Checklist.to_dict`), read back."""
    # A stored copy was valid when it was stored; later, stricter checks do not reject it.
    return parse_checklist(data, data.get("source") or data.get("code", "<stored>"), strict=False)
