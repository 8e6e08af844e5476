"""Training follow-up pages: figures with intervals, the events, one event, and uploads.

`/training` shows response, application and large-improvement rates (grouped by outcome,
sex, constituent type, timing or organizer) with their 95 % intervals, the events, and for
analysts an upload form; `/training/{code}` one event. Uploaded files are kept under
`<uploads>/training-<id>/` so that every import can be traced to its files, and imported at
once (or only checked): rejected rows never change what is stored.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool

from tcmap.taxonomy import load_framework
from tcmap.training.charts import figure_rows, interval_chart
from tcmap.training.events import event_detail, import_history, list_events
from tcmap.training.figures import GROUPINGS
from tcmap.training.importing import import_training
from tcmap.training.summary import figures
from tcmap.training.surveys import load_instrument
from tcmap.web.app import ROLES, needs, render, require
from tcmap.web.pages.imports import MAX_FILES, max_bytes, upload_dir
from tcmap.web.security import Principal
from tcmap.web.uploads import files_sent, read_form, save_upload

ACCEPT = (".csv", ".xlsx")


def _fw(request: Request):
    return load_framework(request.app.state.settings.framework)


def training_page(request: Request, by: str = "outcome", outcome: str | None = None,
                  timing: str | None = None, organizer: str | None = None) -> dict[str, Any]:
    """The figures, their charts, the events and the latest imports."""
    who = require(request)
    fw = _fw(request)
    with request.app.state.store.session() as s:
        fig = figures(s, fw, by, timing or None, outcome or None, organizer or None)
        events = list_events(s, fw, outcome or None, organizer or None)
        imports = import_history(s, 10)
    charts = [{"measure": m["code"], "label": m["label"], "svg": interval_chart(
        figure_rows([fig["overall"], *fig["groups"]], m["code"]), m["label"])}
        for m in fig["measures"]]
    return {
        "title": "Training follow-up", "figures": fig, "charts": charts, "events": events,
        "imports": imports, "groupings": list(GROUPINGS),
        "timings": [{"code": c, "label": t["label"]} for c, t in
                    load_instrument().timings.items()],
        "outcomes": [{"code": c.code, "title": c.title} for c in fw.outcomes],
        "can_import": ROLES.index(who.role) >= ROLES.index("analyst"),
        "accept": list(ACCEPT), "max_files": MAX_FILES,
    }


def event_page(request: Request, code: str) -> dict[str, Any]:
    """One event: facts, participants by sex and constituent type, survey results."""
    require(request)
    with request.app.state.store.session() as s:
        d = event_detail(s, _fw(request), load_instrument(), code)
    d["chart"] = interval_chart(
        [{"label": sv["label"], **sv["response_rate"]} for sv in d["survey_results"]],
        "Response rate by survey")
    return d


async def receive_import(request: Request) -> dict[str, Any]:
    """Save the files posted (field 'files'), import them (or only check them: field 'check'),
    and return the import's report."""
    who: Principal = await run_in_threadpool(require, request, "analyst")
    limit = max_bytes(request.app)
    form = await read_form(request, who, MAX_FILES, 10, f"Send at most {MAX_FILES} CSV or "
                           "XLSX files as multipart/form-data in the field 'files'.")
    try:
        parts = files_sent(form, "Choose the training workbook (.xlsx) or its CSV files, sent "
                           "in the field 'files'.")
        check = str(form.get("check") or "").lower() in ("1", "true", "on", "yes")
        folder = upload_dir(request.app) / f"training-{secrets.token_urlsafe(12)}"
        folder.mkdir(parents=True)
        try:
            names, paths = [], []
            for i, part in enumerate(parts):
                names.append(Path(part.filename.replace("\\", "/")).name[:200])
                path = folder / f"{i}-{_safe(names[-1])}"
                await save_upload(part, path, limit, "the most one uploaded file may be",
                                  "Import it on the server with `tcmap training import`.")
                paths.append(path)
            report = await run_in_threadpool(
                import_training, request.app.state.store, paths, who.name,
                request.app.state.settings.framework, None, names, check)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        if check:  # nothing was imported: nothing to keep for tracing
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        await form.close()
    return report.to_dict()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")[-120:] or "file"


def register(app: FastAPI) -> None:
    @app.get("/api/training", summary="Training follow-up figures, events and imports")
    def api_training(request: Request, by: str = "outcome", outcome: str = "",
                     timing: str = "", organizer: str = "") -> dict[str, Any]:
        return training_page(request, by, outcome, timing, organizer)

    @app.get("/training", include_in_schema=False)
    def training(request: Request, by: str = "outcome", outcome: str = "", timing: str = "",
                 organizer: str = ""):
        return render(request, "training.html",
                      training_page(request, by, outcome, timing, organizer))

    @app.post("/api/training/import", dependencies=[needs("analyst")],
              summary="Upload training files (multipart 'files'; 'check' to store nothing)")
    async def api_import(request: Request) -> dict[str, Any]:
        return await receive_import(request)

    @app.post("/training/import", include_in_schema=False, dependencies=[needs("analyst")])
    async def form_import(request: Request):
        report = await receive_import(request)
        page = await run_in_threadpool(training_page, request)
        page["import_report"] = report
        return render(request, "training.html", page, status=200 if report["ok"] else 422)

    @app.get("/api/training/{code:path}", summary="One training event and its survey results")
    def api_event(request: Request, code: str) -> dict[str, Any]:
        return event_page(request, code)

    @app.get("/training/{code:path}", include_in_schema=False)
    def event(request: Request, code: str):
        return render(request, "training_event.html", event_page(request, code))
