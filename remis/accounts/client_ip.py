"""The address a request came from, as the sign-in lockout (django-axes) counts failures by.

Behind reverse proxies every request arrives from the proxy's address: counted by that, one
attacker's failures would lock an account for everyone (all share the proxy's address).
Each proxy appends the address it received the request from to `X-Forwarded-For`, so behind
`REMIS_PROXY_COUNT` trusted proxies the client is the N-th address from the right of that
header; what a client wrote into the header itself (further left) is never read. With no
proxy configured the header is ignored altogether, since anyone can send it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "REMIS_PROXY_COUNT", 0))
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:  # not through every proxy: the nearest sender is all we know
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address (a proxy misconfigured): do not trust it
        return remote
