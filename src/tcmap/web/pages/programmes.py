"""Country programmes, their results chains and capacity indicators.

/programmes lists programmes and takes an upload of programme sheets (all or nothing);
/programmes/{code} shows outcomes, outputs, linked activities, the chain as a tree, its
check warnings, and indicators with their figures and the values behind them; analysts
edit outputs, record indicator values and approve them. Every page has its /api twin.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from tcmap.errors import TcmapError
from tcmap.web.app import needs, render, require
from tcmap.web.pages.reports import check_form_csrf
from tcmap.web.security import HttpError
from tcmap.web.uploads import files_sent, read_form, save_upload

MAX_FILES, MAX_BYTES = 10, 10 * 2**20


class OutputEdit(BaseModel):
    """New values for an output's fields, with the version they were written against."""

    statement: str | None = None
    capacity_level: str | None = None
    constituent: str | None = None
    learning_outcome: str | None = None
    institutional_change: str | None = None
    expected_version: int | None = None


class ValueEntry(BaseModel):
    """A target and actual of one period (and cell) of an indicator."""

    period_start: date | None = None
    period_end: date | None = None
    disaggregation: dict[str, str] = {}
    target: float | None = None
    actual: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    evidence: str | None = None
    comment: str | None = None
    expected_version: int | None = None


class Approval(BaseModel):
    """A value's new approval state, with the reason when it is returned."""

    state: str
    note: str | None = None
    expected_version: int | None = None


def _num(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise HttpError(422, "non-numeric-value", f"{text!r} is not a number.",
                        hint="Write numbers with a dot for decimals, e.g. 62.5.") from None


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if (text or "").strip() else None
    except ValueError:
        raise HttpError(422, "bad-date", f"{text!r} is not a date.",
                        hint="Write dates as YYYY-MM-DD.") from None


def list_page(request: Request, report: dict[str, Any] | None = None) -> dict[str, Any]:
    from tcmap.appraisal.gate import gate_programmes
    from tcmap.results.programmes import list_programmes

    with request.app.state.store.session() as s:
        d = list_programmes(s)
        # The country-programme gate: a capacity output for each constituent targeted.
        d["gate"] = gate_programmes(s)
    verdicts = {g["code"]: g for g in d["gate"]["programmes"]}
    for p in d["programmes"]:
        p["gate"] = verdicts.get(p["code"])
    d["import"] = report
    return d


def programme_page(request: Request, code: str) -> dict[str, Any]:
    from tcmap.appraisal.gate import gate_programme
    from tcmap.results.programmes import gate_input
    from tcmap.results.reference import learning_outcomes, results_model
    from tcmap.results.summary import programme_overview
    from tcmap.taxonomy import load_framework

    with request.app.state.store.session() as s:
        d = programme_overview(s, code)
        d["gate"] = gate_programme(gate_input(s, code))
    fw = load_framework(d["programme"]["framework"])
    d["choices"] = {"capacity_levels": [c.code for c in fw.dimensions["capacity_levels"]],
                    "constituents": [c.code for c in fw.dimensions["target_groups"]],
                    "learning_outcomes": list(learning_outcomes()),
                    "approval_states": results_model()["approval_states"]}
    return d


async def receive_sheets(request: Request) -> dict[str, Any]:
    """Import the programme sheets posted (field 'files'); the import's report."""
    from tcmap.results.importing import import_programmes

    who = await run_in_threadpool(require, request, "analyst")
    form = await read_form(request, who, MAX_FILES, 5, f"Send at most {MAX_FILES} .xlsx or "
                           ".csv files in the field 'files'.")
    folder = Path(tempfile.mkdtemp(prefix="tcmap-programmes-"))
    try:
        parts = files_sent(form, "Choose programme sheets (.xlsx, or .csv files named "
                           "…-programmes.csv, …-outcomes.csv, …), sent in the field 'files'.")
        paths = []
        for i, part in enumerate(parts):
            name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(part.filename).name)[-100:] or "sheet"
            path = folder / str(i) / name
            path.parent.mkdir()
            await save_upload(part, path, MAX_BYTES, "the most one sheet may be",
                              "Split the workbook, or import it with `tcmap programme import`.")
            paths.append(path)

        def run() -> dict[str, Any]:
            with request.app.state.store.session() as s, s.begin():
                return import_programmes(s, paths, who.name,
                                         request.app.state.settings.framework)
        return await run_in_threadpool(run)
    finally:
        await form.close()
        shutil.rmtree(folder, ignore_errors=True)


def register(app: FastAPI) -> None:
    @app.get("/api/programmes", summary="Country programmes with their capacity outputs")
    def api_list(request: Request) -> dict[str, Any]:
        require(request)
        return list_page(request)

    @app.get("/programmes", include_in_schema=False)
    def html_list(request: Request):
        require(request)
        return render(request, "programmes.html", list_page(request))

    @app.post("/api/programmes", dependencies=[needs("analyst")],
              summary="Import programme sheets (multipart field 'files'): all or nothing")
    async def api_import(request: Request) -> dict[str, Any]:
        return await receive_sheets(request)

    @app.post("/programmes", include_in_schema=False, dependencies=[needs("analyst")])
    async def html_import(request: Request):
        try:
            report = await receive_sheets(request)
        except HttpError as exc:
            if exc.status == 403:
                raise
            report = {"ok": False, "imported": False, "policy": exc.hint, "problems": [
                {"code": exc.code, "severity": "error", "message": exc.message,
                 "hint": exc.hint}], "counts": {}, "errors": 1, "warnings": 0}
        page = await run_in_threadpool(list_page, request, report)
        return render(request, "programmes.html", page, status=200 if report["ok"] else 422)

    @app.get("/api/programmes/{code}", summary="One programme: outcomes, outputs, activities, "
             "chain, checks, indicators with figures and the values behind them")
    def api_programme(request: Request, code: str) -> dict[str, Any]:
        require(request)
        return programme_page(request, code)

    @app.get("/programmes/{code}", include_in_schema=False)
    def html_programme(request: Request, code: str):
        require(request)
        return render(request, "programme.html", programme_page(request, code))

    @app.get("/api/programmes/{code}/gate",
             summary="The country-programme gate's verdict, with the programme as it reads it")
    def api_gate(request: Request, code: str) -> dict[str, Any]:
        from tcmap.appraisal.gate import gate_programme
        from tcmap.results.programmes import gate_input

        require(request)
        with request.app.state.store.session() as s:
            given = gate_input(s, code)
        return {**gate_programme(given), "input": given}

    def save_output(request: Request, code: str, output: str, edit: OutputEdit):
        from tcmap.results.programmes import edit_output

        who = require(request, "analyst")
        changes = edit.model_dump(exclude={"expected_version"}, exclude_none=True)
        with request.app.state.store.session() as s, s.begin():
            return edit_output(s, code, output, changes, who.name, edit.expected_version)

    @app.put("/api/programmes/{code}/outputs/{output}", dependencies=[needs("analyst")],
             summary="Change an output (409 with the current state on a conflict)")
    def api_output(request: Request, code: str, output: str, edit: OutputEdit):
        check_form_csrf(request, require(request, "analyst"), None)
        return save_output(request, code, output, edit)

    @app.post("/programmes/{code}/outputs/{output}", include_in_schema=False,
              dependencies=[needs("analyst")])
    def html_output(request: Request, code: str, output: str, statement: str = Form(""),
                    capacity_level: str = Form(""), constituent: str = Form(""),
                    learning_outcome: str = Form(""), institutional_change: str = Form(""),
                    expected_version: str = Form(""), csrf_token: str = Form("")):
        check_form_csrf(request, require(request, "analyst"), csrf_token)
        edit = OutputEdit(statement=statement, capacity_level=capacity_level,
                          constituent=constituent, learning_outcome=learning_outcome,
                          institutional_change=institutional_change,
                          expected_version=int(expected_version) if expected_version else None)
        return _form(request, code, f"output-{output}",
                     lambda: save_output(request, code, output, edit))

    def save_value(request: Request, code: str, indicator: str, v: ValueEntry):
        from tcmap.results.values import record_value

        who = require(request, "analyst")
        fields = {k: getattr(v, k) for k in ("target", "actual", "numerator", "denominator",
                                             "evidence", "comment")}
        with request.app.state.store.session() as s, s.begin():
            _own(s, code, indicator)
            return record_value(s, indicator, who.name, v.period_start, v.period_end,
                                v.disaggregation, expected_version=v.expected_version,
                                **fields)

    @app.post("/api/programmes/{code}/indicators/{indicator}/values",
              dependencies=[needs("analyst")],
              summary="Record the target and actual of one period (and cell) of an indicator")
    def api_value(request: Request, code: str, indicator: str, entry: ValueEntry):
        check_form_csrf(request, require(request, "analyst"), None)
        return save_value(request, code, indicator, entry)

    @app.post("/programmes/{code}/indicators/{indicator}/values", include_in_schema=False,
              dependencies=[needs("analyst")])
    def html_value(request: Request, code: str, indicator: str,
                   period_start: str = Form(""), period_end: str = Form(""),
                   disaggregation: str = Form(""), target: str = Form(""),
                   actual: str = Form(""), numerator: str = Form(""),
                   denominator: str = Form(""), evidence: str = Form(""),
                   csrf_token: str = Form("")):
        from tcmap.results.indicators import parse_cell

        check_form_csrf(request, require(request, "analyst"), csrf_token)

        def go():
            try:
                cell = parse_cell(disaggregation)
            except ValueError as exc:
                raise HttpError(422, "bad-disaggregation", f"{exc} is not dimension=category.",
                                hint="Write e.g. sex=female; constituent_type=workers_org."
                                ) from None
            return save_value(request, code, indicator, ValueEntry(
                period_start=_day(period_start), period_end=_day(period_end),
                disaggregation=cell, target=_num(target), actual=_num(actual),
                numerator=_num(numerator), denominator=_num(denominator),
                evidence=evidence or None))
        return _form(request, code, f"indicator-{indicator}", go)

    def save_approval(request: Request, code: str, value_id: int, a: Approval):
        from tcmap.results.values import set_approval
        from tcmap.store.programme import IndicatorValue

        who = require(request, "analyst")
        with request.app.state.store.session() as s, s.begin():
            v = s.get(IndicatorValue, value_id)
            if v is not None:
                _own(s, code, v.indicator_id)
            return set_approval(s, value_id, a.state, who.name, a.note, a.expected_version)

    @app.post("/api/programmes/{code}/values/{value_id}/approval",
              dependencies=[needs("analyst")],
              summary="Approve a value, return it with the reason, or submit it")
    def api_approval(request: Request, code: str, value_id: int, a: Approval):
        check_form_csrf(request, require(request, "analyst"), None)
        return save_approval(request, code, value_id, a)

    @app.post("/programmes/{code}/values/{value_id}/approval", include_in_schema=False,
              dependencies=[needs("analyst")])
    def html_approval(request: Request, code: str, value_id: int, state: str = Form(...),
                      note: str = Form(""), expected_version: str = Form(""),
                      csrf_token: str = Form("")):
        check_form_csrf(request, require(request, "analyst"), csrf_token)
        a = Approval(state=state, note=note or None,
                     expected_version=int(expected_version) if expected_version else None)
        return _form(request, code, "indicators", lambda: save_approval(request, code,
                                                                        value_id, a))


def _own(session, code: str, indicator: int | str) -> None:
    """Refuse to touch an indicator through another programme's address."""
    from tcmap.errors import NotFoundError
    from tcmap.results.indicators import get_indicator
    from tcmap.results.programmes import get_programme

    if get_indicator(session, indicator).programme_id != get_programme(session, code).id:
        raise NotFoundError(f"Programme {code} has no indicator {indicator!r}.",
                            hint=f"See its indicators at /programmes/{code}.")


def _form(request: Request, code: str, anchor: str, action):
    """Run a form's change; on a refusal show the page again with the message."""
    try:
        action()
    except TcmapError as exc:
        if isinstance(exc, HttpError) and exc.status in (401, 403):
            raise
        d = programme_page(request, code)
        d["message"] = f"{exc.message} {exc.hint}".strip()
        d["current"] = getattr(exc, "current", None)
        return render(request, "programme.html", d, status=409 if d["current"] else 422)
    return RedirectResponse(f"/programmes/{code}#{anchor}", status_code=303)
