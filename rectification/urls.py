from django.urls import path, register_converter

from . import acceptance_views, views


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
    path("<ref_number:number>/", views.detail, name="detail"),
    path("<ref_number:number>/edit/", views.edit, name="edit"),
    path("<ref_number:number>/track/", views.track, name="track"),
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
