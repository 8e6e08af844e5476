"""Importing from the browser: upload files, see what is wrong with them, then import them.

An upload is saved under `<uploads>/<id>/` (`app.state.upload_dir`, else `uploads/` beside the
reports folder) and checked without touching the app's data: it is imported into a throwaway
in-memory store, which gives the same problem report a real import would. Confirming the
upload imports the same files into the app's store. The files stay, so the source of every
imported activity can still be traced to the file it came from.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from tcmap.web.app import needs, render, require
from tcmap.web.pages.reports import check_form_csrf, report_dir
from tcmap.web.security import HttpError, Principal
from tcmap.web.uploads import CHUNK, files_sent, read_form, save_upload

MAX_UPLOAD_MB = 50
MAX_FILES = 20
ACCEPT = (".xml", ".xml.gz", ".csv", ".xlsx")
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MANIFEST = "upload.json"
CONFIRMED = ".confirmed"  # made with O_EXCL: only one confirmation imports the files


def upload_dir(app: FastAPI) -> Path:
    """Where uploads are kept: app.state.upload_dir, else uploads/ beside the reports folder."""
    override = getattr(app.state, "upload_dir", None)
    return Path(override) if override else report_dir(app).parent / "uploads"


def max_bytes(app: FastAPI) -> int:
    return int(getattr(app.state, "max_upload_mb", MAX_UPLOAD_MB) * 2**20)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _safe_name(filename: str, taken: set[str]) -> str:
    """The file's own name, reduced to safe characters, unique within the upload."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = name.lstrip(".")[-120:] or "file"
    unique, n = name, 1
    while unique in taken or unique == MANIFEST:
        n += 1
        unique = f"{n}-{name}"
    taken.add(unique)
    return unique


def _folder(app: FastAPI, upload_id: str) -> Path:
    """The upload's folder, or a 404 for an id that is malformed or unknown."""
    folder = upload_dir(app) / upload_id
    if not UPLOAD_ID.match(upload_id) or not (folder / MANIFEST).is_file():
        raise HttpError(404, "not-found", f"No upload {upload_id!r}.",
                        hint="Upload the files again at /import.")
    return folder


def _read(folder: Path) -> dict[str, Any]:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def _write(folder: Path, manifest: dict[str, Any]) -> None:
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(folder / MANIFEST)


def _without_folder(report: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The report with the server's upload folder cut from paths and messages."""
    prefix = json.dumps(str(folder) + "/")[1:-1]
    return json.loads(json.dumps(report, ensure_ascii=False).replace(prefix, ""))


def _import(store, folder: Path, manifest: dict[str, Any], settings) -> dict[str, Any]:
    from tcmap.ingest import import_paths

    # One process: uploads are small (50 MB at most) and a web server should not fork workers.
    report = import_paths(store, [folder / f["stored"] for f in manifest["files"]],
                          replace(settings, workers=1))
    return _without_folder(report.to_dict(), folder)


def check_upload(settings, folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The problem report of importing the files, from a throwaway in-memory store."""
    from tcmap.store import open_store

    scratch = open_store("sqlite://")
    try:
        return _import(scratch, folder, manifest, settings)
    finally:
        scratch.close()


def summary(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """Counts a reader looks at first: errors, warnings, activities accepted and rejected."""
    if report is None:
        return None
    problems = [p for f in report["files"] for p in f["problems"]]
    t = report["totals"]
    return {"ok": report["ok"], "files": t["files"], "refused_files": t["refused_files"],
            "activities": t["activities"],
            "accepted": t["inserted"] + t["updated"] + t["unchanged"],
            "rejected": t["rejected"],
            "errors": sum(p["severity"] == "error" for p in problems),
            "warnings": sum(p["severity"] != "error" for p in problems),
            "not_listed": sum(f["problems_not_listed"] for f in report["files"])}


def upload_page(request: Request, upload_id: str) -> dict[str, Any]:
    """One upload: its files, the check's report and, once confirmed, the import's report."""
    folder = _folder(request.app, upload_id)
    m = _read(folder)
    if m.get("result") is not None:
        state = "imported"
    elif (folder / CONFIRMED).exists():
        state = "importing"
    else:
        state = "checked"
    return {"title": f"Import {upload_id}", "upload": upload_id, "state": state,
            "created_at": m["created_at"], "created_by": m["created_by"], "files": m["files"],
            "check": m["check"], "check_summary": summary(m["check"]),
            "result": m.get("result"), "result_summary": summary(m.get("result")),
            "imported_at": m.get("imported_at"), "imported_by": m.get("imported_by"),
            "confirm": f"/import/{upload_id}/confirm" if state == "checked" else None}


def import_page(request: Request) -> dict[str, Any]:
    """The upload form's data and the latest uploads."""
    recent = []
    root = upload_dir(request.app)
    for manifest in root.glob(f"*/{MANIFEST}") if root.is_dir() else ():
        m = json.loads(manifest.read_text(encoding="utf-8"))
        recent.append({"upload": m["id"], "href": f"/import/{m['id']}",
                       "created_at": m["created_at"], "created_by": m["created_by"],
                       "files": [f["name"] for f in m["files"]],
                       "state": "imported" if m.get("result") is not None else "checked"})
    recent.sort(key=lambda u: u["created_at"], reverse=True)
    return {"title": "Import", "max_file_mb": max_bytes(request.app) / 2**20,
            "max_files": MAX_FILES, "accept": list(ACCEPT), "recent": recent[:20]}


async def receive_upload(request: Request) -> dict[str, Any]:
    """Save the files posted, check them, and return the upload's page dict."""
    who: Principal = await run_in_threadpool(require, request, "analyst")
    app, limit = request.app, max_bytes(request.app)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_FILES * limit + CHUNK:
        raise _too_large("The upload", limit)
    form = await read_form(request, who, MAX_FILES, 10, f"Send at most {MAX_FILES} files as "
                           "multipart/form-data in the field 'files'.")
    try:
        parts = files_sent(form, "Choose one or more IATI XML (.xml, .xml.gz), CSV or XLSX "
                           "files, sent in the field 'files'.")
        upload_id = secrets.token_urlsafe(18)
        folder = upload_dir(app) / upload_id
        folder.mkdir(parents=True)
        try:
            files = [await _save(part, folder, limit) for part in parts]
            manifest = {"id": upload_id, "created_at": _now(), "created_by": who.name,
                        "files": files}
            manifest["check"] = await run_in_threadpool(check_upload, app.state.settings,
                                                        folder, manifest)
            _write(folder, manifest)
        except BaseException:  # no half-saved upload is left behind
            shutil.rmtree(folder, ignore_errors=True)
            raise
    finally:
        await form.close()
    return upload_page(request, upload_id)


async def _save(part: UploadFile, folder: Path, limit: int) -> dict[str, Any]:
    stored = _safe_name(part.filename or "", {p.name for p in folder.iterdir()})
    size = await save_upload(part, folder / stored, limit, TOO_LARGE_WHAT, TOO_LARGE_HINT)
    return {"name": part.filename, "stored": stored, "size": size}


TOO_LARGE_WHAT = "the most one uploaded file may be"
TOO_LARGE_HINT = ("Split the file (IATI files split by activity), or import it on the server "
                  "with `tcmap import FILE`, which takes files of any size.")


def _too_large(what: str, limit: int) -> HttpError:
    return HttpError(413, "file-too-large", f"{what} is larger than {limit / 2**20:g} MB, "
                     f"{TOO_LARGE_WHAT}.", hint=TOO_LARGE_HINT)


def confirm_upload(request: Request, upload_id: str, who: Principal) -> dict[str, Any]:
    """Import the upload's files into the app's store (once) and return the upload's page."""
    folder = _folder(request.app, upload_id)
    try:
        (folder / CONFIRMED).open("x").close()
    except FileExistsError:
        raise HttpError(409, "conflict", f"Upload {upload_id} has already been imported.",
                        hint=f"See its report at /import/{upload_id}; importing again would "
                        "only report the activities as unchanged.") from None
    try:
        manifest = _read(folder)
        manifest["result"] = _import(request.app.state.store, folder, manifest,
                                     request.app.state.settings)
    except BaseException:
        (folder / CONFIRMED).unlink(missing_ok=True)  # an import re-run completes the last
        raise
    manifest["imported_at"], manifest["imported_by"] = _now(), who.name
    _write(folder, manifest)
    return upload_page(request, upload_id)


def register(app: FastAPI) -> None:
    @app.get("/api/import", summary="What the upload accepts, and the latest uploads")
    def api_import(request: Request) -> dict[str, Any]:
        require(request, "analyst")
        return import_page(request)

    @app.get("/import", include_in_schema=False)
    def import_form(request: Request):
        require(request, "analyst")
        return render(request, "import.html", import_page(request))

    @app.post("/api/import", status_code=201, dependencies=[needs("analyst")],
              summary="Upload files (multipart field 'files') and check them without importing")
    async def api_upload(request: Request) -> dict[str, Any]:
        return await receive_upload(request)

    @app.post("/import", include_in_schema=False,
              dependencies=[needs("analyst")])
    async def upload(request: Request):
        page = await receive_upload(request)
        return RedirectResponse(f"/import/{page['upload']}", status_code=303)

    @app.get("/api/import/{upload_id}", summary="One upload: its check and its import")
    def api_upload_page(request: Request, upload_id: str) -> dict[str, Any]:
        require(request, "analyst")
        return upload_page(request, upload_id)

    @app.get("/import/{upload_id}", include_in_schema=False)
    def upload_view(request: Request, upload_id: str):
        require(request, "analyst")
        return render(request, "import.html", upload_page(request, upload_id))

    @app.post("/api/import/{upload_id}/confirm", dependencies=[needs("analyst")],
              summary="Import a checked upload for real")
    def api_confirm(request: Request, upload_id: str) -> dict[str, Any]:
        who = require(request, "analyst")
        check_form_csrf(request, who, None)
        return confirm_upload(request, upload_id, who)

    @app.post("/import/{upload_id}/confirm", include_in_schema=False,
              dependencies=[needs("analyst")])
    def confirm(request: Request, upload_id: str, csrf_token: str = Form("")):
        who = require(request, "analyst")
        check_form_csrf(request, who, csrf_token)
        confirm_upload(request, upload_id, who)
        return RedirectResponse(f"/import/{upload_id}", status_code=303)
