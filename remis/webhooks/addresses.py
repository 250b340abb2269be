"""Which receiver URLs REMIS may call (server-side request forgery guard).

https only; plain http only to a loopback address when `REMIS_WEBHOOKS_ALLOW_LOOPBACK`
is on (tests, a receiver on the same host). Every address the host name resolves to must
be public: private, link-local (cloud metadata at 169.254.169.254), loopback, multicast
and reserved ranges are refused unless `REMIS_WEBHOOKS_ALLOW_PRIVATE` (a receiver inside
a private network) or, for loopback, `REMIS_WEBHOOKS_ALLOW_LOOPBACK`. The check runs when a
subscription is saved and again before every send, and the connection is made to the
address that was checked, so a DNS answer that changes in between cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from remis.lib.errors import ValidationFailed

URL_MAX = 500


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address to connect to


class UnresolvedHost(ValidationFailed):
    """The host name has no address (now): a failed attempt at send time, not a refusal."""


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnresolvedHost(_("The receiver's host name could not be found."), "url") from None
    return [str(info[4][0]) for info in infos]


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.is_loopback:
        return bool(settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK)
    if ip.is_global:
        return True
    return bool(settings.REMIS_WEBHOOKS_ALLOW_PRIVATE) and (ip.is_private and not ip.is_link_local)


# A host name's letters, digits, hyphens and dots (an internationalised name as written in
# its own letters too), or an IP address (IPv6 without its brackets, as urlsplit gives it).
_HOST = re.compile(r"[\w.-]+|[0-9a-fA-F:.]+")


def check_url(url: str) -> Target:
    """The URL's target, checked; ValidationFailed on field "url" otherwise."""
    if len(url) > URL_MAX:
        raise ValidationFailed(_("Write at most %(limit)s characters.") % {"limit": URL_MAX}, "url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationFailed(_("Enter a valid URL."), "url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationFailed(_("Enter a valid URL starting with https://."), "url")
    if parts.username or parts.password:
        raise ValidationFailed(_("Leave user names and passwords out of the URL."), "url")
    if not _HOST.fullmatch(parts.hostname):
        # "exa mple.org" was looked up, then said to be "a host name that could not be found".
        raise ValidationFailed(_("Enter a valid URL."), "url")
    if parts.scheme == "http" and not settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK:
        # Said before the name is looked up: an unreachable name hid this rule behind its own.
        raise ValidationFailed(_("Use an https:// URL: deliveries carry signed case events."), "url")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(parts.hostname, port)
    if not addresses or not all(_allowed(a) for a in addresses):
        raise ValidationFailed(
            _("This URL leads to a private or local network address, which REMIS does not call."), "url"
        )
    if parts.scheme == "http" and not (
        settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK and all(ipaddress.ip_address(a).is_loopback for a in addresses)
    ):
        raise ValidationFailed(_("Use an https:// URL: deliveries carry signed case events."), "url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])
