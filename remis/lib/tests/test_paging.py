"""Paging a list too long to count at every page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from remis.lib import paging
from remis.lib.paging import paginate


class Rows:
    """Rows as a query set offers them: sliced, and counted without reading them."""

    def __init__(self, items: list[int]) -> None:
        self.items = items

    def __getitem__(self, window: Any) -> Rows:
        return Rows(self.items[window])

    def __iter__(self) -> Iterator[int]:
        return iter(self.items)

    def count(self) -> int:
        return len(self.items)


def test_a_page_past_the_end_of_a_capped_list_shows_its_last_page(monkeypatch):
    """Page 500 of 1,225 rows (counted only to 1,001) showed an empty page saying there was
    nothing to do."""
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    rows = Rows(list(range(1, 26)))  # 25 rows, more than the cap of 10
    page = paginate(rows, 500, per_page=4)
    assert page.paginator.capped and page.number == 7 and list(page.object_list) == [25]
    assert not page.has_next() and page.has_previous()
    assert list(paginate(rows, 2, per_page=4).object_list) == [5, 6, 7, 8]  # within: as asked


def test_a_count_under_the_cap_is_exact_and_past_its_end_is_the_last_page():
    rows = Rows(list(range(1, 8)))
    page = paginate(rows, 9, per_page=5)
    assert not page.paginator.capped and page.paginator.num_pages == 2
    assert page.number == 2 and list(page.object_list) == [6, 7]
