from django.urls import path

from . import views

urlpatterns = [
    path("kpis/", views.KpiView.as_view(), name="kpis"),
    path("kpi-targets/", views.KpiTargetListView.as_view(), name="kpi-targets"),
    path("kpi-targets/<str:metric>/", views.KpiTargetView.as_view(), name="kpi-target"),
]
