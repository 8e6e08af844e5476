"""Survey instruments as data: Kirkpatrick levels, timings, answer scales, items and measures.

The packaged instrument is `data/surveys.yaml`; another file of the same shape can replace it
(`load_instrument(path)`). An answer is read against its item's scale by `read_answer`, which
says in words what is wrong with an answer that is off the scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tcmap import yamlfile
from tcmap.errors import ConfigError

SCALE_KINDS = ("points", "text", "choices")


@dataclass(frozen=True, slots=True)
class Scale:
    """How an item is answered: whole points min..max with labels, free text, or choices."""

    code: str
    kind: str
    min: int | None = None
    max: int | None = None
    labels: dict[int, str] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)
    multiple: bool = False
    missing: tuple[str, ...] = ()

    def describe(self) -> str:
        """The scale in words, for the template's guide and for problem hints."""
        if self.kind == "points":
            labels = ", ".join(f"{k} = {v}" for k, v in sorted(self.labels.items()))
            return f"a whole number from {self.min} to {self.max} ({labels})"
        if self.kind == "choices":
            many = "one or more of" if self.multiple else "one of"
            return f"{many}: {', '.join(self.choices)} (separated by semicolons)"
        return "free text"


@dataclass(frozen=True, slots=True)
class Item:
    """One question: its code (the Responses column), Kirkpatrick level, scale and timings."""

    code: str
    level: int
    scale: Scale
    timings: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Measure:
    """A share of respondents: those answering `positive` on `item` / those answering it."""

    code: str
    label: str
    item: str
    positive: tuple[int, ...]
    definition: str
    sentence: str = ""
    column: str = ""


@dataclass(frozen=True, slots=True)
class Instrument:
    """A survey instrument: levels, timings in order, items, measures and reporting thresholds."""

    code: str
    version: str
    title: str
    levels: dict[int, dict[str, str]]
    timings: dict[str, dict[str, Any]]
    items: dict[str, Item]
    measures: dict[str, Measure]
    response_rate: dict[str, Any]
    default_timing: str
    small_cell: int
    confidence: float

    @property
    def ref(self) -> str:
        """code/version, stored with each response so a figure names the instrument used."""
        return f"{self.code}/{self.version}"

    def timing_label(self, timing: str) -> str:
        return self.timings.get(timing, {}).get("label", timing)

    def timing_phrase(self, timing: str) -> str:
        """The timing as a sentence names it ('six months after the course')."""
        return self.timings.get(timing, {}).get("phrase", self.timing_label(timing))

    def items_at(self, timing: str) -> list[Item]:
        return [i for i in self.items.values() if timing in i.timings]

    def to_dict(self) -> dict[str, Any]:
        """The instrument as plain data (for --json and the API)."""
        return {
            "code": self.code, "version": self.version, "title": self.title,
            "levels": {str(k): v for k, v in self.levels.items()},
            "timings": self.timings,
            "items": [{"code": i.code, "level": i.level, "scale": i.scale.code,
                       "scale_text": i.scale.describe(), "timings": list(i.timings),
                       "text": i.text} for i in self.items.values()],
            "measures": {m.code: {"label": m.label, "item": m.item,
                                  "positive": list(m.positive), "definition": m.definition,
                                  "sentence": m.sentence, "column": m.column}
                         for m in self.measures.values()},
            "response_rate": self.response_rate, "default_timing": self.default_timing,
            "small_cell": self.small_cell, "confidence": self.confidence,
        }


def read_answer(item: Item, raw: str) -> tuple[int | None, str | None]:
    """The answer as (point, text); (None, None) for a 'no answer' value.

    Raises ValueError with a sentence saying what is wrong when the answer is off the scale.
    """
    scale = item.scale
    text = raw.strip()
    if not text or text.lower() in scale.missing:
        return None, None
    if scale.kind == "text":
        return None, text
    if scale.kind == "choices":
        picked = [c.strip().lower() for c in text.replace(",", ";").split(";") if c.strip()]
        unknown = [c for c in picked if c not in scale.choices]
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not a choice of {item.code}; "
                             f"the choices are {', '.join(scale.choices)}.")
        if len(picked) > 1 and not scale.multiple:
            raise ValueError(f"{item.code} takes one choice, not {len(picked)}.")
        return None, ";".join(dict.fromkeys(picked))
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number; {item.code} takes "
                         f"{scale.describe()}.") from None
    if not number.is_integer() or not scale.min <= number <= scale.max:
        raise ValueError(f"{text} is off the scale of {item.code}, which takes "
                         f"{scale.describe()}.")
    return int(number), None


def _scale(code: str, raw: dict[str, Any]) -> Scale:
    kind = raw.get("kind")
    if kind not in SCALE_KINDS:
        raise ConfigError(f"The scale {code!r} has kind {kind!r}.",
                          hint=f"Use one of: {', '.join(SCALE_KINDS)}.")
    missing = tuple(str(m).lower() for m in raw.get("missing", ()))
    if kind == "points":
        return Scale(code, kind, int(raw["min"]), int(raw["max"]),
                     {int(k): str(v) for k, v in raw.get("labels", {}).items()},
                     missing=missing)
    if kind == "choices":
        return Scale(code, kind, choices={str(k): str(v) for k, v in raw["choices"].items()},
                     multiple=bool(raw.get("multiple")), missing=missing)
    return Scale(code, kind, missing=missing)


def parse_instrument(data: dict[str, Any], origin: str = "surveys.yaml") -> Instrument:
    """An instrument from the YAML's data; ConfigError names what is inconsistent."""
    try:
        scales = {c: _scale(c, s) for c, s in data["scales"].items()}
        timings = {str(k): dict(v) for k, v in data["timings"].items()}
        levels = {int(k): dict(v) for k, v in data["levels"].items()}
        items: dict[str, Item] = {}
        for raw in data["items"]:
            bad = [t for t in raw["timings"] if str(t) not in timings]
            if raw["scale"] not in scales or bad or int(raw["level"]) not in levels:
                raise ConfigError(
                    f"The item {raw['code']!r} of {origin} names an unknown scale, level or "
                    f"timing ({raw['scale']}, {raw['level']}, {bad}).",
                    hint="Items must use scales, levels and timings defined in the same file.")
            items[raw["code"]] = Item(raw["code"], int(raw["level"]), scales[raw["scale"]],
                                      tuple(str(t) for t in raw["timings"]), raw["text"])
        measures = {}
        for code, raw in data["measures"].items():
            if raw["item"] not in items or items[raw["item"]].scale.kind != "points":
                raise ConfigError(f"The measure {code!r} of {origin} needs an item on a "
                                  f"points scale, not {raw['item']!r}.",
                                  hint="Name an item of the file whose scale is of kind points.")
            measures[code] = Measure(code, raw["label"], raw["item"],
                                     tuple(int(p) for p in raw["positive"]), raw["definition"],
                                     raw.get("sentence", f"answered {raw['item']} positively"),
                                     raw.get("column", raw["label"]))
        default = str(data["default_timing"])
        if default not in timings:
            raise ConfigError(f"default_timing {default!r} of {origin} is not a timing.",
                              hint=f"Use one of: {', '.join(timings)}.")
        return Instrument(
            code=str(data["code"]), version=str(data["version"]), title=str(data["title"]),
            levels=levels, timings=timings, items=items, measures=measures,
            response_rate=dict(data["response_rate"]), default_timing=default,
            small_cell=int(data["small_cell"]), confidence=float(data["confidence"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"The survey instrument {origin} is incomplete or malformed ({exc}).",
                          hint="Compare it with the packaged tcmap/training/data/surveys.yaml."
                          ) from None


@cache
def _packaged() -> Instrument:
    text = resources.files("tcmap.training").joinpath("data", "surveys.yaml").read_text(
        encoding="utf-8")
    return parse_instrument(yamlfile.load(text))


def load_instrument(path: str | Path | None = None) -> Instrument:
    """The packaged instrument, or the one in a YAML file of the same shape."""
    if path is None:
        return _packaged()
    path = Path(path)
    try:
        data = yamlfile.load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read the survey instrument {path}: {exc}",
                          hint="Give the path of a YAML file shaped like the packaged "
                          "surveys.yaml.") from None
    return parse_instrument(data or {}, path.name)
