"""Query shapes the apps share."""

from __future__ import annotations

from django.db import connection


def ids_of_each(querysets: dict) -> dict:
    """key -> the ids a sliced, ordered queryset of ids gives, for every key, in one
    round trip: ``SELECT ARRAY(…), ARRAY(…)`` (an array keeps the order of its
    sub-select, and each sub-select is a top-N walk of its own index — where one window
    function over every row would rank them all)."""
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        sql, sub = queryset.query.sql_with_params()
        parts.append(f"ARRAY({sql})")
        params.extend(sub)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))
