"""Paging without counting: a page of rows plus one, so the list costs the same at any size.

Django's Paginator counts every matching row to print "page 3 of 4,000"; on a school with years
of incidents that COUNT is the one query that grows. Next / previous is all a busy reader needs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Page:
    object_list: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_of(queryset, page: str | None, per_page: int, max_page: int = 2000) -> Page:
    number = int(page) if page and page.isdigit() else 1
    number = min(max(number, 1), max_page)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(rows[:per_page], number, len(rows) > per_page)


def first_page(rows: list, per_page: int) -> Page:
    """The first page from its rows plus one read ahead, as `page_of` reads them (for a list whose
    first page is read by its own query)."""
    return Page(rows[:per_page], 1, len(rows) > per_page)
