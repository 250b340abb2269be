"""Pagination that never counts a million rows: past a cap the count reads "10,000+"."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, counter: Callable[[int], int] | None = None) -> None:
        super().__init__(object_list, per_page)
        self.counter = counter

    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery: bounded work whatever the table size. A caller
        # that knows a cheaper way to count the same rows passes it as `counter`.
        if self.counter is not None:
            return self.counter(COUNT_CAP + 1)
        rows: Any = self.object_list
        return int(rows[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def paginate(
    queryset: Any, number: int, per_page: int = 25, counter: Callable[[int], int] | None = None
) -> Page:
    paginator = CappedPaginator(queryset, per_page, counter)
    try:
        return paginator.page(number)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
