"""The governing-body reports: the list of reports built, a form to build one, the downloads.

Building a report freezes a new snapshot (named, or named for the date and time) and writes
report.html, and report.pdf when WeasyPrint is installed, into `<report dir>/<snapshot name>/`.
The report dir is `app.state.report_dir` when set, else `reports/` beside the SQLite database
file, else `./reports`. Nothing is ever rebuilt: a report is built once, from a new snapshot.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Body, FastAPI, Form, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from tcmap.errors import ConfigError
from tcmap.web.app import ROLES, needs, render, require
from tcmap.web.security import HttpError, Principal, check_csrf

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
FILES = {"report.html": "text/html; charset=utf-8", "report.pdf": "application/pdf"}
# The report is self-contained (inline styles and SVG); it needs nothing else to display.
HTML_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                "img-src data:; font-src data:", "X-Content-Type-Options": "nosniff"}
FIELDS = (
    {"name": "country", "label": "Countries", "help": "ISO codes, comma-separated, e.g. BD, UA"},
    {"name": "region", "label": "Regions", "help": "IATI region codes, e.g. 289, 298"},
    {"name": "publisher", "label": "Publishers", "help": "Reporting organisations, e.g. "
     "XM-DAC-41302"},
    {"name": "from", "label": "From year", "help": "Activities running in or after, e.g. 2010"},
    {"name": "to", "label": "To year", "help": "Activities running in or before, e.g. 2015"},
    {"name": "outcome", "label": "Outcomes", "help": "Framework outcome codes, e.g. O11, O14"},
)
PDF_HINT = "PDF needs WeasyPrint: pip install 'tcmap[report]'. The HTML report prints well too."


def report_dir(app: FastAPI) -> Path:
    """Where reports are written: app.state.report_dir, or beside the SQLite file, or ./reports."""
    override = getattr(app.state, "report_dir", None)
    if override:
        return Path(override)
    from tcmap.store.engine import database_url

    try:
        url = make_url(database_url(app.state.settings.database_url))
    except Exception:  # an odd URL still gets a report folder
        return Path("reports")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).expanduser().resolve().parent / "reports"
    return Path("reports")


def pdf_renderer(app: FastAPI) -> Callable[[str, Path], None] | None:
    """app.state.pdf_renderer when set (None turns PDF off), else WeasyPrint when installed."""
    if hasattr(app.state, "pdf_renderer"):
        return app.state.pdf_renderer
    if importlib.util.find_spec("weasyprint") is None:
        return None
    from tcmap.report import weasyprint_pdf

    return weasyprint_pdf


def check_form_csrf(request: Request, who: Principal, sent: str | None) -> None:
    """A session's POST must carry its CSRF token (form field or header); API tokens need none."""
    if who.csrf is None:
        return
    check_csrf(request.app.state.secret, who.csrf, sent or request.headers.get("x-csrf-token"))


def _codes(value: Any, upper: bool = False) -> list[str] | None:
    """Codes from 'A, B' or ['A', 'B']; None when there are none."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    codes = [str(v).strip() for v in items if str(v).strip()]
    return [c.upper() if upper else c for c in codes] or None


def _year(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        year = int(str(value).strip())
    except ValueError:
        year = 0
    if not 1900 <= year <= 2200:
        raise HttpError(422, "invalid-filter", f"{field}: {value!r} is not a year.",
                        hint=f"Give {field} as a four-digit year, e.g. 2012, or leave it empty.")
    return year


def parse_filters(raw: dict[str, Any]):
    """FrameFilters from the form's fields (country, region, publisher, from, to, outcome)."""
    from tcmap.analysis.frame import FrameFilters

    known = {f["name"] for f in FIELDS}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise HttpError(422, "invalid-filter", f"Unknown filter(s): {', '.join(unknown)}.",
                        hint=f"Use {', '.join(sorted(known))}.")
    return FrameFilters(countries=_codes(raw.get("country"), upper=True),
                        regions=_codes(raw.get("region")),
                        publishers=_codes(raw.get("publisher")),
                        year_from=_year(raw.get("from"), "from"),
                        year_to=_year(raw.get("to"), "to"),
                        outcomes=_codes(raw.get("outcome")))


def _folder(app: FastAPI, name: str) -> Path | None:
    """The report's folder, only for a well-formed name inside the report dir."""
    if not NAME.match(name) or ".." in name:
        return None
    root = report_dir(app).resolve()
    folder = (root / name).resolve()
    return folder if folder.parent == root else None


def _entry(header: dict[str, Any], folder: Path) -> dict[str, Any]:
    """One report: its snapshot and the links to its files."""
    name = header["name"]
    build = {}
    if (folder / "build.json").is_file():
        build = json.loads((folder / "build.json").read_text(encoding="utf-8"))
    files = {kind: f"/reports/{name}/report.{kind}" if (folder / f"report.{kind}").is_file()
             else None for kind in ("html", "pdf")}
    return {**header, "href": f"/reports/{name}", "files": files,
            "built_at": build.get("built_at"), "built_by": build.get("built_by"),
            "seconds": build.get("seconds"), "pdf_note": build.get("pdf_note")}


def _built(folder: Path | None) -> bool:
    return folder is not None and any((folder / f).is_file() for f in FILES)


def reports_page(request: Request, who: Principal, built: str | None = None) -> dict[str, Any]:
    """The reports page's data: the reports built, newest first, and what the form needs."""
    from tcmap.analysis.snapshot import list_snapshots

    with request.app.state.store.session() as s:
        snapshots = list_snapshots(s)
    reports = []
    for snap in snapshots:
        folder = _folder(request.app, snap["name"])
        if _built(folder):
            reports.append(_entry(snap, folder))
    pdf = pdf_renderer(request.app) is not None
    return {"title": "Reports", "reports": reports, "built": built,
            "can_build": ROLES.index(who.role) >= ROLES.index("analyst"),
            "fields": list(FIELDS), "pdf": {"available": pdf, "hint": "" if pdf else PDF_HINT}}


def report_page(request: Request, name: str) -> dict[str, Any]:
    """One built report: its snapshot in full (filters, sources, versions) and its files."""
    from tcmap.store import Snapshot

    folder = _folder(request.app, name)
    with request.app.state.store.session() as s:
        row = s.scalar(select(Snapshot).options(defer(Snapshot.data))
                       .where(Snapshot.name == name))
        if row is None or not _built(folder):
            raise HttpError(404, "not-found", f"No report named {name!r} has been built.",
                            hint="See the reports built at /reports, or build one there.")
        header = {"name": row.name, "created_at": row.created_at.isoformat(timespec="seconds"),
                  "created_by": row.created_by, "filters": row.filters,
                  "framework": row.framework, "activities": row.info.get("activities"),
                  "sha256": row.sha256, "info": row.info}
    return {"title": f"Report {name}", "report": _entry(header, folder)}


def build_report(request: Request, who: Principal, name: str | None,
                 raw_filters: dict[str, Any]) -> dict[str, Any]:
    """Freeze a new snapshot and write its report (its page's dict); a name used is a 409."""
    from tcmap.analysis.snapshot import create_snapshot
    from tcmap.report import write_report
    from tcmap.report.content import build_content
    from tcmap.store import Snapshot
    from tcmap.taxonomy import load_framework

    app = request.app
    name = (name or "").strip() or None
    if name is not None and _folder(app, name) is None:
        raise HttpError(422, "invalid-name", f"{name!r} cannot name a report.",
                        hint="Use 1 to 100 letters, digits, dots, dashes or underscores, "
                        "starting with a letter or digit, or leave the name empty.")
    filters = parse_filters(raw_filters)
    fw = load_framework(app.state.settings.framework)
    started = time.monotonic()
    try:
        with app.state.store.session() as s, s.begin():
            if name is not None:
                _refuse_taken(s, app, name)
            frozen = create_snapshot(s, name, fw.code, filters, by=who.name)
            folder = _folder(app, frozen.name)
            if folder is None or folder.exists():
                raise _conflict(frozen.name)
    except (ConfigError, IntegrityError) as exc:  # the same name, frozen a moment earlier
        if name is None:  # the default name, the date and time, is taken for this second
            raise HttpError(409, "conflict", "Another snapshot was frozen this same second.",
                            hint="Build again in a second, or give the report a name.") from exc
        raise _conflict(name) from exc
    try:
        content = build_content(frozen, fw)
        write_report(content, folder, ("html",))
        note = _pdf(app, folder)
        (folder / "build.json").write_text(json.dumps({
            "built_at": frozen.created_at, "built_by": who.name, "pdf_note": note,
            "seconds": round(time.monotonic() - started, 2)}), encoding="utf-8")
    except Exception:
        # No snapshot without its report: the name stays free for another try.
        shutil.rmtree(folder, ignore_errors=True)
        with app.state.store.session() as s, s.begin():
            s.execute(delete(Snapshot).where(Snapshot.name == frozen.name))
        raise
    return report_page(request, frozen.name)


def _refuse_taken(session, app: FastAPI, name: str) -> None:
    from tcmap.store import Snapshot

    taken = session.scalar(select(Snapshot.id).where(Snapshot.name == name)) is not None
    folder = _folder(app, name)
    if taken or (folder is not None and folder.exists()):
        raise _conflict(name)


def _conflict(name: str) -> HttpError:
    return HttpError(409, "conflict", f"A snapshot named {name!r} already exists; a report is "
                     "built once, from a new snapshot.",
                     hint=f"Choose another name (or leave it empty for the date and time); "
                     f"the report already built is at /reports/{name}.")


def _pdf(app: FastAPI, folder: Path) -> str | None:
    """Write report.pdf if a renderer is there; a failing renderer leaves a note, not an error."""
    renderer = pdf_renderer(app)
    if renderer is None:
        return PDF_HINT
    try:
        renderer((folder / "report.html").read_text(encoding="utf-8"), folder / "report.pdf")
    except Exception as exc:  # the HTML report stands without its PDF
        (folder / "report.pdf").unlink(missing_ok=True)
        return f"The PDF could not be made: {getattr(exc, 'message', exc)}"
    return None


def register(app: FastAPI) -> None:
    @app.get("/api/reports", summary="The reports built, newest first")
    def api_reports(request: Request) -> dict[str, Any]:
        return reports_page(request, require(request))

    @app.get("/reports", include_in_schema=False)
    def reports(request: Request, built: str | None = None):
        return render(request, "reports.html", reports_page(request, require(request), built))

    @app.post("/api/reports", status_code=201, dependencies=[needs("analyst")],
              summary="Freeze a snapshot and build its report: {name, filters}")
    def api_build(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
        who = require(request, "analyst")
        check_form_csrf(request, who, None)
        filters = body.get("filters") or {}
        if not isinstance(filters, dict):
            raise HttpError(422, "invalid-filter", "filters must be an object.",
                            hint='e.g. {"name": "gb-2012", "filters": {"country": ["BD"]}}')
        return build_report(request, who, body.get("name"), filters)

    @app.post("/reports", include_in_schema=False,
              dependencies=[needs("analyst")])
    def build(request: Request, csrf_token: str = Form(""), name: str = Form(""),
              country: str = Form(""), region: str = Form(""), publisher: str = Form(""),
              year_from: str = Form("", alias="from"), year_to: str = Form("", alias="to"),
              outcome: str = Form("")):
        who = require(request, "analyst")
        check_form_csrf(request, who, csrf_token)
        page = build_report(request, who, name, {
            "country": country, "region": region, "publisher": publisher, "from": year_from,
            "to": year_to, "outcome": outcome})
        return RedirectResponse(f"/reports?built={quote(page['report']['name'])}",
                                status_code=303)

    @app.get("/api/reports/{name}", summary="One report built: its snapshot and files")
    def api_report(request: Request, name: str) -> dict[str, Any]:
        require(request)
        return report_page(request, name)

    @app.get("/reports/{name}", include_in_schema=False)
    def report(request: Request, name: str):
        require(request)
        return render(request, "reports.html", report_page(request, name))

    @app.get("/reports/{name}/{filename}", include_in_schema=False)
    def download(request: Request, name: str, filename: str):
        require(request)
        folder = _folder(request.app, name)
        path = folder / filename if folder is not None and filename in FILES else None
        if path is None or not path.is_file():
            raise HttpError(404, "not-found", f"No file {filename!r} in a report {name!r}.",
                            hint="The reports built and their files are listed at /reports.")
        if filename == "report.pdf":
            return FileResponse(path, media_type=FILES[filename], filename=f"{name}.pdf")
        return FileResponse(path, media_type=FILES[filename], headers=HTML_HEADERS)
