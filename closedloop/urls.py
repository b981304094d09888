from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from closedloop.health import healthz
from closedloop.org import views as org_views

# The admin speaks the app's language (the quality lead's configuration, accounts, lockouts).
admin.site.site_header = _("售后问题闭环 · 后台管理")
admin.site.site_title = _("闭环后台")
admin.site.index_title = _("配置与账号")

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
    path("reports/", include("reports.urls")),
    path("rectification/", include("rectification.urls")),
    path("notifications/", include("closedloop.notifications.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/v1/", include(("closedloop.api.urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

#: A ``PermissionDenied`` raised by any page renders the generic 403 page (templates/403.html).
handler403 = "closedloop.web.permission_denied"
