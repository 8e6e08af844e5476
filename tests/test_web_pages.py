"""The mapping matrix and the country pages, through their JSON twins, against the analyses."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from tcmap.analysis.coverage import coverage  # noqa: E402
from tcmap.analysis.frame import FrameFilters, load_frame  # noqa: E402
from tcmap.analysis.integration import integration, isolated_training  # noqa: E402
from tcmap.analysis.synergy import scatter_index, synergy  # noqa: E402
from tcmap.taxonomy import load_framework  # noqa: E402
from tcmap.web.pages import countries, matrix  # noqa: E402,F401

from conftest import csrf_of, login_client, make_demo_web_app  # noqa: E402

COUNTRY = "KE"  # the demo country with an isolated-training cluster and scatter


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_demo_web_app(tmp_path_factory.mktemp("web"))


_csrf = csrf_of
login = login_client


@pytest.fixture(scope="module")
def viewer(app) -> TestClient:
    return login(app)


def frame_of(app, filters: FrameFilters | None = None):
    with app.state.store.session() as s:
        return load_frame(s, filters)


def framework(app):
    return load_framework(app.state.settings.framework)


def opened(client: TestClient, href: str) -> dict:
    """The portfolio a page's link opens, through its JSON twin, all on one page."""
    assert href.startswith("/activities?")
    r = client.get("/api" + href + "&per_page=500")
    assert r.status_code == 200, r.text
    return r.json()


def get(client: TestClient, url: str, **params) -> dict:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    return r.json()


# The mapping matrix

def test_matrix_cells_and_totals_equal_coverage_on_the_same_frame(app, viewer):
    page = get(viewer, "/api/matrix")
    expected = coverage(frame_of(app), framework(app), "outcomes", "modalities",
                        only_capacity=True)["matrices"][0]
    assert page["options"] == {"rows": "outcomes", "cols": "modalities", "only_capacity": True}
    assert [(c["row"], c["col"], c["count"]) for c in page["cells"]] == [
        (c["row"], c["col"], c["count"]) for c in expected["cells"]]
    o1_training = next(c for c in page["cells"] if (c["row"], c["col"]) == ("O1", "training"))
    assert o1_training["count"] == next(
        c["count"] for c in expected["cells"] if (c["row"], c["col"]) == ("O1", "training")) > 0
    assert [t["count"] for t in page["row_totals"]] == [
        t["count"] for t in expected["row_totals"]]
    assert [t["count"] for t in page["col_totals"]] == [
        t["count"] for t in expected["col_totals"]]
    assert page["total"] == expected["total"]["count"]


def test_matrix_filters_narrow_the_frame_like_the_analysis(app, viewer):
    page = get(viewer, "/api/matrix", rows="capacity_levels", cols="target_groups",
               country="ke", only_capacity="false", **{"from": 2010, "to": 2014})
    frame = frame_of(app, FrameFilters(countries=[COUNTRY], year_from=2010, year_to=2014))
    expected = coverage(frame, framework(app), "capacity_levels", "target_groups")
    assert page["filters"] == {"country": COUNTRY, "from": 2010, "to": 2014}
    assert [c["count"] for c in page["cells"]] == [
        c["count"] for c in expected["matrices"][0]["cells"]]
    assert any("range of years" in n for n in page["notes"])


def test_a_cell_link_opens_the_activities_behind_the_cell(app, viewer):
    page = get(viewer, "/api/matrix", cells="full")
    busy = max(page["cells"], key=lambda c: c["count"])
    small = min((c for c in page["cells"] if c["count"]), key=lambda c: c["count"])
    for cell in (busy, small):
        listed = opened(viewer, cell["href"])
        assert listed["total"] == cell["count"]
        assert sorted(a["identifier"] for a in listed["activities"]) == cell["activities"]


def test_every_cell_link_of_a_country_matrix_opens_its_count(viewer):
    page = get(viewer, "/api/matrix", rows="capacity_levels", cols="target_groups",
               country=COUNTRY)
    linked = [c for c in page["cells"] if c["count"]]
    assert linked and all(f"country={COUNTRY}" in c["href"] for c in linked)
    for cell in linked:
        assert opened(viewer, cell["href"])["total"] == cell["count"], cell
    assert all(c["href"] is None for c in page["cells"] if not c["count"])


def test_matrix_gives_identifiers_only_when_asked(app, viewer):
    assert all("activities" not in c for c in get(viewer, "/api/matrix")["cells"])
    full = get(viewer, "/api/matrix", cells="full")
    expected = coverage(frame_of(app), framework(app), only_capacity=True)["matrices"][0]
    assert [c["activities"] for c in full["cells"]] == [c["activities"]
                                                        for c in expected["cells"]]


def test_matrix_shading_steps_up_with_the_count(viewer):
    page = get(viewer, "/api/matrix")
    assert {c["level"] for c in page["cells"] if c["count"] == 0} == {0}
    assert next(c["level"] for c in page["cells"] if c["count"] == page["max"]) == \
        matrix.STEPS
    for c in page["cells"]:
        band = next(b for b in page["legend"] if b["level"] == c["level"])
        assert band["min"] <= c["count"] <= band["max"]


def test_a_wrong_matrix_option_is_a_400_in_the_one_shape(viewer):
    for params in ({"rows": "sectors"}, {"rows": "modalities", "cols": "modalities"}):
        r = viewer.get("/api/matrix", params=params)
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "bad-request" and r.json()["error"]["hint"]
    assert viewer.get("/api/matrix", params={"from": "last year"}).status_code == 422


# The country pages

def test_country_figures_equal_the_analyses_of_the_portfolio(app, viewer):
    page = get(viewer, f"/api/countries/{COUNTRY}")
    fw, frame = framework(app), frame_of(app)
    mine = [a for a in frame if COUNTRY in {c for c, _ in a.countries}]
    assert page["name"] == "Kenya" and page["activities"] == len(mine)

    integ = next(g for g in integration(frame, fw, by="country")["groups"]
                 if g["country"] == COUNTRY)
    assert page["integration"]["activities"] == integ["activities"]
    for span in ("three", "two", "one", "none"):
        assert page["integration"]["levels"][span]["count"] == integ["levels"][span]["count"]
        assert page["integration"]["levels"][span]["share"] == integ["levels"][span]["share"]
    assert page["integration"]["individual_only"]["share"] == integ["individual_only"]["share"]

    iso = [c for c in isolated_training(frame, fw)["clusters"] if c["country"] == COUNTRY]
    assert iso, "the demo has an isolated-training cluster in Kenya"
    assert [(c["outcome"], c["activities"]) for c in page["isolated_training"]["clusters"]] \
        == [(c["outcome"], c["activities"]) for c in iso]

    scatter = [c for c in scatter_index(frame, fw)["clusters"] if c["country"] == COUNTRY]
    assert [(c["outcome"], c["scatter_index"], c["activities"], c["single_modality"],
             c["distinct_modalities"]) for c in page["scatter"]["clusters"]] == [
        (c["outcome"], c["scatter_index"], c["activities"], c["single_modality"],
         c["distinct_modalities"]) for c in scatter]

    states = next(c for c in synergy(frame, fw)["countries"] if c["country"] == COUNTRY)
    shown = {(p["pair"], o["outcome"]): o["status"] for p in page["pairs"]
             for o in p["outcomes"]}
    assert shown == {(s["pair"], s["outcome"]): s["status"] for s in states["pairs"]}
    assert {"paired", "missing_b"} <= set(shown.values())


def test_country_counts_open_the_same_activities_in_the_portfolio(viewer):
    page = get(viewer, f"/api/countries/{COUNTRY}")
    assert opened(viewer, page["links"]["portfolio"])["total"] == page["activities"]
    assert opened(viewer, page["links"]["capacity_development"])["total"] == \
        page["capacity_development"]
    rows = (page["by_outcome"] + page["by_modality"] + page["by_capacity_level"]
            + page["by_constituent"])
    assert {r["code"] for r in page["by_constituent"]} == {"government", "employers_org",
                                                           "workers_org"}
    for row in rows:
        if row["count"]:
            assert f"country={COUNTRY}" in row["href"]
            assert opened(viewer, row["href"])["total"] == row["count"], row
        else:
            assert row["href"] is None


def test_country_codes_are_case_insensitive(viewer):
    assert get(viewer, "/api/countries/ke") == get(viewer, f"/api/countries/{COUNTRY}")


@pytest.mark.parametrize("code", ["FR", "ZZ"])
def test_a_country_without_activities_is_a_404_in_the_one_shape(viewer, code):
    r = viewer.get(f"/api/countries/{code}")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["code"] == "not-found" and code in error["message"] and error["hint"]
    assert viewer.get(f"/countries/{code}").status_code == 404


def test_the_country_index_counts_each_country_like_the_portfolio(viewer):
    page = get(viewer, "/api/countries")
    kenya = next(c for c in page["countries"] if c["code"] == COUNTRY)
    assert kenya["name"] == "Kenya" and kenya["href"] == f"/countries/{COUNTRY}"
    assert kenya["activities"] == opened(viewer, kenya["portfolio"])["total"] == \
        get(viewer, f"/api/countries/{COUNTRY}")["activities"]
    assert page["total"] == len(page["countries"])


# Both pages

PAGES = ("/matrix", "/countries", f"/countries/{COUNTRY}")


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_need_a_login(app, path):
    client = TestClient(app, follow_redirects=False)
    r = client.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = client.get("/api" + path)
    assert r.status_code == 401
    assert set(r.json()["error"]) >= {"status", "code", "message", "hint"}


def test_the_matrix_page_is_an_accessible_table_heatmap(viewer):
    page = get(viewer, "/api/matrix")
    html = viewer.get("/matrix").text
    assert "<h1>Mapping matrix" in html and "<caption>" in html
    assert html.count('<th scope="col"') == len(page["cols"]) + 1
    assert html.count('<th scope="row"') == len(page["rows"]) + 1
    busy = max(page["cells"], key=lambda c: c["count"])
    assert f'href="{busy["href"].replace("&", "&amp;")}"' in html
    assert 'style="background:#08306b;color:#ffffff"' in html


def test_the_country_pages_render_with_a_heading_and_tables(viewer):
    html = viewer.get(f"/countries/{COUNTRY}").text
    assert re.search(r"<h1>Kenya <small>KE", html) and "<table" in html
    assert "Isolated training" in html and "Scatter" in html
    index = viewer.get("/countries").text
    assert "<h1>Countries" in index and f'href="/countries/{COUNTRY}"' in index
