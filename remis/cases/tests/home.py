"""The home page and My work as their user sees them once the work lists have arrived: the
pages load each list after themselves (`work_card`), and a test reading a page alone would
see none."""

from __future__ import annotations

import html
import re
from typing import Any

PENDING = re.compile(r'<div hidden data-work-pending data-hx-get="([^"]+)"[^>]*></div>')


def home_page(client: Any) -> str:
    """The dashboard with each work list's placeholder replaced by what the page receives."""
    return filled_page(client, "/")


def my_work_page(client: Any, **headers: Any) -> str:
    """My work with each list's placeholder replaced by what the page receives."""
    return filled_page(client, "/my-work/", **headers)


def filled_page(client: Any, url: str, **headers: Any) -> str:
    page = client.get(url, **headers)
    assert page.status_code == 200

    def arrived(placeholder: re.Match[str]) -> str:
        card = client.get(html.unescape(placeholder.group(1)), HTTP_HX_REQUEST="true", **headers)
        assert card.status_code == 200
        return card.content.decode()

    return PENDING.sub(arrived, page.content.decode())
