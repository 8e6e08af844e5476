"""Write the demo IATI 2.03 portfolio and its labels; run ``python -m tcmap.demo.build``.

The portfolio is a pure function of ``initiatives.yaml`` and ``SEED``: planning (all random
draws) lives in :mod:`tcmap.demo.plan`, this module only turns plans into XML and JSON lines.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

from lxml import etree

from tcmap.demo.plan import SPEC_PATH, load_spec, loc, plan_portfolio

HERE = Path(__file__).parent
XML_PATH = HERE / "demo-portfolio.xml"
LABELS_PATH = HERE / "demo-labels.jsonl"
SEED = 2012
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DESCRIPTION_TYPES = (("description", "1"), ("objectives", "2"), ("target", "3"))
LABEL_KEYS = ("id", "world_of_work", "outcomes", "primary_outcome", "capacity_development",
              "modalities", "capacity_levels", "target_groups", "evidence")


def _sub(parent, tag: str, text: str | None = None, **attrib) -> etree._Element:
    """Append a child; keyword ``iso_date`` becomes attribute ``iso-date``, None is skipped."""
    attrs = {k.replace("_", "-"): str(v) for k, v in attrib.items() if v is not None}
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _narrative(parent, text: str | None, lang: str, default: str) -> None:
    """Append a narrative, marking its language only when it is not the activity default."""
    element = _sub(parent, "narrative", text)
    if lang != default:
        element.set(XML_LANG, lang)


def _text(parent, tag: str, value, default: str) -> etree._Element:
    """Append ``<tag><narrative>`` in the default language, else in English."""
    element = _sub(parent, tag)
    lang = default if not isinstance(value, dict) or default in value else "en"
    _narrative(element, loc(value, lang), lang, default)
    return element


def _org(parent, tag: str, org: dict, default: str, role: str | None = None) -> None:
    """Append an organisation element (reporting, participating, provider or receiver)."""
    element = _sub(parent, tag, ref=org.get("ref"), role=role, type=org.get("type"))
    name = org["name"]
    lang = default if not isinstance(name, dict) or default in name else "en"
    _narrative(element, loc(name, lang), lang, default)


def _amount(value: float) -> str:
    """Format an amount without a spurious decimal part."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def _participants(act, plan: dict, default: str) -> None:
    """Append participating organisations in role order: funding, accountable, extending,
    implementing."""
    donor = plan["kind"] == "donor"
    funders = plan["funders"] or ([plan["reporter"]] if donor else [])
    for org in funders:
        _org(act, "participating-org", org, default, "1")
    if not donor:
        _org(act, "participating-org", plan["reporter"], default, "2")
    else:
        _org(act, "participating-org", plan["reporter"], default, "3")
    for org in [plan["implementer"], *plan["partners"]]:
        _org(act, "participating-org", org, default, "4")


def _dates_and_places(act, plan: dict, settings: dict, default: str) -> None:
    """Append status, dates, contact, scope, recipients, sectors, tags and markers."""
    quirks, dates = set(plan["quirks"]), plan["dates"]
    if "no-status" not in quirks:
        _sub(act, "activity-status", code=dates["status"])
    actual_start = dates["actual_start"].isoformat()
    if "malformed-date" in quirks:
        actual_start = settings["quirk_values"]["malformed_date"]
    _sub(act, "activity-date", iso_date=dates["planned_start"].isoformat(), type="1")
    _sub(act, "activity-date", iso_date=actual_start, type="2")
    _sub(act, "activity-date", iso_date=dates["planned_end"].isoformat(), type="3")
    if dates["actual_end"]:
        _sub(act, "activity-date", iso_date=dates["actual_end"].isoformat(), type="4")
    contact = plan["reporter"].get("contact")
    if contact:
        info = _sub(act, "contact-info", type="1")
        _text(info, "organisation", plan["reporter"]["name"], default)
        _sub(info, "email", contact["email"])
        _sub(info, "website", contact["website"])
    _sub(act, "activity-scope", code=plan["place"]["scope"])
    for code, pct in plan["place"]["countries"]:
        element = _sub(act, "recipient-country", code=code, percentage=pct)
        _narrative(element, loc(settings["countries"][code]["name"], default), default, default)
    for code, pct in plan["place"]["regions"]:
        element = _sub(act, "recipient-region", code=code, vocabulary="1", percentage=pct)
        _narrative(element, loc(settings["regions"][code]["name"], default), default, default)
    sectors = [list(s) for s in plan["sectors"]]
    if "unknown-sector" in quirks:
        sectors[-1][0] = settings["quirk_values"]["unknown_sector"]
    if "percentages-not-100" in quirks:
        sectors[-1][1] -= 10
    for code, pct in sectors:
        _sub(act, "sector", vocabulary="1", code=code, percentage=pct)
    if dates["status"] != "4":
        for code in plan["sdg"]:
            _sub(act, "tag", vocabulary="3", code=code)
    for code, significance in plan["markers"]:
        _sub(act, "policy-marker", vocabulary="1", code=code, significance=significance)


def _finance(act, plan: dict, settings: dict) -> None:
    """Append the default finance codes, budgets and transactions."""
    quirks, money, currency = set(plan["quirks"]), plan["money"], plan["currency"]
    _sub(act, "collaboration-type", code="1" if plan["kind"] == "donor" else "2")
    _sub(act, "default-flow-type", code="10")
    _sub(act, "default-finance-type", code="110")
    _sub(act, "default-aid-type", code="C01", vocabulary="1")
    _sub(act, "default-tied-status", code="5")
    budgets = money["budgets"]
    if "budget-text" in quirks:
        budgets = [(budgets[0][0], budgets[-1][1], settings["quirk_values"]["budget_text"])]
    for first, last, value in budgets:
        budget = _sub(act, "budget", type="1", status="2")
        _sub(budget, "period-start", iso_date=first.isoformat())
        _sub(budget, "period-end", iso_date=last.isoformat())
        text = value if isinstance(value, str) else _amount(value)
        _sub(budget, "value", text, currency=currency, value_date=first.isoformat())
    default = plan["langs"][0]
    dropped = False
    for kind, day, value, who in money["transactions"]:
        if who == "partner" and not plan["partners"]:
            continue
        tx = _sub(act, "transaction")
        _sub(tx, "transaction-type", code=kind)
        _sub(tx, "transaction-date", iso_date=day.isoformat())
        drop = "missing-currency" in quirks and kind == "4" and not dropped
        dropped = dropped or drop
        _sub(tx, "value", _amount(value), currency=None if drop else currency,
             value_date=day.isoformat())
        if kind == "2" and plan["funders"] and plan["kind"] != "donor":
            _org(tx, "provider-org", plan["funders"][0], default)
        if who == "implementer":
            _org(tx, "receiver-org", plan["implementer"], default)
        elif who == "partner":
            _org(tx, "receiver-org", plan["partners"][0], default)


def _links(act, plan: dict, ids: dict, children: dict) -> None:
    """Append document links and related activities."""
    default = plan["langs"][0]
    for doc in plan["documents"]:
        link = _sub(act, "document-link", url=doc["url"],
                    format=doc.get("format", "application/pdf"))
        _text(link, "title", doc["title"], default)
        _sub(link, "category", code=doc["category"])
        _sub(link, "language", code=doc.get("language", "en"))
        _sub(link, "document-date", iso_date=plan["dates"]["planned_start"].isoformat())
    if plan["parent"]:
        _sub(act, "related-activity", ref=ids[plan["parent"]], type="1")
    for child in children.get(plan["key"], []):
        _sub(act, "related-activity", ref=ids[child], type="2")
    for rel in plan["related"]:
        _sub(act, "related-activity", ref=ids[rel["key"]], type=rel["type"])


def _results(act, plan: dict) -> None:
    """Append results with indicators, baselines and yearly periods."""
    default, start = plan["langs"][0], plan["dates"]["planned_start"]
    for result in plan["results"]:
        res = _sub(act, "result", type=result["type"], aggregation_status="1")
        _text(res, "title", result["title"], default)
        for ind in result["indicators"]:
            indicator = _sub(res, "indicator", measure=ind["measure"], ascending="1")
            _text(indicator, "title", ind["title"], default)
            _sub(indicator, "baseline", year=start.year, iso_date=start.isoformat(),
                 value=ind["baseline"])
            for first, last, target, actual in ind["periods"]:
                period = _sub(indicator, "period")
                _sub(period, "period-start", iso_date=first.isoformat())
                _sub(period, "period-end", iso_date=last.isoformat())
                _sub(period, "target", value=target)
                if actual is not None:
                    _sub(period, "actual", value=actual)


def _whitespace(text: str) -> str:
    """Break a narrative the way hand-edited files do: newlines and indentation inside."""
    return "\n          " + text.replace(". ", ".\n          ", 1) + "\n        "


def activity(plan: dict, spec: dict, ids: dict, children: dict) -> etree._Element:
    """Build one ``<iati-activity>`` element from its plan, in IATI 2.03 element order."""
    quirks, default, texts = set(plan["quirks"]), plan["langs"][0], plan["texts"]
    settings = {**spec["settings"], "countries": spec["countries"], "regions": spec["regions"]}
    act = etree.Element("iati-activity")
    act.set("last-updated-datetime", plan["dates"]["last_updated"])
    act.set(XML_LANG, default)
    if "missing-currency" not in quirks:
        act.set("default-currency", plan["currency"])
    if plan["humanitarian"]:
        act.set("humanitarian", "1")
    act.set("hierarchy", "1")
    if "no-identifier" not in quirks:
        _sub(act, "iati-identifier", plan["id"])
    _org(act, "reporting-org", plan["reporter"], default)
    title = _sub(act, "title")
    for lang in ["fr"] if "title-french-only" in quirks else plan["langs"]:
        _narrative(title, texts[lang]["title"], lang, default)
    for field, code in DESCRIPTION_TYPES:
        langs = [lang for lang in plan["langs"] if texts[lang].get(field)]
        if not langs:
            continue
        description = _sub(act, "description", type=code)
        for lang in langs:
            text = texts[lang][field]
            if field == "description" and "empty-description" in quirks:
                text = None
            elif field == "description" and "narrative-whitespace" in quirks:
                text = _whitespace(text)
            _narrative(description, text, lang, default)
    _participants(act, plan, default)
    _dates_and_places(act, plan, settings, default)
    _finance(act, plan, settings)
    _links(act, plan, ids, children)
    _results(act, plan)
    _check_evidence(act, plan)
    return act


def _check_evidence(act, plan: dict) -> None:
    """Fail loudly unless every evidence phrase is copied verbatim from a title or description."""
    written = " | ".join(n.text or "" for n in act.iterfind("title/narrative"))
    written += " | ".join(n.text or "" for n in act.iterfind("description/narrative"))
    evidence = plan["texts"][plan["evidence_lang"]]["evidence"]
    if not 1 <= len(evidence) <= 3:
        raise ValueError(f"{plan['key']}: evidence needs 1-3 phrases, got {len(evidence)}")
    for phrase in evidence:
        if phrase not in written:
            raise ValueError(f"{plan['key']}: evidence not in text: {phrase!r}")


def _duplicate(act: etree._Element, plan: dict) -> etree._Element:
    """Return a slightly different second copy of an activity that reuses its identifier."""
    twin = copy.deepcopy(act)
    twin.set("last-updated-datetime", plan["dates"]["last_updated"][:10] + "T23:59:00Z")
    for link in twin.findall("document-link"):
        twin.remove(link)
    budget = twin.find("budget/value")
    if budget is not None:
        budget.text = _amount(round(float(budget.text) * 1.1, -2))
    return twin


def label_line(plan: dict) -> str:
    """Return the JSON line that labels one activity, keys in LABELLING.md order."""
    label = plan["label"]
    outcomes = list(label["outcomes"])
    record = {
        "id": plan["id"], "world_of_work": label["world_of_work"], "outcomes": outcomes,
        "primary_outcome": outcomes[0] if outcomes else None,
        "capacity_development": label["capacity_development"],
        "modalities": list(label["modalities"]), "capacity_levels": list(label["capacity_levels"]),
        "target_groups": list(label["target_groups"]),
        "evidence": plan["texts"][plan["evidence_lang"]]["evidence"],
    }
    return json.dumps({key: record[key] for key in LABEL_KEYS}, ensure_ascii=False)


def build_demo(xml_path: Path | str = XML_PATH, labels_path: Path | str | None = None,
               spec_path: Path | str = SPEC_PATH) -> int:
    """Write the portfolio XML (and, if asked, the labels) and return the activity count."""
    spec = load_spec(Path(spec_path))
    plans = plan_portfolio(spec, random.Random(SEED))
    ids = {plan["key"]: plan["id"] for plan in plans}
    children: dict[str, list[str]] = {}
    for plan in plans:
        if plan["parent"]:
            children.setdefault(plan["parent"], []).append(plan["key"])
    settings = spec["settings"]
    root = etree.Element("iati-activities", version=settings["version"],
                         **{"generated-datetime": settings["generated_datetime"]})
    root.append(etree.Comment(settings["comment"]))
    lines, seen = [], set()
    for plan in plans:
        act = activity(plan, spec, ids, children)
        root.append(act)
        if "duplicate-identifier" in plan["quirks"]:
            root.append(_duplicate(act, plan))
        if "no-identifier" not in plan["quirks"] and plan["id"] not in seen:
            seen.add(plan["id"])
            lines.append(label_line(plan))
    data = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    Path(xml_path).write_bytes(data)
    if labels_path is not None:
        Path(labels_path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(root.findall("iati-activity"))


def main() -> None:
    """Rewrite the two committed output files next to this module."""
    count = build_demo(XML_PATH, LABELS_PATH)
    print(f"wrote {count} activities to {XML_PATH.name} and labels to {LABELS_PATH.name}")


if __name__ == "__main__":
    main()
