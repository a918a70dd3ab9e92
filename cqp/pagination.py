"""Pages of a list that keep the list's filters in their links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """Context for `includes/pagination.html`: the requested page and the query string without `page`."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": Paginator(queryset, per_page).get_page(request.GET.get("page")), "query": query.urlencode()}
