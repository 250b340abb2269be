"""One HTTP POST to a receiver, to the address `addresses.check_url` checked (the standard
library's http.client: no redirects are followed, and the connection goes to that address
while TLS still checks the certificate against the host name)."""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from remis.webhooks.addresses import Target


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


@dataclass(frozen=True)
class Answer:
    status: int


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body`; the receiver's answer body is read (up to 1 KiB, so the connection
    closes cleanly) and dropped: REMIS keeps none of it."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout)
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(1024)
        return Answer(response.status)
    finally:
        connection.close()
