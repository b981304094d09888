"""What every business-object viewset of the API shares."""

from django.http import Http404
from rest_framework.exceptions import NotFound


class BusinessObjectMixin:
    """Filters belong to the list (a detail URL addresses one object by its number), and
    an object the caller may not see gets the very answer of one that does not exist:
    404 with ``not_found_message`` (never leak existence)."""

    not_found_message = ""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as exc:
            raise NotFound(self.not_found_message) from exc
