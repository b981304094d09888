from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("stores/", views.store_list, name="store_list"),
    path("stores/<str:code>/", views.store_detail, name="store_detail"),
    path("import/", views.org_import, name="import"),
    path("import/template.xlsx", views.org_import_template, name="import_template"),
    path("language/", views.set_language, name="set_language"),
]
