"""Shared fixtures: a fresh store on SQLite and, where a server is given, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tcmap.store import open_store

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def _shared() -> Path:
    env = os.environ.get("TCMAP_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


SHARED = _shared()
REAL = SHARED / "data" / "real"
LABELLED = SHARED / "data" / "labelled"
PG_URL = os.environ.get("TCMAP_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("TCMAP_REQUIRE_POSTGRES") == "1"


def need_shared(*parts: str) -> Path:
    """The path under ../shared, or skip the test when that folder is absent (a user's machine)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data set is only on the project's machines)")
    return path


def _postgres_database():
    """A fresh PostgreSQL database on the test server, dropped afterwards."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TCMAP_REQUIRE_POSTGRES=1 but TCMAP_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set TCMAP_TEST_POSTGRES_URL)")
    from sqlalchemy import create_engine, text

    name = f"tcmap_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """The URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tcmap.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def store(db_url):
    """An open, migrated, empty store on each database."""
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    """An open, migrated, empty SQLite store (for tests that need only one database)."""
    s = open_store(f"sqlite:///{tmp_path / 'tcmap.db'}")
    yield s
    s.close()


WEB_PASSWORD = "correct horse battery"


def make_demo_web_app(folder: Path):
    """The web app over the demo portfolio, classified, with a viewer (vera) and an analyst
    (ana); reports and uploads go under the folder."""
    from tcmap import users
    from tcmap.classify import load_classifier
    from tcmap.classify.run import classify_store
    from tcmap.config import Settings
    from tcmap.demo import DEMO_XML
    from tcmap.ingest import import_paths
    from tcmap.web import create_app

    url = f"sqlite:///{folder / 'web.db'}"
    store = open_store(url)
    import_paths(store, [DEMO_XML], Settings.load(workers=1))
    classify_store(store, load_classifier())
    with store.session() as s, s.begin():
        users.add_user(s, "vera", "viewer", WEB_PASSWORD)
        users.add_user(s, "ana", "analyst", WEB_PASSWORD)
    app = create_app(Settings.load(database_url=url, secret_key="test-key"), store)
    app.state.report_dir = folder / "reports"
    app.state.upload_dir = folder / "uploads"
    return app


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    import re

    return re.search(r'name="csrf_token" value="([^"]*)"', html).group(1)


def login_client(app, name: str = "vera", password: str = WEB_PASSWORD):
    """A test client logged in through the login form."""
    from fastapi.testclient import TestClient

    client = TestClient(app, follow_redirects=False)
    page = client.get("/login")
    r = client.post("/login", data={"username": name, "password": password,
                                    "csrf_token": csrf_of(page.text), "next": "/activities"})
    assert r.status_code == 303, r.text
    return client
