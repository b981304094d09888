"""``/api/v1/`` itself: a small index of the API (its schema, its docs, every list
endpoint), so the root answers instead of a 404."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

NAMESPACE = "api"


def _list_endpoints() -> dict[str, str]:
    """Every ``<name>-list`` URL of the API namespace, by ``<name>``."""
    found = {}
    namespace = get_resolver().namespace_dict[NAMESPACE][1]

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list"):
                name = pattern.name.removesuffix("-list")
                found[name] = reverse(f"{NAMESPACE}:{pattern.name}")

    walk(namespace.url_patterns)
    return dict(sorted(found.items()))


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    return Response(
        {
            "name": "closedloop",
            "version": "v1",
            "schema": reverse(f"{NAMESPACE}:schema"),
            "docs": reverse(f"{NAMESPACE}:docs"),
            "endpoints": _list_endpoints(),
        }
    )
