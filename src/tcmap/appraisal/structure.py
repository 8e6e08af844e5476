"""The results framework found in a document's text: outcomes, outputs and indicators.

Labels start a passage ("Outcome 2:", "Output 1.2:", "Indicator:"; English, French, Spanish,
from `data/structure.yaml`). An output owns the passages after it up to the next label or
heading; there it may state its capacity level ("Capacity level: organizational"), the
constituent group it serves ("Constituent: employers' organization") and the output it is
paired with. Where a level is not stated, the classifier's capacity level for the output's
statement is used (marked `level_source: classifier`). Constituent groups come from statements
and from precise cue phrases (the ministry, employers' or workers' organizations, and acronyms
the document defines for them, e.g. "Kelandia Employers' Federation (KEF)"), never from the
classifier's broader target-group terms, which read "national" as government.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tcmap import yamlfile
from tcmap.appraisal.extract import Block, Extracted, is_heading
from tcmap.classify.lexicon import Hit, Lexicon, fold, load_lexicon

CONSTITUENTS = ("government", "employers_org", "workers_org")
LEVELS = ("individual", "organizational", "enabling_environment")
_CUE_GROUP = {"constituent_government": "government", "constituent_employers": "employers_org",
              "constituent_workers": "workers_org"}
_LEVEL_FLOOR = 0.4  # the classifier's level is used only when it is at least this sure
_BLOCK = 8  # an output's statements are looked for at most this many passages after it
# "Kelandia Employers' Federation (KEF)": capitalised words, then an acronym in brackets.
_ACRONYM = re.compile(r"((?:[A-Z][\w'’&.-]*\s+(?:(?:of|and|for|the|de|des|du|la|y|del)\s+)*)"
                      r"{1,8})\(([A-Z][A-Z&]{1,9})\)")


def _data_dir() -> Path:
    return Path(str(resources.files("tcmap.appraisal").joinpath("data")))


@lru_cache(maxsize=1)
def cue_lexicon() -> Lexicon:
    """The pre-screen's cue phrases (data/terms/cues.yaml)."""
    return load_lexicon(_data_dir() / "terms")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:
    data = yamlfile.load((_data_dir() / "structure.yaml").read_text(encoding="utf-8"))

    def alts(words):
        return "|".join(re.escape(fold(w)) for w in sorted(words, key=len, reverse=True))

    code = r"(?P<code>[0-9]+(?:\.[0-9]+)*[a-z]?)"
    labels = {k: re.compile(rf"^\W{{0,3}}(?:{alts(v)})s?\s*(?:{code}\s*[:.)|\u2013\u2014-]\s*"
                            rf"|[:|\u2013\u2014-]\s*)(?P<rest>.*)$", re.S)
              for k, v in data["labels"].items()}
    fields = {k: re.compile(rf"(?<!\w)(?:{alts(v)})\s*[:=(]\s*(?P<value>(?:[^.;|]|\.(?=\d))*)")
              for k, v in data["fields"].items() if k != "paired"}
    fields["paired"] = re.compile(rf"(?<!\w)(?:{alts(data['fields']['paired'])})\s*"
                                  r"(?P<value>(?:[^.;|]|\.(?=\d))*)")
    words = {group: {k: re.compile(rf"(?<!\w)(?:{alts(v)})(?!\w)") for k, v in
                     data[group].items()} for group in ("levels", "constituents")}
    missing = tuple(fold(v) for v in data["not_a_value"])
    return {"labels": labels, "fields": fields, "missing": missing, **words}


@dataclass
class Passage:
    """Where a piece of evidence is: page (or section), paragraph number, and its text."""

    page: int
    para: int
    text: str

    def evidence(self, cue: str | None = None, hit: Hit | None = None,
                 unit: str = "page") -> dict[str, Any]:
        text = self.text if len(self.text) <= 320 else _window(self.text, hit)
        where = f"{'p.' if unit == 'page' else 'section'} {self.page}, ¶ {self.para}"
        return {"page": self.page, "para": self.para, "where": where, "text": text,
                **({"cue": cue} if cue else {}),
                **({"match": self.text[hit.start:hit.end]} if hit else {})}


def _window(text: str, hit: Hit | None) -> str:
    start = max(0, (hit.start if hit else 0) - 140)
    end = min(len(text), start + 320)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


@dataclass
class Indicator:
    text: str
    page: int
    para: int
    owner: str  # outcome or output
    owner_code: str | None
    baseline: str | None
    target: str | None
    verification: bool
    training_count: bool  # "number of people trained", "workshops held": counts, not capacity

    @property
    def complete(self) -> bool:
        return self.baseline is not None and self.target is not None


@dataclass
class Output:
    code: str | None
    statement: str
    page: int
    para: int
    outcome: str | None
    levels: list[str] = field(default_factory=list)
    level_source: str | None = None  # stated or classifier
    constituents: list[str] = field(default_factory=list)
    constituent_source: str | None = None  # stated or cues
    paired_with: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def is_capacity(self) -> bool:
        """A capacity output: it names a constituent group and a capacity level."""
        return bool(self.levels and self.constituents)


@dataclass
class Outcome:
    code: str | None
    statement: str
    page: int
    para: int
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Structure:
    """What the pre-screen knows of a document: passages and its results framework."""

    passages: list[Passage]
    page_unit: str
    language: str
    outcomes: list[Outcome] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    acronyms: dict[str, str] = field(default_factory=dict)  # acronym → constituent group
    hits: list[list[Hit]] = field(default_factory=list)  # cue hits per passage

    @property
    def indicators(self) -> list[Indicator]:
        return [i for o in self.outcomes for i in o.indicators] + [
            i for o in self.outputs for i in o.indicators]

    def constituents_named(self) -> dict[str, Passage]:
        """Each constituent group the document names, with the first passage naming it."""
        found: dict[str, Passage] = {}
        for p, hits in zip(self.passages, self.hits, strict=True):
            for group in _groups(p.text, hits, self.acronyms):
                found.setdefault(group, p)
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"page_unit": self.page_unit, "language": self.language,
                "outcomes": [asdict(o) for o in self.outcomes],
                "outputs": [{**asdict(o), "is_capacity": o.is_capacity} for o in self.outputs],
                "acronyms": self.acronyms}


def _groups(text: str, hits: list[Hit], acronyms: dict[str, str]) -> list[str]:
    groups = [_CUE_GROUP[h.code] for h in hits if h.code in _CUE_GROUP]
    groups += [g for acr, g in acronyms.items() if re.search(rf"\b{re.escape(acr)}\b", text)]
    return [g for g in CONSTITUENTS if g in groups]


def _value(pattern: re.Pattern, folded: str, original: str, missing: tuple[str, ...]):
    m = pattern.search(folded)
    if not m:
        return None
    value = original[m.start("value"):m.end("value")].strip(" ,")
    low = fold(value).strip()
    if not low or any(low == w or low.startswith(w + " ") for w in missing):
        return None
    return value


def _indicator(p: Passage, rest: str, owner: str, code: str | None, pat) -> Indicator:
    folded = fold(p.text)
    return Indicator(
        text=p.text, page=p.page, para=p.para, owner=owner, owner_code=code,
        baseline=_value(pat["fields"]["baseline"], folded, p.text, pat["missing"]),
        target=_value(pat["fields"]["target"], folded, p.text, pat["missing"]),
        verification=bool(pat["fields"]["verification"].search(folded)),
        training_count=_is_training_count(fold(rest).strip()))


# "Number of young people trained", "workshops held"; or people named, then "trained".
_COUNT = re.compile(r"\b(number|no\.|nombre|numero|cantidad)\s+(of|de|d')\s*(\S+\s+){0,4}?"
                    r"(trained|trainees|participants|workshops|trainings|courses|sessions|"
                    r"reached|formes|formees|ateliers|capacitad[oa]s|talleres)\b"
                    r"|^\W*(\S+\s+){0,3}(trained|formes|formees|capacitad[oa]s)\b")


def _is_training_count(folded_rest: str) -> bool:
    """An indicator that counts people trained or events held, and nothing they then did."""
    if not _COUNT.search(folded_rest):
        return False
    # "trained safety representatives who have carried out a risk assessment" measures use.
    return not re.search(r"\b(who|that|which|qui|que)\b.*\b(have|has|apply|applied|use|used|"
                         r"carried|ont|han)\b", folded_rest)


def build_structure(doc: Extracted, classifier=None) -> Structure:
    """Passages, cue hits, outcomes, outputs (with levels and constituents) and indicators."""
    pat = _patterns()
    passages = [Passage(b.page, b.para, b.text) for b in doc.blocks]
    language = _language(doc)
    lex = cue_lexicon()
    st = Structure(passages, doc.page_unit, language)
    st.hits = [lex.match(p.text, language) for p in passages]
    st.acronyms = _acronyms(passages, language)
    outcome: Outcome | None = None
    output: Output | None = None
    since = 0
    for p, block in zip(passages, doc.blocks, strict=True):
        folded = fold(p.text)
        kind, m = _label(folded, pat)
        since += 1
        if kind is None and (block.kind == "heading" or is_heading(p.text)):
            output = outcome = None
            continue
        if kind == "outcome":
            outcome = Outcome(m["code"], p.text[m.start("rest"):].strip(), p.page, p.para)
            st.outcomes.append(outcome)
            output = None
        elif kind == "output":
            output = Output(m["code"], p.text[m.start("rest"):].strip(), p.page, p.para,
                            outcome.code if outcome else None)
            st.outputs.append(output)
            since = 0
        elif kind == "indicator":
            rest = p.text[m.start("rest"):]
            if output is not None and since <= _BLOCK:
                output.indicators.append(_indicator(p, rest, "output", output.code, pat))
            elif outcome is not None:
                outcome.indicators.append(_indicator(p, rest, "outcome", outcome.code, pat))
        if output is not None and since <= _BLOCK:
            _statements(output, folded, pat)
        if output is None and outcome is not None and kind is None and outcome.indicators:
            _fields_continue(outcome.indicators[-1], p, folded, pat)
        elif output is not None and kind is None and output.indicators:
            _fields_continue(output.indicators[-1], p, folded, pat)
    for o in st.outputs:
        _complete(o, st, classifier)
    return st


def _fields_continue(ind: Indicator, p: Passage, folded: str, pat) -> None:
    """A baseline or target written in the passage after its indicator."""
    if ind.baseline is None:
        ind.baseline = _value(pat["fields"]["baseline"], folded, p.text, pat["missing"])
    if ind.target is None:
        ind.target = _value(pat["fields"]["target"], folded, p.text, pat["missing"])
    ind.verification = ind.verification or bool(pat["fields"]["verification"].search(folded))


def _label(folded: str, pat) -> tuple[str | None, re.Match | None]:
    for kind in ("indicator", "output", "outcome"):
        m = pat["labels"][kind].match(folded)
        if m and m["rest"].strip():
            return kind, m
    return None, None


def _statements(o: Output, folded: str, pat) -> None:
    """Level, constituent and pairing statements in the output's passages."""
    level = pat["fields"]["level"].search(folded)
    if level:
        named = [k for k, rx in pat["levels"].items() if rx.search(level["value"])]
        if named:
            o.levels = [lv for lv in LEVELS if lv in set(o.levels) | set(named)]
            o.level_source = "stated"
    who = pat["fields"]["constituent"].search(folded)
    if who:
        named = [k for k, rx in pat["constituents"].items() if rx.search(who["value"])]
        if named:
            o.constituents = [g for g in CONSTITUENTS if g in set(o.constituents) | set(named)]
            o.constituent_source = "stated"
    paired = pat["fields"]["paired"].search(folded)
    if paired:
        o.paired_with += re.findall(r"[0-9]+(?:\.[0-9]+)*", paired["value"])


def _complete(o: Output, st: Structure, classifier) -> None:
    """Constituents from cues and levels from the classifier where nothing was stated."""
    if not o.constituents:
        hits = cue_lexicon().match(o.statement, st.language)
        o.constituents = _groups(o.statement, hits, st.acronyms)
        o.constituent_source = "cues" if o.constituents else None
    if classifier is None:
        return
    from tcmap.classify.document import Document, Segment

    labels = classifier.classify(Document(o.code or "output",
                                          [Segment("title", st.language, o.statement)]))
    o.modalities = [a.code for a in labels.sets.get("modalities", [])]
    if not o.levels and labels.capacity_development.code == "true":
        best = [a for a in labels.sets.get("capacity_levels", []) if a.confidence >= _LEVEL_FLOOR]
        if best:
            o.levels, o.level_source = [best[0].code], "classifier"


def _acronyms(passages: list[Passage], language: str) -> dict[str, str]:
    """Acronyms the document defines for constituent organizations."""
    out: dict[str, str] = {}
    lex = cue_lexicon()
    for p in passages:
        for m in _ACRONYM.finditer(p.text):
            groups = _groups(m.group(1), lex.match(m.group(1), language), {})
            if len(groups) == 1:
                out.setdefault(m.group(2), groups[0])
    return out


def _language(doc: Extracted) -> str:
    from tcmap.classify.document import detect_language

    lang = detect_language(doc.text[:3000], None)
    return lang if lang in ("en", "fr", "es") else "en"


__all__ = ["Block", "CONSTITUENTS", "LEVELS", "Indicator", "Outcome", "Output", "Passage",
           "Structure", "build_structure", "cue_lexicon"]
