"""The pages of a programme's rules that later apps keep (approval thresholds and proposed
assistance types, the follow-up schedule, referral rules): each app registers its page from
its `AppConfig.ready()`, and the programme's page links them all. Before, a new programme's
rules were found only from the lists that use them (a schedule from "Follow-ups", referral
rules from an overdue-referrals page the menu did not offer)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class ProgrammePage:
    name: str
    label: Any  # lazily translated
    url_name: str  # takes the programme's code
    order: int = 50


_pages: dict[str, ProgrammePage] = {}


def register_programme_page(page: ProgrammePage) -> None:
    _pages[page.name] = page


def programme_pages(programme: Any) -> list[tuple[str, str]]:
    """(label, address) of each registered page for `programme`, in order."""
    ordered = sorted(_pages.values(), key=lambda p: (p.order, p.name))
    return [(str(p.label), reverse(p.url_name, args=[programme.code])) for p in ordered]
