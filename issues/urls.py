from django.urls import path, register_converter

from . import systemic_views, views


class IssueNumberConverter:
    """``ISS-2026-00012``: only issue numbers, so other paths under /issues/ never clash."""

    regex = r"ISS-\d{4}-\d{5,}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(IssueNumberConverter, "issue_number")

app_name = "issues"
urlpatterns = [
    path("", views.issue_list, name="list"),
    path("mine/", views.my_work, name="mine"),
    path("export.xlsx", views.issue_export, name="export"),
    path("new/", views.issue_submit, name="submit"),
    path("store/", views.my_store_issues, name="my_store"),
    path("triage/", views.triage_queue, name="triage"),
    path("systemic/", systemic_views.systemic_list, name="systemic_list"),
    path("systemic/new/", systemic_views.systemic_new, name="systemic_new"),
    path("systemic/<int:pk>/", systemic_views.systemic_detail, name="systemic_detail"),
    path("systemic/<int:pk>/add/", systemic_views.systemic_add, name="systemic_add"),
    path("systemic/<int:pk>/status/", systemic_views.systemic_status, name="systemic_status"),
    path("<issue_number:number>/", views.issue_detail, name="detail"),
    path("<issue_number:number>/submitted/", views.issue_submitted, name="submitted"),
    path("<issue_number:number>/do/<slug:action>/", views.issue_action, name="action"),
    path("<issue_number:number>/files/<int:pk>/", views.attachment_file, name="attachment"),
]
