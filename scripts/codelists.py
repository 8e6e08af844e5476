"""Rebuild src/tcmap/iati/codelists/*.csv from the IATI codelist XML in ../shared/data/real.

Run once when IATI publishes new codelists: `python scripts/codelists.py [SHARED_DATA_REAL]`.
Codes from the current, the 2014 and the 2013 (1.0x) lists are merged so that withdrawn
codes still found in older files remain known; the current name wins.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from lxml import etree

LISTS = [
    "ActivityDateType", "ActivityScope", "ActivityStatus", "AidType", "BudgetStatus",
    "BudgetType", "CollaborationType", "Country", "Currency", "DescriptionType",
    "DocumentCategory", "FinanceType", "FlowType", "IndicatorMeasure", "Language",
    "OrganisationRole", "OrganisationType", "PolicyMarker", "PolicyMarkerVocabulary",
    "PolicySignificance", "Region", "RegionVocabulary", "RelatedActivityType", "ResultType",
    "Sector", "SectorCategory", "SectorVocabulary", "TagVocabulary", "TiedStatus",
    "TransactionType", "UNSDG-Goals", "UNSDG-Targets",
]
OUT = Path(__file__).resolve().parents[1] / "src" / "tcmap" / "iati" / "codelists"


def items(path: Path) -> list[tuple[str, str, str]]:
    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    out = []
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        name = item.findtext("name/narrative") or item.findtext("name") or ""
        if code:
            out.append((code, " ".join(name.split()), item.get("status") or "active"))
    return out


def main(real: Path) -> None:
    sources = [
        real / "iati-codelists-2013-10",
        real / "iati-codelists-nonembedded-2014" / "xml",
        real / "iati-codelists" / "1.05" / "xml",
        real / "iati-codelists" / "2.03" / "xml",
        real / "iati-codelists-nonembedded" / "xml",
    ]
    for name in LISTS:
        merged: dict[str, tuple[str, str]] = {}
        for folder in sources:
            path = folder / f"{name}.xml"
            if path.exists():
                for code, title, status in items(path):
                    # 1.0x lists use text codes (C, D, Funding); keep only the 2.0x numeric form
                    # where a newer list exists, the 1.0x ones are mapped in version1.yaml.
                    merged[code] = (title, status)
        if not merged:
            print(f"skipped {name}: not found", file=sys.stderr)
            continue
        with (OUT / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["code", "name", "status"])
            for code in sorted(merged, key=lambda c: (len(c), c)):
                w.writerow([code, *merged[code]])
        print(f"{name}: {len(merged)} codes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
         / "shared" / "data" / "real")
