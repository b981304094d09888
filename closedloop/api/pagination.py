from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``?page=N&page_size=M`` (max 200), as API.md promises."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdsFirst:
    """A list for ``StandardPagination`` that picks a page's ids first, then loads only
    those rows (the list pages' pattern, ``issues.listing.page_rows``).

    ``queryset``: the filtered, ordered rows with nothing joined or annotated, so the
    count and the page's ``ORDER BY … LIMIT … OFFSET …`` are walks of an index; ``load``
    gets a condition that holds for the page's rows and returns them with everything the
    serializer reads (one query: ``pk = ANY(ARRAY(SELECT id … LIMIT n OFFSET m))``); they are
    sorted here by the same order, which ends with the primary key, so the reply is
    exactly the ordered queryset's slice. The reply's shape is DRF's (``count``, ``next``, ``previous``, ``results``)."""

    def __init__(self, queryset: QuerySet, load: Callable[[QuerySet], QuerySet]):
        order = list(queryset.query.order_by)
        if not {"pk", "-pk", "id", "-id"} & set(order):
            order.append("-pk")  # ties broken the same way on every page
        self.queryset = queryset.order_by(*order)
        self.load = load

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, window: slice) -> list:
        picked = self.queryset.values("pk")[window]
        try:
            sql, params = picked.query.sql_with_params()
        except EmptyResultSet:  # a filter that no row can meet (an unknown code)
            return []
        model = self.queryset.model
        column = f'"{model._meta.db_table}"."{model._meta.pk.column}"'
        # ``pk = ANY(ARRAY(…))``, not ``pk IN (…)``: the array is computed once and the
        # rows are fetched by primary key. With ``IN`` PostgreSQL plans a semi-join, which
        # with the serializer's eight joins (over join_collapse_limit) it placed after
        # them all: every row joined, then 50 kept.
        ids = RawSQL(f"{column} = ANY(ARRAY({sql}))", params, output_field=BooleanField())
        return list(self.load(ids).order_by(*self.queryset.query.order_by))
