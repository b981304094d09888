"""What every app's FilterSets share: the one search parameter, ``search``.

An app's ``<app>/filtersets.py`` holds one FilterSet per model, used by its HTML list
page (``FilterSet(request.GET, queryset=Model.objects.visible_to(user))``) and by its API
viewset (``filterset_class``) alike, so a bookmark of a page and an API call filter the
same way. A FilterSet that searches derives from :class:`SearchFilterSet` and names its
``search_fields``; viewsets then declare no ``search_fields`` of their own."""

from __future__ import annotations

import operator
from functools import reduce
from typing import ClassVar

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import search_smart_split


class SearchFilterSet(django_filters.FilterSet):
    """``?search=`` splits into terms (spaces or commas; quotes keep a phrase together)
    and keeps the rows where every term occurs, case-insensitively, in one of
    ``search_fields`` — the same rule as DRF's ``SearchFilter``."""

    search_fields: ClassVar[tuple[str, ...]] = ()

    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))

    def filter_search(self, queryset, name, value):
        terms = search_smart_split(value or "")
        if not terms or not self.search_fields:
            return queryset
        return queryset.filter(
            reduce(
                operator.and_,
                (
                    reduce(operator.or_, (Q(**{f"{f}__icontains": t}) for f in self.search_fields))
                    for t in terms
                ),
            )
        )
