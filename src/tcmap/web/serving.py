"""Running the app under uvicorn: the HTTP protocol with Nagle's algorithm off.

With several worker processes uvicorn binds the listening socket itself, without naming the
TCP protocol, and asyncio then leaves Nagle's algorithm on for accepted connections: on a
kept-alive connection each response waits for the client's delayed ACK, about 40 ms. This
protocol turns TCP_NODELAY on for every connection, as asyncio does for sockets it makes.
"""

from __future__ import annotations

import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "tcmap.web.serving:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with TCP_NODELAY set on the connection."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all: nothing to do
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
