"""The reports and import pages through their JSON twins: roles, CSRF, building, downloading,
checking an upload without importing it, then importing it."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient  # noqa: E402

from tcmap import users  # noqa: E402
from tcmap.analysis.frame import FrameFilters, load_frame  # noqa: E402

from conftest import csrf_of as _csrf  # noqa: E402
from conftest import login_client as login  # noqa: E402
from conftest import make_demo_web_app  # noqa: E402

DATA = Path(__file__).parent / "data"
VALID = DATA / "iati-2.0x-valid.xml"
DUPLICATE = DATA / "duplicate-identifier.xml"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The demo portfolio, classified, with a viewer and an analyst; reports in a temp folder."""
    return make_demo_web_app(tmp_path_factory.mktemp("web-reports"))


@pytest.fixture
def token(app):
    with app.state.store.session() as s, s.begin():
        return users.create_token(s, "ana", f"script-{uuid.uuid4().hex[:8]}")


def _form_token(client: TestClient, page: str) -> str:
    r = client.get(page)
    assert r.status_code == 200, r.text
    return _csrf(r.text)


def _files(*paths: Path):
    return [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]


def _upload(client: TestClient, *paths: Path) -> dict:
    r = client.post("/import", data={"csrf_token": _form_token(client, "/import")},
                    files=_files(*paths))
    assert r.status_code == 303, r.text
    r = client.get(r.headers["location"].replace("/import/", "/api/import/"))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_viewer_sees_the_reports_but_cannot_build_or_upload(app):
    client = login(app, "vera")
    csrf = _form_token(client, "/reports")
    assert client.get("/api/reports").json()["can_build"] is False
    r = client.post("/reports", data={"csrf_token": csrf, "name": "vera-1"}, headers=JSON)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = client.post("/api/import", files=_files(VALID), headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    assert client.get("/import").status_code == 403


def test_a_form_post_without_its_csrf_token_is_refused(app):
    client = login(app, "ana")
    r = client.post("/reports", data={"name": "no-token"}, headers=JSON)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf-failed"
    r = client.post("/import", files=_files(VALID), headers=JSON)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf-failed"
    r = client.post("/api/reports", json={"name": "no-token-api"})
    assert r.status_code == 403  # a session's JSON POST needs X-CSRF-Token too
    assert not (app.state.report_dir / "no-token").exists()


def test_an_analyst_builds_a_country_report_lists_and_downloads_it(app):
    client = login(app, "ana")
    csrf = _form_token(client, "/reports")
    r = client.post("/reports", data={"csrf_token": csrf, "name": "bd-report", "country": "bd"})
    assert r.status_code == 303 and r.headers["location"] == "/reports?built=bd-report"
    listed = {e["name"]: e for e in client.get("/api/reports").json()["reports"]}
    entry = listed["bd-report"]
    with app.state.store.session() as s:
        expected = len(load_frame(s, FrameFilters(countries=["BD"])))
    assert entry["filters"] == {"countries": ["BD"]} and entry["activities"] == expected > 0
    assert entry["created_by"] == "ana" and len(entry["sha256"]) == 64
    html = client.get(entry["files"]["html"])
    assert html.status_code == 200 and "bd-report" in html.text
    assert html.headers["content-type"].startswith("text/html")
    if entry["files"]["pdf"]:  # WeasyPrint installed
        pdf = client.get(entry["files"]["pdf"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    else:
        assert entry["pdf_note"]
    page = client.get("/reports", params={"built": "bd-report"})
    assert page.status_code == 200 and "/reports/bd-report/report.html" in page.text
    one = client.get("/api/reports/bd-report").json()["report"]
    assert one["info"]["activities"] == expected and one["files"] == entry["files"]
    assert client.get("/reports/bd-report").status_code == 200


def test_the_same_snapshot_name_again_is_a_conflict_with_a_hint(app):
    client = login(app, "ana")
    csrf = _form_token(client, "/reports")
    data = {"csrf_token": csrf, "name": "twice"}
    assert client.post("/reports", data=data).status_code == 303
    r = client.post("/reports", data=data, headers=JSON)
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "conflict" and "twice" in error["message"] and error["hint"]
    assert client.post("/reports", data=data).status_code == 409  # the HTML error page too


def test_bad_names_and_filters_are_refused_before_anything_is_frozen(app):
    client = login(app, "ana")
    csrf = _form_token(client, "/reports")
    r = client.post("/reports", data={"csrf_token": csrf, "name": "../evil"}, headers=JSON)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid-name"
    r = client.post("/reports", data={"csrf_token": csrf, "name": "y", "from": "soon"},
                    headers=JSON)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid-filter"
    names = {e["name"] for e in client.get("/api/reports").json()["reports"]}
    assert not names & {"../evil", "y"}


def test_a_missing_or_failing_pdf_renderer_leaves_the_html_report(app):
    client = login(app, "ana")
    csrf = _form_token(client, "/reports")

    def broken(html, path):
        raise OSError("no fonts")

    try:
        app.state.pdf_renderer = None
        client.post("/reports", data={"csrf_token": csrf, "name": "no-pdf"})
        app.state.pdf_renderer = broken
        client.post("/reports", data={"csrf_token": csrf, "name": "broken-pdf"})
    finally:
        del app.state.pdf_renderer
    for name, note in (("no-pdf", "WeasyPrint"), ("broken-pdf", "no fonts")):
        entry = client.get(f"/api/reports/{name}").json()["report"]
        assert entry["files"]["html"] and entry["files"]["pdf"] is None
        assert note in entry["pdf_note"]
        assert client.get(f"/reports/{name}/report.pdf").status_code == 404


@pytest.mark.parametrize("path", [
    "/reports/%2e%2e/report.html", "/reports/..%2F..%2Fweb.db/report.html",
    "/reports/bd-report/..%2F..%2Fweb.db", "/reports/bd-report/build.json",
    "/reports/never-built/report.html", "/reports/never-built", "/api/reports/never-built",
    "/reports/.hidden/report.html", "/reports/bd-report/%2e%2e",
])
def test_downloads_refuse_anything_outside_a_built_report(app, path):
    client = login(app, "vera")
    assert client.get(path, headers=JSON).status_code == 404


def test_a_valid_file_is_checked_without_importing_then_imported_on_confirmation(app):
    client = login(app, "ana")
    page = _upload(client, VALID)
    assert page["state"] == "checked" and page["result"] is None
    assert page["check"]["totals"]["activities"] == 3
    assert page["check_summary"]["errors"] == 0 and page["check"]["ok"]
    assert page["check"]["files"][0]["path"] == VALID.name  # no server path shown
    search = {"q": "Safe return to work"}
    assert client.get("/api/activities", params=search).json()["total"] == 0
    html = client.get(f"/import/{page['upload']}")
    assert html.status_code == 200 and page["confirm"] in html.text
    r = client.post(page["confirm"], data={"csrf_token": _csrf(html.text)})
    assert r.status_code == 303
    done = client.get(f"/api/import/{page['upload']}").json()
    assert done["state"] == "imported" and done["result"]["totals"]["inserted"] == 3
    assert "Imported" in client.get(f"/import/{page['upload']}").text
    found = client.get("/api/activities", params=search).json()["activities"]
    assert "XM-DAC-41302-COL-OSH-101" in [a["identifier"] for a in found]
    again = client.post(page["confirm"], data={"csrf_token": _csrf(html.text)}, headers=JSON)
    assert again.status_code == 409 and again.json()["error"]["hint"]


def test_a_duplicate_identifier_is_shown_as_a_problem(app):
    client = login(app, "ana")
    page = _upload(client, DUPLICATE)
    codes = [p["code"] for f in page["check"]["files"] for p in f["problems"]]
    assert "duplicate-activity-identifier" in codes
    html = client.get(f"/import/{page['upload']}").text
    assert "duplicate-activity-identifier" in html


def test_bad_files_are_reported_not_crashed_on(app):
    client = login(app, "ana")
    page = _upload(client, DATA / "not-xml.xml", DATA / "sheet-corrupt.xlsx", DATA / "rates.csv")
    files = page["check"]["files"]
    assert len(files) == 3 and page["check"]["ok"] is False
    assert all(f["problems"] for f in files if f["status"] == "refused")
    assert page["check_summary"]["errors"] >= 1


def test_an_unknown_upload_is_a_404(app):
    client = login(app, "ana")
    csrf = _form_token(client, "/import")
    assert client.get("/api/import/no-such-upload-id-here").status_code == 404
    assert client.get("/import/%2e%2e").status_code == 404
    r = client.post("/import/no-such-upload-id-here/confirm", data={"csrf_token": csrf},
                    headers=JSON)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not-found"


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_is_kept(app):
    client = login(app, "ana")
    before = set(app.state.upload_dir.glob("*"))
    try:
        app.state.max_upload_mb = 1 / 1024  # 1 KB
        r = client.post("/import", data={"csrf_token": _form_token(client, "/import")},
                        files=_files(VALID), headers=JSON)
    finally:
        del app.state.max_upload_mb
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "file-too-large" and VALID.name in error["message"]
    assert error["hint"] and set(app.state.upload_dir.glob("*")) == before


def test_an_api_token_uses_the_json_twins_without_csrf(app, token):
    client = TestClient(app)
    auth = {"Authorization": f"Bearer {token}"}
    r = client.post("/api/reports", json={"name": "by-token", "filters": {"country": ["BD"],
                                                                          "from": 2000}},
                    headers=auth)
    assert r.status_code == 201, r.text
    report = r.json()["report"]
    assert report["filters"] == {"countries": ["BD"], "year_from": 2000}
    assert client.get(report["files"]["html"], headers=auth).status_code == 200
    r = client.post("/api/import", files=_files(VALID), headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) >= {"upload", "check"} and body["check"]["totals"]["activities"] == 3
    r = client.post(f"/api/import/{body['upload']}/confirm", headers=auth)
    assert r.status_code == 200 and r.json()["result"]["totals"]["activities"] == 3
