"""`tcmap serve`: several processes share logins; connections answer without Nagle's delay."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("uvicorn")

from conftest import WEB_PASSWORD, csrf_of  # noqa: E402


def test_the_protocol_turns_off_nagles_algorithm_on_every_connection():
    from tcmap.web.serving import NoDelayH11Protocol

    class Transport:
        def __init__(self, sock):
            self.sock = sock

        def get_extra_info(self, name, default=None):
            return self.sock if name == "socket" else default

    listener = socket.socket()  # no protocol named: what uvicorn binds for its workers
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    conn, _ = listener.accept()
    try:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        protocol = NoDelayH11Protocol.__new__(NoDelayH11Protocol)
        # The rest of uvicorn's set-up needs a real server: only the socket option is tested.
        with contextlib.suppress(AttributeError):
            protocol.connection_made(Transport(conn))
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (client, conn, listener):
            s.close()


def test_a_login_is_valid_in_every_worker_process(tmp_path):
    import httpx

    from tcmap import users
    from tcmap.store import open_store

    db = tmp_path / "serve.db"
    store = open_store(f"sqlite:///{db}")
    with store.session() as s, s.begin():
        users.add_user(s, "vera", "viewer", WEB_PASSWORD)
    store.close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "TCMAP_SECRET_KEY"}
    server = subprocess.Popen(
        [sys.executable, "-m", "tcmap", "--db", str(db), "serve", "--port", str(port),
         "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.2)
        # A new connection per request, so that the requests spread over both processes.
        page = httpx.get(f"{base}/login")
        r = httpx.post(f"{base}/login", data={
            "username": "vera", "password": WEB_PASSWORD, "csrf_token": csrf_of(page.text)},
            cookies=page.cookies, follow_redirects=False)
        assert r.status_code == 303, r.text
        cookies = r.cookies
        codes = {httpx.get(f"{base}/api/activities", cookies=cookies).status_code
                 for _ in range(12)}
        assert codes == {200}
    finally:
        server.terminate()
        server.wait(timeout=30)
