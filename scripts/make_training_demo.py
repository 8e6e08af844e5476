#!/usr/bin/env python3
"""Write the training follow-up demo data set (events, participants, responses) as CSV files.

The data are invented but shaped like a training centre's follow-up: 12 events across outcomes
in 2010-2011, about 400 participants, end-of-course surveys answered by most participants and
6- and 12-month follow-ups answered by fewer (some e-mails bounce). About three in five
respondents report applying what they learned and a large improvement in their skills, less
for their organization's performance, as the ITC-ILO reported for its first year of follow-up.
The same seed always writes the same bytes:

    .venv/bin/python scripts/make_training_demo.py [--out src/tcmap/training/data/demo]
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

SEED = 2011
OUT = Path(__file__).resolve().parents[1] / "src" / "tcmap" / "training" / "data" / "demo"

# code, title, outcome, modality, organizer, venue, start, days, surveys, participants, mix
EVENTS = [
    ("A901101", "Employment-intensive investment for local development", "O1", "face_to_face",
     "ITC-ILO", "IT", date(2010, 3, 8), 12, "end; 6m; 12m", 32,
     {"government": 5, "training_institutions": 2, "civil_society": 1, "enterprises": 1}),
    ("A901102", "Skills development and the employability of young people", "O2", "blended",
     "ITC-ILO", "IT", date(2010, 5, 3), 10, "end; 6m; 12m", 36,
     {"government": 3, "training_institutions": 4, "employers_org": 1, "workers_org": 1}),
    ("A901103", "Start and Improve Your Business: training of trainers", "O3", "face_to_face",
     "ILO Country Office Nairobi", "KE", date(2010, 6, 14), 10, "end; 6m; 12m", 30,
     {"enterprises": 4, "training_institutions": 3, "employers_org": 2, "other": 1}),
    ("A901104", "Wage policies and collective bargaining on wages", "O5", "face_to_face",
     "ITC-ILO", "IT", date(2010, 9, 20), 10, "end; 6m; 12m", 34,
     {"government": 3, "employers_org": 2, "workers_org": 3}),
    ("A901105", "Labour inspection and occupational safety and health", "O6", "face_to_face",
     "ITC-ILO", "IT", date(2010, 10, 11), 12, "end; 6m; 12m", 38,
     {"government": 7, "workers_org": 1, "employers_org": 1}),
    ("A901106", "Services of employers' organizations to their members", "O9", "blended",
     "ITC-ILO", "IT", date(2010, 11, 8), 10, "end; 6m; 12m", 30,
     {"employers_org": 8, "enterprises": 1}),
    ("A901107", "Trade union strategies for organizing informal workers", "O10", "face_to_face",
     "ITC-ILO", "IT", date(2011, 1, 17), 12, "end; 6m; 12m", 36,
     {"workers_org": 9, "civil_society": 1}),
    ("A901108", "Labour administration: modern services for a changing labour market", "O11",
     "face_to_face", "ILO Decent Work Team Pretoria", "ZA", date(2011, 2, 14), 10,
     "end; 6m; 12m", 32, {"government": 9, "unknown": 1}),
    ("A901109", "Social dialogue and tripartite negotiation skills", "O12", "face_to_face",
     "ITC-ILO", "IT", date(2011, 3, 21), 10, "end; 6m", 36,
     {"government": 3, "employers_org": 3, "workers_org": 3}),
    ("A901110", "Freedom of association and collective bargaining: an e-learning course", "O14",
     "online", "ITC-ILO", "", date(2011, 4, 4), 42, "end; 6m", 40,
     {"workers_org": 6, "employers_org": 2, "government": 2}),
    ("A901111", "Eliminating child labour in agriculture", "O16", "face_to_face",
     "IPEC project RAF/09/51/USA", "GH", date(2011, 5, 9), 8, "end; 6m", 28,
     {"government": 4, "civil_society": 3, "workers_org": 2, "employers_org": 1}),
    ("A901112", "International labour standards for judges, lawyers and legal educators",
     "O18", "blended", "ITC-ILO", "IT", date(2011, 6, 6), 10, "end; 6m", 30,
     {"justice_legislature_media": 7, "government": 2, "training_institutions": 1}),
]
COUNTRIES = ["GH", "KE", "ZA", "ZW", "MZ", "SN", "BD", "LK", "VN", "ID", "PE", "BR", "JO", "UA"]
ORGANIZATIONS = {
    "government": "Ministry of Labour", "employers_org": "Employers' Federation",
    "workers_org": "Trade Union Congress", "enterprises": "Business development services",
    "training_institutions": "National vocational training institute",
    "civil_society": "Community organization", "justice_legislature_media": "High Court",
    "other": "Development agency", "unknown": "",
}
# Shifts in the chance of applying what was learned (log-odds): the differences between women
# and men and between organization types that the ITC-ILO reported, in invented sizes.
APPLY_SHIFT = {"government": 0.2, "employers_org": 0.3, "workers_org": -0.1,
               "training_institutions": 0.5, "civil_society": -0.3}


def _likert(rng: random.Random, p_high: float) -> int:
    """An answer on 1..5: 4 or 5 with probability p_high, else 1..3 leaning to 3."""
    if rng.random() < p_high:
        return 5 if rng.random() < 0.4 else 4
    return rng.choices((1, 2, 3), weights=(1, 3, 6))[0]


def _p(base: float, shift: float) -> float:
    import math

    logit = math.log(base / (1 - base)) + shift
    return 1 / (1 + math.exp(-logit))


def build(rng: random.Random) -> tuple[list[list[str]], list[list[str]], list[list[str]]]:
    events, people, responses = [], [], []
    for (code, title, outcome, modality, organizer, venue, start, days, surveys, n,
         mix) in EVENTS:
        end = start + timedelta(days=days - 1)
        events.append([code, title, start.isoformat(), end.isoformat(), outcome, modality,
                       organizer, venue, "", surveys])
        timings = [t.strip() for t in surveys.split(";")]
        women = rng.uniform(0.3, 0.6)
        online = modality == "online"
        for i in range(1, n + 1):
            pid = f"P{i:03d}"
            sex = "female" if rng.random() < women else "male"
            if rng.random() < 0.02:
                sex = "unknown"
            kind = rng.choices(list(mix), weights=list(mix.values()))[0]
            country = venue if venue and venue != "IT" and rng.random() < 0.7 else rng.choice(
                COUNTRIES)
            bounced = [t for t, p in (("6m", 0.08), ("12m", 0.15)) if t in timings
                       and rng.random() < p]
            people.append([code, pid, sex, kind, ORGANIZATIONS[kind] + (
                f" ({country})" if ORGANIZATIONS[kind] else ""), country, "; ".join(bounced)])
            shift = APPLY_SHIFT.get(kind, 0.0) + (0.15 if sex == "female" else 0.0)
            for timing in timings:
                if timing in bounced:
                    continue
                rate = {"end": 0.75 if online else 0.9, "6m": 0.45, "12m": 0.32}[timing]
                if rng.random() >= rate:
                    continue
                months = {"end": 0, "6m": 6, "12m": 12}[timing]
                answered = end + timedelta(days=30 * months + rng.randint(0, 20))
                r = {"event": code, "participant": pid, "timing": timing,
                     "responded_on": answered.isoformat()}
                if timing == "end":
                    for item, base in (("satisfaction", 0.85), ("relevance", 0.8),
                                       ("knowledge_gain", 0.78), ("confidence", 0.7),
                                       ("commitment", 0.82)):
                        r[item] = str(_likert(rng, _p(base, shift / 2)))
                else:
                    later = 0.1 if timing == "12m" else 0.0
                    applied = _likert(rng, _p(0.6, shift + later))
                    r["applied_knowledge"] = str(applied)
                    r["frequency_of_use"] = str(max(1, min(5, applied + rng.choice((-1, 0, 0, 1)))))
                    if applied <= 3:
                        r["barriers"] = "; ".join(sorted(rng.sample(
                            ["no_opportunity", "no_support", "no_resources", "not_relevant",
                             "left_job"], rng.choice((1, 1, 2)))))
                    r["improvement_skills_job"] = str(_likert(rng, _p(0.62, shift)))
                    r["improvement_organization"] = str(_likert(rng, _p(0.45, shift)))
                    if rng.random() < 0.05:  # some leave the organization item unanswered
                        r["improvement_organization"] = "na"
                responses.append(r)
    return events, people, [_response_row(r) for r in responses]


RESPONSE_COLUMNS = ["event", "participant", "timing", "responded_on", "satisfaction",
                    "relevance", "knowledge_gain", "confidence", "commitment",
                    "applied_knowledge", "frequency_of_use", "barriers",
                    "improvement_skills_job", "improvement_organization"]


def _response_row(r: dict[str, str]) -> list[str]:
    return [r.get(c, "") for c in RESPONSE_COLUMNS]


def write(out: Path, seed: int = SEED) -> list[Path]:
    rng = random.Random(seed)
    events, people, responses = build(rng)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "events.csv": (["event", "title", "start_date", "end_date", "outcome", "modality",
                        "organizer", "venue_country", "activity", "surveys"], events),
        "participants.csv": (["event", "participant", "sex", "constituent_type",
                              "organization", "country", "not_reached"], people),
        "responses.csv": (RESPONSE_COLUMNS, responses),
    }
    written = []
    for name, (header, rows) in files.items():
        with (out / name).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        written.append(out / name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="Folder to write the CSV files to.")
    parser.add_argument("--seed", type=int, default=SEED, help="Random seed (default 2011).")
    args = parser.parse_args()
    for path in write(args.out, args.seed):
        print(path)


if __name__ == "__main__":
    main()
