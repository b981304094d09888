from django.urls import path, register_converter

from . import acceptance_views, case_views, closure_views, views


class ProjectNumberConverter:
    """``REF-2025-007``: only project numbers, so other paths never clash."""

    regex = r"REF-\d{4}-\d{3,}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ProjectNumberConverter, "ref_number")

app_name = "rectification"
urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.export, name="export"),
    path("cases/", case_views.case_list, name="cases"),
    path("cases/<int:pk>/", case_views.case_detail, name="case"),
    path("<ref_number:number>/", views.detail, name="detail"),
    path("<ref_number:number>/edit/", views.edit, name="edit"),
    path("<ref_number:number>/track/", views.track, name="track"),
    path("<ref_number:number>/case/", case_views.case_edit, name="case_edit"),
    path("<ref_number:number>/closure/", closure_views.closure_page, name="closure"),
    path("<ref_number:number>/closure/close/", closure_views.closure_close, name="close"),
    path("<ref_number:number>/closure.pdf", closure_views.closure_pdf, name="closure_pdf"),
    path("<ref_number:number>/kickoff.pdf", views.kickoff_pdf, name="kickoff_pdf"),
    path("<ref_number:number>/do/<slug:action>/", views.project_action, name="action"),
    path("<ref_number:number>/measures/<int:pk>/", views.measure_update, name="measure"),
    path("<ref_number:number>/whys/<int:pk>/photo/", views.why_photo, name="why_photo"),
    path(
        "<ref_number:number>/acceptance/",
        acceptance_views.acceptance_new,
        name="acceptance_new",
    ),
    path(
        "<ref_number:number>/acceptance/preview/",
        acceptance_views.acceptance_preview,
        name="acceptance_preview",
    ),
    path(
        "<ref_number:number>/acceptance/<int:pk>/sign/",
        acceptance_views.acceptance_sign,
        name="acceptance_sign",
    ),
    path(
        "<ref_number:number>/acceptance/<int:pk>.pdf",
        acceptance_views.acceptance_pdf,
        name="acceptance_pdf",
    ),
    path("<ref_number:number>/recheck/", acceptance_views.recheck, name="recheck"),
]
