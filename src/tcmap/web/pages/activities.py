"""The portfolio (a list with facets, search, sorting and paging) and one activity in full."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request

from tcmap.portfolio import activity_detail
from tcmap.portfolio.listing import SORTS, Filters, facet_counts, list_activities
from tcmap.store.search import refresh
from tcmap.taxonomy import load_framework
from tcmap.web.app import render, require

PER_PAGE = 50
FACETS = (("outcome", "outcomes"), ("modality", "modalities"),
          ("capacity_level", "capacity_levels"), ("target_group", "target_groups"),
          ("country", "countries"))


def portfolio_page(session, filters: Filters, page: int, per_page: int, sort: str,
                   framework: str) -> dict[str, Any]:
    """The portfolio page's data: the activities, the facet counts, the links between pages."""
    result = list_activities(session, filters, limit=per_page, offset=(page - 1) * per_page,
                             sort=sort)
    counts = facet_counts(session, filters)
    fw = load_framework(framework)
    query = {**filters.to_dict(), "sort": sort}

    def link(**changes):
        q = {**query, **changes}
        return "?" + urlencode({k: v for k, v in q.items() if v not in (None, "", False)})

    facets = []
    for param, dim in FACETS:
        titles = fw.dimensions[dim].codes if dim in fw.dimensions else {}
        facets.append({
            "param": param, "dimension": dim, "selected": getattr(filters, param),
            "values": [{"code": v["code"], "activities": v["activities"],
                        "title": titles[v["code"]].title if v["code"] in titles else None,
                        "href": link(**{param: v["code"], "page": 1})}
                       for v in counts.get(dim, [])[:25]],
            "clear": link(**{param: None, "page": 1}),
        })
    pages = max(1, -(-result["total"] // per_page))
    return {
        "title": "Portfolio", "filters": filters.to_dict(), "sort": sort,
        "sorts": list(SORTS), "total": result["total"], "page": page, "pages": pages,
        "per_page": per_page, "activities": result["activities"], "facets": facets,
        "downloads": {"csv": "/activities.csv" + link(page=None),
                      "xlsx": "/activities.xlsx" + link(page=None)},
        "links": {"prev": link(page=page - 1) if page > 1 else None,
                  "next": link(page=page + 1) if page < pages else None,
                  "sort": {k: link(sort=k, page=1) for k in SORTS}},
    }


def _from_page(page: dict[str, Any]) -> Filters:
    return Filters(**page["filters"])


def _filters(outcome, modality, capacity_level, target_group, country, region, publisher,
             status, year, review, world_of_work, capacity_development, q) -> Filters:
    return Filters(publisher=publisher, country=country, region=region, status=status,
                   year=year, q=q, outcome=outcome, modality=modality,
                   capacity_level=capacity_level, target_group=target_group,
                   world_of_work=world_of_work, capacity_development=capacity_development,
                   review=review)


def register(app: FastAPI) -> None:
    def query(request: Request, outcome: str | None = None, modality: str | None = None,
              capacity_level: str | None = None, target_group: str | None = None,
              country: str | None = None, region: str | None = None,
              publisher: str | None = None, status: str | None = None,
              year: int | None = None, review: str | None = Query(None,
                                                                  pattern="^(reviewed|machine)$"),
              world_of_work: bool | None = None, capacity_development: bool | None = None,
              q: str | None = None, sort: str = "identifier", page: int = Query(1, ge=1),
              per_page: int = Query(PER_PAGE, ge=1, le=500)) -> dict[str, Any]:
        require(request)
        filters = _filters(outcome, modality, capacity_level, target_group, country, region,
                           publisher, status, year, review, world_of_work,
                           capacity_development, q)
        framework = request.app.state.settings.framework
        if filters.q:
            # Bring the search index up to date before the session's first read (its snapshot
            # must include the refreshed index; the memo's version check is that first read).
            refresh(request.app.state.store.engine)
        with request.app.state.store.session() as s:
            key = ("list", repr(filters), page, per_page, sort, framework)
            return request.app.state.memo.get(
                s, key, lambda: portfolio_page(s, filters, page, per_page, sort, framework))

    @app.get("/activities.csv", summary="The current selection as CSV")
    def activities_csv(request: Request, page: dict = Depends(query)):
        from fastapi.responses import Response

        from tcmap.portfolio.export import export_rows, to_csv

        with request.app.state.store.session() as s:
            rows = export_rows(s, _from_page(page))
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="activities.csv"'})

    @app.get("/activities.xlsx", summary="The current selection as XLSX")
    def activities_xlsx(request: Request, page: dict = Depends(query)):
        from fastapi.responses import Response

        from tcmap.portfolio.export import export_rows, to_xlsx

        with request.app.state.store.session() as s:
            rows = export_rows(s, _from_page(page))
        return Response(to_xlsx(rows), media_type="application/vnd.openxmlformats-"
                        "officedocument.spreadsheetml.sheet", headers={
                            "Content-Disposition": 'attachment; filename="activities.xlsx"'})

    @app.get("/api/activities", summary="The portfolio: activities with facets and search")
    def api_activities(page: dict = Depends(query)) -> dict[str, Any]:
        return page

    @app.get("/activities", include_in_schema=False)
    def activities(request: Request, page: dict = Depends(query)):
        return render(request, "activities.html", page)

    def detail(request: Request, identifier: str) -> dict[str, Any]:
        require(request)
        with request.app.state.store.session() as s:
            d = request.app.state.memo.get(s, ("activity", identifier),
                                           lambda: activity_detail(s, identifier))
        d["title_text"] = d["title"]
        return d

    @app.get("/api/activities/{identifier:path}", summary="One activity in full")
    def api_activity(request: Request, identifier: str) -> dict[str, Any]:
        return detail(request, identifier)

    @app.get("/activities/{identifier:path}", include_in_schema=False)
    def activity(request: Request, identifier: str):
        return activity_html(request, identifier)

    def activity_html(request: Request, identifier: str, message: str = "",
                      status: int = 200, current: dict | None = None):
        d = detail(request, identifier)
        fw = load_framework(request.app.state.settings.framework)
        dims = {name: list(dim.codes) for name, dim in fw.dimensions.items()}
        dims["world_of_work"] = dims["capacity_development"] = ["true", "false"]
        return render(request, "activity.html",
                      {**d, "title": d["identifier"], "message": message, "current": current,
                       "codes": dims}, status=status)

    app.state.activity_html = activity_html

