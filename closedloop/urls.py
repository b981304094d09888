from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from closedloop.health import healthz
from closedloop.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("org/", include("closedloop.org.urls")),
    path("issues/", include("issues.urls")),
    path("inspections/", include("inspections.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("rectification/", include("rectification.urls")),
    path("notifications/", include("closedloop.notifications.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/v1/", include(("closedloop.api.urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

#: A ``PermissionDenied`` raised by any page renders the generic 403 page (templates/403.html).
handler403 = "closedloop.web.permission_denied"
