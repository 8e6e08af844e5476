"""Train the weak-label text model from the real d-portal corpus's DAC sector codes.

    python scripts/train_text_model.py [--shared ../shared]

Weak labels, from `sectors.yaml`: an activity is `wow` when one of its sectors is a
world-of-work sector and `not_wow` when all of them are outside it (health, WASH, food...);
its weak outcome is the outcome its sectors point to most; it is `capdev` when one of its
sectors is usually about strengthening institutions or people (public sector management,
statistical capacity, civil society...) or its aid type is technical assistance (D01, D02),
and not `capdev` when all its sectors deliver goods or services straight to people (emergency
food, material relief...). Activities of the labelled
development set are left out, so cross-validated figures on that set stay honest. Writes
src/tcmap/classify/models/<framework>-text.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from tcmap.classify.classifier import _sector_table
from tcmap.classify.features import sector_entry
from tcmap.classify.model import packaged_model_path
from tcmap.classify.textmodel import TextModel, tokens
from tcmap.iati.reader import IatiFile
from tcmap.taxonomy import load_framework

REPO = Path(__file__).resolve().parents[1]
KEEP = 4000  # terms kept per output, by weight
OUTCOMES = ("O1", "O2", "O3", "O4")  # the outcomes sectors point to often enough to learn


def text_of(rec) -> str:
    return "\n".join(n["text"] for n in rec.parts.get("narratives", ())
                     if n["owner"] == "activity" and n["field"] in ("title", "description"))


def _sector_signals(rec, sectors) -> tuple[Counter, Counter, int]:
    signals, outcomes, n = Counter(), Counter(), 0
    for s in rec.parts.get("sectors", ()):
        if s["vocabulary"] not in ("1", "2"):
            continue
        n += 1
        entry = sector_entry(sectors, s["vocabulary"], s["code"]) or {}
        signals.update(entry.get("signals", ()))
        outcomes.update(entry.get("outcomes", ()))
    return signals, outcomes, n


def capdev_label(rec, sectors) -> bool | None:
    """Capacity development (True) or delivery (False) by sectors and aid type, or unknown."""
    signals, _, n = _sector_signals(rec, sectors)
    if signals["capdev"] or (rec.columns.get("default_aid_type") or "").upper() in ("D01", "D02"):
        return True
    if n and signals["delivery"] == n:
        return False
    return None


def weak_label(rec, sectors) -> tuple[bool | None, str | None]:
    signals, outcomes, n = _sector_signals(rec, sectors)
    if not n:
        return None, None
    if signals["wow"]:
        best = outcomes.most_common(1)[0][0] if outcomes else None
        return True, best if best in OUTCOMES else None
    if signals["not_wow"] == n:
        return False, None
    return None, None


def fit(texts, y, c):
    vec = TfidfVectorizer(analyzer=tokens, sublinear_tf=True, min_df=3, norm="l2",
                          use_idf=False)
    x = vec.fit_transform(texts)
    lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(x, y)
    names = vec.get_feature_names_out()
    return names, lr


def prune(names, coef, bias) -> tuple[dict[str, float], float]:
    order = np.argsort(-np.abs(coef))[:KEEP]
    return {str(names[i]): float(coef[i]) for i in order if coef[i] != 0}, float(bias)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--c", type=float, default=4.0)
    args = ap.parse_args()
    fw = load_framework()
    sectors = _sector_table(str(Path(fw.source).parent))
    labelled = args.shared / "data" / "labelled" / "dev-labels.jsonl"
    held_out = {json.loads(line)["id"] for line in labelled.open() if line.strip()}
    texts, wow, outcome_texts, outcome_y = [], [], [], []
    capdev_texts, capdev_y = [], []
    with tempfile.TemporaryDirectory() as tmp:
        tar = args.shared / "data/real/dportal-covid19-2021/saved_data.tar.xz"
        with tarfile.open(tar) as t:
            t.extractall(tmp, filter="data")
        for f in sorted(Path(tmp, "saved_data").glob("*.xml")):
            for rec in IatiFile(f, f.name):
                if rec.rejected or rec.identifier in held_out:
                    continue
                capdev = capdev_label(rec, sectors)
                if capdev is not None and text_of(rec).strip():
                    capdev_texts.append(text_of(rec))
                    capdev_y.append(capdev)
                label, outcome = weak_label(rec, sectors)
                if label is None:
                    continue
                text = text_of(rec)
                texts.append(text)
                wow.append(label)
                if outcome:
                    outcome_texts.append(text)
                    outcome_y.append(outcome)
    print(f"weak labels: {sum(wow)} world of work, {len(wow) - sum(wow)} not; "
          f"outcomes {Counter(outcome_y)}; capacity development {sum(capdev_y)}, "
          f"delivery {len(capdev_y) - sum(capdev_y)}")
    outputs = {}
    names, lr = fit(texts, wow, args.c)
    outputs["wow"] = prune(names, lr.coef_[0], lr.intercept_[0])
    names, lr = fit(outcome_texts, outcome_y, args.c)
    for i, code in enumerate(lr.classes_):
        outputs[code] = prune(names, lr.coef_[i], lr.intercept_[i])
    names, lr = fit(capdev_texts, capdev_y, args.c)
    outputs["capdev"] = prune(names, lr.coef_[0], lr.intercept_[0])
    body = json.dumps({k: v[1] for k, v in outputs.items()}, sort_keys=True).encode()
    model = TextModel(f"text-{hashlib.sha256(body).hexdigest()[:8]}", outputs)
    out = packaged_model_path(f"{fw.code}-text")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(model.to_dict(), sort_keys=True) + "\n")
    print(f"{model.version} written to {out} ({out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
