"""Pagination that never counts a million rows: past a cap the count reads "10,000+"."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # COUNT over a LIMITed subquery: bounded work whatever the table size.
        rows: Any = self.object_list
        return int(rows[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def paginate(queryset: Any, number: int, per_page: int = 25) -> Page:
    paginator = CappedPaginator(queryset, per_page)
    try:
        return paginator.page(number)
    except EmptyPage:
        return paginator.page(paginator.num_pages)
