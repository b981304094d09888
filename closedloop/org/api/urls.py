from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("stores", views.StoreViewSet, basename="store")
router.register("regions", views.RegionViewSet, basename="region")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("users", views.UserViewSet, basename="user")

urlpatterns = router.urls
