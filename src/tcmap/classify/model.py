"""The trained weights: small logistic models stored as JSON beside the code.

A model file holds, per output, the feature names, weights, bias and decision threshold, the
per-code priors, the words-and-pairs text model of the capacity levels, and how it was trained
and measured. `scripts/train_classifier.py` writes it;
inference needs nothing but this file and the standard library.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import repeat
from operator import mul
from pathlib import Path
from typing import Any

from tcmap.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Linear:
    """A logistic model over named features, with its decision threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float = 0.5
    relative: float = 0.0  # for sets: a code's probability must reach this share of the best
    gate: float = 0.0  # for sets: the boolean that allows any code must be at least this likely
    # for sets: per code, how likely it must be to stay when no chosen modality implies it
    keep: dict[str, float] = field(default_factory=dict)

    def probability(self, features: dict[str, float]) -> float:
        # sum of weight × value over the features, unknown ones weighing 0 (looped in C)
        z = self.bias + sum(map(mul, map(self.weights.get, features, repeat(0.0)),
                                features.values()))
        z = 30.0 if z > 30.0 else -30.0 if z < -30.0 else z  # held within ±30
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Linear:
        return cls(dict(d["weights"]), float(d["bias"]), float(d.get("threshold", 0.5)),
                   float(d.get("relative", 0.0)), float(d.get("gate", 0.0)),
                   {k: float(v) for k, v in d.get("keep", {}).items()})

    def to_dict(self) -> dict[str, Any]:
        return {"weights": {k: round(v, 6) for k, v in self.weights.items()},
                "bias": round(self.bias, 6), "threshold": round(self.threshold, 4),
                "relative": round(self.relative, 4), "gate": round(self.gate, 4),
                **({"keep": {k: round(v, 4) for k, v in self.keep.items()}} if self.keep else {})}


@dataclass(frozen=True)
class Model:
    """All outputs of a trained classifier for one framework."""

    version: str
    framework: str
    binary: dict[str, Linear]  # world_of_work, capacity_development
    pairs: dict[str, Linear]  # one per set dimension
    priors: dict[str, dict[str, float]]
    info: dict[str, Any]
    # Text outputs trained on the labelled data (`level:<code>`: term weights and bias), read
    # in the same pass as the weak-label text model.
    text: dict[str, tuple[dict[str, float], float]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Model:
        return cls(
            version=d["version"], framework=d["framework"],
            binary={k: Linear.from_dict(v) for k, v in d["binary"].items()},
            pairs={k: Linear.from_dict(v) for k, v in d["pairs"].items()},
            priors=d.get("priors", {}), info=d.get("info", {}),
            text={k: (dict(v["weights"]), float(v["bias"]))
                  for k, v in d.get("text", {}).items()},
        )

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "framework": self.framework,
                "binary": {k: v.to_dict() for k, v in self.binary.items()},
                "pairs": {k: v.to_dict() for k, v in self.pairs.items()},
                "priors": self.priors, "info": self.info,
                "text": {k: {"bias": round(b, 6),
                             "weights": {t: round(w, 5) for t, w in ws.items()}}
                         for k, (ws, b) in self.text.items()}}


def packaged_model_path(framework: str) -> Path:
    return Path(str(resources.files("tcmap.classify").joinpath("models", f"{framework}.json")))


@lru_cache(maxsize=8)
def load_model(path: str | Path) -> Model | None:
    """The model in the file, or None when there is none (the classifier then uses rules)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        return Model.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"{path} is not a tcmap model file: {exc}",
                          hint="Retrain it with scripts/train_classifier.py.") from None
