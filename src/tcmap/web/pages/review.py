"""People's decisions on tags, from the activity page and from scripts.

Analysts accept, reject or add a tag, with a note. Each form carries the tag's version: if
someone changed the tag since the page was loaded, the decision is refused with 409 and the
page shows the tag as it now is, so nothing is silently overwritten.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from tcmap.errors import ConflictError, TcmapError
from tcmap.review import add_note, review
from tcmap.web.app import needs, require
from tcmap.web.security import HttpError, check_csrf


class Decision(BaseModel):
    """A decision on one tag, as scripts send it."""

    action: str = Field(pattern="^(accept|reject|add)$")
    dimension: str
    code: str
    note: str | None = None
    expected_version: int | None = None


def _decide(request: Request, identifier: str, d: Decision) -> dict[str, Any]:
    who = require(request, "analyst")
    with request.app.state.store.session() as s, s.begin():
        return review(s, identifier, d.action, d.dimension, d.code, by=who.name, note=d.note,
                      framework=request.app.state.settings.framework,
                      expected_version=d.expected_version)


def register(app: FastAPI) -> None:
    @app.post("/api/activities/{identifier:path}/review", dependencies=[needs("analyst")],
              summary="Accept, reject or add a tag (409 with the current tag on a conflict)")
    def api_review(request: Request, identifier: str, decision: Decision) -> dict[str, Any]:
        who = require(request, "analyst")
        if who.csrf is not None:  # a browser session: the header must carry the token
            check_csrf(request.app.state.secret, who.csrf, request.headers.get("x-csrf-token"))
        return _decide(request, identifier, decision)

    @app.post("/activities/{identifier:path}/review", include_in_schema=False,
              dependencies=[needs("analyst")])
    def form_review(request: Request, identifier: str, action: str = Form(...),
                    tag: str = Form(...), note: str = Form(""),
                    expected_version: str = Form(""), csrf_token: str = Form("")):
        who = require(request, "analyst")
        check_csrf(request.app.state.secret, who.csrf, csrf_token)
        dimension, _, code = tag.partition(":")
        if not code:
            raise HttpError(422, "invalid-request", f"{tag!r} is not DIMENSION:CODE.",
                            hint="Choose a dimension and a code.")
        try:
            _decide(request, identifier, Decision(
                action=action, dimension=dimension, code=code.strip(), note=note or None,
                expected_version=int(expected_version) if expected_version else None))
        except ConflictError as exc:
            return request.app.state.activity_html(
                request, identifier, f"{exc.message} {exc.hint}", 409, exc.current)
        except TcmapError as exc:
            return request.app.state.activity_html(
                request, identifier, f"{exc.message} {exc.hint}", 400)
        return RedirectResponse(f"/activities/{identifier}#mapping", status_code=303)

    @app.post("/activities/{identifier:path}/notes", include_in_schema=False,
              dependencies=[needs("analyst")])
    def form_note(request: Request, identifier: str, text: str = Form(...),
                  csrf_token: str = Form("")):
        who = require(request, "analyst")
        check_csrf(request.app.state.secret, who.csrf, csrf_token)
        with request.app.state.store.session() as s, s.begin():
            add_note(s, identifier, who.name, text)
        return RedirectResponse(f"/activities/{identifier}#history", status_code=303)
