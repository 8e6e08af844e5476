"""A bag-of-words text scorer trained on weak labels (DAC sector codes), shipped as JSON.

Tens of thousands of real activities carry sector codes that say, roughly, whether they are
about the world of work and which outcome (employment, skills, enterprises, social
protection...). A linear model over words and word pairs, trained on those weak labels, reads
the vocabulary of a domain far better than 200 hand-labelled activities can; its scores are
features of the main model, never decisions on their own.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tcmap.classify.lexicon import fold

_WORD = re.compile(r"[^\W\d_]{2,}")


def tokens(text: str) -> list[str]:
    """Folded words of two letters or more, and adjacent word pairs."""
    words = _WORD.findall(fold(text))
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def vector(text: str) -> dict[str, float]:
    """The text as the models read it: sublinear term counts over the norm of all its terms.

    Training uses the same vector, so a trained output scores new text exactly as it was fit.
    """
    counts: dict[str, int] = {}
    for t in tokens(text):
        counts[t] = counts.get(t, 0) + 1
    values = {t: 1.0 + math.log(c) if c > 1 else 1.0 for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    return {t: v / norm for t, v in values.items()}


@dataclass(frozen=True)
class TextModel:
    """Per output: sublinear term weights and a bias; scores are logits."""

    version: str
    outputs: dict[str, tuple[dict[str, float], float]]

    @property
    def _index(self) -> tuple[list[str], dict[str, list[tuple[int, float]]]]:
        """Term → [(output, weight)], so a text is read once for every output."""
        cached = self.__dict__.get("_cached_index")
        if cached is None:
            names = list(self.outputs)
            index: dict[str, list[tuple[int, float]]] = {}
            for i, name in enumerate(names):
                for term, w in self.outputs[name][0].items():
                    index.setdefault(term, []).append((i, w))
            cached = (names, index)
            object.__setattr__(self, "_cached_index", cached)
        return cached

    def logits(self, text: str) -> dict[str, float]:
        names, index = self._index
        counts: dict[str, int] = {}
        for t in tokens(text):
            counts[t] = counts.get(t, 0) + 1
        acc = [0.0] * len(names)
        sq = 0.0
        for t, c in counts.items():
            v = 1.0 + math.log(c) if c > 1 else 1.0
            sq += v * v
            for i, w in index.get(t, ()):
                acc[i] += w * v
        norm = math.sqrt(sq) or 1.0
        return {name: self.outputs[name][1] + acc[i] / norm for i, name in enumerate(names)}

    def with_outputs(self, outputs: dict[str, tuple[dict[str, float], float]],
                     version: str) -> TextModel:
        """This model with more outputs, read in the same pass over a text."""
        return TextModel(f"{self.version}+{version}", {**self.outputs, **outputs})

    def to_dict(self) -> dict:
        return {"version": self.version,
                "outputs": {k: {"bias": round(b, 6),
                                "weights": {t: round(w, 5) for t, w in ws.items()}}
                            for k, (ws, b) in self.outputs.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> TextModel:
        return cls(d["version"], {k: (v["weights"], v["bias"]) for k, v in d["outputs"].items()})


@lru_cache(maxsize=4)
def load_text_model(path: str) -> TextModel | None:
    p = Path(path)
    if not p.exists():
        return None
    return TextModel.from_dict(json.loads(p.read_text(encoding="utf-8")))
