"""Pages of a list that keep the list's filters in their links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from cqp.lib.bounds import has_control_characters

PAGE_SIZE = 25
# A search typed into a list's box (or the address bar) is cut to this length before it reaches the database.
SEARCH_LENGTH = 100


def search_terms(request: HttpRequest, name: str = "q") -> str:
    """The search of a list (`?q=`), bounded and without control characters: a search never refuses, at worst it
    finds nothing."""
    text = request.GET.get(name, "")[: SEARCH_LENGTH * 2]
    return "".join(char for char in text if not has_control_characters(char))[:SEARCH_LENGTH].strip()


def paginate(
    request: HttpRequest, queryset: QuerySet[Any] | Sequence[Any], *, per_page: int = PAGE_SIZE
) -> dict[str, Any]:
    """Context for `includes/pagination.html`: the requested page (of a queryset or a list) and the query string
    without `page`."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": Paginator(queryset, per_page).get_page(request.GET.get("page")), "query": query.urlencode()}
