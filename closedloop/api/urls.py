"""``/api/v1/``: each app contributes its ``api/urls.py``."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .views import api_root

urlpatterns = [
    path("", api_root, name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a separate file: no inline script, so the
    # page works under the strict Content-Security-Policy (script-src 'self').
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("closedloop.org.api.urls")),
    path("", include("issues.api.urls")),
    path("", include("inspections.api.urls")),
    path("", include("rectification.api.urls")),
    path("", include("closedloop.notifications.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("reports.api.urls")),
]
