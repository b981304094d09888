from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("rectifications", views.ProjectViewSet, basename="rectification")
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns = router.urls
