"""The home page as its user sees it once the work lists have arrived: the page loads each
list after itself (`work_card`), and a test reading the page alone would see none."""

from __future__ import annotations

import html
import re
from typing import Any

PENDING = re.compile(r'<div hidden data-work-pending data-hx-get="([^"]+)"[^>]*></div>')


def home_page(client: Any) -> str:
    """The dashboard with each work list's placeholder replaced by what the page receives."""
    page = client.get("/")
    assert page.status_code == 200

    def arrived(placeholder: re.Match[str]) -> str:
        card = client.get(html.unescape(placeholder.group(1)), HTTP_HX_REQUEST="true")
        assert card.status_code == 200
        return card.content.decode()

    return PENDING.sub(arrived, page.content.decode())
