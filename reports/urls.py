from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/publish/", views.report_publish, name="publish"),
    path("<int:pk>/regenerate/", views.report_regenerate, name="regenerate"),
]
