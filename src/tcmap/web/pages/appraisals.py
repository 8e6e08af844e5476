"""Quality appraisals: upload a document, the pre-screen, rating, clearance, the gate.

Pages build one dict each (the library's) and render it or return it as JSON under /api.
Viewers read; analysts upload, rate and change the status. An uploaded document is written to
a temporary folder, read, and removed at once: the appraisal keeps the document's name,
checksum and pre-screen, not the file.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from tcmap.appraisal import appraisals as lib
from tcmap.appraisal.extract import SUFFIXES
from tcmap.appraisal.gate import gate_documents
from tcmap.appraisal.report import pdf_bytes, render_html
from tcmap.errors import ConflictError, TcmapError
from tcmap.web.app import needs, render, require
from tcmap.web.pages.reports import check_form_csrf
from tcmap.web.security import HttpError, Principal
from tcmap.web.uploads import files_sent, read_form, save_upload

MAX_UPLOAD_MB = 20
MAX_GATE_FILES = 20


class RatingIn(BaseModel):
    """One criterion's rating, with the rating's version the rater saw (0: not rated yet)."""

    criterion: str
    score: str | int
    comment: str | None = None
    action: str | None = None
    expected_version: int | None = None


class StatusIn(BaseModel):
    """submit, return, resubmit or clear, with a note and the appraisal's version."""

    action: str
    note: str | None = None
    expected_version: int | None = None


def _limit(app: FastAPI) -> int:
    return int(getattr(app.state, "max_appraisal_upload_mb", MAX_UPLOAD_MB) * 2**20)


async def _save(part: UploadFile, folder: Path, limit: int, n: int = 0) -> tuple[Path, str]:
    """The upload written into the temporary folder; refused past the size limit."""
    name = re.sub(r"[^\w.() -]", "_", (part.filename or "document").replace("\\", "/")
                  .rsplit("/", 1)[-1])[-150:] or "document"
    suffix = Path(name).suffix.lower()
    path = folder / f"{n}-document{suffix if suffix in SUFFIXES else '.bin'}"
    await save_upload(part, path, limit, "the most an appraised document may be",
                      "Appraise the document without its annexes, or use `tcmap appraise "
                      "FILE` on the server.")
    if suffix not in SUFFIXES:  # let the library name the problem with its hint
        path = path.rename(folder / f"{n}-document{suffix or '.none'}")
    return path, name


async def _form(request: Request, who: Principal, max_files: int = 1, max_fields: int = 20):
    return await read_form(request, who, max_files, max_fields,
                           "Send the document as multipart/form-data in the field 'file'.")


def _text(form, key: str) -> str | None:
    value = form.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


async def receive_document(request: Request) -> dict[str, Any]:
    """Create an appraisal from the uploaded document ('file') and template ('template')."""
    who: Principal = await run_in_threadpool(require, request, "analyst")
    form = await _form(request, who)
    try:
        part = form.get("file")
        if not isinstance(part, UploadFile) or not part.filename:
            raise HttpError(422, "no-file", "No document was uploaded.",
                            hint="Choose a PDF, Word (.docx) or text file, sent in the field "
                            "'file'.")
        template = _text(form, "template") or ""
        if template not in ("dwcp", "project"):
            raise HttpError(422, "unknown-checklist", f"No checklist template {template!r}.",
                            hint="Choose dwcp or project.")
        with tempfile.TemporaryDirectory(prefix="tcmap-appraisal-") as tmp:
            path, name = await _save(part, Path(tmp), _limit(request.app))

            def create():
                with request.app.state.store.session() as s, s.begin():
                    return lib.create_appraisal(s, path, template, who.name,
                                                title=_text(form, "title"), name=name)

            return await run_in_threadpool(create)
    finally:
        await form.close()


def _sheet(request: Request, appraisal_id: str) -> dict[str, Any]:
    require(request)
    with request.app.state.store.session() as s:
        return lib.appraisal_sheet(s, appraisal_id)


def _rate_form(request: Request, appraisal_id: str, who: Principal, form) -> None:
    """Apply the sheet form's changed ratings, all in one transaction."""
    current = _sheet(request, appraisal_id)
    with request.app.state.store.session() as s, s.begin():
        for sec in current["sections"]:
            for c in sec["criteria"]:
                code, r = c["code"], c["rating"] or {}
                value = _text(form, f"score__{code}")
                comment = _text(form, f"comment__{code}") or ""
                action = _text(form, f"action__{code}") or ""
                old = (str(r.get("score")) if r else None, r.get("comment", ""),
                       r.get("required_action", ""))
                if value is None or (value, comment, action) == old and r.get("current"):
                    continue
                seen = _text(form, f"version__{code}")
                lib.rate(s, appraisal_id, code, value, who.name, comment, action,
                         int(seen) if seen and seen.isdigit() else None)


def _gate_page(result: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"title": "Country-programme gate", "result": result,
            "accept": list(SUFFIXES), "max_files": MAX_GATE_FILES}


async def receive_gate(request: Request) -> dict[str, Any]:
    """The gate over the uploaded DWCP documents (field 'files')."""
    who: Principal = await run_in_threadpool(require, request, "analyst")
    form = await _form(request, who, MAX_GATE_FILES)
    try:
        parts = files_sent(form, "Choose one or more DWCP documents (PDF, .docx, text), sent "
                           "in the field 'files'.", message="No document was uploaded.")
        with tempfile.TemporaryDirectory(prefix="tcmap-gate-") as tmp:
            saved = [await _save(p, Path(tmp), _limit(request.app), n)
                     for n, p in enumerate(parts)]
            return await run_in_threadpool(gate_documents, [p for p, _ in saved], None,
                                           [n for _, n in saved])
    finally:
        await form.close()


def register(app: FastAPI) -> None:
    def index(request: Request) -> dict[str, Any]:
        require(request)
        status = request.query_params.get("status") or None
        with request.app.state.store.session() as s:
            return lib.list_appraisals(s, status)

    @app.get("/api/appraisals", summary="Every appraisal, with status and failing criteria")
    def api_index(request: Request) -> dict[str, Any]:
        return index(request)

    @app.get("/appraisals", include_in_schema=False)
    def page_index(request: Request):
        d = index(request)
        d["max_file_mb"] = _limit(request.app) / 2**20
        return render(request, "appraisals.html", d)

    @app.post("/api/appraisals", status_code=201, dependencies=[needs("analyst")],
              summary="Upload a document (multipart 'file', 'template') and pre-screen it")
    async def api_create(request: Request) -> dict[str, Any]:
        return await receive_document(request)

    @app.post("/appraisals", include_in_schema=False, dependencies=[needs("analyst")])
    async def page_create(request: Request):
        try:
            sheet = await receive_document(request)
        except TcmapError as exc:
            if isinstance(exc, HttpError) and exc.status in (401, 403):
                raise
            d = await run_in_threadpool(index, request)
            d["message"] = f"{exc.message} {exc.hint}"
            d["max_file_mb"] = _limit(request.app) / 2**20
            return render(request, "appraisals.html", d, status=getattr(exc, "status", 400))
        return RedirectResponse(f"/appraisals/{sheet['id']}", status_code=303)

    @app.get("/api/appraisals/{appraisal_id}", summary="One appraisal's sheet")
    def api_sheet(request: Request, appraisal_id: str) -> dict[str, Any]:
        return _sheet(request, appraisal_id)

    @app.get("/appraisals/{appraisal_id}", include_in_schema=False)
    def page_sheet(request: Request, appraisal_id: str):
        return render(request, "appraisal.html", _sheet(request, appraisal_id))

    @app.post("/api/appraisals/{appraisal_id}/ratings", dependencies=[needs("analyst")],
              summary="Rate one criterion (409 with the current rating on a conflict)")
    def api_rate(request: Request, appraisal_id: str, rating: RatingIn) -> dict[str, Any]:
        who = require(request, "analyst")
        check_form_csrf(request, who, None)
        with request.app.state.store.session() as s, s.begin():
            return lib.rate(s, appraisal_id, rating.criterion, rating.score, who.name,
                            rating.comment, rating.action, rating.expected_version)

    @app.post("/appraisals/{appraisal_id}/ratings", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def page_rate(request: Request, appraisal_id: str):
        who: Principal = await run_in_threadpool(require, request, "analyst")
        form = await _form(request, who, max_files=0, max_fields=400)
        try:
            await run_in_threadpool(_rate_form, request, appraisal_id, who, form)
        except (ConflictError, TcmapError) as exc:
            if isinstance(exc, HttpError):
                raise
            d = await run_in_threadpool(_sheet, request, appraisal_id)
            d["message"] = f"{exc.message} {exc.hint}"
            return render(request, "appraisal.html", d,
                          status=409 if isinstance(exc, ConflictError) else 400)
        return RedirectResponse(f"/appraisals/{appraisal_id}#ratings", status_code=303)

    @app.post("/api/appraisals/{appraisal_id}/status", dependencies=[needs("analyst")],
              summary="submit, return, resubmit (no new file) or clear")
    def api_status(request: Request, appraisal_id: str, change: StatusIn) -> dict[str, Any]:
        who = require(request, "analyst")
        check_form_csrf(request, who, None)
        with request.app.state.store.session() as s, s.begin():
            return lib.change_status(s, appraisal_id, change.action, who.name, change.note,
                                     change.expected_version)

    @app.post("/appraisals/{appraisal_id}/status", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def page_status(request: Request, appraisal_id: str):
        who: Principal = await run_in_threadpool(require, request, "analyst")
        form = await _form(request, who)
        try:
            part = form.get("file")
            version = _text(form, "expected_version")
            with tempfile.TemporaryDirectory(prefix="tcmap-appraisal-") as tmp:
                path = name = None
                if isinstance(part, UploadFile) and part.filename:
                    path, name = await _save(part, Path(tmp), _limit(request.app))

                def change():
                    with request.app.state.store.session() as s, s.begin():
                        return lib.change_status(
                            s, appraisal_id, _text(form, "action") or "", who.name,
                            _text(form, "note"), int(version) if version and version.isdigit()
                            else None, document=path, document_name=name)

                await run_in_threadpool(change)
        except TcmapError as exc:
            if isinstance(exc, HttpError):
                raise
            d = await run_in_threadpool(_sheet, request, appraisal_id)
            d["message"] = f"{exc.message} {exc.hint}"
            return render(request, "appraisal.html", d,
                          status=409 if isinstance(exc, ConflictError) else 400)
        finally:
            await form.close()
        return RedirectResponse(f"/appraisals/{appraisal_id}", status_code=303)

    @app.get("/api/appraisals/{appraisal_id}/report", summary="The appraisal sheet's content")
    def api_report(request: Request, appraisal_id: str) -> dict[str, Any]:
        return _sheet(request, appraisal_id)

    @app.get("/appraisals/{appraisal_id}/report", include_in_schema=False)
    def page_report(request: Request, appraisal_id: str, format: str = "html"):
        sheet = _sheet(request, appraisal_id)
        if format == "pdf":
            return Response(pdf_bytes(sheet), media_type="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="appraisal-{sheet["id"]}.pdf"'})
        return HTMLResponse(render_html(sheet))

    @app.get("/api/gate", summary="What the gate accepts")
    def api_gate_form(request: Request) -> dict[str, Any]:
        require(request)
        return _gate_page()

    @app.get("/gate", include_in_schema=False)
    def page_gate_form(request: Request):
        require(request)
        return render(request, "appraisal_gate.html", _gate_page())

    @app.post("/api/gate", dependencies=[needs("analyst")],
              summary="The gate over uploaded DWCP documents (multipart 'files')")
    async def api_gate(request: Request) -> dict[str, Any]:
        return await receive_gate(request)

    @app.post("/gate", include_in_schema=False, dependencies=[needs("analyst")])
    async def page_gate(request: Request):
        try:
            result = await receive_gate(request)
        except HttpError as exc:
            if exc.status in (401, 403):
                raise
            d = _gate_page()
            d["message"] = f"{exc.message} {exc.hint}"
            return render(request, "appraisal_gate.html", d, status=exc.status)
        return render(request, "appraisal_gate.html", _gate_page(result))
