"""Countries: the index of recipient countries, and one country's portfolio and findings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request

from tcmap.analysis.constituents import CONSTITUENTS, constituents
from tcmap.analysis.frame import FrameFilters, MappedActivity, load_frame
from tcmap.analysis.integration import LEVELS, SPANS, integration, isolated_training
from tcmap.analysis.synergy import load_complementary, scatter_index, synergy
from tcmap.errors import NotFoundError
from tcmap.iati.codes import codelist
from tcmap.portfolio.listing import Filters, facet_counts
from tcmap.taxonomy import Framework, load_framework
from tcmap.web.app import render, require

STATUS_LABELS = {"paired": "paired", "missing_a": "missing: {a}", "missing_b": "missing: {b}",
                 "apart": "both, never in the same years"}


def portfolio_link(**params: Any) -> str:
    """The portfolio narrowed by these parameters (None left out)."""
    return "/activities?" + urlencode({k: v for k, v in params.items() if v is not None})


def countries_page(session) -> dict[str, Any]:
    """The index: every recipient country with its number of activities."""
    names = codelist("Country")
    rows = [{"code": c["code"], "name": names.get(c["code"]), "activities": c["activities"],
             "href": f"/countries/{c['code']}", "portfolio": portfolio_link(country=c["code"])}
            for c in facet_counts(session, Filters())["countries"]]
    rows.sort(key=lambda r: (r["name"] or r["code"]).casefold())
    return {"title": "Countries", "total": len(rows), "countries": rows}


def _figure(d: dict[str, Any]) -> dict[str, Any]:
    """A count and share without the identifiers behind it (the links give those)."""
    return {"count": d["count"], "share": d["share"]}


def _by(frame: list[MappedActivity], framework: Framework, dimension: str, param: str,
        code: str, keep: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Activities per code of a dimension, framework order, with the portfolio's link.

    Codes nobody carries are left out, except those in `keep` (shown with 0).
    """
    counts: dict[str, int] = {c: 0 for c in keep}
    for a in frame:
        for c in set(a.codes(dimension)):
            counts[c] = counts.get(c, 0) + 1
    known = framework.dimensions[dimension].codes if dimension in framework.dimensions else {}
    order = [c for c in known if c in counts] + sorted(c for c in counts if c not in known)
    return [{"code": c, "title": known[c].title if c in known else None, "count": counts[c],
             "href": portfolio_link(country=code, **{param: c}) if counts[c] else None}
            for c in order]


def _group(result: dict[str, Any], code: str, empty: dict[str, Any]) -> dict[str, Any]:
    return next((g for g in result["groups"] if g["country"] == code), empty)


def country_page(session, framework: Framework, code: str) -> dict[str, Any]:
    """One country: its portfolio by code, and the analyses run on its activities."""
    code = code.strip().upper()
    frame = load_frame(session, FrameFilters(countries=[code]), cache=True)
    if not frame:
        raise NotFoundError(f"No activity has the recipient country {code!r}.",
                            hint="See /countries for the countries with activities; use "
                                 "an ISO 3166-1 alpha-2 code such as KE.")
    name = codelist("Country").get(code)
    cap = [a for a in frame if a.capacity_development]

    integ = _group(integration(frame, framework, by="country"), code,
                   integration([], framework)["overall"])
    cons = _group(constituents(frame, framework, by="country"), code,
                  constituents([], framework)["overall"])
    iso = isolated_training(frame, framework)
    scatter = scatter_index(frame, framework)
    comp = load_complementary(None, framework)
    syn = synergy(frame, framework, pairs=comp)
    states = next((c["pairs"] for c in syn["countries"] if c["country"] == code), [])

    pairs = []
    for p in comp.pairs:
        rows = [s for s in states if s["pair"] == p.id]
        labels = {"a": p.a.label, "b": p.b.label}
        pairs.append({
            "pair": p.id, "statement": p.statement, "a": p.a.label, "b": p.b.label,
            "summary": {s: sum(1 for r in rows if r["status"] == s) for s in STATUS_LABELS},
            "outcomes": [{"outcome": r["outcome"],
                          "title": framework.outcomes.codes[r["outcome"]].title
                          if r["outcome"] in framework.outcomes else None,
                          "status": r["status"],
                          "status_label": STATUS_LABELS[r["status"]].format(**labels),
                          "a": len(r["a"]), "b": len(r["b"]), "links": len(r["links"]),
                          "href": portfolio_link(country=code, outcome=r["outcome"])}
                         for r in rows],
        })
    return {
        "title": f"{name} ({code})" if name else code,
        "code": code,
        "name": name,
        "activities": len(frame),
        "capacity_development": len(cap),
        "links": {"portfolio": portfolio_link(country=code),
                  "capacity_development": portfolio_link(country=code,
                                                         capacity_development="true"),
                  "matrix": f"/matrix?country={code}"},
        "by_outcome": _by(frame, framework, "outcomes", "outcome", code),
        "by_modality": _by(frame, framework, "modalities", "modality", code),
        "by_capacity_level": _by(frame, framework, "capacity_levels", "capacity_level", code,
                                 keep=LEVELS),
        "by_constituent": [r for r in _by(frame, framework, "target_groups", "target_group",
                                          code, keep=CONSTITUENTS)
                           if r["code"] in CONSTITUENTS],
        "integration": {
            "definition": integration([], framework)["definition"],
            "activities": integ["activities"],
            "levels": {s: _figure(integ["levels"][s]) for s in SPANS},
            "individual_only": _figure(integ["individual_only"]),
            "reach": {lv: _figure(integ["reach"][lv]) for lv in LEVELS},
        },
        "constituents": {
            "definition": constituents([], framework)["definition"],
            "activities": cons["activities"],
            "coverage": {c: _figure(cons["coverage"][c]) for c in CONSTITUENTS},
            "tripartite": _figure(cons["tripartite"]),
            "bipartite": _figure(cons["bipartite"]),
            "left_out": cons["left_out"],
        },
        "isolated_training": {
            "definition": iso["definition"],
            "clusters": [{k: c[k] for k in ("outcome", "title", "count", "activities",
                                            "modalities", "target_groups", "years")}
                         | {"href": portfolio_link(country=code, outcome=c["outcome"])}
                         for c in iso["clusters"] if c["country"] == code],
        },
        "scatter": {
            "definition": scatter["definition"],
            "clusters": [{k: c[k] for k in ("outcome", "title", "scatter_index", "activities",
                                            "single_modality", "single_modality_share",
                                            "distinct_modalities", "modalities_per_activity")}
                         | {"modalities": {m: len(v) for m, v in c["modalities"].items()},
                            "href": portfolio_link(country=code, outcome=c["outcome"])}
                         for c in scatter["clusters"] if c["country"] == code],
        },
        "pairs": pairs,
        "undated": len(syn["undated"]),
    }


def register(app: FastAPI) -> None:
    def index(request: Request) -> dict[str, Any]:
        require(request)
        with request.app.state.store.session() as s:
            return countries_page(s)

    def one(request: Request, code: str) -> dict[str, Any]:
        require(request)
        with request.app.state.store.session() as s:
            return country_page(s, load_framework(request.app.state.settings.framework), code)

    @app.get("/api/countries", summary="Recipient countries with their numbers of activities")
    def api_countries(request: Request) -> dict[str, Any]:
        return index(request)

    @app.get("/countries", include_in_schema=False)
    def countries(request: Request):
        # The index is small enough to share the country template (one file per page noun).
        return render(request, "country.html", index(request))

    @app.get("/api/countries/{code}", summary="One country: portfolio, integration, pairs")
    def api_country(request: Request, code: str) -> dict[str, Any]:
        return one(request, code)

    @app.get("/countries/{code}", include_in_schema=False)
    def country(request: Request, code: str):
        return render(request, "country.html", one(request, code))
