"""The web app end to end, in a real headless Chromium driven by Playwright.

A module-wide server (uvicorn in a thread, on a free 127.0.0.1 port) serves the demo portfolio,
imported and classified, to two people: ana (analyst) and vera (viewer). Each test saves a
full-page screenshot to test-output/e2e/<test name>.png.

Skipped when Playwright or Chromium is absent, unless TCMAP_REQUIRE_CHROMIUM=1 (CI), which
turns the absence into a failure. TCMAP_CHROMIUM points at another Chromium binary.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import urllib.request

import pytest

from conftest import DATA, REPO

CHROMIUM = os.environ.get("TCMAP_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("TCMAP_REQUIRE_CHROMIUM") == "1"


MISSING: list[str] = []


def _absent(why: str) -> None:
    """Skip the module, or (TCMAP_REQUIRE_CHROMIUM=1) note why each of its tests must fail."""
    if not REQUIRE:
        pytest.skip(why, allow_module_level=True)
    MISSING.append(why)


try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    _absent("the playwright package is not installed")
if not os.access(CHROMIUM, os.X_OK):
    _absent(f"no Chromium at {CHROMIUM}")
try:
    import uvicorn

    from tcmap.web import create_app
except ImportError:
    _absent("the web extra (fastapi, uvicorn) is not installed")


@pytest.fixture(autouse=True, scope="module")
def _required():
    if MISSING:
        pytest.fail(f"TCMAP_REQUIRE_CHROMIUM=1 but {'; '.join(MISSING)}: install Debian's "
                    "chromium package and `pip install -e '.[test]'` (which brings playwright).",
                    pytrace=False)


from tcmap import users  # noqa: E402
from tcmap.classify import load_classifier  # noqa: E402
from tcmap.classify.run import classify_store  # noqa: E402
from tcmap.config import Settings  # noqa: E402
from tcmap.demo import DEMO_XML  # noqa: E402
from tcmap.ingest import import_paths  # noqa: E402
from tcmap.store import open_store  # noqa: E402

PASSWORD = "correct horse battery"
UKRAINE = "XM-DAC-41302-101895-378077-2010-UKR107"
MODEL = "labour_administration_inspection"
SHOTS = REPO / "test-output" / "e2e"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """The app over the classified demo portfolio, served by uvicorn in a daemon thread."""
    tmp = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{tmp / 'e2e.db'}"
    store = open_store(url)
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    classify_store(store, load_classifier())
    with store.session() as s, s.begin():
        users.add_user(s, "ana", "analyst", PASSWORD)
        users.add_user(s, "vera", "viewer", PASSWORD)
    app = create_app(Settings.load(database_url=url, secret_key="e2e-key", workers=1), store)
    app.state.report_dir = tmp / "reports"
    app.state.upload_dir = tmp / "uploads"

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the port stays ours from here to the server's start
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(f"{root}/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"the test server did not answer {root}/health within 15 s")
        time.sleep(0.05)
    yield root
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    store.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        except Exception as exc:  # a broken binary: say so, whatever REQUIRE says
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
        yield b
        b.close()


@pytest.fixture(scope="module")
def sessions(browser, base_url):
    """Each person's logged-in browser state, made once through the login form."""
    states: dict[str, dict] = {}

    def state(name: str) -> dict:
        if name not in states:
            context = browser.new_context(base_url=base_url)
            page = context.new_page()
            log_in(page, name)
            expect(page).to_have_url(re.compile(r"/activities$"))
            states[name] = context.storage_state()
            context.close()
        return states[name]

    return state


@pytest.fixture
def open_page(request, browser, base_url, sessions):
    """open_page(user=None) -> a page in a fresh browser context (logged in as user).

    At the end of the test the last page opened is saved as a full-page screenshot, and no
    response of the server may have been a 5xx.
    """
    contexts, pages, server_errors = [], [], []

    def make(user: str | None = None):
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900},
                                      storage_state=sessions(user) if user else None)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}")
                if r.status >= 500 else None)
        contexts.append(context)
        pages.append(page)
        return page

    yield make
    SHOTS.mkdir(parents=True, exist_ok=True)
    if pages and not pages[-1].is_closed():
        pages[-1].screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    for context in contexts:
        context.close()
    assert not server_errors, f"the server answered with errors: {server_errors}"


def log_in(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")


def total(page) -> int:
    """The number of activities the portfolio's heading announces."""
    text = page.locator(".results h1 small").inner_text()
    return int(re.match(r"([\d,]+) activities", text).group(1).replace(",", ""))


def chips(page) -> list[str]:
    return [c.strip() for c in page.locator(".results .chips .chip").all_inner_texts()]


def identifiers(page) -> list[str]:
    return page.locator(".results tbody small.id").all_inner_texts()


def test_a_wrong_password_shows_the_error_and_the_right_one_opens_the_portfolio(request,
                                                                             open_page):
    page = open_page()
    page.goto("/activities")
    expect(page).to_have_url(re.compile(r"/login\?next=/activities$"))
    log_in(page, "ana", "not the password")
    expect(page.locator(".login .alert[role=alert]")).to_be_visible()
    expect(page.locator(".login .alert")).not_to_be_empty()
    expect(page.locator(".top nav")).to_have_count(0)  # still logged out
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}-error.png"), full_page=True)
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/activities$"))
    expect(page.locator(".results h1")).to_contain_text("Portfolio")
    expect(page.locator(".top .who")).to_contain_text("ana")
    assert total(page) > 0 and len(identifiers(page)) > 0


def test_a_facet_and_a_search_narrow_the_portfolio_and_the_url_keeps_them(open_page):
    page = open_page("vera")
    page.goto("/activities")
    everything = total(page)
    assert chips(page) == []

    page.locator(".facets a[href*='outcome=O11&']").first.click()
    expect(page.locator(".results .chips")).to_contain_text("outcome: O11")
    by_outcome = total(page)
    assert 0 < by_outcome < everything
    expect(page).to_have_url(re.compile(r"[?&]outcome=O11(&|$)"))

    page.fill("#q", "inspection")
    page.press("#q", "Enter")
    expect(page.locator(".results .chips")).to_contain_text("q: inspection")
    assert sorted(chips(page)) == ["outcome: O11", "q: inspection"]
    narrowed = total(page)
    assert 0 < narrowed <= by_outcome
    assert UKRAINE in identifiers(page)
    assert re.search(r"[?&]outcome=O11(&|$)", page.url) and re.search(r"[?&]q=inspection", page.url)
    twin = page.request.get("/api/activities?outcome=O11&q=inspection").json()
    assert twin["total"] == narrowed

    shown = identifiers(page)
    page.reload()
    assert total(page) == narrowed and sorted(chips(page)) == sorted(
        ["outcome: O11", "q: inspection"])
    assert identifiers(page) == shown
    expect(page.locator("#q")).to_have_value("inspection")


def test_an_analyst_rejects_a_modality_and_the_history_lists_it(open_page):
    page = open_page("ana")
    page.goto(f"/activities/{UKRAINE}")
    row = page.locator("table.tags tbody tr").filter(
        has=page.locator("td", has_text="modalities")).filter(
        has=page.locator("strong", has_text=re.compile(r"^training$")))
    expect(row).to_have_count(1)
    expect(row).not_to_have_class(re.compile("state-rejected"))
    row.get_by_role("button", name="Reject modalities training").click()
    expect(page).to_have_url(re.compile(rf"/activities/{re.escape(UKRAINE)}#mapping$"))
    expect(row).to_have_class(re.compile(r"\bstate-rejected\b"))
    expect(row.locator("td").nth(3)).to_have_text("rejected by ana")
    expect(row.get_by_role("button", name="Reject modalities training")).to_have_count(0)
    expect(row.get_by_role("button", name="Accept modalities training")).to_have_count(1)
    latest = page.locator("#history ol.history li").first
    expect(latest).to_contain_text("ana · rejected modalities:training")
    page.locator("#history").scroll_into_view_if_needed()


def test_every_button_on_an_activity_page_shows_its_label(open_page):
    """Each button's text is drawn in another colour than its background (the Add and Save
    note buttons were white on white: a class rule set the background, `main button` the
    colour)."""
    page = open_page("ana")
    page.goto(f"/activities/{UKRAINE}")
    buttons = page.locator("main button")
    assert buttons.count() > 3
    colours = buttons.evaluate_all(
        "bs => bs.map(b => [b.textContent.trim(), getComputedStyle(b).color, "
        "getComputedStyle(b).backgroundColor])")
    for label, colour, background in colours:
        assert label and colour != background, (label, colour, background)


def test_an_analyst_edits_a_model_section_and_sees_its_version(open_page):
    page = open_page("ana")
    page.goto(f"/models/{MODEL}")
    section = page.locator("section#logic")
    expect(section.locator(".note").first).to_have_text("Not written yet.")
    textarea = section.locator("textarea#text-logic")
    expect(textarea).to_be_hidden()
    section.locator("details > summary", has_text="Edit").click()
    expect(textarea).to_be_visible()
    text = "Needs assessment first, then inspectors trained on a shared checklist."
    textarea.fill(text)
    section.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/models/{MODEL}"))
    expect(section.locator(".text")).to_have_text(text)
    expect(section.locator("p.note").first).to_contain_text("Version 1, by ana")
    expect(page.locator("#history ol.history")).to_contain_text("ana · logic")


def test_an_analyst_builds_a_report_and_downloads_its_html(open_page):
    page = open_page("ana")
    page.goto("/reports")
    expect(page.locator(".reports h1")).to_contain_text("0 built")
    page.fill("#name", "e2e-snapshot")
    page.fill("#f-outcome", "O11")
    page.get_by_role("button", name="Build the report").click()
    done = page.locator("p.done[role=status]")
    expect(done).to_contain_text("e2e-snapshot", timeout=30_000)
    row = page.locator(".reports tbody tr", has_text="e2e-snapshot")
    link = row.get_by_role("link", name="HTML")
    expect(link).to_have_attribute("href", "/reports/e2e-snapshot/report.html")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    body = response.text()
    assert body.lstrip().lower().startswith("<!doctype html") and "e2e-snapshot" in body


def test_an_upload_with_a_duplicate_shows_its_problem_before_it_is_imported(request,
                                                                           open_page):
    page = open_page("ana")
    page.goto("/import")
    page.set_input_files("#files", str(DATA / "duplicate-identifier.xml"))
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_url(re.compile(r"/import/[A-Za-z0-9_-]{16,64}$"))
    expect(page.locator(".import h2").first).to_have_text("Checked, not yet imported")
    problems = page.locator("table.problems")
    expect(problems).to_contain_text("duplicate-activity-identifier")
    expect(page.locator("p.verdict")).to_contain_text("rejected")
    confirm = page.get_by_role("button", name="Import these files")
    expect(confirm).to_be_enabled()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}-checked.png"), full_page=True)
    confirm.click()
    expect(page.locator(".import h2").first).to_have_text("Imported")
    expect(page.locator(".import")).to_contain_text("duplicate-activity-identifier")


def test_a_viewer_sees_no_review_buttons(open_page):
    page = open_page("vera")
    page.goto(f"/activities/{UKRAINE}")
    expect(page.locator("table.tags tbody tr").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^(Accept|Reject)\b"))).to_have_count(0)
    expect(page.locator("td.decide")).to_have_count(0)
    expect(page.locator("form.add-tag")).to_have_count(0)
    expect(page.get_by_label("Add a tag")).to_have_count(0)
    expect(page.locator(".top .who")).to_contain_text("viewer")


def test_the_first_tab_reaches_the_skip_link_and_it_jumps_to_the_content(request, open_page):
    page = open_page("vera")
    page.goto("/activities")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_have_attribute("href", "#main")
    box = focused.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "focused skip link is off-screen"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}-focused.png"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
