"""How far the appraisal pre-screen agrees with a person's ratings of the sample documents.

    .venv/bin/python benchmarks/appraisal.py [--json]

Reads tests/data/appraisal/ratings.yaml (a person's ratings, made by reading the documents
before the pre-screen's rules were written) and pre-screens each sample document as PDF and
as DOCX. Prints exact and within-one agreement over all criteria × documents, per format, the
disagreements, and the time the pre-screen takes per document.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import yaml

from tcmap.appraisal import extract, load_checklist, prescreen
from tcmap.appraisal.scoring import agreement
from tcmap.classify import load_classifier

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "appraisal"


def run() -> dict:
    ratings = yaml.safe_load((DATA / "ratings.yaml").read_text(encoding="utf-8"))
    clf = load_classifier()
    out = {"formats": {}, "disagreements": [], "seconds_per_document": {}}
    for fmt in ("pdf", "docx"):
        pairs, seconds = [], []
        for doc, d in ratings["documents"].items():
            started = time.perf_counter()
            screen = prescreen(extract(DATA / f"{doc}.{fmt}"), load_checklist(d["template"]),
                               clf)
            seconds.append(time.perf_counter() - started)
            for c in screen["criteria"]:
                person = d["ratings"][c["criterion"]]
                pairs.append((c["proposed"], person))
                if c["proposed"] != person:
                    out["disagreements"].append({"document": f"{doc}.{fmt}",
                                                 "criterion": c["criterion"],
                                                 "machine": c["proposed"], "person": person})
        out["formats"][fmt] = agreement(pairs)
        out["seconds_per_document"][fmt] = round(sum(seconds) / len(seconds), 3)
    total = {k: sum(f[k] for f in out["formats"].values()) for k in ("pairs", "exact",
                                                                     "within_one")}
    total["exact_share"] = round(total["exact"] / total["pairs"], 4)
    total["within_one_share"] = round(total["within_one"] / total["pairs"], 4)
    out["all"] = total
    return out


def main() -> None:
    result = run()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=1))
        return
    for fmt, a in result["formats"].items():
        print(f"{fmt:5} {a['pairs']} criteria × documents: exact {a['exact_share']:.1%} "
              f"({a['exact']}), within one {a['within_one_share']:.1%} ({a['within_one']}); "
              f"{result['seconds_per_document'][fmt]:.2f} s per document")
    a = result["all"]
    print(f"all   {a['pairs']}: exact {a['exact_share']:.1%}, within one "
          f"{a['within_one_share']:.1%}")
    print("Disagreements (machine vs person):")
    for d in result["disagreements"]:
        print(f"  {d['document']:24} {d['criterion']:26} {d['machine']!s:>3} vs {d['person']}")


if __name__ == "__main__":
    main()
