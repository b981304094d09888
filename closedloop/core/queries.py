"""Query shapes the apps share."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet


def ids_of_each(querysets: dict) -> dict:
    """key -> the ids a sliced, ordered queryset of ids gives, for every key, in one
    round trip: ``SELECT ARRAY(…), ARRAY(…)`` (an array keeps the order of its
    sub-select, and each sub-select is a top-N walk of its own index — where one window
    function over every row would rank them all)."""
    found: dict = {}
    parts, params, keys = [], [], []
    for key, queryset in querysets.items():
        try:
            sql, sub = queryset.query.sql_with_params()
        except EmptyResultSet:  # ``.none()``, or a filter no row can meet
            found[key] = []
            continue
        parts.append(f"ARRAY({sql})")
        params.extend(sub)
        keys.append(key)
    if parts:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            found.update(zip(keys, cursor.fetchone(), strict=True))
    return {key: found[key] for key in querysets}


def ids_first_page(
    ordered: QuerySet, number, per_page: int, load: Callable[[QuerySet], QuerySet]
) -> Page:
    """Page ``number`` of ``ordered`` (bare rows in their final order: nothing joined,
    annotated or aggregated), its rows made by ``load`` — which joins, annotates and
    counts — for the page's ids only, in the page's order. The count and the ids come
    from the bare rows (an index walk); an aggregate over every row before the sort is
    what a board or a list page at national scale cannot afford (issue 9)."""
    page = Paginator(ordered.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = load(ordered.model._default_manager.filter(pk__in=ids)).in_bulk()
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
