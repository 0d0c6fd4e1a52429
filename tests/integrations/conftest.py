"""Webhook tests run real RQ workers on the test Redis, as the job tests do, and post to
a real HTTP receiver on 127.0.0.1 (``receiver``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.jobs.conftest import queue_app  # noqa: F401  (the fixture, for this folder)


@dataclass
class Receiver:
    """A plain HTTP endpoint that answers with the next of ``statuses`` (then 200) and
    keeps what it was sent."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = got.statuses.pop(0) if got.statuses else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"thanks" if status == 200 else b"try later")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/lms"
    yield got
    server.shutdown()
    server.server_close()
