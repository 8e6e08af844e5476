"""Turn a Document into evidence (lexicon hits, coded fields) and into model features.

Two kinds of features: per document (for the booleans world_of_work and capacity_development)
and per document × code (for the set dimensions). The pair features are the same for every
code of a dimension, so one model per dimension serves rare codes as well as frequent ones.

Three things carry the labelling rules (spec/LABELLING.md) into the features: a phrase that
names a code weighs apart from a broad cue that merely goes with it; the level and group
phrases that a capacity verb governs ("strengthen the capacity of the *ministry*", "*staff*
trained") count apart, since levels and target groups are about *what* is strengthened and
*whose* capacity; and the modality model's probabilities carry over to the levels and groups
they imply (`implied_by` in the term files) and to capacity development itself.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from math import log1p
from typing import Any

from tcmap.classify.document import Document
from tcmap.classify.lexicon import Hit, Lexicon, fold

SIGNALS = ("wow", "not_wow", "capdev", "delivery", "humanitarian")
SET_DIMENSIONS = ("outcomes", "modalities", "capacity_levels", "target_groups")
NON_CAPACITY_MODALITIES = ("direct_action", "financial_support")
# Where a narrative sits, by weight of what it says about the activity.
_ZONES = ("title", "description", "result")
# Organisation types (IATI OrganisationType) and the target group they usually are.
_ORG_TYPE_GROUP = {"10": "government", "11": "government", "15": "government",
                   "21": "civil_society", "22": "civil_society", "23": "civil_society",
                   "24": "civil_society", "70": "enterprises", "71": "enterprises",
                   "72": "enterprises", "73": "enterprises", "80": "training_institutions"}
# Capacity verbs (the signal `strengthen`) and the phrases they govern: a level or group phrase
# up to _AFTER characters after the verb ("train 40 labour inspectors") or _BEFORE characters
# before it ("inspectors trained"), within one clause.
VERB = ("signals", "strengthen")
OBJECT_DIMENSIONS = ("capacity_levels", "target_groups")
_AFTER, _BEFORE = 70, 35
_BREAKS = (".", ";", ":", "\n", "!", "?")


def _zone(field_name: str) -> str:
    if field_name == "title":
        return "title"
    if field_name.startswith("description"):
        return "description"
    return "result"


@dataclass
class Evidence:
    """Everything found in one document, kept for features and for showing why."""

    hits: dict[tuple[str, str], list[tuple[Hit, int]]] = field(default_factory=dict)
    zone_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    broad: dict[tuple[str, str], int] = field(default_factory=dict)  # hits of broad cues
    objects: dict[tuple[str, str], int] = field(default_factory=dict)  # governed by a verb
    org_hits: dict[str, int] = field(default_factory=dict)  # target group → org names naming it
    sector_outcomes: dict[str, float] = field(default_factory=dict)
    sector_signals: dict[str, float] = field(default_factory=dict)
    sector_codes: dict[str, list[str]] = field(default_factory=dict)  # outcome → sector codes
    org_types: dict[str, int] = field(default_factory=dict)  # target group → orgs of that type
    text: dict[str, float] = field(default_factory=dict)  # text models' logits
    implied: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    length: int = 0
    segment_zones: list[int] = field(default_factory=list)  # each narrative's place in _ZONES
    _totals: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    _best: dict[str, int] = field(default_factory=dict, repr=False)

    def count(self, dim: str, code: str, zone: str | None = None) -> int:
        if zone is None:
            return self.totals(dim).get(code, 0)
        return self.zone_counts.get((dim, code, zone), 0)

    def best(self, dim: str) -> int:
        """The most hits any code of a dimension has (computed once)."""
        found = self._best.get(dim)
        if found is None:
            found = self._best[dim] = max(self.totals(dim).values(), default=0)
        return found

    def totals(self, dim: str) -> dict[str, int]:
        """Hits per code of a dimension, all zones together (computed once)."""
        found = self._totals.get(dim)
        if found is None:
            found = self._totals[dim] = {}
            for (d, code, _zone), n in self.zone_counts.items():
                if d == dim:
                    found[code] = found.get(code, 0) + n
        return found


def sector_entry(table: dict[str, dict], vocabulary: str, code: str) -> dict | None:
    """The sector table's entry for a DAC code: its own, or its longest listed prefix."""
    if vocabulary not in ("1", "2"):
        return None
    for n in range(len(code), 1, -1):
        entry = table.get(code[:n])
        if entry is not None:
            return entry
    return None


def _read_by_text_models(segment) -> bool:
    return segment.field == "title" or segment.field.startswith("desc")


def model_text(doc: Document) -> str:
    """What the text models read: the titles and descriptions."""
    return "\n".join(s.text for s in doc.segments if _read_by_text_models(s))


def first_words(text: str, limit: int | None) -> str:
    """The text up to `limit` characters, cut after a whole word (all of it without one)."""
    if limit is None or len(text) <= limit:
        return text
    if not text[limit].isalnum():
        return text[:limit]
    cut = max(text.rfind(c, 0, limit) for c in " \n")
    return text[:cut] if cut > 0 else text[:limit]


def gather(doc: Document, lexicon: Lexicon, sectors: dict[str, dict],
           text_model: Any = None, text_limit: int | None = None) -> Evidence:
    """Match the lexicon in every narrative, read the coded fields, score the words (with
    `text_limit`, the text models read the first words of model_text up to that many
    characters)."""
    ev = Evidence(implied=lexicon.implied)
    texts = [s.text for s in doc.segments]
    folded = [fold(t) for t in texts]
    if text_model is not None:  # the folded model_text(doc)
        words = " ".join(
            f for f, s in zip(folded, doc.segments, strict=True) if _read_by_text_models(s))
        ev.text = text_model.logits(first_words(words, text_limit), folded=True)
    for i, seg in enumerate(doc.segments):
        ev.length += seg.size or len(seg.text)
        zone = _zone(seg.field)
        ev.segment_zones.append(_ZONES.index(zone))
        text = texts[i]
        found = lexicon.match(text, seg.lang, folded[i])
        verbs = []
        hits, zone_counts, broad = ev.hits, ev.zone_counts, ev.broad
        for hit in found:
            key = hit.key or (hit.dimension, hit.code)
            where = hits.get(key)
            if where is None:
                hits[key] = [(hit, i)]
            else:
                where.append((hit, i))
            zk = (*key, zone)
            zone_counts[zk] = zone_counts.get(zk, 0) + 1
            if hit.broad:
                broad[key] = broad.get(key, 0) + 1
            elif key == VERB:
                verbs.append(hit)
        if verbs:
            _objects(text, verbs, found, ev.objects)
    for org in doc.orgs:
        if org.get("name"):
            for hit in lexicon.match(org["name"], None):
                if hit.dimension == "target_groups":
                    ev.org_hits[hit.code] = ev.org_hits.get(hit.code, 0) + 1
        group = _ORG_TYPE_GROUP.get(org.get("type") or "")
        if group and org.get("role") in ("3", "4"):
            ev.org_types[group] = ev.org_types.get(group, 0) + 1
    n = max(1, len([s for s in doc.sectors if s[0] in ("1", "2")]))
    for vocab, code in doc.sectors:
        entry = sector_entry(sectors, vocab, code)
        if not entry:
            continue
        for o in entry.get("outcomes", ()):
            ev.sector_outcomes[o] = ev.sector_outcomes.get(o, 0.0) + 1.0 / n
            ev.sector_codes.setdefault(o, []).append(code)
        for s in entry.get("signals", ()):
            ev.sector_signals[s] = ev.sector_signals.get(s, 0.0) + 1.0 / n
    return ev


def _objects(text: str, verbs: list[Hit], found: list[Hit],
             out: dict[tuple[str, str], int]) -> None:
    """Count the level and group phrases that a capacity verb governs in the same clause."""
    for hit in found:
        if hit.dimension not in OBJECT_DIMENSIONS:
            continue
        for v in verbs:
            if v.end <= hit.start <= v.end + _AFTER:
                gap = text[v.end:hit.start]
            elif v.start - _BEFORE <= hit.end <= v.start:
                gap = text[hit.end:v.start]
            else:
                continue
            if not any(b in gap for b in _BREAKS):
                key = (hit.dimension, hit.code)
                out[key] = out.get(key, 0) + 1
                break


_SIGNAL_FEATURES = [(s, f"sig_{s}_title", f"sig_{s}", f"sector_{s}") for s in SIGNALS]


def doc_features(doc: Document, ev: Evidence) -> dict[str, float]:
    """Features of the whole document, for the two booleans."""
    f: dict[str, float] = {}
    zones, signals = ev.zone_counts, ev.totals("signals")
    for s, in_title, anywhere, sector in _SIGNAL_FEATURES:
        f[in_title] = log1p(zones.get(("signals", s, "title"), 0))
        f[anywhere] = log1p(signals.get(s, 0))
        f[sector] = ev.sector_signals.get(s, 0.0)
    outcomes, modalities = ev.totals("outcomes"), ev.totals("modalities")
    outcome_counts = list(outcomes.values())
    f["outcome_hits"] = log1p(sum(outcome_counts))
    f["outcome_max"] = log1p(max(outcome_counts, default=0))
    f["outcome_title"] = log1p(sum(zones.get(("outcomes", c, "title"), 0) for c in outcomes))
    f["sector_outcome"] = min(1.0, sum(ev.sector_outcomes.values()))
    cap = [n for c, n in modalities.items() if c not in NON_CAPACITY_MODALITIES]
    f["capacity_modality_hits"] = log1p(sum(cap))
    f["capacity_modality_kinds"] = log1p(len(cap))
    f["delivery_modality_hits"] = log1p(sum(modalities.get(c, 0)
                                            for c in NON_CAPACITY_MODALITIES))
    f["level_hits"] = log1p(sum(ev.totals("capacity_levels").values()))
    f["org_group_hits"] = log1p(sum(ev.org_hits.values()))
    f["aid_technical_assistance"] = float((doc.aid_type or "").upper() in ("D01", "D02"))
    f["aid_budget_support"] = float((doc.aid_type or "").upper()[:1] in ("A",))
    f["length"] = log1p(ev.length / 1000)
    f["text_wow"] = ev.text.get("wow", 0.0) / 4
    return f


def capdev_features(modalities: dict[str, float], ev: Evidence) -> dict[str, float]:
    """More features of capacity development: what the modality model found, what capacity
    verbs govern, and the weak-label text model's capacity-versus-delivery score."""
    cap = [p for c, p in modalities.items() if c not in NON_CAPACITY_MODALITIES]
    return {
        "mod_capacity_max": max(cap, default=0.0),
        "mod_capacity_sum": log1p(sum(cap)),
        "mod_delivery_max": max((modalities.get(c, 0.0) for c in NON_CAPACITY_MODALITIES),
                                default=0.0),
        "text_capdev": ev.text.get("capdev", 0.0) / 4,
        "capacity_objects": log1p(sum(n for (d, _), n in ev.objects.items()
                                   if d == "capacity_levels")),
        "group_objects": log1p(sum(n for (d, _), n in ev.objects.items() if d == "target_groups")),
        "verbs": log1p(ev.count(*VERB)),
    }


# The second modality pass, stored beside the set dimensions' models under this name; it
# reads the other modalities the first pass found at least this likely.
STACK = "modalities_stack"
STACK_FOUND = 0.3


def first_logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p)) / 4


def stack_features(code: str, modalities: dict[str, float]) -> dict[str, float]:
    """Features of the second modality pass: the code's first-pass log-odds and the other
    modalities the first pass found (ways of working that go together or exclude each other)."""
    f = {"first": first_logit(modalities.get(code, 0.0)), f"code:{code}": 1.0}
    for m, q in modalities.items():
        if m != code and q >= STACK_FOUND:
            f[f"{code}|{m}"] = q
    return f


@lru_cache(maxsize=512)
def pair_names(dim: str, code: str) -> tuple[str, ...]:
    """The names of `pair_values`, in their order (the features of one code of a dimension).

    Per-code terms (`code:`, `hits:`) let the shared model calibrate codes that are named
    differently often; the outcomes' lists name their codes, so they have no broad cues; and
    target groups weigh capacity development's probability per group, since groups differ in
    how much they go with capacity being built rather than services being delivered.
    """
    names = ["title", "description", "result", "share", "is_top", "prior", "wow",
             f"code:{code}", f"hits:{code}"]
    if dim != "outcomes":
        names += ["core", "broad"]  # phrases that name the code, and broad cues
    if dim != "modalities":
        names.append("capdev")
    if dim == "outcomes":
        names += ["sector", "text"]
    elif dim == "modalities":
        names += ["delivery_signal", "text_capdev"]
    else:
        names += ["object", "implied_max", "implied_sum"]
        names += ["org_name", "org_type", f"capdev:{code}"] if dim == "target_groups" else [
            "text"]
    return tuple(names)


def pair_values(dim: str, code: str, ev: Evidence, doc_scores: dict[str, float],
                prior: float, modalities: dict[str, float] | None = None) -> list[float]:
    """The features of one candidate code for one document, in the order of `pair_names`
    (the classifier multiplies them with weights in that order; training reads them named,
    through `pair_features`).

    `doc_scores` holds the booleans' probabilities and the level text scores (`text:<level>`);
    `modalities` the modality model's probabilities, which carry over to the levels and
    target groups they imply (the modalities themselves are scored before both).
    """
    counts = ev.totals(dim)
    best = ev.best(dim)
    mine = counts.get(code, 0)
    broad = ev.broad.get((dim, code), 0)
    zones = ev.zone_counts
    f = [log1p(zones.get((dim, code, "title"), 0)),
         log1p(zones.get((dim, code, "description"), 0)),
         log1p(zones.get((dim, code, "result"), 0)),
         mine / best if best else 0.0,
         float(best > 0 and mine == best),
         prior,
         doc_scores.get("world_of_work", 0.5),
         1.0,
         log1p(mine)]
    if dim != "outcomes":
        f += [log1p(mine - broad), log1p(broad)]
    capdev = doc_scores.get("capacity_development", 0.5)
    if dim != "modalities":
        f.append(capdev)
    if dim == "outcomes":
        f += [ev.sector_outcomes.get(code, 0.0), _softmax_share(ev.text, code)]
    elif dim == "modalities":
        sign = -1.0 if code in NON_CAPACITY_MODALITIES else 1.0
        f += [log1p(ev.count("signals", "delivery")), sign * ev.text.get("capdev", 0.0) / 4]
    else:
        found = modalities or {}  # how strongly the modalities that imply the code were found
        implied = [found.get(m, 0.0) for m in ev.implied.get(dim, {}).get(code, ())]
        f += [log1p(ev.objects.get((dim, code), 0)), max(implied, default=0.0),
              log1p(sum(implied))]
        if dim == "target_groups":
            f += [log1p(ev.org_hits.get(code, 0)), log1p(ev.org_types.get(code, 0)), capdev]
        else:
            f.append(doc_scores.get(f"text:{code}", 0.0))
    return f


def pair_features(dim: str, code: str, ev: Evidence, doc_scores: dict[str, float],
                  prior: float, modalities: dict[str, float] | None = None) -> dict[str, float]:
    """Features of one candidate code for one document, by name (see `pair_values`)."""
    return dict(zip(pair_names(dim, code),
                    pair_values(dim, code, ev, doc_scores, prior, modalities), strict=True))


_TEXT_OUTCOMES = ("O1", "O2", "O3", "O4")


def _softmax_share(logits: dict[str, float], code: str) -> float:
    """The text model's probability for an outcome among those it knows (0 for the others)."""
    if code not in logits or code not in _TEXT_OUTCOMES:
        return 0.0
    top = max(logits[c] for c in _TEXT_OUTCOMES if c in logits)
    exp = {c: math.exp(logits[c] - top) for c in _TEXT_OUTCOMES if c in logits}
    return exp[code] / sum(exp.values())


def snippets(ev: Evidence, doc: Document, dim: str, code: str, limit: int = 3) -> list[dict]:
    """Evidence for a code: the matched spans, phrases naming it before broad cues, title first,
    longer (more specific) phrases first, each with its place in the text."""
    hits = ev.hits.get((dim, code), ())
    zones = ev.segment_zones or [_ZONES.index(_zone(s.field)) for s in doc.segments]

    def order(hi):
        return hi[0].broad, zones[hi[1]], hi[0].start - hi[0].end, hi[0].start

    if limit == 1:  # the best hit is always shown
        return _spans([min(hits, key=order)], doc, 1) if hits else []
    first = 2 * limit + 2  # enough unless many phrases share their few words
    out = _spans(heapq.nsmallest(first, hits, order), doc, limit)
    if len(out) < limit < len(hits) and len(hits) > first:
        out = _spans(sorted(hits, key=order), doc, limit)
    return out


def _spans(found: list, doc: Document, limit: int) -> list[dict]:
    out, seen, shown = [], set(), []
    for hit, i in found:
        seg = doc.segments[i]
        context = _context(seg.text, hit.start, hit.end)
        # Two phrases in the same few words, or on the same words: show them once.
        if (i, context) in seen or any(j == i and a < hit.end and hit.start < b
                                       for j, a, b in shown):
            continue
        seen.add((i, context))
        shown.append((i, hit.start, hit.end))
        out.append({"kind": "text", "field": seg.field, "lang": seg.lang, "start": hit.start,
                    "end": hit.end, "text": seg.text[hit.start:hit.end], "context": context})
        if len(out) >= limit:
            break
    return out


def _context(text: str, start: int, end: int, width: int = 35) -> str:
    """The words around a match, for a person to check it."""
    a, b = max(0, start - width), min(len(text), end + width)
    while a > 0 and text[a - 1].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum():
        b += 1
    return " ".join(text[a:b].split())


def group_counts(ev: Evidence) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for (dim, code) in ev.hits:
        out[dim][code] = ev.count(dim, code)
    return dict(out)


Features = dict[str, float]
Row = dict[str, Any]
