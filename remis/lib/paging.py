"""Paging that never counts a million rows.

The next page is known by reading one row more than the page shows; the total is counted
only up to COUNT_CAP (a label, "More than 1,000 cases"), so page 200 costs what page 2
costs plus the skip, whatever the table size."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from remis.lib.posted import posted_page

COUNT_CAP = 1_000


@dataclass
class Counted:
    count: int  # up to COUNT_CAP + 1
    per_page: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def num_pages(self) -> int | None:
        """None when the count is capped: the last page is not known."""
        return None if self.capped else max(1, -(-self.count // self.per_page))


@dataclass
class ListPage:
    object_list: Sequence[Any]
    number: int
    paginator: Counted
    more: bool

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def paginate(
    rows: Any, number: int, per_page: int = 25, counter: Callable[[int], int] | None = None
) -> ListPage:
    """Page `number` (from 1) of `rows` (a QuerySet or anything sliceable and countable).
    `counter(limit)` counts the same rows up to `limit` when the caller has a cheaper way."""
    number = max(1, number)
    count = counter(COUNT_CAP + 1) if counter else int(rows[: COUNT_CAP + 1].count())
    counted = Counted(count, per_page)
    if counted.num_pages is not None and number > counted.num_pages:
        number = counted.num_pages  # past the end of a known list: its last page
    offset = (number - 1) * per_page
    window = list(rows[offset : offset + per_page + 1])
    if not window and number > 1 and counted.capped:
        # Past the end of a list too long to count at every page (page=500 of 1,225 rows
        # showed "Nothing to do here"): counted whole this once, and its last page shown.
        total = counter(10**12) if counter else int(rows.count())
        number = max(1, -(-total // per_page))
        offset = (number - 1) * per_page
        window = list(rows[offset : offset + per_page + 1])
    return ListPage(window[:per_page], number, counted, len(window) > per_page)


def page_number(request: Any) -> int:
    """The `page` query parameter as a page number from 1; anything else is page 1."""
    value = request.GET.get("page", "1")
    return posted_page(value)


def page_links(page: ListPage, params: dict[str, Any]) -> dict[str, str]:
    """The list's previous and next page URLs (its filters kept), "" where there is none:
    `previous_url` and `next_url` for the pager template."""
    from urllib.parse import urlencode

    def url(number: int) -> str:
        return "?" + urlencode({**params, "page": number})

    return {
        "previous_url": url(page.number - 1) if page.has_previous() else "",
        "next_url": url(page.number + 1) if page.has_next() else "",
    }
