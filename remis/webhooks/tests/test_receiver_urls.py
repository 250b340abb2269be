"""Which receiver URLs are accepted: https on public addresses; http only to loopback when
allowed; private, link-local and loopback addresses refused unless allowed."""

from __future__ import annotations

import pytest

from remis.lib.errors import ValidationFailed
from remis.webhooks.addresses import check_url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://10.0.0.5/hook", "private"),
        ("https://192.168.1.20/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),  # cloud metadata
        ("https://[fd00::1]/hook", "private"),
        ("https://0.0.0.0/hook", "private"),
        ("http://93.184.215.14/hook", "https://"),
        ("ftp://93.184.215.14/hook", "valid URL"),
        ("https://user:pass@93.184.215.14/hook", "passwords"),
        ("https://no-such-host.invalid/hook", "could not be found"),
        ("https://93.184.215.14:99999/hook", "valid URL"),
        # Said for what they are, not as names that could not be found (looked up first).
        ("https://exa mple.org/hook", "valid URL"),
    ],
)
def test_refused_urls_name_the_url_field(url, words):
    with pytest.raises(ValidationFailed) as refused:
        check_url(url)
    assert refused.value.field == "url" and words in refused.value.message


def test_http_is_refused_before_its_name_is_looked_up(settings):
    """An unreachable name hid the https rule behind "could not be found"."""
    settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationFailed) as refused:
        check_url("http://no-such-host.invalid/hook")
    assert refused.value.field == "url" and "https://" in refused.value.message


def test_loopback_only_when_allowed(settings):
    settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK = True
    target = check_url("http://127.0.0.1:8080/hooks?x=1")
    assert (target.address, target.port, target.path) == ("127.0.0.1", 8080, "/hooks?x=1")
    settings.REMIS_WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationFailed):
        check_url("https://127.0.0.1/hooks")


def test_private_networks_only_when_allowed_and_never_link_local(settings):
    settings.REMIS_WEBHOOKS_ALLOW_PRIVATE = True
    assert check_url("https://10.0.0.5/hook").address == "10.0.0.5"
    with pytest.raises(ValidationFailed):
        check_url("https://169.254.169.254/")


def test_a_public_https_address_is_accepted():
    target = check_url("https://93.184.215.14/hook")
    assert target.scheme == "https" and target.port == 443
