"""Classify one Document on every dimension of the framework, with evidence for each decision.

Three modes: `default` (language detected per narrative, trained model), `fast` (declared
languages trusted, same model) and `keywords` (the plain keyword baseline: a code is assigned
when one of its phrases occurs). Classification is a pure function of the document and the
model, so it can run in any number of processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import mul
from pathlib import Path
from typing import Any

from tcmap import yamlfile
from tcmap.classify.document import Document, Segment
from tcmap.classify.features import (
    NON_CAPACITY_MODALITIES,
    SET_DIMENSIONS,
    STACK,
    STACK_FOUND,
    Evidence,
    capdev_features,
    doc_features,
    first_logit,
    gather,
    model_text,
    pair_names,
    pair_values,
    snippets,
)
from tcmap.classify.lexicon import Lexicon, Memo, load_lexicon
from tcmap.classify.model import Linear, Model, load_model, packaged_model_path
from tcmap.classify.textmodel import TextModel, load_text_model
from tcmap.taxonomy import Framework, load_framework

MAX_OUTCOMES = 3
BOOLEANS = ("world_of_work", "capacity_development")
MODES = ("default", "fast", "keywords")
# Fast mode reads the first characters of each narrative only: the opening of a description
# says most of what matters, and the long ones cost the most; its text models read the first
# words of the title and descriptions (see docs/classifier.md for what each costs in quality).
FAST_LIMIT = 1000
FAST_TEXT_LIMIT = 300


@dataclass(slots=True)
class Assignment:
    """A code given to an activity, how sure, why, and by what."""

    dimension: str
    code: str
    confidence: float
    evidence: list[dict[str, Any]]
    origin: str  # rule or model
    rank: int | None = None


@dataclass
class Labels:
    """The classification of one activity on every dimension."""

    identifier: str
    world_of_work: Assignment
    capacity_development: Assignment
    sets: dict[str, list[Assignment]] = field(default_factory=dict)
    model_version: str = ""

    @property
    def primary_outcome(self) -> str | None:
        outcomes = self.sets.get("outcomes") or []
        return outcomes[0].code if outcomes else None

    def assignments(self) -> list[Assignment]:
        """Every assignment, the booleans as codes 'true' or 'false'."""
        return [self.world_of_work, self.capacity_development,
                *(a for dim in SET_DIMENSIONS for a in self.sets.get(dim, []))]

    def to_labelling(self) -> dict[str, Any]:
        """The object of spec/LABELLING.md: codes, booleans and one to three evidence phrases."""
        out: dict[str, Any] = {
            "id": self.identifier,
            "world_of_work": self.world_of_work.code == "true",
            "outcomes": [a.code for a in self.sets.get("outcomes", [])],
            "primary_outcome": self.primary_outcome,
            "capacity_development": self.capacity_development.code == "true",
        }
        for dim in ("modalities", "capacity_levels", "target_groups"):
            out[dim] = [a.code for a in self.sets.get(dim, [])]
        phrases: list[str] = []
        for a in self.assignments():
            for e in a.evidence:
                text = e.get("context") or e.get("text")
                if e.get("kind") == "text" and text and text not in phrases:
                    phrases.append(text)
        out["evidence"] = phrases[:3]
        return out


@dataclass
class Scores:
    """The model's probabilities for one activity, before any decision: document-level scores
    (the booleans' probabilities, the level text scores) and (p, code) per set, best first."""

    doc: dict[str, float]
    sets: dict[str, list[tuple[float, str]]] = field(default_factory=dict)


# Outcomes need world of work; capacity levels and target groups need capacity development.
GATES = {"outcomes": "world_of_work", "capacity_levels": "capacity_development",
         "target_groups": "capacity_development"}


def choose(dim: str, scored: list[tuple[float, str]], rule: Linear,
           probabilities: dict[str, float], flags: dict[str, bool],
           implied: dict[str, tuple[str, ...]] | None = None,
           modalities: frozenset[str] = frozenset()) -> list[tuple[float, str]]:
    """The (probability, code) pairs a set dimension's decision rule keeps, best first.

    A code passes the threshold and comes near the best code (`relative` of its
    probability). A gated dimension names nothing unless its boolean is true and at least
    `gate` likely, and then names at least its best code (at most three outcomes). A code
    with a `keep` probability that none of the chosen `modalities` implies (`implied`: code
    → the modalities that imply it) stays only when at least that likely, or when it is the
    only code left.
    """
    floor = max(rule.threshold, rule.relative * (scored[0][0] if scored else 0.0))
    chosen = [(p, c) for p, c in scored if p >= floor]
    gate = GATES.get(dim)
    if gate is None:
        return chosen
    if not flags[gate] or probabilities[gate] < rule.gate:
        return []
    if dim == "outcomes":
        chosen = chosen[:MAX_OUTCOMES]
    chosen = chosen or scored[:1]
    if rule.keep:
        implied = implied or {}
        chosen = [(p, c) for p, c in chosen if p >= rule.keep.get(c, 0.0)
                  or not modalities.isdisjoint(implied.get(c, ()))] or chosen[:1]
    return chosen


@lru_cache(maxsize=4)
def _sector_table(directory: str) -> dict[str, dict]:
    path = Path(directory) / "sectors.yaml"
    if not path.exists():
        return {}
    return {str(k): v or {} for k, v in
            (yamlfile.load(path.read_text(encoding="utf-8")) or {}).get("sectors", {}).items()}


@lru_cache(maxsize=4)
def _lexicon(directory: str) -> Lexicon:
    return load_lexicon(Path(directory) / "terms")


class Classifier:
    """A framework, its term lists and sector table, and (when trained) its model."""

    def __init__(self, framework: Framework, model: Model | None, mode: str = "default",
                 text_model: TextModel | None = None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.framework = framework
        folder = str(Path(framework.source).parent)
        self.lexicon = _lexicon(folder)
        self.sectors = _sector_table(folder)
        self.model = model if mode != "keywords" else None
        self.text_model = text_model if mode != "keywords" else None
        self.mode = mode
        self.limit = FAST_LIMIT if mode == "fast" else None  # characters read per narrative
        self.text_limit = FAST_TEXT_LIMIT if mode == "fast" else None  # read by text models
        self.spans = 1 if mode == "fast" else 3  # evidence spans of the text per assignment
        self._const: dict[str, dict[str, float]] = {}
        self._aligned: dict[tuple[str, str], list[float]] = {}
        self._stack: tuple[dict[str, float], dict[str, list]] | None = None
        self._done = Memo(256)  # labels by Document.content: repeats are mostly neighbours
        self.version = f"{framework.version}/" + (
            f"model:{model.version}" if self.model else "keywords") + (
            f"+{text_model.version}" if self.text_model else "")
        # The model's own text outputs are read in the same pass as the weak-label ones.
        self._own_text = (TextModel(self.model.version, self.model.text)
                          if self.model is not None and self.model.text else None)
        if self._own_text is not None:
            self.text_model = (self.text_model.with_outputs(self.model.text, "levels")
                               if self.text_model is not None else self._own_text)

    @property
    def detect_language(self) -> bool:
        return self.mode == "default"

    def prepare(self, doc: Document) -> Document:
        """The document as this mode reads it: in fast mode, the first FAST_LIMIT characters
        of each narrative (a store may already have read no more than that)."""
        if self.limit is None or all(len(s.text) <= self.limit for s in doc.segments):
            return doc
        return replace(doc, segments=[
            Segment(s.field, s.lang, s.text[:self.limit], s.size or len(s.text))
            if len(s.text) > self.limit else s for s in doc.segments])

    def classify(self, doc: Document) -> Labels:
        """The labels of the activity. An activity with the same content as one classified
        shortly before (`Document.content`) gets that one's labels under its own identifier:
        the classification is a pure function of the content. The labels' assignments may be
        shared with it: read them, do not change them."""
        key = doc.content()
        done = self._done.get(key)
        if done is not None:
            return replace(done, identifier=doc.identifier)
        doc = self.prepare(doc)
        ev = gather(doc, self.lexicon, self.sectors, self.text_model, self.text_limit)
        labels = self._keywords(doc, ev) if self.model is None else self._model(doc, ev)
        return self._done.keep(key, labels)

    # -- the trained model ------------------------------------------------------------------
    def _model(self, doc: Document, ev: Evidence) -> Labels:
        return self.decide(doc, ev, self.score(doc, ev, gated=True))

    def score(self, doc: Document, ev: Evidence, gated: bool = False) -> Scores:
        """Every output's probabilities, in the order they build on each other.

        World of work; the modalities; capacity development, which reads what the
        modalities found; then outcomes, levels and target groups, which read all three.
        With `gated`, a set whose gate is closed (see `choose`: it names nothing whatever
        its scores) is not scored; `decide` draws the same labels either way.
        """
        m = self.model
        feats = doc_features(doc, ev)
        out = Scores({"world_of_work": m.binary["world_of_work"].probability(feats)})
        if self._own_text is not None:
            found = ev.text if all(k in ev.text for k in m.text) else self._own_text.logits(
                model_text(doc))  # evidence gathered with another text model
            out.doc.update({f"text:{k.split(':', 1)[1]}": found[k] / 4 for k in m.text})
        modalities: dict[str, float] = {}
        if "modalities" in self.framework.dimensions and "modalities" in m.pairs:
            out.sets["modalities"] = self._pair_scores("modalities", ev, out.doc)
            modalities = {c: p for p, c in out.sets["modalities"]}
            if STACK in m.pairs:  # the second pass decides the modalities; the outputs
                # below read the first pass, on which they were trained
                out.sets["modalities"] = self._second_pass(modalities)
        out.doc["capacity_development"] = m.binary["capacity_development"].probability(
            {**feats, **capdev_features(modalities, ev)})
        for dim in SET_DIMENSIONS:
            if dim in self.framework.dimensions and dim in m.pairs and dim not in out.sets:
                if gated and not self._open(dim, out.doc):
                    out.sets[dim] = []
                else:
                    out.sets[dim] = self._pair_scores(dim, ev, out.doc, modalities)
        return out

    def _open(self, dim: str, probabilities: dict[str, float]) -> bool:
        """Whether a gated set may name any code (the first test of `choose`)."""
        gate = GATES.get(dim)
        if gate is None:
            return True
        p = probabilities[gate]
        return p >= self.model.binary[gate].threshold and p >= self.model.pairs[dim].gate

    def decide(self, doc: Document, ev: Evidence, scores: Scores) -> Labels:
        """The labels the decision rules draw from the probabilities, with their evidence."""
        m = self.model
        flags = {b: scores.doc[b] >= m.binary[b].threshold for b in BOOLEANS}
        labels = Labels(doc.identifier,
                        self._boolean("world_of_work", scores.doc, doc, ev),
                        self._boolean("capacity_development", scores.doc, doc, ev),
                        model_version=self.version)
        # The modalities first: a level or group they imply shows their evidence too.
        for dim in sorted(scores.sets, key=lambda d: d != "modalities"):
            rule = m.pairs[dim]
            chosen = choose(dim, scores.sets[dim], rule, scores.doc, flags, ev.implied.get(dim),
                            frozenset(a.code for a in labels.sets.get("modalities", ()))
                            if rule.keep else frozenset())
            labels.sets[dim] = [
                Assignment(dim, c, round(p, 4), self._evidence(dim, c, doc, ev, labels), "model",
                           r) for r, (p, c) in enumerate(chosen, start=1)]
        labels.sets = {d: labels.sets[d] for d in SET_DIMENSIONS if d in labels.sets}
        return labels

    def _pair_scores(self, dim: str, ev: Evidence, scores: dict,
                     modalities: dict[str, float] | None = None) -> list[tuple[float, str]]:
        """(probability, code) for every code of the dimension, best first.

        A code with no evidence at all has every evidence feature at zero, so its score is
        its constant part plus the document part, computed without building its features.
        """
        linear, priors = self.model.pairs[dim], self.model.priors.get(dim, {})
        const = self._constants(dim)
        w = linear.weights
        doc_part = w.get("wow", 0.0) * scores.get("world_of_work", 0.5)
        signed = 0.0  # a document feature whose sign depends on the code (see pair_features)
        if dim == "modalities":  # scored before capacity development, without it
            doc_part += w.get("delivery_signal", 0.0) * math.log1p(ev.count("signals",
                                                                             "delivery"))
            signed = w.get("text_capdev", 0.0) * ev.text.get("capdev", 0.0) / 4
        else:
            doc_part += w.get("capdev", 0.0) * scores.get("capacity_development", 0.5)
        with_evidence = {c for (d, c) in ev.hits if d == dim}
        if dim == "outcomes":
            with_evidence |= set(ev.sector_outcomes) | {c for c in ev.text if c.startswith("O")}
        elif dim in ("capacity_levels", "target_groups"):  # few codes, implied by modalities
            with_evidence = set(self.framework.dimension(dim).codes)
        out = []
        for code in self.framework.dimension(dim).codes:
            if code in with_evidence:  # Linear.probability of pair_features, in their order
                z = linear.bias + sum(map(mul, self._weights(dim, code), pair_values(
                    dim, code, ev, scores, priors.get(code, _DEFAULT_PRIOR), modalities)))
            else:
                z = const[code] + doc_part + (
                    -signed if code in NON_CAPACITY_MODALITIES else signed)
            z = 30.0 if z > 30.0 else -30.0 if z < -30.0 else z  # held within ±30
            out.append((1.0 / (1.0 + math.exp(-z)), code))
        out.sort(reverse=True)
        return out

    def _second_pass(self, modalities: dict[str, float]) -> list[tuple[float, str]]:
        """(probability, code) of the second modality pass, best first: the sum that
        Linear.probability makes of stack_features, without building the features. Only the
        modalities found add to it, each over the codes it has a weight for, in the order
        they were found (so every code's sum is added up as before)."""
        stack = self.model.pairs[STACK]
        w = stack.weights
        if self._stack is None:
            self._stack = (
                {c: stack.bias + w.get(f"code:{c}", 0.0) for c in modalities},
                {m: [(c, w[f"{c}|{m}"]) for c in modalities if c != m and f"{c}|{m}" in w]
                 for m in modalities})
        offsets, columns = self._stack
        first = w.get("first", 0.0)
        others = dict.fromkeys(modalities, 0)  # what the other modalities found add to each
        for m, q in modalities.items():
            if q >= STACK_FOUND:
                for c, weight in columns[m]:
                    others[c] += weight * q
        out = []
        for c, p in modalities.items():
            z = offsets[c] + first * first_logit(p) + others[c]
            z = 30.0 if z > 30.0 else -30.0 if z < -30.0 else z  # held within ±30
            out.append((1.0 / (1.0 + math.exp(-z)), c))
        out.sort(reverse=True)
        return out

    def _weights(self, dim: str, code: str) -> list[float]:
        """The pair model's weights in the order of pair_names (0 for a feature it lacks)."""
        found = self._aligned.get((dim, code))
        if found is None:
            w = self.model.pairs[dim].weights
            found = self._aligned[(dim, code)] = [w.get(n, 0.0) for n in pair_names(dim, code)]
        return found

    def _constants(self, dim: str) -> dict[str, float]:
        cached = self._const.get(dim)
        if cached is None:
            linear, priors = self.model.pairs[dim], self.model.priors.get(dim, {})
            w = linear.weights
            cached = self._const[dim] = {
                c: linear.bias + w.get("prior", 0.0) * priors.get(c, _DEFAULT_PRIOR)
                + w.get(f"code:{c}", 0.0)
                for c in self.framework.dimension(dim).codes}
        return cached

    def _boolean(self, name: str, scores, doc: Document, ev: Evidence) -> Assignment:
        linear = self.model.binary[name]
        p = scores[name]
        yes = p >= linear.threshold
        signal = "wow" if name == "world_of_work" else "capdev"
        evidence = snippets(ev, doc, "signals", signal, self.spans) if yes else snippets(
            ev, doc, "signals", "not_wow" if name == "world_of_work" else "delivery",
            self.spans)
        conf = p if yes else 1 - p
        return Assignment(name, "true" if yes else "false", round(conf, 4), evidence, "model")

    # -- the keyword baseline ---------------------------------------------------------------
    def _keywords(self, doc: Document, ev: Evidence) -> Labels:
        def has(dim, code):  # any of its phrases, broad cues too
            return (dim, code) in ev.hits

        outcomes = sorted(
            (c for c in self.framework.outcomes.codes if has("outcomes", c)),
            key=lambda c: -ev.count("outcomes", c))[:MAX_OUTCOMES]
        wow = bool(outcomes) or ev.count("signals", "wow") > ev.count("signals", "not_wow")
        capdev = any(has("modalities", c) for c in self.framework.dimension("modalities").codes
                     if c not in NON_CAPACITY_MODALITIES) or has("signals", "capdev")
        labels = Labels(
            doc.identifier,
            Assignment("world_of_work", "true" if wow else "false", 1.0,
                       snippets(ev, doc, "signals", "wow"), "rule"),
            Assignment("capacity_development", "true" if capdev else "false", 1.0,
                       snippets(ev, doc, "signals", "capdev"), "rule"),
            model_version=self.version,
        )
        for dim in SET_DIMENSIONS:
            if dim not in self.framework.dimensions:
                continue
            codes = outcomes if dim == "outcomes" and wow else [] if dim == "outcomes" else [
                c for c in self.framework.dimension(dim).codes if has(dim, c)]
            labels.sets[dim] = [Assignment(dim, c, 1.0, self._evidence(dim, c, doc, ev), "rule",
                                           r) for r, c in enumerate(codes, start=1)]
        return labels

    def _evidence(self, dim: str, code: str, doc: Document, ev: Evidence,
                  labels: Labels | None = None) -> list[dict]:
        found = snippets(ev, doc, dim, code, self.spans)
        if labels is not None and len(found) < self.spans:  # a level or group that a
            implied_by = ev.implied.get(dim, {}).get(code, ())  # modality implies
            for a in labels.sets.get("modalities", []):
                if a.code in implied_by and len(found) < self.spans:
                    found += [{**e, "implied_by": a.code} for e in a.evidence[:1]
                              if e not in found]
        if dim == "outcomes" and code in ev.sector_codes:
            found += [{"kind": "field", "field": "sector", "value": c}
                      for c in ev.sector_codes[code][:2]]
        if dim == "target_groups":
            found += [{"kind": "field", "field": "participating-org", "value": o["name"]}
                      for o in doc.orgs if o.get("name") and code in _org_groups(self, o, ev)
                      ][:2]
        return found


_DEFAULT_PRIOR = math.log(1 / 200)


def _org_groups(clf: Classifier, org: dict, ev: Evidence) -> set[str]:
    """The target groups an organisation's name says it is (read once per document)."""
    seen = ev.__dict__.setdefault("_org_groups", {})
    found = seen.get(org["name"])
    if found is None:
        found = seen[org["name"]] = {h.code for h in clf.lexicon.match(org["name"], None)
                                     if h.dimension == "target_groups"}
    return found


@lru_cache(maxsize=8)
def load_classifier(framework: str | None = None, mode: str = "default",
                    model_path: str | None = None) -> Classifier:
    """The classifier for a framework (default the packaged one) with its packaged model."""
    fw = load_framework(framework or "ilo-spf-2010-15")
    model = load_model(model_path or packaged_model_path(fw.code))
    text_model = load_text_model(str(packaged_model_path(f"{fw.code}-text")))
    return Classifier(fw, model, mode, text_model)
