"""Capacity assessments: the list with a form to start one, one assessment with its scores,
gaps, chart and forms (ratings, desired levels, response actions, verification, a follow-up
round), and the report as an HTML download. Every page and change has a JSON twin under /api.
Analysts write; viewers read.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from tcmap import assessment as lib
from tcmap.assessment.assessments import bad
from tcmap.assessment.report import level_charts, render_report_html
from tcmap.errors import TcmapError
from tcmap.taxonomy import load_framework
from tcmap.web.app import needs, render, require
from tcmap.web.security import HttpError, Principal, check_csrf

# The report is self-contained (inline styles and SVG); it needs nothing else to display.
REPORT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                  "X-Content-Type-Options": "nosniff"}


class NewAssessment(BaseModel):
    """What starting an assessment needs (round 1)."""

    constituent: str
    constituent_type: str
    country: str | None = None
    why: str = ""
    for_whom: str = ""
    for_what: str = ""
    instrument: str = lib.DEFAULT_INSTRUMENT
    scope: list[str] = Field(default_factory=list)
    assessed_on: str | None = None


class Ratings(BaseModel):
    """Ratings: question, score (number or "N/A"), and optionally evidence, source,
    expected_version; all or nothing."""

    ratings: list[dict[str, Any]]
    source: str = "self"


class Desired(BaseModel):
    cell: str
    score: int
    set_by: str
    expected_version: int | None = None


class Action(BaseModel):
    cell: str
    horizon: str
    lever: str
    description: str
    responsible: str = ""
    cost: float | None = None
    currency: str | None = None
    linked_output: str | None = None
    linked_activity: str | None = None
    action_id: int | None = None
    expected_version: int | None = None


class Verification(BaseModel):
    question: str
    score: str
    note: str = ""


class NewRound(BaseModel):
    assessed_on: str | None = None


def _fw(request: Request):
    return load_framework(request.app.state.settings.framework)


def _csrf(request: Request, who: Principal, sent: str | None = None) -> None:
    """A session's change must carry its CSRF token; API tokens need none."""
    if who.csrf is not None:
        check_csrf(request.app.state.secret, who.csrf, sent or request.headers.get(
            "x-csrf-token"))


def index_page(request: Request, filters: dict[str, str | None]) -> dict[str, Any]:
    """The assessments, newest first, and what the form to start one offers."""
    require(request)
    fw = _fw(request)
    with request.app.state.store.session() as s:
        rows = lib.list_assessments(s, filters.get("constituent"), filters.get("country"),
                                    filters.get("type"))
        instruments = lib.list_instruments(s)  # the default first: the form's choice
    levels = {lv["code"]: lv["title"] for i in instruments for lv in i["levels"]}
    return {"title": "Capacity assessments", "filters": filters, "assessments": rows,
            "instruments": instruments,
            "levels": [{"code": k, "title": v} for k, v in levels.items()],
            "constituent_types": [{"code": c.code, "title": c.title}
                                  for c in fw.dimension("target_groups")]}


def assessment_page(request: Request, assessment_id: int) -> dict[str, Any]:
    """One assessment as show_assessment gives it, plus one SVG chart per level."""
    require(request)
    with request.app.state.store.session() as s:
        d = lib.show_assessment(s, assessment_id, _fw(request))
    d["charts"] = level_charts(d)
    return d


def register(app: FastAPI) -> None:
    store = app.state.store

    def change(request: Request, fn, *args, **kwargs):
        """Run one library change in a transaction, as the person asking."""
        who = require(request, "analyst")
        with store.session() as s, s.begin():
            return fn(s, *args, by=who.name, **kwargs)

    @app.get("/api/assessments", summary="The capacity assessments, newest first")
    def api_index(request: Request, constituent: str | None = None, country: str | None = None,
                  type: str | None = None) -> dict[str, Any]:
        return index_page(request, {"constituent": constituent, "country": country,
                                    "type": type})

    @app.get("/assessments", include_in_schema=False)
    def index(request: Request, constituent: str | None = None, country: str | None = None,
              type: str | None = None):
        return render(request, "assessments.html", index_page(
            request, {"constituent": constituent, "country": country, "type": type}))

    def create(request: Request, body: NewAssessment) -> dict[str, Any]:
        return change(request, lambda s, by: lib.new_assessment(
            s, _fw(request), by=by, **body.model_dump()))

    @app.post("/api/assessments", dependencies=[needs("analyst")], status_code=201,
              summary="Start an assessment (round 1)")
    def api_create(request: Request, body: NewAssessment) -> dict[str, Any]:
        _csrf(request, require(request, "analyst"))
        return create(request, body)

    @app.post("/assessments", include_in_schema=False, dependencies=[needs("analyst")])
    async def form_create(request: Request):
        form = await request.form()
        who = require(request, "analyst")
        _csrf(request, who, form.get("csrf_token"))
        body = NewAssessment(
            constituent=form.get("constituent", ""), constituent_type=form.get("type", ""),
            country=form.get("country") or None, why=form.get("why", ""),
            for_whom=form.get("for_whom", ""), for_what=form.get("for_what", ""),
            instrument=form.get("instrument") or lib.DEFAULT_INSTRUMENT,
            scope=[x for x in form.getlist("scope") if x], assessed_on=form.get("date") or None)
        try:
            h = await run_in_threadpool(create, request, body)
        except HttpError:
            raise
        except TcmapError as exc:
            d = await run_in_threadpool(index_page, request, {})
            d["message"] = f"{exc.message} {exc.hint}"
            return render(request, "assessments.html", d, status=400)
        return RedirectResponse(f"/assessments/{h['id']}", status_code=303)

    @app.get("/api/assessments/{id}", summary="One assessment: scores, gaps, response, rounds")
    def api_page(request: Request, id: int) -> dict[str, Any]:
        return assessment_page(request, id)

    @app.get("/assessments/{id}", include_in_schema=False)
    def page(request: Request, id: int):
        return render(request, "assessment.html", assessment_page(request, id))

    @app.get("/api/assessments/{id}/report", summary="The assessment report's content (JSON)")
    def api_report(request: Request, id: int) -> dict[str, Any]:
        require(request)
        with store.session() as s:
            return lib.show_assessment(s, id, _fw(request))

    @app.get("/assessments/{id}/report", include_in_schema=False)
    def report(request: Request, id: int):
        d = api_report(request, id)
        return HTMLResponse(render_report_html(d), headers={
            **REPORT_HEADERS,
            "Content-Disposition": f'attachment; filename="assessment-{id}.html"'})

    # The JSON twins of the changes.
    @app.post("/api/assessments/{id}/ratings", dependencies=[needs("analyst")],
              summary="Record ratings (all or nothing; 400 with the problems)")
    def api_rate(request: Request, id: int, body: Ratings) -> dict[str, Any]:
        _csrf(request, require(request, "analyst"))
        return rate(request, id, body)

    def rate(request: Request, id: int, body: Ratings) -> dict[str, Any]:
        report = change(request, lib.rate_many, id, body.ratings, source=body.source)
        if not report["ok"]:
            raise HttpError(400, "ratings-refused", _summary(report),
                            "Correct the rows listed and send them again; nothing was "
                            "written.", {"report": report})
        return report

    @app.post("/api/assessments/{id}/desired", dependencies=[needs("analyst")],
              summary="Set the desired level of a cell (or of all cells under a prefix)")
    def api_desire(request: Request, id: int, body: Desired) -> list[dict[str, Any]]:
        _csrf(request, require(request, "analyst"))
        return change(request, lib.set_desired, id, body.cell, body.score,
                      set_by=body.set_by, expected_version=body.expected_version)

    @app.post("/api/assessments/{id}/actions", dependencies=[needs("analyst")],
              summary="Add (or, with action_id, change) a response action")
    def api_action(request: Request, id: int, body: Action) -> dict[str, Any]:
        _csrf(request, require(request, "analyst"))
        return change(request, lib.save_action, id, **body.model_dump())

    @app.post("/api/assessments/{id}/verify", dependencies=[needs("analyst")],
              summary="Verify a consensus score")
    def api_verify(request: Request, id: int, body: Verification) -> dict[str, Any]:
        _csrf(request, require(request, "analyst"))
        return change(request, lib.verify, id, body.question, body.score, note=body.note)

    @app.post("/api/assessments/{id}/rounds", dependencies=[needs("analyst")],
              status_code=201, summary="Start the follow-up round")
    def api_round(request: Request, id: int, body: NewRound) -> dict[str, Any]:
        _csrf(request, require(request, "analyst"))
        return change(request, lib.start_round, id, assessed_on=body.assessed_on)

    # The forms of the assessment page: each redirects back, or shows the page with why not.
    async def form_change(request: Request, id: int, anchor: str, make):
        form = await request.form()
        who = require(request, "analyst")
        _csrf(request, who, form.get("csrf_token"))
        try:
            result = await run_in_threadpool(make, form)
        except HttpError as exc:
            if exc.code != "ratings-refused":
                raise
            message, result = exc.message, None
        except TcmapError as exc:
            message, result = f"{exc.message} {exc.hint}", None
        if result is not None:
            target = result if isinstance(result, str) else f"/assessments/{id}#{anchor}"
            return RedirectResponse(target, status_code=303)
        d = await run_in_threadpool(assessment_page, request, id)
        d["message"] = message
        return render(request, "assessment.html", d, status=400)

    @app.post("/assessments/{id}/ratings", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def form_rate(request: Request, id: int):
        def make(form):
            qids = [k[6:] for k in form if k.startswith("score-")]
            rows = [{"question": q, "score": form.get(f"score-{q}", ""),
                     "evidence": form.get(f"evidence-{q}", "")} for q in qids]
            return rate(request, id, Ratings(ratings=rows, source=form.get("source") or "self"))
        return await form_change(request, id, "ratings", make)

    @app.post("/assessments/{id}/desired", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def form_desire(request: Request, id: int):
        return await form_change(request, id, "desired", lambda f: change(
            request, lib.set_desired, id, f.get("cell", ""), f.get("score", ""),
            set_by=f.get("set_by", "")))

    @app.post("/assessments/{id}/actions", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def form_action(request: Request, id: int):
        def make(f):
            cost = (f.get("cost") or "").replace(",", "").strip()
            try:
                amount = float(cost) if cost else None
            except ValueError:
                raise bad(f"The cost {cost!r} is not a number.",
                          "Give the amount in figures, e.g. 12000.") from None
            return change(request, lib.save_action, id, cell=f.get("cell", ""),
                          horizon=f.get("horizon", ""), lever=f.get("lever", ""),
                          description=f.get("description", ""),
                          responsible=f.get("responsible", ""), cost=amount,
                          currency=f.get("currency") or None,
                          linked_output=f.get("linked_output") or None,
                          linked_activity=f.get("linked_activity") or None)
        return await form_change(request, id, "response", make)

    @app.post("/assessments/{id}/verify", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def form_verify(request: Request, id: int):
        return await form_change(request, id, "ratings", lambda f: change(
            request, lib.verify, id, f.get("question", ""), f.get("score", ""),
            note=f.get("note", "")))

    @app.post("/assessments/{id}/rounds", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def form_round(request: Request, id: int):
        def make(f):
            h = change(request, lib.start_round, id, assessed_on=f.get("date") or None)
            return f"/assessments/{h['id']}"
        return await form_change(request, id, "rounds", make)


def _summary(report: dict[str, Any]) -> str:
    """The problems of a refused batch of ratings, in one sentence."""
    parts = [f"{p.get('value') or ''}: {p['message']}".strip(": ")
             for p in report["problems"][:5]]
    more = len(report["problems"]) - 5 + report.get("more_problems", 0)
    return (f"{len(report['problems']) + report.get('more_problems', 0)} rating(s) refused, "
            f"nothing saved: " + "; ".join(parts) + (f"; and {more} more." if more > 0 else "."))
