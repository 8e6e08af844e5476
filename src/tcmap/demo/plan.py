"""Resolve the initiatives of ``initiatives.yaml`` into concrete, seeded activity plans.

A plan is a plain dict that holds everything one ``<iati-activity>`` needs (texts per
language, dates, money, organisations, results) plus its intended label. All random
draws happen here, in YAML order, so one seed always gives the same portfolio.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from tcmap import yamlfile

SPEC_PATH = Path(__file__).parent / "initiatives.yaml"
TEXT_FIELDS = ("title", "description", "objectives", "target")


def load_spec(path: Path = SPEC_PATH) -> dict:
    """Read the initiatives file."""
    with open(path, encoding="utf-8") as handle:
        return yamlfile.load(handle)


def loc(value, lang: str):
    """Pick the ``lang`` version of a localised value, falling back to English."""
    if isinstance(value, dict):
        return value.get(lang, value.get("en"))
    return value


def _date(text) -> dt.date:
    """Turn a YAML date (already a date, or an ISO string) into a date."""
    return text if isinstance(text, dt.date) else dt.date.fromisoformat(str(text))


def _add_months(day: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _merge(base: dict, override: dict | None) -> dict:
    """Merge two mappings one level deep (nested dicts are merged, the rest replaced)."""
    merged = dict(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


class Planner:
    """Turn the spec into activity plans, drawing every random value from one generator."""

    def __init__(self, spec: dict, rng: random.Random):
        self.spec = spec
        self.rng = rng
        self.settings = spec["settings"]
        self.as_of = _date(self.settings["as_of"])
        self.last_day = _date(self.settings["last_day"])
        self.dwcp_codes: dict[tuple[str, str], str] = {}
        self.used_codes: set[str] = set()

    # -- places and organisations -------------------------------------------------------

    def place(self, inst: dict) -> dict:
        """Describe where an instance happens: recipient countries or regions, names, ILO code."""
        countries = inst.get("countries") or ([[inst["country"], 100]] if "country" in inst else [])
        if countries:
            first = self.spec["countries"][countries[0][0]]
            return {"countries": countries, "regions": [], "entry": first,
                    "prefix": first["iso3"], "scope": "4"}
        region = self.spec["regions"][str(inst["region"])]
        return {"countries": [], "regions": [[str(inst["region"]), 100]], "entry": region,
                "prefix": region["ilo"], "scope": region["scope"]}

    def org(self, key: str, place: dict) -> dict:
        """Resolve an organisation key: a named organisation or a national partner type."""
        if key in self.spec["organisations"]:
            return self.spec["organisations"][key]
        kind = self.spec["partners"][key]
        entry = place["entry"]
        own = (entry.get("orgs") or {}).get(key)
        if own:
            return {"type": kind["type"], "name": own}
        names = {lang: text.format(country=loc(entry["name"], lang))
                 for lang, text in kind["name"].items()}
        return {"type": kind["type"], "name": names}

    def dwcp_code(self, prefix: str, outcome: str) -> str:
        """Return a stable DWCP outcome code (ISO-3 or ILO region code + 3 digits)."""
        key = (prefix, outcome)
        if key not in self.dwcp_codes:
            code = prefix + str(self.rng.randint(101, 199))
            while code in self.used_codes:
                code = prefix + str(self.rng.randint(101, 199))
            self.used_codes.add(code)
            self.dwcp_codes[key] = code
        return self.dwcp_codes[key]

    # -- numbers, dates and money -------------------------------------------------------

    def numbers(self, spec: dict) -> dict:
        """Draw the named numbers of an initiative (``n: [low, high, step]``)."""
        drawn = {}
        for name in sorted(spec or {}):
            low, high, *step = spec[name]
            drawn[name] = self.rng.randrange(low, high + 1, step[0] if step else 1)
        return drawn

    def dates(self, init: dict, inst: dict) -> dict:
        """Draw planned and actual dates and derive the activity status."""
        if "start" in inst:
            start = _date(inst["start"])
        else:
            start = dt.date(self.rng.randint(*init["start"]), self.rng.randint(1, 12), 1)
        months = inst.get("months") or self.rng.randint(*init["months"])
        end = min(_add_months(start, months) - dt.timedelta(days=1), self.last_day)
        actual_start = start + dt.timedelta(days=self.rng.randint(0, 40))
        if end <= self.as_of - dt.timedelta(days=180):
            status, actual_end = "4", end
        elif end <= self.as_of:
            status, actual_end = "3", None
        else:
            status, actual_end = "2", None
        if status == "4":
            updated = end + dt.timedelta(days=self.rng.randint(20, 150))
        else:
            updated = self.as_of - dt.timedelta(days=self.rng.randint(0, 60))
        hour, minute = self.rng.randint(7, 18), self.rng.randint(0, 59)
        stamp = f"{updated.isoformat()}T{hour:02d}:{minute:02d}:00Z"
        return {"planned_start": start, "actual_start": actual_start, "planned_end": end,
                "actual_end": actual_end, "status": status, "last_updated": stamp}

    def money(self, init: dict, inst: dict, dates: dict, currency: str, kind: str) -> dict:
        """Draw a total budget, split it by calendar year and derive transactions."""
        low, high = inst.get("budget") or init["budget"]
        rate = self.spec["currencies"][currency]
        total = round(self.rng.randint(low, high) * rate, -3)
        start, end = dates["planned_start"], dates["planned_end"]
        days = (end - start).days + 1
        budgets = []
        for year in range(start.year, end.year + 1):
            first, last = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
            budgets.append((first, last, round(total * ((last - first).days + 1) / days, -2)))
        transactions = [("2", dates["actual_start"], total, None)]
        for first, last, value in budgets:
            if first > self.as_of:
                break
            if last < dates["actual_start"]:
                continue
            paid = min(max(first, dates["actual_start"]) + dt.timedelta(days=15), last)
            if kind == "donor":
                transactions.append(("3", paid, value, "implementer"))
                continue
            if self.rng.random() < 0.45:
                share = round(value * self.rng.uniform(0.1, 0.25), -2)
                transactions.append(("3", min(paid + dt.timedelta(days=45), last), share,
                                     "partner"))
            spent = round(value * self.rng.uniform(0.72, 0.98), -2)
            transactions.append(("4", min(last, self.as_of), spent, None))
        return {"total": total, "budgets": budgets, "transactions": transactions}

    def results(self, templates: list, dates: dict, values: dict) -> list:
        """Instantiate result templates with yearly periods, targets and actual values."""
        start, end = dates["planned_start"], dates["planned_end"]
        years = list(range(start.year, end.year + 1))[:3]
        out = []
        for result in templates or []:
            indicators = []
            for ind in result["indicators"]:
                measure = str(ind.get("measure", 1))
                base = float(ind.get("baseline", 0))
                target = float(str(ind["target"]).format_map(values))
                periods = []
                for i, year in enumerate(years):
                    first = max(start, dt.date(year, 1, 1))
                    last = min(end, dt.date(year, 12, 31))
                    goal = base + (target - base) * (i + 1) / len(years)
                    actual = None
                    if last <= self.as_of:
                        actual = goal * self.rng.uniform(0.6, 1.15)
                        actual = min(actual, 100.0) if measure == "2" else actual
                    periods.append((first, last, round(goal), None if actual is None
                                    else round(actual)))
                indicators.append({**ind, "measure": measure, "baseline": round(base),
                                   "periods": periods})
            out.append({**result, "indicators": indicators})
        return out

    # -- texts and labels ---------------------------------------------------------------

    def texts(self, init: dict, inst: dict, langs: set, values_for) -> dict:
        """Render title, descriptions and evidence in the languages an activity needs."""
        base, over = init.get("text") or {}, inst.get("text") or {}
        rendered = {}
        for lang in sorted(langs):
            merged = _merge(base.get(lang) or {}, over.get(lang))
            if not merged:
                raise ValueError(f"{inst['key']}: no {lang} text")
            values = values_for(lang)
            rendered[lang] = {field: merged[field].strip().format_map(values)
                              for field in TEXT_FIELDS if merged.get(field)}
            rendered[lang]["evidence"] = [e.format_map(values) for e in merged.get("evidence", [])]
        return rendered

    def label(self, init: dict, inst: dict) -> dict:
        """Merge the initiative label with the instance's overrides and apply LABELLING.md rules."""
        label = {"world_of_work": True, "capacity_development": True,
                 **init.get("label", {}), **inst.get("label", {})}
        if not label["world_of_work"]:
            label["outcomes"] = []
        if not label["capacity_development"]:
            label["capacity_levels"], label["target_groups"] = [], []
        if len(label["outcomes"]) > 3:
            raise ValueError(f"{inst['key']}: at most three outcomes")
        return label

    # -- one instance -------------------------------------------------------------------

    def plan(self, init: dict, inst: dict, p1: int) -> dict:
        """Build the plan of one instance of an initiative."""
        orgs = self.spec["organisations"]
        place = self.place(inst)
        langs = inst["lang"] if isinstance(inst["lang"], list) else [inst["lang"]]
        reporter_key = inst.get("reporter", init.get("reporter", "ilo"))
        reporter = orgs[reporter_key]
        kind = reporter.get("kind", "ilo")
        currency = inst.get("currency") or init.get("currency") or reporter.get("currency", "USD")
        label = self.label(init, inst)
        p2 = self.rng.randint(300000, 399999)
        short_id = self.rng.random() < 0.25
        dates = self.dates(init, inst)
        if "id" in inst:
            ident = inst["id"]
        else:
            code = self.dwcp_code(place["prefix"], (label["outcomes"] or ["O0"])[0])
            year = dates["planned_start"].year
            middle = f"{p2}" if short_id else f"{p1}-{p2}"
            ident = f"{reporter['ref']}-{middle}-{year}-{code}"
        values_numbers = {**self.numbers(init.get("numbers")), "year": dates["planned_start"].year}

        def values_for(lang: str) -> dict:
            entry = place["entry"]
            name = loc(entry.get("place", entry["name"]), lang)
            within = loc(entry.get("in") or {}, lang) or f"{self.spec['in_word'][lang]} {name}"
            extra = {k: loc(v, lang) for k, v in (inst.get("vars") or {}).items()}
            return {"country": name, "in_country": within, **values_numbers, **extra}

        needed = {*langs, inst.get("evidence_lang", langs[0])}
        if "title-french-only" in inst.get("quirks", []):
            needed.add("fr")
        texts = self.texts(init, inst, needed, values_for)
        funders = inst.get("funders", init.get("funders", []))
        partners = inst.get("partners", init.get("partners", []))
        implementer = orgs[inst.get("implementer", init.get("implementer", "ilo"))]
        money = self.money(init, inst, dates, currency, kind)
        results = [] if inst.get("results") is False else self.results(
            init.get("results"), dates, values_for("en"))
        return {
            "key": inst["key"], "id": ident, "langs": langs, "texts": texts,
            "evidence_lang": inst.get("evidence_lang", langs[0]), "label": label,
            "reporter": reporter, "kind": kind, "currency": currency, "place": place,
            "funders": [self.org(f, place) for f in funders],
            "partners": [self.org(p, place) for p in partners], "implementer": implementer,
            "sectors": inst.get("sectors") or init["sectors"],
            "markers": inst.get("markers", init.get("markers", [[1, 1]])),
            "sdg": inst.get("sdg", init.get("sdg", [])), "dates": dates, "money": money,
            "results": results, "documents": init.get("documents", []),
            "quirks": inst.get("quirks", []), "parent": inst.get("parent"),
            "related": inst.get("related", []), "humanitarian": init.get("humanitarian"),
        }


def plan_portfolio(spec: dict, rng: random.Random) -> list[dict]:
    """Plan every activity of the portfolio, in YAML order."""
    planner = Planner(spec, rng)
    plans = []
    for init in spec["initiatives"]:
        p1 = rng.randint(100100, 106900)
        for inst in init["instances"]:
            where = inst.get("country") or inst.get("region") or inst["countries"][0][0]
            inst = {"key": f"{init['key']}-{str(where).lower()}", **inst}
            plans.append(planner.plan(init, inst, p1))
    for field in ("key", "id"):
        values = [p[field] for p in plans]
        duplicates = {v for v in values if values.count(v) > 1}
        if duplicates:
            raise ValueError(f"{field}s must be unique: {sorted(duplicates)}")
    return plans
