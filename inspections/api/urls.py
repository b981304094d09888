from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("inspections", views.InspectionViewSet, basename="inspection")

urlpatterns = [
    path("inspections/board/", views.BoardView.as_view(), name="inspection-board"),
    path("inspection-templates/", views.TemplateListView.as_view(), name="inspection-templates"),
    *router.urls,
]
