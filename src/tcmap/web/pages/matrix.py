"""The mapping matrix: activities per pair of framework codes, each count a link to its list."""

from __future__ import annotations

from math import ceil
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request

from tcmap.analysis.coverage import coverage
from tcmap.analysis.frame import SET_DIMENSIONS, FrameFilters, load_frame
from tcmap.errors import ConfigError
from tcmap.taxonomy import Framework, load_framework
from tcmap.web.app import render, require

# The portfolio's query parameter for each dimension a matrix can cross.
PARAMS = {"outcomes": "outcome", "modalities": "modality",
          "capacity_levels": "capacity_level", "target_groups": "target_group"}
# Light to dark, each with a text colour readable on it (WCAG AA contrast).
PALETTE = (("#ffffff", "#1b1b1b"), ("#deebf7", "#1b1b1b"), ("#9ecae1", "#1b1b1b"),
           ("#4a90c8", "#000000"), ("#2166ac", "#ffffff"), ("#08306b", "#ffffff"))
STEPS = len(PALETTE) - 1
# A year, or nothing: the HTML form sends its empty fields.
YEAR = r"^(\d{4})?$"


def level(count: int, top: int) -> int:
    """The palette step of a count: 0 for none, then STEPS equal bands up to the largest."""
    return 0 if count <= 0 or top <= 0 else min(STEPS, ceil(STEPS * count / top))


def legend(top: int) -> list[dict[str, Any]]:
    """The palette with the counts each step stands for (steps no count falls in left out)."""
    out = [{"level": 0, "background": PALETTE[0][0], "color": PALETTE[0][1], "min": 0,
            "max": 0}]
    for k in range(1, STEPS + 1):
        lo, hi = (k - 1) * top // STEPS + 1, k * top // STEPS
        if top and lo <= hi:
            out.append({"level": k, "background": PALETTE[k][0], "color": PALETTE[k][1],
                        "min": lo, "max": hi})
    return out


def _label(title: str | None, code: str, dimension: str) -> str:
    """A short header: the outcome's code and title, else the code in words (titles of the
    other dimensions are descriptions, kept for the tooltip)."""
    if dimension == "outcomes":
        return f"{code} {title}" if title else code
    return code.replace("_", " ").capitalize()


def matrix_page(session, framework: Framework, rows: str = "outcomes",
                cols: str = "modalities", country: str | None = None,
                publisher: str | None = None, year_from: int | None = None,
                year_to: int | None = None, only_capacity: bool = True,
                full: bool = False) -> dict[str, Any]:
    """The matrix page's data: counts per cell with links to the activities behind them.

    With `full`, each cell also lists its activities' identifiers (for the API only: a
    portfolio's matrix can hold thousands).
    """
    if rows == cols:
        raise ConfigError(f"rows and cols are both {rows}; a matrix crosses two dimensions.",
                          hint=f"Choose two different ones among {', '.join(SET_DIMENSIONS)}.")
    country = country.strip().upper() if country else None
    frame = load_frame(session, FrameFilters(
        countries=[country] if country else None, publishers=[publisher] if publisher else None,
        year_from=year_from, year_to=year_to), cache=True)
    result = coverage(frame, framework, rows, cols, only_capacity=only_capacity)
    matrix = result["matrices"][0]
    # The same narrowing as the frame, in the portfolio's terms, so a link lists the cell.
    narrow = {"country": country, "publisher": publisher,
              "capacity_development": "true" if only_capacity else None}

    def href(row: str, col: str) -> str:
        q = {PARAMS[rows]: row, PARAMS[cols]: col, **narrow}
        return "/activities?" + urlencode({k: v for k, v in q.items() if v})

    top = max((c["count"] for c in matrix["cells"]), default=0)
    cells = []
    for c in matrix["cells"]:
        cell = {"row": c["row"], "col": c["col"], "count": c["count"],
                "level": level(c["count"], top),
                "href": href(c["row"], c["col"]) if c["count"] else None}
        if full:
            cell["activities"] = c["activities"]
        cells.append(cell)
    filters = {"country": country, "publisher": publisher, "from": year_from, "to": year_to}
    filters = {k: v for k, v in filters.items() if v is not None}
    notes = result["notes"][:2]  # how cells count; the rest is about money, not shown here
    notes.append("Each number links to the portfolio filtered to the cell's two codes"
                 + (", the country" if country else "") + (", the publisher" if publisher
                                                           else "")
                 + (" and to capacity development" if only_capacity else "") + ".")
    if year_from is not None or year_to is not None:
        notes.append("The matrix counts activities running in the years chosen; the "
                     "portfolio cannot filter by a range of years, so a linked list shows "
                     "the cell's activities of every year.")
    where = ", ".join(str(v) for v in filters.values())
    dims = {d: d.replace("_", " ") for d in SET_DIMENSIONS if d in framework.dimensions}
    return {
        "title": "Mapping matrix",
        "caption": (f"{'Capacity-development activities' if only_capacity else 'Activities'}"
                    f" by {dims[rows]} (rows) and {dims[cols]} (columns)"
                    + (f", {where}" if where else "") + ". A cell counts the activities "
                    "having both codes."),
        "framework": result["framework"],
        "options": {"rows": rows, "cols": cols, "only_capacity": only_capacity},
        "filters": filters,
        "dimensions": [{"code": d, "label": label} for d, label in dims.items()],
        "rows": [{**r, "label": _label(r.get("title"), r["code"], rows)}
                 for r in result["rows"]],
        "cols": [{**c, "label": _label(c.get("title"), c["code"], cols)}
                 for c in result["cols"]],
        "row_groups": [{"code": g["code"], "title": g["title"]}
                       for g in result["row_groups"]],
        "cells": cells,
        "row_totals": [{"row": t["row"], "count": t["count"]} for t in matrix["row_totals"]],
        "col_totals": [{"col": t["col"], "count": t["count"]} for t in matrix["col_totals"]],
        "total": matrix["total"]["count"],
        "max": top,
        "legend": legend(top),
        "activities": result["activities"],
        "notes": notes,
        "problems": result["problems"],
    }


def register(app: FastAPI) -> None:
    def query(request: Request,
              rows: str = Query("outcomes", description="The dimension down the side"),
              cols: str = Query("modalities", description="The dimension across the top"),
              country: str | None = None, publisher: str | None = None,
              year_from: str | None = Query(None, alias="from", pattern=YEAR),
              year_to: str | None = Query(None, alias="to", pattern=YEAR),
              only_capacity: bool = True) -> dict[str, Any]:
        require(request)
        return {"rows": rows, "cols": cols, "country": country or None,
                "publisher": publisher or None,
                "year_from": int(year_from) if year_from else None,
                "year_to": int(year_to) if year_to else None,
                "only_capacity": only_capacity}

    def build(request: Request, options: dict[str, Any], full: bool = False):
        framework = load_framework(request.app.state.settings.framework)
        key = ("matrix", framework.version, full, *sorted(options.items()))
        with request.app.state.store.session() as s:
            return request.app.state.memo.get(
                s, key, lambda: matrix_page(s, framework, **options, full=full))

    @app.get("/api/matrix", summary="Activities per pair of framework codes, with links")
    def api_matrix(request: Request, options: dict = Depends(query),
                   cells: str = Query("counts", pattern="^(counts|full)$")) -> dict[str, Any]:
        return build(request, options, full=cells == "full")

    @app.get("/matrix", include_in_schema=False)
    def matrix(request: Request, options: dict = Depends(query)):
        return render(request, "matrix.html", build(request, options))
