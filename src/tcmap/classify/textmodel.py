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
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tcmap.classify.lexicon import Memo, fold

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
    def _index(self) -> tuple[list[str], dict, dict, np.ndarray]:
        """Words and word pairs → a row of weights (one column per output), so a text is
        read once for every output and only its weighted terms are looked at."""
        cached = self.__dict__.get("_cached_index")
        if cached is None:
            names = list(self.outputs)
            rows: dict[str, int] = {}
            for ws, _ in self.outputs.values():
                for term in ws:
                    rows.setdefault(term, len(rows))
            matrix = np.zeros((len(rows) + 1, len(names)))  # the last row: no term
            for j, name in enumerate(names):
                for term, w in self.outputs[name][0].items():
                    matrix[rows[term], j] = w
            words = {t: i for t, i in rows.items() if " " not in t}
            pairs = {tuple(t.split(" ")): i for t, i in rows.items() if " " in t}
            cached = (names, words, pairs, matrix)
            object.__setattr__(self, "_cached_index", cached)
        return cached

    def logits(self, text: str, folded: bool = False) -> dict[str, float]:
        """Each output's logit for the text (`folded`: already folded): the same sum as over
        `vector(text)`, counted in C (Counter) and multiplied only over the weighted terms."""
        names, words_index, pairs_index, matrix = self._index
        text = text if folded else fold(text)
        seen = self.__dict__.get("_seen")
        if seen is None:
            seen = Memo()
            object.__setattr__(self, "_seen", seen)
        found = seen.get(text)
        if found is None:
            found = seen.keep(text, self._logits(text))
        return found

    def _logits(self, text: str) -> dict[str, float]:
        names, words_index, pairs_index, matrix = self._index
        words = _WORD.findall(text)
        word_counts = Counter(words)
        pair_counts = Counter(zip(words, words[1:], strict=False))
        # The norm over every term: most occur once, so count how many terms occur how often.
        often = Counter(word_counts.values())
        often.update(pair_counts.values())
        norm = math.sqrt(sum(n * (1.0 + math.log(c)) ** 2 if c > 1 else n
                             for c, n in often.items())) or 1.0
        biases = [self.outputs[name][1] for name in names]
        weighted_words = word_counts.keys() & words_index.keys()
        weighted_pairs = pair_counts.keys() & pairs_index.keys()
        if not weighted_words and not weighted_pairs:
            return dict(zip(names, biases, strict=True))
        found = sorted([(words_index[t], word_counts[t]) for t in weighted_words] + [
            (pairs_index[t], pair_counts[t]) for t in weighted_pairs])  # one order of summing,
        rows = [r for r, _ in found]  # whatever the hash seed
        acc = np.dot([1.0 + math.log(c) if c > 1 else 1.0 for _, c in found],
                     matrix[rows]) / norm
        return {name: b + float(a) for name, b, a in zip(names, biases, acc, strict=True)}

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
