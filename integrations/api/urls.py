from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("tokens", views.ApiTokenViewSet, basename="token")
router.register("metric-definitions", views.MetricDefinitionViewSet, basename="metric-definition")
router.register("metrics", views.MetricReadingViewSet, basename="metric")
router.register("webhooks", views.WebhookViewSet, basename="webhook")

urlpatterns = [
    *router.urls,
    path("imports/issues/", views.IssueImportView.as_view(), name="import-issues"),
]
