"""A webhook receiver on 127.0.0.1 for tests (unit and browser): it answers each request
with the next status of its script, records what it got and verifies signatures with the
recipe of `remis.webhooks.signing`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from remis.webhooks.signing import verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A receiver on 127.0.0.1 that answers each request with the next status of `script`
    (the last one repeats), records what it got, and checks signatures with `secret`."""

    url: str = ""
    script: list[int] = field(default_factory=lambda: [200])
    received: list[Received] = field(default_factory=list)
    secret: str = ""
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            index = min(len(self.received) - 1, len(self.script) - 1)
            return self.script[index]

    def verified(self, item: Received) -> bool:
        return verify(
            self.secret,
            item.headers.get("X-Remis-Timestamp", ""),
            item.body,
            item.headers.get("X-Remis-Signature", ""),
            time.time(),
        )


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.received.append(Received(self.path, dict(self.headers.items()), body))
            if state.delay:
                time.sleep(state.delay)
            self.send_response(state.answer())
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a client that gave up waiting (the timeout test) is expected

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/remis"
    yield state
    server.shutdown()
    server.server_close()
