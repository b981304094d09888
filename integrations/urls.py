from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:pk>/toggle/", views.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:pk>/deliveries/<uuid:delivery_id>/redeliver/",
        views.webhook_redeliver,
        name="webhook_redeliver",
    ),
    path("imports/", views.import_list, name="imports"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("metrics/", views.metric_list, name="metrics"),
]
