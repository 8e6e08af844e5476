"""Cue phrases per code and language, matched with evidence spans (offsets into the text).

Term files live beside the framework (`terms/<dimension>.yaml`):

    dimension: modalities
    terms:
      training:
        any: [TVET]                     # every language
        en: [training, train*, workshop*]
        fr: [formation*, atelier*]
        es: [capacitación, taller*]
        not: [training centre*]         # a match overlapping one of these does not count
        broad:                          # cues that often go with the code but do not name it
          en: [course, courses]

Matching ignores case and accents; a phrase matches whole words, and a trailing `*` lets
the last word run on ("train*" matches "trained", "trainers"). Letters are folded one to one,
so offsets found in the folded text are offsets in the original. A `broad` hit is marked as
such: the model weighs phrases that name a code and phrases that merely go with it apart.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

import ahocorasick

from tcmap import yamlfile
from tcmap.errors import ConfigError

_APOSTROPHES = {ord(c): "'" for c in "’‘`´ʼ"}
# Line breaks, tabs and no-break spaces read as spaces, so phrases match across them.
_SPACES = {ord(c): " " for c in "\n\r\t\u00a0\u2009\u202f"}
LANGS = ("en", "fr", "es")


class _FoldTable(dict):
    """str.translate table that folds each character once and remembers it."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        base = unicodedata.normalize("NFKD", c)[:1] or c
        lower = base.lower()
        folded = lower if len(lower) == 1 else c
        folded = _SAME.get(ord(folded), folded)  # a letter that folds to ` reads as '
        self[code] = folded
        return folded


_SAME = {**_APOSTROPHES, **_SPACES}
_FOLD = _FoldTable(_SAME)
_ASCII_FOLD = (("\n", " "), ("\r", " "), ("\t", " "), ("`", "'"))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(m: re.Match) -> str:
    return _FOLD[ord(m.group())]


def fold(text: str) -> str:
    """Lower-case, accents off, apostrophes and spaces unified: one character for one.

    The same as `text.translate(_FOLD)`, faster: only the non-ASCII characters are looked up
    one by one; the rest is lower-cased in C (checked over every code point in the tests).
    """
    if not text.isascii():
        folded = _NON_ASCII.sub(_fold_match, text).lower()
        if len(folded) != len(text):  # a folded letter that lower-cases into two
            return text.translate(_FOLD)
        text = folded
    else:
        text = text.lower()
    for c, to in _ASCII_FOLD:
        if c in text:
            text = text.replace(c, to)
    return text


class Memo(dict):
    """Results kept for texts seen before (portfolios repeat much of their text: indicator
    and result titles, boilerplate descriptions), up to `size` of them, then started afresh."""

    def __init__(self, size: int = 4096) -> None:
        super().__init__()
        self.size = size

    def keep(self, key, value):
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


class Hit(NamedTuple):
    """One match: the code it supports, where it is in the text, and the phrase that matched.

    A named tuple: a portfolio makes tens of hits per activity, and a tuple is built in a
    third of the time of a frozen dataclass."""

    dimension: str
    code: str
    start: int
    end: int
    term: str
    broad: bool = False  # a broad cue: often goes with the code, but does not name it
    key: tuple[str, str] = ()  # (dimension, code), shared by the hits of one phrase


class Lexicon:
    """All term lists of a framework, compiled into one automaton per language."""

    def __init__(self, entries: list[tuple],
                 implied: dict[str, dict[str, tuple[str, ...]]] | None = None) -> None:
        # entries: (lang, dimension, code, folded phrase, is_negative[, is_broad])
        # implied: dimension → code → the modalities whose use implies the code
        self.implied = implied or {}
        self._automata: dict[str, ahocorasick.Automaton] = {}
        keys: dict[tuple[str, str], tuple[str, str]] = {}
        for lang in (*LANGS, "other"):
            auto = ahocorasick.Automaton()
            found: dict[str, list] = {}
            for e_lang, dim, code, phrase, negative, *rest in entries:
                if e_lang in ("any", "not", lang) or (lang == "other" and e_lang == "en"):
                    broad = bool(rest and rest[0])
                    found.setdefault(phrase.rstrip("*"), []).append(
                        (dim, code, phrase.endswith("*"), negative, phrase, broad,
                         keys.setdefault((dim, code), (dim, code))))
            for key, values in found.items():
                auto.add_word(key, (len(key), values))
            auto.make_automaton()
            self._automata[lang] = auto
        self.size = len(entries)
        self._seen = Memo()

    def match(self, text: str, lang: str | None, folded: str | None = None) -> list[Hit]:
        """Hits of positive phrases in the text, in the language's lists and the common ones
        (`folded`: the text already folded, when the caller has it). The list may be shared
        with earlier calls on the same text: read it, do not change it."""
        key = lang if lang in self._automata else "other" if lang else "en"
        auto = self._automata[key]
        if auto.kind != ahocorasick.AHOCORASICK:  # no phrases at all
            return []
        if folded is None:
            folded = fold(text)
        found = self._seen.get((key, folded))
        if found is None:
            found = self._seen.keep((key, folded), self._match(auto, folded))
        return found

    @staticmethod
    def _match(auto: ahocorasick.Automaton, folded: str) -> list[Hit]:
        n = len(folded)
        hits, blocked = [], []
        for end, (length, values) in auto.iter(folded):
            start = end - length + 1
            if start > 0 and folded[start - 1].isalnum():
                continue
            stop = end + 1
            for dim, code, prefix, negative, phrase, broad, key in values:
                last = stop
                if prefix:
                    while last < n and folded[last].isalnum():
                        last += 1
                elif stop < n and folded[stop].isalnum():
                    continue
                if negative:
                    blocked.append((dim, start, last))
                else:
                    hits.append(Hit(dim, code, start, last, phrase, broad, key))
        if blocked:  # a `not` phrase cancels overlapping hits of its own dimension only
            hits = [h for h in hits if not any(
                d == h.dimension and s < h.end and h.start < e for d, s, e in blocked)]
        return hits


def load_lexicon(directory: Path) -> Lexicon:
    """The lexicon of every `*.yaml` term file in the folder (an empty one if there is none).

    A term file may also say which modalities imply each of its codes (`implied_by`), so
    that what the text says about *how* capacity is developed carries over to *where* and
    *whose*.
    """
    entries: list[tuple] = []
    implied: dict[str, dict[str, tuple[str, ...]]] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.exists() else []:
        data = yamlfile.load(path.read_text(encoding="utf-8")) or {}
        dim = data.get("dimension")
        if not dim or not isinstance(data.get("terms"), dict):
            raise ConfigError(f"{path}: a term file needs 'dimension' and 'terms'.",
                              hint="See the format in tcmap/classify/lexicon.py.")
        for code, by_lang in data["terms"].items():
            by_lang = dict(by_lang or {})
            broad = by_lang.pop("broad", None) or {}
            for is_broad, lists in ((False, by_lang), (True, broad)):
                for lang, phrases in lists.items():
                    allowed = (*LANGS, "any") if is_broad else (*LANGS, "any", "not", "broad")
                    if lang not in allowed:
                        raise ConfigError(
                            f"{path}: {code} has a list for unknown language {lang!r}"
                            + (" under broad." if is_broad else "."),
                            hint=f"Use one of {', '.join(allowed)}.")
                    for phrase in phrases or []:
                        folded = fold(str(phrase).strip())
                        if folded:
                            entries.append((lang, dim, str(code), folded, lang == "not",
                                            is_broad))
        if data.get("implied_by"):
            implied[dim] = {str(code): tuple(mods or ()) for code, mods
                            in data["implied_by"].items()}
    return Lexicon(entries, implied)
