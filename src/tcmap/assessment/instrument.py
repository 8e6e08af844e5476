"""Capacity-assessment instruments: YAML files of levels, core issues, functional capacities,
questions, a rating scale and priority bands, loaded into plain immutable objects.

An instrument is data. The packaged ones live in `data/instruments/<code>.yaml`; any other
file of the same shape loads by its path. Checking a file returns a report of Problems
(`check_instrument`); loading a bad one raises InputError naming the first problem.

A cell is the unit that is rated and scored: level × core issue × functional capacity, or
level × core issue when the instrument has no functional capacities (the OCA variant, whose
"core issues" are its domains). A cell's key is its codes joined by "/", for example
`organizational/leadership/evaluate`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tcmap import yamlfile
from tcmap.errors import InputError, NotFoundError, Problem

CODE = re.compile(r"^[a-z][a-z0-9_-]{0,99}$")
ABBR = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
MODES = ("mean", "consensus")
# Capacity levels of the framework (taxonomy capacity_levels); an instrument may use a subset.
FRAMEWORK_LEVELS = ("enabling_environment", "organizational", "individual")


@dataclass(frozen=True, slots=True)
class Item:
    """A declared code of one axis of the cube, with its abbreviation and title."""

    code: str
    abbr: str
    title: str


@dataclass(frozen=True, slots=True)
class Question:
    """A question of one cell; benchmarks (per score) replace the scale's labels if given."""

    id: str
    cell: str
    text: str
    benchmarks: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Band:
    """A priority band: gaps of at least min_gap (None = any other gap) fall in it."""

    code: str
    label: str
    min_gap: float | None


@dataclass(frozen=True, slots=True)
class Instrument:
    """A loaded, valid instrument."""

    code: str
    version: str
    title: str
    source: str
    scale_min: int
    scale_max: int
    allow_na: bool
    scale_labels: dict[int, str]
    mode: str
    verification: bool
    sources: dict[str, str]
    desired_set_by: dict[str, str]
    bands: tuple[Band, ...]
    levers: dict[str, str]
    horizons: dict[str, str]
    levels: tuple[Item, ...]
    core_issues: tuple[Item, ...]
    functional_capacities: tuple[Item, ...]
    questions: tuple[Question, ...]
    axis_labels: dict[str, str]
    text: str  # the file as read: stored with the assessments that use it
    sha256: str
    by_id: dict[str, Question]

    def cells(self) -> list[str]:
        """Every cell of the cube, in the instrument's order."""
        out = []
        for lv in self.levels:
            for ci in self.core_issues:
                if self.functional_capacities:
                    out += [f"{lv.code}/{ci.code}/{fc.code}" for fc in self.functional_capacities]
                else:
                    out.append(f"{lv.code}/{ci.code}")
        return out

    def parts(self, cell: str) -> tuple[str, str, str | None]:
        """(level, core issue, functional capacity or None) of a cell key."""
        level, core, *rest = cell.split("/")
        return level, core, rest[0] if rest else None

    def title_of(self, axis: str, code: str | None) -> str:
        items = {"level": self.levels, "core_issue": self.core_issues,
                 "functional_capacity": self.functional_capacities}[axis]
        return next((i.title for i in items if i.code == code), code or "")

    def question(self, qid: str) -> Question | None:
        return self.by_id.get(qid)

    def expand(self, selector: str) -> list[str]:
        """The cells a selector names: a cell key or a prefix of one (a level, a cross-section)."""
        sel = selector.strip().strip("/")
        return [c for c in self.cells() if not sel or c == sel or c.startswith(sel + "/")]

    def summary(self) -> dict[str, Any]:
        """What a person needs to choose and use the instrument, as JSON-ready data."""
        return {
            "code": self.code, "version": self.version, "title": self.title,
            "source": self.source,
            "scale": {"min": self.scale_min, "max": self.scale_max, "allow_na": self.allow_na,
                      "labels": {str(k): v for k, v in self.scale_labels.items()}},
            "rating": {"mode": self.mode, "verification": self.verification},
            "sources": self.sources, "desired_set_by": self.desired_set_by,
            "priority_bands": [{"code": b.code, "label": b.label, "min_gap": b.min_gap}
                               for b in self.bands],
            "levers": self.levers, "horizons": self.horizons, "axis_labels": self.axis_labels,
            "levels": [_item(i) for i in self.levels],
            "core_issues": [_item(i) for i in self.core_issues],
            "functional_capacities": [_item(i) for i in self.functional_capacities],
            "cells": len(self.cells()), "questions": len(self.questions),
        }


def _item(i: Item) -> dict[str, str]:
    return {"code": i.code, "abbr": i.abbr, "title": i.title}


def _data_dir() -> Path:
    return Path(str(resources.files("tcmap.assessment").joinpath("data", "instruments")))


def available_instruments() -> list[str]:
    """Codes of the packaged instruments."""
    return sorted(p.stem for p in _data_dir().glob("*.yaml"))


def _path_of(ref: str | Path) -> Path:
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.exists():
            raise InputError("file-not-found", f"No instrument file {path}.", file=str(path))
        return path
    packaged = _data_dir() / f"{ref}.yaml"
    if not packaged.exists():
        raise NotFoundError(
            f"No instrument {str(ref)!r}.",
            hint=f"Packaged instruments: {', '.join(available_instruments())}; or give the "
            "path to an instrument YAML file.")
    return packaged


def check_instrument(ref: str | Path) -> dict[str, Any]:
    """Check an instrument file: {ok, instrument (summary or None), problems}; never raises
    for a bad file (only for a missing one)."""
    path = _path_of(ref)
    instrument, problems = _parse(path.read_bytes(), str(path))
    return {"ok": instrument is not None, "file": str(path),
            "instrument": instrument.summary() if instrument else None,
            "problems": [p.to_dict() for p in problems]}


def load_instrument(ref: str | Path) -> Instrument:
    """A packaged instrument by code, or an instrument file by path; InputError if invalid."""
    path = _path_of(ref)
    instrument, problems = _parse(path.read_bytes(), str(path))
    if instrument is None:
        first = problems[0]
        more = f" ({len(problems) - 1} more problems)" if len(problems) > 1 else ""
        where = (f" line {first.line}" if first.line else "") + (
            f" at {first.field}" if first.field else "")
        detail = f" ({first.value})" if first.value and first.code == "instrument-unreadable" \
            else ""
        raise InputError(first.code, f"{path}{where}: {first.message}{detail}{more}",
                         hint=first.hint, file=str(path), field=first.field, value=first.value)
    return instrument


def instrument_from_text(text: str, origin: str = "stored") -> Instrument:
    """An instrument from the YAML text stored with assessments (validated again, to be safe)."""
    instrument, problems = _parse(text.encode("utf-8"), origin)
    if instrument is None:
        raise InputError(problems[0].code, f"The stored instrument is invalid: "
                         f"{problems[0].message}", hint=problems[0].hint)
    return instrument


def _parse(raw: bytes, file: str) -> tuple[Instrument | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
        data = yamlfile.load(text)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem.make("instrument-unreadable", file=file,
                                   line=mark.line + 1 if mark else None,
                                   value=str(getattr(exc, "problem", None) or exc))]
    return _Reader(file).read(data, text, hashlib.sha256(raw).hexdigest())


class _Reader:
    """Reads one instrument mapping, collecting every problem instead of stopping at one."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, code: str, where: str, message: str = "", value: Any = None) -> None:
        self.problems.append(Problem.make(code, message=message, file=self.file, field=where,
                                          value=value))

    def need(self, data: dict, key: str, kind: type | tuple, where: str = "") -> Any:
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.bad("instrument-invalid", f"{where}{key}",
                     f"{where}{key} must be a {names}" + (" and is missing." if value is None
                                                          else "."), value)
            return None
        return value

    def mapping(self, data: dict, key: str, required: bool = True) -> dict[str, str]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict) or not value or not all(
                isinstance(k, str) and CODE.match(k) and isinstance(v, str)
                for k, v in value.items()):
            self.bad("instrument-invalid", key,
                     f"{key} must map lower-case codes to titles.", value)
            return {}
        return dict(value)

    def items(self, data: dict, key: str, allow_empty: bool = False) -> tuple[Item, ...]:
        raw = data.get(key)
        if not isinstance(raw, list) or (not raw and not allow_empty):
            self.bad("instrument-invalid", key, f"{key} must be a non-empty list of "
                     "{code, abbr, title}.", raw)
            return ()
        out, seen = [], set()
        for n, it in enumerate(raw):
            where = f"{key}[{n}]"
            if not (isinstance(it, dict) and isinstance(it.get("code"), str)
                    and CODE.match(it["code"]) and isinstance(it.get("abbr"), str)
                    and ABBR.match(it["abbr"]) and isinstance(it.get("title"), str)):
                self.bad("instrument-invalid", where, f"{where} needs a lower-case code, an "
                         "upper-case abbr and a title.", it)
                continue
            for k in (it["code"], it["abbr"]):
                if k in seen:
                    self.bad("instrument-duplicate-code", where, value=k)
                seen.add(k)
            out.append(Item(it["code"], it["abbr"], it["title"]))
        return tuple(out)

    def scale(self, data: dict) -> tuple[int, int, bool, dict[int, str]]:
        s = self.need(data, "scale", dict) or {}
        lo, hi = s.get("min"), s.get("max")
        if not (type(lo) is int and type(hi) is int and lo < hi):
            self.bad("instrument-invalid", "scale", "scale needs whole numbers min < max.",
                     f"min={lo} max={hi}")
            return 1, 5, True, {}
        labels = s.get("labels") or {}
        if not isinstance(labels, dict) or any(
                type(k) is not int or not lo <= k <= hi or not isinstance(v, str)
                for k, v in labels.items()):
            self.bad("instrument-invalid", "scale.labels",
                     "scale.labels must map scores of the scale to descriptors.", labels)
            labels = {}
        return lo, hi, bool(s.get("allow_na", True)), dict(labels)

    def bands(self, data: dict) -> tuple[Band, ...]:
        raw = self.need(data, "priority_bands", list) or []
        out: list[Band] = []
        for n, b in enumerate(raw):
            where = f"priority_bands[{n}]"
            last = n == len(raw) - 1
            gap = b.get("min_gap") if isinstance(b, dict) else None
            ok = (isinstance(b, dict) and isinstance(b.get("code"), str)
                  and (gap is None) == last and (last or isinstance(gap, int | float))
                  and (not out or last or gap < out[-1].min_gap))
            if not ok:
                self.bad("instrument-invalid", where, f"{where}: bands need a code and a "
                         "min_gap, falling from band to band; the last band has none.", b)
                continue
            out.append(Band(b["code"], str(b.get("label") or b["code"]),
                            None if gap is None else float(gap)))
        return tuple(out)

    def questions(self, data: dict, levels, cores, fcs, lo, hi) -> tuple[Question, ...]:
        raw = self.need(data, "questions", dict) or {}
        lv = {i.code: i for i in levels}
        ci = {i.code: i for i in cores}
        fc = {i.code: i for i in fcs}
        out: list[Question] = []

        def unknown(where: str, kind: str, code: Any) -> None:
            self.bad("instrument-unknown-code", where, f"{where}: {code!r} is not a declared "
                     f"{kind}.", code)

        def add(cell: str, prefix: str, where: str, texts: Any) -> None:
            if not isinstance(texts, list):
                self.bad("instrument-invalid", where, f"{where} must be a list of questions.",
                         texts)
                return
            for n, q in enumerate(texts, 1):
                text, bench = (q, {}) if isinstance(q, str) else (
                    (q.get("text"), q.get("benchmarks") or {}) if isinstance(q, dict)
                    else (None, {}))
                if not isinstance(text, str) or not text.strip() or not isinstance(
                        bench, dict) or any(type(k) is not int or not lo <= k <= hi
                                            for k in bench):
                    self.bad("instrument-invalid", f"{where}[{n - 1}]", f"{where}[{n - 1}] "
                             "must be a text, or {text, benchmarks} with scores of the scale.",
                             q)
                    continue
                out.append(Question(f"{prefix}-{n}", cell, text.strip(),
                                    {k: str(v) for k, v in bench.items()}))

        for lcode, by_core in raw.items():
            if lcode not in lv:
                unknown(f"questions.{lcode}", "level", lcode)
                continue
            for ccode, inner in (by_core or {}).items():
                where = f"questions.{lcode}.{ccode}"
                if ccode not in ci:
                    unknown(where, "core issue", ccode)
                    continue
                base = f"{lv[lcode].abbr}-{ci[ccode].abbr}"
                if not fcs:
                    add(f"{lcode}/{ccode}", base, where, inner)
                    continue
                if not isinstance(inner, dict):
                    self.bad("instrument-invalid", where, f"{where} must map functional "
                             "capacities to lists of questions.", inner)
                    continue
                for fcode, texts in inner.items():
                    if fcode not in fc:
                        unknown(f"{where}.{fcode}", "functional capacity", fcode)
                        continue
                    add(f"{lcode}/{ccode}/{fcode}", f"{base}-{fc[fcode].abbr}",
                        f"{where}.{fcode}", texts)
        if not out and not self.problems:
            self.bad("instrument-no-questions", "questions")
        return tuple(out)

    def read(self, data: Any, text: str, sha256: str) -> tuple[Instrument | None, list[Problem]]:
        if not isinstance(data, dict):
            self.bad("instrument-invalid", "", "The file must be a YAML mapping of the "
                     "instrument's fields.", type(data).__name__)
            return None, self.problems
        code = self.need(data, "code", str)
        if code is not None and not CODE.match(code):
            self.bad("instrument-invalid", "code", "code must be lower-case letters, digits, "
                     "- or _.", code)
        version = self.need(data, "version", (str, int, float))
        title = self.need(data, "title", str)
        lo, hi, allow_na, labels = self.scale(data)
        rating = data.get("rating") or {}
        mode = rating.get("mode", "mean") if isinstance(rating, dict) else None
        if mode not in MODES:
            self.bad("instrument-invalid", "rating.mode", "rating.mode must be mean or "
                     "consensus.", mode)
        bands = self.bands(data)
        levels = self.items(data, "levels")
        for i in levels:
            if i.code not in FRAMEWORK_LEVELS:
                self.bad("instrument-unknown-code", "levels", f"Level {i.code!r} is not a "
                         f"capacity level of the framework ({', '.join(FRAMEWORK_LEVELS)}).",
                         i.code)
        cores = self.items(data, "core_issues")
        fcs = self.items(data, "functional_capacities", allow_empty=True)
        sources = self.mapping(data, "sources")
        set_by = self.mapping(data, "desired_set_by")
        levers = self.mapping(data, "levers")
        horizons = self.mapping(data, "horizons")
        axis = data.get("labels") or {}
        questions = self.questions(data, levels, cores, fcs, lo, hi)
        if self.problems:
            return None, self.problems
        return Instrument(
            code=code, version=str(version), title=title, source=str(data.get("source", "")),
            scale_min=lo, scale_max=hi, allow_na=allow_na, scale_labels=labels, mode=mode,
            verification=bool(rating.get("verification", False)), sources=sources,
            desired_set_by=set_by, bands=bands, levers=levers, horizons=horizons,
            levels=levels, core_issues=cores, functional_capacities=fcs, questions=questions,
            axis_labels={"core_issue": "Core issue", "core_issues": "Core issues",
                         **({k: str(v) for k, v in axis.items()} if isinstance(axis, dict)
                            else {})},
            text=text, sha256=sha256, by_id={q.id: q for q in questions}), []


def cells_of(instrument: Instrument, selectors: Iterable[str]) -> tuple[list[str], list[str]]:
    """The cells named by the selectors (in cube order) and the selectors that name none."""
    chosen: set[str] = set()
    unknown = []
    for sel in selectors:
        found = instrument.expand(sel)
        if not found:
            unknown.append(sel)
        chosen.update(found)
    return [c for c in instrument.cells() if c in chosen], unknown
