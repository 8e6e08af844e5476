"""Appraisal pages through their JSON twins: upload, sheet, rating, status, gate, limits."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from tcmap import users  # noqa: E402
from tcmap.appraisal import appraisals as lib  # noqa: E402
from tcmap.config import Settings  # noqa: E402
from tcmap.store import open_store  # noqa: E402
from tcmap.web import create_app  # noqa: E402

from conftest import DATA, WEB_PASSWORD, csrf_of, login_client  # noqa: E402

DOCS = DATA / "appraisal"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("appraisal-web")
    url = f"sqlite:///{folder / 'web.db'}"
    store = open_store(url)
    with store.session() as s, s.begin():
        users.add_user(s, "vera", "viewer", WEB_PASSWORD)
        users.add_user(s, "ana", "analyst", WEB_PASSWORD)
    return create_app(Settings.load(database_url=url, secret_key="test-key"), store)


def _upload(client, name, template="dwcp", **extra):
    page = client.get("/appraisals")
    with (DOCS / name).open("rb") as fh:
        return client.post("/api/appraisals", headers={"x-csrf-token": csrf_of(page.text)},
                           data={"template": template, **extra}, files={"file": (name, fh)})


def _temporary_folders() -> set:
    return set(Path(tempfile.gettempdir()).glob("tcmap-appraisal-*"))


def test_an_analyst_uploads_a_document_and_the_sheet_twin_is_the_library_sheet(app):
    client = login_client(app, "ana")
    before = _temporary_folders()
    r = _upload(client, "dwcp-no-capacity.pdf", title="Ruvana DWCP")
    assert r.status_code == 201, r.text
    assert _temporary_folders() == before  # the uploaded file is gone
    sheet = r.json()
    assert sheet["title"] == "Ruvana DWCP" and sheet["gate"]["passed"] is False
    with app.state.store.session() as s:
        assert client.get(f"/api/appraisals/{sheet['id']}").json() == lib.appraisal_sheet(
            s, sheet["id"])
    html = client.get(f"/appraisals/{sheet['id']}")
    assert html.status_code == 200 and "Cannot be cleared" in html.text
    assert "No capacity output for government." in html.text
    assert client.get("/appraisals").status_code == 200


def test_rating_and_clearance_through_the_api_refuse_a_failing_mandatory_criterion(app):
    client = login_client(app, "ana")
    page = client.get("/appraisals")
    token = {"x-csrf-token": csrf_of(page.text)}
    aid = _upload(client, "dwcp-no-capacity.docx").json()["id"]
    r = client.post(f"/api/appraisals/{aid}/ratings", headers=token, json={
        "criterion": "capacity-outputs", "score": 0, "action": "Add capacity outputs",
        "expected_version": 0})
    assert r.status_code == 200 and r.json()["rating"]["score"] == 0
    stale = client.post(f"/api/appraisals/{aid}/ratings", headers=token, json={
        "criterion": "capacity-outputs", "score": 3, "expected_version": 0})
    assert stale.status_code == 409 and stale.json()["error"]["current"]["score"] == 0
    bad = client.post(f"/api/appraisals/{aid}/ratings", headers=token,
                      json={"criterion": "capacity-outputs", "score": 7})
    assert bad.status_code == 400 and "0 (absent)" in bad.json()["error"]["hint"]
    assert client.post(f"/api/appraisals/{aid}/status", headers=token,
                       json={"action": "submit"}).json()["status"] == "submitted"
    refused = client.post(f"/api/appraisals/{aid}/status", headers=token,
                          json={"action": "clear"})
    assert refused.status_code == 409
    assert "capacity-outputs (0)" in refused.json()["error"]["message"]


def test_the_sheet_form_saves_ratings_and_the_report_comes_as_html_and_pdf(app):
    client = login_client(app, "ana")
    aid = _upload(client, "project-weak.docx", template="project").json()["id"]
    page = client.get(f"/appraisals/{aid}")
    form = {"csrf_token": csrf_of(page.text), "score__capacity-outputs": "1",
            "comment__capacity-outputs": "Unions only", "action__capacity-outputs":
            "Add an output for the Ministry", "version__capacity-outputs": "0"}
    r = client.post(f"/appraisals/{aid}/ratings", data=form)
    assert r.status_code == 303, r.text
    sheet = client.get(f"/api/appraisals/{aid}").json()
    rating = next(c["rating"] for sec in sheet["sections"] for c in sec["criteria"]
                  if c["code"] == "capacity-outputs")
    assert rating["score"] == 1 and rating["required_action"] == "Add an output for the Ministry"
    report = client.get(f"/appraisals/{aid}/report")
    assert report.status_code == 200 and "Add an output for the Ministry" in report.text
    pdf = client.get(f"/appraisals/{aid}/report", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/api/appraisals/{aid}/report").json()["id"] == aid


def test_the_gate_page_takes_several_documents_and_gives_the_share(app):
    client = login_client(app, "ana")
    page = client.get("/gate")
    files = [("files", (n, (DOCS / n).read_bytes())) for n in
             ("dwcp-capacity.pdf", "dwcp-no-capacity.pdf", "bad-encrypted.pdf")]
    r = client.post("/api/gate", headers={"x-csrf-token": csrf_of(page.text)}, files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["read"] == 2 and body["share_passed"] == 0.5
    assert body["unreadable"][0]["document"] == "bad-encrypted.pdf"
    html = client.post("/gate", data={"csrf_token": csrf_of(page.text)}, files=files)
    assert "1 of 2" in html.text


def test_viewers_read_but_cannot_upload_and_bad_uploads_are_clear_problems(app):
    viewer = login_client(app, "vera")
    assert viewer.get("/api/appraisals").status_code == 200
    with (DOCS / "project-good.pdf").open("rb") as fh:
        r = viewer.post("/api/appraisals", data={"template": "project"},
                        files={"file": ("x.pdf", fh)})
    assert r.status_code == 403
    client = login_client(app, "ana")
    r = _upload(client, "bad-image-only.pdf")
    assert r.status_code == 400 and "OCR" in r.json()["error"]["hint"]
    r = _upload(client, "project-good.pdf", template="nope")
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown-checklist"
    app.state.max_appraisal_upload_mb = 0.001  # about 1 KB
    try:
        r = _upload(client, "project-good.pdf", template="project")
        assert r.status_code == 413 and r.json()["error"]["code"] == "file-too-large"
    finally:
        del app.state.max_appraisal_upload_mb
    html = client.post("/appraisals", data={"template": "dwcp", "csrf_token": csrf_of(
        client.get("/appraisals").text)}, files={"file": ("scan.pdf",
                                                          (DOCS / "bad-image-only.pdf")
                                                          .read_bytes())})
    assert html.status_code == 400 and "no text layer" in html.text
    assert client.get("/api/appraisals/999").status_code == 404
