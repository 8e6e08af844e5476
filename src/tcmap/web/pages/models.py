"""Intervention models: the list by outcome, one page per approach, section edits."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from tcmap.errors import ConflictError
from tcmap.interventions import edit_section, model_index, model_page
from tcmap.taxonomy import load_framework
from tcmap.web.app import needs, render, require
from tcmap.web.security import check_csrf


class SectionEdit(BaseModel):
    """A new text for one section, with the version it was written against."""

    text: str
    expected_version: int | None = None


def register(app: FastAPI) -> None:
    def fw(request: Request):
        return load_framework(request.app.state.settings.framework)

    def index(request: Request) -> dict[str, Any]:
        require(request)
        with request.app.state.store.session() as s:
            return model_index(s, fw(request))

    def page(request: Request, code: str) -> dict[str, Any]:
        require(request)
        with request.app.state.store.session() as s:
            return model_page(s, fw(request), code)

    @app.get("/api/models", summary="The intervention models, by outcome")
    def api_models(request: Request) -> dict[str, Any]:
        return index(request)

    @app.get("/models", include_in_schema=False)
    def models(request: Request):
        return render(request, "models.html", index(request))

    @app.get("/api/models/{code}", summary="One intervention model with where it was used")
    def api_model(request: Request, code: str) -> dict[str, Any]:
        return page(request, code)

    @app.get("/models/{code}", include_in_schema=False)
    def model(request: Request, code: str):
        return render(request, "model.html", page(request, code))

    def save(request: Request, code: str, section: str, edit: SectionEdit) -> dict[str, Any]:
        who = require(request, "analyst")
        with request.app.state.store.session() as s, s.begin():
            return edit_section(s, fw(request), code, section, edit.text, who.name,
                                edit.expected_version)

    @app.put("/api/models/{code}/sections/{section}", dependencies=[needs("analyst")],
             summary="Replace a section's text (409 with the current text on a conflict)")
    def api_edit(request: Request, code: str, section: str, edit: SectionEdit):
        who = require(request, "analyst")
        if who.csrf is not None:
            check_csrf(request.app.state.secret, who.csrf, request.headers.get("x-csrf-token"))
        return save(request, code, section, edit)

    @app.post("/models/{code}/sections/{section}", include_in_schema=False,
              dependencies=[needs("analyst")])
    def form_edit(request: Request, code: str, section: str, text: str = Form(""),
                  expected_version: str = Form(""), csrf_token: str = Form("")):
        who = require(request, "analyst")
        check_csrf(request.app.state.secret, who.csrf, csrf_token)
        try:
            save(request, code, section, SectionEdit(
                text=text, expected_version=int(expected_version) if expected_version else None))
        except ConflictError as exc:
            d = page(request, code)
            d["message"] = f"{exc.message} {exc.hint}"
            d["conflict"] = {"section": section, "yours": text, "current": exc.current}
            return render(request, "model.html", d, status=409)
        return RedirectResponse(f"/models/{code}#{section}", status_code=303)
